from odoo import fields, models


class ArDisputeReason(models.Model):
    _name = "ar.dispute.reason"
    _description = "Invoice Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Empty: the reason is offered in every company (as the reasons shipped with the module).",
    )
