from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CONTROLLER, MANAGER, ArCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestAccess(ArCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"credit_limit": 1000.0})
        cls._invoice(400.0)
        # Everybody may edit contacts ("Contact Creation"): what is refused below is ours.
        cls.salesperson = cls._user("ar_sales", "base.group_user,base.group_partner_manager")
        cls.billing = cls._user("ar_billing", "account.group_account_invoice,base.group_partner_manager")
        cls.controller = cls._user("ar_controller", f"{CONTROLLER},base.group_partner_manager")
        cls.manager = cls._user("ar_manager", f"{MANAGER},base.group_partner_manager")

    def test_salesperson_reads_grade_and_available_credit_only(self):
        customer = self.customer.with_user(self.salesperson)
        customer.read(["ar_risk_grade", "ar_risk_score", "ar_available_credit", "ar_credit_hold"])
        self.assertAlmostEqual(customer.ar_available_credit, 600.0, places=2)
        with self.assertRaises(AccessError):
            customer.read(["ar_exposure"])
        with self.assertRaises(AccessError):
            customer.write({"ar_credit_hold": True})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesperson).create({"name": "New", "ar_credit_hold": True})
        with self.assertRaises(AccessError):
            self.env["ar.credit.policy"].with_user(self.salesperson).create({"name": "Mine"})
        with self.assertRaises(AccessError):
            customer.action_ar_recompute_risk_grade()
        # Other partner fields stay editable by whoever could edit them before.
        self.customer.with_user(self.billing).write({"phone": "+32 2 000 00 00"})

    def test_billing_user_cannot_change_credit_terms(self):
        customer = self.customer.with_user(self.billing)
        self.assertAlmostEqual(customer.ar_exposure, 400.0, places=2)
        for vals in ({"credit_limit": 5000.0}, {"ar_credit_hold": True}, {"ar_credit_review_date": "2027-01-01"}):
            with self.assertRaises(AccessError):
                customer.write(vals)
        with self.assertRaises(AccessError):
            customer.write({"ar_credit_policy_id": self.policy.id})
        with self.assertRaises(AccessError):
            self.policy.with_user(self.billing).write({"enforcement": "block"})
        self.assertEqual(self.customer.credit_limit, 1000.0)

    def test_controller_recomputes_but_does_not_configure(self):
        self.customer.with_user(self.controller).action_ar_recompute_risk_grade()
        self.assertEqual(self.customer.ar_risk_grade, "A")
        with self.assertRaises(AccessError):
            self.policy.with_user(self.controller).write({"enforcement": "block"})
        with self.assertRaises(AccessError):
            self.customer.with_user(self.controller).write({"credit_limit": 2000.0})
        self.env["ar.credit.override"].with_user(self.controller).search([])
        with self.assertRaises(AccessError):
            self.env["ar.credit.override"].with_user(self.controller).create(
                {
                    "move_id": self.env["account.move"].search([], limit=1).id,
                    "partner_id": self.customer.id,
                    "reason": "x",
                }
            )

    def test_manager_configures(self):
        self._flush_tracking()  # the customer was created in this transaction
        self.policy.with_user(self.manager).write({"enforcement": "block", "tolerance_percent": 5.0})
        self.customer.with_user(self.manager).write({"credit_limit": 2500.0, "ar_credit_hold": True})
        self.assertEqual(self.customer.credit_limit, 2500.0)
        self.assertTrue(self.customer.ar_credit_hold)
        policy = self.env["ar.credit.policy"].with_user(self.manager).create({"name": "Strict"})
        self._flush_tracking()
        self.assertEqual(policy.company_id, self.company)
        hold_tracking = self.customer.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "ar_credit_hold"
        )
        self.assertEqual(len(hold_tracking), 1)

    def test_accounting_administrators_are_credit_managers(self):
        admin = self._user("ar_admin", "account.group_account_manager")
        self.assertTrue(admin.has_group(MANAGER))

    def test_multi_company_rule(self):
        other = self.setup_other_company()["company"]
        manager_other = self._user("ar_manager_other", MANAGER, company=other)
        with self.assertRaises(AccessError):
            self.policy.with_user(manager_other).read(["name"])
        self.assertEqual(self.env["ar.credit.policy"].with_user(manager_other).search([]), other.ar_credit_policy_id)
