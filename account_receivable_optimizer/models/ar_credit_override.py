from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ArCreditOverride(models.Model):
    _name = "ar.credit.override"
    _description = "Credit Block Override"
    _order = "create_date desc, id desc"
    _check_company_auto = True
    _rec_name = "move_id"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        readonly=True,
        check_company=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True, check_company=True
    )
    user_id = fields.Many2one(
        "res.users", string="Overridden by", required=True, readonly=True, default=lambda self: self.env.user
    )
    reason = fields.Text(required=True, readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("applied", "Applied")],
        required=True,
        default="pending",
        readonly=True,
        help="Pending: given by a Credit Manager for the next posting of the invoice. "
        "Applied: the invoice was posted over its credit block.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_total = fields.Monetary(string="Invoice amount", readonly=True)
    exposure = fields.Monetary(string="Exposure after posting", readonly=True)
    credit_limit = fields.Monetary(readonly=True)
    overdue_amount = fields.Monetary(readonly=True)
    max_days_overdue = fields.Integer(readonly=True)
    blocked_reasons = fields.Char(string="Blocked because", readonly=True)

    @api.constrains("reason")
    def _check_reason(self):
        for override in self:
            if not (override.reason or "").strip():
                raise ValidationError(self.env._("An override of a credit block needs a reason."))
