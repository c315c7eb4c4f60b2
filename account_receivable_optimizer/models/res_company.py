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
