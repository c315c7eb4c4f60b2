from odoo import api, fields, models

from .account_move import GUARDED_LINE_FIELDS


class AccountMoveLine(models.Model):
    """Journal items of posted moves go through the credit guard of their moves."""

    _inherit = "account.move.line"

    ar_dunning_level_id = fields.Many2one(
        "ar.dunning.level",
        string="Dunning Level",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Last dunning level this due item (an invoice or one of its instalments) was reminded at.",
    )
    ar_dunning_date = fields.Date(string="Last Reminder", readonly=True, copy=False)
    ar_interest_charged_until = fields.Date(
        string="Interest Charged Until",
        readonly=True,
        copy=False,
        help="Late-payment interest of this receivable item is invoiced up to this day included.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        Move = self.env["account.move"]
        targets = Move.browse({vals["move_id"] for vals in vals_list if vals.get("move_id")})
        posted = targets.filtered(lambda m: m.state == "posted")
        if not posted:
            return super().create(vals_list)
        with Move._ar_guard_receivables(posted):
            return super().create(vals_list)

    def write(self, vals):
        if not GUARDED_LINE_FIELDS.intersection(vals):
            return super().write(vals)
        Move = self.env["account.move"]
        moves = self.move_id | (Move.browse(vals["move_id"]) if vals.get("move_id") else Move)
        posted = moves.filtered(lambda m: m.state == "posted")
        if not posted:
            return super().write(vals)
        with Move._ar_guard_receivables(posted):
            return super().write(vals)
