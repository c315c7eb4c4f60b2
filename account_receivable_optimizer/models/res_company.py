from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.ar_core import aging, bounds

AGING_LIMIT_FIELDS = ("ar_aging_limit_1", "ar_aging_limit_2", "ar_aging_limit_3", "ar_aging_limit_4")
#: Bounds of the company's receivables settings (the same fields in res.config.settings).
COMPANY_LIMITS = {
    **dict.fromkeys(AGING_LIMIT_FIELDS, (1, bounds.MAX_DAYS)),
    "ar_cost_of_capital": (0.0, bounds.MAX_RATE_PERCENT),
    "ar_late_penalty_rate": (0.0, bounds.MAX_RATE_PERCENT),
    "ar_recovery_fee": (0.0, bounds.MAX_AMOUNT),
}


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "ar.bounded.mixin"]
    _ar_limits = COMPANY_LIMITS

    ar_credit_policy_id = fields.Many2one(
        "ar.credit.policy",
        string="Default Credit Policy",
        check_company=True,
        help="Credit policy of the customers that have none of their own.",
    )
    ar_aging_limit_1 = fields.Integer(
        string="Aging: first period (days)",
        default=aging.DEFAULT_LIMITS[0],
        help="Last day overdue of the first aging period of the receivables aging (1 to this many days); "
        "each limit from 1 to 3650.",
    )
    ar_aging_limit_2 = fields.Integer(
        string="Aging: second period (days)",
        default=aging.DEFAULT_LIMITS[1],
        help="Last day overdue of the second aging period; must be greater than the first.",
    )
    ar_aging_limit_3 = fields.Integer(
        string="Aging: third period (days)",
        default=aging.DEFAULT_LIMITS[2],
        help="Last day overdue of the third aging period; must be greater than the second.",
    )
    ar_aging_limit_4 = fields.Integer(
        string="Aging: fourth period (days)",
        default=aging.DEFAULT_LIMITS[3],
        help="Last day overdue of the fourth aging period; older items fall in the last bucket.",
    )
    ar_analytics_mail = fields.Boolean(
        string="Mail the receivables pack monthly",
        default=True,
        help="On the first day of each month, mail the receivables XLSX pack (aging, KPIs, forecast) "
        "of this company to its accounting managers.",
    )
    ar_cost_of_capital = fields.Float(
        string="Cost of Capital (%)",
        digits=(16, 2),
        default=8.0,
        help="Yearly rate at which the company finances itself. Early-payment discounts that cost "
        "more than this (effective annual cost) are flagged. 0 to 1000.",
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
        "refinancing rate + 10 points unless the contract says otherwise (L441-10). 0 to 1000.",
    )
    ar_recovery_fee = fields.Monetary(
        string="Fixed Recovery Compensation",
        currency_field="currency_id",
        default=40.0,
        help="Fixed compensation for recovery costs due per late invoice (40 EUR in France, D441-5; "
        "EU Directive 2011/7/EU); 0 to 999,999,999,999.",
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

    @api.constrains(*AGING_LIMIT_FIELDS)
    def _check_ar_aging_limits(self):
        for company in self:
            try:
                aging.validate_limits(company._ar_aging_limits())
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "The aging periods of %(company)s must be positive and increasing "
                        "(for example 30, 60, 90, 120 days).",
                        company=company.name,
                    )
                ) from error

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
        """A default credit policy for each company, with the shipped dunning levels."""
        for company in self.filtered(lambda c: not c.ar_credit_policy_id):
            policy = (
                self.env["ar.credit.policy"].sudo().create({"name": self.env._("Standard"), "company_id": company.id})
            )
            company.sudo().ar_credit_policy_id = policy
            policy._ar_create_default_dunning_levels()

    def _ar_aging_limits(self):
        """The four aging limits of the company, in days."""
        self.ensure_one()
        return tuple(self[field] for field in AGING_LIMIT_FIELDS)
