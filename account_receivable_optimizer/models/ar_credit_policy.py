from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import formatLang

from ..lib.ar_core import bounds, discount, risk
from . import ar_limits

WEIGHT_FIELDS = {
    "days_late": "weight_days_late",
    "overdue_share": "weight_overdue_share",
    "max_overdue": "weight_max_overdue",
    "utilisation": "weight_utilisation",
}
THRESHOLD_FIELDS = ("threshold_a", "threshold_b", "threshold_c", "threshold_d")
#: Bounds of the numbers of a policy, its dunning settings (ar_credit_policy_dunning) included.
POLICY_LIMITS = {
    "sequence": (-bounds.MAX_SEQUENCE, bounds.MAX_SEQUENCE),
    "tolerance_percent": (0.0, bounds.MAX_PERCENT),
    "overdue_block_days": (0, bounds.MAX_DAYS),
    "default_credit_limit": (0.0, bounds.MAX_AMOUNT),
    "review_months": (0, bounds.MAX_MONTHS),
    **dict.fromkeys(WEIGHT_FIELDS.values(), (0.0, bounds.MAX_WEIGHT)),
    "weight_broken_promises": (0.0, bounds.MAX_WEIGHT),
    **dict.fromkeys(THRESHOLD_FIELDS, (0.0, 100.0)),
    "target_dso": (0.0, bounds.MAX_DAYS),
    "discount_reminder_days": (0, bounds.MAX_DAYS),
    "short_payment_tolerance": (0.0, bounds.MAX_AMOUNT),
    "dunning_grace_days": (0, bounds.MAX_DAYS),
    "portal_promise_max_days": (1, bounds.MAX_DAYS),
    "portal_promise_min_share": (0.0, bounds.MAX_PERCENT),
    "portal_plan_max_instalments": (2, bounds.MAX_MONTHS),
    "charge_rate": (0.0, bounds.MAX_RATE_PERCENT),
    "charge_fixed_amount": (0.0, bounds.MAX_AMOUNT),
    "cover_margin": (0.0, bounds.MAX_AMOUNT),
}


