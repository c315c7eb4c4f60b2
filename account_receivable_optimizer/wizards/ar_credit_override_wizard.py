from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.ar_protected_fields_mixin import check_allowed_companies
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
            wizard._ar_check_moves(drafts=False)
            previews = wizard.move_ids._ar_preview_credit_checks()
            wizard.warning = "\n".join(
                partner._ar_credit_check_message(check, figures, policy)
                for check, figures, policy, partner in previews.values()
                if not check.passed
            )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards:
            wizard._ar_check_moves()
        return wizards

    def write(self, vals):
        result = super().write(vals)
        for wizard in self:
            wizard._ar_check_moves()
        return result

    def _ar_check_moves(self, drafts=True):
        """Only Credit Managers, only draft customer invoices of their own companies.

        The invoices are read as superuser: an invoice of a company the user
        cannot see must be refused, not silently left out.

        :param drafts: also refuse invoices that are not draft customer invoices
        """
        self.ensure_one()
        if self.env.su:
            return
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can post invoices over a credit block."))
        moves = self.sudo().move_ids
        check_allowed_companies(self.env, moves.company_id, self.env._("credit block overrides"))
        if drafts and any(move.state != "draft" or move.move_type != "out_invoice" for move in moves):
            raise UserError(self.env._("Only draft customer invoices can be posted over a credit block."))

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can post invoices over a credit block."))
        self._ar_check_moves()
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for overriding the credit block."))
        moves = self.move_ids
        if not moves:
            raise UserError(self.env._("Only draft customer invoices can be posted over a credit block."))
        # overrides are created by this wizard only (no user may create them): as superuser, for this user
        overrides = (
            self.env["ar.credit.override"]
            .sudo()
            .create(
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
        )
        moves.action_post()
        # Overrides the posting did not need (the block was gone) are not kept.
        overrides.filtered(lambda o: o.state == "pending").sudo().unlink()
        return {"type": "ir.actions.act_window_close"}
