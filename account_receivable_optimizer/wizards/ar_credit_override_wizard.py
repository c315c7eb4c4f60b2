from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.res_partner import MANAGER_GROUP


class ArCreditOverrideWizard(models.TransientModel):
    _name = "ar.credit.override.wizard"
    _description = "Post Invoices over a Credit Block"

    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
        domain="[('state', '=', 'draft'), ('move_type', '=', 'out_invoice')]",
    )
    reason = fields.Text(
        required=True,
        help="Why these invoices may be posted although the credit policy blocks them. "
        "Recorded with your name, the date and the amounts, and shown in the customer's chatter.",
    )
    warning = fields.Text(string="Credit Check", compute="_compute_warning")

    @api.depends("move_ids")
    def _compute_warning(self):
        for wizard in self:
            previews = wizard.move_ids._ar_preview_credit_checks()
            wizard.warning = "\n".join(
                partner._ar_credit_check_message(check, figures, policy)
                for check, figures, policy, partner in previews.values()
                if not check.passed
            )

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can post invoices over a credit block."))
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for overriding the credit block."))
        moves = self.move_ids.filtered(lambda m: m.state == "draft" and m.move_type == "out_invoice")
        if not moves:
            raise UserError(self.env._("Only draft customer invoices can be posted over a credit block."))
        overrides = self.env["ar.credit.override"].create(
            [
                {
                    "company_id": move.company_id.id,
                    "move_id": move.id,
                    "partner_id": move.commercial_partner_id.id,
                    "user_id": self.env.uid,
                    "reason": self.reason.strip(),
                }
                for move in moves
            ]
        )
        moves.action_post()
        # Overrides the posting did not need (the block was gone) are not kept.
        overrides.filtered(lambda o: o.state == "pending").sudo().unlink()
        return {"type": "ir.actions.act_window_close"}
