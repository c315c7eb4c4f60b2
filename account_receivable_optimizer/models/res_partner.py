import json
import logging
from collections import namedtuple

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, formatLang

from .. import compat
from ..lib.ar_core import bounds
from ..lib.ar_core import exposure as core_exposure
from ..lib.ar_core import insurance as core_insurance
from ..lib.ar_core import risk as core_risk
from . import ar_limits
from .ar_invoice_payments import invoice_payments_sql
from .ar_protected_fields_mixin import changed_fields
from .ar_receivable_accounts import receivable_account_ids
from .ar_retry import is_concurrency_error

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "account_receivable_optimizer.group_ar_credit_manager"
CONTROLLER_GROUP = "account_receivable_optimizer.group_ar_credit_controller"
#: Who reads receivable amounts (as Odoo's own ``credit`` field).
ACCOUNTING_GROUPS = "account.group_account_invoice,account.group_account_readonly"
#: Partner fields only a Credit Manager may change.
CREDIT_MANAGED_FIELDS = frozenset(
    {"credit_limit", "use_partner_credit_limit", "ar_credit_hold", "ar_credit_policy_id", "ar_credit_review_date"}
)
#: Partner fields only a Credit Controller may change.
DUNNING_MANAGED_FIELDS = frozenset({"ar_no_dunning", "ar_collector_id", "ar_collection_state"})
#: Partner fields the module computes and stores itself: only its own code (as superuser) writes them.
PARTNER_PROTECTED_FIELDS = frozenset(
    {
        "ar_risk_score",
        "ar_risk_grade",
        "ar_risk_grade_date",
        "ar_risk_breakdown",
        "ar_risk_breakdown_data",
        "ar_risk_checked_date",
        "ar_dunning_level_id",
        "ar_last_dunning_date",
        "ar_dunning_checked_date",
        "ar_dunning_priority",
        "ar_insurance_checked_date",
    }
)
#: Code of the customers not graded yet: stored (and the fallback of the partners' grade), so that
#: lists, pivots and graphs grouped by grade read "Not graded", never "None".
NOT_GRADED = "ungraded"
RISK_GRADES = [
    ("A", "A - Excellent"),
    ("B", "B - Good"),
    ("C", "C - Fair"),
    ("D", "D - Weak"),
    ("E", "E - Poor"),
    (NOT_GRADED, "Not graded"),
]


def grade_sql(partner, company):
    """SQL of the risk grade of the commercial partner ``partner`` (a table alias) in ``company`` (SQL).

    Read from the jsonb column of the company-dependent field: a customer never graded has no
    value there and reads as :data:`NOT_GRADED`, as the ORM reads it (its ``ir.default``); a
    row without a customer has no grade (NULL).
    """
    return SQL(
        "CASE WHEN %(id)s IS NOT NULL THEN COALESCE(%(grade)s->>(%(company)s)::text, %(ungraded)s) END",
        id=SQL.identifier(partner, "id"),
        grade=SQL.identifier(partner, "ar_risk_grade"),
        company=company,
        ungraded=NOT_GRADED,
    )


#: Bounds of the numbers of a customer (Odoo's credit limit).
PARTNER_LIMITS = {"credit_limit": (0.0, bounds.MAX_AMOUNT)}
#: Window of the payment behaviour used by the risk score, in days.
PAYMENT_WINDOW_DAYS = 365

#: Insurance covers ``[(amount, indemnity %)]`` and guarantees valid on a day, in company currency;
#: ``insurers``: the insurer (partner id) of each cover, in the same order.
CoverData = namedtuple("CoverData", "covers cover guarantees insurers")

