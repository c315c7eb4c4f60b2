import threading

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .analytics_common import ArAnalyticsCommon
from .common import CONTROLLER


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestDashboard(ArAnalyticsCommon):
    """``ar.receivables.dashboard.get_dashboard_data`` on the ledger of analytics_common, seen on 30 June 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.controller = cls._user("ar_dashboard_controller", CONTROLLER)

    def _store(self, companies):
        """What the nightly job stores and the dashboard reads: facts, snapshot, forecast."""
        with freeze_time("2026-06-30"):
            self.env["ar.kpi.fact"]._ar_refresh_recent(companies)
            for company in companies:
                self.env["ar.receivable.snapshot"]._ar_snapshot_recent(company)
                self.env["ar.forecast.week"]._ar_store_forecast(company)

    def _data(self, user=None, companies=None, company_ids=None):
        self._store(companies or self.company)
        model = self.env["ar.receivables.dashboard"].with_context(allowed_company_ids=(companies or self.company).ids)
        if user:
            model = model.with_user(user)
        return model.get_dashboard_data(company_ids)

    def _records(self, action):
        return self.env[action["res_model"]].search(action["domain"])

    @staticmethod
    def _round(value):
        return None if value is None else round(value, 2)

    def _cards(self, data):
        return {card["key"]: card for card in data["kpis"]["cards"]}

    def test_kpi_cards(self):
        self.policy.target_dso = 45.0
        data = self._data(self.controller)
        self.assertEqual(data["currency"]["id"], self.currency.id)
        self.assertFalse(data["mixed_currencies"])
        self.assertEqual(data["kpis"]["month"], "2026-06-01")
        cards = self._cards(data)
        self.assertEqual(
            [card["key"] for card in data["kpis"]["cards"]],
            ["receivables", "overdue", "percent_overdue", "dso", "countback_dso", "bpdso", "add", "cei", "days_to_pay"],
        )
        # (June, May) of each card, by hand from the ledger (June: docs/analytics.md). May:
        # receivables 600 + 2,000 + 300, of which 300 due on 31 May (current); credit sales 300;
        # beginning 2,600; countback 31 + 30 + 31 + 28 days + 1,600 / 2,000 x 31; no payment
        expected = {
            "receivables": (2600.0, 2900.0),
            "overdue": (2100.0, 2600.0),
            "percent_overdue": (80.77, 89.66),
            "dso": (260.0, 299.67),
            "countback_dso": (165.5, 144.8),
            "bpdso": (50.0, 31.0),
            "add": (210.0, 268.67),
            "cei": (22.22, 0.0),
            "days_to_pay": (111.0, None),
        }
        self.assertEqual(
            {key: (self._round(card["value"]), self._round(card["previous"])) for key, card in cards.items()},
            expected,
        )
        for key, card in cards.items():
            with self.subTest(key=key):
                if card["previous"] is None:
                    self.assertIsNone(card["trend"])
                else:
                    self.assertAlmostEqual(card["trend"], card["value"] - card["previous"], places=6)
        self.assertEqual(cards["dso"]["target"], 45.0)
        facts = self._records(cards["dso"]["action"])
        self.assertEqual(set(facts.mapped("month")), {self._date("2026-06-01")})
        self.assertEqual(cards["dso"]["action"]["views"][0][1], "graph")

    def test_no_target_is_empty_not_zero(self):
        self.policy.target_dso = 0.0
        data = self._data()
        self.assertIsNone(self._cards(data)["dso"]["target"])
        self.assertEqual({point["target"] for point in data["dso_chart"]["points"]}, {None})

    def test_dso_chart(self):
        self.policy.target_dso = 45.0
        points = self._data()["dso_chart"]["points"]
        self.assertEqual(len(points), 24)
        self.assertEqual(points[0]["month"], "2024-07-01")
        self.assertEqual(points[-1]["month"], "2026-06-01")
        # no facts before the first invoice: undefined, not 0
        self.assertEqual({point["dso"] for point in points[:18]}, {None})
        self.assertAlmostEqual(points[-1]["dso"], 260.0, places=2)
        self.assertAlmostEqual(points[-2]["dso"], 299.67, places=2)
        self.assertEqual(points[-1]["target"], 45.0)
        self.assertEqual(self._records(points[-1]["action"]).partner_id, self.customer | self.beta)

    def test_aging_and_click_through(self):
        data = self._data()
        aging = data["aging"]
        self.assertAlmostEqual(aging["total"], 2600.0, places=2)
        amounts = {period["key"]: period["amount"] for period in aging["periods"]}
        self.assertEqual(
            {key: round(amount, 2) for key, amount in amounts.items()},
            {"b0": 500.0, "b1": 100.0, "b2": 0.0, "b3": 0.0, "b4": 0.0, "b5": 2000.0},
        )
        self.assertEqual(aging["periods"][0]["label"], "Not due")
        self.assertEqual(aging["date"], "2026-06-30")
        periods = {period["key"]: period for period in aging["periods"]}
        # a figure opens the customers' snapshots behind it
        self.assertEqual(self._records(periods["b5"]["action"]).partner_id, self.beta)
        self.assertEqual(self._records(periods["b1"]["action"]).partner_id, self.beta | self.customer)
        self.assertEqual(self._records(periods["b0"]["action"]).partner_id, self.customer)
        self.assertEqual(set(self._records(aging["action"]).mapped("date")), {self._date("2026-06-30")})

    def test_aging_figures_are_the_aging_report_s(self):
        """The stored figures the dashboard reads are, to the cent, those of today's aging report."""
        data = self._data()
        report = self.env["ar.aging.report"].create({})
        report._compute_lines()
        Line = self.env["ar.aging.report.line"]
        [totals] = Line._read_group([("report_id", "=", report.id)], [], [f"amount_b{index}:sum" for index in range(6)])
        self.assertEqual(
            [round(period["amount"], 2) for period in data["aging"]["periods"]], [round(t, 2) for t in totals]
        )
        self.assertEqual(round(data["aging"]["total"], 2), round(report.total, 2))
        overdue = Line._read_group(
            [("report_id", "=", report.id), ("bucket", "!=", "b0"), ("partner_id", "!=", False)],
            ["partner_id"],
            ["amount_residual:sum"],
            having=[("amount_residual:sum", ">", 0)],
        )
        self.assertEqual(
            {row["partner_id"]: round(row["amount"], 2) for row in data["top_overdue"]},
            {partner.id: round(amount, 2) for partner, amount in overdue},
        )
        by_grade = dict(Line._read_group([("report_id", "=", report.id)], ["risk_grade"], ["amount_residual:sum"]))
        self.assertEqual(
            {grade["grade"]: round(grade["amount"], 2) for grade in data["grades"] if grade["amount"]},
            {grade: round(amount, 2) for grade, amount in by_grade.items() if amount},
        )

    def test_forecast_figures_are_the_forecast_report_s(self):
        """The stored forecast the dashboard reads is, to the cent, today's collection forecast."""
        weeks = self._data()["forecast"]["weeks"]
        report = self.env["ar.forecast.report"].create({"past_weeks": 0})
        report._compute_lines()
        groups = self.env["ar.forecast.report.line"]._read_group(
            [("report_id", "=", report.id), ("kind", "=", "open")], ["week"], ["amount:sum"]
        )
        self.assertEqual(
            {week["week"]: round(week["amount"], 2) for week in weeks if week["amount"]},
            {week: round(amount, 2) for week, amount in groups if amount},
        )

    def test_no_computation_on_load(self):
        """Loading the dashboard creates no aging and no forecast run: it reads what is stored."""
        self._store(self.company)
        self.env["ar.receivables.dashboard"].with_context(allowed_company_ids=self.company.ids).get_dashboard_data()
        self.assertFalse(self.env["ar.aging.report"].search([]))
        self.assertFalse(self.env["ar.forecast.report"].search([]))

    def test_refresh_stores_today_s_figures(self):
        self.assertFalse(self.env["ar.receivable.snapshot"].search([("company_id", "=", self.company.id)]))
        with freeze_time("2026-06-30"):
            self.env["ar.receivables.dashboard"].with_user(self.controller).with_context(
                allowed_company_ids=self.company.ids
            ).action_refresh()
        latest = self.env["ar.receivable.snapshot"].search(
            [("company_id", "=", self.company.id), ("is_latest", "=", True)]
        )
        self.assertEqual(set(latest.mapped("date")), {self._date("2026-06-30")})
        self.assertAlmostEqual(sum(latest.mapped("receivables")), 2600.0, places=2)
        stored = self.env["ar.forecast.week"].search([("company_id", "=", self.company.id)])
        self.assertAlmostEqual(sum(stored.mapped("amount")), 2800.0, places=2)

    def test_top_overdue_by_amount(self):
        # Gamma owes less than Beta but has a name that sorts first
        gamma = self.env["res.partner"].create({"name": "Aaron Gamma", "is_company": True})
        self._invoice(150.0, partner=gamma, invoice_date="2026-04-01", due_date="2026-04-30")
        rows = self._data()["top_overdue"]
        self.assertEqual([row["partner_id"] for row in rows], [self.beta.id, gamma.id])
        self.assertEqual([round(row["amount"], 2) for row in rows], [2300.0, 150.0])
        self.assertEqual(rows[0]["days"], 141)
        self.assertEqual(self._records(rows[1]["action"]).partner_id, gamma)
        self.assertAlmostEqual(self._records(rows[1]["action"]).overdue_receivables, 150.0, places=2)
        # Alpha's overdue items net to -200 (a credit note): not a debtor
        self.assertNotIn(self.customer.id, [row["partner_id"] for row in rows])

    def test_grades(self):
        grades = {grade["grade"]: grade for grade in self._data()["grades"]}
        self.assertEqual(list(grades), ["A", "B", "C", "D", "E", "ungraded"])
        self.assertAlmostEqual(grades["D"]["amount"], 2300.0, places=2)
        self.assertEqual(grades["D"]["customers"], 1)
        self.assertEqual(grades["A"]["amount"], 0.0)
        self.assertEqual(grades["ungraded"]["customers"], 1)
        self.assertAlmostEqual(grades["ungraded"]["amount"], 300.0, places=2)
        self.assertEqual(self._records(grades["ungraded"]["action"]).partner_id, self.customer)
        self.assertEqual(self._records(grades["D"]["action"]).partner_id, self.beta)

    def test_forecast_by_week(self):
        weeks = self._data()["forecast"]["weeks"]
        self.assertEqual(len(weeks), 15)
        self.assertEqual(weeks[0]["week"], "2026-06-29")
        self.assertEqual([week["week"] for week in weeks[-2:]], ["later", "doubtful"])
        self.assertEqual([week["label"] for week in weeks[-2:]], ["Later", "Doubtful"])
        amounts = {week["week"]: round(week["amount"], 2) for week in weeks if week["amount"]}
        self.assertEqual(amounts, {"2026-06-29": 300.0, "2026-09-07": 500.0, "doubtful": 2000.0})
        # a week opens the stored forecast of each customer in it
        self.assertEqual(self._records(weeks[0]["action"]).partner_id, self.beta)
        self.assertEqual(self._records(weeks[-1]["action"]).partner_id, self.beta)
        self.assertAlmostEqual(self._records(weeks[-1]["action"]).amount, 2000.0, places=2)
        self.assertEqual(self._records(weeks[10]["action"]).partner_id, self.customer)
        self.assertFalse(self._records(weeks[-2]["action"]))

    def test_access(self):
        for login, groups in (("ar_biller", "account.group_account_invoice"), ("ar_employee", "base.group_user")):
            user = self._user(login, groups)
            with self.assertRaises(AccessError, msg=login):
                self.env["ar.receivables.dashboard"].with_user(user).get_dashboard_data()
            with self.assertRaises(AccessError, msg=login):
                self.env["ar.receivables.dashboard"].with_user(user).action_download_pack()

    def test_multi_company(self):
        other = self.setup_other_company()["company"]
        move = (
            self.env["account.move"]
            .with_company(other)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_a.id,
                    "invoice_date": "2026-06-01",
                    "invoice_date_due": "2026-06-01",
                    "invoice_line_ids": [(0, 0, {"name": "x", "quantity": 1, "price_unit": 777.0, "tax_ids": []})],
                }
            )
        )
        move.action_post()
        # the company switcher decides
        self.assertAlmostEqual(self._data()["aging"]["total"], 2600.0, places=2)
        both = self._data(companies=self.company | other)
        self.assertAlmostEqual(both["aging"]["total"], 3377.0, places=2)
        self.assertAlmostEqual(self._cards(both)["receivables"]["value"], 3377.0, places=2)
        self.assertEqual(both["top_overdue"][-1]["partner_id"], self.partner_a.id)
        self.assertEqual(both["company_ids"], (self.company | other).ids)
        # a company the user did not select, or cannot see, is refused
        with self.assertRaises(AccessError):
            self._data(company_ids=other.ids)
        with self.assertRaises(AccessError):
            self._data(self.controller, company_ids=other.ids)

    def test_xlsx_pack_from_the_dashboard(self):
        action = (
            self.env["ar.receivables.dashboard"]
            .with_user(self.controller)
            .with_context(allowed_company_ids=self.company.ids)
            .action_download_pack()
        )
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("download=true", action["url"])

    def test_constant_queries(self):
        """The same number of queries for 10 and for 100 customers."""
        receivable = self.company_data["default_account_receivable"]
        revenue = self.company_data["default_account_revenue"]

        def add_customers(count, start):
            partners = self.env["res.partner"].create(
                [{"name": f"Bulk {start + index}", "is_company": True} for index in range(count)]
            )
            move = self.env["account.move"].create(
                {
                    "move_type": "entry",
                    "date": "2026-05-15",
                    "line_ids": [
                        (0, 0, {"account_id": receivable.id, "partner_id": partner.id, "debit": 10.0 + index})
                        for index, partner in enumerate(partners)
                    ]
                    + [(0, 0, {"account_id": revenue.id, "credit": sum(10.0 + i for i in range(count))})],
                }
            )
            move.action_post()

        def queries():
            """The queries of one dashboard load, after a first load that warms the caches."""
            self._store(self.company)
            model = self.env["ar.receivables.dashboard"].with_context(allowed_company_ids=self.company.ids)
            model.get_dashboard_data()
            self.env.flush_all()
            self.env.invalidate_all()
            log = []
            thread = threading.current_thread()
            hooks = getattr(thread, "query_hooks", ())
            thread.query_hooks = (*hooks, lambda _cr, query, *_args: log.append(str(query)[:80]))
            try:
                data = model.get_dashboard_data()
            finally:
                thread.query_hooks = hooks
            # the access rules and groups come from Odoo's LRU caches, which may drop them at any time
            metadata = ("ir_rule", "res_groups", "rule_group_rel")
            return [query for query in log if not any(table in query for table in metadata)], data

        add_customers(10, 0)
        ten, data = queries()
        self.assertEqual(len(data["top_overdue"]), 10)
        add_customers(90, 10)
        hundred, data = queries()
        self.assertAlmostEqual(data["aging"]["total"], 2600.0 + 145.0 + sum(10.0 + i for i in range(90)), places=2)
        self.assertEqual(len(hundred), len(ten), "\n".join(sorted(set(hundred) ^ set(ten))))
        # 51 on 18.0, 49 on 19.0 (its access checks are cached): every section, insurance included
        self.assertLessEqual(len(ten), 51)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestAnalyticsAccess(ArAnalyticsCommon):
    def test_billing_users_and_salespeople_are_refused(self):
        for login, groups in (("ar_biller", "account.group_account_invoice"), ("ar_employee", "base.group_user")):
            user = self._user(login, groups)
            for model in ("ar.aging.report", "ar.forecast.report"):
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
