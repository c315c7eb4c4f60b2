import uuid

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .res_partner import MANAGER_GROUP


class AccountMove(models.Model):
    """Dunning state, disputes, promises and late-payment charges of customer invoices."""

    _inherit = "account.move"

    ar_dunning_level_id = fields.Many2one(
        "ar.dunning.level", string="Last Dunning Level", readonly=True, copy=False, index="btree_not_null"
    )
    ar_dunning_date = fields.Date(string="Last Reminder", readonly=True, copy=False)
    ar_interest_days_charged = fields.Integer(
        string="Interest Days Charged",
        readonly=True,
        copy=False,
        help="Days late already invoiced as late-payment interest.",
    )
    ar_fixed_fee_charged = fields.Boolean(
        string="Fixed Compensation Charged", readonly=True, copy=False, help="The fixed compensation was invoiced."
    )
    ar_is_dunning_charge = fields.Boolean(
        string="Late-Payment Charges", readonly=True, copy=False, help="This invoice holds late-payment charges."
    )
    ar_dispute_ids = fields.One2many("ar.invoice.dispute", "move_id", string="Disputes")
    ar_dispute_open = fields.Boolean(
        string="Disputed", compute="_compute_ar_dispute_open", store=True, help="The invoice has an open dispute."
    )
    ar_dispute_confirmed = fields.Boolean(
        string="Dispute Confirmed",
        compute="_compute_ar_dispute_open",
        store=True,
        help="The invoice has an open dispute confirmed by a Credit Controller: it is left out of the overdue rule.",
    )
    ar_promise_ids = fields.Many2many(
        "ar.payment.promise",
        "ar_payment_promise_move_rel",
        "move_id",
        "promise_id",
        string="Promises to Pay",
        copy=False,
    )

    @api.depends("ar_dispute_ids.state", "ar_dispute_ids.confirmed")
    def _compute_ar_dispute_open(self):
        for move in self:
            open_disputes = move.ar_dispute_ids.filtered(lambda d: d.state == "open")
            move.ar_dispute_open = bool(open_disputes)
            move.ar_dispute_confirmed = any(open_disputes.mapped("confirmed"))

    def action_ar_open_dispute(self):
        self.ensure_one()
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("Only invoicing users can open disputes."))
        return {
            "name": self.env._("Dispute"),
            "type": "ir.actions.act_window",
            "res_model": "ar.invoice.dispute",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_id": self.id},
        }

    def action_ar_waive_charges(self):
        """Cancel late-payment charges with a credit note (Credit Managers)."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can waive late-payment charges."))
        charges = self.filtered(lambda m: m.ar_is_dunning_charge and m.state == "posted")
        if charges != self or any(m.payment_state in ("paid", "reversed") for m in charges):
            raise UserError(self.env._("Select posted, unpaid late-payment charge invoices to waive."))
        reversals = charges._reverse_moves(
            [{"ref": self.env._("Waived: %(invoice)s", invoice=move.name)} for move in charges], cancel=True
        )
        for move in charges:
            move.message_post(
                body=self.env._("Late-payment charges waived by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        return {
            "name": self.env._("Waived charges"),
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", reversals.ids)],
        }

    def _ar_resolve_settled_disputes(self):
        """Paying or fully crediting an invoice resolves its open disputes."""
        settled = self.filtered(lambda m: m.ar_dispute_open and m.payment_state in ("paid", "in_payment", "reversed"))
        for move in settled:
            move.ar_dispute_ids.filtered(lambda d: d.state == "open").sudo().action_resolve(
                self.env._("Dispute resolved: the invoice is settled.")
            )

    def _ar_ensure_access_tokens(self):
        """Give the invoices of ``self`` that have none their portal access token: one ``UPDATE`` for all.

        The token ``portal.mixin._portal_ensure_token`` would write one invoice
        at a time (a random UUID), before the reminders list the invoices'
        portal links; an invoice's ``write`` also checks its journal entry
        (five queries per invoice), which a token does not need.
        """
        missing = self.filtered(lambda move: not move.access_token)
        if not missing:
            return
        self.flush_model(["access_token"])
        self.env.execute_query(
            SQL(
                """
                UPDATE account_move m
                   SET access_token = v.token, write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int4[], %(tokens)s::varchar[]) AS v(id, token)
                 WHERE m.id = v.id AND COALESCE(m.access_token, '') = ''
                """,
                uid=self.env.uid,
                ids=missing.ids,
                tokens=[str(uuid.uuid4()) for _move in missing],
            )
        )
        missing.invalidate_recordset(["access_token", "write_uid", "write_date"])
        missing.modified(["access_token"])
