from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import ArCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestExposure(ArCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        cls.customer.credit_limit = 2000.0
        # 1,000 due 31 May, 300 paid: 700 open, 30 days overdue
        cls.inv_paid_partly = cls._invoice(1000.0, invoice_date="2026-05-01", due_date="2026-05-31")
        cls._pay(cls.inv_paid_partly, 300.0, "2026-06-10")
        # 500 not due yet, invoiced to a contact of the customer
        cls.inv_not_due = cls._invoice(500.0, partner=cls.contact, invoice_date="2026-06-15", due_date="2026-07-15")
        # a posted credit note not yet matched: -200
        cls.refund = cls._invoice(200.0, move_type="out_refund", invoice_date="2026-06-20")
        # 600 EUR at 2 EUR per USD: 300 USD, due 20 June, 10 days overdue
        cls.inv_eur = cls._invoice(600.0, currency=cls.eur, invoice_date="2026-06-01", due_date="2026-06-20")
        # drafts: +250 invoice; a draft credit note (-50) and a draft invoice with a negative
        # total (-80) never lower the exposure
        cls.draft_invoice = cls._invoice(250.0, post=False)
        cls.draft_refund = cls._invoice(50.0, move_type="out_refund", post=False)
        cls.draft_negative = cls._invoice(-80.0, post=False)
        # noise that never counts: a vendor bill, a cancelled invoice, another customer
        cls._invoice(999.0, move_type="in_invoice")
        cls._invoice(777.0, post=False).button_cancel()
        cls._invoice(5555.0, partner=cls.partner_b)

    def test_exposure_figures(self):
        data = self.customer._ar_get_credit_data(self.company)[self.customer.id]
        self.assertAlmostEqual(data.open_receivable, 700.0 + 500.0 - 200.0 + 300.0, places=2)
        self.assertAlmostEqual(data.draft_invoices, 250.0, places=2)
        self.assertAlmostEqual(data.exposure, 1550.0, places=2)
        self.assertAlmostEqual(data.overdue_amount, 1000.0, places=2)
        self.assertEqual(data.max_days_overdue, 30)
        self.assertAlmostEqual(data.available, 450.0, places=2)

    def test_partner_fields_on_customer_and_contact(self):
        for partner in (self.customer, self.contact):
            self.assertAlmostEqual(partner.ar_exposure, 1550.0, places=2)
            self.assertAlmostEqual(partner.ar_available_credit, 450.0, places=2)
            self.assertAlmostEqual(partner.ar_overdue_amount, 1000.0, places=2)
            self.assertEqual(partner.ar_max_days_overdue, 30)
            self.assertFalse(partner.ar_over_limit)

    def test_full_payment_and_limit_change(self):
        self._pay(self.inv_paid_partly, 700.0, "2026-06-30")
        self.customer.invalidate_recordset()
        self.assertAlmostEqual(self.customer.ar_exposure, 850.0, places=2)
        self.assertAlmostEqual(self.customer.ar_overdue_amount, 300.0, places=2)
        self.assertEqual(self.customer.ar_max_days_overdue, 10)
        self.customer.credit_limit = 750.0
        self.customer.invalidate_recordset()
        self.assertAlmostEqual(self.customer.ar_available_credit, -100.0, places=2)
        self.assertTrue(self.customer.ar_over_limit)
        over = self.env["res.partner"].search([("ar_over_limit", "=", True)])
        self.assertIn(self.customer, over)
        self.assertIn(self.contact, over)
        self.assertNotIn(self.partner_b, over)
        self.assertNotIn(self.customer, self.env["res.partner"].search([("ar_over_limit", "=", False)]))

    def test_exposure_of_many_customers_takes_one_query(self):
        customers = self.env["res.partner"].create([{"name": f"Bulk {i}"} for i in range(20)])
        for customer in customers[:5]:
            self._invoice(100.0, partner=customer)
        self.env.flush_all()
        with self.assertQueryCount(1):
            data = customers._ar_get_credit_data(self.company)
        self.assertEqual(sorted(round(d.exposure, 2) for d in data.values()), [0.0] * 15 + [100.0] * 5)

    def test_branches_count_in_the_exposure_as_in_odoo_credit(self):
        self.company.write({"child_ids": [Command.create({"name": "Alpha branch"})]})
        self.env.cr.precommit.run()  # the branch gets the chart of accounts
        branch = self.company.child_ids
        self.env.user.company_ids |= branch
        move = (
            self.env["account.move"]
            .with_company(branch)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": "2026-06-30",
                    "invoice_date_due": "2026-07-30",
                    "invoice_line_ids": [Command.create({"name": "Service", "price_unit": 70.0, "tax_ids": []})],
                }
            )
        )
        move.action_post()
        self.assertEqual(move.company_id, branch)
        data = self.customer._ar_get_credit_data(self.company)[self.customer.id]
        self.assertAlmostEqual(data.exposure, 1620.0, places=2)
        # Odoo's own figure agrees: the root company and its branches
        self.assertAlmostEqual(self.customer.with_company(self.company).credit, data.open_receivable, places=2)

    def test_receivable_account_created_after_the_ids_were_cached(self):
        """The receivable accounts are cached; one created since counts at once, without a stale figure."""
        before = self.customer._ar_get_credit_data(self.company)[self.customer.id]  # the ids are cached now
        account = self.env["account.account"].create(
            {"name": "Second receivable", "code": "121099", "account_type": "asset_receivable", "reconcile": True}
        )
        # still the ids read before: the statement finds them stale and reads them again
        self.assertNotIn(account.id, self.env["res.partner"]._ar_receivable_account_ids_cached())
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2026-06-30",
                "line_ids": [
                    Command.create(
                        {"account_id": account.id, "partner_id": self.customer.id, "debit": 40.0, "name": "Due"}
                    ),
                    Command.create(
                        {"account_id": self.company_data["default_account_revenue"].id, "credit": 40.0, "name": "Sale"}
                    ),
                ],
            }
        )
        entry.action_post()
        after = self.customer._ar_get_credit_data(self.company)[self.customer.id]
        self.assertAlmostEqual(after.open_receivable, before.open_receivable + 40.0, places=2)
        self.assertIn(account.id, self.env["res.partner"]._ar_receivable_account_ids_cached())
