import contextvars
import logging
from collections import defaultdict
from contextlib import contextmanager

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date, formatLang

from .. import compat
from ..lib.ar_core import discount as core_discount
from ..lib.ar_core import exposure as core_exposure
from ..lib.ar_core import risk as core_risk
from .res_partner import CONTROLLER_GROUP, MANAGER_GROUP

_logger = logging.getLogger(__name__)

#: The receivables watched by the outermost credit guard of this thread
#: (``{"before": snapshot, "watched": move ids}``), None outside a guard.
#: Not a context key: a context comes from the client, which could switch the
#: guard off with it.
_GUARD_STATE = contextvars.ContextVar("ar_receivable_guard", default=None)

#: Move fields whose change may post a move, change its customer or its receivables.
GUARDED_MOVE_FIELDS = frozenset(
    {"state", "partner_id", "line_ids", "invoice_line_ids", "move_type", "currency_id", "company_id", "journal_id"}
)
#: Journal item fields whose change may move a receivable to another customer or raise it.
GUARDED_LINE_FIELDS = frozenset(
    {
        "partner_id",
        "account_id",
        "balance",
        "debit",
        "credit",
        "amount_currency",
        "move_id",
        "price_unit",
        "quantity",
        "discount",
        "currency_id",
        "company_id",
    }
)
#: Invoice fields set by the module itself (dunning, charges, discount outcomes): never by a user.
PROTECTED_MOVE_FIELDS = frozenset(
    {
        "ar_dunning_level_id",
        "ar_dunning_date",
        "ar_interest_days_charged",
        "ar_fixed_fee_charged",
        "ar_is_dunning_charge",
        "ar_discount_state",
        "ar_discount_shortfall",
        "ar_short_payment_action",
        "ar_discount_amount",
        "ar_discount_granted",
        "ar_discount_payment_date",
        "ar_discount_days_gained",
        "ar_discount_realised_cost",
        "ar_discount_reminder_date",
        "ar_dispute_open",
        "ar_dispute_confirmed",
        # the invoices of a promise to pay are set when it is recorded, from the promise's side
        "ar_promise_ids",
    }
)

