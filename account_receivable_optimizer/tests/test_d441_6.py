import io

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CONTROLLER, ArCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2027-02-15")
class TestD4416(ArCreditCommon):
    """The late-payment table of docs/credit-insurance.md, on a constructed ledger (closing 2026-12-31)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier = cls.env["res.partner"].create({"name": "Papeterie Dupont", "is_company": True})
        issued = [
            # (amount, invoice date, due date)
            (1200.0, "2026-12-15", "2027-01-15"),  # not late
            (2400.0, "2026-11-16", "2026-12-16"),  # 15 days; paid after the closing
            (3600.0, "2026-10-17", "2026-11-16"),  # 45 days
            (600.0, "2026-10-07", "2026-11-06"),  # 55 days
            (1800.0, "2026-08-03", "2026-09-02"),  # 120 days
            (960.0, "2026-09-01", "2026-10-01"),  # disputed at the closing: excluded
            (89440.0, "2026-02-01", "2026-03-03"),  # paid in the year
        ]
        cls.issued = [cls._invoice(amount, invoice_date=date, due_date=due, post=True) for amount, date, due in issued]
        cls._pay(cls.issued[6], 89440.0, "2026-03-01")
        cls._pay(cls.issued[1], 2400.0, "2027-01-10")
        reason = cls.env["ar.dispute.reason"].create({"name": "Damaged goods"})
        with freeze_time("2026-10-15"):
            cls.env["ar.invoice.dispute"].create({"move_id": cls.issued[5].id, "reason_id": reason.id})
        received = [
            (5000.0, "2026-11-01", "2026-12-01"),  # 30 days
            (2000.0, "2026-09-01", "2026-10-01"),  # 91 days
            (43000.0, "2026-05-01", "2026-05-31"),  # paid in the year
        ]
        cls.received = [
            cls._invoice(amount, invoice_date=date, due_date=due, partner=cls.supplier, move_type="in_invoice")
            for amount, date, due in received
        ]
        cls._pay(cls.received[2], 43000.0, "2026-05-31")
        # after the closing: in neither table nor base
        cls._invoice(7777.0, invoice_date="2027-01-05", due_date="2027-01-05")
        cls.controller = cls._user("ar_d441_controller", CONTROLLER)
        cls.billing = cls._user("ar_d441_billing", "account.group_account_invoice")

    def _report(self, user=None):
        return (
            self.env["ar.d441.report"]
            .with_user(user or self.controller)
            .create({"company_id": self.company.id, "date_to": "2026-12-31"})
        )

    def test_year_and_closing(self):
        report = self._report()
        self.assertEqual(str(report.date_from), "2026-01-01")

    def test_issued_invoices_by_band(self):
        table = self._report()._ar_d441_tables()["issued"]
        cells = table.cells
        expected = {
            "0": (1, 1200.0, 1.2),
            "1_30": (1, 2400.0, 2.4),
            "31_60": (2, 4200.0, 4.2),
            "61_90": (0, 0.0, 0.0),
            "91": (1, 1800.0, 1.8),
            "late": (4, 8400.0, 8.4),
        }
        for code, (count, amount, percent) in expected.items():
            with self.subTest(band=code):
                self.assertEqual(cells[code].count, count)
                self.assertAlmostEqual(cells[code].amount, amount, places=2)
                self.assertAlmostEqual(cells[code].percent, percent, places=4)
        self.assertAlmostEqual(table.base, 100000.0, places=2)
        self.assertEqual((table.excluded.count, round(table.excluded.amount, 2)), (1, 960.0))

    def test_received_invoices_by_band(self):
        table = self._report()._ar_d441_tables()["received"]
        self.assertAlmostEqual(table.base, 50000.0, places=2)
        self.assertEqual((table.cells["1_30"].count, table.cells["1_30"].amount), (1, 5000.0))
        self.assertAlmostEqual(table.cells["1_30"].percent, 10.0, places=4)
        self.assertEqual((table.cells["91"].count, table.cells["91"].amount), (1, 2000.0))
        self.assertEqual((table.cells["late"].count, table.cells["late"].amount), (2, 7000.0))
        self.assertAlmostEqual(table.cells["late"].percent, 14.0, places=4)
        self.assertEqual(table.cells["0"].count, 0)
        self.assertEqual(table.excluded.count, 0)

    def test_resolved_dispute_is_not_excluded(self):
        self.issued[5].ar_dispute_ids.action_resolve()  # resolved on 2027-02-15, after the closing
        table = self._report()._ar_d441_tables()["issued"]
        self.assertEqual(table.excluded.count, 1)
        self.issued[5].ar_dispute_ids.sudo().date_resolved = "2026-12-20"  # resolved before the closing
        table = self._report()._ar_d441_tables()["issued"]
        self.assertEqual(table.excluded.count, 0)
        self.assertEqual((table.cells["91"].count, table.cells["91"].amount), (2, 2760.0))

    def test_xlsx(self):
        content = io.BytesIO(self._report()._ar_build_xlsx())
        sheet = openpyxl.load_workbook(content).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        amounts = next(row for row in rows if row[0] and "Total amount of the invoices concerned" in row[0] and row[6])
        # the first side is the invoices received
        self.assertEqual(amounts[1:7], [0, 5000, 0, 0, 2000, 7000])
        issued = [row for row in rows if row[0] and row[0].startswith("Total amount of the invoices concerned")][1]
        self.assertEqual(issued[1:7], [1200, 2400, 4200, 0, 1800, 8400])
        percents = next(row for row in rows if row[0] and row[0].startswith("Percentage of the year's turnover"))
        self.assertEqual([round(v, 2) for v in percents[1:7]], [1.2, 2.4, 4.2, 0.0, 1.8, 8.4])

    def test_pdf(self):
        report = self._report()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account_receivable_optimizer.ar_d441_report_pdf", report.ids)[0]
            .decode()
        )
        self.assertIn("91 days and more", html)
        self.assertIn("8,400.00", html)
        self.assertIn("8.40</span> %", html)
        self.assertIn("960.00", html)

    def test_access(self):
        with self.assertRaises(AccessError):
            self._report(self.billing)
        other = self.env["res.company"].create({"name": "Other Co"})
        with self.assertRaises(AccessError):
            self.env["ar.d441.report"].with_user(self.controller).create(
                {"company_id": other.id, "date_to": "2026-12-31"}
            )

    def test_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        report = self._report().with_context(lang="fr_FR")
        labels = report._ar_d441_labels()
        self.assertEqual(labels["bands"]["91"], "91 jours et plus")
        self.assertEqual(labels["percent_issued"], "Pourcentage du chiffre d'affaires de l'exercice (HT)")
        self.assertIn("dont le terme est échu", labels["title"])
        html = (
            self.env["ir.actions.report"]
            .with_context(lang="fr_FR")
            ._render_qweb_html("account_receivable_optimizer.ar_d441_report_pdf", report.ids)[0]
            .decode()
        )
        self.assertIn("91 jours et plus", html)
        self.assertIn("8,40</span> %", html)
