from odoo import models


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        payments = super()._create_payments()
        invoices = self.line_ids.move_id.filtered(lambda m: m.move_type == "out_invoice")
        for company, company_invoices in invoices.grouped("company_id").items():
            company_invoices.with_company(company)._ar_process_discount_outcomes()
        return payments
