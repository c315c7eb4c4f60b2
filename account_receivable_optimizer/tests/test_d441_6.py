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


@tagged("post_install", "-at_install")
@freeze_time("2027-02-15")
class TestD4416PaidLate(ArCreditCommon):
    """The alternative table (Article D441-6 II) of docs/credit-insurance.md: invoices paid late in 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier = cls.env["res.partner"].create({"name": "Papeterie Dupont", "is_company": True})
        issued = [
            # (amount, invoice date, due date, [(payment amount, payment date)])
            (4000.0, "2026-03-01", "2026-03-31", [(4000.0, "2026-03-31")]),  # on the due date: 0 day
            (2000.0, "2026-03-31", "2026-04-30", [(2000.0, "2026-05-30")]),  # 30 days
            (3000.0, "2026-03-31", "2026-04-30", [(3000.0, "2026-05-31")]),  # 31 days
            (1000.0, "2025-10-31", "2025-11-30", [(1000.0, "2026-03-10")]),  # 100 days, issued last year
            (500.0, "2026-05-01", "2026-05-31", [(500.0, "2026-07-15")]),  # disputed on 10 June: excluded
            (6000.0, "2026-08-31", "2026-09-30", [(1000.0, "2026-11-15")]),  # still partly open at closing
            (800.0, "2026-10-01", "2026-10-31", [(800.0, "2027-01-05")]),  # paid after the closing
            (1500.0, "2026-05-31", "2026-06-30", [(500.0, "2026-06-15"), (1000.0, "2026-08-14")]),  # 45 days
            (22200.0, "2026-12-15", "2027-01-15", []),  # open, not due
        ]
        cls.issued = cls.env["account.move"]
        for amount, date, due, _payments in issued:
            cls.issued |= cls._invoice(amount, invoice_date=date, due_date=due)
        reason = cls.env["ar.dispute.reason"].create({"name": "Damaged goods"})
        with freeze_time("2026-06-10"):
            cls.env["ar.invoice.dispute"].create({"move_id": cls.issued[4].id, "reason_id": reason.id})
        for invoice, (_amount, _date, _due, payments) in zip(cls.issued, issued, strict=True):
            for paid, paid_on in payments:
                cls._pay(invoice, paid, paid_on)
        received = [
            (5000.0, "2026-01-15", "2026-02-14", "2026-02-14"),  # on the due date
            (2000.0, "2026-02-01", "2026-03-03", "2026-06-01"),  # 90 days
            (3000.0, "2026-11-01", "2026-12-01", None),  # open
        ]
        for amount, date, due, paid_on in received:
            bill = cls._invoice(amount, invoice_date=date, due_date=due, partner=cls.supplier, move_type="in_invoice")
            if paid_on:
                cls._pay(bill, amount, paid_on)
        cls.controller = cls._user("ar_d441_paid_controller", CONTROLLER)

    def _report(self):
        return (
            self.env["ar.d441.report"]
            .with_user(self.controller)
            .create({"company_id": self.company.id, "date_to": "2026-12-31", "variant": "paid_late"})
        )

    def _assert_cells(self, table, expected):
        for code, (count, amount, percent) in expected.items():
            with self.subTest(band=code):
                self.assertEqual(table.cells[code].count, count)
                self.assertAlmostEqual(table.cells[code].amount, amount, places=2)
                self.assertAlmostEqual(table.cells[code].percent, percent, places=4)

    def test_issued_invoices_by_band(self):
        table = self._report()._ar_d441_tables()["issued"]
        self.assertAlmostEqual(table.base, 40000.0, places=2)
        self._assert_cells(
            table,
            {
                "0": (1, 4000.0, 10.0),
                "1_30": (1, 2000.0, 5.0),
                "31_60": (2, 4500.0, 11.25),
                "61_90": (0, 0.0, 0.0),
                "91": (1, 1000.0, 2.5),
                "late": (4, 7500.0, 18.75),
            },
        )
        self.assertEqual((table.excluded.count, round(table.excluded.amount, 2)), (1, 500.0))

    def test_received_invoices_by_band(self):
        table = self._report()._ar_d441_tables()["received"]
        self.assertAlmostEqual(table.base, 10000.0, places=2)
        self._assert_cells(
            table,
            {
                "0": (1, 5000.0, 50.0),
                "1_30": (0, 0.0, 0.0),
                "31_60": (0, 0.0, 0.0),
                "61_90": (1, 2000.0, 20.0),
                "91": (0, 0.0, 0.0),
                "late": (1, 2000.0, 20.0),
            },
        )
        self.assertEqual(table.excluded.count, 0)

    def test_dispute_opened_after_the_payment_is_not_excluded(self):
        self.issued[4].ar_dispute_ids.sudo().date_opened = "2026-07-16"
        table = self._report()._ar_d441_tables()["issued"]
        self.assertEqual(table.excluded.count, 0)
        self.assertEqual((table.cells["31_60"].count, table.cells["31_60"].amount), (3, 5000.0))

    def test_constant_queries(self):
        """One query per side, whatever the number of invoices (after a first run that warms the caches)."""
        report = self._report()
        report._ar_d441_tables()
        with self.assertQueryCount(2):
            report._ar_d441_tables()
        self._invoice(700.0, invoice_date="2026-06-01", due_date="2026-06-01")
        for _index in range(3):
            self._pay(self._invoice(900.0, invoice_date="2026-06-01", due_date="2026-06-01"), 900.0, "2026-07-01")
        report._ar_d441_tables()
        with self.assertQueryCount(2):
            tables = report._ar_d441_tables()
        self.assertEqual((tables["issued"].cells["1_30"].count, tables["issued"].cells["1_30"].amount), (4, 4700.0))

    def test_xlsx_and_pdf(self):
        report = self._report()
        sheet = openpyxl.load_workbook(io.BytesIO(report._ar_build_xlsx())).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        self.assertIn("Article D441-6 II", rows[0][0])
        amounts = [row for row in rows if row[0] == "Cumulative amount of the invoices concerned (incl. tax)"]
        self.assertEqual(amounts[0][1:7], [5000, 0, 0, 2000, 0, 2000])  # received first
        self.assertEqual(amounts[1][1:7], [4000, 2000, 4500, 0, 1000, 7500])
        percents = next(
            row for row in rows if row[0] and row[0].startswith("Percentage of the total amount of the invoices issued")
        )
        self.assertEqual([round(v, 2) for v in percents[1:7]], [10.0, 5.0, 11.25, 0.0, 2.5, 18.75])
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account_receivable_optimizer.ar_d441_report_pdf", report.ids)[0]
            .decode()
        )
        self.assertIn("paid late during the financial year", html)
        self.assertIn("7,500.00", html)
        self.assertIn("18.75</span> %", html)

    def test_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        report = self._report().with_context(lang="fr_FR")
        labels = report._ar_d441_labels()
        self.assertEqual(labels["count"], "Nombre cumulé de factures concernées")
        self.assertEqual(
            labels["percent_issued"], "Pourcentage du montant total des factures émises dans l'année (TTC)"
        )
        html = (
            self.env["ir.actions.report"]
            .with_context(lang="fr_FR")
            ._render_qweb_html("account_receivable_optimizer.ar_d441_report_pdf", report.ids)[0]
            .decode()
        )
        self.assertIn("ayant connu un retard de paiement au cours de l&#39;exercice", html)
        self.assertIn("18,75</span> %", html)
