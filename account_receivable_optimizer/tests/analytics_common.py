from odoo import Command

from .common import ArCreditCommon


class ArAnalyticsCommon(ArCreditCommon):
    """A ledger with known numbers, seen on 30 June 2026 (docs/analytics.md).

    Alpha (``customer``):
      - 1,000 invoiced 1 March, due 31 March; 400 paid 15 April, 600 paid 20 June
      - 500 invoiced 15 June, due 15 July
      - a 200 credit note of 20 June, not matched
    Beta (``beta``):
      - 2,000 invoiced 10 January, due 9 February, unpaid
      - 600 EUR (2 EUR per USD: 300 USD) invoiced 1 May, due 31 May, unpaid
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        cls.beta = cls.env["res.partner"].create({"name": "Beta Corp", "is_company": True})
        cls.seller = cls._user("ar_seller", "base.group_user")
        cls.inv_alpha_march = cls._invoice(1000.0, invoice_date="2026-03-01", due_date="2026-03-31")
        cls._pay(cls.inv_alpha_march, 400.0, "2026-04-15")
        cls._pay(cls.inv_alpha_march, 600.0, "2026-06-20")
        cls.inv_alpha_june = cls._invoice(500.0, invoice_date="2026-06-15", due_date="2026-07-15")
        cls.refund_alpha = cls._invoice(200.0, move_type="out_refund", invoice_date="2026-06-20")
        cls.inv_beta_january = cls._invoice(
            2000.0, partner=cls.beta, invoice_date="2026-01-10", due_date="2026-02-09", post=False
        )
        cls.inv_beta_january.invoice_user_id = cls.seller
        cls.inv_beta_january.action_post()
        cls.inv_beta_eur = cls._invoice(
            600.0, partner=cls.beta, currency=cls.eur, invoice_date="2026-05-01", due_date="2026-05-31"
        )
        cls.beta.with_company(cls.company).sudo().ar_risk_grade = "D"

    def _new_invoiced_customers(self, number, prefix):
        """``number`` new customers, each with one posted invoice of 10.00 of 3 March 2026 (no tax)."""
        partners = self.env["res.partner"].create(
            [{"name": f"{prefix} {number} {index}", "is_company": True} for index in range(number)]
        )
        moves = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2026-03-03",
                    "invoice_line_ids": [Command.create({"name": "x", "price_unit": 10.0, "tax_ids": []})],
                }
                for partner in partners
            ]
        )
        moves.action_post()
        return partners
