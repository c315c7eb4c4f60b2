from odoo import api, fields, models


class ArForecastReportLine(models.Model):
    """An open invoice item with its expected payment week, or a past week's
    forecast against what was collected."""

    _name = "ar.forecast.report.line"
    _description = "Collection Forecast Line"
    _order = "kind, week_start, expected_date, id"

    report_id = fields.Many2one("ar.forecast.report", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection([("open", "Open Item"), ("past", "Past Week")], required=True, readonly=True)
    # a code for 'later' and 'doubtful', rendered when read (_ar_week_label)
    week = fields.Char(readonly=True, help="Monday of the expected week, 'Later' after the 13 weeks, or 'Doubtful'.")
    week_start = fields.Date(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    promise_date = fields.Date(readonly=True)
    delay_days = fields.Float(string="Customer Delay (days)", digits=(16, 2), aggregator="avg", readonly=True)
    expected_date = fields.Date(readonly=True)
    disputed = fields.Boolean(readonly=True)
    doubtful = fields.Boolean(
        readonly=True,
        help="Disputed, handed over to collection, or late beyond the customer's usual delay by more "
        "than the credit policy's threshold: not expected in any week.",
    )
    forecast_stored = fields.Boolean(
        string="Stored Forecast",
        readonly=True,
        help="Past week: the forecast is the one stored before the week started; otherwise it is rebuilt "
        "from the ledger with today's customer delays.",
    )
    amount = fields.Monetary(string="Forecast", readonly=True)
    actual_amount = fields.Monetary(string="Collected", readonly=True)
    variance = fields.Monetary(compute="_compute_variance", help="Collected minus forecast (past weeks).")

    @api.model
    def _ar_week_label(self, week):
        """The words of a stored week: its Monday, or 'Later' / 'Doubtful' in the reader's language."""
        labels = {"later": self.env._("Later"), "doubtful": self.env._("Doubtful")}
        return labels.get(week, week)

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):  # noqa: PLR0917 (Odoo's signature)
        groups = super().read_group(domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy)
        for group in groups:
            if group.get("week"):
                group["week"] = self._ar_week_label(group["week"])
        return groups

    def _web_read_group_groupby_formatter(self, groupby_spec, values):
        # 19.0: the web client's grouped lists and pivots group through this formatter,
        # not through read_group (18.0, above); the group's domain keeps the stored code
        formatter = super()._web_read_group_groupby_formatter(groupby_spec, values)
        if groupby_spec != "week":
            return formatter

        def week_formatter(value):
            value, domain = formatter(value)
            return (self._ar_week_label(value) if value else value), domain

        return week_formatter

    @api.depends("move_id", "partner_id", "week")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for line in self:
            names = (self._ar_week_label(line.week), line.move_id.display_name, line.partner_id.display_name)
            line.display_name = " - ".join(name for name in names if name)

    @api.depends("amount", "actual_amount")
    def _compute_variance(self):
        for line in self:
            line.variance = line.actual_amount - line.amount if line.kind == "past" else 0.0
