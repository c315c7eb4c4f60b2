from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, formatLang

from ..lib.ar_core import exposure as core_exposure
from .res_partner import CONTROLLER_GROUP, MANAGER_GROUP


class AccountMove(models.Model):
    _inherit = "account.move"

    ar_credit_blocked = fields.Boolean(
        string="Credit Blocked",
        compute="_compute_ar_credit_blocked",
        help="Posting this invoice would be refused by the customer's credit policy.",
    )
    ar_partner_risk_grade = fields.Selection(related="commercial_partner_id.ar_risk_grade", string="Risk Grade")
    ar_credit_override_ids = fields.One2many(
        "ar.credit.override", "move_id", string="Credit Overrides", groups=CONTROLLER_GROUP
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    def _ar_preview_credit_checks(self):
        """The credit check each draft customer invoice would get if posted now.

        :return: ``{move: (check, data, policy, partner)}`` for the moves of
            ``self`` that have a policy; one query per company.
        """
        result = {}
        drafts = self.filtered(
            lambda m: m.state == "draft" and m.move_type == "out_invoice" and m.commercial_partner_id
        )
        for company, company_moves in drafts.grouped("company_id").items():
            partners = company_moves.commercial_partner_id._origin.with_company(company)
            data = partners._ar_get_credit_data(company)
            for move in company_moves.with_company(company):
                partner = move.commercial_partner_id._origin.with_company(company)
                policy = partner._ar_get_credit_policy()
                if not policy or partner.id not in data:
                    continue
                figures = data[partner.id]
                # The saved draft is already in the exposure; the form may hold another amount.
                saved = move._origin.amount_total_signed if move._origin and move._origin.state == "draft" else 0.0
                after = figures.exposure - saved + move._ar_current_amount()
                figures = figures._replace(
                    exposure=after,
                    available=core_exposure.available_credit(figures.limit, after),
                )
                result[move] = (partner._ar_credit_check(figures, policy), figures, policy, partner)
        return result

    def _ar_current_amount(self):
        """Total of the invoice in company currency, as the form shows it now.

        Read from ``tax_totals`` like Odoo's own credit warning, so that the
        figure follows the lines being edited in the form.
        """
        self.ensure_one()
        totals = self.tax_totals or {}
        field = "total_amount_currency" if self.currency_id == self.company_currency_id else "total_amount"
        return totals.get(field, self.amount_total_signed)

    @api.depends("company_id", "partner_id", "tax_totals", "state")
    def _compute_ar_credit_blocked(self):
        previews = self._ar_preview_credit_checks()
        for move in self:
            preview = previews.get(move)
            move.ar_credit_blocked = bool(preview and not preview[0].passed and preview[2].enforcement == "block")

    @api.depends("state")
    def _compute_partner_credit_warning(self):
        res = super()._compute_partner_credit_warning()
        previews = self._ar_preview_credit_checks()
        for move, (check, figures, policy, partner) in previews.items():
            if check.passed:
                continue
            currency = move.company_id.currency_id
            grade = dict(partner._fields["ar_risk_grade"]._description_selection(self.env)).get(
                partner.ar_risk_grade, self.env._("not graded")
            )
            lines = [
                partner._ar_credit_check_message(check, figures, policy),
                self.env._(
                    "Risk grade: %(grade)s. Exposure after posting: %(exposure)s. Available credit: %(available)s.",
                    grade=grade,
                    exposure=formatLang(self.env, figures.exposure, currency_obj=currency),
                    available=formatLang(self.env, figures.available, currency_obj=currency)
                    if figures.available is not None
                    else self.env._("no limit"),
                ),
                self.env._("Posting will be refused: a Credit Manager can override the block.")
                if policy.enforcement == "block"
                else self.env._("The credit policy only warns: the invoice can be posted."),
            ]
            move.partner_credit_warning = "\n".join(filter(None, [move.partner_credit_warning, *lines]))
        return res

    # ------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------

    def _post(self, soft=True):
        invoices = self.filtered(lambda m: m.move_type == "out_invoice" and m.commercial_partner_id)
        if invoices:
            invoices._ar_lock_commercial_partners()
        posted = super()._post(soft=soft)
        posted.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")._ar_check_credit()
        return posted

    def _ar_lock_commercial_partners(self):
        """Serialise the credit checks of one customer.

        Two transactions posting invoices of the same customer must not
        both pass a check that together they fail. Under Odoo's REPEATABLE
        READ isolation a row lock alone is not enough (the second
        transaction would still check against its old snapshot), so the
        rows are updated: the second transaction waits for the first and
        then fails with a serialization error, which Odoo retries with a
        fresh snapshot that sees the first invoice.
        """
        partner_ids = sorted(set(self.commercial_partner_id.ids))
        self.env.execute_query(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
                partner_ids,
            )
        )
        self.env.execute_query(SQL("UPDATE res_partner SET write_date = write_date WHERE id = ANY(%s)", partner_ids))

    def _ar_check_credit(self):
        """Check the credit of the customers of these just-posted invoices."""
        is_manager = self.env.user.has_group(MANAGER_GROUP)
        for company, company_moves in self.grouped("company_id").items():
            moves = company_moves.with_company(company)
            partners = moves.commercial_partner_id.with_company(company)
            partners._ar_apply_default_credit_limit(moves)
            data = partners._ar_get_credit_data(company, exclude_move_ids=moves.ids)
            overrides = (
                self.env["ar.credit.override"]
                .sudo()
                .search([("move_id", "in", moves.ids), ("state", "=", "pending"), ("user_id", "=", self.env.uid)])
            )
            for commercial, partner_moves in moves.grouped("commercial_partner_id").items():
                partner = commercial.with_company(company)
                policy = partner._ar_get_credit_policy()
                if not policy:
                    continue
                figures = data[partner.id]
                check = partner._ar_credit_check(figures, policy)
                if check.passed:
                    continue
                message = partner._ar_credit_check_message(check, figures, policy)
                partner_overrides = overrides.filtered(lambda o, pm=partner_moves: o.move_id in pm)
                if is_manager and partner_overrides.move_id == partner_moves:
                    partner_moves._ar_apply_overrides(partner_overrides, check, figures, message)
                elif policy.enforcement == "block":
                    raise UserError(
                        self.env._(
                            "The credit policy blocks invoice %(invoices)s.\n%(why)s\n"
                            "Ask a Credit Manager to post it with 'Override Credit Block'.",
                            invoices=", ".join(partner_moves.mapped("name")),
                            why=message,
                        )
                    )
                else:
                    for move in partner_moves:
                        move.message_post(
                            body=self.env._("Posted over the credit policy:\n%(why)s", why=message),
                            message_type="comment",
                            subtype_xmlid="mail.mt_note",
                        )

    def _ar_apply_overrides(self, overrides, check, figures, message):
        for override in overrides:
            move = override.move_id
            override.sudo().write(
                {
                    "state": "applied",
                    "amount_total": move.amount_total_signed,
                    "exposure": figures.exposure,
                    "credit_limit": figures.limit,
                    "overdue_amount": figures.overdue_amount,
                    "max_days_overdue": figures.max_days_overdue,
                    "blocked_reasons": ", ".join(check.reasons),
                }
            )
            body = self.env._(
                "Credit block overridden by %(user)s on %(invoice)s.\n%(why)s\nReason: %(reason)s",
                user=override.user_id.name,
                invoice=move.name,
                why=message,
                reason=override.reason,
            )
            move.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
            move.commercial_partner_id.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_ar_credit_override(self):
        """Open the wizard that posts blocked invoices with a reason."""
        invoices = self.filtered(lambda m: m.state == "draft" and m.move_type == "out_invoice")
        if not invoices:
            raise UserError(self.env._("Select draft customer invoices to post over their credit block."))
        return {
            "name": self.env._("Override Credit Block"),
            "type": "ir.actions.act_window",
            "res_model": "ar.credit.override.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": invoices.ids},
        }
