from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.ar_core import late_charges, risk

#: Levels shipped with the module: name, days after the due date, minimum days since the previous reminder,
#: tone, email, letter, collector task, hand-over, and the French name and task.
DEFAULT_LEVELS = [
    ("Courtesy reminder", -5, 0, "courtesy", True, False, "", False, "Rappel avant échéance", ""),
    ("First reminder", 10, 0, "reminder", True, False, "", False, "Première relance", ""),
    ("Second reminder", 25, 10, "firm", True, False, "", False, "Deuxième relance", ""),
    ("Formal notice", 40, 10, "formal_notice", True, True, "", False, "Mise en demeure", ""),
    (
        "Collector call",
        50,
        7,
        "firm",
        False,
        False,
        "Call the customer about its overdue invoices",
        False,
        "Appel du client",
        "Appeler le client au sujet de ses factures échues",
    ),
    (
        "Hand-over to collection",
        65,
        10,
        "formal_notice",
        False,
        False,
        "",
        True,
        "Transmission au recouvrement",
        "",
    ),
]


class ArCreditPolicy(models.Model):
    """Dunning settings of a credit policy (kept apart from the credit-limit settings)."""

    _inherit = "ar.credit.policy"

    ar_dunning_level_ids = fields.One2many("ar.dunning.level", "policy_id", string="Dunning Levels")
    dunning_skip_levels = fields.Boolean(
        string="Skip levels",
        tracking=True,
        help="Send an invoice straight to the level its days late reached. Off (default): it moves one level at "
        "a time, so a first run on an old ledger starts at the first reminder.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        domain="[('share', '=', False)]",
        help="Gets the dunning tasks of customers without a collector. Empty: a Credit Manager of the company.",
    )
    dunning_grace_days = fields.Integer(
        string="Promise grace period (days)",
        default=3,
        tracking=True,
        help="Invoices covered by a promise to pay are not reminded until the promised date plus these days; "
        "a promise not paid in full by then is broken (0 to 3650).",
    )
    portal_promise_max_days = fields.Integer(
        string="Portal promise: maximum days ahead",
        default=30,
        tracking=True,
        help="On the customer portal, a customer may promise to pay from today to this many days ahead "
        "(1 to 3650). Promises recorded by your team are not limited by it.",
    )
    portal_promise_min_share = fields.Float(
        string="Portal promise: minimum share of the amount due (%)",
        default=0.0,
        tracking=True,
        help="On the customer portal, a promise covers at least this share of what the chosen invoices owe "
        "(0 to 100 %; 0: any positive amount).",
    )
    portal_plan_max_instalments = fields.Integer(
        string="Portal payment plan: maximum instalments",
        default=6,
        tracking=True,
        help="On the customer portal, a customer may ask for a payment plan of 2 to this many monthly "
        "instalments (2 to 120); the collector decides.",
    )
    dunning_unreconciled = fields.Selection(
        [("activity", "Ask the collector to reconcile first"), ("send", "Send anyway, mentioning them")],
        string="Unreconciled payments",
        default="activity",
        required=True,
        tracking=True,
        help="When the customer has payments or credit notes not matched with its invoices: either no reminder "
        "is sent and the collector gets a task to reconcile them, or the reminder is sent and lists them.",
    )
    charge_enabled = fields.Boolean(
        string="Late-payment charges",
        default=False,
        tracking=True,
        help="Invoice late-payment interest and the fixed recovery compensation with each reminder of "
        "overdue invoices (off by default).",
    )
    charge_rate = fields.Float(
        string="Annual interest rate (%)",
        digits=(16, 4),
        tracking=True,
        help="Simple interest on the amount due including taxes, per year of 365 days (0 to 1000). "
        "France: the ECB rate + 10 points unless the contract says otherwise.",
    )
    charge_rate_source = fields.Selection(
        [("fixed", "Fixed rate of this policy"), ("statutory", "Statutory rate table")],
        string="Interest rate source",
        default="fixed",
        required=True,
        tracking=True,
        help="Fixed: every day late at the annual rate above. Statutory table: each day late at the rate in force "
        "that day in Invoicing > Credit Control > Late-Payment Interest Rates (France: the ECB rate of the "
        "half-year + 10 points, L441-10), plus the margin.",
    )
    charge_rate_margin = fields.Float(
        string="Margin over the statutory rate (points)",
        digits=(16, 2),
        tracking=True,
        help="Points added to the statutory rate of each day (0: the statutory rate itself).",
    )
    charge_paid_late = fields.Boolean(
        string="Charge invoices paid late",
        tracking=True,
        help="Also charge invoices paid after their due date, even with no reminder: interest from the due date "
        "to each payment and the fixed compensation, invoiced with the customer's next reminder (the law makes "
        "them due for every late payment). Off: only amounts still open at a reminder are charged.",
    )
    charge_paid_late_from = fields.Date(
        string="Charge payments made from",
        default=fields.Date.context_today,
        tracking=True,
        help="Invoices settled before this date are never charged for paying late (empty: every late payment).",
    )
    charge_fixed_amount = fields.Monetary(
        string="Fixed compensation per invoice",
        currency_field="currency_id",
        tracking=True,
        help="Charged once per late invoice (40 EUR in the EU, Directive 2011/7/EU; France D441-5); "
        "0 to 999,999,999,999.",
    )
    charge_product_id = fields.Many2one(
        "product.product",
        string="Charges product",
        check_company=True,
        tracking=True,
        help="Product of the charge invoice lines: gives their income account and taxes.",
    )

    weight_broken_promises = fields.Float(
        string="Weight: broken promises",
        default=risk.DEFAULT_WEIGHTS["broken_promises"],
        tracking=True,
        help="Weight of the promises to pay broken in the last 12 months (full risk at 3). "
        "0 (default) leaves them out of the risk score; 0 to 1000.",
    )

    @api.constrains("weight_broken_promises")
    def _check_weight_broken_promises(self):
        self._check_weights()

    def _get_risk_weights(self):
        weights = super()._get_risk_weights()
        weights["broken_promises"] = self.weight_broken_promises
        return weights

    @api.constrains(
        "dunning_grace_days",
        "charge_rate",
        "charge_rate_margin",
        "charge_fixed_amount",
        "charge_enabled",
        "charge_product_id",
    )
    def _check_dunning_settings(self):
        for policy in self:
            if (
                policy.dunning_grace_days < 0
                or policy.charge_rate < 0
                or policy.charge_rate_margin < 0
                or policy.charge_fixed_amount < 0
            ):
                raise ValidationError(
                    self.env._(
                        "The grace period, interest rate, margin and fixed compensation of credit policy %(policy)s "
                        "cannot be negative.",
                        policy=policy.display_name,
                    )
                )
            if policy.charge_enabled and not policy.charge_product_id:
                raise ValidationError(
                    self.env._(
                        "Credit policy %(policy)s charges late-payment fees: choose the product of the charge lines.",
                        policy=policy.display_name,
                    )
                )

    def _ar_create_default_dunning_levels(self):
        """Give policies without dunning levels the levels shipped with the module.

        A courtesy reminder before the due date, two reminders whose tone
        rises, a formal notice (email and letter), a call by the collector
        and a hand-over to collection that waits for a Credit Controller's
        confirmation; no charges. Names in English and French, whether French
        is installed now or later.
        """
        template = self.env.ref("account_receivable_optimizer.mail_template_dunning", raise_if_not_found=False)
        for policy in self.filtered(lambda p: not p.ar_dunning_level_ids):
            levels = (
                self.env["ar.dunning.level"]
                .sudo()
                .create(
                    [
                        {
                            "policy_id": policy.id,
                            "company_id": policy.company_id.id,
                            "sequence": sequence,
                            "name": name,
                            "offset_days": offset,
                            "min_interval_days": interval,
                            "tone": tone,
                            "send_email": email,
                            "mail_template_id": template.id if template and email else False,
                            "print_letter": letter,
                            "create_activity": bool(task),
                            "activity_summary": task or False,
                            "hand_over": hand_over,
                        }
                        for sequence, (
                            name,
                            offset,
                            interval,
                            tone,
                            email,
                            letter,
                            task,
                            hand_over,
                            _fr,
                            _fr_task,
                        ) in enumerate(DEFAULT_LEVELS, start=1)
                    ]
                )
            )
            levels._ar_set_french_names([(values[8], values[9]) for values in DEFAULT_LEVELS])

    def _ar_charge_rate_table(self):
        """The late-payment interest rates of this policy, as the core takes them: ``[(date_from, rate)]``."""
        self.ensure_one()
        if self.charge_rate_source == "statutory":
            rows = self.env["ar.late.payment.rate"]._ar_rate_rows(self.company_id or self.env.company)
            return late_charges.rate_table(rows, margin=self.charge_rate_margin)
        return late_charges.fixed_rate_table(self.charge_rate)
