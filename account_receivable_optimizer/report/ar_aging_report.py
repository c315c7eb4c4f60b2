from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_date

from ..lib.ar_core import aging, bounds
from ..models import ar_limits
from ..models.ar_receivable_accounts import receivable_account_ids
from ..models.res_partner import grade_sql
from .ar_report_mixin import later_partials_sql, later_reconciliations_sql, without_jit

#: Bucket columns of a report line, in bucket order (not due first).
BUCKET_FIELDS = ("amount_b0", "amount_b1", "amount_b2", "amount_b3", "amount_b4", "amount_b5")


class ArAgingReport(models.Model):
    """One run of the receivables aging: its parameters and its lines.

    The lines are written by a single ``INSERT ... SELECT`` (see
    :meth:`_compute_lines`), so that the list, pivot and graph views, the
    XLSX pack and the dashboard all read the same figures, whatever the
    number of open items. Runs are stored (a reload or a bookmark of the
    lines shows the same run) and deleted after 30 days.
    """

    _name = "ar.aging.report"
    _inherit = ["ar.report.mixin"]
    _description = "Receivables Aging"
    _order = "id desc"

    as_of_date = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="Amounts as they were at the end of this day: later invoices are left out and "
        "reconciliations made after it are undone. From 1900 to today.",
    )
    basis = fields.Selection(
        [("due", "Due date"), ("invoice", "Invoice date")],
        string="Age by",
        required=True,
        default="due",
        help="Days overdue are counted from the due date (default) or from the invoice date.",
    )
    line_ids = fields.One2many("ar.aging.report.line", "report_id", string="Lines")
    total = fields.Monetary(compute="_compute_totals", currency_field="currency_id")

    @api.depends("as_of_date")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for report in self:
            report.display_name = self.env._(
                "Receivables aging as of %(date)s", date=format_date(self.env, report.as_of_date)
            )

    @api.depends("line_ids.amount_residual")
    def _compute_totals(self):
        for report in self:
            report.total = sum(report.line_ids.mapped("amount_residual"))

    @api.constrains("as_of_date")
    def _check_as_of_date(self):
        for report in self:
            if report.as_of_date and report.as_of_date > fields.Date.context_today(self):
                raise ValidationError(
                    self.env._("The aging cannot be computed for a future date: choose today or a past date.")
                )
            ar_limits.check_date(report, "as_of_date", bounds.MIN_DATE, fields.Date.context_today(self))

    def unlink(self):
        """Delete the lines with their runs (the line table has no foreign key, see its model)."""
        report_ids = self.ids
        result = super().unlink()
        self.env.execute_query(SQL("DELETE FROM ar_aging_report_line WHERE report_id = ANY(%s)", report_ids))
        self.env["ar.aging.report.line"].invalidate_model()
        return result

    def action_open_lines(self):
        self.ensure_one()
        self._compute_lines()
        return self._ar_lines_action()

    def _ar_lines_action(self):
        return self._ar_run_lines_action("account_receivable_optimizer.ar_aging_report_line_action")

    def action_export_xlsx(self):
        self.ensure_one()
        self._compute_lines()
        return self.env["ar.analytics.pack"].create({"aging_report_id": self.id}).action_download()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _bucket_sql(self, days):
        """``CASE`` giving the bucket (``b0`` ... ``b5``) of ``days``, from the core's bounds."""
        bounds = aging.bucket_bounds(self.company_id._ar_aging_limits())
        whens = [
            SQL("WHEN %s <= %s THEN %s", days, high, f"b{index}")
            for index, (_key, _low, high) in enumerate(bounds[:-1])
        ]
        return SQL("CASE %s ELSE %s END", SQL(" ").join(whens), f"b{len(bounds) - 1}")

    def _compute_lines(self):
        """Replace the lines of the report by the open items as of its date: two queries.

        An item counts if its accounting date is on or before the report
        date; its open amount then is its residual plus the partial
        reconciliations that touched it after that date (formulas
        reference, "Aging as of a past date"; ``aging.open_amount_as_of``).

        The receivable accounts are read first and given to the main
        statement as constants: PostgreSQL then estimates the open items
        from the statistics of ``account_id`` (a join on the account type
        made it expect 2 % of them) and joins the entries and customers by
        hash at size, not one index lookup per item (docs/performance.md).
        """
        self.ensure_one()
        self._flush_receivables()
        receivable_accounts = receivable_account_ids(self.env)
        as_of = self.as_of_date
        basis = SQL("m.invoice_date") if self.basis == "invoice" else SQL("aml.date_maturity")
        days = SQL("(i.as_of - i.basis_date)")
        bucket_amounts = [SQL("CASE WHEN b.bucket = %s THEN b.amount ELSE 0 END", f"b{index}") for index in range(6)]
        statement = SQL(
            """
                WITH stale AS (
                    DELETE FROM ar_aging_report_line WHERE report_id = %(report)s
                ), later_by_line AS (%(later)s), open_then AS (
                    -- open today (the predicate of Odoo's partial index on open items)...
                    SELECT aml.id, aml.company_id, aml.company_currency_id, aml.partner_id, aml.move_id,
                           aml.account_id, aml.date, aml.date_maturity,
                           aml.amount_residual + COALESCE(lbl.amount, 0) AS amount
                      FROM account_move_line aml
                 LEFT JOIN later_by_line lbl ON lbl.line_id = aml.id
                     WHERE aml.reconciled IS NOT TRUE AND aml.parent_state = 'posted' AND aml.date <= %(as_of)s
                       AND aml.account_id = ANY(%(accounts)s)
                 UNION ALL
                    -- ... and the items reconciled since (two branches, not an OR: the planner then
                    -- knows how many items it reads and joins the entries and customers by hash); summed
                    -- after the join, from the later partials themselves, whose number PostgreSQL knows
                    SELECT aml.id, aml.company_id, aml.company_currency_id, aml.partner_id, aml.move_id,
                           aml.account_id, aml.date, aml.date_maturity, aml.amount_residual + SUM(lp.amount)
                      FROM (%(later_partials)s) lp
                      JOIN account_move_line aml ON aml.id = lp.line_id
                     WHERE aml.reconciled IS TRUE AND aml.parent_state = 'posted' AND aml.date <= %(as_of)s
                       AND aml.account_id = ANY(%(accounts)s)
                  GROUP BY aml.id
                ), items AS (
                    SELECT aml.id, aml.company_id, aml.company_currency_id AS currency_id, cp.id AS partner_id,
                           m.invoice_user_id AS user_id, %(grade)s AS risk_grade,
                           aml.move_id, aml.account_id, aml.date, aml.date_maturity, m.invoice_date,
                           %(as_of)s::date AS as_of, COALESCE(%(basis)s, aml.date) AS basis_date, aml.amount
                      FROM open_then aml
                      JOIN account_move m ON m.id = aml.move_id
                 LEFT JOIN res_partner p ON p.id = aml.partner_id
                 LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                     WHERE %(filters)s
                ), b AS (
                    SELECT i.*, %(days)s AS days_overdue, %(bucket)s AS bucket FROM items i WHERE i.amount != 0
                )
                INSERT INTO ar_aging_report_line (
                    report_id, company_id, currency_id, partner_id, user_id, risk_grade, move_line_id, move_id,
                    account_id, date, date_maturity, invoice_date, days_overdue, bucket, amount_residual,
                    amount_b0, amount_b1, amount_b2, amount_b3, amount_b4, amount_b5,
                    create_uid, create_date, write_uid, write_date
                )
                SELECT %(report)s, b.company_id, b.currency_id, b.partner_id, b.user_id, b.risk_grade, b.id,
                       b.move_id, b.account_id, b.date, b.date_maturity, b.invoice_date, b.days_overdue,
                       b.bucket, b.amount, %(bucket_amounts)s,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM b
                """,
            as_of=as_of,
            grade=grade_sql("cp", SQL("aml.company_id")),
            accounts=receivable_accounts,
            later=later_reconciliations_sql(as_of, self.company_ids.ids),
            later_partials=later_partials_sql(as_of, self.company_ids.ids),
            basis=basis,
            days=days,
            bucket=self._bucket_sql(days),
            filters=self._filters_sql(),
            bucket_amounts=SQL(", ").join(bucket_amounts),
            report=self.id,
            uid=self.env.uid,
        )
        self.env.execute_query(without_jit(statement))
        self.invalidate_recordset(["line_ids", "total"])
        self.env["ar.aging.report.line"].invalidate_model()