DISCOUNT_STATES = [
    ("open", "Open"),
    ("in_time", "Taken in Time"),
    ("missed", "Not Taken"),
    ("taken_late", "Taken Late"),
    ("over_deducted", "Deducted More than Allowed"),
    ("unpaid", "Unpaid after Deadline"),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    # Odoo's partner form reads its days sales outstanding (account's ``_compute_days_sales_outstanding``)
    # and the credit figures find the drafts by commercial partner: without an index, both read
    # every entry (1.3 s a form at 3.3 million entries, docs/performance.md, B7)
    commercial_partner_id = fields.Many2one(index="btree_not_null")

    ar_credit_blocked = fields.Boolean(
        string="Credit Blocked",
        compute="_compute_ar_credit_blocked",
        help="Posting this invoice would be refused by the customer's credit policy.",
    )
    ar_partner_risk_grade = fields.Selection(related="commercial_partner_id.ar_risk_grade", string="Risk Grade")
    ar_credit_override_ids = fields.One2many(
        "ar.credit.override", "move_id", string="Credit Overrides", groups=CONTROLLER_GROUP
    )
    ar_discount_state = fields.Selection(
        DISCOUNT_STATES,
        string="Early Discount",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="What became of the early-payment discount offered on this invoice.",
    )
    ar_discount_shortfall = fields.Monetary(
        string="Discount Deducted Late",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
        help="Amount the customer deducted without the right to: the discount taken after its "
        "deadline, or the part of a deduction above the discount.",
    )
    ar_short_payment_action = fields.Selection(
        [("written_off", "Written Off"), ("dunning", "To Dun")],
        string="Short Payment",
        readonly=True,
        copy=False,
        help="How the deducted amount was handled, according to the credit policy.",
    )
    ar_discount_amount = fields.Monetary(
        string="Discount Offered",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
        help="Early-payment discount offered on this invoice, in company currency.",
    )
    ar_discount_granted = fields.Monetary(
        string="Discount Granted",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
    )
    ar_discount_payment_date = fields.Date(string="Last Payment", readonly=True, copy=False)
    ar_discount_days_gained = fields.Integer(
        string="Days Gained",
        readonly=True,
        copy=False,
        help="Days between the last payment and the net due date (negative when paid late).",
    )
    ar_discount_realised_cost = fields.Float(
        string="Realised Annual Cost (%)",
        readonly=True,
        copy=False,
        digits=(16, 1),
        help="Effective annual cost of the discount granted, over the days it brought the payment forward.",
    )
    ar_discount_reminder_date = fields.Date(
        string="Discount Reminder Sent",
        readonly=True,
        copy=False,
        help="When the customer was reminded that the early-payment discount of this invoice expires.",
    )
    ar_legal_mentions = fields.Text(
        string="Legal Payment Mentions",
        compute="_compute_ar_legal_mentions",
        help="Early-payment discount, late-payment penalty rate and fixed recovery compensation "
        "printed on the invoice.",
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
            # The customer's credit policy decides (tolerance, overdue rule, hold): Odoo's own
            # "Sales Credit Limit" warning, which knows none of them, would contradict it.
            move.partner_credit_warning = ""
            if check.passed:
                continue
            currency = move.company_id.currency_id
            grade = (
                dict(partner._fields["ar_risk_grade"]._description_selection(self.env))[partner.ar_risk_grade]
                if partner.ar_risk_grade in core_risk.GRADES
                else self.env._("not graded")
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
            move.partner_credit_warning = "\n".join(filter(None, lines))
        return res

    @api.depends("partner_id", "company_id")
    def _compute_invoice_payment_term_id(self):
        res = super()._compute_invoice_payment_term_id()
        for move in self.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "draft" and not m.invoice_payment_term_id
        ):
            partner = move.commercial_partner_id.with_company(move.company_id)
            if not partner:
                continue
            policy = partner._ar_get_credit_policy()
            grade = partner.ar_risk_grade
            if policy and grade in core_risk.GRADES:
                move.invoice_payment_term_id = policy._get_grade_payment_terms()[grade]
        return res

    @api.depends(
        "invoice_payment_term_id",
        "invoice_date",
        "move_type",
        "company_id.ar_invoice_legal_mentions",
        "company_id.ar_late_penalty_rate",
        "company_id.ar_recovery_fee",
    )
    def _compute_ar_legal_mentions(self):
        for move in self:
            company = move.company_id
            if not (company.ar_invoice_legal_mentions and move.move_type == "out_invoice"):
                move.ar_legal_mentions = False
                continue
            move.ar_legal_mentions = "\n".join(move._ar_legal_mention_lines())

    def _ar_legal_mention_lines(self):
        """The payment mentions French law requires on invoices (Code de commerce L441-9)."""
        self.ensure_one()
        company = self.company_id
        term = self.invoice_payment_term_id
        if term.early_discount:
            deadline = term._get_last_discount_date(self.invoice_date or fields.Date.context_today(self))
            discount_line = self.env._(
                "Early payment discount: %(percent)s%% if paid by %(date)s.",
                percent=formatLang(self.env, term.discount_percentage, digits=2),
                date=format_date(self.env, deadline),
            )
        else:
            discount_line = self.env._("No early payment discount.")
        return [
            discount_line,
            self.env._(
                "Late payment penalties: annual rate of %(rate)s%%, from the day after the due date.",
                rate=formatLang(self.env, company.ar_late_penalty_rate, digits=2),
            ),
            self.env._(
                "Fixed compensation for recovery costs in case of late payment: %(amount)s "
                "(French Commercial Code, art. D441-5).",
                amount=formatLang(self.env, company.ar_recovery_fee, currency_obj=company.currency_id),
            ),
        ]

    # ------------------------------------------------------------------
    # The credit guard: every way a customer receivable becomes posted,
    # changes customer or grows after posting
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._ar_check_protected_vals(vals_list)
        with self._ar_guard_receivables() as guard:
            moves = super().create(vals_list)
            # a move created posted (``default_state`` in the context, ``copy``)
            guard["moves"] = moves.filtered(lambda m: m.state == "posted")
        return moves

    def write(self, vals):
        self._ar_check_protected_vals([vals])
        if vals.get("state") in ("draft", "cancel"):
            self._ar_check_charges_removal()
        posting = vals.get("state") == "posted"
        changing_posted = vals.get("state", "posted") == "posted" and any(m.state == "posted" for m in self)
        if not GUARDED_MOVE_FIELDS.intersection(vals) or not (posting or changing_posted):
            return super().write(vals)
        with self._ar_guard_receivables(self):
            return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_ar_dunning_charges(self):
        self._ar_check_charges_removal()

    def _ar_check_protected_vals(self, vals_list):
        """Fields the module sets itself: no user writes them, whatever the path."""
        if self.env.su:
            return
        context = self.env.context
        defaults = {key.removeprefix("default_") for key in context if key.startswith("default_") and context[key]}
        for vals in vals_list:
            forbidden = PROTECTED_MOVE_FIELDS.intersection({*vals, *defaults})
            if forbidden:
                raise AccessError(
                    self.env._(
                        "The fields %(fields)s of invoices are set by the credit control itself and cannot be written.",
                        fields=", ".join(sorted(self._fields[name].string for name in forbidden)),
                    )
                )

    def _ar_check_charges_removal(self):
        """Late-payment charges leave the ledger only through the waiver (Credit Managers)."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        if any(move.ar_is_dunning_charge and move.state != "cancel" for move in self):
            raise AccessError(
                self.env._(
                    "Late-payment charges can only be waived by a Credit Manager (Waive Charges), not cancelled, "
                    "reset to draft or deleted."
                )
            )

    @contextmanager
    def _ar_guard_receivables(self, moves=None):
        """Check the credit of every customer whose posted receivables the change raises.

        Wraps a create or write of moves or journal items: the posted
        receivables of the moves are read before and after, by customer, and
        every customer whose posted receivables grew goes through the credit
        check (lock, policy, override) exactly as a posting does. This covers
        posting through ``_post`` (which writes ``state``), writing ``state``
        directly, creating or copying a move already posted (``default_state``
        in the context), changing the customer of a posted invoice or of its
        receivable item, and editing the lines of a posted invoice
        (``skip_readonly_check``). Nested creates and writes report their
        moves to the outermost guard, which checks once at its end.

        :param moves: the moves about to change; the caller adds the moves
            it creates to ``guard["moves"]``
        """
        state = _GUARD_STATE.get()
        outer = state is None
        if outer:
            state = {"before": {}, "watched": set()}
            token = _GUARD_STATE.set(state)
        try:
            new = moves.filtered(lambda m: m.id not in state["watched"]) if moves else self.browse()
            if new:
                # Only posted moves have posted receivables: posting drafts needs no "before" query.
                posted = new.filtered(lambda m: m.state == "posted")
                for key, amount in posted._ar_receivable_snapshot().items():
                    state["before"].setdefault(key, amount)
                state["watched"].update(new.ids)
            guard = {"moves": self.browse()}
            yield guard
            state["watched"].update(guard["moves"].ids)
            if outer:
                # moves deleted meanwhile have no rows: the snapshot needs no exists() first
                after = self.browse(sorted(state["watched"]))._ar_receivable_snapshot()
        finally:
            if outer:
                _GUARD_STATE.reset(token)
        if outer:
            self._ar_check_raised_receivables(state["before"], after)

    def _ar_receivable_snapshot(self):
        """Posted receivables of these moves: ``{(move_id, company_id, partner_id): (amount, state)}``.

        Moves recording money rather than credit granted (payments, bank
        statement lines, exchange differences, cash-basis entries) are left
        out: they never need a credit check.
        """
        if not self.ids:
            return {}
        self.env["account.move.line"].flush_model(["account_id", "balance", "move_id", "partner_id", "company_id"])
        self.env["account.move"].flush_model(
            ["state", "origin_payment_id", "statement_line_id", "tax_cash_basis_origin_move_id", "journal_id"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT aml.move_id, aml.company_id, p.commercial_partner_id, SUM(aml.balance)
                  FROM account_move_line aml
                  JOIN account_move m ON m.id = aml.move_id
                  JOIN account_account a ON a.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN res_company c ON c.id = aml.company_id
                 WHERE aml.move_id = ANY(%s)
                   AND m.state = 'posted'
                   AND a.account_type = 'asset_receivable'
                   AND m.origin_payment_id IS NULL
                   AND m.statement_line_id IS NULL
                   AND m.tax_cash_basis_origin_move_id IS NULL
                   AND m.journal_id IS DISTINCT FROM c.currency_exchange_journal_id
              GROUP BY 1, 2, 3
                """,
                self.ids,
            )
        )
        return {(move_id, company_id, partner_id): amount for move_id, company_id, partner_id, amount in rows}

    def _ar_check_raised_receivables(self, before, after):
        """Credit check of the customers whose posted receivables grew between two snapshots."""
        raised = defaultdict(lambda: defaultdict(set))
        for key, amount in after.items():
            move_id, company_id, partner_id = key
            company = self.env["res.company"].browse(company_id)
            if company.currency_id.compare_amounts(amount, before.get(key, 0.0)) > 0:
                raised[company][partner_id].add(move_id)
        if not raised:
            return
        newly_posted = {move_id for move_id, _company, _partner in after} - {move_id for move_id, *_ in before}
        for company, partners in raised.items():
            moves_by_partner = {
                self.env["res.partner"].browse(partner_id): self.browse(sorted(move_ids))
                for partner_id, move_ids in partners.items()
            }
            self.with_company(company)._ar_check_credit(company, moves_by_partner, newly_posted)

    def init(self):
        res = super().init()
        # One row per customer whose credit was checked: the credit checks of a customer lock it
        # (see _ar_lock_commercial_partners). A table of its own, not the customer's row, so that
        # posting never waits for a nightly batch holding customer rows (dunning, grading).
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS ar_credit_lock (
                partner_id integer PRIMARY KEY REFERENCES res_partner(id) ON DELETE CASCADE,
                checks bigint NOT NULL DEFAULT 0
            )
            """
        )
        return res

    def _ar_lock_commercial_partners(self, partners):
        """Serialise the credit checks of one customer.

        Two transactions posting invoices of the same customer must not
        both pass a check that together they fail. Under Odoo's REPEATABLE
        READ isolation a row lock alone is not enough (the second
        transaction would still check against its old snapshot), so a row
        is written: the second transaction waits for the first and then
        fails with a serialization error, which Odoo retries with a fresh
        snapshot that sees the first invoice. The row is the customer's in
        ``ar_credit_lock``, not the customer itself: the nightly jobs lock
        customer rows for a whole batch, and posting must not wait for them.
        """
        self.env.execute_query(self._ar_lock_commercial_partners_sql(partners))

    @api.model
    def _ar_lock_commercial_partners_sql(self, partners):
        """The statement of :meth:`_ar_lock_commercial_partners`.

        Also run as a data-modifying ``WITH`` of the credit figures' query
        (``res.partner._ar_get_credit_data(lock=True)``): the statement then
        waits for the lock, or fails with the serialization error, exactly
        as the statement alone does, and the figures it returns are read
        from the transaction's snapshot either way.
        """
        return SQL(
            """
            INSERT INTO ar_credit_lock (partner_id, checks)
                 SELECT id, 1 FROM unnest(%s::int[]) AS id ORDER BY id
            ON CONFLICT (partner_id) DO UPDATE SET checks = ar_credit_lock.checks + 1
            """,
            sorted(set(partners.ids)),
        )

    def _ar_check_credit(self, company, moves_by_partner, newly_posted=()):
        """Check the credit of customers whose posted receivables these moves raised.

        :param moves_by_partner: ``{commercial partner: moves}``
        :param newly_posted: ids of the moves posted by this change: they
            never count as overdue, and only they can be posted over a block
            through a Credit Manager's override
        """
        partners = self.env["res.partner"].union(*moves_by_partner).with_company(company)
        all_moves = self.browse().union(*moves_by_partner.values()).with_company(company)
        first_invoices = all_moves.filtered(lambda m: m.id in newly_posted and m.move_type == "out_invoice")
        if partners._ar_default_credit_limit_candidates():
            # the default limit is written before the figures are read: lock first
            self._ar_lock_commercial_partners(partners)
            partners._ar_apply_default_credit_limit(first_invoices)
            data = partners._ar_get_credit_data(company, exclude_move_ids=list(newly_posted))
        else:
            # the lock and the figures in one statement (see _ar_lock_commercial_partners)
            data = partners._ar_get_credit_data(company, exclude_move_ids=list(newly_posted), lock=True)
        is_manager = self.env.user.has_group(MANAGER_GROUP)
        overrides = None  # looked up only when a check fails
        policies = partners._ar_credit_policies()
        for commercial, moves in moves_by_partner.items():
            # in the environment of the whole batch, read together (prefetch): no switch of
            # environment per customer (see res.partner._ar_credit_policies)
            partner = partners.browse(commercial.id).with_prefetch(partners._prefetch_ids)
            partner_moves = all_moves.browse(moves.ids).with_prefetch(all_moves._prefetch_ids)
            policy = policies[partner.id]
            if not policy:
                continue
            figures = data[partner.id]
            check = partner._ar_credit_check(figures, policy)
            if check.passed:
                continue
            message = partner._ar_credit_check_message(check, figures, policy)
            if overrides is None:
                overrides = (
                    self.env["ar.credit.override"]
                    .sudo()
                    .search(
                        [("move_id", "in", all_moves.ids), ("state", "=", "pending"), ("user_id", "=", self.env.uid)]
                    )
                )
            partner_overrides = overrides.filtered(lambda o, pm=partner_moves: o.move_id in pm)
            overridable = all(move.id in newly_posted for move in partner_moves)
            if is_manager and overridable and partner_overrides.move_id == partner_moves:
                partner_moves._ar_apply_overrides(partner_overrides, check, figures, message)
            elif policy.enforcement == "block":
                raise UserError(
                    self.env._(
                        "The credit policy blocks invoice %(invoices)s.\n%(why)s\n"
                        "Ask a Credit Manager to post it with 'Override Credit Block'.",
                        invoices=", ".join(partner_moves.mapped("display_name")),
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
    # Early-payment discounts
    # ------------------------------------------------------------------

    def _ar_get_discount_facts(self):
        """Receivable facts of invoices offering an early discount, in one query.

        :return: ``{move_id: dict(total, discount, residual, epd, paid_on,
            discount_date, due_date)}`` in company currency
        """
        if not self.ids:
            return {}
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        rows = self.env.execute_query_dict(
            SQL(
                """
                SELECT l.move_id,
                       SUM(l.balance) AS total,
                       SUM(l.balance - l.discount_balance) AS discount,
                       SUM(l.amount_residual) AS residual,
                       MIN(l.discount_date) AS discount_date,
                       MAX(l.date_maturity) AS due_date,
                       (SELECT MAX(apr.max_date)
                          FROM account_partial_reconcile apr
                         WHERE apr.debit_move_id = ANY(ARRAY_AGG(l.id))) AS paid_on,
                       (SELECT COALESCE(SUM(epd.balance), 0)
                          FROM account_partial_reconcile apr
                          JOIN account_move_line cl ON cl.id = apr.credit_move_id
                          JOIN account_move_line epd ON epd.move_id = cl.move_id AND %s
                         WHERE apr.debit_move_id = ANY(ARRAY_AGG(l.id))) AS epd
                  FROM account_move_line l
                  JOIN account_account a ON a.id = l.account_id
                 WHERE l.move_id = ANY(%s)
                   AND a.account_type = 'asset_receivable'
                   AND l.discount_date IS NOT NULL
              GROUP BY l.move_id
                """,
                compat.early_discount_line_condition(self.env, "epd"),
                self.ids,
            )
        )
        return {row["move_id"]: row for row in rows}

    def _ar_process_discount_outcomes(self, today=None):
        """Record what became of each early discount; handle short payments.

        A discount deducted after its deadline, or more than allowed, leaves
        the invoice open for the deducted amount: it is written off to the
        company's early-discount loss account when the credit policy says so
        and the amount is within its tolerance, otherwise flagged for dunning.
        """
        today = today or fields.Date.context_today(self)
        invoices = self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        facts = invoices._ar_get_discount_facts()
        for move in invoices:
            fact = facts.get(move.id)
            if not fact:
                continue
            currency = move.company_currency_id
            total, offered = fact["total"], fact["discount"]
            if currency.compare_amounts(fact["epd"], 0.0) > 0:
                result = core_discount.DiscountOutcome(core_discount.TAKEN_IN_TIME, 0.0, fact["epd"])
            else:
                result = core_discount.outcome(
                    total=total,
                    discount=offered,
                    paid=total - fact["residual"],
                    last_payment_date=fact["paid_on"],
                    discount_date=fact["discount_date"],
                    today=today,
                    precision_digits=currency.decimal_places,
                )
            vals = {
                "ar_discount_state": result.state,
                "ar_discount_amount": offered,
                "ar_discount_granted": result.granted,
                "ar_discount_shortfall": result.shortfall,
                "ar_discount_payment_date": fact["paid_on"],
                "ar_discount_days_gained": core_discount.days_gained(fact["due_date"], fact["paid_on"])
                if fact["paid_on"]
                else 0,
            }
            realised = (
                core_discount.realised_annual_cost(result.granted, total, vals["ar_discount_days_gained"])
                if result.granted
                else None
            )
            vals["ar_discount_realised_cost"] = realised * 100.0 if realised is not None else 0.0
            # written only when the outcome changed: the nightly job looks at every open discount
            # every night, and an unchanged write still recomputes and tracks the invoice
            if any(move[name] != _as_record_value(move, name, value) for name, value in vals.items()):
                move.sudo().write(vals)  # outcome fields: set by the credit control only
            if result.state in (core_discount.TAKEN_LATE, core_discount.OVER_DEDUCTED) and not (
                move.ar_short_payment_action
            ):
                move._ar_handle_short_payment(result)

    def _ar_handle_short_payment(self, result):
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(self.company_id)
        policy = partner._ar_get_credit_policy()
        currency = self.company_currency_id
        loss_account = self.company_id.account_journal_early_pay_discount_loss_account_id
        residual = self.amount_residual_signed
        if (
            policy
            and policy.short_payment_action == "write_off"
            and loss_account
            and currency.compare_amounts(result.shortfall, policy.short_payment_tolerance) <= 0
            and currency.compare_amounts(residual, 0.0) > 0
        ):
            self._ar_write_off_residual(loss_account)
            self.sudo().ar_short_payment_action = "written_off"
            body = self.env._(
                "Early discount deducted without the right to (%(amount)s): written off to %(account)s "
                "under the credit policy's tolerance of %(tolerance)s.",
                amount=formatLang(self.env, result.shortfall, currency_obj=currency),
                account=loss_account.display_name,
                tolerance=formatLang(self.env, policy.short_payment_tolerance, currency_obj=currency),
            )
        else:
            self.sudo().ar_short_payment_action = "dunning"
            body = self.env._(
                "Early discount deducted without the right to (%(amount)s): the open amount is left to dunning.",
                amount=formatLang(self.env, result.shortfall, currency_obj=currency),
            )
        self.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")

    def _ar_write_off_residual(self, account):
        """Post an entry moving the open receivable of this invoice to ``account`` and reconcile it."""
        self.ensure_one()
        receivable_lines = self.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )
        amount = sum(receivable_lines.mapped("amount_residual"))
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(self.company_id), ("type", "=", "general")], limit=1
        )
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": fields.Date.context_today(self),
                "ref": self.env._("Early discount write-off of %(invoice)s", invoice=self.name),
                "line_ids": [
                    Command.create(
                        {
                            "name": self.env._("Early discount taken without the right to"),
                            "account_id": receivable_lines[0].account_id.id,
                            "partner_id": self.commercial_partner_id.id,
                            "balance": -amount,
                        }
                    ),
                    Command.create(
                        {
                            "name": self.env._("Early discount loss"),
                            "account_id": account.id,
                            "partner_id": self.commercial_partner_id.id,
                            "balance": amount,
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        (
            receivable_lines + entry.line_ids.filtered(lambda line: line.account_id == receivable_lines[0].account_id)
        ).reconcile()
        return entry

    @api.model
    def _cron_process_discount_outcomes(self, batch_size=500):
        """Update the discount outcome of every invoice whose discount is not settled yet."""
        domain = [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("invoice_payment_term_id.early_discount", "=", True),
            "|",
            ("ar_discount_state", "=", False),
            ("ar_discount_state", "in", ("open", "unpaid")),
        ]
        last_id = 0
        while moves := self.search([*domain, ("id", ">", last_id)], limit=batch_size, order="id"):
            for company, company_moves in moves.grouped("company_id").items():
                company_moves.with_company(company)._ar_process_discount_outcomes()
            last_id = moves[-1].id

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


def _as_record_value(record, name, value):
    """``value`` as reading field ``name`` of ``record`` would give it once written (rounded, False for None)."""
    field = record._fields[name]
    return field.convert_to_record(field.convert_to_cache(value, record), record)
