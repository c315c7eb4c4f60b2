from datetime import date
from html import unescape

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import ArCreditCommon


@tagged("post_install", "-at_install")
class TestEarlyDiscount(ArCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_discount_term()
        cls.term_net_15 = cls.env["account.payment.term"].create(
            {
                "name": "Net 15",
                "line_ids": [Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 15})],
            }
        )
        cls.company.ar_cost_of_capital = 8.0
        cls.loss_account = cls.company.account_journal_early_pay_discount_loss_account_id
        cls.policy.write(
            {
                "payment_term_a_id": cls.term_2_10.id,
                "payment_term_b_id": cls.term_2_10.id,
                "payment_term_d_id": cls.term_net_15.id,
                "payment_term_e_id": cls.term_net_15.id,
                "short_payment_action": "write_off",
                "short_payment_tolerance": 25.0,
            }
        )

    # --- cost of a discount ------------------------------------------------

    def test_annual_cost_on_the_payment_term(self):
        self.assertEqual(self.term_2_10.ar_net_days, 30)
        # 2 / 98 x 365 / 20 = 37.24 %; 1.0204 ^ 18.25 - 1 = 44.59 % (shown to 0.1)
        self.assertEqual(self.term_2_10.ar_discount_nominal_cost, 37.2)
        self.assertEqual(self.term_2_10.ar_discount_effective_cost, 44.6)
        self.assertEqual(
            self.term_2_10.ar_discount_cost_warning,
            "This discount costs 44.6 % a year, more than the company's cost of capital (8.0 %).",
        )
        self.company.ar_cost_of_capital = 50.0
        self.term_2_10.invalidate_recordset()
        self.assertFalse(self.term_2_10.ar_discount_cost_warning)
        self.assertFalse(self.term_net_15.ar_discount_nominal_cost)

    def test_annual_cost_on_the_policy(self):
        self.assertEqual(
            self.policy.discount_cost_summary,
            "A: 2% 10 days, net 30, 37.2 % nominal, 44.6 % effective a year - above the cost of capital\n"
            "B: 2% 10 days, net 30, 37.2 % nominal, 44.6 % effective a year - above the cost of capital",
        )

    # --- bad input -----------------------------------------------------------

    def _assert_term_refused(self, vals, message):
        before = self.term_2_10.read(list(vals))[0]
        with self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
            self.term_2_10.write(vals)
            self.term_2_10.flush_recordset()
        self.term_2_10.invalidate_recordset()
        self.assertEqual(self.term_2_10.read(list(vals))[0], before)

    def test_bad_discount_terms(self):
        self._assert_term_refused({"discount_percentage": 0.0}, "positive|more than 0")
        self._assert_term_refused({"discount_percentage": -2.0}, "positive|more than 0")
        self._assert_term_refused({"discount_percentage": 100.0}, "less than 100")
        self._assert_term_refused(
            {"discount_days": 30}, r"discount period .* \(30 days\) must be shorter .* \(30 days\)"
        )
        self._assert_term_refused({"discount_days": 45}, "must be shorter than its net period")

    def test_reminder_offset_must_be_shorter_than_the_discount_days(self):
        with self.assertRaisesRegex(ValidationError, "must be fewer days than the 10 discount days"):
            with self.env.cr.savepoint():
                self.policy.write({"discount_reminder_days": 10})
                self.policy.flush_recordset()
        self.assertEqual(self.policy.discount_reminder_days, 3)
        self.policy.discount_reminder_days = 9

    # --- payment terms by grade -----------------------------------------------

    def test_grade_decides_the_default_payment_terms(self):
        good = self.env["res.partner"].create({"name": "Good payer"})
        risky = self.env["res.partner"].create({"name": "Risky payer"})
        own_terms = self.env["res.partner"].create(
            {"name": "Own terms", "property_payment_term_id": self.pay_terms_a.id}
        )
        good.sudo().ar_risk_grade = "A"
        risky.sudo().ar_risk_grade = "E"
        own_terms.sudo().ar_risk_grade = "A"
        ungraded = self.env["res.partner"].create({"name": "Ungraded"})
        for partner, expected in (
            (good, self.term_2_10),
            (risky, self.term_net_15),
            (own_terms, self.pay_terms_a),
            (ungraded, self.env["account.payment.term"]),
        ):
            with Form(self.env["account.move"].with_context(default_move_type="out_invoice")) as form:
                form.partner_id = partner
                self.assertEqual(form.invoice_payment_term_id, expected, partner.name)
        # The user may still choose other terms.
        with Form(self.env["account.move"].with_context(default_move_type="out_invoice")) as form:
            form.partner_id = risky
            form.invoice_payment_term_id = self.term_2_10
            form.invoice_date = date(2026, 3, 1)
            with form.invoice_line_ids.new() as line:
                line.name = "x"
                line.price_unit = 10.0
        self.assertEqual(form.record.invoice_payment_term_id, self.term_2_10)

    # --- outcomes and short payments -----------------------------------------

    def test_discount_taken_in_time(self):
        invoice = self._discount_invoice()
        with freeze_time("2026-03-05"):
            self._pay(invoice, 980.0, "2026-03-05")
        self.assertEqual(invoice.payment_state in ("paid", "in_payment"), True)
        self.assertRecordValues(
            invoice,
            [
                {
                    "ar_discount_state": "in_time",
                    "ar_discount_amount": 20.0,
                    "ar_discount_granted": 20.0,
                    "ar_discount_shortfall": 0.0,
                    "ar_discount_payment_date": date(2026, 3, 5),
                    "ar_discount_days_gained": 26,
                    "ar_short_payment_action": False,
                }
            ],
        )
        # (1 + 20 / 980) ^ (365 / 26) - 1
        self.assertAlmostEqual(invoice.ar_discount_realised_cost, ((1 + 20 / 980) ** (365 / 26) - 1) * 100, places=1)

    def test_discount_not_taken(self):
        invoice = self._discount_invoice()
        with freeze_time("2026-03-25"):
            self._pay(invoice, 1000.0, "2026-03-25")
        self.assertRecordValues(
            invoice, [{"ar_discount_state": "missed", "ar_discount_granted": 0.0, "ar_discount_days_gained": 6}]
        )

    def test_discount_taken_late_is_written_off_within_tolerance(self):
        invoice = self._discount_invoice()
        with freeze_time("2026-03-20"):
            self._pay(invoice, 980.0, "2026-03-20")
        self.assertRecordValues(
            invoice,
            [
                {
                    "ar_discount_state": "taken_late",
                    "ar_discount_shortfall": 20.0,
                    "ar_short_payment_action": "written_off",
                    "amount_residual": 0.0,
                }
            ],
        )
        write_off = self.env["account.move.line"].search(
            [("account_id", "=", self.loss_account.id), ("partner_id", "=", self.customer.id)]
        )
        self.assertRecordValues(write_off, [{"debit": 20.0, "credit": 0.0, "parent_state": "posted"}])
        receivable = write_off.move_id.line_ids - write_off
        self.assertRecordValues(receivable, [{"credit": 20.0, "reconciled": True}])
        self.assertEqual(receivable.account_id, invoice.line_ids.filtered("date_maturity").account_id)
        notes = invoice.message_ids.filtered(lambda m: "written off" in (m.body or ""))
        self.assertEqual(len(notes), 1)

    def test_discount_taken_late_above_tolerance_goes_to_dunning(self):
        self.policy.short_payment_tolerance = 10.0
        invoice = self._discount_invoice()
        with freeze_time("2026-03-20"):
            self._pay(invoice, 980.0, "2026-03-20")
        self.assertRecordValues(
            invoice,
            [{"ar_discount_state": "taken_late", "ar_short_payment_action": "dunning", "amount_residual": 20.0}],
        )
        self.assertFalse(
            self.env["account.move.line"].search(
                [("account_id", "=", self.loss_account.id), ("partner_id", "=", self.customer.id)]
            )
        )

    def test_policy_sends_short_payments_to_dunning(self):
        self.policy.short_payment_action = "dunning"
        invoice = self._discount_invoice()
        with freeze_time("2026-03-20"):
            self._pay(invoice, 985.0, "2026-03-20")
        self.assertRecordValues(
            invoice,
            [
                {
                    "ar_discount_state": "taken_late",
                    "ar_discount_shortfall": 15.0,
                    "ar_short_payment_action": "dunning",
                    "amount_residual": 15.0,
                }
            ],
        )

    def test_more_deducted_than_allowed(self):
        invoice = self._discount_invoice()
        with freeze_time("2026-03-05"):
            self._pay(invoice, 970.0, "2026-03-05")
        self.assertRecordValues(
            invoice,
            [
                {
                    "ar_discount_state": "over_deducted",
                    "ar_discount_shortfall": 10.0,
                    "ar_short_payment_action": "written_off",
                    "amount_residual": 0.0,
                }
            ],
        )

    def test_ordinary_partial_payment_is_not_a_short_payment(self):
        invoice = self._discount_invoice()
        with freeze_time("2026-03-20"):
            self._pay(invoice, 500.0, "2026-03-20")
        self.assertRecordValues(
            invoice, [{"ar_discount_state": "unpaid", "ar_short_payment_action": False, "amount_residual": 500.0}]
        )

    # --- legal mentions ------------------------------------------------------

    def _render(self, invoice):
        html = self.env["ir.actions.report"]._render_qweb_html("account.report_invoice", invoice.ids)[0]
        return html.decode() if isinstance(html, bytes) else html

    def test_legal_mentions_on_the_invoice(self):
        self.company.write({"ar_invoice_legal_mentions": True, "ar_late_penalty_rate": 13.15, "ar_recovery_fee": 40.0})
        with_discount = self._discount_invoice()
        html = self._render(with_discount)
        self.assertIn("Early payment discount: 2.00% if paid by 03/11/2026.", html)
        self.assertIn("Late payment penalties: annual rate of 13.15%, from the day after the due date.", html)
        self.assertIn("Fixed compensation for recovery costs in case of late payment: $\xa040.00", html)
        without = self._invoice(100.0, invoice_date="2026-03-01")
        self.assertIn("No early payment discount.", self._render(without))
        self.company.ar_invoice_legal_mentions = False
        self.assertNotIn("Late payment penalties", self._render(without))

    # --- analytics -----------------------------------------------------------

    def test_analytics_by_outcome(self):
        in_time = self._discount_invoice(1000.0)
        missed = self._discount_invoice(500.0)
        late = self._discount_invoice(200.0)
        open_one = self._discount_invoice(300.0, invoice_date="2026-03-20")
        with freeze_time("2026-03-05"):
            self._pay(in_time, 980.0, "2026-03-05")
        with freeze_time("2026-03-25"):
            self._pay(missed, 500.0, "2026-03-25")
            self._pay(late, 196.0, "2026-03-25")
            self.env["account.move"]._cron_process_discount_outcomes()
        self.assertEqual(open_one.ar_discount_state, "open")
        self.env.flush_all()
        rows = self.env["ar.discount.analysis"]._read_group(
            [("partner_id", "=", self.customer.id)],
            ["state"],
            ["__count", "discount_offered:sum", "discount_granted:sum", "discount_shortfall:sum", "days_gained:avg"],
        )
        self.assertEqual(
            {state: (count, offered, granted, short, gained) for state, count, offered, granted, short, gained in rows},
            {
                "in_time": (1, 20.0, 20.0, 0.0, 26.0),
                "missed": (1, 10.0, 0.0, 0.0, 6.0),
                "taken_late": (1, 4.0, 0.0, 4.0, 6.0),
                "open": (1, 6.0, 0.0, 0.0, 0.0),
            },
        )
        above = self.env["ar.discount.analysis"].search([("above_cost_of_capital", "=", True)])
        self.assertEqual(above.move_id, in_time)
        # The receivables dashboard's discount section, and its click-through
        with freeze_time("2026-03-25"):
            section = self.env["ar.receivables.dashboard"].get_dashboard_data()["discounts"]
            figures = ("offered", "granted", "in_time", "missed", "late", "realised_cost")
            self.assertEqual(
                {key: round(section[key], 2) for key in figures},
                {
                    "offered": 40.0,
                    "granted": 20.0,
                    "in_time": 1,
                    "missed": 1,
                    "late": 1,
                    "realised_cost": round(((1 + 20 / 980) ** (365 / 26) - 1) * 100, 1),  # stored to 0.1
                },
            )
            action = section["actions"]["late"]
            self.assertEqual(self.env["ar.discount.analysis"].search(action["domain"]).move_id, late)

    def test_legal_mentions_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_receivable_optimizer"], ["fr_FR"], overwrite=True)
        self.customer.lang = "fr_FR"
        self.company.write({"ar_invoice_legal_mentions": True, "ar_late_penalty_rate": 13.15, "ar_recovery_fee": 40.0})
        html = unescape(self._render(self._discount_invoice()))
        self.assertIn("Escompte pour paiement anticipé : 2,00 % si paiement avant le 11/03/2026.", html)
        self.assertIn("Pénalités de retard : taux annuel de 13,15 %, exigibles dès le lendemain de l'échéance.", html)
        self.assertIn("Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement", html)
