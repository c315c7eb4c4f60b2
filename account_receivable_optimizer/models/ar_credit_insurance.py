from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..lib.ar_core import bounds
from ..lib.ar_core import insurance as core_insurance
from . import ar_limits

#: Bounds of the numbers of a cover.
INSURANCE_LIMITS = {
    "requested_amount": (0.0, bounds.MAX_AMOUNT),
    "granted_amount": (0.0, bounds.MAX_AMOUNT),
    "indemnity_percent": (0.0, bounds.MAX_PERCENT),
}
INSURANCE_STATES = [
    ("requested", "Requested"),
    ("granted", "Granted"),
    ("partial", "Partly Granted"),
    ("refused", "Refused"),
    ("reduced", "Reduced"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
]


class ArCreditInsurance(models.Model):
    _name = "ar.credit.insurance"
    _description = "Credit Insurance Cover"
    _inherit = ["mail.thread", "mail.activity.mixin", "ar.protected.fields.mixin"]
    _order = "company_id, partner_id, decision_date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        help="The insured customer (buyer), a company.",
    )
    contract_id = fields.Many2one(
        "ar.credit.insurance.contract",
        string="Contract",
        required=True,
        check_company=True,
        tracking=True,
        help="The insurer's contract the cover is granted under.",
    )
    insurer_id = fields.Many2one(related="contract_id.insurer_id", store=True, string="Insurer")
    buyer_reference = fields.Char(
        tracking=True, help="The insurer's reference of the customer (buyer number, n° d'acheteur)."
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
        help="Currency of the requested and granted amounts.",
    )
    requested_amount = fields.Monetary(
        currency_field="currency_id", tracking=True, help="Cover asked of the insurer (0 to 999,999,999,999)."
    )
    granted_amount = fields.Monetary(
        currency_field="currency_id",
        tracking=True,
        help="Cover the insurer granted (agrément), after any reduction (0 to 999,999,999,999).",
    )
    indemnity_percent = fields.Float(
        string="Indemnity (%)",
        digits=(16, 2),
        default=90.0,
        tracking=True,
        help="Share of a covered loss the insurer pays (quotité garantie), 0 to 100.",
    )
    state = fields.Selection(
        INSURANCE_STATES,
        string="Status",
        required=True,
        default="requested",
        tracking=True,
        help="Only granted, partly granted and reduced covers protect the receivables, from their decision "
        "date to their expiry date.",
    )
    decision_date = fields.Date(tracking=True, help="Date of the insurer's decision; the cover counts from it.")
    expiry_date = fields.Date(tracking=True, help="Last day the cover counts (empty: until further notice).")
    note = fields.Text()
    expiry_alert_date = fields.Date(
        readonly=True, copy=False, help="Technical: the expiry date the Credit Manager was last warned of."
    )
    reduction_alert_date = fields.Date(
        readonly=True,
        copy=False,
        help="Technical: the decision date of the reduction the Credit Manager was last warned of.",
    )

    #: set by the nightly insurance job only
    _ar_protected_fields = ("expiry_alert_date", "reduction_alert_date")

    @api.constrains("state", "decision_date", "granted_amount")
    def _check_decision(self):
        for cover in self:
            if cover.state in core_insurance.COVERING_STATES and not cover.decision_date:
                raise ValidationError(
                    self.env._(
                        "The cover of %(partner)s is granted: enter the date of the insurer's decision.",
                        partner=cover.partner_id.display_name,
                    )
                )

    @api.constrains("decision_date", "expiry_date")
    def _check_dates(self):
        for cover in self:
            for fname in ("decision_date", "expiry_date"):
                ar_limits.check_date(cover, fname, bounds.MIN_DATE, bounds.add_days(bounds.MIN_DATE, 365 * 200))
            if cover.decision_date and cover.expiry_date and cover.expiry_date < cover.decision_date:
                raise ValidationError(
                    self.env._(
                        "The cover of %(partner)s cannot expire (%(expiry)s) before the insurer's decision "
                        "(%(decision)s).",
                        partner=cover.partner_id.display_name,
                        expiry=fields.Date.to_string(cover.expiry_date),
                        decision=fields.Date.to_string(cover.decision_date),
                    )
                )

    @api.constrains("company_id", "partner_id", "contract_id")
    def _check_partner_company(self):
        for cover in self:
            company = cover.partner_id.company_id
            if (company and company != cover.company_id) or cover.contract_id.company_id != cover.company_id:
                raise ValidationError(
                    self.env._(
                        "The cover of %(partner)s must belong to the company of its customer and of its contract "
                        "(%(company)s).",
                        partner=cover.partner_id.display_name,
                        company=cover.company_id.name,
                    )
                )

    @api.constrains(*INSURANCE_LIMITS)
    def _check_within_bounds(self):
        ar_limits.check_records(self, INSURANCE_LIMITS)

    @api.model_create_multi
    def create(self, vals_list):
        ar_limits.check_vals(self, vals_list, INSURANCE_LIMITS)
        return super().create(vals_list)

    def write(self, vals):
        ar_limits.check_vals(self, [vals], INSURANCE_LIMITS)
        return super().write(vals)

    @api.depends("partner_id", "contract_id")
    def _compute_display_name(self):
        for cover in self:
            cover.display_name = " - ".join(
                filter(None, [cover.partner_id.display_name, cover.contract_id.insurer_id.display_name])
            )

    def _ar_warn_deadlines(self, figures, today):
        """Warn the contract's Credit Manager of this cover's deadlines (nightly job).

        - the threat-of-loss declaration of the customer's oldest overdue
          item, ``declaration_notice_days`` before its deadline;
        - the cover's expiry, as many days before;
        - a reduction of the cover below the customer's exposure.

        :param figures: the customer's ``CreditData`` on ``today``
        """
        self.ensure_one()
        contract = self.contract_id
        partner = self.partner_id.with_company(self.company_id)
        user = contract.user_id
        lang = user.lang or self.env.lang
        env = self.with_context(lang=lang).env
        company = self.company_id

        def money(amount):
            return partner._ar_money(amount, company, lang)

        if figures.max_days_overdue > 0:
            oldest_due = bounds.add_days(today, -figures.max_days_overdue)
            notice = contract.declaration_notice_days
            if core_insurance.declaration_alert_due(oldest_due, contract.declaration_days, notice, today):
                deadline = core_insurance.declaration_deadline(oldest_due, contract.declaration_days)
                partner._ar_plan_insurance_activity(
                    "account_receivable_optimizer.mail_activity_ar_insurance_declaration",
                    deadline,
                    user,
                    env._(
                        "Declare the threat of loss on %(partner)s to %(insurer)s (contract %(contract)s, buyer "
                        "%(buyer)s) by %(deadline)s: an item due on %(due)s is unpaid, %(overdue)s overdue in all.",
                        partner=partner.display_name,
                        insurer=contract.insurer_id.display_name,
                        contract=contract.name,
                        buyer=self.buyer_reference or "-",
                        deadline=format_date(env, deadline),
                        due=format_date(env, oldest_due),
                        overdue=money(figures.overdue_amount),
                    ),
                )
        expiry = self.expiry_date
        if (
            expiry
            and self.expiry_alert_date != expiry
            and core_insurance.valid_on(expiry, today, bounds.add_days(today, contract.declaration_notice_days))
        ):
            partner._ar_plan_insurance_activity(
                "account_receivable_optimizer.mail_activity_ar_insurance_cover",
                expiry,
                user,
                env._(
                    "The cover of %(partner)s by %(insurer)s (%(amount)s) expires on %(expiry)s: ask for its renewal.",
                    partner=partner.display_name,
                    insurer=contract.insurer_id.display_name,
                    amount=money(self.currency_id._convert(self.granted_amount, company.currency_id, company, today)),
                    expiry=format_date(env, expiry),
                ),
            )
            self.sudo().expiry_alert_date = expiry
        granted = self.currency_id._convert(self.granted_amount, company.currency_id, company, today)
        if (
            self.state == "reduced"
            and self.reduction_alert_date != self.decision_date
            and round(figures.exposure - granted, company.currency_id.decimal_places) > 0
        ):
            partner._ar_plan_insurance_activity(
                "account_receivable_optimizer.mail_activity_ar_insurance_cover",
                today,
                user,
                env._(
                    "%(insurer)s reduced the cover of %(partner)s to %(amount)s on %(decision)s, below its "
                    "exposure of %(exposure)s: review the credit limit.",
                    partner=partner.display_name,
                    insurer=contract.insurer_id.display_name,
                    amount=money(granted),
                    decision=format_date(env, self.decision_date),
                    exposure=money(figures.exposure),
                ),
            )
            self.sudo().reduction_alert_date = self.decision_date

    def _ar_counts_on(self, day):
        """Whether this cover protects the receivables on ``day``."""
        self.ensure_one()
        return core_insurance.cover_counts(self.state, self.decision_date, self.expiry_date, day)
