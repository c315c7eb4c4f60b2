import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, sql

from ..lib.ar_core import aging, kpi
from ..models.ar_receivable_accounts import receivable_account_ids
from ..models.res_partner import RISK_GRADES, grade_sql
from .ar_kpi_fact import BACKFILL_MONTHS, OVER_DAYS
from .ar_report_mixin import open_amount_segments_sql, open_amounts_at_sql

_logger = logging.getLogger(__name__)

#: Period columns of a snapshot, in period order (not due first), as the aging's.
SNAPSHOT_BUCKETS = ("amount_b0", "amount_b1", "amount_b2", "amount_b3", "amount_b4", "amount_b5")


class ArReceivableSnapshot(models.Model):
    """The receivables of one customer of a company on a date, kept as they were.

    Written by :meth:`_ar_snapshot` (nightly job, install, *Refresh*) with one
    ``INSERT ... SELECT`` per company whatever the number of customers and
    dates; never edited by hand. Amounts are the open amounts on the date
    (reconciliations made later are undone, as in the aging as of a past
    date), spread over the company's aging periods. The grade, collector and
    salesperson are those of the customer when the snapshot was taken: a
    snapshot rewritten later keeps them (history), today's takes the current
    ones.
    """

    _name = "ar.receivable.snapshot"
    _description = "Receivables Snapshot of a Customer"
    _order = "date desc, company_id, partner_id, id"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, index=True, readonly=True, help="The receivables at the end of this day.")
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True, help="The customer's salesperson.")
    collector_id = fields.Many2one("res.users", string="Collector", readonly=True)
    risk_grade = fields.Selection(RISK_GRADES, readonly=True, help="The customer's grade when the snapshot was taken.")
    receivables = fields.Monetary(readonly=True, help="Open receivables on the date (credits deducted).")
    current_receivables = fields.Monetary(string="Current", readonly=True, help="Not yet due on the date.")
    overdue_receivables = fields.Monetary(string="Overdue", readonly=True)
    over_90_receivables = fields.Monetary(string="Over 90 Days", readonly=True)
    exposure = fields.Monetary(
        readonly=True,
        help="Open receivables, plus the draft customer invoices that existed when the snapshot was taken "
        "(past snapshots filled from the ledger have no drafts).",
    )
    is_month_end = fields.Boolean(string="Month End", readonly=True, help="The snapshot of a month's last day.")
    is_latest = fields.Boolean(string="Latest", readonly=True, help="The company's latest snapshot.")
    max_days_overdue = fields.Integer(string="Max. Days Overdue", aggregator="max", readonly=True)
    amount_b0 = fields.Monetary(string="Not Due", readonly=True)
    amount_b1 = fields.Monetary(string="Period 1", readonly=True)
    amount_b2 = fields.Monetary(string="Period 2", readonly=True)
    amount_b3 = fields.Monetary(string="Period 3", readonly=True)
    amount_b4 = fields.Monetary(string="Period 4", readonly=True)
    amount_b5 = fields.Monetary(string="Older", readonly=True)

    def init(self):
        """The latest snapshots of a company, found without reading its past ones.

        The dashboard reads a company's latest snapshot (``is_latest``) three times (the
        aging periods, the customers owing most, the grades): at 100,000 customers and 24
        month ends kept, a scan of 2.4 million rows each (250 to 550 ms); through this index,
        the 100,000 rows of the day (55 to 65 ms, docs/performance.md). Not a partial index
        ``WHERE is_latest``: 19.0 writes the condition ``is_latest IS TRUE``, which PostgreSQL
        does not match with that index (18.0 writes ``is_latest = true``); a btree on the
        boolean serves both.
        """
        sql.create_index(
            self.env.cr,
            "ar_receivable_snapshot_latest_company_index",
            self._table,
            ['"is_latest"', '"company_id"'],
        )

    @api.depends("date", "partner_id")
    def _compute_display_name(self):
        for snapshot in self:
            name = snapshot.partner_id.display_name or self.env._("No customer")
            snapshot.display_name = self.env._(
                "%(customer)s, %(date)s", customer=name, date=snapshot.date.isoformat() if snapshot.date else ""
            )

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """Name the period columns after the company's aging periods."""
        result = super().fields_get(allfields, attributes)
        labels = self.env["ar.aging.report.line"]._bucket_labels()
        for name, label in zip(SNAPSHOT_BUCKETS, labels, strict=True):
            if name in result and "string" in result[name]:
                result[name]["string"] = label
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_ar_refresh(self):
        """Take today's snapshot of the selected companies now (button of the snapshot views)."""
        if not self.env.user.has_group("account_receivable_optimizer.group_ar_credit_controller"):
            raise AccessError(self.env._("Only Credit Controllers refresh the receivables snapshots."))
        for company in self.env.companies:
            self.sudo()._ar_snapshot_recent(company)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _ar_backfill_dates(self, today):
        """The last days of the 24 months before the month of ``today``, oldest first."""
        this_month = today.replace(day=1)
        return [kpi.month_end(kpi.add_months(this_month, -offset)) for offset in range(BACKFILL_MONTHS, 0, -1)]

    @api.model
    def _ar_snapshot_recent(self, company):
        """Take today's snapshot of ``company``; first back-fill 24 month ends if it has none."""
        today = fields.Date.context_today(self)
        dates = [today]
        if not self.sudo().search_count([("company_id", "=", company.id)], limit=1):
            dates = [*self._ar_backfill_dates(today), today]
        return self._ar_snapshot(company, dates)

    def _ar_lock(self, company):
        """Take the company's snapshot lock for the transaction; ``False`` when another worker holds it."""
        return self.env.execute_query(
            SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s), %s)", self._name, company.id)
        )[0][0]

    @api.model
    def _ar_snapshot(self, company, dates):
        """Replace the snapshots of ``company`` on each of ``dates`` (none in the future).

        Constant queries whatever the number of customers and dates: one
        ``DELETE ... RETURNING`` / ``INSERT ... SELECT`` statement, and for
        today's snapshot three more for the drafts of the exposure. Re-running
        a date replaces it (idempotent); the grade, collector and salesperson
        stored for a past date are kept. Returns ``False`` when another worker
        is writing the same company (nothing is done).
        """
        today = fields.Date.context_today(self)
        dates = sorted({date for date in dates if date <= today})
        if not dates:
            return True
        if not self._ar_lock(company):
            _logger.info("Receivables snapshots of company %s are being written elsewhere", company.id)
            return False
        self.env["ar.aging.report"]._flush_receivables()
        self.env["res.partner"].flush_model(["user_id", "ar_collector_id"])
        self.flush_model()
        limits = company._ar_aging_limits()
        days = SQL("(p.cut - p.due)")
        bucket_bounds = aging.bucket_bounds(limits)
        buckets = [
            SQL(
                "COALESCE(SUM(p.amount) FILTER (WHERE %s), 0)",
                SQL("%s <= %s", days, high)
                if low is None
                else (SQL("%s >= %s", days, low) if high is None else SQL("%s BETWEEN %s AND %s", days, low, high)),
            )
            for _key, low, high in bucket_bounds
        ]
        company_key = str(company.id)
        self.env.execute_query(
            SQL(
                """
                WITH p AS (%(open_amounts)s), sums AS (
                    SELECT p.cut, p.partner_id, SUM(p.amount) AS total,
                           COALESCE(SUM(p.amount) FILTER (WHERE %(days)s > %(over)s), 0) AS over_90,
                           COALESCE(MAX(%(days)s) FILTER (WHERE p.amount > 0 AND %(days)s > 0), 0) AS max_days,
                           %(buckets)s
                      FROM p
                     WHERE p.amount != 0
                  GROUP BY p.cut, p.partner_id
                ), old AS (
                    DELETE FROM ar_receivable_snapshot
                     WHERE company_id = %(company)s AND date = ANY(%(dates)s::date[])
                 RETURNING date, partner_id, user_id, collector_id, risk_grade
                )
                INSERT INTO ar_receivable_snapshot (
                    company_id, date, partner_id, user_id, collector_id, risk_grade, receivables,
                    current_receivables, overdue_receivables, over_90_receivables, exposure, max_days_overdue,
                    is_month_end, is_latest,
                    amount_b0, amount_b1, amount_b2, amount_b3, amount_b4, amount_b5,
                    create_uid, create_date, write_uid, write_date
                )
                SELECT %(company)s, s.cut, s.partner_id,
                       CASE WHEN o.date IS NOT NULL AND s.cut < %(today)s THEN o.user_id ELSE cp.user_id END,
                       CASE WHEN o.date IS NOT NULL AND s.cut < %(today)s THEN o.collector_id
                            ELSE (SELECT u.id FROM res_users u
                                   WHERE u.id = (cp.ar_collector_id->>%(company_key)s)::int) END,
                       CASE WHEN o.date IS NOT NULL AND s.cut < %(today)s THEN o.risk_grade
                            ELSE %(grade)s END,
                       s.total, s.b0, s.total - s.b0, s.over_90, s.total, s.max_days,
                       EXTRACT(DAY FROM s.cut + 1) = 1, FALSE,
                       s.b0, s.b1, s.b2, s.b3, s.b4, s.b5,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM sums s
             LEFT JOIN res_partner cp ON cp.id = s.partner_id
             -- an equality PostgreSQL can hash (IS NOT DISTINCT FROM cannot: it compared every
             -- customer's row of the date with every other's, 100,000 x 100,000 at L)
             LEFT JOIN old o ON o.date = s.cut AND COALESCE(o.partner_id, 0) = COALESCE(s.partner_id, 0)
                """,
                dates=dates,
                open_amounts=open_amounts_at_sql(
                    open_amount_segments_sql(
                        receivable_account_ids(self.env),
                        company.ids,
                        dates[0],
                        dates[-1],
                        filters=SQL("aml.company_id = %s", company.id),
                    ),
                    dates,
                ),
                company=company.id,
                company_key=company_key,
                grade=grade_sql("cp", SQL("%s", company.id)),
                today=today,
                days=days,
                over=OVER_DAYS,
                buckets=SQL(", ").join(
                    SQL("%s AS %s", bucket, SQL.identifier(f"b{index}")) for index, bucket in enumerate(buckets)
                ),
                uid=self.env.uid,
            )
        )
        self.env.execute_query(
            SQL(
                """
                WITH latest AS (SELECT MAX(date) AS date FROM ar_receivable_snapshot WHERE company_id = %(company)s)
                UPDATE ar_receivable_snapshot s
                   SET is_latest = (s.date = latest.date)
                  FROM latest
                 WHERE s.company_id = %(company)s AND s.is_latest IS DISTINCT FROM (s.date = latest.date)
                """,
                company=company.id,
            )
        )
        if dates[-1] == today:
            self._ar_add_draft_exposure(company, today)
        self.invalidate_model()
        return True

    def _ar_add_draft_exposure(self, company, today):
        """Add the drafts of the credit check's exposure to today's snapshots of ``company``.

        The drafts are those of ``res.partner._ar_get_credit_data``, the one
        source of the exposure: three queries for all the customers.
        """
        partner_ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """SELECT partner_id FROM ar_receivable_snapshot
                        WHERE company_id = %s AND date = %s AND partner_id IS NOT NULL""",
                    company.id,
                    today,
                )
            )
        ]
        if not partner_ids:
            return
        credit = self.env["res.partner"].sudo().browse(partner_ids)._ar_get_credit_data(company, today=today)
        drafts = {pid: data.draft_invoices for pid, data in credit.items() if data.draft_invoices}
        if not drafts:
            return
        self.env.execute_query(
            SQL(
                """
                UPDATE ar_receivable_snapshot s
                   SET exposure = s.receivables + d.amount
                  FROM unnest(%(partners)s::int4[], %(amounts)s::numeric[]) AS d(partner_id, amount)
                 WHERE s.company_id = %(company)s AND s.date = %(today)s AND s.partner_id = d.partner_id
                """,
                partners=list(drafts),
                amounts=list(drafts.values()),
                company=company.id,
                today=today,
            )
        )