class ArCreditPolicy(models.Model):
    _name = "ar.credit.policy"
    _description = "Credit Policy"
    _inherit = ["mail.thread", "ar.bounded.mixin"]
    _ar_limits = POLICY_LIMITS
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    enforcement = fields.Selection(
        [("warn", "Warn"), ("block", "Block")],
        required=True,
        default="warn",
        tracking=True,
        help="What happens when a customer invoice is posted for a customer over its credit terms "
        "(limit and tolerance, overdue rule, credit hold): 'Warn' posts it and shows why in the "
        "invoice banner and chatter; 'Block' refuses to post it unless a Credit Manager overrides.",
    )
    tolerance_percent = fields.Float(
        string="Tolerance (%)",
        digits=(16, 2),
        default=0.0,
        tracking=True,
        help="How far over the credit limit the exposure may go, in percent of the limit (0 to 100). "
        "With a limit of 10,000 and 5 %, invoices are accepted up to an exposure of 10,500.",
    )
    overdue_block_days = fields.Integer(
        string="Block when overdue by more than (days)",
        default=0,
        tracking=True,
        help="New invoices are blocked (or warned) when the customer has an invoice overdue by "
        "more than this number of days (0 to 3650). 0 disables the rule.",
    )
    default_credit_limit = fields.Monetary(
        currency_field="currency_id",
        default=0.0,
        tracking=True,
        help="Credit limit given to a new customer of this policy when its first invoice is posted "
        "and it has no limit of its own (0 to 999,999,999,999). 0 gives no limit.",
    )
    review_months = fields.Integer(
        string="Credit review period (months)",
        default=12,
        tracking=True,
        help="When a credit limit is set or changed, the customer's next credit review is planned "
        "this many months later (0 to 120). 0 plans no review.",
    )
    cover_check = fields.Boolean(
        string="Check the Insurance Cover",
        tracking=True,
        help="An invoice whose posting would raise the customer's exposure above its credit insurance cover "
        "plus its valid guarantees is blocked or warned, as the enforcement says (reason 'cover'). "
        "A customer without cover or guarantee then cannot be invoiced on credit.",
    )
    limit_from_cover = fields.Boolean(
        string="Credit Limit from the Cover",
        tracking=True,
        help="Suggest each customer's credit limit as insurance cover + guarantees + the internal margin; "
        "a Credit Manager applies it from the customer's Credit & Risk tab.",
    )
    cover_margin = fields.Monetary(
        string="Internal Margin",
        currency_field="currency_id",
        tracking=True,
        help="Credit the company grants at its own risk above the cover and guarantees, in the suggested "
        "credit limit (0 to 999,999,999,999).",
    )
    weight_days_late = fields.Float(
        string="Weight: days paid late",
        default=risk.DEFAULT_WEIGHTS["days_late"],
        tracking=True,
        help="Weight of the amount-weighted average days paid late over the last 12 months (full risk at 60 days). "
        "Weights are relative, from 0 to 1000, at least one above 0.",
    )
    weight_overdue_share = fields.Float(
        string="Weight: overdue share",
        default=risk.DEFAULT_WEIGHTS["overdue_share"],
        tracking=True,
        help="Weight of the share of the exposure that is overdue (full risk at 100 %); 0 to 1000.",
    )
    weight_max_overdue = fields.Float(
        string="Weight: maximum days overdue",
        default=risk.DEFAULT_WEIGHTS["max_overdue"],
        tracking=True,
        help="Weight of the oldest overdue item today, in days (full risk at 120 days); 0 to 1000.",
    )
    weight_utilisation = fields.Float(
        string="Weight: credit-limit utilisation",
        default=risk.DEFAULT_WEIGHTS["utilisation"],
        tracking=True,
        help="Weight of exposure / credit limit (full risk at 100 %; 0 for customers without limit); 0 to 1000.",
    )
    threshold_a = fields.Float(
        string="Grade A from score",
        default=risk.DEFAULT_THRESHOLDS[0],
        tracking=True,
        help="Minimum risk score (0-100, 100 = no risk) of grade A.",
    )
    threshold_b = fields.Float(
        string="Grade B from score",
        default=risk.DEFAULT_THRESHOLDS[1],
        tracking=True,
        help="Minimum risk score of grade B.",
    )
    threshold_c = fields.Float(
        string="Grade C from score",
        default=risk.DEFAULT_THRESHOLDS[2],
        tracking=True,
        help="Minimum risk score of grade C.",
    )
    threshold_d = fields.Float(
        string="Grade D from score",
        default=risk.DEFAULT_THRESHOLDS[3],
        tracking=True,
        help="Minimum risk score of grade D; lower scores get grade E.",
    )
    mirror_trust = fields.Boolean(
        string="Set the degree of trust from the grade",
        default=False,
        tracking=True,
        help="Copy each computed grade onto the customer's native 'Degree of trust': "
        "A-B good debtor, C normal debtor, D-E bad debtor.",
    )
    target_dso = fields.Float(
        string="Target DSO (days)",
        digits=(16, 2),
        default=0.0,
        tracking=True,
        help="Days sales outstanding the company aims at for the customers of this policy; the "
        "receivables KPIs show it against the actual DSO (0 to 3650). 0 sets no target.",
    )
    forecast_doubtful_days = fields.Integer(
        string="Doubtful after (days)",
        default=90,
        help="In the collection forecast, an overdue invoice of a customer of this policy is doubtful "
        "(expected in no week) once it is late by this many days more than the customer's usual "
        "payment delay. Disputed invoices and customers handed over to collection are always doubtful.",
    )
    payment_term_a_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms for Grade A",
        domain="[('company_id', 'in', (False, company_id))]",
        help="Payment terms proposed on new invoices of grade A customers that have no payment terms "
        "of their own (for example 2 % within 10 days, net 30).",
    )
    payment_term_b_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms for Grade B",
        domain="[('company_id', 'in', (False, company_id))]",
        help="Payment terms proposed on new invoices of grade B customers without payment terms of their own.",
    )
    payment_term_c_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms for Grade C",
        domain="[('company_id', 'in', (False, company_id))]",
        help="Payment terms proposed on new invoices of grade C customers without payment terms of their own.",
    )
    payment_term_d_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms for Grade D",
        domain="[('company_id', 'in', (False, company_id))]",
        help="Payment terms proposed on new invoices of grade D customers without payment terms of their own.",
    )
    payment_term_e_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms for Grade E",
        domain="[('company_id', 'in', (False, company_id))]",
        help="Payment terms proposed on new invoices of grade E customers without payment terms of their own.",
    )
    discount_reminder_days = fields.Integer(
        string="Discount Reminder (days before deadline)",
        default=3,
        tracking=True,
        help="Customers are reminded this many days before their early-payment discount expires "
        "('pay by ... and save ...'), for invoices still eligible (0 to 3650, fewer than the discount days).",
    )
    short_payment_action = fields.Selection(
        [("write_off", "Write off below the tolerance"), ("dunning", "Send through dunning")],
        string="Discount Taken Late",
        required=True,
        default="write_off",
        tracking=True,
        help="When a customer deducts the discount after its deadline, or more than allowed: write the "
        "deducted amount off to the company's early-discount loss account when it is within the "
        "tolerance (larger amounts go to dunning), or always send it through dunning.",
    )
    short_payment_tolerance = fields.Monetary(
        string="Write-off Tolerance",
        currency_field="currency_id",
        default=10.0,
        tracking=True,
        help="Largest deducted amount written off automatically (0 to 999,999,999,999).",
    )
    discount_cost_summary = fields.Text(
        string="Discount Costs",
        compute="_compute_discount_cost_summary",
        help="Annualised cost of the discount terms of each grade, against the company's cost of capital.",
    )
    partner_count = fields.Integer(compute="_compute_partner_count", string="Customers")

    def _ar_partner_domain(self):
        """Customers under this policy in its company: their own policy, or none when it is the default."""
        self.ensure_one()
        own = [("ar_credit_policy_id", "=", self.id)]
        if self.company_id.ar_credit_policy_id != self:
            return own
        # the default policy also covers the customers (commercial partners) without a policy of their own
        return [
            "|",
            *own,
            "&",
            "&",
            ("ar_credit_policy_id", "=", False),
            ("customer_rank", ">", 0),
            "|",
            ("is_company", "=", True),
            ("parent_id", "=", False),
        ]

    @api.depends("company_id", "company_id.ar_credit_policy_id")
    def _compute_partner_count(self):
        # ar_credit_policy_id is company dependent: count in each policy's company.
        for policy in self:
            if not policy.id:
                policy.partner_count = 0
                continue
            partners = self.env["res.partner"].with_company(policy.company_id)
            policy.partner_count = partners.search_count(policy._ar_partner_domain())

    @api.depends(*(f"payment_term_{grade.lower()}_id" for grade in risk.GRADES), "company_id.ar_cost_of_capital")
    def _compute_discount_cost_summary(self):
        for policy in self:
            lines = []
            terms = policy.with_company(policy.company_id)._get_grade_payment_terms()
            for grade in risk.GRADES:
                term = terms[grade]
                if not term or not term.early_discount:
                    continue
                line = self.env._(
                    "%(grade)s: %(term)s, %(nominal)s %% nominal, %(effective)s %% effective a year",
                    grade=grade,
                    term=term.display_name,
                    nominal=formatLang(self.env, term.ar_discount_nominal_cost, digits=1),
                    effective=formatLang(self.env, term.ar_discount_effective_cost, digits=1),
                )
                if term.ar_discount_cost_warning:
                    line += " - " + self.env._("above the cost of capital")
                lines.append(line)
            policy.discount_cost_summary = "\n".join(lines)

    @api.constrains(
        "tolerance_percent",
        "default_credit_limit",
        "overdue_block_days",
        "review_months",
        "target_dso",
        "forecast_doubtful_days",
    )
    def _check_non_negative(self):
        for policy in self:
            if policy.forecast_doubtful_days < 0:
                raise ValidationError(
                    self.env._(
                        "The days after which credit policy %(policy)s makes an overdue invoice doubtful "
                        "cannot be negative.",
                        policy=policy.display_name,
                    )
                )
            if policy.target_dso < 0:
                raise ValidationError(
                    self.env._(
                        "The target DSO of credit policy %(policy)s cannot be negative (0 sets no target).",
                        policy=policy.display_name,
                    )
                )
            if policy.tolerance_percent < 0:
                raise ValidationError(
                    self.env._(
                        "The tolerance of credit policy %(policy)s cannot be negative.",
                        policy=policy.display_name,
                    )
                )
            if policy.default_credit_limit < 0:
                raise ValidationError(
                    self.env._(
                        "The default credit limit of credit policy %(policy)s cannot be negative.",
                        policy=policy.display_name,
                    )
                )
            if policy.overdue_block_days < 0 or policy.review_months < 0:
                raise ValidationError(
                    self.env._(
                        "Day and month counts of credit policy %(policy)s cannot be negative "
                        "(use 0 to switch a rule off).",
                        policy=policy.display_name,
                    )
                )

    @api.constrains(*WEIGHT_FIELDS.values())
    def _check_weights(self):
        for policy in self:
            weights = policy._get_risk_weights()
            if any(weight < 0 for weight in weights.values()):
                raise ValidationError(
                    self.env._(
                        "The risk weights of credit policy %(policy)s cannot be negative.",
                        policy=policy.display_name,
                    )
                )
            if not any(weight > 0 for weight in weights.values()):
                raise ValidationError(
                    self.env._(
                        "At least one risk weight of credit policy %(policy)s must be positive.",
                        policy=policy.display_name,
                    )
                )

    @api.constrains(*THRESHOLD_FIELDS)
    def _check_thresholds(self):
        for policy in self:
            try:
                risk.validate_thresholds(policy._get_grade_thresholds())
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "The grade thresholds of credit policy %(policy)s must be strictly decreasing "
                        "from A to D, between 100 and 0 (for example 80, 60, 40, 20).",
                        policy=policy.display_name,
                    )
                ) from error

    @api.constrains("discount_reminder_days", "short_payment_tolerance", *(f"payment_term_{g}_id" for g in "abcde"))
    def _check_discount_reminder(self):
        for policy in self:
            if policy.short_payment_tolerance < 0:
                raise ValidationError(
                    self.env._(
                        "The write-off tolerance of credit policy %(policy)s cannot be negative.",
                        policy=policy.display_name,
                    )
                )
            for term in policy._get_grade_payment_terms().values():
                if not term or not term.early_discount:
                    continue
                try:
                    discount.validate_reminder_offset(policy.discount_reminder_days, term.discount_days)
                except ValueError as error:
                    raise ValidationError(
                        self.env._(
                            "The discount reminder of credit policy %(policy)s (%(offset)s days before the "
                            "deadline) must be fewer days than the %(days)s discount days of %(term)s, and not "
                            "negative.",
                            policy=policy.display_name,
                            offset=policy.discount_reminder_days,
                            days=term.discount_days,
                            term=term.display_name,
                        )
                    ) from error

    @api.constrains("name")
    def _check_name(self):
        for policy in self:
            ar_limits.check_name(policy)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_company_default(self):
        defaults = self.env["res.company"].sudo().search([("ar_credit_policy_id", "in", self.ids)])
        if defaults:
            raise ValidationError(
                self.env._(
                    "Credit policy %(policy)s is the default policy of %(companies)s: "
                    "choose another default in Settings first.",
                    policy=defaults.ar_credit_policy_id[:1].display_name,
                    companies=", ".join(defaults.mapped("name")),
                )
            )

    def _get_grade_payment_terms(self):
        self.ensure_one()
        return {grade: self[f"payment_term_{grade.lower()}_id"] for grade in risk.GRADES}

    def _get_risk_weights(self):
        self.ensure_one()
        return {factor: self[field] for factor, field in WEIGHT_FIELDS.items()}

    def _get_grade_thresholds(self):
        self.ensure_one()
        return tuple(self[field] for field in THRESHOLD_FIELDS)

    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.res_partner_action_customer")
        action["domain"] = self._ar_partner_domain()
        action["context"] = {"allowed_company_ids": [self.company_id.id], "res_partner_search_mode": "customer"}
        return action
