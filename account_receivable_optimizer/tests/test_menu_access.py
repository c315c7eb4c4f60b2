from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CONTROLLER, MANAGER, ArCreditCommon

CONFIG_MENUS = {
    "ar_configuration_menu",
    "ar_credit_policy_menu",
    "ar_dispute_reason_menu",
    "ar_late_payment_rate_menu",
    "ar_credit_insurance_contract_menu",
}


@tagged("post_install", "-at_install")
class TestConfigurationMenus(ArCreditCommon):
    """The credit control settings are reachable by the credit groups, not by the billing users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._user("ar_menu_manager", MANAGER)
        cls.controller = cls._user("ar_menu_controller", CONTROLLER)
        cls.billing = cls._user("ar_menu_billing", "account.group_account_invoice")
        cls.admin = cls._user("ar_menu_admin", "account.group_account_manager")

    def _visible(self, user):
        """The module's settings menus ``user`` sees, and whether it sees Odoo's Configuration menu."""
        Menu = self.env["ir.ui.menu"].with_user(user)
        visible = Menu._visible_menu_ids()
        menus = {name: self.env.ref(f"account_receivable_optimizer.{name}").id for name in CONFIG_MENUS}
        loaded = Menu.load_menus(False)
        self.assertEqual(
            {name for name, menu_id in menus.items() if menu_id in loaded},
            {name for name, menu_id in menus.items() if menu_id in visible},
        )
        return (
            {name for name, menu_id in menus.items() if menu_id in visible},
            self.env.ref("account.menu_finance_configuration").id in visible,
        )

    def test_menu_visibility(self):
        self.assertEqual(self._visible(self.manager), (CONFIG_MENUS, False))
        self.assertEqual(
            self._visible(self.controller),
            ({"ar_configuration_menu", "ar_late_payment_rate_menu", "ar_credit_insurance_contract_menu"}, False),
        )
        self.assertEqual(self._visible(self.billing), (set(), False))
        self.assertEqual(self._visible(self.admin), (CONFIG_MENUS, True))

    def test_policy_access(self):
        policy = self.policy.with_user(self.manager)
        policy.write({"tolerance_percent": 5.0})
        self.assertEqual(policy.tolerance_percent, 5.0)
        created = self.env["ar.credit.policy"].with_user(self.manager).create({"name": "Strict"})
        self.assertEqual(created.company_id, self.company)
        billing_policy = self.policy.with_user(self.billing)
        self.assertEqual(billing_policy.name, self.policy.name)  # reads the policy of its customers
        with self.assertRaises(AccessError):
            billing_policy.write({"tolerance_percent": 1.0})
        with self.assertRaises(AccessError):
            self.env["ar.credit.policy"].with_user(self.billing).create({"name": "Lax"})
