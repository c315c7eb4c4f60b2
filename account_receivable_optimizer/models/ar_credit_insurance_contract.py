from odoo import api, fields, models

from ..lib.ar_core import bounds
from . import ar_limits

#: Bounds of the numbers of an insurance contract.
CONTRACT_LIMITS = {
    "discretionary_limit": (0.0, bounds.MAX_AMOUNT),
    "declaration_days": (0, bounds.MAX_DAYS),
    "declaration_notice_days": (0, bounds.MAX_DAYS),
    "claim_days": (0, bounds.MAX_DAYS),
}


class ArCreditInsuranceContract(models.Model):
    _name = "ar.credit.insurance.contract"
    _description = "Credit Insurance Contract"
    _inherit = ["mail.thread", "ar.bounded.mixin"]
    _ar_limits = CONTRACT_LIMITS
    _order = "company_id, name, id"
    _check_company_auto = True

    name = fields.Char(string="Contract Reference", required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
        help="Currency of the contract's amounts (discretionary limit).",
    )
    insurer_id = fields.Many2one(
        "res.partner",
        string="Insurer",
        required=True,
        check_company=True,
        tracking=True,
        help="The credit insurer (assureur-crédit) of the contract.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Credit Manager",
        required=True,
        default=lambda self: self.env.user,
        check_company=True,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Who gets the activities of the contract's deadlines: threat-of-loss declarations, "
        "covers expiring or reduced below the exposure.",
    )
    discretionary_limit = fields.Monetary(
        currency_field="currency_id",
        tracking=True,
        help="Below this amount the company may cover a customer itself, without the insurer's approval "
        "(limite discrétionnaire); 0 to 999,999,999,999.",
    )
    declaration_days = fields.Integer(
        string="Threat-of-Loss Declaration (days after due date)",
        default=90,
        tracking=True,
        help="Latest number of days after an unpaid item's due date by which the threat of loss "
        "(menace de sinistre) must be declared to the insurer; a late declaration voids the cover (0 to 3650).",
    )
    declaration_notice_days = fields.Integer(
        string="Warn Days Before the Declaration Deadline",
        default=15,
        tracking=True,
        help="The nightly job plans an activity for the Credit Manager this many days before the declaration "
        "deadline of an insured customer's oldest overdue item (0 to 3650).",
    )
    claim_days = fields.Integer(
        string="Claim Filing (days after declaration)",
        default=150,
        tracking=True,
        help="Delay to file the claim (demande d'indemnisation) after the threat of loss is declared (0 to 3650).",
    )
    insurance_ids = fields.One2many("ar.credit.insurance", "contract_id", string="Covers")

    @api.constrains("name")
    def _check_name(self):
        for contract in self:
            ar_limits.check_name(contract)
