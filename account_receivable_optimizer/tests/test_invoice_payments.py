from pathlib import Path

from odoo.addons.account_receivable_optimizer.models.ar_invoice_payments import invoice_payments_sql
from odoo.tests import tagged
from odoo.tools import SQL

from .common import ArCreditCommon

ADDON = Path(__file__).resolve().parent.parent


@tagged("post_install", "-at_install")
class TestInvoicePayments(ArCreditCommon):
    """The payments of customer invoices, gathered by one query for the grading, forecast and KPIs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(1000.0, invoice_date=cls._date("2026-01-10"), due_date=cls._date("2026-02-09"))
        cls._pay(cls.invoice, 600.0, cls._date("2026-02-20"))
        refund = cls._invoice(100.0, invoice_date=cls._date("2026-03-01"), move_type="out_refund")
        (cls.invoice | refund).line_ids.filtered(lambda line: line.account_type == "asset_receivable").reconcile()
        cls._pay(cls.invoice, 300.0, cls._date("2026-03-31"))
        cls.other = cls.env["res.partner"].create({"name": "Beta", "is_company": True})
        cls._pay(cls._invoice(50.0, partner=cls.other, invoice_date=cls._date("2026-03-05")), 50.0, "2026-03-31")

    def _rows(self, date_from, date_to, conditions):
        self.env.flush_all()
        return sorted(
            self.env.execute_query(
                SQL(
                    "SELECT partner_id, due_date, invoice_date, payment_date, amount FROM (%s) pay",
                    invoice_payments_sql(self._date(date_from), self._date(date_to), conditions),
                )
            )
        )

    def test_payments_not_credit_notes(self):
        """Both bounds are included; a credit note is no payment; the conditions filter the rows."""
        customer = SQL("cp.id = %s", self.customer.id)
        self.assertEqual(
            [
                (p, due.isoformat(), inv.isoformat(), pay.isoformat(), float(amount))
                for p, due, inv, pay, amount in self._rows("2026-02-20", "2026-03-31", customer)
            ],
            [
                (self.customer.id, "2026-02-09", "2026-01-10", "2026-02-20", 600.0),
                (self.customer.id, "2026-02-09", "2026-01-10", "2026-03-31", 300.0),
            ],
        )
        self.assertEqual(len(self._rows("2026-02-21", "2026-03-30", customer)), 0)
        self.assertEqual(len(self._rows("2026-01-01", "2026-12-31", SQL("aml.company_id = %s", self.company.id))), 3)

    def test_one_query(self):
        """No other file of the addon gathers the payments of customer invoices by itself."""
        copies = sorted(
            str(path.relative_to(ADDON))
            for path in ADDON.rglob("*.py")
            if "tests" not in path.parts
            and "account_partial_reconcile" in (text := path.read_text())
            and "move_type != 'out_refund'" in text
        )
        self.assertEqual(copies, ["models/ar_invoice_payments.py"])
