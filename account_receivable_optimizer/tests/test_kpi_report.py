from freezegun import freeze_time

from odoo.addons.account_receivable_optimizer import compat
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .analytics_common import ArAnalyticsCommon
from .common import CONTROLLER

RATIOS = ["dso", "countback_dso", "bpdso", "add", "cei", "percent_overdue", "percent_over_90", "days_to_pay"]
SUMS = ["credit_sales", "receivables", "current_receivables", "overdue_receivables", "paid_amount"]


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestKpiFacts(ArAnalyticsCommon):
    """The stored monthly facts and the KPIs of their groups (docs/analytics.md)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.target_dso = 45.0
        cls.Fact = cls.env["ar.kpi.fact"].with_context(allowed_company_ids=[cls.company.id])
        cls.Fact._ar_refresh(cls.company, cls._date("2024-07-01"), cls._date("2026-06-30"))

    def _groups(self, groupby, domain=(), names=(*RATIOS, "target_dso")):
        """``{group value(s): {name: value}}`` of the facts of the test company, as the views read them."""
        names = list(names)
        aggregates = [f"{name}:sum" for name in SUMS] + [f"{name}:max" for name in names]
        rows = self.Fact._read_group([("company_id", "=", self.company.id), *domain], groupby, aggregates)
        result = {}
        for row in rows:
            key = row[0] if len(groupby) == 1 else row[: len(groupby)]
            result[key] = dict(zip(SUMS + names, row[len(groupby) :], strict=True))
        return result

    def _assert_kpis(self, values, **expected):
        for name, value in expected.items():
            if value is False:
                self.assertIs(values[name], False, msg=f"{name} is undefined: empty, not 0")
            else:
                self.assertAlmostEqual(values[name], value, places=2, msg=name)

    def test_company_kpis_of_june_worked_example(self):
        june = self._groups(["month:month"])[self._date("2026-06-01")]
        self._assert_kpis(
            june,
            credit_sales=300.0,
            receivables=2600.0,
            current_receivables=500.0,
            overdue_receivables=2100.0,
            paid_amount=600.0,
            dso=260.0,
            countback_dso=165.5,
            bpdso=50.0,
            add=210.0,
            cei=22.22,
            percent_overdue=80.77,
            percent_over_90=76.92,
            days_to_pay=111.0,
            target_dso=45.0,
        )

    def test_months_without_sales_are_empty_not_zero(self):
        months = self._groups(["month:month"])
        self.assertEqual(sorted(months), [self._date(f"2026-0{month}-01") for month in range(1, 7)])
        self._assert_kpis(
            months[self._date("2026-05-01")],
            credit_sales=300.0,
            receivables=2900.0,
            dso=299.67,
            countback_dso=144.8,
            bpdso=31.0,
            add=268.67,
            cei=0.0,  # defined: 2,900 could be collected, nothing was
            percent_overdue=89.66,
            percent_over_90=68.97,
            days_to_pay=False,
        )
        self._assert_kpis(
            months[self._date("2026-04-01")], credit_sales=0.0, receivables=2600.0, dso=False, bpdso=False, add=False
        )
        self._assert_kpis(months[self._date("2026-04-01")], days_to_pay=45.0, paid_amount=400.0)
        # the web client's grouped read gives the same empty value
        [[(_month, dso, cei)]] = compat.pivot_read_group(
            self.Fact,
            [("company_id", "=", self.company.id), ("month", "=", "2026-04-01")],
            [("month:month",)],
            ["dso:max", "cei:max"],
        )
        self.assertIs(dso, False)
        # (3,000 on 31 March + 0 - 2,600) / (3,000 + 0 - nothing not due on 30 April)
        self.assertAlmostEqual(cei, 400.0 / 3000.0 * 100, places=2)

    def test_quarters_from_their_own_sums(self):
        quarters = self._groups(["month:quarter"])
        # Q2: receivables 2,600 on 30 June / credit sales 0 + 300 + 300 x 91 days; the monthly DSOs
        # (undefined, 299.67, 260.00) average 279.84, which is not the DSO of the quarter
        q2_start = self._date("2026-04-01")
        q2 = quarters[q2_start]
        self._assert_kpis(
            q2,
            credit_sales=600.0,
            dso=2600.0 / 600.0 * 91,
            bpdso=500.0 / 600.0 * 91,
            add=2100.0 / 600.0 * 91,
            # CEI, N = 3: (3,000 on 31 March + 600 / 3 - 2,600) / (3,000 + 200 - 500)
            cei=(3000.0 + 200.0 - 2600.0) / (3000.0 + 200.0 - 500.0) * 100,
            percent_overdue=2100.0 / 2600.0 * 100,
            days_to_pay=(400.0 * 45 + 600.0 * 111) / 1000.0,
            countback_dso=165.5,
        )
        # stocks at the quarter's ends, not sums of month ends
        self._assert_kpis(q2, receivables=2600.0, current_receivables=500.0, overdue_receivables=2100.0)
        self.assertAlmostEqual(
            self._groups(["month:quarter"], names=["beginning_receivables"])[q2_start]["beginning_receivables"], 3000.0
        )
        # Q1: 3,000 on 31 March of which 1,000 not due, credit sales 2,000 + 0 + 1,000 over 90 days;
        # nothing was open on 31 December and 1,000 not due is all that could be collected: no CEI
        self._assert_kpis(
            quarters[self._date("2026-01-01")],
            credit_sales=3000.0,
            dso=90.0,
            bpdso=30.0,
            cei=False,
            percent_over_90=0.0,
            days_to_pay=False,
        )

    def test_pivot_reads_the_ratios_of_each_level_from_its_sums(self):
        # the pivot reads every level at once (grouping sets on 19.0, one read_group per level on
        # 18.0): the quarter's DSO is the one of its sums, not the largest monthly DSO (299.67)
        domain = [("company_id", "=", self.company.id), ("month", ">=", "2026-01-01")]
        total, quarters = compat.pivot_read_group(self.Fact, domain, [(), ("month:quarter",)], ["dso:max", "cei:max"])
        by_quarter = {str(row[0])[:10]: row[1:] for row in quarters}
        self.assertAlmostEqual(by_quarter["2026-04-01"][0], 2600.0 / 600.0 * 91, places=2)
        self.assertAlmostEqual(
            by_quarter["2026-04-01"][1], (3000.0 + 200.0 - 2600.0) / (3000.0 + 200.0 - 500.0) * 100, places=2
        )
        self.assertEqual(by_quarter["2026-01-01"], (90.0, False))
        # the whole half-year, from its own sums, as _read_group gives it
        [(dso, cei)] = self.Fact._read_group(domain, [], ["dso:max", "cei:max"])
        self.assertEqual(total, [(dso, cei)])
        self.assertNotAlmostEqual(dso, max(row[1] or 0.0 for row in quarters), places=2)

    def test_rolling_twelve_months_and_year(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("account_receivable_optimizer.ar_kpi_fact_action")
        self.assertIn("search_default_last_12_months", action["context"])
        last_12 = [("month", ">=", "2025-07-01")]  # the "Last 12 Months" filter on 30 June 2026
        [company] = self._groups(["company_id"], last_12).values()
        # 2,600 on 30 June / 3,600 of credit sales over the 365 days from 1 July 2025
        self._assert_kpis(company, credit_sales=3600.0, dso=2600.0 / 3600.0 * 365, days_to_pay=84.6)
        # the other ratios of the 12 months from the same sums; the countback walks back from 30 June
        self._assert_kpis(
            company,
            bpdso=500.0 / 3600.0 * 365,
            add=2100.0 / 3600.0 * 365,
            percent_overdue=2100.0 / 2600.0 * 100,
            percent_over_90=2000.0 / 2600.0 * 100,
            countback_dso=165.5,
        )
        self._assert_kpis(company, cei=False)  # (0 + 300 - 2,600) / (0 + 300 - 500): nothing collectible
        last_3 = [("month", ">=", "2026-04-01")]
        [company] = self._groups(["company_id"], last_3).values()
        self._assert_kpis(company, dso=2600.0 / 600.0 * 91)
        # a year so far: January to June 2026, 181 days
        year = self._groups(["month:year"])[self._date("2026-01-01")]
        self._assert_kpis(year, credit_sales=3600.0, dso=2600.0 / 3600.0 * 181)

    def test_customers_from_their_sums(self):
        june = [("month", "=", "2026-06-01")]
        customers = self._groups(["partner_id"], june)
        self._assert_kpis(
            customers[self.customer],
            receivables=300.0,
            dso=30.0,
            countback_dso=30.0,
            bpdso=50.0,
            add=-20.0,
            cei=150.0,
            days_to_pay=111.0,
        )
        self._assert_kpis(customers[self.beta], receivables=2300.0, dso=False, countback_dso=181.0)
        # the two customers together: the company's ratio, not the mean of 30 and an empty DSO
        both = self._groups(["company_id"], june)[self.company]
        self._assert_kpis(both, dso=260.0)
        # sorted on the groups' own ratios, undefined last in both directions
        domain = [("company_id", "=", self.company.id), *june]
        for order in ("dso:max desc", "dso:max asc"):
            groups = self.Fact._read_group(domain, ["partner_id"], ["dso:max"], order=order)
            self.assertEqual([partner for partner, _dso in groups], [self.customer, self.beta], msg=order)
        [(first, dso)] = self.Fact._read_group(domain, ["partner_id"], ["dso:max"], order="dso:max desc", limit=1)
        self.assertEqual((first, dso), (self.customer, 30.0))
        grades = self._groups(["risk_grade"], june)
        self._assert_kpis(grades["D"], receivables=2300.0)
        sellers = self._groups(["user_id"], [("month", "=", "2026-01-01")])
        self._assert_kpis(sellers[self.seller], credit_sales=2000.0, receivables=2000.0, dso=31.0)

    def test_backfill_equals_the_aging_on_past_month_ends(self):
        months = self._groups(["month:month"])
        for month_end in ("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"):
            aging = self.env["ar.aging.report"].with_context(allowed_company_ids=[self.company.id])
            aging = aging.create({"as_of_date": month_end})
            aging._compute_lines()
            month = self._date(month_end).replace(day=1)
            self.assertAlmostEqual(months[month]["receivables"], aging.total, places=2, msg=month_end)
            overdue = sum(aging.line_ids.filtered(lambda line: line.bucket != "b0").mapped("amount_residual"))
            self.assertAlmostEqual(months[month]["overdue_receivables"], overdue, places=2, msg=month_end)

    def test_refresh_is_idempotent_and_reload_shows_the_same_figures(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("account_receivable_optimizer.ar_kpi_fact_action")
        domain = safe_eval(action.get("domain") or "[]")

        def opened():
            records = self.Fact.search(domain)
            return records, compat.pivot_read_group(
                self.Fact, domain, [("month:month",)], ["receivables:sum", "dso:max"]
            )

        records, groups = opened()
        self.assertEqual(opened(), (records, groups))  # F5: same records, same totals
        count = len(records)
        self.Fact._ar_refresh(self.company, self._date("2026-01-01"), self._date("2026-06-30"))
        self.Fact.env["ar.kpi.fact"]._cron_refresh_facts()
        records, again = opened()
        self.assertEqual(len(records), count)  # refreshed, not added
        self.assertEqual(again, groups)
        self.assertEqual(records[:1].display_name.split(", ")[-1], "2026-06")

    def test_cron_backfills_a_new_company_and_rule(self):
        other = self.setup_other_company()["company"]
        invoice = (
            self.env["account.move"]
            .with_company(other)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_a.id,
                    "invoice_date": "2025-03-01",
                    "invoice_line_ids": [(0, 0, {"name": "x", "quantity": 1, "price_unit": 777.0, "tax_ids": []})],
                }
            )
        )
        invoice.action_post()
        self.env["ar.kpi.fact"]._cron_refresh_facts()
        facts = self.env["ar.kpi.fact"].sudo().search([("company_id", "=", other.id)])
        self.assertEqual(facts[-1:].month, self._date("2025-03-01"))  # 24 months back from June 2026
        self.assertEqual(len(facts), 16)  # March 2025 to June 2026, the invoice open every month
        controller = self._user("ar_kpi_controller", CONTROLLER, company=other)
        self.assertEqual(self.env["ar.kpi.fact"].with_user(controller).search([]), facts)
        biller = self._user("ar_kpi_biller", "account.group_account_invoice")
        with self.assertRaises(AccessError):
            self.env["ar.kpi.fact"].with_user(biller).search([])
        with self.assertRaises(AccessError):
            self.env["ar.kpi.fact"].with_user(biller).action_ar_refresh()
        # the list's Refresh button, as the web client calls it (with the selected ids, none)
        action = compat.call_kw(self.env["ar.kpi.fact"].with_user(controller), "action_ar_refresh", [[]], {})
        self.assertEqual(action["tag"], "soft_reload")
