"""Receivables of the KPI facts at month ends from the segments of the open amounts, and the
nightly job split in ranges of customers (docs/performance.md, "KPI facts (B3)")."""

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .analytics_common import ArAnalyticsCommon

MONTH_ENDS = ("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30")
#: Gamma's (receivables, current, over 90 days) at each month end, worked by hand:
#: every reconciliation below is dated after some month end, credits included.
GAMMA = {
    # G1 1,000.00 (current) - unapplied payment 80.00
    "2026-01-31": (920.00, 1000.00, 0.00),
    # G1 1,000.00 - credit note 120.40 - payment 80.00 + G3 300.00 and G4 200.00 (due 2 and 1 March: current)
    "2026-02-28": (1299.60, 500.00, 0.00),
    # G1 749.75 (250.25 paid 10 March) - 120.40 - 80.00 + 300.00 + 200.00, all overdue
    "2026-03-31": (1049.35, 0.00, 0.00),
    # G1 749.75 + G2 499.60 (700.00 - 120.40 - 80.00, matched 10 April, current) + 300.00 + 200.00
    # + G5 50.00 (due 30 April, the cut itself: current)
    "2026-04-30": (1799.35, 549.60, 0.00),
    # G1 449.25 (300.50 paid 20 May; 106 days) + 499.60 + G3 300.00 (90 days: not over 90)
    # + G4 200.00 (91 days) + 50.00
    "2026-05-31": (1498.85, 0.00, 649.25),
    "2026-06-30": (1498.85, 0.00, 949.25),
}
FACT_FIELDS = [
    "month",
    "partner_id",
    "user_id",
    "risk_grade",
    "has_sales",
    "credit_sales",
    "beginning_receivables",
    "receivables",
    "current_receivables",
    "overdue_receivables",
    "over_90_receivables",
    "paid_amount",
    "paid_days",
    "dso",
    "countback_dso",
    "bpdso",
    "add",
    "cei",
    "percent_overdue",
    "percent_over_90",
    "days_to_pay",
    "target_dso",
]


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestKpiFactSegments(ArAnalyticsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gamma = cls.env["res.partner"].create({"name": "Gamma Ltd", "is_company": True})
        cls.gamma_contact = cls.env["res.partner"].create({"name": "Gina", "parent_id": cls.gamma.id})
        cls.g1 = cls._invoice(1000.0, partner=cls.gamma, invoice_date="2026-01-15", due_date="2026-02-14")
        cls._pay(cls.g1, 250.25, "2026-03-10")
        cls._pay(cls.g1, 300.50, "2026-05-20")
        refund = cls._invoice(120.40, partner=cls.gamma, move_type="out_refund", invoice_date="2026-02-05")
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": cls.gamma_contact.id,
                "amount": 80.0,
                "date": "2026-01-25",
            }
        )
        payment.action_post()
        cls._invoice(300.0, partner=cls.gamma, invoice_date="2026-02-01", due_date="2026-03-02")
        cls._invoice(200.0, partner=cls.gamma, invoice_date="2026-02-01", due_date="2026-03-01")
        g2 = cls._invoice(700.0, partner=cls.gamma, invoice_date="2026-04-10", due_date="2026-05-10")
        cls._invoice(50.0, partner=cls.gamma, invoice_date="2026-04-01", due_date="2026-04-30")
        receivable = cls.company_data["default_account_receivable"]
        lines = (g2 | refund).line_ids | payment.move_id.line_ids
        # the credit note and the payment, both open before G2 existed, matched with it on 10 April
        lines.filtered(lambda line: line.account_id == receivable).reconcile()
        cls.env.flush_all()
        cls.Fact = cls.env["ar.kpi.fact"].with_context(allowed_company_ids=[cls.company.id])

    def _gamma_facts(self):
        """``{month end: (receivables, current, over 90 days)}`` of Gamma, all salespersons together."""
        facts = self.Fact.search([("company_id", "=", self.company.id), ("partner_id", "=", self.gamma.id)])
        result = {}
        for month_end in MONTH_ENDS:
            month = facts.filtered(lambda fact, m=month_end: fact.month == self._date(m).replace(day=1))
            result[month_end] = tuple(
                round(sum(month.mapped(name)), 2)
                for name in ("receivables", "current_receivables", "over_90_receivables")
            )
        return result

    def test_month_ends_to_the_cent_with_reconciliations_after_the_cuts(self):
        self.Fact._ar_refresh(self.company, self._date("2024-07-01"), self._date("2026-06-30"))
        self.assertEqual(self._gamma_facts(), GAMMA)
        facts = self.Fact.search([("company_id", "=", self.company.id), ("partner_id", "=", self.gamma.id)])
        self.assertEqual(
            {fact.month.isoformat() for fact in facts}, {m[:8] + "01" for m in MONTH_ENDS}
        )  # nothing before January, the contact's payment under Gamma
        april = facts.filtered(lambda fact: fact.month == self._date("2026-04-01"))
        self.assertAlmostEqual(sum(april.mapped("beginning_receivables")), 1049.35, places=2)
        # the same as the aging as of each month end, customer by customer
        for month_end in MONTH_ENDS:
            aging = self.env["ar.aging.report"].with_context(allowed_company_ids=[self.company.id])
            aging = aging.create({"as_of_date": month_end})
            aging._compute_lines()
            month = self._date(month_end).replace(day=1)
            for partner in (self.customer, self.beta, self.gamma):
                lines = aging.line_ids.filtered(lambda line, p=partner: line.partner_id == p)
                facts = self.Fact.search(
                    [("company_id", "=", self.company.id), ("partner_id", "=", partner.id), ("month", "=", month)]
                )
                self.assertAlmostEqual(sum(facts.mapped("receivables")), sum(lines.mapped("amount_residual")), places=2)
                current = lines.filtered(lambda line: line.bucket == "b0")
                self.assertAlmostEqual(
                    sum(facts.mapped("current_receivables")), sum(current.mapped("amount_residual")), places=2
                )
                over = lines.filtered(lambda line: line.days_overdue > 90)
                self.assertAlmostEqual(
                    sum(facts.mapped("over_90_receivables")), sum(over.mapped("amount_residual")), places=2
                )

    def test_snapshot_of_the_month_ends_from_the_same_source(self):
        self.env["ar.receivable.snapshot"]._ar_snapshot(self.company, [self._date(m) for m in MONTH_ENDS])
        snapshots = self.env["ar.receivable.snapshot"].search(
            [("company_id", "=", self.company.id), ("partner_id", "=", self.gamma.id)]
        )
        found = {
            snapshot.date.isoformat(): (
                snapshot.receivables,
                snapshot.current_receivables,
                snapshot.over_90_receivables,
            )
            for snapshot in snapshots
        }
        self.assertEqual(found, GAMMA)
        may = snapshots.filtered(lambda snapshot: snapshot.date == self._date("2026-05-31"))
        self.assertEqual(may.max_days_overdue, 106)  # G1, open; the credits are left out

    def test_forecast_past_week_cuts_from_the_same_source(self):
        report = self.env["ar.forecast.report"].with_context(allowed_company_ids=[self.company.id])
        report = report.create({"date_from": "2026-06-30"})
        items = report._fetch_open_items([self._date("2026-03-31"), self._date("2026-05-31")])
        gamma = {
            (cut.isoformat(), amount) for cut, _line, partner, _move, _due, amount in items if partner == self.gamma.id
        }
        # debit items only, with the amounts open on each day (credits are not forecast)
        self.assertEqual(
            gamma,
            {
                ("2026-03-31", 749.75),
                ("2026-03-31", 300.0),
                ("2026-03-31", 200.0),
                ("2026-05-31", 449.25),
                ("2026-05-31", 499.6),
                ("2026-05-31", 300.0),
                ("2026-05-31", 200.0),
                ("2026-05-31", 50.0),
            },
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestKpiFactRanges(ArAnalyticsCommon):
    """The nightly job split in ranges of customers, one cron worker each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Fact = cls.env["ar.kpi.fact"].with_context(allowed_company_ids=[cls.company.id])
        # customers on both sides of id modulo 2, some with a credit note and a partial payment
        cls.others = cls.env["res.partner"].create(
            [{"name": f"Range customer {index}", "is_company": True} for index in range(6)]
        )
        for index, partner in enumerate(cls.others):
            invoice = cls._invoice(100.0 * (index + 1), partner=partner, invoice_date="2026-02-10")
            cls._pay(invoice, 10.0 * (index + 1), "2026-05-05")
        cls.first, cls.last = cls._date("2024-07-01"), cls._date("2026-06-30")

    def _facts(self):
        facts = self.Fact.search([("company_id", "=", self.company.id)])
        return sorted(
            tuple(fact[name].id if name in ("partner_id", "user_id") else fact[name] for name in FACT_FIELDS)
            for fact in facts
        )

    def _in_range(self, index, count):
        facts = self.Fact.search([("company_id", "=", self.company.id)])
        return facts.filtered(lambda fact: (fact.partner_id.id or 0) % count == index)

    def test_two_ranges_give_the_facts_of_one_run(self):
        self.assertEqual({partner.id % 2 for partner in self.others}, {0, 1})
        self.assertTrue(self.Fact._ar_refresh(self.company, self.first, self.last))
        whole = self._facts()
        self.assertGreater(len(whole), 20)
        self.env.cr.execute("DELETE FROM ar_kpi_fact")
        self.Fact.invalidate_model()
        self.assertTrue(self.Fact._ar_refresh(self.company, self.first, self.last, part=(1, 2)))
        self.assertFalse(self._in_range(0, 2))  # only range 1 written
        self.assertTrue(self._in_range(1, 2))
        self.assertTrue(self.Fact._ar_refresh(self.company, self.first, self.last, part=(0, 2)))
        self.assertEqual(self._facts(), whole)
        # a range refreshed again touches its rows only: range 0's rows are kept as they are
        kept = self._in_range(0, 2)
        self.assertTrue(self.Fact._ar_refresh(self.company, self.first, self.last, part=(1, 2)))
        self.assertEqual(self._in_range(0, 2), kept)
        self.assertEqual(self._facts(), whole)

    def test_range_held_by_another_worker_is_skipped(self):
        self.env["ir.config_parameter"].sudo().set_param("account_receivable_optimizer.kpi_fact_ranges", "2")
        with self.registry.cursor() as other:
            # another worker fills range 1 of the company (its transaction holds the locks)
            worker = api.Environment(other, SUPERUSER_ID, {})["ar.kpi.fact"]
            self.assertTrue(worker._ar_lock(worker.env["res.company"].browse(self.company.id), (1, 2)))
            self.assertFalse(self.Fact._ar_refresh(self.company, self.first, self.last, part=(1, 2)))
            # a whole refresh neither runs while a range is being filled
            self.assertFalse(self.Fact._ar_refresh(self.company, self.first, self.last))
            self.assertFalse(self._in_range(0, 2) | self._in_range(1, 2))
            self.env["ar.kpi.fact"]._cron_refresh_facts()
            self.assertFalse(self._in_range(1, 2))  # skipped
            range_0 = self._facts()
            self.assertTrue(range_0)
            other.rollback()
        self.assertTrue(all((partner_id or 0) % 2 == 0 for _month, partner_id, *_rest in range_0))
        # the next run back-fills range 1 (it has no facts yet) and leaves range 0 as it was
        self.env["ar.kpi.fact"]._cron_refresh_facts()
        self.assertEqual(sorted(fact for fact in self._facts() if (fact[1] or 0) % 2 == 0), range_0)
        self.assertTrue(self._in_range(1, 2))
        both = self._facts()
        self.Fact._ar_refresh(self.company, self.first, self.last)
        self.assertEqual(self._facts(), both)

    def test_range_queries_constant_for_10_and_100_customers(self):
        def count():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Fact._ar_refresh(self.company, self.first, self.last, part=(1, 2))
            return self.env.cr.sql_log_count - before

        def customers(number):
            self._new_invoiced_customers(number, "Guard")

        count()  # warm the caches
        customers(10)
        ten = count()
        customers(100)
        self.assertEqual(count(), ten)
        self.assertLessEqual(ten, 13)


@tagged("post_install", "-at_install")
class TestInsertLines(ArAnalyticsCommon):
    def test_copy_writes_every_value_as_given(self):
        """NULL, False, booleans, dates, decimals and text with separators and backslashes, by COPY."""
        report = self.env["ar.forecast.report"].create({"date_from": "2026-06-29"})
        columns = [
            ("report_id", "int4"),
            ("company_id", "int4"),
            ("kind", "varchar"),
            ("week", "varchar"),
            ("week_start", "date"),
            ("partner_id", "int4"),
            ("disputed", "bool"),
            ("doubtful", "bool"),
            ("amount", "numeric"),
        ]
        tricky = "a\tb\\c\nd\re \\N"
        report._ar_insert_lines(
            "ar.forecast.report.line",
            columns,
            [
                {
                    "report_id": report.id,
                    "company_id": self.company.id,
                    "kind": "open",
                    "week": tricky,
                    "week_start": self._date("2026-07-06"),
                    "partner_id": False,
                    "disputed": True,
                    "doubtful": False,
                    "amount": 1234.56,
                },
                {"report_id": report.id, "company_id": self.company.id, "kind": "past", "amount": 0.1},
            ],
        )
        self.env.cr.execute(
            """SELECT kind, week, week_start, partner_id, disputed, doubtful, amount, create_uid
                 FROM ar_forecast_report_line WHERE report_id = %s ORDER BY kind""",
            [report.id],
        )
        rows = self.env.cr.fetchall()
        self.assertEqual(
            [(*row[:6], float(row[6]), row[7]) for row in rows],
            [
                ("open", tricky, self._date("2026-07-06"), None, True, False, 1234.56, self.env.uid),
                ("past", None, None, None, None, None, 0.1, self.env.uid),
            ],
        )
