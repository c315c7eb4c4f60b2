from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.ar_core import exposure as core_exposure


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
    blocked_reasons = fields.Char(
        string="Block Reason Codes",
        readonly=True,
        help="Technical: codes of the reasons of the block (comma-separated), shown in the reader's language.",
    )
    blocked_reasons_label = fields.Char(
        string="Blocked because",
        compute="_compute_blocked_reasons_label",
        help="Why the credit policy blocked the invoice: credit limit, overdue invoice, credit hold or "
        "insurance cover.",
    )

    @api.depends("blocked_reasons")
    @api.depends_context("lang")
    def _compute_blocked_reasons_label(self):
        labels = {
            core_exposure.REASON_LIMIT: self.env._("credit limit exceeded"),
            core_exposure.REASON_OVERDUE: self.env._("invoice overdue too long"),
            core_exposure.REASON_HOLD: self.env._("credit hold"),
            core_exposure.REASON_COVER: self.env._("insurance cover exceeded"),
        }
        for override in self:
            codes = [code.strip() for code in (override.blocked_reasons or "").split(",") if code.strip()]
            override.blocked_reasons_label = ", ".join(labels.get(code, code) for code in codes)

    @api.constrains("reason")
    def _check_reason(self):
        for override in self:
            if not (override.reason or "").strip():
                raise ValidationError(self.env._("An override of a credit block needs a reason."))
