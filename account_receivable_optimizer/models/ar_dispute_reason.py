from odoo import api, fields, models

from ..lib.ar_core import bounds
from . import ar_limits

REASON_LIMITS = {"sequence": (-bounds.MAX_SEQUENCE, bounds.MAX_SEQUENCE)}


class ArDisputeReason(models.Model):
    _name = "ar.dispute.reason"
    _description = "Invoice Dispute Reason"
    _inherit = ["ar.bounded.mixin"]
    _ar_limits = REASON_LIMITS
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

    @api.constrains("name")
    def _check_name(self):
        for reason in self:
            ar_limits.check_name(reason)
