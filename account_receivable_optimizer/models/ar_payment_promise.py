import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.ar_core import bounds, dunning
from .ar_retry import is_concurrency_error

_logger = logging.getLogger(__name__)

PROMISE_LIMITS = {"amount": (0.0, bounds.MAX_AMOUNT), "amount_due_at_promise": (0.0, bounds.MAX_AMOUNT)}


class ArPaymentPromise(models.Model):
    _name = "ar.payment.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread", "ar.protected.fields.mixin", "ar.bounded.mixin"]
    _ar_limits = PROMISE_LIMITS
    _order = "promised_date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True, tracking=True
    )
    move_ids = fields.Many2many(
        "account.move",
        "ar_payment_promise_move_rel",
        "promise_id",
        "move_id",
        string="Invoices",
        required=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(
        required=True,
        tracking=True,
        help="Amount the customer promised to pay: more than 0, at most what the invoices owe.",
    )
    amount_due_at_promise = fields.Monetary(readonly=True, help="Amount due on the invoices when the promise was made.")
    promised_date = fields.Date(
        required=True,
        tracking=True,
        help="When the customer will pay: from today to ten years (3650 days) ahead.",
    )
    state = fields.Selection(
        [("pending", "Pending"), ("kept", "Kept"), ("broken", "Broken")],
        default="pending",
        required=True,
        readonly=True,
        tracking=True,
    )
    escalated = fields.Boolean(
        readonly=True, help="Technical: the dunning already escalated the customer for this broken promise."
    )
    user_id = fields.Many2one("res.users", string="Recorded by", default=lambda self: self.env.user, readonly=True)
    note = fields.Text()

    #: set by the promise's creation, the daily check and the dunning run only
    _ar_protected_fields = ("state", "escalated", "amount_due_at_promise", "user_id")
    #: the amount due at promise is of these invoices: other invoices would make the promise kept
    _ar_frozen_fields = ("partner_id", "move_ids")

    def _ar_protected_create_values(self):
        return {"state": "pending", "user_id": self.env.uid}

    @api.constrains("partner_id", "move_ids")
    def _check_invoices(self):
        for promise in self:
            customer = promise.partner_id.commercial_partner_id
            foreign = promise.move_ids.filtered(
                lambda m, c=customer: (
                    m.commercial_partner_id != c or m.move_type != "out_invoice" or m.state != "posted"
                )
            )
            if foreign or not promise.move_ids:
                raise ValidationError(
                    self.env._(
                        "A promise to pay of %(customer)s can only cover its posted invoices, not %(invoices)s.",
                        customer=customer.display_name,
                        invoices=", ".join(foreign.mapped("display_name")) or self.env._("no invoice"),
                    )
                )

    @api.constrains("amount", "promised_date", "move_ids")
    def _check_promise(self):
        today = fields.Date.context_today(self)
        for promise in self:
            due = sum(promise.move_ids.mapped("amount_residual_signed"))
            try:
                dunning.validate_promise(
                    promise.amount, promise.promised_date, due, today, promise.currency_id.decimal_places
                )
            except ValueError as error:
                messages = {
                    "past": self.env._(
                        "The promised date %(date)s is in the past: a promise to pay is for today or later.",
                        date=promise.promised_date,
                    ),
                    "far": self.env._(
                        "The promised date %(date)s is more than %(days)s days away: "
                        "record a promise the customer can keep, at the latest on %(last)s.",
                        date=promise.promised_date,
                        days=bounds.MAX_DAYS,
                        last=bounds.add_days(today, bounds.MAX_DAYS),
                    ),
                    "amount": self.env._("The promised amount must be positive."),
                    "too_much": self.env._(
                        "The promised amount %(amount)s is more than the %(due)s due on the selected invoices.",
                        amount=promise.amount,
                        due=due,
                    ),
                }
                raise ValidationError(messages[str(error)]) from error

    @api.model_create_multi
    def create(self, vals_list):
        promises = super().create(vals_list)
        for promise in promises:
            promise.sudo().amount_due_at_promise = sum(promise.move_ids.mapped("amount_residual_signed"))
            promise.partner_id.commercial_partner_id.sudo().message_post(
                body=self.env._(
                    "Promise to pay %(amount)s by %(date)s on %(invoices)s.",
                    amount=promise.amount,
                    date=promise.promised_date,
                    invoices=", ".join(promise.move_ids.mapped("name")),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return promises

    def write(self, vals):
        result = super().write(vals)
        if "move_ids" in vals:
            # what is paid against the promise is measured from what the new invoices owe now
            for promise in self.sudo():
                promise.amount_due_at_promise = sum(promise.move_ids.mapped("amount_residual_signed"))
        return result

    def _ar_check(self, today):
        """Mark pending promises kept (paid in full) or broken (date + grace passed).

        Each promise is checked in its own savepoint: one that fails is logged
        and stays pending for the next check, the others are checked.
        """
        for promise in self.filtered(lambda p: p.state == "pending"):
            try:
                with self.env.cr.savepoint():
                    promise._ar_check_one(today)
            except Exception as error:  # one bad promise must not stop the others
                if is_concurrency_error(error):
                    _logger.info("Promise to pay %s is being changed: checked at the next run", promise.id)
                else:
                    _logger.exception("Check of promise to pay %s failed", promise.id)

    def _ar_check_one(self, today):
        self.ensure_one()
        grace = self.partner_id.with_company(self.company_id)._ar_get_credit_policy().dunning_grace_days
        paid = self.amount_due_at_promise - sum(self.move_ids.mapped("amount_residual_signed"))
        outcome = dunning.promise_outcome(
            self.amount,
            paid,
            self.promised_date,
            today,
            grace_days=grace,
            precision_digits=self.currency_id.decimal_places,
        )
        if outcome != "pending":
            self.sudo().state = outcome
            self.flush_recordset(["state"])

    @api.model
    def _cron_check_promises(self):
        today = fields.Date.context_today(self)
        self.search([("state", "=", "pending")])._ar_check(today)
