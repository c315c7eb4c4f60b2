from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..lib.ar_core import bounds
from . import ar_limits
from .res_partner import CONTROLLER_GROUP


class ArInvoiceDispute(models.Model):
    _name = "ar.invoice.dispute"
    _description = "Invoice Dispute"
    _inherit = ["mail.thread", "ar.protected.fields.mixin"]
    _order = "date_opened desc, id desc"
    _check_company_auto = True
    _rec_name = "move_id"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        check_company=True,
        ondelete="cascade",
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
    )
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", string="Customer", store=True, index=True)
    reason_id = fields.Many2one("ar.dispute.reason", string="Reason", required=True, check_company=True)
    note = fields.Text(help="What the customer disputes, and what was agreed.")
    user_id = fields.Many2one("res.users", string="Opened by", default=lambda self: self.env.user, readonly=True)
    date_opened = fields.Date(string="Opened on", default=fields.Date.context_today, readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("resolved", "Resolved")], default="open", required=True, tracking=True, readonly=True
    )
    date_resolved = fields.Date(string="Resolved on", readonly=True, tracking=True)
    confirmed = fields.Boolean(
        readonly=True,
        tracking=True,
        copy=False,
        help="Confirmed by a Credit Controller: while open, the invoice is left out of the credit policy's "
        "overdue rule. A dispute opened by a billing user only pauses the dunning until a Credit Controller "
        "confirms it (disputes opened by a Credit Controller are confirmed at once).",
    )
    confirmed_by_id = fields.Many2one("res.users", string="Confirmed by", readonly=True, copy=False)

    #: set by the dispute's actions only (``action_confirm``, ``action_resolve``, ``action_reopen``)
    _ar_protected_fields = ("state", "date_resolved", "user_id", "date_opened", "confirmed", "confirmed_by_id")

    def _ar_protected_create_values(self):
        return {"state": "open", "user_id": self.env.uid, "date_opened": fields.Date.context_today(self)}

    @api.constrains("move_id", "state")
    def _check_one_open_dispute(self):
        for dispute in self.filtered(lambda d: d.state == "open"):
            if dispute.move_id.move_type != "out_invoice":
                raise ValidationError(self.env._("Only customer invoices can be disputed."))
            if len(dispute.move_id.ar_dispute_ids.filtered(lambda d: d.state == "open")) > 1:
                raise ValidationError(
                    self.env._(
                        "Invoice %(invoice)s already has an open dispute: update it instead.",
                        invoice=dispute.move_id.display_name,
                    )
                )

    @api.constrains("move_id", "state")
    def _check_invoice_open(self):
        for dispute in self.filtered(lambda d: d.state == "open"):
            move = dispute.move_id
            if move.state != "posted":
                raise ValidationError(
                    self.env._(
                        "Invoice %(invoice)s is not posted: only posted customer invoices can be disputed.",
                        invoice=move.display_name,
                    )
                )
            if move.payment_state not in ("not_paid", "partial"):
                raise ValidationError(
                    self.env._(
                        "Invoice %(invoice)s is paid or being paid: only invoices still due can be disputed.",
                        invoice=move.display_name,
                    )
                )

    @api.constrains("date_opened")
    def _check_date_opened(self):
        for dispute in self:
            ar_limits.check_date(dispute, "date_opened", bounds.MIN_DATE, fields.Date.context_today(self))

    @api.constrains("date_resolved")
    def _check_date_resolved(self):
        for dispute in self:
            ar_limits.check_date(dispute, "date_resolved", bounds.MIN_DATE, fields.Date.context_today(self))

    @api.model_create_multi
    def create(self, vals_list):
        disputes = super().create(vals_list)
        if self.env.user.has_group(CONTROLLER_GROUP):
            disputes.sudo().write({"confirmed": True, "confirmed_by_id": self.env.uid})
        for dispute in disputes:
            dispute.move_id.message_post(
                body=self.env._(
                    "Dispute opened by %(user)s: %(reason)s. %(note)s",
                    user=dispute.user_id.name,
                    reason=dispute.reason_id.name,
                    note=dispute.note or "",
                ),
                subtype_xmlid="mail.mt_note",
            )
        return disputes

    def action_confirm(self):
        """Take the disputed invoices out of the overdue rule (Credit Controllers)."""
        if not self.env.user.has_group(CONTROLLER_GROUP):
            raise AccessError(
                self.env._("Only a Credit Controller can confirm a dispute and lift the overdue rule for its invoice.")
            )
        for dispute in self.filtered(lambda d: d.state == "open" and not d.confirmed):
            dispute.sudo().write({"confirmed": True, "confirmed_by_id": self.env.uid})
            dispute.move_id.message_post(
                body=self.env._(
                    "Dispute confirmed by %(user)s: the invoice is left out of the overdue rule "
                    "while the dispute is open.",
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_resolve(self, reason=None):
        self.check_access("write")
        for dispute in self.filtered(lambda d: d.state == "open"):
            dispute.sudo().write({"state": "resolved", "date_resolved": fields.Date.context_today(self)})
            dispute.move_id.message_post(
                body=reason or self.env._("Dispute resolved by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_reopen(self):
        self.check_access("write")
        vals = {"state": "open", "date_resolved": False}
        if not self.env.user.has_group(CONTROLLER_GROUP):
            # reopened by a billing user: a Credit Controller confirms it again
            vals.update(confirmed=False, confirmed_by_id=False)
        self.sudo().write(vals)
        return True
