from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import ArCreditCommon


@tagged("post_install", "-at_install")
class TestDashboardTicksTour(ArCreditCommon, HttpCase):
    """In a browser: the dashboard charts' axis labels follow the user's language, not Chart.js's default."""

    def test_chart_ticks_in_the_user_format(self):
        today = fields.Date.context_today(self.env["account.move"])
        self._invoice(12000.0, invoice_date=today - timedelta(days=40), due_date=today - timedelta(days=10))
        self._invoice(30000.0, invoice_date=today - timedelta(days=5), due_date=today + timedelta(days=10))
        # what the nightly job stores and the dashboard reads: facts, snapshot, forecast
        self.env["ar.kpi.fact"]._ar_refresh_recent(self.company)
        self.env["ar.receivable.snapshot"]._ar_snapshot_recent(self.company)
        self.env["ar.forecast.week"]._ar_store_forecast(self.company)
        # a language whose thousands separator is not the browser's (Chart.js would draw "30,000")
        lang = self.env["res.lang"]._activate_lang("fr_FR")
        lang.write({"thousands_sep": ".", "decimal_point": ",", "grouping": "[3,0]"})
        user = self._user("ar_ticks_manager", "account.group_account_manager")
        user.lang = "fr_FR"
        for bundle in ("web.assets_web", "web.assets_tests", "web.chartjs_lib"):
            assets = self.env["ir.qweb"]._get_asset_bundle(bundle)
            assets.js()
            assets.css()
        self.start_tour(
            "/odoo/action-account_receivable_optimizer.ar_receivables_dashboard_client_action",
            "ar_dashboard_ticks_tour",
            login="ar_ticks_manager",
            timeout=600,
        )
