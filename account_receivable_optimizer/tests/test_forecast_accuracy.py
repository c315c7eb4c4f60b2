from freezegun import freeze_time

from odoo.tests import tagged

from .analytics_common import ArAnalyticsCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestForecastAccuracy(ArAnalyticsCommon):
    """Forecasts stored when made, against what was collected (docs/analytics.md).

    Collected in the ledger: Alpha 400 on 15 April (week of 13 April), 600 on
    20 June (week of 15 June); nothing else.
    """

    def _store(self, made, week, partner, amount):
        return (
            self.env["ar.forecast.week"]
            .sudo()
            .create(
                {
                    "company_id": self.company.id,
                    "date": made,
                    "week_start": week,
                    "partner_id": partner.id,
                    "amount": amount,
                }
            )
        )

    def _history(self):
        # made on Friday 10 April: 500 for the week of 13 April (400 collected: 25 % off)
        self._store("2026-04-10", "2026-04-13", self.customer, 500.0)
        self._store("2026-04-10", "2026-04-20", self.customer, 900.0)  # replaced by the next forecast
        # made on 17 April: 100 for the week of 20 April (nothing collected); it covers the
        # weeks up to 13 July with nothing expected
        self._store("2026-04-17", "2026-04-20", self.customer, 100.0)
        # made on Sunday 14 June: 1,100 for the week of 15 June (600 collected)
        self._store("2026-06-14", "2026-06-15", self.customer, 800.0)
        self._store("2026-06-14", "2026-06-15", self.beta, 300.0)

    def _stored_errors(self, report):
        """The errors as stored: NULL (empty in the views), never 0, when undefined."""
        report.flush_recordset()
        self.env.cr.execute("SELECT forecast_mape, forecast_wape FROM ar_forecast_report WHERE id = %s", [report.id])
        return self.env.cr.fetchone()

    def _forecast(self, **vals):
        report = self.env["ar.forecast.report"].with_context(allowed_company_ids=[self.company.id]).create(vals)
        report._compute_lines()
        return report

    def test_error_over_the_last_13_weeks(self):
        self._history()
        report = self._forecast()
        # measured: the 11 weeks from 13 April to 22 June (none was stored before 30 March and 6 April)
        self.assertEqual((report.forecast_error_weeks, report.forecast_collected_weeks), (11, 2))
        # MAPE over the weeks with something collected: (100 / 400 + 500 / 600) / 2
        self.assertAlmostEqual(report.forecast_mape, (25.0 + 500.0 / 600.0 * 100) / 2, places=2)
        # WAPE: (100 + 100 + 500) / (400 + 600)
        self.assertAlmostEqual(report.forecast_wape, 70.0, places=2)

    def test_past_weeks_compare_the_stored_forecast(self):
        self._history()
        past = self._forecast().line_ids.filtered(lambda line: line.kind == "past")
        self.assertEqual(past.mapped("week"), ["2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22"])
        self.assertEqual(past.mapped("amount"), [0.0, 0.0, 1100.0, 0.0])
        self.assertEqual(past.mapped("actual_amount"), [0.0, 0.0, 600.0, 0.0])
        self.assertEqual(past.mapped("forecast_stored"), [True] * 4)
        # only Beta: nothing was collected, so neither percentage is defined (empty, not 0)
        beta = self._forecast(partner_ids=[self.beta.id])
        self.assertEqual(beta.line_ids.filtered(lambda line: line.kind == "past").mapped("amount"), [0, 0, 300, 0])
        self.assertEqual((beta.forecast_error_weeks, beta.forecast_collected_weeks), (11, 0))
        self.assertEqual(self._stored_errors(beta), (None, None))

    def test_no_stored_forecast_nothing_measured(self):
        report = self._forecast()
        self.assertEqual((report.forecast_error_weeks, report.forecast_collected_weeks), (0, 0))
        self.assertEqual(self._stored_errors(report), (None, None))
        self.assertFalse(report.line_ids.filtered("forecast_stored"))

    def test_forecast_stored_when_made_and_replaced_the_same_day(self):
        Week = self.env["ar.forecast.week"].sudo()
        Week._ar_store_forecast(self.company)
        stored = Week.search([("company_id", "=", self.company.id)])
        # Beta's 300 this week, Alpha's 500 in the week of 7 September; Beta's doubtful 2,000 in no week
        self.assertEqual(
            sorted(
                (line.bucket, line.week_start and line.week_start.isoformat(), line.partner_id.name, line.amount)
                for line in stored
            ),
            [
                ("doubtful", False, "Beta Corp", 2000.0),
                ("week", "2026-06-29", "Beta Corp", 300.0),
                ("week", "2026-09-07", "Alpha Industries", 500.0),
            ],
        )
        self.assertEqual(set(stored.mapped("date")), {self._date("2026-06-30")})
        Week._ar_store_forecast(self.company)
        again = Week.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(again), 3)
        self.assertFalse(again & stored)
        # the run left no forecast report behind
        self.assertFalse(self.env["ar.forecast.report"].sudo().search([("company_id", "=", self.company.id)]))
