from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.ar_core import bounds
from ..lib.ar_core import insurance as core_insurance
from . import ar_limits

#: Bounds of the numbers of a guarantee.
GUARANTEE_LIMITS = {"amount": (0.0, bounds.MAX_AMOUNT)}


class ArCreditGuarantee(models.Model):
    _name = "ar.credit.guarantee"
    _description = "Credit Guarantee"
    _inherit = ["mail.thread", "ar.bounded.mixin"]
    _ar_limits = GUARANTEE_LIMITS
    _order = "company_id, partner_id, date_end desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        help="The customer whose receivables the guarantee secures.",
    )
    kind = fields.Selection(
        [
            ("bank", "Bank Guarantee"),
            ("parent", "Parent-Company Guarantee"),
            ("documentary_credit", "Documentary Credit"),
            ("deposit", "Deposit"),
        ],
        required=True,
        default="bank",
        tracking=True,
        help="Bank guarantee (garantie bancaire), parent-company guarantee (caution de la société mère), "
        "documentary credit (crédit documentaire) or deposit (dépôt de garantie).",
    )
    issuer_id = fields.Many2one(
        "res.partner",
        string="Issuer",
        check_company=True,
        tracking=True,
        help="The bank or company that gives the guarantee.",
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id, tracking=True
    )
    amount = fields.Monetary(
        currency_field="currency_id", tracking=True, help="Amount guaranteed (0 to 999,999,999,999)."
    )
    date_start = fields.Date(string="Valid From", tracking=True, help="First day the guarantee counts.")
    date_end = fields.Date(string="Valid Until", tracking=True, help="Last day the guarantee counts (empty: open).")
    note = fields.Text()

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for guarantee in self:
            for fname in ("date_start", "date_end"):
                ar_limits.check_date(guarantee, fname, bounds.MIN_DATE, bounds.add_days(bounds.MIN_DATE, 365 * 200))
            if guarantee.date_start and guarantee.date_end and guarantee.date_end < guarantee.date_start:
                raise ValidationError(
                    self.env._(
                        "The guarantee of %(partner)s cannot end (%(end)s) before it starts (%(start)s).",
                        partner=guarantee.partner_id.display_name,
                        end=fields.Date.to_string(guarantee.date_end),
                        start=fields.Date.to_string(guarantee.date_start),
                    )
                )

    @api.constrains("company_id", "partner_id", "issuer_id")
    def _check_partner_company(self):
        for guarantee in self:
            for partner in guarantee.partner_id | guarantee.issuer_id:
                if partner.company_id and partner.company_id != guarantee.company_id:
                    raise ValidationError(
                        self.env._(
                            "%(partner)s belongs to %(other)s: a guarantee of %(company)s can only name customers "
                            "and issuers of %(company)s or shared by all companies.",
                            partner=partner.display_name,
                            other=partner.company_id.name,
                            company=guarantee.company_id.name,
                        )
                    )

    def _ar_counts_on(self, day):
        """Whether this guarantee secures the receivables on ``day``."""
        self.ensure_one()
        return core_insurance.valid_on(day, self.date_start, self.date_end)
