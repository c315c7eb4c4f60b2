from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_credit_policy_id = fields.Many2one(
        "ar.credit.policy",
        string="Default Credit Policy",
        check_company=True,
        help="Credit policy of the customers that have none of their own.",
    )
    ar_cost_of_capital = fields.Float(
        string="Cost of Capital (%)",
        digits=(16, 2),
        default=8.0,
        help="Yearly rate at which the company finances itself. Early-payment discounts that cost "
        "more than this (effective annual cost) are flagged.",
    )
    ar_invoice_legal_mentions = fields.Boolean(
        string="Legal Payment Mentions on Invoices",
        help="Print on customer invoices the early-payment discount conditions (or 'no early-payment "
        "discount'), the late-payment penalty rate and the fixed recovery compensation, as French law "
        "requires (Code de commerce L441-9).",
    )
    ar_late_penalty_rate = fields.Float(
        string="Late-Payment Penalty Rate (%)",
        digits=(16, 2),
        help="Yearly rate of late-payment penalties printed on invoices; in France at least the ECB "
        "refinancing rate + 10 points unless the contract says otherwise (L441-10).",
    )
    ar_recovery_fee = fields.Monetary(
        string="Fixed Recovery Compensation",
        currency_field="currency_id",
        default=40.0,
        help="Fixed compensation for recovery costs due per late invoice (40 EUR in France, D441-5; "
        "EU Directive 2011/7/EU).",
    )

    @api.constrains("ar_credit_policy_id")
    def _check_ar_credit_policy_company(self):
        for company in self:
            policy = company.ar_credit_policy_id
            if policy and policy.company_id != company:
                raise ValidationError(
                    self.env._(
                        "Credit policy %(policy)s belongs to %(other)s: it cannot be the default of %(company)s.",
                        policy=policy.display_name,
                        other=policy.company_id.name,
                        company=company.name,
                    )
                )

    @api.constrains("ar_cost_of_capital", "ar_late_penalty_rate", "ar_recovery_fee")
    def _check_ar_rates(self):
        for company in self:
            if company.ar_cost_of_capital < 0 or company.ar_late_penalty_rate < 0 or company.ar_recovery_fee < 0:
                raise ValidationError(
                    self.env._(
                        "The cost of capital, the late-payment penalty rate and the recovery compensation of "
                        "%(company)s cannot be negative.",
                        company=company.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._ar_ensure_default_credit_policy()
        return companies

    def _ar_ensure_default_credit_policy(self):
        for company in self.filtered(lambda c: not c.ar_credit_policy_id):
            policy = (
                self.env["ar.credit.policy"].sudo().create({"name": self.env._("Standard"), "company_id": company.id})
            )
            company.sudo().ar_credit_policy_id = policy
