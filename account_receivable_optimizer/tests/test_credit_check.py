from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .. import compat
from .common import CONTROLLER, MANAGER, ArCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestCreditCheck(ArCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write({"enforcement": "block", "tolerance_percent": 0.0, "overdue_block_days": 0})
        cls.customer.credit_limit = 1000.0
        cls.billing_user = cls._user("ar_billing", "account.group_account_invoice")
        cls.manager = cls._user("ar_manager", f"account.group_account_invoice,{MANAGER}")

    def test_block_over_limit_names_customer_exposure_limit_and_overdue(self):
        self._invoice(800.0, invoice_date="2026-05-01", due_date="2026-05-31")
        invoice = self._invoice(300.0, post=False, invoice_date="2026-06-30")
        with self.assertRaises(UserError) as caught:
            invoice.with_user(self.billing_user).action_post()
        message = str(caught.exception)
        self.assertIn("Alpha Industries", message)
        self.assertIn("exposure after posting $\xa01,100.00", message)
        self.assertIn("credit limit $\xa01,000.00", message)
        self.assertIn("overdue $\xa0800.00", message)
        self.assertIn("exceeds the credit limit plus 0.0% tolerance ($\xa01,000.00)", message)
        self.assertEqual(invoice.state, "draft")

    def test_limit_is_inclusive_and_tolerance_widens_it(self):
        self._invoice(1000.0)  # exactly the limit
        self.policy.tolerance_percent = 10.0
        self._invoice(100.0)  # exposure 1,100.00 = limit + 10 %
        invoice = self._invoice(0.01, post=False)
        with self.assertRaises(UserError):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")

    def test_batch_posting_counts_every_invoice(self):
        first = self._invoice(600.0, post=False)
        second = self._invoice(600.0, post=False)
        with self.assertRaises(UserError):
            (first | second).action_post()
        self.assertEqual((first | second).mapped("state"), ["draft", "draft"])

    def test_draft_invoices_count_in_the_exposure(self):
        self._invoice(900.0, post=False)
        invoice = self._invoice(200.0, post=False)
        with self.assertRaises(UserError):
            invoice.action_post()

    def test_warn_posts_and_explains(self):
        self.policy.enforcement = "warn"
        self._invoice(900.0)
        invoice = self._invoice(200.0, post=False)
        self.assertIn("Alpha Industries: exposure after posting $\xa01,100.00", invoice.partner_credit_warning)
        self.assertIn("Risk grade: not graded. Exposure after posting: $\xa01,100.00.", invoice.partner_credit_warning)
        self.assertIn("Available credit: $\xa0-100.00.", invoice.partner_credit_warning)
        self.assertIn("The credit policy only warns", invoice.partner_credit_warning)
        self.assertFalse(invoice.ar_credit_blocked)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        notes = invoice.message_ids.filtered(lambda m: "Posted over the credit policy" in (m.body or ""))
        self.assertEqual(len(notes), 1)

    def test_banner_under_block_follows_the_form_amount(self):
        self._invoice(900.0)
        with Form(self.env["account.move"].with_context(default_move_type="out_invoice")) as form:
            form.partner_id = self.customer
            form.invoice_date = self._date("2026-06-30")
            with form.invoice_line_ids.new() as line:
                line.name = "Service"
                line.price_unit = 50.0
                line.tax_ids.clear()
            self.assertFalse(form.ar_credit_blocked)
            with form.invoice_line_ids.edit(0) as line:
                line.price_unit = 150.0
            self.assertTrue(form.ar_credit_blocked)
            warning = compat.form_credit_warning(form)
            self.assertIn("exposure after posting $\xa01,050.00", warning)
            self.assertIn("Posting will be refused", warning)

    def test_overdue_rule(self):
        self.customer.credit_limit = 0.0
        self.policy.overdue_block_days = 30
        self._invoice(100.0, invoice_date="2026-05-01", due_date="2026-05-31")  # 30 days overdue
        self._invoice(100.0)  # passes: 30 days is allowed
        old = self._invoice(100.0, invoice_date="2026-05-01", due_date="2026-05-30")  # 31 days
        invoice = self._invoice(100.0, post=False)
        with self.assertRaises(UserError) as caught:
            invoice.action_post()
        self.assertIn("overdue by 31 days; the policy allows 30 days", str(caught.exception))
        self._pay(old, 100.0, "2026-06-30")
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    def test_an_invoice_posted_with_a_past_due_date_does_not_block_itself(self):
        self.customer.credit_limit = 0.0
        self.policy.overdue_block_days = 30
        invoice = self._invoice(100.0, invoice_date="2026-03-01", due_date="2026-03-31")
        self.assertEqual(invoice.state, "posted")

    def test_hold_blocks_without_limit(self):
        self.customer.write({"credit_limit": 0.0, "ar_credit_hold": True})
        invoice = self._invoice(10.0, post=False)
        with self.assertRaises(UserError) as caught:
            invoice.action_post()
        self.assertIn("The customer is on credit hold.", str(caught.exception))

    def test_credit_notes_and_vendor_bills_are_never_blocked(self):
        self.customer.ar_credit_hold = True
        refund = self._invoice(10.0, move_type="out_refund")
        bill = self._invoice(5000.0, move_type="in_invoice")
        self.assertEqual((refund | bill).mapped("state"), ["posted", "posted"])

    def test_no_context_key_bypasses_the_block(self):
        self.customer.ar_credit_hold = True
        invoice = self._invoice(10.0, post=False)
        for key in ("ar_skip_credit_check", "skip_credit_check", "force_post", "ar_credit_override"):
            with self.assertRaises(UserError):
                invoice.with_context(**{key: True}).action_post()
        with self.assertRaises(UserError):
            invoice.sudo()._post(soft=False)
        self.assertEqual(invoice.state, "draft")

    def test_override_by_credit_manager_is_recorded(self):
        self._invoice(800.0, invoice_date="2026-05-01", due_date="2026-05-31")
        invoice = self._invoice(300.0, post=False)
        action = invoice.with_user(self.manager).action_ar_credit_override()
        wizard = (
            self.env["ar.credit.override.wizard"]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"reason": "  Bank transfer of 1,000 received today  "})
        )
        self.assertIn("exposure after posting $\xa01,100.00", wizard.warning)
        wizard.action_confirm()
        self.assertEqual(invoice.state, "posted")
        override = self.env["ar.credit.override"].search([("move_id", "=", invoice.id)])
        self.assertRecordValues(
            override,
            [
                {
                    "state": "applied",
                    "user_id": self.manager.id,
                    "partner_id": self.customer.id,
                    "reason": "Bank transfer of 1,000 received today",
                    "amount_total": 300.0,
                    "exposure": 1100.0,
                    "credit_limit": 1000.0,
                    "overdue_amount": 800.0,
                    "max_days_overdue": 30,
                    "blocked_reasons": "limit",
                }
            ],
        )
        partner_notes = self.customer.message_ids.filtered(lambda m: "Credit block overridden" in (m.body or ""))
        self.assertEqual(len(partner_notes), 1)
        self.assertIn("Bank transfer of 1,000 received today", partner_notes.body)
        self.assertIn(invoice.name, partner_notes.body)

    def test_override_without_reason_changes_nothing(self):
        self.customer.ar_credit_hold = True
        invoice = self._invoice(10.0, post=False)
        wizard = (
            self.env["ar.credit.override.wizard"]
            .with_user(self.manager)
            .create({"move_ids": [(6, 0, invoice.ids)], "reason": "   "})
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(invoice.state, "draft")
        self.assertFalse(self.env["ar.credit.override"].search([("move_id", "=", invoice.id)]))

    def test_only_credit_managers_override(self):
        self.customer.ar_credit_hold = True
        invoice = self._invoice(10.0, post=False)
        controller = self._user("ar_controller", CONTROLLER)
        for user in (self.billing_user, controller):
            with self.assertRaises(AccessError):
                self.env["ar.credit.override.wizard"].with_user(user).create(
                    {"move_ids": [(6, 0, invoice.ids)], "reason": "please"}
                )
        # A pending override of a manager does not let anybody else post.
        self.env["ar.credit.override"].sudo().create(
            {"move_id": invoice.id, "partner_id": self.customer.id, "reason": "for me only", "user_id": self.manager.id}
        )
        with self.assertRaises(UserError):
            invoice.with_user(self.billing_user).action_post()
        self.assertEqual(invoice.state, "draft")

    def test_unneeded_override_is_not_kept(self):
        invoice = self._invoice(10.0, post=False)
        self.env["ar.credit.override.wizard"].with_user(self.manager).create(
            {"move_ids": [(6, 0, invoice.ids)], "reason": "just in case"}
        ).action_confirm()
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(self.env["ar.credit.override"].search([("move_id", "=", invoice.id)]))

    def test_new_customer_gets_the_default_limit_and_a_review_date(self):
        self.customer.credit_limit = 0.0
        self._invoice(100.0)  # the customer is not new any more
        self.policy.write({"default_credit_limit": 5000.0, "review_months": 6})
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        self._invoice(100.0, partner=newcomer)
        self.assertEqual(newcomer.credit_limit, 5000.0)
        self.assertEqual(newcomer.ar_credit_review_date, self._date("2026-12-30"))
        # an existing customer keeps its (absent) limit
        self._invoice(100.0)
        self.assertEqual(self.customer.credit_limit, 0.0)
        self.assertFalse(self.customer.use_partner_credit_limit)

    def test_block_message_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_receivable_optimizer"], ["fr_FR"], overwrite=True)
        self.billing_user.lang = "fr_FR"
        self.customer.ar_credit_hold = True
        invoice = self._invoice(10.0, post=False)
        with self.assertRaises(UserError) as caught:
            invoice.with_user(self.billing_user).with_context(lang="fr_FR").action_post()
        self.assertIn("La politique de crédit bloque la facture", str(caught.exception))
        self.assertIn("Le compte du client est bloqué.", str(caught.exception))
