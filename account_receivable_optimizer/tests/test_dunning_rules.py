from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .. import compat
from .common import CONTROLLER, MANAGER
from .dunning_common import ArDunningCommon


@tagged("post_install", "-at_install")
class TestDunningRules(ArDunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason = cls.env["ar.dispute.reason"].create({"name": "Wrong price"})
        with freeze_time("2026-03-01"):
            cls.inv_a = cls._invoice(1000.0, invoice_date="2026-03-01", due_date="2026-03-31")
            cls.inv_b = cls._invoice(500.0, invoice_date="2026-03-01", due_date="2026-03-31")

    def _dispute(self, invoice, user=None):
        return (
            self.env["ar.invoice.dispute"]
            .with_user(user or self.env.user)
            .create({"move_id": invoice.id, "reason_id": self.reason.id, "note": "Price list not applied"})
        )

    def test_dispute_removes_the_invoice_until_resolved(self):
        with freeze_time("2026-04-10"):
            dispute = self._dispute(self.inv_a)
        self.assertTrue(self.inv_a.ar_dispute_open)
        self._run("2026-04-15")
        comm = self._communications()
        self.assertRecordValues(comm, [{"level_id": self.reminder.id, "amount_total": 500.0}])
        self.assertEqual(comm.line_ids.move_id, self.inv_b)
        self.assertFalse(self.inv_a.ar_dunning_level_id)
        with freeze_time("2026-04-16"):
            dispute.action_resolve()
        self.assertRecordValues(dispute, [{"state": "resolved", "date_resolved": self._date("2026-04-16")}])
        self._run("2026-04-16")
        comms = self._communications()
        self.assertEqual(len(comms), 2)
        self.assertEqual(comms[-1].line_ids.move_id, self.inv_a | self.inv_b)
        self.assertEqual(comms[-1].amount_total, 1500.0)
        self._flush_tracking()
        self.assertIn("Dispute opened by", "\n".join(self.inv_a.message_ids.mapped("body")))

    def test_open_dispute_leaves_the_overdue_rule_but_stays_in_exposure(self):
        self.inv_b.button_draft()
        self.inv_b.button_cancel()
        with freeze_time("2026-04-15"):
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.ar_max_days_overdue, 15)
            self._dispute(self.inv_a)
            self.customer.invalidate_recordset()
            self.assertRecordValues(
                self.customer, [{"ar_exposure": 1000.0, "ar_overdue_amount": 0.0, "ar_max_days_overdue": 0}]
            )
            self.policy.write({"enforcement": "block", "overdue_block_days": 10})
            self._invoice(10.0)  # not blocked: the only overdue invoice is disputed

    def test_paying_or_crediting_resolves_the_dispute(self):
        dispute_a = self._dispute(self.inv_a)
        dispute_b = self._dispute(self.inv_b)
        self._pay(self.inv_a, 1000.0, "2026-04-01")
        self.assertEqual(dispute_a.state, "resolved")
        self.assertEqual(dispute_b.state, "open")
        self.inv_b._reverse_moves(cancel=True)
        self.assertEqual(dispute_b.state, "resolved")
        self.assertFalse(self.inv_b.ar_dispute_open)

    def test_collector_worklist(self):
        beta, gamma = self.env["res.partner"].create(
            [
                {"name": "Beta", "is_company": True, "ar_collector_id": self.collector.id},
                {"name": "Gamma", "is_company": True, "email": "g@example.com", "ar_collector_id": self.collector.id},
            ]
        )
        with freeze_time("2026-03-01"):
            self._invoice(3000.0, partner=beta, invoice_date="2026-03-01", due_date="2026-03-31")
            self._invoice(9000.0, partner=gamma, invoice_date="2026-03-01", due_date="2026-03-31")
        self._dispute(self.inv_a)
        self._run("2026-04-15")  # Beta has no email: a task; Alpha has a dispute; Gamma got its email
        with freeze_time("2026-04-15"):
            worklist = (
                self.env["res.partner"]
                .with_user(self.collector)
                .search([("ar_to_handle", "=", True)], order="ar_dunning_priority desc")
            )
        self.assertEqual(worklist, beta | self.customer)
        self.assertEqual(worklist[0], beta)
        # overdue x days x grade factor (not graded: 3)
        self.assertEqual(beta.ar_dunning_priority, 3000.0 * 15 * 3)
        self.assertEqual(self.customer.ar_dunning_priority, 1500.0 * 15 * 3)
        self.assertEqual(gamma.ar_dunning_priority, 9000.0 * 15 * 3)
        self.assertEqual(self.customer.ar_open_dispute_count, 1)

    def test_levels_by_risk_grade(self):
        # grades D-E get no courtesy reminder and their own notice at 20 days
        self.courtesy.risk_grades = "ABC"
        own = self.env["ar.dunning.level"].create(
            {
                "policy_id": self.policy.id,
                "name": "Early notice",
                "offset_days": 20,
                "risk_grades": "de",
                "mail_template_id": self.template.id,
            }
        )
        risky = self.env["res.partner"].create({"name": "Risky", "email": "r@example.com"})
        risky.sudo().ar_risk_grade = "E"
        self.customer.sudo().ar_risk_grade = "A"
        with freeze_time("2026-03-01"):
            self._invoice(100.0, partner=risky, invoice_date="2026-03-01", due_date="2026-03-31")
        self._run("2026-03-26")
        self.assertEqual(self._communications().level_id, self.courtesy)
        self.assertFalse(self._communications(risky))
        self._run("2026-04-10")
        self.assertEqual(self._communications()[-1].level_id, self.reminder)
        self.assertEqual(self._communications(risky).level_id, self.reminder)  # no courtesy reminder for E
        self._run("2026-04-20")
        self.assertEqual(self._communications(risky)[-1].level_id, own)
        self.assertEqual(self._communications()[-1].level_id, self.reminder)

    def test_one_open_dispute_per_invoice(self):
        self._dispute(self.inv_a)
        with self.assertRaisesRegex(ValidationError, "already has an open dispute"):
            with self.env.cr.savepoint():
                self._dispute(self.inv_a)
        self.assertEqual(len(self.inv_a.ar_dispute_ids), 1)

    def _promise(self, amount, date, invoices=None, today="2026-04-05"):
        with freeze_time(today):
            return (
                self.env["ar.payment.promise"]
                .with_user(self.collector)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set((invoices or self.inv_a).ids)],
                        "amount": amount,
                        "promised_date": date,
                    }
                )
            )

    def test_promise_kept(self):
        promise = self._promise(1000.0, "2026-04-20")
        self._run("2026-04-15")
        # the promised invoice is left out until 20 April + 3 days of grace
        self.assertEqual(self._communications().line_ids.move_id, self.inv_b)
        self._pay(self.inv_a, 1000.0, "2026-04-22")
        self._run("2026-04-23")
        self.assertEqual(promise.state, "kept")

    def test_promise_broken_escalates_one_level(self):
        promise = self._promise(1000.0, "2026-04-20", invoices=self.inv_a | self.inv_b, today="2026-04-01")
        self._run("2026-04-15")
        self.assertFalse(self._communications())
        self._run("2026-04-23")  # still within the grace period
        self.assertEqual(promise.state, "pending")
        self.assertFalse(self._communications())
        self._pay(self.inv_a, 400.0, "2026-04-23")
        self._run("2026-04-24")
        self.assertEqual(promise.state, "broken")
        # 24 days late reaches the reminder; the broken promise makes it the formal notice
        comm = self._communications()
        self.assertRecordValues(comm, [{"level_id": self.notice.id, "amount_total": 1100.0}])
        self.assertEqual(comm.line_ids.mapped("level_id"), self.notice)
        self.assertTrue(promise.escalated)
        # only once: the next reminder follows the days late again
        self._run("2026-05-01")
        self.assertEqual(len(self._communications()), 1)

    def test_broken_promise_counts_in_the_risk_score(self):
        promise = self._promise(1500.0, "2026-04-20", invoices=self.inv_a | self.inv_b, today="2026-04-01")
        self._run("2026-04-24")
        self.assertEqual(promise.state, "broken")
        with freeze_time("2026-04-24"):
            self.customer.action_ar_recompute_risk_grade()
            score_without = self.customer.ar_risk_score
            self.assertIn(
                "Promises to pay broken (12 months): 1, risk 33 % x weight 0.0", self.customer.ar_risk_breakdown
            )
            self.policy.weight_broken_promises = 20.0
            self.customer.action_ar_recompute_risk_grade()
        # 1 of 3: 100 x 20 x 1/3 / (100 + 20) = 5.56 points
        self.assertIn(
            "Promises to pay broken (12 months): 1, risk 33 % x weight 20.0 = -5.56 points",
            self.customer.ar_risk_breakdown,
        )
        self.assertLess(self.customer.ar_risk_score, score_without)

    def test_promise_bad_input(self):
        count = self.env["ar.payment.promise"].search_count([])
        with self.assertRaisesRegex(ValidationError, "in the past"):
            with self.env.cr.savepoint():
                self._promise(100.0, "2026-04-04")
        with self.assertRaisesRegex(ValidationError, "more than the 1000.0 due"):
            with self.env.cr.savepoint():
                self._promise(1000.01, "2026-04-30")
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            with self.env.cr.savepoint():
                self._promise(0.0, "2026-04-30")
        other = self.env["res.partner"].create({"name": "Other"})
        with self.assertRaisesRegex(ValidationError, "can only cover its posted invoices"):
            with self.env.cr.savepoint():
                self._invoice(10.0, partner=other)
                self.env["ar.payment.promise"].create(
                    {
                        "partner_id": other.id,
                        "move_ids": [Command.set(self.inv_a.ids)],
                        "amount": 10.0,
                        "promised_date": "2099-01-01",
                    }
                )
        self.assertEqual(self.env["ar.payment.promise"].search_count([]), count)

    def test_unreconciled_credit_asks_the_collector_first(self):
        with freeze_time("2026-04-01"):
            self._invoice(200.0, move_type="out_refund", invoice_date="2026-04-01")
        self._run("2026-04-15")
        comm = self._communications()
        self.assertRecordValues(comm, [{"state": "skipped", "level_id": self.reminder.id, "mail_id": False}])
        self.assertIn("$\xa0200.00 of payments or credit notes are not matched", comm.reason)
        self.assertRecordValues(
            self._activities(), [{"summary": "Reconcile before dunning", "user_id": self.collector.id}]
        )
        self.assertFalse(self._mails())
        self.assertFalse(self.inv_a.ar_dunning_level_id)
        # the next day: the task is still open, no second task, no second record
        self._run("2026-04-16")
        self.assertEqual(len(self._communications()), 1)
        self.assertEqual(len(self._activities()), 1)

    def test_unreconciled_credit_send_anyway(self):
        self.policy.dunning_unreconciled = "send"
        with freeze_time("2026-04-01"):
            self._invoice(200.0, move_type="out_refund", invoice_date="2026-04-01")
        self._run("2026-04-15")
        comm = self._communications()
        self.assertRecordValues(comm, [{"state": "sent", "level_id": self.reminder.id}])
        self.assertIn("Sent although $\xa0200.00", comm.reason)
        self.assertEqual(comm.unmatched_amount, 200.0)
        self.assertEqual(len(self._mails()), 1)
        self.assertIn("We have also received <strong>$\xa0200.00</strong>", self._mails().body_html)

    def test_customer_without_email_falls_back_to_a_task(self):
        self.customer.email = False
        self._run("2026-04-15")
        comm = self._communications()
        self.assertRecordValues(
            comm, [{"state": "failed", "reason": "The customer has no email address.", "mail_id": False}]
        )
        self.assertFalse(self._mails())
        self.assertRecordValues(
            self._activities(), [{"summary": "Send the reminder: no email address", "user_id": self.collector.id}]
        )
        self.assertEqual(comm.activity_id, self._activities())
        # the run goes on: the invoices are at the reminder level
        self.assertEqual((self.inv_a | self.inv_b).ar_dunning_level_id, self.reminder)

    def test_undelivered_email_falls_back_to_a_task(self):
        self._run("2026-04-15")
        comm = self._communications()
        self.assertEqual(comm.state, "sent")
        server = type(self.env["ir.mail_server"])
        with patch.object(
            server, compat.MAIL_SERVER_CONNECT, autospec=True, side_effect=ConnectionRefusedError("SMTP down")
        ):
            self._mails().send()
        self.assertEqual(self._mails().state, "exception")
        self.assertRecordValues(comm, [{"state": "failed", "reason": "Email not delivered: SMTP down"}])
        self.assertRecordValues(
            self._activities(), [{"summary": "Send the reminder: email not delivered", "user_id": self.collector.id}]
        )

    def test_no_dunning_customer(self):
        self.customer.ar_no_dunning = True
        self._run("2026-04-15")
        self.assertFalse(self._communications())
        self.assertFalse(self._mails())

    def test_paid_and_in_payment_invoices_are_not_reminded(self):
        self._pay(self.inv_a, 1000.0, "2026-04-01")
        self._run("2026-04-15")
        self.assertEqual(self._communications().line_ids.move_id, self.inv_b)


