from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ar_credit_policy_id = fields.Many2one(
        related="company_id.ar_credit_policy_id",
        readonly=False,
        domain="[('company_id', '=', company_id)]",
    )
