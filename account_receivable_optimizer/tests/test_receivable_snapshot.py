from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .analytics_common import ArAnalyticsCommon
from .common import CONTROLLER

BUCKETS = ["amount_b0", "amount_b1", "amount_b2", "amount_b3", "amount_b4", "amount_b5"]
AMOUNTS = ["receivables", "current_receivables", "overdue_receivables", "over_90_receivables", *BUCKETS]


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestReceivableSnapshot(ArAnalyticsCommon):
    """Dated snapshots of each customer's receivables, history kept (docs/analytics.md)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls._user("ar_snap_collector", CONTROLLER)
        cls.customer.user_id = cls.seller
        cls.beta.with_company(cls.company).sudo().ar_collector_id = cls.collector
        cls.Snapshot = cls.env["ar.receivable.snapshot"].with_context(allowed_company_ids=[cls.company.id])

    def _snapshots(self, date):
        """``{customer: snapshot}`` of the test company on ``date``."""
        records = self.Snapshot.search([("company_id", "=", self.company.id), ("date", "=", date)])
        self.assertEqual(len(records), len(records.partner_id))
        return {record.partner_id: record for record in records}

    def test_backfill_of_24_month_ends_equals_the_aging(self):
        self.Snapshot._ar_snapshot_recent(self.company)
        dates = self.Snapshot.search([("company_id", "=", self.company.id)]).mapped("date")
        backfill = self.Snapshot._ar_backfill_dates(self._date("2026-06-30"))
        self.assertEqual(
            (len(backfill), backfill[0], backfill[-1]), (24, self._date("2024-06-30"), self._date("2026-05-31"))
        )
        # nothing was open before 2026: no rows on the month ends before
        self.assertEqual(min(dates), self._date("2026-01-31"))
        self.assertEqual(len(set(dates)), 6)
        for month_end in ("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"):
            aging = self.env["ar.aging.report"].with_context(allowed_company_ids=[self.company.id])
            aging = aging.create({"as_of_date": month_end})
            aging._compute_lines()
            expected = {}
            for line in aging.line_ids:
                amounts = expected.setdefault(line.partner_id, dict.fromkeys([*BUCKETS, "receivables"], 0.0))
                amounts[f"amount_{line.bucket}"] += line.amount_residual
                amounts["receivables"] += line.amount_residual
            snapshots = self._snapshots(month_end)
            self.assertEqual(set(snapshots), set(expected), month_end)
            for partner, amounts in expected.items():
                for name, amount in amounts.items():
                    self.assertAlmostEqual(snapshots[partner][name], amount, places=2, msg=f"{month_end} {name}")
        # 31 March: Alpha's 1,000 not due yet; Beta's 2,000 due 9 February, 50 days late
        march = self._snapshots("2026-03-31")
        self.assertEqual(march[self.customer].amount_b0, 1000.0)
        self.assertEqual(march[self.beta].amount_b2, 2000.0)
        # 30 April: 400 paid on 15 April; the 600 paid on 20 June was still open
        self.assertEqual(self._snapshots("2026-04-30")[self.customer].amount_b1, 600.0)
        self.assertTrue(self._snapshots("2026-04-30")[self.customer].is_month_end)

    def test_today_worked_example(self):
        draft = self._invoice(150.0, partner=self.beta, post=False)
        self.Snapshot._ar_snapshot(self.company, [self._date("2026-06-30")])
        today = self._snapshots("2026-06-30")
        alpha, beta = today[self.customer], today[self.beta]
        # Alpha: 500 not due, a 200 credit note 10 days old
        self.assertEqual(
            [alpha[name] for name in AMOUNTS], [300.0, 500.0, -200.0, 0.0, 500.0, -200.0, 0.0, 0.0, 0.0, 0.0]
        )
        # Beta: 300 (600 EUR) 30 days late, 2,000 141 days late
        self.assertEqual(
            [beta[name] for name in AMOUNTS], [2300.0, 0.0, 2300.0, 2000.0, 0.0, 300.0, 0.0, 0.0, 0.0, 2000.0]
        )
        self.assertEqual((alpha.exposure, beta.exposure), (300.0, 2450.0))  # the draft counts today
        self.assertEqual((beta.max_days_overdue, alpha.max_days_overdue), (141, 0))
        empty = self.env["res.users"]
        self.assertEqual((beta.risk_grade, beta.collector_id, beta.user_id), ("D", self.collector, empty))
        self.assertEqual((alpha.risk_grade, alpha.collector_id, alpha.user_id), ("ungraded", empty, self.seller))
        self.assertTrue(alpha.is_latest and beta.is_latest)
        draft.unlink()

    def test_rerun_replaces_a_date_and_keeps_past_grades(self):
        dates = [self._date("2026-05-31"), self._date("2026-06-30")]
        self.Snapshot._ar_snapshot(self.company, dates)
        before = self.Snapshot.search([("company_id", "=", self.company.id)])
        figures = before.read(["date", "partner_id", *AMOUNTS, "risk_grade"])
        self.beta.with_company(self.company).sudo().ar_risk_grade = "A"
        self.Snapshot._ar_snapshot(self.company, dates)
        after = self.Snapshot.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(after), len(before))  # replaced, not added
        self.assertFalse(after & before)
        by_date = {(snap.date, snap.partner_id): snap.risk_grade for snap in after}
        self.assertEqual(by_date[self._date("2026-05-31"), self.beta], "D")  # history kept
        self.assertEqual(by_date[self._date("2026-06-30"), self.beta], "A")  # today: the grade of now
        again = after.read(["date", "partner_id", *AMOUNTS, "risk_grade"])
        for old, new in zip(figures, again, strict=True):
            del old["id"], new["id"]
            if new["date"] == self._date("2026-06-30") and new["partner_id"][0] == self.beta.id:
                new["risk_grade"] = "D"
            self.assertEqual(old, new)
        # the latest flag moves with the snapshots
        self.assertEqual(after.filtered("is_latest").mapped("date"), [self._date("2026-06-30")] * 2)

    def test_multi_company_and_access(self):
        other = self.setup_other_company()["company"]
        invoice = (
            self.env["account.move"]
            .with_company(other)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.beta.id,
                    "invoice_date": "2026-06-01",
                    "invoice_line_ids": [(0, 0, {"name": "x", "quantity": 1, "price_unit": 777.0, "tax_ids": []})],
                }
            )
        )
        invoice.action_post()
        self.env["ar.kpi.fact"]._cron_refresh_facts()
        mine = self.env["ar.receivable.snapshot"].sudo().search([("company_id", "=", self.company.id)])
        theirs = self.env["ar.receivable.snapshot"].sudo().search([("company_id", "=", other.id)])
        self.assertEqual(theirs.filtered("is_latest").mapped("receivables"), [777.0])
        self.assertEqual(
            mine.filtered(lambda snap: snap.date == self._date("2026-06-30")).partner_id.ids,
            (self.customer | self.beta).ids,
        )
        controller = self._user("ar_snap_other", CONTROLLER, company=other)
        self.assertEqual(self.env["ar.receivable.snapshot"].with_user(controller).search([]), theirs)
        biller = self._user("ar_snap_biller", "account.group_account_invoice")
        with self.assertRaises(AccessError):
            self.env["ar.receivable.snapshot"].with_user(biller).search([])
        with self.assertRaises(AccessError):
            self.env["ar.receivable.snapshot"].with_user(biller).action_ar_refresh()
        # the Refresh button takes today's snapshot of the user's companies only
        action = self.env["ar.receivable.snapshot"].with_user(controller).action_ar_refresh()
        self.assertEqual(action["tag"], "soft_reload")
        self.assertEqual(
            len(self.env["ar.receivable.snapshot"].sudo().search([("company_id", "=", other.id)])), len(theirs)
        )

    def test_period_columns_named_after_the_company_limits(self):
        self.company.write({"ar_aging_limit_1": 15})
        labels = self.Snapshot.with_company(self.company).fields_get(["amount_b1", "amount_b2"])
        self.assertEqual((labels["amount_b1"]["string"], labels["amount_b2"]["string"]), ("1-15", "16-60"))
        self.Snapshot._ar_snapshot(self.company, [self._date("2026-06-30")])
        alpha = self._snapshots("2026-06-30")[self.customer]
        self.assertEqual((alpha.amount_b1, alpha.amount_b2), (-200.0, 0.0))  # 10 days: within 1-15


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestAnalyticsJobQueries(ArAnalyticsCommon):
    """The nightly job's queries do not grow with the number of customers."""

    def _customers(self, count, start):
        partners = self.env["res.partner"].create(
            [{"name": f"Customer {start + index}", "is_company": True} for index in range(count)]
        )
        for partner in partners:
            self._invoice(100.0, partner=partner, invoice_date="2026-05-15", due_date="2026-06-14")
        return partners

    def _job_queries(self):
        """Queries of each step of the job for each company, then of the whole job.

        The job runs once before it is counted, so that Odoo's caches of
        rules and settings (cleared by the invoices just posted) are warm.
        """
        self.env["ar.kpi.fact"]._cron_refresh_facts()
        companies = self.env["res.company"].search([])
        steps = {
            "facts": self.env["ar.kpi.fact"].sudo()._ar_refresh_recent,
            "snapshot": self.env["ar.receivable.snapshot"].sudo()._ar_snapshot_recent,
            "forecast": self.env["ar.forecast.week"].sudo()._ar_store_forecast,
        }
        counts = {}
        for company in companies:
            for name, step in steps.items():
                self.env.flush_all()
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                step(company)
                counts[company.id, name] = self.env.cr.sql_log_count - before
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self.env["ar.kpi.fact"]._cron_refresh_facts()
        counts["job"] = self.env.cr.sql_log_count - before
        return counts

    def test_query_count_constant_for_10_and_100_customers(self):
        self._job_queries()  # back-fill of the companies without facts
        self._customers(10, 0)
        ten = self._job_queries()
        self._customers(90, 10)
        hundred = self._job_queries()
        self.assertEqual(hundred, ten)
        today = self.env["ar.receivable.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", "2026-06-30")]
        )
        self.assertEqual(len(today), 102)  # Alpha, Beta and the 100 customers
