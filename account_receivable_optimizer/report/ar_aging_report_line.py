from odoo import api, fields, models
from odoo.tools import SQL, sql

from ..lib.ar_core import aging
from ..models.res_partner import RISK_GRADES
from .ar_aging_report import BUCKET_FIELDS


class ArAgingReportLine(models.Model):
    """An open receivable item of an aging run, with its open amount on the report date.

    Written only by ``ar.aging.report._compute_lines`` (one ``INSERT ...
    SELECT``); read by the list, pivot and graph views.

    The table is the ORM's own (one column per stored field, created by
    :meth:`init`) **without foreign keys** (``_auto = False``, as Odoo's SQL
    reports): the lines are a copy of the ledger at the time of the run, and
    PostgreSQL checked each many-to-one of each written line against its
    table, with a row lock, ten checks per open item (80 % of the time of
    the aging, docs/performance.md). What the foreign keys did is done here:
    the lines of a run are deleted with it (``ar.aging.report.unlink``) and
    every run is deleted after 30 days; a line whose entry or customer was
    deleted since shows an empty cell, like a report on a SQL view.
    """

    _name = "ar.aging.report.line"
    _description = "Receivables Aging Line"
    _order = "partner_id, date_maturity, id"
    _auto = False
    _log_access = True  # who ran it and when, as on an ordinary table

    report_id = fields.Many2one("ar.aging.report", required=True, index=True, readonly=True)
    as_of_date = fields.Date(related="report_id.as_of_date", string="As of")
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    risk_grade = fields.Selection(RISK_GRADES, readonly=True)
    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Entry", readonly=True)
    account_id = fields.Many2one("account.account", readonly=True)
    date = fields.Date(string="Accounting Date", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    invoice_date = fields.Date(readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(selection="_selection_bucket", string="Period", readonly=True)
    amount_residual = fields.Monetary(string="Open Amount", currency_field="currency_id", readonly=True)
    amount_b0 = fields.Monetary(string="Not Due", currency_field="currency_id", readonly=True)
    amount_b1 = fields.Monetary(string="Period 1", currency_field="currency_id", readonly=True)
    amount_b2 = fields.Monetary(string="Period 2", currency_field="currency_id", readonly=True)
    amount_b3 = fields.Monetary(string="Period 3", currency_field="currency_id", readonly=True)
    amount_b4 = fields.Monetary(string="Period 4", currency_field="currency_id", readonly=True)
    amount_b5 = fields.Monetary(string="Older", currency_field="currency_id", readonly=True)

    def init(self):
        """Create the table and the missing columns from the fields, then drop any foreign key.

        Databases installed before kept the foreign keys and the company
        index the ORM made: they are dropped here, on the module's update.
        """
        cr = self.env.cr
        columns = [
            (field.name, field.column_type[1] + (" NOT NULL" if field.required else ""), field.string)
            for field in sorted(self._fields.values(), key=lambda field: field.column_order)
            if field.name != "id" and field.store and field.column_type
        ]
        if not sql.table_exists(cr, self._table):
            sql.create_model_table(cr, self._table, self._description, columns)
        existing = sql.table_columns(cr, self._table)
        for name, column_type, string in columns:
            if name not in existing:  # a field added since: nullable, the lines of past runs have no value
                sql.create_column(cr, self._table, name, column_type.removesuffix(" NOT NULL"), string)
        cr.execute(
            SQL(
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                self._table,
            )
        )
        for (name,) in cr.fetchall():
            cr.execute(SQL("ALTER TABLE %s DROP CONSTRAINT %s", SQL.identifier(self._table), SQL.identifier(name)))
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(sql.make_index_name(self._table, "company_id"))))
        # the lines are always read by run: its index is the only one kept up to date on insert
        sql.create_index(cr, sql.make_index_name(self._table, "report_id"), self._table, ['"report_id"'])

    @api.depends("move_id", "partner_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = " - ".join(
                name for name in (line.move_id.display_name, line.partner_id.display_name) if name
            ) or self.env._("Open item")

    @api.model
    def _bucket_labels(self):
        """Labels of the six buckets for the current company's limits: Not due, 1-30, ... > 120."""
        keys = aging.bucket_keys(self.env.company._ar_aging_limits())
        return [self.env._("Not due") if key == aging.NOT_DUE else aging.bucket_label(key) for key in keys]

    @api.model
    def _selection_bucket(self):
        return [(f"b{index}", label) for index, label in enumerate(self._bucket_labels())]

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """Name the bucket columns after the company's aging limits."""
        result = super().fields_get(allfields, attributes)
        for name, label in zip(BUCKET_FIELDS, self._bucket_labels(), strict=True):
            if name in result and "string" in result[name]:
                result[name]["string"] = label
        return result

    def action_open_entry(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "views": [(False, "form")],
        }

    def action_open_journal_items(self):
        """The journal items behind these lines."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journal Items"),
            "res_model": "account.move.line",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", self.move_line_id.ids)],
        }
