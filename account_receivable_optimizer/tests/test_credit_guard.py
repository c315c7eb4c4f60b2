"""Every way a customer receivable can become posted, change customer or grow goes through the credit check."""

import xmlrpc.client
from contextlib import contextmanager

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import MANAGER, ArCreditCommon


class ArGuardCommon(ArCreditCommon):
    """Alpha has 900 posted of a 1,000 limit; Beta is on hold; both under a blocking policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write({"enforcement": "block", "tolerance_percent": 0.0, "overdue_block_days": 0})
        cls.customer.credit_limit = 1000.0
        cls.beta = cls.env["res.partner"].create({"name": "Beta Hold", "is_company": True})
        cls.beta.ar_credit_hold = True
        cls.posted = cls._invoice(900.0)
        cls.billing_user = cls._user("ar_billing", "account.group_account_invoice")
        cls.salesperson = cls._user("ar_sales", "base.group_user,base.group_partner_manager")
        cls.manager = cls._user("ar_manager", f"account.group_account_invoice,{MANAGER}")

    @contextmanager
    def _assert_blocked(self, text):
        """The change is refused with a message containing ``text``, and rolled back."""
        with self.assertRaises(UserError) as caught:
            yield
        self.assertIn(text, str(caught.exception))

    def _receivable_line(self, move):
        return move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestCreditGuard(ArGuardCommon):
    def test_writing_the_state_goes_through_the_check(self):
        invoice = self._invoice(200.0, post=False)
        for env_invoice in (invoice.with_user(self.billing_user), invoice.sudo()):
            with self._assert_blocked("The credit policy blocks invoice"):
                env_invoice.write({"state": "posted"})
            self.assertEqual(invoice.state, "draft")
        with self._assert_blocked("The credit policy blocks invoice"):
            invoice.with_user(self.billing_user).state = "posted"
        self.assertEqual(invoice.state, "draft")

    def test_writing_the_state_within_the_limit_is_checked_and_passes(self):
        invoice = self._invoice(100.0, post=False)
        invoice.with_user(self.billing_user).write({"state": "posted"})
        self.assertEqual(invoice.state, "posted")
        self.assertAlmostEqual(self.customer.ar_exposure, 1000.0, places=2)

    def _posted_by_context(self, amount, user=None):
        """A customer invoice created directly posted (``default_state``), with its own balances."""
        receivable = self.beta.property_account_receivable_id
        revenue = self.company_data["default_account_revenue"]
        return (
            self.env["account.move"]
            .with_user(user or self.env.user)
            .with_context(default_state="posted")
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.beta.id,
                    "invoice_date": "2026-06-30",
                    "line_ids": [
                        Command.create(
                            {
                                "account_id": receivable.id,
                                "partner_id": self.beta.id,
                                "balance": amount,
                                "display_type": "payment_term",
                            }
                        ),
                        Command.create(
                            {"account_id": revenue.id, "balance": -amount, "display_type": "product", "name": "x"}
                        ),
                    ],
                }
            )
        )

    def test_creating_a_posted_invoice_through_the_context_is_checked(self):
        count = self.env["account.move"].search_count([])
        with self._assert_blocked("The customer is on credit hold"):
            self._posted_by_context(50.0, self.billing_user)
        self.assertEqual(self.env["account.move"].search_count([]), count)

    def test_raising_the_items_of_an_invoice_created_posted_is_checked(self):
        # Created posted with nothing owed (Odoo computes no amounts then), raised afterwards.
        self.beta.ar_credit_hold = False
        self.beta.credit_limit = 100.0
        move = self._posted_by_context(0.0)
        self.assertEqual(move.state, "posted")
        receivable = self._receivable_line(move)
        revenue = move.line_ids - receivable
        with self._assert_blocked("Beta Hold: exposure after posting $\xa05,000.00"):
            move.with_user(self.billing_user).with_context(skip_readonly_check=True).write(
                {
                    "line_ids": [
                        Command.update(receivable.id, {"balance": 5000.0}),
                        Command.update(revenue.id, {"balance": -5000.0}),
                    ]
                }
            )
        self.assertAlmostEqual(self.beta.ar_exposure, 0.0, places=2)

    def test_copying_into_the_posted_state_is_checked(self):
        count = self.env["account.move"].search_count([])
        with self._assert_blocked("The credit policy blocks invoice"):
            self.posted.with_user(self.billing_user).with_context(default_state="posted").copy()
        self.assertEqual(self.env["account.move"].search_count([]), count)

    def test_editing_the_items_of_a_posted_invoice_is_checked(self):
        receivable = self._receivable_line(self.posted)
        revenue = self.posted.line_ids - receivable
        with self._assert_blocked("Alpha Industries: exposure after posting $\xa05,000.00"):
            self.posted.with_user(self.billing_user).with_context(skip_readonly_check=True).write(
                {
                    "line_ids": [
                        Command.update(receivable.id, {"balance": 5000.0}),
                        Command.update(revenue.id, {"balance": -5000.0}),
                    ]
                }
            )
        self.assertAlmostEqual(receivable.balance, 900.0, places=2)
        # Lowering it is always allowed.
        self.posted.with_context(skip_readonly_check=True).write(
            {
                "line_ids": [
                    Command.update(receivable.id, {"balance": 800.0}),
                    Command.update(revenue.id, {"balance": -800.0}),
                ]
            }
        )
        self.assertAlmostEqual(self.customer.ar_exposure, 800.0, places=2)

    def test_moving_a_posted_invoice_to_another_customer_is_checked(self):
        for user in (self.billing_user, self.manager):
            with self._assert_blocked("Beta Hold"):
                self.posted.with_user(user).with_context(skip_readonly_check=True).write({"partner_id": self.beta.id})
            self.assertEqual(self.posted.partner_id, self.customer)
            self.assertEqual(self._receivable_line(self.posted).partner_id, self.customer)

    def test_moving_a_receivable_item_to_another_customer_is_checked(self):
        line = self._receivable_line(self.posted)
        with self._assert_blocked("Beta Hold"):
            line.with_user(self.billing_user).write({"partner_id": self.beta.id})
        self.assertEqual(line.partner_id, self.customer)
        self.assertAlmostEqual(self.beta.ar_exposure, 0.0, places=2)

    def test_sales_receipts_are_checked(self):
        receipt = self._invoice(50.0, partner=self.beta, move_type="out_receipt", post=False)
        with self._assert_blocked("The customer is on credit hold"):
            receipt.with_user(self.billing_user).action_post()
        self.assertEqual(receipt.state, "draft")

    def test_journal_entries_debiting_a_customer_are_checked(self):
        receivable = self._receivable_line(self.posted).account_id
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create({"account_id": receivable.id, "partner_id": self.beta.id, "balance": 70.0}),
                    Command.create({"account_id": self.company_data["default_account_revenue"].id, "balance": -70.0}),
                ],
            }
        )
        with self._assert_blocked("Beta Hold"):
            entry.with_user(self.billing_user).action_post()
        self.assertEqual(entry.state, "draft")

    def test_payments_and_credit_notes_are_never_blocked(self):
        self._pay(self.posted, 100.0, "2026-06-30")
        refund = self._invoice(10.0, partner=self.beta, move_type="out_refund")
        self.assertEqual(refund.state, "posted")
        self.assertEqual(self.posted.payment_state, "partial")

    def test_drafts_never_lower_the_exposure(self):
        invoice = self._invoice(200.0, post=False)
        self._invoice(500.0, move_type="out_refund", post=False)
        self._invoice(-400.0, post=False)
        self.assertAlmostEqual(self.customer.ar_exposure, 1100.0, places=2)
        with self._assert_blocked("The credit policy blocks invoice"):
            invoice.with_user(self.billing_user).action_post()
        self.assertEqual(invoice.state, "draft")

    def test_late_payment_charges_are_only_waived(self):
        charge = (
            self.env["account.move"]
            .sudo()
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": "2026-06-30",
                    "ar_is_dunning_charge": True,
                    "invoice_line_ids": [Command.create({"name": "Interest", "price_unit": 40.0, "tax_ids": []})],
                }
            )
        )
        charge.action_post()
        for method in ("button_draft", "button_cancel"):
            with self.assertRaises(AccessError):
                getattr(charge.with_user(self.billing_user), method)()
            self.assertEqual(charge.state, "posted")
        with self.assertRaises(AccessError):
            charge.with_user(self.billing_user).write({"state": "cancel"})
        charge.with_user(self.manager).action_ar_waive_charges()
        self.assertEqual(charge.payment_state, "reversed")

    def test_module_fields_of_invoices_are_not_writable(self):
        invoice = self._invoice(10.0, post=False)
        for vals in (
            {"ar_is_dunning_charge": True},
            {"ar_interest_days_charged": 999},
            {"ar_fixed_fee_charged": True},
            {"ar_discount_state": "in_time"},
            {"ar_discount_reminder_date": "2026-06-30"},
        ):
            with self.assertRaises(AccessError):
                invoice.with_user(self.billing_user).write(vals)
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.billing_user).with_context(
                default_ar_is_dunning_charge=True
            ).create({"move_type": "out_invoice", "partner_id": self.customer.id})
        self.assertRecordValues(invoice, [{"ar_is_dunning_charge": False, "ar_interest_days_charged": 0}])


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestCreditGuardRpc(ArGuardCommon, HttpCase):
    """The same bypasses over XML-RPC, as a hostile billing user and a salesperson."""

    def _rpc(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs)

    def _assert_refused(self, user, model, method, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self._rpc(user, model, method, *args, **kwargs)
        return caught.exception.faultString

    def test_rpc_bypasses_leave_the_invoice_draft(self):
        invoice = self._invoice(200.0, post=False)
        line = self._receivable_line(self.posted)
        attempts = [
            ("account.move", "action_post", [invoice.ids]),
            ("account.move", "write", [invoice.ids, {"state": "posted"}]),
            ("account.move", "write", [invoice.ids, {"state": "posted"}], {"context": {"skip_credit_check": True}}),
            ("account.move", "copy", [self.posted.ids], {"context": {"default_state": "posted"}}),
            (
                "account.move",
                "write",
                [self.posted.ids, {"partner_id": self.beta.id}],
                {"context": {"skip_readonly_check": True}},
            ),
            ("account.move.line", "write", [line.ids, {"partner_id": self.beta.id}]),
            ("account.move", "write", [invoice.ids, {"ar_is_dunning_charge": True}]),
        ]
        moves_before = self.env["account.move"].search_count([])
        for user in (self.billing_user, self.salesperson):
            for model, method, args, *kwargs in attempts:
                with self.subTest(user=user.login, method=method, args=args):
                    self._assert_refused(user, model, method, *args, **(kwargs[0] if kwargs else {}))
        self.env.invalidate_all()
        self.assertEqual(invoice.state, "draft")
        self.assertFalse(invoice.ar_is_dunning_charge)
        self.assertEqual(self.posted.partner_id, self.customer)
        self.assertEqual(line.partner_id, self.customer)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

    def test_rpc_block_message_names_the_customer(self):
        invoice = self._invoice(200.0, post=False)
        message = self._assert_refused(self.billing_user, "account.move", "action_post", invoice.ids)
        self.assertIn("Alpha Industries: exposure after posting", message)
        self.env.invalidate_all()
        self.assertEqual(invoice.state, "draft")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestDisputeAndOverdueRule(ArGuardCommon):
    """Only a dispute confirmed by a Credit Controller takes an invoice out of the overdue rule."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.overdue_block_days = 30
        cls.customer.credit_limit = 0.0
        cls.old = cls._invoice(100.0, invoice_date="2026-04-01", due_date="2026-05-01")  # 60 days overdue
        cls.reason = cls.env["ar.dispute.reason"].create({"name": "Damaged goods"})
        cls.controller = cls._user("ar_controller", "account_receivable_optimizer.group_ar_credit_controller")

    def _open_dispute(self, user):
        return (
            self.env["ar.invoice.dispute"].with_user(user).create({"move_id": self.old.id, "reason_id": self.reason.id})
        )

    def test_a_billing_users_dispute_does_not_lift_the_overdue_rule(self):
        dispute = self._open_dispute(self.billing_user)
        self.assertRecordValues(dispute, [{"state": "open", "confirmed": False}])
        self.assertRecordValues(self.old, [{"ar_dispute_open": True, "ar_dispute_confirmed": False}])
        invoice = self._invoice(10.0, post=False)
        with self._assert_blocked("An invoice is overdue by 60 days; the policy allows 30 days."):
            invoice.with_user(self.billing_user).action_post()
        with self.assertRaises(AccessError):
            dispute.with_user(self.billing_user).action_confirm()
        with self.assertRaises(AccessError):
            dispute.with_user(self.billing_user).write({"confirmed": True})
        with self.assertRaises(AccessError):
            self.env["ar.invoice.dispute"].with_user(self.billing_user).create(
                {"move_id": self.old.id, "reason_id": self.reason.id, "confirmed": True}
            )
        self.assertFalse(dispute.confirmed)
        dispute.with_user(self.controller).action_confirm()
        self.assertRecordValues(dispute, [{"confirmed": True, "confirmed_by_id": self.controller.id}])
        invoice.with_user(self.billing_user).action_post()
        self.assertEqual(invoice.state, "posted")

    def test_a_controllers_dispute_is_confirmed_at_once(self):
        dispute = self._open_dispute(self.controller)
        self.assertRecordValues(dispute, [{"confirmed": True, "confirmed_by_id": self.controller.id}])
        invoice = self._invoice(10.0, post=False)
        invoice.with_user(self.billing_user).action_post()
        self.assertEqual(invoice.state, "posted")
        # Resolving it brings the overdue rule back; a billing user reopening it does not lift it.
        dispute.with_user(self.billing_user).action_resolve()
        with self._assert_blocked("An invoice is overdue by 60 days"):
            self._invoice(10.0, post=False).with_user(self.billing_user).action_post()
        dispute.with_user(self.billing_user).action_reopen()
        self.assertRecordValues(dispute, [{"state": "open", "confirmed": False}])
        with self._assert_blocked("An invoice is overdue by 60 days"):
            self._invoice(10.0, post=False).with_user(self.billing_user).action_post()
