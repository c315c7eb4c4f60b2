from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import MANAGER, ArCreditCommon
from .tour_common import INVOICES, ArTourCase


@tagged("post_install", "-at_install")
class TestCreditTours(ArCreditCommon, ArTourCase):
    """In a browser: the invoice over the credit limit, for a Credit Manager, a billing user, a salesperson."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["account.move"])
        cls.policy.write({"enforcement": "block", "tolerance_percent": 0.0, "overdue_block_days": 0})
        cls.customer.credit_limit = 1000.0
        cls.old = cls._invoice(
            800.0, invoice_date=cls.today - timedelta(days=60), due_date=cls.today - timedelta(days=30)
        )
        cls.draft = cls._invoice(300.0, post=False)
        cls.manager = cls._user("ar_manager", f"account.group_account_invoice,{MANAGER}")
        cls.billing_user = cls._user("ar_billing", "account.group_account_invoice")
        # names as the guides' screenshots show them
        cls.manager.name = "Marie Manager"
        cls.billing_user.name = "Bill Biller"

    def _invoice_url(self, invoice):
        return f"/odoo/action-account.action_move_out_invoice_type/{invoice.id}"

    def test_manager_overrides_block(self):
        self.ar_start_tour(self._invoice_url(self.draft), "ar_credit_override_tour", login="ar_manager")
        self.assertEqual(self.draft.state, "posted")
        override = self.env["ar.credit.override"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(
            override,
            [
                {
                    "move_id": self.draft.id,
                    "state": "applied",
                    "user_id": self.manager.id,
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
        for record in (self.draft, self.customer):
            notes = record.message_ids.filtered(lambda m: "Credit block overridden" in (m.body or ""))
            self.assertEqual(len(notes), 1, record.display_name)
            self.assertIn("Bank transfer of 1,000 received today", notes.body)
            self.assertIn(self.draft.name, notes.body)
            self.assertEqual(notes.author_id, self.manager.partner_id)

    def test_billing_user_refused(self):
        self.ar_start_tour(self._invoice_url(self.draft), "ar_credit_refused_tour", login="ar_billing")
        self.assertEqual(self.draft.state, "draft")
        self.assertFalse(self.env["ar.credit.override"].search([("partner_id", "=", self.customer.id)]))

    def test_salesperson_sees_credit_read_only(self):
        self._user("ar_sales", "base.group_user,base.group_partner_manager").name = "Sam Seller"
        self.customer.sudo().write({"ar_risk_grade": "B", "ar_risk_score": 72.0})
        self.draft.unlink()
        # exposure 800.00 of a 1,000.00 limit: 200.00 available; shown with the grade B
        self.ar_start_tour(
            f"/odoo/action-base.action_partner_form/{self.customer.id}", "ar_salesperson_credit_tour", login="ar_sales"
        )
        self.assertRecordValues(self.customer, [{"ar_risk_grade": "B", "credit_limit": 1000.0}])

    def test_admin_screens(self):
        """No assertion of its own beyond the tours' steps: the policy, its levels and the settings are shown."""
        # the Configuration menu of Invoicing is for its administrators
        self._user("ar_admin", f"account.group_account_manager,{MANAGER}").name = "Ada Admin"
        self.ar_start_tour(INVOICES, "ar_admin_tour", login="ar_admin")
        self.ar_start_tour("/odoo/action-account.action_account_config", "ar_admin_settings_tour", login="admin")
        self.assertFalse(self.company.ar_invoice_legal_mentions)  # shown, not saved
