from odoo import api, fields, models

from . import ar_limits
from .res_company import COMPANY_LIMITS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ar_credit_policy_id = fields.Many2one(
        related="company_id.ar_credit_policy_id",
        readonly=False,
        domain="[('company_id', '=', company_id)]",
    )
    ar_default_credit_limit = fields.Monetary(
        string="Default Credit Limit of New Customers",
        related="company_id.ar_credit_policy_id.default_credit_limit",
        readonly=False,
        help="Credit limit given to a new customer of the default credit policy when its first invoice is posted "
        "and it has no limit of its own. 0 gives no limit.",
    )
    ar_aging_limit_1 = fields.Integer(related="company_id.ar_aging_limit_1", readonly=False)
    ar_aging_limit_2 = fields.Integer(related="company_id.ar_aging_limit_2", readonly=False)
    ar_aging_limit_3 = fields.Integer(related="company_id.ar_aging_limit_3", readonly=False)
    ar_aging_limit_4 = fields.Integer(related="company_id.ar_aging_limit_4", readonly=False)
    ar_analytics_mail = fields.Boolean(related="company_id.ar_analytics_mail", readonly=False)
    ar_cost_of_capital = fields.Float(related="company_id.ar_cost_of_capital", readonly=False)
    ar_invoice_legal_mentions = fields.Boolean(related="company_id.ar_invoice_legal_mentions", readonly=False)
    ar_late_penalty_rate = fields.Float(related="company_id.ar_late_penalty_rate", readonly=False)
    ar_recovery_fee = fields.Monetary(related="company_id.ar_recovery_fee", readonly=False)

    @api.model_create_multi
    def create(self, vals_list):
        # NaN or 2^31 would crash before the company's constraints say what to fix
        ar_limits.check_vals(self, vals_list, COMPANY_LIMITS)
        return super().create(vals_list)
