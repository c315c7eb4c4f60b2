from odoo import Command, models
from odoo.tools import SQL, format_date, formatLang

from ..lib.ar_core import discount as core_discount


class ResPartner(models.Model):
    """Early-payment discount reminders, sent by the dunning run.

    A customer gets one communication a run: when its dunning reminder goes
    out, the invoices whose discount expires soon say "pay by ... and save
    ..." in it; otherwise a discount reminder of its own is sent.
    """

    _inherit = "res.partner"

    def _ar_get_discount_reminders(self, today):
        """``{move_id: (discount_date, discount)}`` of this customer's invoices to remind today.

        One query; the eligibility rule is the core's (``reminder_due``):
        before the deadline, from the policy's reminder day, nothing paid,
        never reminded before.
        """
        self.ensure_one()
        company = self.env.company
        policy = self._ar_get_credit_policy()
        if not policy:
            return {}
        self.env["account.move"].flush_model(["ar_discount_reminder_date", "commercial_partner_id", "state"])
        self.env["account.move.line"].flush_model(
            ["amount_residual", "balance", "discount_balance", "discount_date", "account_id"]
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT m.id, MIN(l.discount_date), SUM(l.balance - l.discount_balance),
                       SUM(l.amount_residual), SUM(l.balance)
                  FROM account_move m
                  JOIN account_move_line l ON l.move_id = m.id
                  JOIN account_account a ON a.id = l.account_id
                 WHERE m.commercial_partner_id = %(partner)s
                   AND m.company_id = %(company)s
                   AND m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.ar_discount_reminder_date IS NULL
                   AND a.account_type = 'asset_receivable'
                   AND l.discount_date >= %(today)s
              GROUP BY m.id
                """,
                partner=self.id,
                company=company.id,
                today=today,
            )
        )
        return {
            move_id: (discount_date, amount)
            for move_id, discount_date, amount, residual, total in rows
            if core_discount.reminder_due(
                discount_date=discount_date,
                reminder_days=policy.discount_reminder_days,
                today=today,
                residual=residual,
                total=total,
            )
        }

    def _ar_communication_vals(self, level, rows, levels_of, today):
        vals = super()._ar_communication_vals(level, rows, levels_of, today)
        reminders = self._ar_get_discount_reminders(today)
        for command in vals["line_ids"]:
            line = command[2]
            if line["move_id"] in reminders:
                line["discount_date"], line["discount_amount"] = reminders[line["move_id"]]
        return vals

    def _ar_dun(self, planned, today, **kwargs):
        communication = super()._ar_dun(planned, today, **kwargs)
        if communication:
            if communication.state == "sent":
                reminded = communication.line_ids.filtered("discount_date").move_id
                reminded.sudo().ar_discount_reminder_date = today
            return communication
        reminders = self._ar_get_discount_reminders(today)
        if not reminders:
            return communication
        return self._ar_send_discount_reminder(reminders, today)

    def _ar_send_discount_reminder(self, reminders, today):
        """A communication of its own for the discounts that expire soon."""
        self.ensure_one()
        company = self.env.company
        moves = self.env["account.move"].sudo().browse(list(reminders))
        communication = (
            self.env["ar.dunning.communication"]
            .sudo()
            .create(
                {
                    "company_id": company.id,
                    "partner_id": self.id,
                    "date": today,
                    "kind": "discount",
                    "state": "sent",
                    "channels": self.env._("Email"),
                    "amount_total": sum(moves.mapped("amount_residual_signed")),
                    "line_ids": [
                        Command.create(
                            {
                                "move_id": move.id,
                                "due_date": move.invoice_date_due,
                                "days_late": 0,
                                "amount_due": move.amount_residual_signed,
                                "discount_date": reminders[move.id][0],
                                "discount_amount": reminders[move.id][1],
                            }
                        )
                        for move in moves
                    ],
                }
            )
        )
        communication._ar_send_email(self)
        moves.sudo().ar_discount_reminder_date = today
        line = communication.line_ids[:1]
        self.sudo().message_post(
            body=self.env._(
                "Discount reminder: pay by %(date)s and save %(amount)s.",
                date=format_date(self.env, line.discount_date),
                amount=formatLang(
                    self.env, sum(communication.line_ids.mapped("discount_amount")), currency_obj=company.currency_id
                ),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return communication
