from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import errors as pg_errors

from odoo.addons.account_receivable_optimizer.models.res_partner import ResPartner
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import CONTROLLER, ArCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestRiskGrade(ArCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.credit_limit = 2000.0
        # Paid 20 days late (1,000) and on time (1,000): 10 days late on average.
        late = cls._invoice(1000.0, invoice_date="2026-01-01", due_date="2026-01-31")
        cls._pay(late, 1000.0, "2026-02-20")
        on_time = cls._invoice(1000.0, invoice_date="2026-02-01", due_date="2026-03-03")
        cls._pay(on_time, 1000.0, "2026-03-01")
        # Paid very late, but more than 12 months ago: ignored.
        ancient = cls._invoice(5000.0, invoice_date="2025-01-01", due_date="2025-01-31")
        cls._pay(ancient, 5000.0, "2025-06-01")
        # Open today: 400 overdue by 45 days, 600 not due.
        cls._invoice(400.0, invoice_date="2026-04-16", due_date="2026-05-16")
        cls._invoice(600.0, invoice_date="2026-06-15", due_date="2026-07-15")

    def test_score_grade_and_breakdown(self):
        self.customer.action_ar_recompute_risk_grade()
        # days late 10/60, overdue share 400/1000, 45/120 days, utilisation 1000/2000:
        # 100 x (1 - (35 x 1/6 + 25 x 0.4 + 25 x 0.375 + 15 x 0.5) / 100) = 67.291...
        self.assertRecordValues(
            self.customer,
            [{"ar_risk_score": 67.29, "ar_risk_grade": "B", "ar_risk_grade_date": self._date("2026-06-30")}],
        )
        breakdown = self.customer.ar_risk_breakdown
        self.assertIn(
            "Average days paid late (12 months): 10.0 days, risk 17 % x weight 35.0 = -5.83 points", breakdown
        )
        self.assertIn("Overdue share of the exposure: 40.0 %, risk 40 % x weight 25.0 = -10.00 points", breakdown)
        self.assertIn("Maximum days overdue: 45 days, risk 38 % x weight 25.0 = -9.38 points", breakdown)
        self.assertIn("Credit-limit utilisation: 50.0 %, risk 50 % x weight 15.0 = -7.50 points", breakdown)
        self.assertIn("Score 67.29: grade B", breakdown)
        # stored as numbers, rendered in the reader's language
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_receivable_optimizer"], ["fr_FR"], overwrite=True)
        french = self.customer.with_context(lang="fr_FR").ar_risk_breakdown
        self.assertNotIn("Average days paid late", french)
        self.assertIn("Score 67,29 : classe B", french)  # numbers written the French way

    def test_policy_weights_thresholds_and_trust(self):
        self.policy.write(
            {
                "weight_days_late": 0.0,
                "weight_overdue_share": 0.0,
                "weight_max_overdue": 0.0,
                "weight_utilisation": 1.0,
                "threshold_a": 90.0,
                "threshold_b": 70.0,
                "threshold_c": 50.0,
                "threshold_d": 30.0,
                "mirror_trust": True,
            }
        )
        self.customer.action_ar_recompute_risk_grade()
        self.assertEqual(self.customer.ar_risk_score, 50.0)
        self.assertEqual(self.customer.ar_risk_grade, "C")
        self.assertEqual(self.customer.trust, "normal")

    def test_grade_change_is_tracked(self):
        self.customer.action_ar_recompute_risk_grade()
        self._flush_tracking()
        self.customer.credit_limit = 1000.0  # utilisation 100 %: 67.29 - 7.50 = 59.79, grade C
        self.customer.action_ar_recompute_risk_grade()
        self._flush_tracking()
        self.assertEqual(self.customer.ar_risk_score, 59.79)
        tracking = self.customer.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "ar_risk_grade")
        self.assertEqual(sorted(tracking.mapped("new_value_char")), ["B - Good", "C - Fair"])
        self.assertEqual(sorted(tracking.mapped("old_value_char")), ["", "B - Good"])
        # graded again with the same grade: nothing more in the chatter
        messages = self.customer.message_ids
        self.customer.action_ar_recompute_risk_grade()
        self._flush_tracking()
        self.customer.invalidate_recordset(["message_ids"])
        self.assertEqual(self.customer.message_ids, messages)

    def test_recompute_needs_a_credit_controller(self):
        controller = self._user("ar_controller", CONTROLLER)
        self.customer.with_user(controller).action_ar_recompute_risk_grade()
        self.assertEqual(self.customer.ar_risk_grade, "B")

    def test_grades_are_per_company(self):
        other = self.setup_other_company()["company"]
        self.customer.action_ar_recompute_risk_grade()
        self.assertEqual(self.customer.with_company(other).ar_risk_grade, "ungraded")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestRiskGradeCron(ArCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env["res.partner"].create([{"name": f"Customer {i:02d}"} for i in range(25)])
        today = cls._date("2026-06-30")
        for index, customer in enumerate(cls.customers):
            # customer i owes 100 overdue by 5 x i days
            cls._invoice(100.0, partner=customer, invoice_date="2026-01-01", due_date=today - timedelta(days=5 * index))
        cls.env.flush_all()

    def _run_cron(self, batch_size):
        calls = []
        while True:
            remaining = self.env["res.partner"]._cron_compute_risk_grades(batch_size=batch_size)
            calls.append(remaining)
            if not remaining or len(calls) > 50:
                return calls

    def _run_job(self, batch_size):
        """The grading job run by a cron worker; also the companies whose customers left were counted, in order."""
        counted = []
        original = ResPartner._ar_risk_todo_sql

        def todo_sql(partners, company, today, select, claim=None):
            if select.code == "COUNT(*)":
                counted.append(company)
            return original(partners, company, today, select, claim)

        with patch.object(ResPartner, "_ar_risk_todo_sql", autospec=True, side_effect=todo_sql):
            status, progress = self._run_cron_job(
                "account_receivable_optimizer.ir_cron_compute_risk_grades",
                f"model._cron_compute_risk_grades(batch_size={batch_size})",
            )
        return status, [(p.done, p.remaining) for p in progress], counted.count(self.company)

    def test_a_batch_claims_the_first_customers_left_by_id(self):
        """The claim takes the customers not handled today that have receivables, lowest ids first."""
        first, second, third, fourth = self.customers[:4]
        no_receivables = self.env["res.partner"].create({"name": "Customer without receivables"})
        first.sudo().ar_risk_checked_date = self._date("2026-06-30")  # handled today already
        second.sudo().ar_risk_checked_date = self._date("2026-06-29")  # handled yesterday
        self.env.flush_all()
        today = self._date("2026-06-30")
        todo = self.env["res.partner"]._ar_risk_todo_sql(self.company, today, SQL("p.id"), claim=3)
        self.assertEqual([row[0] for row in self.env.execute_query(todo)], [second.id, third.id, fourth.id])
        counted = self.env["res.partner"]._ar_risk_todo_sql(self.company, today, SQL("COUNT(*)"))
        self.assertEqual(self.env.execute_query(counted), [(24,)])
        self.assertNotIn(no_receivables.id, [row[0] for row in self.env.execute_query(todo)])

    def test_the_job_counts_the_customers_left_once_per_run(self):
        status, batches, counts = self._run_job(batch_size=7)
        self.assertEqual(status, "fully done")
        # counted at the first batch, then decreased by each full batch; counted again after
        # the last one, which was not full (and reports none left: the job stops)
        self.assertEqual(batches, [(7, 18), (7, 11), (7, 4), (4, 0)])
        self.assertEqual(counts, 2)
        self.assertEqual(set(self.customers.mapped("ar_risk_checked_date")), {self._date("2026-06-30")})
        self.assertEqual(self.customers.mapped("ar_risk_grade"), ["A"] + ["B"] * 14 + ["C"] * 10)
        # the next night's run counts again, whatever the last batch of this one reported
        with freeze_time("2026-07-01"):
            status, batches, counts = self._run_job(batch_size=10)
        self.assertEqual((status, batches, counts), ("fully done", [(10, 15), (10, 5), (5, 0)], 2))
        # the same day again: nothing to do, counted once
        with freeze_time("2026-07-01"):
            self.assertEqual(self._run_job(batch_size=10), ("fully done", [(0, 0)], 1))

    def test_the_job_recounts_when_the_count_it_carries_is_wrong(self):
        calls = []
        original = ResPartner._ar_recompute_risk

        def recompute(partners, company, today):
            calls.append(partners)
            if len(calls) == 2:  # another server grades the last two customers meanwhile
                partners.browse(self.customers[-2:].ids).with_company(company).sudo().write(
                    {"ar_risk_checked_date": today}
                )
            return original(partners, company, today)

        with patch.object(ResPartner, "_ar_recompute_risk", autospec=True, side_effect=recompute):
            status, batches, counts = self._run_job(batch_size=10)
        # the second batch carries a count 2 too high (5, 3 are left); the third, not full,
        # counts again
        self.assertEqual((status, batches, counts), ("fully done", [(10, 15), (10, 5), (3, 0)], 2))
        self.assertEqual(set(self.customers.mapped("ar_risk_checked_date")), {self._date("2026-06-30")})
        self.assertEqual(self.customers[-2:].mapped("ar_risk_grade"), ["ungraded", "ungraded"])

    def test_the_job_stops_when_a_customer_fails_every_time(self):
        bad, locked = self.customers[3], self.customers[9]
        original_prepare, original_write = ResPartner._prepare_ar_risk_vals, ResPartner._ar_write_risks

        def prepare(partner, *args):
            if partner == bad:
                raise ValueError("boom")
            return original_prepare(partner, *args)

        def write(partners, company, vals_by_partner):
            if locked.id in vals_by_partner:
                raise pg_errors.LockNotAvailable("could not obtain lock on row in relation res_partner")
            return original_write(partners, company, vals_by_partner)

        with (
            patch.object(ResPartner, "_prepare_ar_risk_vals", autospec=True, side_effect=prepare),
            patch.object(ResPartner, "_ar_write_risks", autospec=True, side_effect=write),
            mute_logger("odoo.addons.account_receivable_optimizer.models.res_partner"),
        ):
            status, batches, _counts = self._run_job(batch_size=10)
        # the failing customer is marked handled for the day; the locked one is left for a
        # retry in each batch, until a batch handles nobody but it: the run ends there
        self.assertEqual(status, "fully done")
        self.assertEqual(batches, [(9, 16), (9, 7), (6, 1), (0, 0)])
        self.assertEqual(bad.ar_risk_checked_date, self._date("2026-06-30"))
        self.assertFalse(locked.ar_risk_checked_date)
        self.assertEqual(set((self.customers - locked).mapped("ar_risk_checked_date")), {self._date("2026-06-30")})

    def test_cron_grades_every_customer_in_batches_and_once_a_day(self):
        calls = self._run_cron(batch_size=7)
        self.assertGreaterEqual(len(calls), 4)  # 25 customers, 7 at a time
        self.assertEqual(calls[-1], 0)
        self.assertEqual(set(self.customers.mapped("ar_risk_grade_date")), {self._date("2026-06-30")})
        # score = 100 - 25 (all overdue) - 25 x 5i/120: A for i = 0, B up to i = 14, C beyond
        grades = self.customers.mapped("ar_risk_grade")
        self.assertEqual(grades, ["A"] + ["B"] * 14 + ["C"] * 10)
        self.assertEqual(self.customers[24].ar_risk_score, 50.0)
        self.assertEqual(self.customers[1].ar_risk_score, 73.96)
        # Same day: nothing is graded again.
        self.customers.invalidate_recordset()
        with patch.object(ResPartner, "_prepare_ar_risk_vals", autospec=True) as write:
            self.assertEqual(self.env["res.partner"]._cron_compute_risk_grades(batch_size=7), 0)
        write.assert_not_called()

    def test_a_failing_batch_write_is_retried_customer_by_customer(self):
        bad = self.customers[5]
        original = ResPartner._ar_write_risks

        def write(partners, company, vals_by_partner):
            if bad.id in vals_by_partner:
                raise ValueError("boom")
            return original(partners, company, vals_by_partner)

        with patch.object(ResPartner, "_ar_write_risks", autospec=True, side_effect=write):
            calls = self._run_cron(batch_size=10)
        self.assertEqual(calls[-1], 0)
        self.assertEqual(bad.ar_risk_grade, "ungraded")
        self.assertEqual(bad.ar_risk_checked_date, self._date("2026-06-30"))
        others = self.customers - bad
        self.assertEqual(others.mapped("ar_risk_grade"), ["A"] + ["B"] * 13 + ["C"] * 10)
        self.assertEqual(set(others.mapped("ar_risk_checked_date")), {self._date("2026-06-30")})

    def test_one_failing_customer_does_not_stop_the_others(self):
        bad = self.customers[3]
        original = ResPartner._prepare_ar_risk_vals

        def prepare(partner, *args):
            if partner == bad:
                raise ValueError("boom")
            return original(partner, *args)

        with patch.object(ResPartner, "_prepare_ar_risk_vals", autospec=True, side_effect=prepare):
            calls = self._run_cron(batch_size=10)
        self.assertEqual(calls[-1], 0)
        self.assertEqual(bad.ar_risk_grade, "ungraded")
        self.assertEqual(bad.ar_risk_checked_date, self._date("2026-06-30"))
        self.assertTrue(all((self.customers - bad).mapped("ar_risk_grade")))
