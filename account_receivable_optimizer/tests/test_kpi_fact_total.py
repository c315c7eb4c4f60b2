"""The roll-up of the KPI facts per company and month (``ar.kpi.fact.total``): its sums are those of the
facts, whatever wrote them, and the grouped reads it answers give exactly the figures of the facts
(docs/performance.md, "KPI roll-up (B3b, B9)")."""

from freezegun import freeze_time

from odoo.addons.account_receivable_optimizer import compat
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL

from .analytics_common import ArAnalyticsCommon
from .common import CONTROLLER

RATIOS = ["dso", "countback_dso", "bpdso", "add", "cei", "percent_overdue", "percent_over_90", "days_to_pay"]
AGGREGATES = [
    "__count",
    "credit_sales:sum",
    "beginning_receivables:sum",
    "receivables:sum",
    "paid_amount:sum",
    "paid_days:sum",
    *(f"{name}:max" for name in RATIOS),
    "target_dso:max",
    "beginning_receivables:max",
]
#: Always true on the facts, and a condition on a field the roll-up does not have: the read goes to the facts.
ON_FACTS = ["|", ("partner_id", "=", False), ("partner_id", "!=", False)]
SUMMED = (
    "COUNT(*), SUM(credit_sales), SUM(beginning_receivables), SUM(receivables), SUM(current_receivables), "
    "SUM(overdue_receivables), SUM(over_90_receivables), SUM(paid_amount), SUM(paid_days), "
    "MIN(target_dso), MAX(target_dso)"
)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestKpiFactTotal(ArAnalyticsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.target_dso = 45.0
        cls.Fact = cls.env["ar.kpi.fact"].with_context(allowed_company_ids=[cls.company.id])
        cls.first, cls.last = cls._date("2024-07-01"), cls._date("2026-06-30")
        cls.Fact._ar_refresh(cls.company, cls.first, cls.last)  # the back-fill: 24 months

    def _fact_sums(self):
        """``{(company id, month): (count, sums..., lowest and highest target)}`` summed from the facts."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL("SELECT company_id, month, %s FROM ar_kpi_fact GROUP BY company_id, month", SQL(SUMMED))
        )
        return {(row[0], row[1]): tuple(row[2:]) for row in rows}

    def _total_sums(self):
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """SELECT company_id, month, fact_count, credit_sales, beginning_receivables, receivables,
                          current_receivables, overdue_receivables, over_90_receivables, paid_amount, paid_days,
                          target_min, target_max
                     FROM ar_kpi_fact_total"""
            )
        )
        return {(row[0], row[1]): tuple(row[2:]) for row in rows}

    def _assert_total_is_facts(self):
        facts = self._fact_sums()
        self.assertTrue(facts)
        self.assertEqual(self._total_sums(), facts)
        return facts

    def _both(self, domain, groupby, aggregates=AGGREGATES):
        """The groups read through the roll-up, and the same read on the facts."""
        total = self.Fact._read_group(domain, groupby, aggregates)
        facts = self.Fact._read_group([*domain, *ON_FACTS], groupby, aggregates)
        return total, facts

    def _delete_facts(self):
        """Delete the facts behind the ORM's back: what is still read then comes from the roll-up."""
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM ar_kpi_fact")
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    # Written with the facts
    # ------------------------------------------------------------------

    def test_backfill_sums_the_facts_of_each_month(self):
        facts = self._assert_total_is_facts()
        months = sorted(month for company_id, month in facts if company_id == self.company.id)
        self.assertEqual(months, [self._date(f"2026-0{month}-01") for month in range(1, 7)])
        june = self.env["ar.kpi.fact.total"].search(
            [("company_id", "=", self.company.id), ("month", "=", self._date("2026-06-01"))]
        )
        self.assertEqual(june.fact_count, self.Fact.search_count([("month", "=", self._date("2026-06-01"))]))
        self.assertAlmostEqual(june.receivables, 2600.0, places=2)
        self.assertAlmostEqual(june.credit_sales, 300.0, places=2)
        self.assertEqual((june.target_min, june.target_max), (45.0, 45.0))

    def test_nightly_refresh_changes_a_month_and_drops_the_empty_ones(self):
        before = self._total_sums()[self.company.id, self._date("2026-06-01")]
        self._invoice(123.45, invoice_date="2026-06-10", due_date="2026-07-10")
        self.env["ar.kpi.fact"]._cron_refresh_facts()  # facts there: the last 3 months
        after = self._assert_total_is_facts()[self.company.id, self._date("2026-06-01")]
        self.assertAlmostEqual(after[1] - before[1], 123.45, places=2)  # credit sales
        # Beta's January invoice, the only item of January and February, set back to draft
        self.inv_beta_january.button_draft()
        self.Fact._ar_refresh(self.company, self.first, self.last)
        facts = self._assert_total_is_facts()
        self.assertNotIn((self.company.id, self._date("2026-01-01")), facts)
        self.assertNotIn((self.company.id, self._date("2026-02-01")), facts)
        self.assertIn((self.company.id, self._date("2026-03-01")), facts)

    def test_two_ranges_sum_the_facts_of_both(self):
        # customers on both sides of id modulo 2 (two ranges)
        partners = self.env["res.partner"].create([{"name": f"Range {index}", "is_company": True} for index in (0, 1)])
        self.assertEqual({partner.id % 2 for partner in partners}, {0, 1})
        for index, partner in enumerate(partners):
            self._invoice(100.0 * (index + 1), partner=partner, invoice_date="2026-04-10", due_date="2026-05-10")
        self.Fact._ar_refresh(self.company, self.first, self.last)
        whole = self._assert_total_is_facts()
        self.env.cr.execute("DELETE FROM ar_kpi_fact; DELETE FROM ar_kpi_fact_total")
        self.env.invalidate_all()
        self.assertTrue(self.Fact._ar_refresh(self.company, self.first, self.last, part=(1, 2)))
        self.assertNotEqual(self._assert_total_is_facts(), whole)  # range 1 only
        self.assertTrue(self.Fact._ar_refresh(self.company, self.first, self.last, part=(0, 2)))
        self.assertEqual(self._assert_total_is_facts(), whole)
        # one range refreshed again: the sums still hold the other's facts
        self.assertTrue(self.Fact._ar_refresh(self.company, self.first, self.last, part=(1, 2)))
        self.assertEqual(self._assert_total_is_facts(), whole)

    def test_module_update_fills_the_roll_up_of_existing_facts(self):
        whole = self._assert_total_is_facts()
        self.env.cr.execute("DELETE FROM ar_kpi_fact_total")
        self.env["ar.kpi.fact.total"].init()  # run on the module's update
        self.assertEqual(self._assert_total_is_facts(), whole)

    def test_facts_written_through_the_orm_keep_the_roll_up(self):
        june = self._date("2026-06-01")
        beta = self.Fact.search([("partner_id", "=", self.beta.id), ("month", "=", june)])
        self.assertTrue(beta)
        beta.sudo().unlink()
        self.assertNotIn(self.beta.id, self.Fact.search([("month", "=", june)]).partner_id.ids)
        self._assert_total_is_facts()
        fact = self.Fact.sudo().create(
            {"company_id": self.company.id, "month": "2025-12-01", "credit_sales": 10.0, "target_dso": 30.0}
        )
        facts = self._assert_total_is_facts()
        self.assertEqual(facts[self.company.id, self._date("2025-12-01")][:2], (1, 10.0))
        fact.write({"month": "2025-11-01"})
        facts = self._assert_total_is_facts()
        self.assertNotIn((self.company.id, self._date("2025-12-01")), facts)

    # ------------------------------------------------------------------
    # Read instead of the facts
    # ------------------------------------------------------------------

    def test_reads_through_the_roll_up_equal_the_reads_of_the_facts(self):
        company = [("company_id", "=", self.company.id)]
        cases = [
            ([], ["month:month"]),
            (company, ["month:quarter"]),
            (company, ["month:year"]),
            ([("month", ">=", "2026-02-01"), ("month", "<=", "2026-05-01")], ["month:month"]),
            ([*company, ("month", ">=", "2026-03-01")], ["company_id", "month:quarter"]),
            ([("company_id", "in", self.company.ids)], ["company_id"]),
            (company, []),
            ([("month", "=", "2026-06-01")], ["month:month"]),
        ]
        for domain, groupby in cases:
            with self.subTest(domain=domain, groupby=groupby):
                total, facts = self._both(domain, groupby)
                self.assertTrue(facts)
                self.assertEqual(total, facts)
        # sorted on a ratio, on a sum and on the count, and paged
        for order in ("dso:max desc", "credit_sales:sum desc, month:month", "__count, month:month desc"):
            with self.subTest(order=order):
                total = self.Fact._read_group(company, ["month:month"], AGGREGATES, order=order, limit=4, offset=1)
                facts = self.Fact._read_group(
                    [*company, *ON_FACTS], ["month:month"], AGGREGATES, order=order, limit=4, offset=1
                )
                self.assertEqual(len(total), 4)
                self.assertEqual(total, facts)
        # the pivot's levels (grouping sets on 19.0)
        levels = [(), ("month:quarter",), ("month:quarter", "company_id")]
        total = compat.pivot_read_group(self.Fact, company, levels, ["dso:max", "credit_sales:sum", "__count"])
        facts = compat.pivot_read_group(
            self.Fact, [*company, *ON_FACTS], levels, ["dso:max", "credit_sales:sum", "__count"]
        )
        self.assertEqual(total, facts)
        # the worked example of June (docs/analytics.md), from the roll-up
        [june] = self.Fact._read_group([("month", "=", "2026-06-01")], ["month:month"], ["dso:max", "cei:max"])
        self.assertAlmostEqual(june[1], 260.0, places=2)
        self.assertAlmostEqual(june[2], 22.22, places=2)

    def test_reads_of_months_and_companies_come_from_the_roll_up(self):
        company = [("company_id", "=", self.company.id)]
        quarters = self.Fact._read_group(company, ["month:quarter"], AGGREGATES)
        kpis = self.env["ar.receivables.dashboard"]._ar_dashboard_kpis(
            {"today": self._date("2026-06-30"), "companies": self.company}
        )
        chart = self.env["ar.receivables.dashboard"]._ar_dashboard_dso_chart(
            {"today": self._date("2026-06-30"), "companies": self.company}
        )
        self._delete_facts()
        # the same figures without a fact left: read from the roll-up
        self.assertEqual(self.Fact._read_group(company, ["month:quarter"], AGGREGATES), quarters)
        dashboard = self.env["ar.receivables.dashboard"]
        context = {"today": self._date("2026-06-30"), "companies": self.company}
        self.assertEqual(dashboard._ar_dashboard_kpis(context), kpis)
        self.assertEqual(dashboard._ar_dashboard_dso_chart(context), chart)
        dso = {point["month"]: point["dso"] for point in chart["points"]}
        self.assertAlmostEqual(dso["2026-06-01"], 260.0, places=2)
        # a condition on another field, or an aggregate the roll-up does not have: the facts (none left)
        self.assertEqual(self.Fact._read_group([*company, *ON_FACTS], ["month:quarter"], ["__count"]), [])
        self.assertEqual(self.Fact._read_group(company, ["month:quarter"], ["credit_sales:avg"]), [])
        self.assertEqual(self.Fact._read_group(company, ["partner_id"], ["credit_sales:sum"]), [])

    def test_roll_up_read_queries_constant(self):
        """A quarter's KPIs read from the roll-up: the same queries for 10 or 100 more customers."""

        def count():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Fact._read_group([("company_id", "=", self.company.id)], ["month:quarter"], AGGREGATES)
            return self.env.cr.sql_log_count - before

        def customers(number):
            self._new_invoiced_customers(number, "Roll-up")
            self.Fact._ar_refresh(self.company, self.first, self.last)

        count()  # warm the caches
        customers(10)
        ten = count()
        customers(100)
        self.assertEqual(count(), ten)
        self.assertLessEqual(ten, 6)
        self._assert_total_is_facts()

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_other_company_sees_no_roll_up_row_and_nobody_writes(self):
        other = self.setup_other_company()["company"]
        stranger = self._user("ar_total_stranger", CONTROLLER, company=other)
        Total = self.env["ar.kpi.fact.total"]
        self.assertTrue(Total.search([("company_id", "=", self.company.id)]))
        self.assertFalse(Total.with_user(stranger).search([]))
        self.assertFalse(Total.with_user(stranger).search_count([("company_id", "=", self.company.id)]))
        self.assertEqual(self.env["ar.kpi.fact"].with_user(stranger)._read_group([], ["month:month"], AGGREGATES), [])
        controller = self._user("ar_total_controller", CONTROLLER)
        rows = Total.with_user(controller).search([])
        self.assertEqual(rows.company_id, self.company)
        self.assertEqual(
            self.env["ar.kpi.fact"].with_user(controller)._read_group([], ["month:month"], AGGREGATES),
            self.Fact._read_group([*ON_FACTS], ["month:month"], AGGREGATES),
        )
        with self.assertRaises(AccessError):
            rows[:1].with_user(controller).write({"credit_sales": 1.0})
        with self.assertRaises(AccessError):
            Total.with_user(controller).create({"company_id": self.company.id, "month": "2020-01-01"})
        biller = self._user("ar_total_biller", "account.group_account_invoice")
        with self.assertRaises(AccessError):
            Total.with_user(biller).search([])
