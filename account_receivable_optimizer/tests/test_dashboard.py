from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .analytics_common import ArAnalyticsCommon
from .common import CONTROLLER


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestDashboard(ArAnalyticsCommon):
    def _dashboard(self, user=None):
        model = self.env["ar.receivables.dashboard"].with_context(allowed_company_ids=[self.company.id])
        if user:
            model = model.with_user(user)
        action = model.action_open_dashboard()
        return model.browse(action["res_id"])

    def _records(self, action):
        return self.env[action["res_model"]].search(action["domain"])

    def test_tiles(self):
        self.policy.target_dso = 45.0
        dashboard = self._dashboard()
        self.assertEqual(dashboard.display_name, "Receivables Dashboard")
        expected = {
            "total_receivables": 2600.0,
            "overdue_receivables": 2100.0,
            "percent_overdue": 80.77,
            "dso": 260.0,
            "dso_trend": 260.0 - 299.67,
            "target_dso": 45.0,
            "countback_dso": 165.5,
            "cei": 22.22,
            "cei_trend": 22.22,
            "days_to_pay": 111.0,
            "amount_b0": 500.0,
            "amount_b1": 100.0,
            "amount_b5": 2000.0,
            "forecast_week_0": 300.0,
            "forecast_week_1": 0.0,
            "forecast_later": 500.0,
            "forecast_doubtful": 2000.0,
            "grade_d_count": 1,
            "grade_a_count": 0,
        }
        for name, value in expected.items():
            self.assertAlmostEqual(dashboard[name], value, places=2, msg=name)
        self.assertEqual(dashboard.top_overdue_ids, self.beta)

    def test_every_figure_clicks_through(self):
        dashboard = self._dashboard()
        older = self._records(dashboard.with_context(ar_bucket="b5").action_open_aging())
        self.assertEqual(older.move_id, self.inv_beta_january)
        overdue = self._records(dashboard.with_context(ar_overdue=1).action_open_aging())
        self.assertEqual(overdue.move_id, self.inv_beta_january | self.inv_beta_eur | self.refund_alpha)
        this_week = self._records(dashboard.with_context(ar_week=0).action_open_forecast())
        self.assertEqual(this_week.move_id, self.inv_beta_eur)
        later = self._records(dashboard.with_context(ar_week="later").action_open_forecast())
        self.assertEqual(later.move_id, self.inv_alpha_june)
        doubtful = self._records(dashboard.with_context(ar_week="doubtful").action_open_forecast())
        self.assertEqual(doubtful.move_id, self.inv_beta_january)
        kpis = dashboard.with_context(ar_graph=1).action_open_kpis()
        self.assertEqual(kpis["views"][0][1], "graph")
        self.assertEqual(self._records(kpis).company_id, self.company)
        self.assertEqual(set(self._records(kpis).mapped("month")), {self._date(f"2026-0{m}-01") for m in range(1, 7)})
        graded = self._records(dashboard.with_context(ar_grade="D").action_open_grade())
        self.assertIn(self.beta, graded)
        self.assertNotIn(self.customer, graded)

    def test_controller_opens_the_dashboard(self):
        controller = self._user("ar_dashboard_controller", CONTROLLER)
        dashboard = self._dashboard(controller)
        self.assertAlmostEqual(dashboard.total_receivables, 2600.0, places=2)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestAnalyticsAccess(ArAnalyticsCommon):
    def test_billing_users_and_salespeople_are_refused(self):
        for login, groups in (("ar_biller", "account.group_account_invoice"), ("ar_employee", "base.group_user")):
            user = self._user(login, groups)
            for model in ("ar.aging.report", "ar.forecast.report", "ar.receivables.dashboard"):
                with self.assertRaises(AccessError, msg=f"{login} {model}"):
                    self.env[model].with_user(user).create({})
            with self.assertRaises(AccessError, msg=f"{login} ar.kpi.fact"):
                self.env["ar.kpi.fact"].with_user(user).search([])

    def test_other_company_controller_sees_no_lines_of_this_company(self):
        aging = self.env["ar.aging.report"].with_context(allowed_company_ids=[self.company.id]).create({})
        aging._compute_lines()
        other = self.setup_other_company()["company"]
        controller = self._user("ar_other_controller", CONTROLLER, company=other)
        with self.assertRaises(AccessError):
            aging.with_user(controller).line_ids[:1].read(["amount_residual"])
        self.assertFalse(self.env["ar.aging.report.line"].with_user(controller).search([]))

    def test_negative_target_dso_refused(self):
        with self.assertRaises(ValidationError):
            self.policy.target_dso = -1.0
        self.assertEqual(self.policy.target_dso, 0.0)
