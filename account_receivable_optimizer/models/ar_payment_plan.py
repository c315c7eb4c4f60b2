import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from ..lib.ar_core import payment_plan
from .ar_retry import is_concurrency_error

_logger = logging.getLogger(__name__)


class ArPaymentPlan(models.Model):
    """A payment plan (échéancier): overdue invoices of a customer paid by dated instalments.

    Drafted by a collector (or from the customer's request on the portal),
    proposed to the customer, accepted by the customer's signature on the
    portal; while active, the dunning leaves its invoices alone until the
    next instalment plus the grace period; a missed instalment breaks it.
    """

    _name = "ar.payment.plan"
    _description = "Payment Plan"
    _inherit = ["mail.thread", "ar.protected.fields.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _rec_name = "partner_id"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True, tracking=True
    )
    move_ids = fields.Many2many(
        "account.move",
        "ar_payment_plan_move_rel",
        "plan_id",
        "move_id",
        string="Invoices",
        required=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    line_ids = fields.One2many("ar.payment.plan.line", "plan_id", string="Instalments", copy=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_due = fields.Monetary(
        compute="_compute_amount_due", help="What the invoices still owe, in company currency."
    )
    amount_due_at_plan = fields.Monetary(
        readonly=True, help="What the invoices owed when the plan was proposed: the instalments add up to it."
    )
    instalment_count = fields.Integer(
        string="Number of instalments",
        default=3,
        help="Number of equal monthly instalments the 'Equal instalments' button proposes (1 to 120).",
    )
    first_date = fields.Date(
        string="First instalment", help="Date of the first instalment the 'Equal instalments' button proposes."
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("proposed", "Proposed"),
            ("active", "Active"),
            ("done", "Paid"),
            ("broken", "Broken"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    next_due_date = fields.Date(
        readonly=True, help="Next instalment not paid yet: the dunning waits until it, plus the grace period."
    )
    date_broken = fields.Date(string="Broken on", readonly=True)
    signature = fields.Image(max_width=1024, max_height=1024, copy=False, attachment=True, readonly=True)
    signed_by = fields.Char(copy=False, readonly=True)
    signed_on = fields.Datetime(copy=False, readonly=True)
    user_id = fields.Many2one("res.users", string="Drafted by", default=lambda self: self.env.user, readonly=True)
    note = fields.Text()

    #: set by the plan's actions, the customer's signature and the nightly check only
    _ar_protected_fields = (
        "state",
        "next_due_date",
        "date_broken",
        "signature",
        "signed_by",
        "signed_on",
        "amount_due_at_plan",
        "user_id",
    )

    def _ar_protected_create_values(self):
        return {"state": "draft", "user_id": self.env.uid}

    @api.depends("move_ids.amount_residual_signed")
    def _compute_amount_due(self):
        for plan in self:
            plan.amount_due = sum(plan.move_ids.mapped("amount_residual_signed"))

    @api.constrains("partner_id", "move_ids")
    def _check_invoices(self):
        for plan in self:
            customer = plan.partner_id.commercial_partner_id
            foreign = plan.move_ids.filtered(
                lambda m, c=customer: (
                    m.commercial_partner_id != c or m.move_type != "out_invoice" or m.state != "posted"
                )
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "A payment plan of %(customer)s can only cover its posted invoices, not %(invoices)s.",
                        customer=customer.display_name,
                        invoices=", ".join(foreign.mapped("display_name")),
                    )
                )

    @api.constrains("instalment_count")
    def _check_instalment_count(self):
        for plan in self:
            if not 1 <= plan.instalment_count <= 120:
                raise ValidationError(self.env._("A payment plan has from 1 to 120 instalments."))

    def write(self, vals):
        if {"partner_id", "move_ids", "line_ids"} & set(vals) and self.filtered(lambda p: p.state != "draft"):
            raise UserError(self.env._("Only a draft payment plan can be changed: cancel it and draft a new one."))
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _ar_schedule(self):
        self.ensure_one()
        return [(line.date, line.amount) for line in self.line_ids.sorted(lambda line: (line.date, line.id))]

    def _ar_check_schedule(self, today):
        """Refuse a schedule that is not one (``payment_plan.validate_schedule``), with a clear message."""
        self.ensure_one()
        if not self.move_ids or self.move_ids.filtered(lambda m: m.payment_state not in ("not_paid", "partial")):
            raise ValidationError(self.env._("A payment plan covers invoices still due: choose them."))
        schedule = [(line.date, line.amount) for line in self.line_ids.sorted("id")]
        if any(not date for date, _amount in schedule):
            raise ValidationError(self.env._("Give every instalment its date."))
        try:
            payment_plan.validate_schedule(schedule, self.amount_due, today, self.currency_id.decimal_places)
        except ValueError as error:
            messages = {
                "empty": self.env._("Add the instalments of the plan."),
                "amount": self.env._("Every instalment must be a positive amount."),
                "order": self.env._("The dates of the instalments must increase, one instalment per date."),
                "past": self.env._("The first instalment cannot be in the past."),
                "sum": self.env._(
                    "The instalments add up to %(total)s, not to the %(due)s the invoices owe.",
                    total=self.currency_id.format(sum(amount for _date, amount in schedule)),
                    due=self.currency_id.format(self.amount_due),
                ),
            }
            raise ValidationError(messages[str(error)]) from error

    def action_equal_instalments(self):
        """Replace the instalments by equal monthly ones from the first date (drafts only)."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("Only a draft payment plan can be changed."))
        today = fields.Date.context_today(self)
        schedule = payment_plan.equal_instalments(
            self.amount_due,
            self.instalment_count,
            self.first_date or payment_plan.add_months(today, 1),
            self.currency_id.decimal_places,
        )
        self.line_ids = [Command.clear()] + [
            Command.create({"date": date, "amount": amount}) for date, amount in schedule
        ]
        return True

    def action_propose(self):
        """Check the schedule and offer it to the customer, who accepts it on the portal."""
        today = fields.Date.context_today(self)
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("Only a draft payment plan can be proposed."))
            plan._ar_check_schedule(today)
            plan.sudo().write({"state": "proposed", "amount_due_at_plan": plan.amount_due})
            plan.partner_id.commercial_partner_id.sudo().message_post(
                body=self.env._(
                    "Payment plan proposed: %(count)s instalments, %(total)s, from %(first)s to %(last)s.",
                    count=len(plan.line_ids),
                    total=plan.currency_id.format(plan.amount_due),
                    first=min(plan.line_ids.mapped("date")),
                    last=max(plan.line_ids.mapped("date")),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_cancel(self):
        self.filtered(lambda p: p.state in ("draft", "proposed", "active")).sudo().write(
            {"state": "cancel", "next_due_date": False}
        )
        return True

    def action_draft(self):
        self.filtered(lambda p: p.state == "cancel").sudo().write({"state": "draft"})
        return True

    def _ar_accept(self, name, signature):
        """The customer signs the proposed plan on the portal: it becomes active."""
        self.ensure_one()
        if self.state != "proposed":
            raise UserError(self.env._("This payment plan is not waiting for your signature."))
        if not signature or not (name or "").strip():
            raise UserError(self.env._("Sign with your name to accept the payment plan."))
        today = fields.Date.context_today(self)
        self._ar_check_schedule(today)
        self.sudo().write(
            {
                "state": "active",
                "signature": signature,
                "signed_by": name.strip(),
                "signed_on": fields.Datetime.now(),
                "next_due_date": payment_plan.next_due(self._ar_schedule(), 0.0, self.currency_id.decimal_places),
                # what is paid against the plan is measured from what the invoices owe at signature
                "amount_due_at_plan": self.amount_due,
            }
        )
        return True

    # ------------------------------------------------------------------
    # Nightly check
    # ------------------------------------------------------------------

    def _ar_check(self, today):
        """Mark active plans done (paid) or broken (an instalment missed); each in its own savepoint."""
        for plan in self.filtered(lambda p: p.state == "active"):
            try:
                with self.env.cr.savepoint():
                    plan._ar_check_one(today)
            except Exception as error:  # one bad plan must not stop the others
                if is_concurrency_error(error):
                    _logger.info("Payment plan %s is being changed: checked at the next run", plan.id)
                else:
                    _logger.exception("Check of payment plan %s failed", plan.id)

    def _ar_check_one(self, today):
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id)
        grace = partner._ar_get_credit_policy().dunning_grace_days
        digits = self.currency_id.decimal_places
        paid = self.amount_due_at_plan - self.amount_due
        schedule = self._ar_schedule()
        outcome = payment_plan.plan_outcome(schedule, paid, today, grace_days=grace, precision_digits=digits)
        if outcome == "active":
            self.sudo().next_due_date = payment_plan.next_due(schedule, paid, digits)
        elif outcome == "done":
            self.sudo().write({"state": "done", "next_due_date": False})
        else:
            missed = payment_plan.next_due(schedule, paid, digits)
            self.sudo().write({"state": "broken", "next_due_date": False, "date_broken": today})
            invoices = ", ".join(self.move_ids.mapped("name"))

            def note(env):
                return env._(
                    "%(customer)s missed the instalment of %(date)s of its payment plan: the plan is broken and "
                    "the dunning of %(invoices)s resumes.",
                    customer=partner.display_name,
                    date=format_date(env, missed),
                    invoices=invoices,
                )

            partner.sudo().message_post(body=note(self.env), subtype_xmlid="mail.mt_note")
            partner._ar_schedule_task(lambda env: env._("Payment plan broken"), note, today)
        self.flush_recordset(["state", "next_due_date"])

    @api.model
    def _cron_check_plans(self):
        today = fields.Date.context_today(self)
        self.search([("state", "=", "active")])._ar_check(today)
