import datetime

from odoo import fields, models
from odoo.tools import SQL, sql

from .. import compat
from .ar_kpi_fact import KPI_DIGITS, TOTAL_SUMS


class ArKpiFactTotal(models.Model):
    """The KPI facts of a company and month, summed: what a grouped read of the facts needs.

    One row per company and month with facts: their number, the sums of
    their amounts and the lowest and highest target DSO of the month
    (``ar.kpi.fact`` ``GROUP_SUMS``). ``ar.kpi.fact._read_group`` answers from
    these rows when it groups by month and company only and filters on them
    only: a month of a company is one row instead of one per customer, with
    the same sums and so the same ratios. Written by the facts' refresh in
    the same transaction (:meth:`_ar_roll_up`), never by hand.
    """

    _name = "ar.kpi.fact.total"
    _description = "Receivables KPI Facts of a Company and Month"
    _order = "month desc, company_id"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(required=True, readonly=True, help="First day of the month.")
    fact_count = fields.Integer(string="Facts", readonly=True, help="Number of KPI facts of the company and month.")
    credit_sales = fields.Monetary(readonly=True, help="Customer invoices net of credit notes, taxes included.")
    beginning_receivables = fields.Monetary(readonly=True, help="Open receivables at the end of the month before.")
    receivables = fields.Monetary(string="Ending Receivables", readonly=True)
    current_receivables = fields.Monetary(string="Current Receivables", readonly=True)
    overdue_receivables = fields.Monetary(readonly=True)
    over_90_receivables = fields.Monetary(string="Receivables over 90 Days", readonly=True)
    paid_amount = fields.Monetary(readonly=True, help="Customer invoices paid in the month.")
    paid_days = fields.Float(
        string="Paid Amount x Days", digits=KPI_DIGITS, readonly=True, help="Sum of amount paid x days to pay."
    )
    target_min = fields.Float(string="Lowest Target DSO", digits=KPI_DIGITS, readonly=True)
    target_max = fields.Float(string="Highest Target DSO", digits=KPI_DIGITS, readonly=True)

    _company_month_uniq = compat.Constraint(
        "UNIQUE (company_id, month)", "The KPI facts of a company and month are summed in one row."
    )

    def init(self):
        """Sum the facts of every company again on the module's install and update: databases filled
        before the roll-up get theirs, and one that drifted (facts changed by hand in SQL) is put right."""
        if not sql.table_exists(self.env.cr, "ar_kpi_fact"):
            return
        rows = self.env.execute_query(SQL("SELECT id FROM res_company"))
        self._ar_roll_up([company_id for (company_id,) in rows])

    def _ar_roll_up(self, company_ids, first=None, last=None):
        """Sum again the facts of ``company_ids`` from the month ``first`` to the month ``last`` (all when ``None``).

        One statement writes the months that have facts and deletes those that
        have none left. It runs under a transaction lock on each company's
        roll-up, taken by a statement of its own: two workers refreshing ranges
        of one company's customers at once each write their own facts, and the
        second one's sums, taken once the first has committed, hold both.
        """
        company_ids = sorted(set(company_ids))
        if not company_ids:
            return
        self.env["ar.kpi.fact"].flush_model()
        self.flush_model()
        self.env.execute_query(
            SQL(
                "SELECT pg_advisory_xact_lock(hashtext(%s), company_id) FROM unnest(%s::int[]) AS company_id",
                self._name,
                company_ids,
            )
        )
        sums = SQL(", ").join(SQL("SUM(%s) AS %s", SQL.identifier(name), SQL.identifier(name)) for name in TOTAL_SUMS)
        names = ["fact_count", *TOTAL_SUMS, "target_min", "target_max"]
        columns = SQL(", ").join(SQL.identifier(name) for name in names)
        updates = SQL(", ").join(SQL("%s = EXCLUDED.%s", SQL.identifier(name), SQL.identifier(name)) for name in names)
        now = self.env.cr.now()
        self.env.execute_query(
            SQL(
                """
                WITH sums AS (
                    SELECT company_id, month, COUNT(*) AS fact_count, %(sums)s,
                           MIN(target_dso) AS target_min, MAX(target_dso) AS target_max
                      FROM ar_kpi_fact
                     WHERE company_id = ANY(%(companies)s) AND month >= %(first)s AND month <= %(last)s
                  GROUP BY company_id, month
                ), gone AS (
                    DELETE FROM ar_kpi_fact_total t
                     WHERE t.company_id = ANY(%(companies)s) AND t.month >= %(first)s AND t.month <= %(last)s
                       AND NOT EXISTS (SELECT 1 FROM sums s WHERE s.company_id = t.company_id AND s.month = t.month)
                )
                INSERT INTO ar_kpi_fact_total (company_id, month, %(columns)s,
                                               create_uid, create_date, write_uid, write_date)
                SELECT company_id, month, %(columns)s, %(uid)s, %(now)s, %(uid)s, %(now)s FROM sums
                ON CONFLICT (company_id, month) DO UPDATE
                   SET %(updates)s, write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                """,
                sums=sums,
                columns=columns,
                updates=updates,
                companies=company_ids,
                first=first or datetime.date.min,
                last=last or datetime.date.max,
                uid=self.env.uid,
                now=now,
            )
        )
        self.invalidate_model()
