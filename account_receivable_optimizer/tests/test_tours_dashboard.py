from odoo.addons.account_receivable_optimizer.demo import generator
from odoo.tests import tagged

from .tour_common import INVOICES, ArTourCase

ADDON = "account_receivable_optimizer"


@tagged("post_install", "-at_install")
class TestDashboardTours(ArTourCase):
    """In a browser, on a small demo ledger (twelve customers, two years): the receivables dashboard
    in English and in French and the DSO graph of the KPIs, as the manager's guide shows them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        # the menus, views and fields in French; the web client's own terms come from its files
        cls.env["ir.module.module"]._load_module_terms(["base", "web", "account", ADDON], ["fr_FR"], overwrite=True)
        # today's ledger: the dashboard shows this month
        cls.demo = generator.generate(cls.env, customers=12, months=24, replay_days=40)
        cls.manager = cls.demo.users["manager"]
        # the tours log in with the login as password
        cls.manager.password = "manager"

    def test_dashboard_in_english(self):
        self.manager.lang = "en_US"
        self.ar_start_tour(INVOICES, "ar_dashboard_screens_tour", login="manager")

    def test_dashboard_in_french(self):
        self.manager.lang = "fr_FR"
        self.ar_start_tour(INVOICES, "ar_dashboard_screens_fr_tour", login="manager")
