from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import ArCreditCommon


@tagged("post_install", "-at_install")
class TestReportsTour(ArCreditCommon, HttpCase):
    """In a browser, as an accounting manager: the receivables reports survive a reload, the DSO
    graph draws DSO, the dashboard shows each card's value and label apart."""

    def test_reports_tour(self):
        today = fields.Date.context_today(self.env["account.move"])
        self._invoice(1000.0, invoice_date=today - timedelta(days=40), due_date=today - timedelta(days=10))
        beta = self.env["res.partner"].create({"name": "Beta Corp", "is_company": True})
        self._invoice(2000.0, partner=beta, invoice_date=today - timedelta(days=5), due_date=today + timedelta(days=25))
        # what the nightly job stores and the dashboard reads
        self.env["ar.kpi.fact"]._ar_refresh_recent(self.company)
        self.env["ar.receivable.snapshot"]._ar_snapshot_recent(self.company)
        self.env["ar.forecast.week"]._ar_store_forecast(self.company)
        self._user("ar_tour_manager", "account.group_account_manager")
        # compile the bundles now rather than while the browser's first requests wait for them
        for bundle in ("web.assets_web", "web.assets_tests", "web.chartjs_lib"):
            assets = self.env["ir.qweb"]._get_asset_bundle(bundle)
            assets.js()
            assets.css()
        # the whole tour may take minutes on a loaded machine
        self.start_tour("/odoo", "ar_reports_tour", login="ar_tour_manager", timeout=600)
