import datetime
import logging

from odoo import Command, api, fields, models
from odoo.tools import SQL

from ..lib.ar_core import forecast
from ..models.res_partner import grade_sql

_logger = logging.getLogger(__name__)


class ArForecastWeek(models.Model):
    """What a collection forecast made on a day expected from a customer in a week.

    Stored when the forecast is made (nightly job, *Refresh* of the
    snapshots), never rewritten afterwards except by a forecast made on the
    same day: the forecast against actual of a past week compares what was
    expected *before* the week with what was collected in it
    (:meth:`_ar_stored_forecasts`).
    """

    _name = "ar.forecast.week"
    _description = "Stored Weekly Collection Forecast"
    _order = "date desc, week_start, company_id, partner_id, id"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Forecast Made On", required=True, index=True, readonly=True)
    bucket = fields.Selection(
        [("week", "Week"), ("later", "Later"), ("doubtful", "Doubtful")],
        string="Expected In",
        required=True,
        default="week",
        readonly=True,
        help="A week of the 13 weeks forecast, later than them, or doubtful (not expected at all).",
    )
    week_start = fields.Date(string="Week", index=True, readonly=True, help="Monday of the week.")
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, readonly=True)
    amount = fields.Monetary(string="Expected", readonly=True, help="Open invoice amounts expected in the week.")

    @api.depends("date", "week_start", "partner_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = self.env._(
                "%(customer)s, week of %(week)s (forecast of %(date)s)",
                customer=line.partner_id.display_name or self.env._("No customer"),
                week=line.week_start.isoformat() if line.week_start else "",
                date=line.date.isoformat() if line.date else "",
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _ar_lock(self, company):
        """Take the company's lock for the transaction; ``False`` when another worker holds it."""
        return self.env.execute_query(
            SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s), %s)", self._name, company.id)
        )[0][0]

    @api.model
    def _ar_store_forecast(self, company):
        """Store today's forecast of ``company``: per customer, the amount expected in each of the 13 weeks,
        later, and doubtful (the buckets the dashboard shows).

        The forecast is the collection forecast's (``ar.forecast.report``) from
        today; a forecast stored earlier today is replaced (idempotent).
        Constant queries whatever the number of customers.
        """
        if not self._ar_lock(company):
            _logger.info("Collection forecast of company %s is being stored elsewhere", company.id)
            return False
        today = fields.Date.context_today(self)
        report = (
            self.env["ar.forecast.report"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "date_from": today,
                    "past_weeks": 0,
                }
            )
        )
        report._compute_lines(accuracy=False)
        self.flush_model()
        self.env.execute_query(
            SQL(
                """
                WITH old AS (
                    DELETE FROM ar_forecast_week WHERE company_id = %(company)s AND date = %(today)s RETURNING id
                )
                INSERT INTO ar_forecast_week (
                    company_id, date, bucket, week_start, partner_id, amount,
                    create_uid, create_date, write_uid, write_date
                )
                SELECT %(company)s, %(today)s,
                       CASE WHEN week_start IS NOT NULL THEN 'week' ELSE week END, week_start, partner_id, SUM(amount),
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM ar_forecast_report_line
                 WHERE report_id = %(report)s AND kind = 'open'
              GROUP BY 3, week_start, partner_id
                """,
                company=company.id,
                today=today,
                report=report.id,
                uid=self.env.uid,
            )
        )
        report.unlink()
        self.invalidate_model()
        return True

    @api.model
    def _ar_stored_forecasts(self, company_ids, weeks, partner_ids=(), risk_grade=None):
        """``{week: amount}``: what the last forecast stored before each week expected in it.

        A week is in the result when a forecast was stored in the 13 weeks
        before its Monday (the forecast then covered it, even with nothing
        expected: amount 0); with several companies, each company's last
        forecast counts. One query.

        :param partner_ids: only these commercial partners (all when empty)
        :param risk_grade: only customers of this current grade in their company
        """
        if not weeks:
            return {}
        self.flush_model()
        self.env["res.partner"].flush_model(["ar_risk_grade"])
        conditions = [SQL("TRUE")]
        if partner_ids:
            conditions.append(SQL("f.partner_id = ANY(%s)", list(partner_ids)))
        if risk_grade:
            conditions.append(SQL("%s = %s", grade_sql("cp", SQL("f.company_id")), risk_grade))
        rows = self.env.execute_query(
            SQL(
                """
                WITH weeks AS (SELECT unnest(%(weeks)s::date[]) AS week),
                made AS (
                    SELECT w.week, f.company_id, MAX(f.date) AS date
                      FROM weeks w
                      JOIN ar_forecast_week f ON f.date < w.week AND f.date >= w.week - %(horizon)s
                     WHERE f.company_id = ANY(%(companies)s)
                  GROUP BY w.week, f.company_id
                )
                SELECT m.week, COALESCE(SUM(f.amount) FILTER (WHERE %(filters)s), 0)
                  FROM made m
             LEFT JOIN ar_forecast_week f
                    ON f.company_id = m.company_id AND f.date = m.date AND f.week_start = m.week
             LEFT JOIN res_partner cp ON cp.id = f.partner_id
              GROUP BY m.week
                """,
                weeks=list(weeks),
                horizon=forecast.WEEKS * 7,
                companies=list(company_ids),
                filters=SQL(" AND ").join(conditions),
            )
        )
        return {week: float(amount) for week, amount in rows}

    @api.model
    def _ar_accuracy_weeks(self, first_week):
        """The Mondays of the 13 weeks before ``first_week``, oldest first."""
        return [first_week - datetime.timedelta(weeks=n) for n in range(forecast.ACCURACY_WEEKS, 0, -1)]