CreditData = namedtuple(
    "CreditData",
    "open_receivable draft_invoices exposure overdue_amount max_days_overdue limit available",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_credit_policy_id = fields.Many2one(
        "ar.credit.policy",
        string="Credit Policy",
        company_dependent=True,
        tracking=True,
        help="Credit policy applied to this customer in the current company. "
        "Empty: the company's default credit policy (Settings).",
    )
    ar_effective_credit_policy_id = fields.Many2one(
        "ar.credit.policy",
        string="Applied Credit Policy",
        compute="_compute_ar_effective_credit_policy_id",
    )
    ar_credit_hold = fields.Boolean(
        string="Credit Hold",
        company_dependent=True,
        tracking=True,
        help="A customer on hold cannot be invoiced, as if its credit limit were exceeded "
        "(under a 'Block' policy a Credit Manager may still override).",
    )
    ar_credit_review_date = fields.Date(
        string="Next Credit Review",
        company_dependent=True,
        tracking=True,
        help="When the customer's credit limit should be reviewed again. Set automatically when the "
        "limit changes, from the policy's review period; from 1900 to ten years (120 months) ahead.",
    )
    ar_exposure = fields.Monetary(
        string="Exposure",
        compute="_compute_ar_credit_figures",
        groups=ACCOUNTING_GROUPS,
        help="Open posted receivables in company currency, plus draft customer invoices and sales receipts "
        "(a draft never lowers the exposure).",
    )
    ar_available_credit = fields.Monetary(
        string="Available Credit",
        compute="_compute_ar_credit_figures",
        help="Credit limit minus exposure (0 when no credit limit is set).",
    )
    ar_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_ar_credit_figures",
        groups=ACCOUNTING_GROUPS,
        help="Open receivables past their due date.",
    )
    ar_max_days_overdue = fields.Integer(
        string="Max. Days Overdue",
        compute="_compute_ar_credit_figures",
        groups=ACCOUNTING_GROUPS,
        help="Days overdue of the oldest open receivable past its due date.",
    )
    ar_over_limit = fields.Boolean(
        string="Over Credit Limit",
        compute="_compute_ar_credit_figures",
        search="_search_ar_over_limit",
        help="The exposure exceeds the credit limit.",
    )
    ar_risk_score = fields.Float(
        string="Risk Score",
        company_dependent=True,
        digits=(16, 2),
        readonly=True,
        # a group shows its average score, never a sum; an aggregate keeps the list sortable when grouped
        aggregator="avg",
        help="0 (worst) to 100 (best), from the payment behaviour of the last 12 months.",
    )
    ar_risk_grade = fields.Selection(
        RISK_GRADES,
        string="Risk Grade",
        company_dependent=True,
        readonly=True,
        tracking=True,
        group_expand="_ar_expand_risk_grades",
        help="A (best) to E (worst), from the risk score and the thresholds of the credit policy; "
        "'Not graded' until the nightly grading (or 'Recompute Grade') grades the customer.",
    )
    ar_risk_grade_date = fields.Date(string="Graded On", company_dependent=True, readonly=True)
    ar_risk_breakdown = fields.Text(
        string="Score Breakdown",
        compute="_compute_ar_risk_breakdown",
        help="How the risk score was reached, factor by factor, in the reader's language.",
    )
    ar_risk_breakdown_data = fields.Text(
        string="Score Breakdown Data",
        company_dependent=True,
        readonly=True,
        help="Technical: the numbers of the last grading (JSON: factors, risks, weights, score, grade); "
        "the breakdown is rendered from them when read.",
    )
    ar_risk_checked_date = fields.Date(
        string="Risk Checked On",
        company_dependent=True,
        readonly=True,
        help="Technical: when the nightly grading last handled this customer (even if it failed).",
    )
    ar_credit_override_ids = fields.One2many(
        "ar.credit.override", "partner_id", string="Credit Overrides", groups=CONTROLLER_GROUP
    )
    ar_credit_override_count = fields.Integer(
        string="Overrides",
        compute="_compute_ar_credit_override_count",
        groups=CONTROLLER_GROUP,
        help="Credit blocks overridden for this customer in the current company.",
    )
    ar_insurance_ids = fields.One2many(
        "ar.credit.insurance", "partner_id", string="Insurance Covers", groups=CONTROLLER_GROUP
    )
    ar_guarantee_ids = fields.One2many(
        "ar.credit.guarantee", "partner_id", string="Guarantees", groups=CONTROLLER_GROUP
    )
    ar_insurance_cover = fields.Monetary(
        string="Insurance Cover",
        compute="_compute_ar_cover_figures",
        groups=CONTROLLER_GROUP,
        help="Credit insurance granted on this customer today (granted, partly granted or reduced covers, "
        "decided and not expired), in company currency.",
    )
    ar_guarantee_amount = fields.Monetary(
        string="Valid Guarantees",
        compute="_compute_ar_cover_figures",
        groups=CONTROLLER_GROUP,
        help="Guarantees valid today (bank, parent company, documentary credit, deposit), in company currency.",
    )
    ar_insured_share = fields.Monetary(
        string="Insured Share",
        compute="_compute_ar_cover_figures",
        groups=CONTROLLER_GROUP,
        help="What the insurers would pay if the customer defaulted today: min(exposure, cover) x indemnity %.",
    )
    ar_uncovered_exposure = fields.Monetary(
        string="Uncovered Exposure",
        compute="_compute_ar_cover_figures",
        groups=CONTROLLER_GROUP,
        help="Exposure above the insurance cover and the guarantees valid today.",
    )
    ar_insured = fields.Boolean(
        string="Insured",
        compute="_compute_ar_cover_figures",
        groups=CONTROLLER_GROUP,
        help="A credit insurance cover protects this customer today in the current company.",
    )
    ar_suggested_credit_limit = fields.Monetary(
        string="Suggested Credit Limit",
        compute="_compute_ar_cover_figures",
        groups=CONTROLLER_GROUP,
        help="Insurance cover + guarantees + the internal margin of the credit policy, when the policy derives "
        "limits from the cover (0 otherwise). A Credit Manager applies it with 'Apply'.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends_context("company")
    def _compute_ar_effective_credit_policy_id(self):
        default = self.env.company.ar_credit_policy_id
        for partner in self:
            partner.ar_effective_credit_policy_id = partner.commercial_partner_id.sudo().ar_credit_policy_id or default

    @api.depends_context("company")
    def _compute_ar_credit_figures(self):
        commercial = self.commercial_partner_id._origin
        data = commercial._ar_get_credit_data(self.env.company) if commercial else {}
        digits = self.env.company.currency_id.decimal_places
        for partner in self:
            figures = data.get(partner.commercial_partner_id._origin.id)
            if not figures:
                partner.ar_exposure = partner.ar_available_credit = partner.ar_overdue_amount = 0.0
                partner.ar_max_days_overdue = 0
                partner.ar_over_limit = False
                continue
            partner.ar_exposure = figures.exposure
            partner.ar_available_credit = figures.available or 0.0
            partner.ar_overdue_amount = figures.overdue_amount
            partner.ar_max_days_overdue = figures.max_days_overdue
            partner.ar_over_limit = core_exposure.is_over_limit(figures.available, digits)

    @api.depends_context("company")
    def _compute_ar_cover_figures(self):
        company = self.env.company
        commercial = self.commercial_partner_id._origin
        cover = commercial._ar_get_cover_data(company) if commercial else {}
        for partner in self:
            secured = cover.get(partner.commercial_partner_id._origin.id)
            if not secured:
                partner.ar_insurance_cover = partner.ar_guarantee_amount = partner.ar_insured_share = 0.0
                partner.ar_uncovered_exposure = partner.ar_suggested_credit_limit = 0.0
                partner.ar_insured = bool(secured and secured.covers)
                continue
            partner.ar_insured = bool(secured.covers)
            # the exposure of the credit figures, computed once for the whole recordset (not a second query)
            exposure = partner.ar_exposure
            partner.ar_insurance_cover = secured.cover
            partner.ar_guarantee_amount = secured.guarantees
            partner.ar_insured_share = core_insurance.insured_share_of_covers(exposure, secured.covers)
            partner.ar_uncovered_exposure = core_insurance.uncovered_exposure(
                exposure, secured.cover, secured.guarantees
            )
            policy = partner.commercial_partner_id._ar_get_credit_policy()
            partner.ar_suggested_credit_limit = (
                core_insurance.suggested_limit(secured.cover, secured.guarantees, policy.cover_margin)
                if policy.limit_from_cover
                else 0.0
            )

    def _search_ar_over_limit(self, operator, value):
        if operator not in ("=", "!="):
            raise NotImplementedError(self.env._("Unsupported search on 'Over Credit Limit'."))
        commercial = self.sudo().search([("credit_limit", ">", 0)]).commercial_partner_id
        data = commercial._ar_get_credit_data(self.env.company)
        digits = self.env.company.currency_id.decimal_places
        over = [pid for pid, figures in data.items() if core_exposure.is_over_limit(figures.available, digits)]
        positive = (operator == "=") == bool(value)
        domain_op = "in" if positive else "not in"
        return [("commercial_partner_id", domain_op, over)]

    # ------------------------------------------------------------------
    # Constraints and CRUD
    # ------------------------------------------------------------------

    @api.constrains("credit_limit")
    def _check_ar_credit_limit(self):
        for partner in self:
            if partner.sudo().credit_limit < 0:
                raise ValidationError(
                    self.env._(
                        "The credit limit of %(partner)s cannot be negative: enter 0 for no limit.",
                        partner=partner.display_name,
                    )
                )

    @api.constrains(*PARTNER_LIMITS)
    def _check_within_bounds(self):
        ar_limits.check_records(self.sudo(), PARTNER_LIMITS)

    @api.constrains("ar_credit_review_date")
    def _check_ar_credit_review_date(self):
        today = fields.Date.context_today(self)
        for partner in self:
            ar_limits.check_date(
                partner, "ar_credit_review_date", bounds.MIN_DATE, today + relativedelta(months=bounds.MAX_MONTHS)
            )

    @api.constrains("ar_credit_policy_id")
    def _check_ar_credit_policy_company(self):
        company = self.env.company
        for partner in self:
            policy = partner.sudo().ar_credit_policy_id
            if policy and policy.company_id != company:
                raise ValidationError(
                    self.env._(
                        "Credit policy %(policy)s belongs to %(other)s: choose a policy of %(company)s "
                        "for %(partner)s.",
                        policy=policy.display_name,
                        other=policy.company_id.name,
                        company=company.name,
                        partner=partner.display_name,
                    )
                )

    def _ar_check_write_access(self, fnames):
        """Refuse changes of the credit-control fields in ``fnames`` the user has no right to.

        Only the groups of the user count, never the context: the module's
        own code writes its technical fields as superuser (``sudo()``).
        """
        if self.env.su:
            return
        fnames = set(fnames)
        protected = fnames & PARTNER_PROTECTED_FIELDS
        if protected:
            raise AccessError(
                self.env._(
                    "Risk grades, dunning levels and dates are set by the credit control itself: "
                    "they cannot be changed by hand (%(fields)s).",
                    fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in protected)),
                )
            )
        if fnames & CREDIT_MANAGED_FIELDS and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Credit Manager can change credit limits, credit holds, credit policies "
                    "and credit review dates."
                )
            )
        if fnames & DUNNING_MANAGED_FIELDS and not self.env.user.has_group(CONTROLLER_GROUP):
            raise AccessError(
                self.env._("Only Credit Controllers can change a customer's dunning, collector and collection state.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # empty values, and "not graded" (the grade's default), are what a new customer has anyway
            self._ar_check_write_access(
                key for key, value in vals.items() if value and not (key == "ar_risk_grade" and value == NOT_GRADED)
            )
        ar_limits.check_vals(self, vals_list, PARTNER_LIMITS)
        return super().create(vals_list)

    def write(self, vals):
        fnames = set(vals) - PARTNER_PROTECTED_FIELDS
        self._ar_check_write_access(fnames | changed_fields(self, vals, PARTNER_PROTECTED_FIELDS))
        ar_limits.check_vals(self, [vals], PARTNER_LIMITS)
        if "credit_limit" in vals and "ar_credit_review_date" not in vals:
            result = super().write(vals)
            self._ar_plan_credit_review()
            return result
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_ar_recompute_risk_grade(self):
        if not self.env.user.has_group(CONTROLLER_GROUP):
            raise AccessError(self.env._("Only Credit Controllers can recompute risk grades."))
        partners = self.commercial_partner_id
        partners._ar_recompute_risk(self.env.company, fields.Date.context_today(self))
        return True

    def action_ar_apply_suggested_credit_limit(self):
        """Set the credit limit to the one the insurance cover and guarantees support (Credit Managers)."""
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can change credit limits."))
        partner = self.commercial_partner_id
        if not partner._ar_get_credit_policy().limit_from_cover:
            raise UserError(
                self.env._(
                    "The credit policy of %(partner)s does not derive credit limits from the insurance cover.",
                    partner=partner.display_name,
                )
            )
        partner.write({"credit_limit": partner.ar_suggested_credit_limit, "use_partner_credit_limit": True})
        return True

    def action_ar_declaration_pack(self):
        """The insurer's declaration pack of this customer, attached to each cover counting today (Credit Managers).

        Rights and company are checked here, whatever the form shows: only a
        Credit Manager, only the covers of the current company (an allowed
        company of the user) that count today.

        :return: the window action of the covers the packs were attached to
        """
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a Credit Manager prepares the insurer's declaration pack of a customer.")
            )
        partner = self.commercial_partner_id
        partner.check_access("read")
        company = self.env.company
        today = fields.Date.context_today(self)
        covers = (
            self.env["ar.credit.insurance"]
            .search([("partner_id", "=", partner.id), ("company_id", "=", company.id)], order="decision_date, id")
            .filtered(lambda cover: cover._ar_counts_on(today))
        )
        if not covers:
            raise UserError(
                self.env._(
                    "%(partner)s has no credit insurance cover in force today in %(company)s: there is no insurer "
                    "to send a declaration pack to.",
                    partner=partner.display_name,
                    company=company.name,
                )
            )
        for cover in covers:
            cover.action_ar_declaration_pack()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_optimizer.ar_credit_insurance_action"
        )
        if len(covers) == 1:
            action.update(res_id=covers.id, views=[(False, "form")], view_mode="form")
        else:
            action["domain"] = [("id", "in", covers.ids)]
        return action

    def action_ar_view_credit_overrides(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_receivable_optimizer.ar_credit_override_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _ar_get_credit_policy(self):
        """The credit policy of this (commercial) partner in the current company."""
        self.ensure_one()
        return self._ar_credit_policies()[self.id]

    def _ar_credit_policies(self):
        """``{partner id: its credit policy in the current company}`` for the partners of ``self``.

        For a batch: one switch to superuser for all of them. Each switch of environment
        (``sudo()``, ``with_company()``) looks the new environment up among those of the
        transaction, one by one; after Odoo posts 1,000 invoices a transaction holds about a
        thousand, and a switch per customer was 0.66 s of the credit check of such a posting.
        """
        default = self.env.company.ar_credit_policy_id
        return {partner.id: partner.commercial_partner_id.ar_credit_policy_id or default for partner in self.sudo()}

    @api.depends_context("company")
    def _compute_ar_credit_override_count(self):
        groups = self.env["ar.credit.override"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.ar_credit_override_count = counts.get(partner.commercial_partner_id.id, 0)

    @api.model
    def _ar_store_not_graded(self):
        """Customers not graded read "Not graded" (run at each install and update, idempotent).

        The fallback of the company-dependent grade (``ir.default``) is the code of the customers
        not graded, and the report rows filled before it had no grade for them: they get it.
        """
        self.env["ir.default"].sudo().set("res.partner", "ar_risk_grade", NOT_GRADED)
        for model in ("ar.kpi.fact", "ar.receivable.snapshot", "ar.insurance.fact", "ar.aging.report.line"):
            records = self.env[model]
            records.flush_model(["risk_grade"])
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET risk_grade = %s WHERE risk_grade IS NULL AND partner_id IS NOT NULL",
                    SQL.identifier(records._table),
                    NOT_GRADED,
                )
            )
            records.invalidate_model(["risk_grade"])

    @api.model
    def _ar_expand_risk_grades(self, grades, domain):
        """Groups by risk grade read from A to E (customers not graded last), never by their sums."""
        present = set(grades)
        return [grade for grade, _label in RISK_GRADES if grade in present]

    def _ar_plan_credit_review(self):
        today = fields.Date.context_today(self)
        for partner in self.sudo():
            months = partner._ar_get_credit_policy().review_months
            partner.ar_credit_review_date = today + relativedelta(months=months) if months else False

    def _ar_default_credit_limit_candidates(self):
        """The partners of ``self`` without a limit of their own whose policy gives a default limit."""
        policies = self._ar_credit_policies()
        own_limit = {partner.id for partner in self.sudo() if partner.use_partner_credit_limit}
        return self.filtered(lambda p: p.id not in own_limit and policies[p.id].default_credit_limit > 0)

    def _ar_apply_default_credit_limit(self, posted_moves):
        """Give new customers their policy's default credit limit.

        A customer is new when ``posted_moves`` are its first posted customer
        invoices in the current company and it has no limit of its own.
        """
        company = self.env.company
        candidates = self._ar_default_credit_limit_candidates()
        if not candidates:
            return
        self.env["account.move"].flush_model(["commercial_partner_id", "company_id", "move_type", "state"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT commercial_partner_id
                  FROM account_move
                 WHERE company_id = %s
                   AND move_type = 'out_invoice'
                   AND state = 'posted'
                   AND commercial_partner_id = ANY(%s)
                   AND id != ALL(%s)
                """,
                company.id,
                candidates.ids,
                posted_moves.ids,
            )
        )
        known = {row[0] for row in rows}
        policies = candidates._ar_credit_policies()
        for partner in candidates.sudo():
            policy = policies[partner.id]
            if partner.id not in known and policy.default_credit_limit > 0:
                partner.credit_limit = policy.default_credit_limit

    @api.model
    @tools.ormcache()
    def _ar_receivable_account_ids_cached(self):
        """Ids of the receivable accounts of every company (cached: see :meth:`_ar_get_credit_data`)."""
        return tuple(sorted(receivable_account_ids(self.env)))

    def _ar_get_credit_data(self, company, exclude_move_ids=(), today=None, lock=False):
        """Exposure, overdue figures and limit of commercial partners, in one query.

        The receivables of the company and of its branches count, as in
        Odoo's own ``credit`` (the items of every company under the root
        company, ``parent_path``).

        The receivable accounts are given as constants (``account_id =
        ANY(...)``), not as a join on the account type: PostgreSQL then
        estimates the open items from the statistics of ``account_id`` and
        joins the entries by hash for a list of customers, not by one index
        lookup per item (docs/performance.md, "Credit check (B4)"). The ids
        are cached in the registry, and the same statement checks them
        against the accounts it sees: if an account was created or changed
        type meanwhile, the cache is cleared and the statement run again,
        so the figures never miss a receivable account.

        :param company: the company whose receivables count (with its branches)
        :param exclude_move_ids: moves whose items never count as overdue
            (the invoices being posted)
        :param lock: take the credit-check lock of the partners in the same
            statement (``account.move._ar_lock_commercial_partners``)
        :return: ``{partner_id: CreditData}`` for every partner of ``self``
        """
        today = today or fields.Date.context_today(self)
        ids = self.ids
        if not ids:
            return {}
        # Every pending value of the journal items, not only the columns read: a posting's items then
        # get their state, number and labels in the statements Odoo's own flush would have run a moment
        # later, not in one more UPDATE of their state alone (docs/performance.md, "Credit check (B4)").
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model(
            [
                "amount_total_signed",
                "ar_dispute_confirmed",
                "commercial_partner_id",
                "company_id",
                "partner_id",
                "state",
            ]
        )
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        rows = self._ar_credit_data_rows(company, exclude_move_ids, lock)
        if any(kind == "accounts" for _partner, kind, _due, _amount in rows):
            # a receivable account created or changed type since the ids were cached: read them again
            # (the transaction's snapshot, the same as the statement's: the second run cannot differ)
            self.env.registry.clear_cache()
            rows = self._ar_credit_data_rows(company, exclude_move_ids, lock)
            if any(kind == "accounts" for _partner, kind, _due, _amount in rows):
                raise RuntimeError("receivable accounts changed within one snapshot")
        gathered = {pid: {"items": [], "drafts": []} for pid in ids}
        for partner_id, kind, due_date, amount in rows:
            if kind == "open":
                gathered[partner_id]["items"].append((due_date, amount or 0.0))
            else:
                gathered[partner_id]["drafts"].append(amount or 0.0)
        result = {}
        for partner in self.with_company(company).sudo():
            values = gathered[partner.id]
            open_receivable = sum(amount for _due, amount in values["items"])
            total = core_exposure.exposure(open_receivable, values["drafts"])
            overdue = core_exposure.overdue_summary(values["items"], today)
            limit = partner.credit_limit
            result[partner.id] = CreditData(
                open_receivable=open_receivable,
                draft_invoices=core_exposure.draft_exposure(values["drafts"]),
                exposure=total,
                overdue_amount=overdue.amount,
                max_days_overdue=overdue.max_days,
                limit=limit,
                available=core_exposure.available_credit(limit, total),
            )
        return result

    def _ar_credit_data_rows(self, company, exclude_move_ids, lock):
        """The statement of :meth:`_ar_get_credit_data`: its rows, as ``(partner, kind, due date, amount)``.

        ``kind`` is ``open`` (open items), ``draft`` (draft invoices) or,
        when the cached receivable accounts are not those the statement
        sees, ``accounts`` (one row: the figures must be read again).
        """
        ids = self.ids
        accounts = list(self._ar_receivable_account_ids_cached())
        return self.env.execute_query(
            SQL(
                """
                %(lock)s
                SELECT p.commercial_partner_id,
                       'open',
                       -- invoices being posted or under an open confirmed dispute are never overdue
                       CASE WHEN aml.move_id = ANY(%(exclude)s) OR im.ar_dispute_confirmed THEN NULL
                            ELSE aml.date_maturity END,
                       SUM(aml.amount_residual)
                  FROM account_move_line aml
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN account_move im ON im.id = aml.move_id
                 WHERE aml.company_id IN (SELECT id FROM res_company WHERE parent_path LIKE %(branches)s)
                   AND aml.account_id = ANY(%(accounts)s)
                   AND aml.reconciled IS NOT TRUE
                   AND aml.parent_state = 'posted'
                   AND p.commercial_partner_id = ANY(%(ids)s)
              -- debit and credit items apart: a credit is never overdue
              GROUP BY 1, 2, 3, aml.amount_residual > 0
             UNION ALL
                -- drafts only ever add exposure (core: draft_exposure); found through their partner's
                -- index (account_move has none on commercial_partner_id: a scan of every move otherwise)
                SELECT m.commercial_partner_id, 'draft', NULL, m.amount_total_signed
                  FROM account_move m
                  JOIN res_partner mp ON mp.id = m.partner_id
                 WHERE m.company_id IN (SELECT id FROM res_company WHERE parent_path LIKE %(branches)s)
                   AND m.state = 'draft'
                   AND m.move_type IN ('out_invoice', 'out_receipt')
                   AND m.amount_total_signed > 0
                   AND m.commercial_partner_id = ANY(%(ids)s)
                   AND mp.commercial_partner_id = ANY(%(ids)s)
             UNION ALL
                -- the cached accounts checked in the same snapshot: a receivable account missing from
                -- them, or one of them no longer receivable
                SELECT NULL, 'accounts', NULL, COUNT(*)
                  FROM account_account
                 WHERE (account_type = 'asset_receivable') <> (id = ANY(%(accounts)s))
                HAVING COUNT(*) > 0
                """,
                branches=f"{company.sudo().root_id.parent_path}%",
                ids=ids,
                accounts=accounts,
                exclude=list(exclude_move_ids),
                lock=SQL("WITH ar_lock AS (%s)", self.env["account.move"]._ar_lock_commercial_partners_sql(self))
                if lock
                else SQL(),
            )
        )

    def _ar_get_cover_data(self, company, today=None):
        """Insurance covers and guarantees of commercial partners valid on ``today``, two reads.

        Amounts are converted to the company currency at ``today``.

        :return: ``{partner_id: CoverData}`` for every partner of ``self``
        """
        today = today or fields.Date.context_today(self)
        result = {pid: CoverData(covers=[], cover=0.0, guarantees=0.0, insurers=[]) for pid in self.ids}
        if not self.ids:
            return result
        to_company = company.currency_id

        def convert(currency, amount):
            return currency._convert(amount, to_company, company, today)

        covers = (
            self.env["ar.credit.insurance"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", self.ids),
                    ("state", "in", list(core_insurance.COVERING_STATES)),
                ],
                order="decision_date, id",
            )
        )
        for cover in covers:
            if not cover._ar_counts_on(today):
                continue
            amount = convert(cover.currency_id, cover.granted_amount)
            data = result[cover.partner_id.id]
            data.covers.append((amount, cover.indemnity_percent))
            data.insurers.append(cover.insurer_id.id)
            result[cover.partner_id.id] = data._replace(cover=data.cover + amount)
        guarantees = (
            self.env["ar.credit.guarantee"]
            .sudo()
            .search([("company_id", "=", company.id), ("partner_id", "in", self.ids)])
        )
        for guarantee in guarantees:
            if not guarantee._ar_counts_on(today):
                continue
            data = result[guarantee.partner_id.id]
            amount = convert(guarantee.currency_id, guarantee.amount)
            result[guarantee.partner_id.id] = data._replace(guarantees=data.guarantees + amount)
        return result

    def _ar_credit_check(self, data, policy):
        """Check ``data`` (a ``CreditData`` of this partner) against ``policy``.

        Under a policy that checks the insurance cover, the cover and the
        guarantees valid today are read too (core: ``insurance``).
        """
        self.ensure_one()
        secured = None
        if policy.cover_check:
            company = self.env.company
            cover = self._ar_get_cover_data(company)[self.id]
            secured = core_insurance.secured_amount(cover.cover, cover.guarantees)
        return core_exposure.credit_check(
            secured=secured,
            exposure_amount=data.exposure,
            limit=data.limit,
            tolerance_percent=policy.tolerance_percent,
            max_days_overdue=data.max_days_overdue,
            overdue_block_days=policy.overdue_block_days,
            hold=self.sudo().ar_credit_hold,
            precision_digits=self.env.company.currency_id.decimal_places,
        )

    def _ar_credit_check_message(self, check, data, policy):
        """A sentence naming the customer, exposure, limit and overdue amount, then why."""
        self.ensure_one()
        currency = self.env.company.currency_id

        def money(amount):
            return formatLang(self.env, amount, currency_obj=currency)

        lines = [
            self.env._(
                "%(partner)s: exposure after posting %(exposure)s, credit limit %(limit)s, overdue %(overdue)s.",
                partner=self.display_name,
                exposure=money(data.exposure),
                limit=money(data.limit) if data.limit else self.env._("none"),
                overdue=money(data.overdue_amount),
            )
        ]
        if core_exposure.REASON_LIMIT in check.reasons:
            lines.append(
                self.env._(
                    "The exposure exceeds the credit limit plus %(tolerance)s%% tolerance (%(allowed)s).",
                    tolerance=formatLang(self.env, policy.tolerance_percent, digits=1),
                    allowed=money(check.allowed),
                )
            )
        if core_exposure.REASON_OVERDUE in check.reasons:
            lines.append(
                self.env._(
                    "An invoice is overdue by %(days)s days; the policy allows %(max)s days.",
                    days=data.max_days_overdue,
                    max=policy.overdue_block_days,
                )
            )
        if core_exposure.REASON_HOLD in check.reasons:
            lines.append(self.env._("The customer is on credit hold."))
        if core_exposure.REASON_COVER in check.reasons:
            lines.append(
                self.env._(
                    "The exposure exceeds the credit insurance cover and guarantees (%(secured)s): "
                    "%(uncovered)s would be uncovered.",
                    secured=money(check.secured),
                    uncovered=money(core_insurance.uncovered_exposure(data.exposure, check.secured)),
                )
            )
        return "\n".join(lines)

    def _ar_get_payment_behaviour(self, company, today):
        """Amount-weighted average days paid late over the last 12 months, in one query.

        Payments (and other settlements) of customer invoices reconciled in
        the window count; credit notes do not, they are not payments. The
        collection forecast measures a customer's delay on the same items.
        """
        if not self.ids:
            return {}
        self.env["account.partial.reconcile"].flush_model(["amount", "credit_move_id", "debit_move_id", "max_date"])
        rows = self.env.execute_query(
            SQL(
                "SELECT partner_id, due_date, payment_date, SUM(amount) FROM (%s) pay GROUP BY 1, 2, 3",
                invoice_payments_sql(
                    today - relativedelta(days=PAYMENT_WINDOW_DAYS - 1),
                    today,
                    SQL("aml.company_id = %s AND cp.id = ANY(%s)", company.id, self.ids),
                ),
            )
        )
        payments = {pid: [] for pid in self.ids}
        for partner_id, due_date, paid_date, amount in rows:
            payments[partner_id].append((due_date, paid_date, amount))
        return {pid: core_risk.average_days_late(items) for pid, items in payments.items()}

    def _ar_assess_risk(self, company, today):
        """Risk assessments of commercial partners: two queries for the whole batch."""
        credit = self._ar_get_credit_data(company, today=today)
        days_late = self._ar_get_payment_behaviour(company, today)
        result = {}
        partners = self.with_company(company)
        policies = partners._ar_credit_policies()
        for partner in partners:
            policy = policies[partner.id]
            figures = credit[partner.id]
            factors = core_risk.RiskFactors.from_amounts(
                days_late=days_late[partner.id],
                exposure=figures.exposure,
                overdue_amount=figures.overdue_amount,
                max_days_overdue=figures.max_days_overdue,
                limit=figures.limit,
            )
            if policy:
                result[partner.id] = (
                    core_risk.assess(factors, policy._get_risk_weights(), policy._get_grade_thresholds()),
                    policy,
                )
            else:
                result[partner.id] = (core_risk.assess(factors), policy)
        return result

    @api.depends("ar_risk_breakdown_data")
    @api.depends_context("company", "lang")
    def _compute_ar_risk_breakdown(self):
        for partner in self:
            data = partner.sudo().ar_risk_breakdown_data
            partner.ar_risk_breakdown = partner._ar_risk_breakdown_text(json.loads(data)) if data else False

    @staticmethod
    def _ar_risk_breakdown_data(assessment):
        """The numbers of an assessment, stored as JSON (never text in the grader's language)."""
        return json.dumps(
            {
                "factors": {name: getattr(assessment.factors, name) for name in core_risk.FACTORS},
                "risks": dict(assessment.risks),
                "weights": dict(assessment.weights),
                "contributions": assessment.contributions(),
                "score": assessment.score,
                "grade": assessment.grade,
            }
        )

    def _ar_risk_breakdown_text(self, data):
        """The breakdown of stored assessment numbers (``_ar_risk_breakdown_data``), in the user's language."""

        def num(value, digits):
            return formatLang(self.env, value, digits=digits)

        labels = {
            "days_late": (self.env._("Average days paid late (12 months)"), self.env._("%(value)s days"), 1),
            "overdue_share": (self.env._("Overdue share of the exposure"), self.env._("%(value)s %%"), 1),
            "max_overdue": (self.env._("Maximum days overdue"), self.env._("%(value)s days"), 0),
            "utilisation": (self.env._("Credit-limit utilisation"), self.env._("%(value)s %%"), 1),
            "broken_promises": (self.env._("Promises to pay broken (12 months)"), "%(value)s", 0),
        }
        lines = []
        for name in core_risk.FACTORS:
            if name not in data["factors"]:
                continue
            label, value_format, digits = labels[name]
            value = data["factors"][name]
            if name in ("overdue_share", "utilisation"):
                value *= 100.0
            lines.append(
                self.env._(
                    "%(label)s: %(value)s, risk %(risk)s %% x weight %(weight)s = -%(points)s points",
                    label=label,
                    value=value_format % {"value": num(value, digits)},
                    risk=num(data["risks"][name] * 100.0, 0),
                    weight=num(data["weights"].get(name, 0.0), 1),
                    points=num(data["contributions"][name], 2),
                )
            )
        lines.append(self.env._("Score %(score)s: grade %(grade)s", score=num(data["score"], 2), grade=data["grade"]))
        return "\n".join(lines)

    def _prepare_ar_risk_vals(self, assessment, policy, today):
        """What grading writes on this customer: ``{field: value}`` (``trust`` only when the policy mirrors it)."""
        self.ensure_one()
        vals = {
            "ar_risk_score": assessment.score,
            "ar_risk_grade": assessment.grade,
            "ar_risk_grade_date": today,
            "ar_risk_checked_date": today,
            "ar_risk_breakdown_data": self._ar_risk_breakdown_data(assessment),
        }
        if policy and policy.mirror_trust:
            vals["trust"] = core_risk.trust_for_grade(assessment.grade)
        return vals

    def _ar_write_risks(self, company, vals_by_partner):
        """Write the grades of a batch of customers in ``company``: one ``UPDATE`` whatever their number.

        ``vals_by_partner``: ``{partner_id: _prepare_ar_risk_vals(...)}``. The
        values are company-dependent (one JSON key per company), written as the
        ORM writes them. The grade is tracked in the chatter as a tracked ORM
        write would do, but only for the customers whose grade changed, with
        one message and one tracking value each, created in batch.
        """
        if not vals_by_partner:
            return
        fnames = ["ar_risk_score", "ar_risk_grade", "ar_risk_grade_date", "ar_risk_checked_date"]
        fnames += ["ar_risk_breakdown_data", "trust"]
        self.env["res.partner"].flush_model(fnames)
        ids = list(vals_by_partner)
        values = [vals_by_partner[pid] for pid in ids]
        key = str(company.id)
        score_field = self._fields["ar_risk_score"]

        def set_key(column, value):
            return SQL(
                "%(column)s = COALESCE(p.%(column)s, '{}'::jsonb) || jsonb_build_object(%(key)s, %(value)s)",
                column=SQL.identifier(column),
                key=key,
                value=value,
            )

        rows = self.env.execute_query(
            SQL(
                """
                UPDATE res_partner p
                   SET %(score)s, %(grade)s, %(grade_date)s, %(checked)s, %(breakdown)s,
                       trust = CASE WHEN v.trust IS NULL THEN p.trust ELSE %(trust)s END,
                       write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int4[], %(scores)s::float8[], %(grades)s::varchar[],
                              %(breakdowns)s::text[], %(trusts)s::varchar[]) AS v(id, score, grade, breakdown, trust)
                  JOIN res_partner old ON old.id = v.id
                 WHERE p.id = v.id
             RETURNING p.id, old.ar_risk_grade->>%(key)s
                """,
                score=set_key("ar_risk_score", SQL("v.score")),
                grade=set_key("ar_risk_grade", SQL("v.grade")),
                grade_date=set_key("ar_risk_grade_date", SQL("%s::date", values[0]["ar_risk_grade_date"])),
                checked=set_key("ar_risk_checked_date", SQL("%s::date", values[0]["ar_risk_checked_date"])),
                breakdown=set_key("ar_risk_breakdown_data", SQL("v.breakdown")),
                trust=SQL(
                    "COALESCE(p.trust, '{}'::jsonb) || jsonb_build_object(%(key)s, v.trust)",
                    key=key,
                ),
                uid=self.env.uid,
                key=key,
                ids=ids,
                # rounded to the field's digits, as the ORM stores it
                scores=[score_field.convert_to_cache(vals["ar_risk_score"], self) for vals in values],
                grades=[vals["ar_risk_grade"] for vals in values],
                breakdowns=[vals["ar_risk_breakdown_data"] for vals in values],
                trusts=[vals.get("trust") for vals in values],
            )
        )
        # as the ORM's write does: the cache, then what depends on the fields (the breakdown text...)
        written = self.browse(ids)
        written.invalidate_recordset([*fnames, "write_uid", "write_date"])
        written.modified(fnames)
        changed = {pid: old for pid, old in rows if (old or False) != vals_by_partner[pid]["ar_risk_grade"]}
        self.browse(changed).with_company(company)._ar_track_grades(changed, vals_by_partner)

    def _ar_track_grades(self, old_grades, vals_by_partner):
        """Log the grade change of each customer of ``self`` in its chatter, as Odoo's tracking does.

        One message and one tracking value per customer, each kind created in one batch.
        """
        if not self or self.env.context.get("tracking_disable") or self.env.context.get("mail_notrack"):
            return
        field = "ar_risk_grade"
        col_info = self.fields_get([field], attributes=("string", "type", "selection"))[field]
        Tracking = self.env["mail.tracking.value"].sudo()
        messages = self.sudo()._message_log_batch({})
        by_partner = {message.res_id: message for message in messages}
        Tracking.create(
            [
                dict(
                    Tracking._create_tracking_values(
                        old_grades[partner.id] or False, vals_by_partner[partner.id][field], field, col_info, partner
                    ),
                    mail_message_id=by_partner[partner.id].id,
                )
                for partner in self
            ]
        )

    def _ar_recompute_risk(self, company, today):
        """Grade commercial partners of ``self`` in ``company``.

        The grades of the batch are written together (``_ar_write_risks``). A
        customer whose grade cannot be prepared is logged and skipped, the
        others are graded; if the batch write itself fails, the customers are
        written one by one, each in its own savepoint, so that one bad
        customer never stops the others.

        A concurrency error (serialization failure, lock not available,
        deadlock) leaves the partner for a later batch: it is not marked
        checked for the day.

        :return: the number of partners handled (those left for a retry not counted)
        """
        partners = self.with_company(company)
        assessments = partners._ar_assess_risk(company, today)
        prepared = {}
        failed = self.browse()
        for partner in partners:
            try:
                assessment, policy = assessments[partner.id]
                prepared[partner.id] = partner._prepare_ar_risk_vals(assessment, policy, today)
            except Exception:  # one bad customer must not stop the others
                _logger.exception("Risk grade of partner %s in company %s failed", partner.id, company.id)
                failed |= partner
        done = len(prepared)
        try:
            with self.env.cr.savepoint():
                partners._ar_write_risks(company, prepared)
        except Exception:  # retried customer by customer below
            _logger.info("Risk grades of company %s: batch write failed, written one by one", company.id)
            for partner_id, vals in prepared.items():
                try:
                    with self.env.cr.savepoint():
                        partners._ar_write_risks(company, {partner_id: vals})
                except Exception as error:
                    if is_concurrency_error(error):
                        # changed by someone else meanwhile: left for a later batch, not checked today
                        _logger.info("Risk grade of partner %s in company %s: retried later", partner_id, company.id)
                        done -= 1
                        continue
                    _logger.exception("Risk grade of partner %s in company %s failed", partner_id, company.id)
                    failed |= self.browse(partner_id)
                    done -= 1
        if failed:
            failed.with_company(company).sudo().write({"ar_risk_checked_date": today})
        return done + len(failed)

    def _ar_risk_todo_sql(self, company, today, select, claim=None):
        """Commercial partners with receivables in ``company`` not yet handled on ``today``
        (see :meth:`_ar_todo_sql`)."""
        work = SQL(
            """
            EXISTS (
                SELECT 1
                  FROM account_move_line aml
                  JOIN account_account a ON a.id = aml.account_id
                  JOIN res_partner c ON c.id = aml.partner_id
                 WHERE c.commercial_partner_id = p.id
                   AND aml.company_id = %(company)s
                   AND a.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND (aml.reconciled IS NOT TRUE OR aml.date > %(start)s)
            )
            """,
            company=company.id,
            start=today - relativedelta(days=PAYMENT_WINDOW_DAYS),
        )
        return self._ar_todo_sql("ar_risk_checked_date", company, today, select, work, claim)

    @api.model
    def _ar_todo_sql(self, checked_field, company, today, select, work, claim=None):  # noqa: PLR0917
        """The customers a nightly per-customer job has left: commercial partners whose
        ``checked_field`` (a company-dependent date, the day the job last handled them in
        ``company``) is before ``today``, and which match ``work`` (a condition on ``p``, the
        partner: the job has something to do for it).

        ``SELECT select`` of them, or with ``claim`` (a number) the statement that locks the first
        ``claim`` of them by id (``FOR NO KEY UPDATE SKIP LOCKED``) and returns their ids. The
        claim sorts the customers not handled today first (a scan of ``res_partner``) and checks
        ``work`` for them in that order until it has ``claim`` of them: ``work`` is an index
        lookup per customer, and a single ``WHERE ... ORDER BY p.id LIMIT`` checked it for every
        customer left before sorting them (100,000 lookups, 0.66 s of each batch of a run at L;
        the plan estimates a few hundred customers left whatever their number, from the
        condition comparing two columns of the partner).
        """
        pending = SQL(
            """
            p.id = p.commercial_partner_id
            AND (p.%(field)s->>%(key)s IS NULL OR (p.%(field)s->>%(key)s)::date < %(today)s)
            """,
            field=SQL.identifier(checked_field),
            key=str(company.id),
            today=today,
        )
        if claim is None:
            return SQL("SELECT %s FROM res_partner p WHERE %s AND %s", select, pending, work)
        return SQL(
            """
            SELECT p.id
              FROM (SELECT p.id FROM res_partner p WHERE %(pending)s ORDER BY p.id) AS todo
              JOIN res_partner p ON p.id = todo.id
             WHERE %(work)s
          ORDER BY p.id
             LIMIT %(claim)s
               FOR NO KEY UPDATE OF p SKIP LOCKED
            """,
            pending=pending,
            work=work,
            claim=claim,
        )

    @api.model
    def _cron_compute_risk_grades(self, batch_size=1000):
        """Grade every customer of every company, a batch per call.

        Safe on several servers at once: a batch is claimed with
        ``FOR NO KEY UPDATE SKIP LOCKED`` and each partner records the day it
        was handled, so a re-run the same day does nothing new. Reports its
        progress so that Odoo calls it again while work remains.

        1,000 customers a batch: a batch is gathered in a constant number of
        queries and written in one ``UPDATE``, so what each batch costs
        whatever its size (the claim reads every customer's day handled) is
        shared by more customers: at 10,000 customers, 1.0 ms a customer
        against 1.9 ms in batches of 200, and 0.8 ms in batches of 2,000.
        About a second a batch there, a few at 100,000 customers: the 10
        batches a cron worker runs in a row stay well inside its time limit
        (``limit_time_real_cron``, by default 120 s), the claimed customers
        are locked for that long only, and the batch's memory stays bounded
        (38 MB of Python at the peak, against 34 MB for 200 and 42 MB for
        2,000).

        :return: the number of partners still to grade
        """
        return self._ar_cron_partner_batch(
            self._ar_risk_todo_sql,
            lambda partners, company, today: partners._ar_recompute_risk(company, today),
            batch_size,
        )

    @api.model
    def _ar_cron_partner_batch(self, todo_sql, process, batch_size):
        """One batch of a nightly per-customer job, for the cron progress API.

        Claims up to ``batch_size`` commercial partners of the first company
        with work left (``todo_sql(company, today, select, claim=None)``, see
        :meth:`_ar_todo_sql`) with
        ``FOR NO KEY UPDATE SKIP LOCKED`` (two servers never take the same
        customer), hands them to ``process(partners, company, today)``, which
        returns how many it handled, and reports the progress so that Odoo
        calls the job again while customers remain.

        The customers left are counted (every company, every customer's
        receivables checked: the costly part of a small batch on a large
        ledger) once per run of the job, not once per batch: a batch that
        follows a full batch of the same job takes the count that batch
        reported and subtracts what it handled itself. They are counted again
        whenever that would be wrong or could end the run: at the first batch
        (or outside a scheduled run), after a batch that was not full (a
        company's customers are exhausted, or some are held by another
        server), and when the subtraction leaves none. So the job stops only on
        a real count of zero, and a count made stale by others (another
        server, customers with new invoices) only shows in the progress until
        the next recount.

        A batch that handled nobody (its customers held elsewhere, or all left
        for a retry after a concurrency error) reports nothing left, which
        ends the run: 18.0 ends it anyway when nothing was done, 19.0 would
        call the job again at once, and again, as long as the lock lasts. The
        customers left wait for the next run.

        :return: the number of customers still to handle, all companies
        """
        today = fields.Date.context_today(self)
        self.env["res.partner"].flush_model()
        previous = compat.cron_previous_progress(self.env)
        done = claimed = 0
        # A database holds few companies: all of them are looked at.
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        for company in companies:
            ids = [row[0] for row in self.env.execute_query(todo_sql(company, today, SQL("p.id"), claim=batch_size))]
            if ids:
                claimed = len(ids)
                done = process(self.browse(ids), company, today)
                self.env["res.partner"].flush_model()
                break
        # the count the previous batch reported, less this batch's customers: trusted only
        # while the batches are full and it leaves some (see above)
        previous_done, previous_remaining = previous or (0, 0)
        if previous_done and claimed == batch_size and previous_remaining > done:
            remaining = previous_remaining - done
        else:
            remaining = sum(
                self.env.execute_query(todo_sql(company, today, SQL("COUNT(*)")))[0][0] for company in companies
            )
        compat.cron_progress(self.env, done, remaining if done else 0)
        return remaining
