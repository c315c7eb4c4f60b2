import math
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import OperationalError
from psycopg2 import errors as pg_errors

from odoo import Command
from odoo.addons.account_receivable_optimizer.models.ar_payment_promise import ArPaymentPromise
from odoo.addons.account_receivable_optimizer.models.ar_retry import is_concurrency_error
from odoo.addons.account_receivable_optimizer.models.res_partner import ResPartner as ResPartnerCredit
from odoo.addons.account_receivable_optimizer.models.res_partner_dunning_run import ResPartner as ResPartnerRun
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .dunning_common import ArDunningCommon

TODAY = "2026-04-15"


@tagged("post_install", "-at_install")
class TestBadInput(ArDunningCommon):
    """What a hostile tester types is refused with a message that says what to fix, and changes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason = cls.env["ar.dispute.reason"].create({"name": "Wrong price"})
        with freeze_time("2026-03-01"):
            cls.inv_a = cls._invoice(1000.0, invoice_date="2026-03-01", due_date="2026-03-31")
            cls.beta = cls.env["res.partner"].create({"name": "Beta Trading", "email": "beta@example.com"})
            cls.inv_beta = cls._invoice(500.0, partner=cls.beta, invoice_date="2026-03-01", due_date="2026-03-31")

    def _assert_refused(self, record, vals, message):
        record = record.sudo()
        before = record.read(list(vals))
        with self.assertRaisesRegex(ValidationError, message):
            with self.env.cr.savepoint():
                record.write(vals)
                record.flush_recordset()
        record.invalidate_recordset()
        self.assertEqual(record.read(list(vals)), before)

    def _assert_create_refused(self, model, vals, message):
        count = self.env[model].sudo().search_count([])
        with self.assertRaisesRegex(ValidationError, message):
            with self.env.cr.savepoint():
                self.env[model].create(vals)
                self.env.flush_all()
        self.assertEqual(self.env[model].sudo().search_count([]), count)

    # --- credit policy --------------------------------------------------------

    def test_policy_tolerance_limit_and_rates(self):
        self._assert_refused(
            self.policy, {"tolerance_percent": 1e12}, r"Tolerance \(%\) of Standard must be a number from 0 to 100,"
        )
        self._assert_refused(self.policy, {"tolerance_percent": 100.5}, r"from 0 to 100, not 100.5")
        self._assert_refused(
            self.policy, {"default_credit_limit": 1e300}, "Default Credit Limit of Standard .* to 999,999,999,999"
        )
        self._assert_refused(self.policy, {"charge_rate": 1e6}, r"Annual interest rate \(%\) .* from 0 to 1,000")
        self._assert_refused(self.policy, {"charge_fixed_amount": math.inf}, "not inf")
        self._assert_refused(self.policy, {"short_payment_tolerance": math.nan}, "Write-off Tolerance .* not nan")
        self._assert_refused(self.policy, {"target_dso": 3651.0}, r"Target DSO \(days\) .* from 0 to 3,650")

    def test_policy_day_and_month_counts(self):
        self._assert_refused(self.policy, {"review_months": 100_000}, "Credit review period .* from 0 to 120")
        self._assert_refused(
            self.policy, {"overdue_block_days": 2**31}, "Block when overdue .* from 0 to 3,650, not 2147483648"
        )
        self._assert_refused(self.policy, {"dunning_grace_days": 3651}, r"Promise grace period \(days\)")
        # no payment terms with an early discount: only the bounds speak
        self._assert_refused(
            self.policy, {"discount_reminder_days": -1}, "Discount Reminder .* from 0 to 3,650, not -1"
        )
        self._assert_refused(self.policy, {"sequence": 2**31}, "Sequence of Standard")

    def test_policy_nan_risk_weight_or_threshold(self):
        self._assert_refused(self.policy, {"weight_days_late": math.nan}, "Weight: days paid late .* not nan")
        self._assert_refused(self.policy, {"weight_broken_promises": 1e6}, "from 0 to 1,000")
        self._assert_refused(self.policy, {"threshold_b": math.nan}, "Grade B from score .* not nan")

    def test_policy_created_with_a_huge_integer(self):
        self._assert_create_refused(
            "ar.credit.policy", {"name": "Huge", "review_months": 2**31}, "Credit review period .* Credit Policy"
        )

    def test_policy_blank_name(self):
        self._assert_refused(self.policy, {"name": "   "}, "Name of the Credit Policy cannot be empty or blank")

    def test_dunning_level_blank_name(self):
        self._assert_refused(self.reminder, {"name": " "}, "Name of the Dunning Level cannot be empty or blank")

    def test_dispute_reason_blank_name(self):
        self._assert_refused(self.reason, {"name": "\t"}, "Name of the Invoice Dispute Reason cannot be empty")
        self._assert_create_refused("ar.dispute.reason", {"name": "  "}, "cannot be empty or blank")

    # --- dunning levels and dispute reasons -----------------------------------

    def test_dunning_level_bounds(self):
        self._assert_refused(self.reminder, {"offset_days": 2**31}, "Days after due date .* from -3,650 to 3,650")
        self._assert_refused(self.reminder, {"offset_days": -4000}, "Days after due date .* not -4000")
        self._assert_refused(self.notice, {"min_interval_days": 5000}, "Minimum days since previous reminder")
        self._assert_create_refused(
            "ar.dunning.level",
            {"policy_id": self.policy.id, "name": "Far", "offset_days": 2**40, "mail_template_id": self.template.id},
            "Days after due date",
        )

    def test_dispute_reason_sequence(self):
        self._assert_create_refused("ar.dispute.reason", {"name": "Late", "sequence": 2**31}, "Sequence")
        self._assert_refused(self.reason, {"sequence": -(2**31)}, "Sequence of Wrong price")

    # --- company settings and customers ---------------------------------------

    def test_company_settings(self):
        self._assert_refused(self.company, {"ar_cost_of_capital": math.nan}, r"Cost of Capital \(%\) .* not nan")
        self._assert_refused(self.company, {"ar_late_penalty_rate": 1e6}, "from 0 to 1,000")
        self._assert_refused(self.company, {"ar_recovery_fee": 1e13}, "Fixed Recovery Compensation")
        self._assert_refused(self.company, {"ar_aging_limit_4": 2**31}, "Aging: fourth period")
        self._assert_refused(self.company, {"ar_aging_limit_4": 4000}, "Aging: fourth period .* from 1 to 3,650")
        with self.assertRaisesRegex(ValidationError, r"Cost of Capital \(%\) .* not inf"):
            with self.env.cr.savepoint():
                self.env["res.config.settings"].create({"ar_cost_of_capital": math.inf}).execute()
        self.assertEqual(self.company.ar_cost_of_capital, 8.0)

    def test_customer_credit_limit(self):
        self.customer.credit_limit = 500.0
        self._assert_refused(self.customer, {"credit_limit": 1e300}, "Credit Limit of Alpha Industries")
        self._assert_refused(self.customer, {"credit_limit": math.nan}, "not nan")
        self._assert_create_refused("res.partner", {"name": "Nan Corp", "credit_limit": math.nan}, "Credit Limit")

    def test_customer_review_date(self):
        self._assert_refused(
            self.customer, {"ar_credit_review_date": "0001-01-01"}, "Next Credit Review .* between 1900-01-01 and"
        )
        self._assert_refused(self.customer, {"ar_credit_review_date": "2300-01-01"}, "not 2300-01-01")

    # --- promises to pay: checked on write too -------------------------------

    def _promise(self, amount=300.0, date="2026-04-30", invoices=None, partner=None):
        return self.env["ar.payment.promise"].create(
            {
                "partner_id": (partner or self.customer).id,
                "move_ids": [Command.set((invoices or self.inv_a).ids)],
                "amount": amount,
                "promised_date": date,
            }
        )

    @freeze_time(TODAY)
    def test_promise_amount_and_date_checked_on_write(self):
        promise = self._promise()
        self._assert_refused(promise, {"amount": -5.0}, "must be positive")
        self._assert_refused(promise, {"amount": 1e9}, "more than the 1000.0 due")
        self._assert_refused(promise, {"amount": math.nan}, "Amount of .* not nan")
        self._assert_refused(promise, {"promised_date": "2026-04-14"}, "in the past")
        self._assert_refused(promise, {"promised_date": "9999-12-31"}, "more than 3650 days away")

    @freeze_time(TODAY)
    def test_promise_invoices_checked_on_write(self):
        promise = self._promise()
        self._assert_refused(promise, {"partner_id": self.beta.id}, "A promise to pay of Beta Trading can only cover")
        self._assert_refused(promise, {"move_ids": [Command.set(self.inv_beta.ids)]}, "can only cover its posted")
        self._assert_refused(promise, {"move_ids": [Command.clear()]}, "can only cover its posted invoices, not no")
        self.assertEqual(promise.move_ids, self.inv_a)

    @freeze_time(TODAY)
    def test_promise_dated_9999_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "The promised date 9999-12-31 is more than 3650 days away"):
            with self.env.cr.savepoint():
                self._promise(date="9999-12-31")
        self.assertFalse(self.env["ar.payment.promise"].search([]))

    # --- disputes -----------------------------------------------------------

    def test_dispute_on_draft_invoice(self):
        draft = self._invoice(50.0, post=False)
        self._assert_create_refused(
            "ar.invoice.dispute", {"move_id": draft.id, "reason_id": self.reason.id}, "is not posted"
        )

    def test_dispute_on_paid_invoice(self):
        paid = self._invoice(50.0)
        self._pay(paid, 50.0, paid.invoice_date)
        self._assert_create_refused(
            "ar.invoice.dispute", {"move_id": paid.id, "reason_id": self.reason.id}, "is paid or being paid"
        )
        dispute = self.env["ar.invoice.dispute"].create({"move_id": self.inv_a.id, "reason_id": self.reason.id})
        self._assert_refused(dispute, {"move_id": paid.id}, "is paid or being paid")
        dispute.action_resolve()
        self._pay(self.inv_a, 1000.0, self.inv_a.invoice_date)
        self._assert_refused(dispute, {"state": "open"}, "is paid or being paid")

    @freeze_time(TODAY)
    def test_dispute_dates(self):
        dispute = self.env["ar.invoice.dispute"].create({"move_id": self.inv_a.id, "reason_id": self.reason.id})
        self._assert_refused(dispute, {"date_opened": "0001-01-01"}, "Opened on .* between 1900-01-01")
        self._assert_refused(dispute, {"date_resolved": "2026-04-16"}, "Resolved on .* and 2026-04-15, not 2026-04-16")

    # --- reports --------------------------------------------------------------

    @freeze_time(TODAY)
    def test_aging_report_date(self):
        self._assert_create_refused("ar.aging.report", {"as_of_date": "0001-01-01"}, "As of .* between 1900-01-01")

    @freeze_time(TODAY)
    def test_forecast_report_date_and_weeks(self):
        self._assert_create_refused(
            "ar.forecast.report", {"date_from": "2026-04-16"}, "Forecast from .* and 2026-04-15, not 2026-04-16"
        )
        self._assert_create_refused("ar.forecast.report", {"past_weeks": 2**31}, "Past Weeks .* from 0 to 52")


@tagged("post_install", "-at_install")
class TestNightlyJobsIsolation(ArDunningCommon):
    """One record never stops the nightly jobs; a concurrent change is retried, not recorded as a failure."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.beta = cls.env["res.partner"].create({"name": "Beta Trading", "email": "beta@example.com"})
        with freeze_time("2026-03-01"):
            cls.inv_a = cls._invoice(1000.0, invoice_date="2026-03-01", due_date="2026-03-31")
            cls.inv_beta = cls._invoice(500.0, partner=cls.beta, invoice_date="2026-03-01", due_date="2026-03-31")

    def _promise(self, partner, invoice, date):
        with freeze_time("2026-04-01"):
            return self.env["ar.payment.promise"].create(
                {
                    "partner_id": partner.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "amount": 100.0,
                    "promised_date": date,
                }
            )

    def test_which_errors_are_retried(self):
        class PgError(OperationalError):
            pgcode = None

        class Serialization(PgError):
            pgcode = "40001"

        class Lock(PgError):
            pgcode = "55P03"

        for error in (pg_errors.SerializationFailure(), pg_errors.LockNotAvailable(), Serialization(), Lock()):
            self.assertTrue(is_concurrency_error(error), error)
        for error in (ValueError("x"), PgError(), pg_errors.NumericValueOutOfRange(), OperationalError()):
            self.assertFalse(is_concurrency_error(error), error)

    def test_serialization_failure_leaves_the_customer_for_a_retry(self):
        original_dun = ResPartnerRun._ar_dun

        def dun(partners, plans, today, **kwargs):
            # the batch fails, then this customer alone when dunned one by one
            if self.customer in partners:
                raise pg_errors.SerializationFailure("could not serialize access due to concurrent update")
            return original_dun(partners, plans, today, **kwargs)

        with freeze_time(TODAY), patch.object(ResPartnerRun, "_ar_dun", autospec=True, side_effect=dun):
            remaining = self.env["res.partner"]._cron_run_dunning()
        self.env.invalidate_all()
        self.assertEqual(remaining, 1)
        self.assertFalse(self._communications())
        self.assertFalse(self.customer.ar_dunning_checked_date)
        self.assertRecordValues(self._communications(self.beta), [{"state": "sent", "level_id": self.reminder.id}])
        self.assertEqual(self.beta.ar_dunning_checked_date, self._date(TODAY))
        # the next batch (the concurrent payment committed meanwhile) duns the customer
        self._run(TODAY)
        self.assertRecordValues(self._communications(), [{"state": "sent", "level_id": self.reminder.id}])

    def test_lock_not_available_leaves_the_risk_grade_for_a_retry(self):
        original_write = ResPartnerCredit._ar_write_risks

        def write_risks(partners, company, vals_by_partner):
            # the batch's UPDATE, and then the customer's own, wait for a lock held elsewhere
            if self.customer.id in vals_by_partner:
                raise pg_errors.LockNotAvailable("could not obtain lock on row in relation res_partner")
            return original_write(partners, company, vals_by_partner)

        with (
            freeze_time(TODAY),
            patch.object(ResPartnerCredit, "_ar_write_risks", autospec=True, side_effect=write_risks),
        ):
            done = (self.customer | self.beta)._ar_recompute_risk(self.company, self._date(TODAY))
        self.env.invalidate_all()
        self.assertEqual(done, 1)
        self.assertFalse(self.customer.ar_risk_checked_date)
        self.assertEqual(self.customer.ar_risk_grade, "ungraded")
        self.assertEqual(self.beta.ar_risk_checked_date, self._date(TODAY))
        self.assertTrue(self.beta.ar_risk_grade)

    def test_one_failing_promise_does_not_stop_the_others(self):
        first = self._promise(self.customer, self.inv_a, "2026-04-05")
        second = self._promise(self.beta, self.inv_beta, "2026-04-05")
        original_check = ArPaymentPromise._ar_check_one

        def check(promise, today):
            if promise == first:
                raise ValueError("broken on purpose")
            return original_check(promise, today)

        with freeze_time(TODAY), patch.object(ArPaymentPromise, "_ar_check_one", autospec=True, side_effect=check):
            self.env["ar.payment.promise"]._cron_check_promises()
        self.assertEqual(first.state, "pending")
        self.assertEqual(second.state, "broken")

    def test_promise_dated_9999_in_the_database_does_not_stop_the_dunning(self):
        far = self._promise(self.customer, self.inv_a, "2026-04-05")
        broken = self._promise(self.beta, self.inv_beta, "2026-04-05")
        # written before the bounds existed
        self.env.cr.execute("UPDATE ar_payment_promise SET promised_date = '9999-12-31' WHERE id = %s", [far.id])
        self.env.invalidate_all()
        self._run(TODAY)
        self.assertEqual(far.state, "pending")
        self.assertEqual(broken.state, "broken")
        self.assertEqual(self.beta.ar_dunning_checked_date, self._date(TODAY))
        self.assertEqual(self.customer.ar_dunning_checked_date, self._date(TODAY))
        self.assertFalse(self._communications())  # promised until 9999: not reminded
        self.assertEqual(self._communications(self.beta).state, "sent")