@tagged("post_install", "-at_install")
class TestDunningLevelsBadInput(ArDunningCommon):
    def _assert_refused(self, vals_list, message):
        before = self.policy.ar_dunning_level_ids.read(["name", "offset_days", "min_interval_days"])
        with self.assertRaisesRegex(ValidationError, message):
            with self.env.cr.savepoint():
                self.policy.write({"ar_dunning_level_ids": vals_list})
                self.policy.flush_recordset()
        self.policy.invalidate_recordset()
        self.assertEqual(self.policy.ar_dunning_level_ids.read(["name", "offset_days", "min_interval_days"]), before)

    def test_same_offset_twice(self):
        self._assert_refused(
            [Command.create({"name": "Again", "offset_days": 10, "mail_template_id": self.template.id})],
            "Two dunning levels of credit policy Standard have the same number of days",
        )
        self._assert_refused([Command.update(self.notice.id, {"offset_days": 10})], "same number of days")

    def test_email_level_without_template(self):
        self._assert_refused(
            [Command.create({"name": "No template", "offset_days": 90, "mail_template_id": False})],
            "Dunning level No template sends an email: choose its email template",
        )

    def test_negative_interval(self):
        self._assert_refused(
            [Command.update(self.notice.id, {"min_interval_days": -1})],
            "minimum days since the previous reminder cannot be negative",
        )

    def test_bad_risk_grades(self):
        self._assert_refused(
            [Command.update(self.notice.id, {"risk_grades": "DF"})],
            "'Only for grades' takes risk grades A to E, each once",
        )

    def test_same_offset_in_two_policies_is_fine(self):
        other = self.env["ar.credit.policy"].create({"name": "Other"})
        level = self.env["ar.dunning.level"].create({"policy_id": other.id, "name": "Reminder", "offset_days": 10})
        self.assertEqual(level.offset_days, self.reminder.offset_days)
        self.assertEqual(level.mail_template_id, self.template)  # the shipped template by default

    def test_charges_need_a_product(self):
        with self.assertRaisesRegex(ValidationError, "choose the product of the charge lines"):
            with self.env.cr.savepoint():
                self.policy.write({"charge_enabled": True, "charge_product_id": False})
        self.assertFalse(self.policy.charge_enabled)


