from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CONTROLLER, MANAGER
from .dunning_common import ArDunningCommon


@tagged("post_install", "-at_install")
class TestLateCharges(ArDunningCommon):
    """Statutory late-payment charges (docs/dunning.md, "late-payment charges").

    The shipped statutory rates: 13.15 % from 1 January 2025, 12.15 % from 1 July 2025.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write(
            {
                "charge_enabled": True,
                "charge_rate_source": "statutory",
                "charge_rate_margin": 0.0,
                "charge_paid_late": False,
                "charge_paid_late_from": "2025-01-01",
            }
        )
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])

    def _paid_late_invoice(self):
        """The worked example of the guide: 1,200 due 1 June 2025, 500 paid 21 June, 700 paid 31 July."""
        invoice = self._invoice(1200.0, invoice_date="2025-05-02", due_date="2025-06-01")
        self._pay(invoice, 500.0, "2025-06-21")
        self._pay(invoice, 700.0, "2025-07-31")
        self.assertEqual(invoice.payment_state, "paid")
        return invoice

    def test_shipped_statutory_rates(self):
        rates = self.env["ar.late.payment.rate"].search([("company_id", "=", False)])
        by_date = {str(rate.date_from): rate.rate for rate in rates}
        self.assertEqual(by_date["2025-01-01"], 13.15)
        self.assertEqual(by_date["2025-07-01"], 12.15)
        self.assertEqual(by_date["2026-01-01"], 12.15)
        # a company's own row wins on the same date; other companies keep the statutory one
        self.env["ar.late.payment.rate"].create(
            {"date_from": "2025-07-01", "rate": 11.0, "company_id": self.company.id}
        )
        table = dict(self.policy._ar_charge_rate_table())
        self.assertEqual(table[self._date("2025-07-01")], 11.0)
        self.policy.charge_rate_margin = 1.5
        self.assertEqual(dict(self.policy._ar_charge_rate_table())[self._date("2025-01-01")], 14.65)

    def test_interest_over_a_rate_change_to_the_cent(self):
        invoice = self._invoice(1200.0, invoice_date="2025-05-02", due_date="2025-06-01")
        # 11 June, 10 days late: 1,200 x 13.15 % x 10 / 365 = 4.3232 -> 4.32, + 40 once
        self._run("2025-06-11")
        first = self._charges()
        self.assertRecordValues(first, [{"state": "posted", "amount_total": 44.32, "currency_id": self.currency.id}])
        self.assertEqual(first.invoice_line_ids.mapped("price_unit"), [4.32, 40.0])
        # 1 July, 30 days late (formal notice): 12-30 June at 13.15 % and 1 July at 12.15 %
        # 1,200 x (13.15 x 19 + 12.15 x 1) / 36,500 = 8.6137 -> 8.61; no second compensation
        self._run("2025-07-01")
        second = self._charges() - first
        self.assertRecordValues(second, [{"amount_total": 8.61}])
        self.assertEqual(len(second.invoice_line_ids), 1)
        self.assertIn("13.15 / 12.15", second.invoice_line_ids.name)
        receivable = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertEqual(receivable.ar_interest_charged_until, self._date("2025-07-01"))
        self.assertRecordValues(invoice, [{"ar_interest_days_charged": 30, "ar_fixed_fee_charged": True}])

    def test_invoice_paid_late_before_any_reminder(self):
        self.policy.charge_paid_late = True
        paid = self._paid_late_invoice()
        self._invoice(1000.0, invoice_date="2025-07-02", due_date="2025-08-01")
        # 11 August: the open invoice is reminded (10 days late); the one paid late is charged with it:
        # open: 1,000 x 12.15 % x 10 / 365 = 3.3288 -> 3.33, + 40
        # paid late (docs/dunning.md): 8.6466 + 2.2697 + 7.2234 = 18.1397 -> 18.14, + 40
        self._run("2025-08-11")
        charge = self._charges()
        self.assertRecordValues(charge, [{"state": "posted", "amount_total": 101.47}])
        self.assertEqual(sorted(charge.invoice_line_ids.mapped("price_unit")), [3.33, 18.14, 40.0, 40.0])
        self.assertRecordValues(paid, [{"ar_interest_days_charged": 60, "ar_fixed_fee_charged": True}])
        # 31 August (30 days, formal notice): only the 20 new days of the open invoice, no compensation again
        # 1,000 x 12.15 % x 20 / 365 = 6.6575 -> 6.66
        self._run("2025-08-31")
        self.assertEqual((self._charges() - charge).mapped("amount_total"), [6.66])

    def test_invoice_paid_late_not_charged_when_the_option_is_off(self):
        self._paid_late_invoice()
        self._invoice(1000.0, invoice_date="2025-07-02", due_date="2025-08-01")
        self._run("2025-08-11")
        self.assertEqual(self._charges().mapped("amount_total"), [43.33])

    def test_payments_before_the_start_date_are_not_charged(self):
        self.policy.write({"charge_paid_late": True, "charge_paid_late_from": "2025-08-01"})
        self._paid_late_invoice()
        self._invoice(1000.0, invoice_date="2025-07-02", due_date="2025-08-01")
        self._run("2025-08-11")
        self.assertEqual(self._charges().mapped("amount_total"), [43.33])

    def test_rerun_the_same_day_charges_nothing(self):
        self.policy.charge_paid_late = True
        self._paid_late_invoice()
        self._invoice(1000.0, invoice_date="2025-07-02", due_date="2025-08-01")
        self._run("2025-08-11")
        self.assertEqual(len(self._charges()), 1)
        self._run("2025-08-11")
        self.assertEqual(len(self._charges()), 1)
        # even when asked directly, with every open invoice
        open_rows = self.customer._ar_get_dunning_data(self.company)[0][self.customer.id]
        with freeze_time("2025-08-11"):
            again = self.customer.with_company(self.company)._ar_invoice_charges(
                self.policy, open_rows, self._date("2025-08-11")
            )
        self.assertFalse(again)
        self.assertEqual(len(self._charges()), 1)

    def test_foreign_currency_invoice_charged_in_its_currency(self):
        # a EUR invoice of a USD company (2 EUR per USD), with a USD one: one charge invoice per currency
        eur_invoice = self._invoice(1200.0, currency=self.eur, invoice_date="2025-05-02", due_date="2025-06-01")
        self._invoice(600.0, invoice_date="2025-05-02", due_date="2025-06-01")
        self._run("2025-06-11")
        charges = self._charges()
        by_currency = {move.currency_id: move for move in charges}
        self.assertEqual(set(by_currency), {self.eur, self.currency})
        # 1,200 EUR x 13.15 % x 10 / 365 = 4.32 EUR; the 40 USD compensation is 80 EUR
        self.assertRecordValues(by_currency[self.eur], [{"state": "posted", "amount_total": 84.32}])
        self.assertEqual(by_currency[self.eur].invoice_line_ids.mapped("price_unit"), [4.32, 80.0])
        self.assertIn(eur_invoice.name, by_currency[self.eur].invoice_line_ids[0].name)
        # 600 USD x 13.15 % x 10 / 365 = 2.1616 -> 2.16
        self.assertRecordValues(by_currency[self.currency], [{"amount_total": 42.16}])
        # both are listed in the reminder
        self.assertLessEqual(charges, self._communications().line_ids.move_id)

    def test_gathering_is_one_query_per_batch(self):
        self.policy.charge_paid_late = True
        self._paid_late_invoice()
        other = self.env["res.partner"].create({"name": "Beta", "is_company": True})
        for partner in (self.customer, other):
            self._invoice(1000.0, partner=partner, invoice_date="2025-07-02", due_date="2025-08-01")
        LateCharge = self.env["ar.late.charge"]
        policies = {self.customer.id: self.policy, other.id: self.policy}
        self.env.flush_all()
        with self.assertQueryCount(1):
            items = LateCharge._ar_gather_late_items(self.company, self._date("2025-08-11"), policies)
        self.assertEqual(len(items[self.customer.id]), 2)
        self.assertEqual(len(items[other.id]), 1)

    def test_rate_table_rights(self):
        controller = self._user("ar_rate_controller", CONTROLLER)
        manager = self._user("ar_rate_manager", MANAGER)
        Rate = self.env["ar.late.payment.rate"]
        self.assertTrue(Rate.with_user(controller).search([]))
        with self.assertRaises(AccessError):
            Rate.with_user(controller).create({"date_from": "2026-07-01", "rate": 12.0})
        rate = Rate.with_user(manager).create({"date_from": "2026-07-01", "rate": 12.0})
        self.assertEqual(rate.rate, 12.0)