@tagged("post_install", "-at_install")
class TestDunningAccessAndCompanies(ArDunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-01"):
            cls.invoice = cls._invoice(1000.0, invoice_date="2026-03-01", due_date="2026-03-31")
        cls.other_company = cls.setup_other_company()["company"]
        cls.other_policy = cls.other_company.ar_credit_policy_id
        # the other company's own level instead of the shipped ones
        cls.other_policy.ar_dunning_level_ids.unlink()
        cls.other_level = cls.env["ar.dunning.level"].create(
            {
                "policy_id": cls.other_policy.id,
                "company_id": cls.other_company.id,
                "name": "Rappel",
                "offset_days": 20,
                "mail_template_id": cls.template.id,
            }
        )
        with freeze_time("2026-03-01"):
            cls.other_invoice = (
                cls.env["account.move"]
                .with_company(cls.other_company)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": cls.customer.id,
                        "invoice_date": "2026-03-01",
                        "invoice_date_due": "2026-03-31",
                        "invoice_line_ids": [
                            Command.create({"name": "Service", "quantity": 1, "price_unit": 700.0, "tax_ids": []})
                        ],
                    }
                )
            )
            cls.other_invoice.action_post()

    def test_each_company_with_its_own_levels(self):
        self._run("2026-04-15")  # 15 days late: reminder here, nothing yet in the other company
        comms = self._communications()
        self.assertRecordValues(comms, [{"company_id": self.company.id, "level_id": self.reminder.id}])
        self.assertEqual(comms.line_ids.move_id, self.invoice)
        self._run("2026-04-25")  # 25 days late: the other company's first level
        comms = self._communications()
        self.assertRecordValues(
            comms[-1], [{"company_id": self.other_company.id, "level_id": self.other_level.id, "amount_total": 700.0}]
        )
        self.assertEqual(self.customer.with_company(self.other_company).ar_dunning_level_id, self.other_level)
        self.assertEqual(self.customer.with_company(self.company).ar_dunning_level_id, self.reminder)
        manager_other = self._user("ar_manager_other", MANAGER, company=self.other_company)
        visible = self.env["ar.dunning.communication"].with_user(manager_other).search([])
        self.assertEqual(visible, comms[-1])
        with self.assertRaises(AccessError):
            comms[0].with_user(manager_other).read(["amount_total"])

    def test_rights(self):
        self._run("2026-04-15")
        comm = self._communications()
        # everybody may edit contacts ("Contact Creation"): what is refused below is ours
        billing = self._user("ar_billing", "account.group_account_invoice,base.group_partner_manager")
        controller = self._user("ar_controller2", f"{CONTROLLER},base.group_partner_manager")
        manager = self._user("ar_manager", MANAGER)
        # billing users open disputes and read promises, but see no dunning history
        reason = self.env["ar.dispute.reason"].create({"name": "Late delivery"})
        self.env["ar.invoice.dispute"].with_user(billing).create({"move_id": self.invoice.id, "reason_id": reason.id})
        with self.assertRaises(AccessError):
            comm.with_user(billing).read(["amount_total"])
        with self.assertRaises(AccessError):
            self.env["ar.payment.promise"].with_user(billing).create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(self.invoice.ids)],
                    "amount": 10.0,
                    "promised_date": "2099-01-01",
                }
            )
        with self.assertRaises(AccessError):
            self.env["ar.dunning.preview"].with_user(billing).create({})
        with self.assertRaisesRegex(AccessError, "Only Credit Controllers can run the dunning"):
            self.env["res.partner"].with_user(billing)._ar_run_dunning_now(self.company)
        # controllers read the history and run the dunning, but do not configure levels
        self.assertEqual(comm.with_user(controller).amount_total, 1000.0)
        with self.assertRaises(AccessError):
            self.reminder.with_user(controller).write({"offset_days": 11})
        with self.assertRaises(AccessError):
            comm.with_user(controller).write({"state": "failed"})
        # only controllers take a customer out of the dunning or change its collector
        with self.assertRaisesRegex(AccessError, "Only Credit Controllers can change a customer's dunning"):
            self.customer.with_user(billing).write({"ar_no_dunning": True})
        self.customer.with_user(controller).write({"ar_no_dunning": True, "ar_collector_id": controller.id})
        self.assertTrue(self.customer.ar_no_dunning)
        # managers configure levels
        self.reminder.with_user(manager).write({"offset_days": 12})
        self.assertEqual(self.reminder.offset_days, 12)
