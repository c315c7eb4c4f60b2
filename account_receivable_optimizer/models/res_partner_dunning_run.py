import logging
from collections import defaultdict

from odoo import Command, api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, formatLang, plaintext2html

from .. import compat
from ..lib.ar_core import aging
from ..lib.ar_core import dunning as core_dunning
from ..lib.ar_core import exposure as core_exposure
from .ar_protected_fields_mixin import check_allowed_companies
from .ar_retry import is_concurrency_error
from .res_partner import CONTROLLER_GROUP

_logger = logging.getLogger(__name__)


class ResPartner(models.Model):
    """The dunning run: gather the invoices of a batch of customers, plan with the core, send."""

    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Data gathering (one query per batch)
    # ------------------------------------------------------------------

    def _ar_get_dunning_data(self, company):
        """Open receivable items of customer invoices, and unmatched credits, of commercial partners.

        The unit of dunning is the receivable item: an invoice with several
        due dates (instalments) has one item per due date. Amounts are in the
        item's currency (``amount_due``) and in company currency
        (``amount_company``).

        :return: ``(items, credits)``: ``{partner_id: [row, ...]}`` and
            ``{partner_id: amount}`` (negative: money the customer has on account,
            in company currency)
        """
        if not self.ids:
            return {}, {}
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        self.env["ar.invoice.dispute"].flush_model()
        self.env["ar.payment.promise"].flush_model()
        self.env["ar.payment.plan"].flush_model()
        rows = self.env.execute_query_dict(
            SQL(
                """
                SELECT aml.id, aml.move_id, m.commercial_partner_id AS partner_id, m.name,
                       COALESCE(aml.date_maturity, m.invoice_date_due, m.invoice_date) AS due_date,
                       aml.amount_residual_currency AS amount_due,
                       aml.amount_residual AS amount_company,
                       aml.currency_id,
                       m.payment_state,
                       aml.ar_dunning_level_id AS last_level,
                       COALESCE(m.ar_interest_days_charged, 0) AS days_charged,
                       COALESCE(m.ar_fixed_fee_charged, FALSE) AS fixed_charged,
                       COALESCE(m.ar_is_dunning_charge, FALSE) AS is_charge,
                       m.ar_dispute_open AS disputed,
                       (SELECT MAX(pp.promised_date)
                          FROM ar_payment_promise pp
                          JOIN ar_payment_promise_move_rel r ON r.promise_id = pp.id
                         WHERE r.move_id = m.id AND pp.state = 'pending') AS promised_until,
                       (SELECT MIN(pl.next_due_date)
                          FROM ar_payment_plan pl
                          JOIN ar_payment_plan_move_rel r ON r.plan_id = pl.id
                         WHERE r.move_id = m.id AND pl.state = 'active') AS planned_until
                  FROM account_move_line aml
                  JOIN account_move m ON m.id = aml.move_id
                  JOIN account_account a ON a.id = aml.account_id
                 WHERE aml.company_id = %(company)s
                   AND a.account_type = 'asset_receivable'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.parent_state = 'posted'
                   AND aml.amount_residual > 0
                   AND m.move_type = 'out_invoice'
                   AND m.payment_state IN ('not_paid', 'partial', 'in_payment')
                   AND m.commercial_partner_id = ANY(%(ids)s)
              ORDER BY due_date, aml.id
                """,
                company=company.id,
                ids=self.ids,
            )
        )
        invoices = defaultdict(list)
        for row in rows:
            invoices[row["partner_id"]].append(row)
        credit_rows = self.env.execute_query(
            SQL(
                """
                SELECT p.commercial_partner_id, SUM(aml.amount_residual)
                  FROM account_move_line aml
                  JOIN account_account a ON a.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                 WHERE aml.company_id = %(company)s
                   AND a.account_type = 'asset_receivable'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.parent_state = 'posted'
                   AND aml.amount_residual < 0
                   AND p.commercial_partner_id = ANY(%(ids)s)
              GROUP BY 1
                """,
                company=company.id,
                ids=self.ids,
            )
        )
        return invoices, dict(credit_rows)

    # ------------------------------------------------------------------
    # Planning and running
    # ------------------------------------------------------------------

    def _ar_plan_dunning(self, company, today):
        """What each commercial partner of ``self`` gets today, computed by the core.

        :return: ``{partner_id: (plan, rows, credit, policy, broken_promises, discounts)}``,
            ``discounts`` as ``_ar_get_discount_reminders`` gives them for the partner
        """
        invoices, credits = self._ar_get_dunning_data(company)
        discounts = self._ar_get_discount_reminders(company, today)
        broken = self.env["ar.payment.promise"].search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", self.ids),
                ("state", "=", "broken"),
                ("escalated", "=", False),
            ]
        )
        broken_by_partner = broken.grouped("partner_id")
        reminded = self.env["ar.dunning.level"].browse(
            {row["last_level"] for rows in invoices.values() for row in rows if row["last_level"]}
        )
        offsets = {level.id: level.offset_days for level in reminded}
        # items reminded at a hand-over level (of any grade) were handed over once and for all
        hand_over_levels = set(reminded.filtered("hand_over").ids)
        result = {}
        for partner in self.with_company(company):
            policy = partner._ar_get_credit_policy()
            levels = policy.ar_dunning_level_ids
            rows = invoices.get(partner.id, [])
            promises = broken_by_partner.get(partner, self.env["ar.payment.promise"])
            items = [
                core_dunning.Invoice(
                    key=row["id"],
                    due_date=row["due_date"],
                    amount_due=row["amount_company"],
                    payment_state=row["payment_state"],
                    disputed=bool(row["disputed"]),
                    promised_until=row["promised_until"],
                    planned_until=row["planned_until"],
                    last_level=row["last_level"],
                )
                for row in rows
            ]
            plan = core_dunning.plan_customer(
                items,
                core_dunning.levels_for_grade(levels._to_core(), partner.sudo().ar_risk_grade),
                today,
                last_reminder=partner.sudo().ar_last_dunning_date or None,
                no_dunning=partner.sudo().ar_no_dunning,
                broken_promise=bool(promises),
                grace_days=policy.dunning_grace_days,
                offsets=offsets,
                skip_levels=policy.dunning_skip_levels,
                hand_over_levels=hand_over_levels,
            )
            result[partner.id] = (
                plan,
                rows,
                credits.get(partner.id, 0.0),
                policy,
                promises,
                discounts.get(partner.id, {}),
            )
        return result

    def _ar_dunning_preview(self, company, today):
        """Dry run: ``[{partner, level, amount, invoices, note}]``; creates and sends nothing."""
        plans = self._ar_plan_dunning(company, today)
        preview = []
        for partner in self.with_company(company):
            plan, rows, credit, policy, _promises, _discounts = plans[partner.id]
            if not plan.send:
                continue
            level = self.env["ar.dunning.level"].browse(plan.level)
            claimed = [row for row in rows if row["id"] in plan.levels]
            note = level._channels()
            if credit and policy.dunning_unreconciled == "activity":
                note = self.env._("Collector task: reconcile payments or credit notes first")
            preview.append(
                {
                    "partner_id": partner.id,
                    "level_id": level.id,
                    "amount": sum(row["amount_company"] for row in claimed),
                    "invoice_count": len({row["move_id"] for row in claimed}),
                    "note": note,
                }
            )
        return preview

    def _ar_collector(self):
        """Who gets this customer's dunning tasks.

        The customer's collector, else the credit policy's responsible, else
        a Credit Manager of the company, else the company's administrator:
        never the superuser (OdooBot), whoever runs the job.
        """
        self.ensure_one()
        partner = self.sudo()
        company = self.env.company
        candidates = [partner.ar_collector_id, partner._ar_get_credit_policy().user_id]
        for user in candidates:
            if user and user.active and not user._is_superuser() and company in user.company_ids:
                return user
        managers = compat.group_users(
            self.env.ref("account_receivable_optimizer.group_ar_credit_manager").sudo()
        ) | self.env.ref("base.user_admin", raise_if_not_found=False)
        return managers.filtered(
            lambda u: u.active and not u.share and not u._is_superuser() and company in u.company_ids
        ).sorted("id")[:1]

    def _ar_schedule_task(
        self, summary, note, today, activity_type="account_receivable_optimizer.mail_activity_dunning"
    ):
        """Plan a collector task of ``activity_type`` (an xml id) on this customer.

        ``summary`` and ``note`` are plain text (customer names, reasons), escaped here, or
        functions of an environment returning it: they are then written in the collector's
        language, not in the language of whoever runs the job (a task's text is stored).
        """
        self.ensure_one()
        collector = self._ar_collector() or self.env.ref("base.user_admin")
        # sudo: the portal (a customer, or the public user) plans tasks too
        reader = self.with_context(lang=collector.sudo().lang or self.env.lang).env
        if callable(summary):
            summary = summary(reader)
        if callable(note):
            note = note(reader)
        return self.sudo().activity_schedule(
            activity_type,
            date_deadline=today,
            summary=summary,
            note=plaintext2html(note),
            user_id=collector.id,
        )

    def _ar_run_dunning(self, company, today):
        """Dun commercial partners of ``self`` in ``company``: the batch at once, else each in its savepoint.

        A customer with nothing to send today costs no statement of its own:
        the day it was handled and its priority are written for the whole
        batch at once (``_ar_mark_dunning_checked``). The customers who get a
        communication are dunned together (``_ar_dun_batch``).

        A concurrency error (serialization failure, lock not available,
        deadlock: the customer paid meanwhile) leaves the customer for a
        later batch: no failed reminder, not marked checked for the day.

        :return: the number of partners handled (those left for a retry not counted)
        """
        partners = self.with_company(company)
        plans = partners._ar_plan_dunning(company, today)
        late_items = self.env["ar.late.charge"]._ar_gather_late_items(
            company,
            today,
            {pid: planned[3] for pid, planned in plans.items() if planned[0].send and planned[3].charge_enabled},
        )
        # the reminders' links to the customers' portal pages, for the whole batch
        portal_urls = self.env["ar.portal.account"]._ar_urls(partners.filtered(lambda p: plans[p.id][0].send), company)
        # nothing to send and no discount to remind of: no savepoint, no statement for these customers
        to_dun = partners.filtered(lambda p: plans[p.id][0].send or plans[p.id][5])
        retried = to_dun._ar_dun_batch(plans, today, late_items, portal_urls)
        checked = {}
        for partner in partners:
            if partner.id in retried:
                continue
            rows = plans[partner.id][1]
            overdue = core_exposure.overdue_summary([(row["due_date"], row["amount_company"]) for row in rows], today)
            checked[partner.id] = core_dunning.priority(overdue.amount, overdue.max_days, partner.sudo().ar_risk_grade)
        partners._ar_mark_dunning_checked(company, today, checked)
        return len(checked)

    def _ar_dun_batch(self, plans, today, late_items, portal_urls):
        """Dun the customers of ``self`` together in one savepoint; if that fails, each in its own.

        Set-based first (``_ar_dun`` on the whole batch: its reminders, lines,
        emails and chatter messages created together); if anything in it
        fails, nothing of it is kept (the savepoint is rolled back: no email
        queued, no level written) and the customers are dunned again one by
        one, so that one bad customer gets a failed communication and never
        stops the others.

        :return: ids of the customers left for a later batch (concurrency error)
        """
        company = self.env.company
        if len(self) > 1:
            try:
                with self.env.cr.savepoint():
                    self._ar_dun(plans, today, late_items=late_items, portal_urls=portal_urls)
                return set()
            except Exception:  # dunned again customer by customer below
                _logger.info("Dunning of company %s: the batch failed, customers dunned one by one", company.id)
        retried = set()
        for partner in self:
            try:
                with self.env.cr.savepoint():
                    partner._ar_dun(plans, today, late_items=late_items, portal_urls=portal_urls)
            except Exception as error:  # one bad customer must not stop the others
                if is_concurrency_error(error):
                    _logger.info("Dunning of partner %s in company %s: retried later", partner.id, company.id)
                    retried.add(partner.id)
                    continue
                _logger.exception("Dunning of partner %s in company %s failed", partner.id, company.id)
                self.env["ar.dunning.communication"].sudo().create(
                    {
                        "company_id": company.id,
                        "partner_id": partner.id,
                        "date": today,
                        "state": "failed",
                        "reason_codes": "error",
                        "reason_detail": str(error),
                    }
                )
        return retried

    def _ar_mark_dunning_checked(self, company, today, priorities):
        """Record that the customers were handled today, with their priority: one ``UPDATE`` for the batch.

        ``priorities``: ``{partner_id: collection priority}``. Company-dependent
        values, written as the ORM writes them (one JSON key per company).
        """
        if not priorities:
            return
        fnames = ["ar_dunning_checked_date", "ar_dunning_priority"]
        self.env["res.partner"].flush_model(fnames)
        key = str(company.id)
        self.env.execute_query(
            SQL(
                """
                UPDATE res_partner p
                   SET ar_dunning_checked_date = COALESCE(p.ar_dunning_checked_date, '{}'::jsonb)
                                                 || jsonb_build_object(%(key)s, %(today)s::date),
                       ar_dunning_priority = COALESCE(p.ar_dunning_priority, '{}'::jsonb)
                                             || jsonb_build_object(%(key)s, v.priority),
                       write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int4[], %(priorities)s::float8[]) AS v(id, priority)
                 WHERE p.id = v.id
                """,
                key=key,
                today=today,
                uid=self.env.uid,
                ids=list(priorities),
                priorities=[float(value) for value in priorities.values()],
            )
        )
        written = self.browse(list(priorities))
        written.invalidate_recordset([*fnames, "write_uid", "write_date"])
        written.modified(fnames)

    def _ar_dun(self, plans, today, late_items=None, portal_urls=None):
        """Send the communications of the customers of ``self`` planned in ``plans`` (``_ar_plan_dunning``).

        The reminders are sent together (``_ar_send_reminders``); a customer
        with payments not matched (when its policy says so) gets a task
        instead, and one with only discounts expiring soon a discount reminder.

        ``late_items``: ``{partner_id: rows}`` of ``ar.late.charge._ar_gather_late_items`` (gathered per batch);
        ``portal_urls``: ``{partner_id: tokenized portal link}`` (gathered per batch).
        :return: the communications created
        """
        late_items = late_items or {}
        portal_urls = portal_urls or {}
        Communication = self.env["ar.dunning.communication"].sudo()
        reconcile_type = self.env.ref("account_receivable_optimizer.mail_activity_reconcile")
        # no dunning at all: nothing, discount reminders included
        active = self.filtered(lambda p: plans[p.id][0].skip_reason != core_dunning.SKIP_NO_DUNNING)

        def waits_for_reconciliation(partner):
            plan, _rows, credit, policy, _promises, _discounts = plans[partner.id]
            return plan.send and bool(credit) and policy.dunning_unreconciled == "activity"

        discounts_only = active.filtered(lambda p: not plans[p.id][0].send and plans[p.id][5])
        to_reconcile = active.filtered(waits_for_reconciliation)
        busy = (discounts_only | to_reconcile)._ar_with_open_activity(reconcile_type)
        communications = Communication
        for partner in discounts_only.filtered(lambda p: p.id not in busy):
            communications |= partner._ar_send_discount_reminder(plans[partner.id][5], today)
        for partner in to_reconcile.filtered(lambda p: p.id not in busy):
            plan, rows, credit, _policy, _promises, discounts = plans[partner.id]
            listed = [row for row in rows if row["id"] not in plan.skipped]
            level = self.env["ar.dunning.level"].browse(plan.level)
            communications |= partner._ar_ask_reconcile_first(
                credit, level, listed, dict(plan.levels), today, discounts=discounts
            )
        reminded = active.filtered(lambda p: plans[p.id][0].send) - to_reconcile
        return communications | reminded._ar_send_reminders(plans, today, late_items, portal_urls)

    def _ar_send_reminders(self, plans, today, late_items, portal_urls):
        """The reminders of the customers of ``self``, set-based.

        Charges invoiced first (when the policy charges), then every reminder
        and its lines created in one ``create``, their emails rendered and
        queued together, the levels of the items, invoices and customers
        written per level, and one chatter note per customer created in one
        batch. Tasks, letters and hand-overs, which few reminders have, are
        made per reminder.
        """
        Communication = self.env["ar.dunning.communication"].sudo()
        if not self:
            return Communication
        company = self.env.company
        vals_list, prepared = [], []
        for partner in self:
            plan, rows, credit, policy, _promises, discounts = plans[partner.id]
            level = self.env["ar.dunning.level"].browse(plan.level)
            # the items that reached a level are claimed; the others still owed are listed apart
            selected = [row for row in rows if row["id"] in plan.levels]
            listed = [row for row in rows if row["id"] not in plan.skipped]
            levels_of = dict(plan.levels)
            charge = self.env["account.move"]
            if policy.charge_enabled:
                charge = partner._ar_add_charges(
                    policy, selected, listed, levels_of, today, late_items=late_items.get(partner.id, [])
                )
            vals = partner._ar_communication_vals(level, listed, levels_of, today, discounts)
            vals.update(state="sent", charge_move_id=charge[:1].id)
            if credit:
                vals.update(unmatched_amount=-credit, reason_codes="sent_unmatched")
            vals_list.append(vals)
            prepared.append((partner, level, selected, levels_of))
        communications = Communication.create(vals_list)
        communications.line_ids.filtered("discount_date").move_id.sudo().ar_discount_reminder_date = today
        communications._ar_send_messages(self, portal_urls)
        for communication, (partner, level, selected, _levels_of) in zip(communications, prepared, strict=True):
            if level.create_activity:
                count = len({row["move_id"] for row in selected})
                communication.activity_id = partner._ar_schedule_task(
                    lambda env, level=level: level.with_env(env).activity_summary or level.with_env(env).name,
                    lambda env, level=level, communication=communication, count=count: env._(
                        "%(level)s: %(amount)s overdue on %(count)s invoices.",
                        level=level.with_env(env).name,
                        amount=formatLang(env, communication.amount_total, currency_obj=company.currency_id),
                        count=count,
                    ),
                    today,
                )
            if level.print_letter:
                communication._ar_print_letter()
            if level.hand_over:
                communication._ar_request_hand_over()
        # the levels reached: items, invoices and customers written per level, for the whole batch
        levels_of = {}
        for *_, partner_levels in prepared:
            levels_of.update(partner_levels)
        # dunning fields only: the journal entries need no synchronisation (five queries per invoice)
        items = self.env["account.move.line"].sudo().with_context(skip_invoice_sync=True).browse(list(levels_of))
        for level_id, level_items in items.grouped(lambda item: levels_of[item.id]).items():
            level_items.write({"ar_dunning_level_id": level_id, "ar_dunning_date": today})
        self._ar_write_invoice_levels(items, today)
        for level_id, partners in self.grouped(lambda p: plans[p.id][0].level).items():
            partners.sudo().write({"ar_dunning_level_id": level_id, "ar_last_dunning_date": today})
        promises = self.env["ar.payment.promise"].union(*(plans[p.id][4] for p in self))
        promises.sudo().write({"escalated": True})
        self.sudo()._message_log_batch(
            {
                communication.partner_id.id: self.env._(
                    "Reminder %(level)s (%(channels)s): %(amount)s due.",
                    level=communication.level_id.name,
                    channels=communication.channels,
                    amount=formatLang(self.env, communication.amount_total, currency_obj=company.currency_id),
                )
                for communication in communications
            }
        )
        return communications

    def _ar_ask_reconcile_first(self, credit, level, listed, levels_of, today, *, discounts):
        """No reminder while payments are not matched: a task for the collector, recorded as skipped."""
        self.ensure_one()
        currency = self.env.company.currency_id
        activity = self._ar_schedule_task(
            lambda env: env._("Reconcile before dunning"),
            lambda env: env._(
                "%(amount)s of payments or credit notes are not matched with invoices: reconcile them first.",
                amount=formatLang(env, -credit, currency_obj=currency),
            ),
            today,
            activity_type="account_receivable_optimizer.mail_activity_reconcile",
        )
        vals = self._ar_communication_vals(level, listed, levels_of, today, discounts)
        vals.update(state="skipped", reason_codes="unreconciled", unmatched_amount=-credit, activity_id=activity.id)
        return self.env["ar.dunning.communication"].sudo().create(vals)

    def _ar_add_charges(self, policy, selected, listed, levels_of, today, *, late_items):
        """Invoice the late-payment charges (one invoice per currency) and list them in the reminder."""
        self.ensure_one()
        charge = self._ar_invoice_charges(policy, self._ar_charge_rows(selected), today, late_items)
        ordered = core_dunning.sorted_levels(
            core_dunning.levels_for_grade(policy.ar_dunning_level_ids._to_core(), self.sudo().ar_risk_grade)
        )
        first = core_dunning.level_reached(0, ordered)
        if first is None:
            return charge
        # the new charges are listed (and claimed) in this reminder, as items due today
        for move in charge.filtered(lambda move: move.state == "posted"):
            for item in move.line_ids.filtered(lambda line: line.account_type == "asset_receivable"):
                listed.append(
                    {
                        "id": item.id,
                        "move_id": move.id,
                        "due_date": item.date_maturity or today,
                        "amount_due": item.amount_residual_currency,
                        "amount_company": item.amount_residual,
                        "currency_id": item.currency_id.id,
                    }
                )
                levels_of[item.id] = ordered[first].key
        return charge

    def _ar_with_open_activity(self, activity_type):
        """Ids of the customers of ``self`` with an open activity of ``activity_type`` (one query)."""
        if not self:
            return set()
        groups = (
            self.env["mail.activity"]
            .sudo()
            ._read_group(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ],
                ["res_id"],
            )
        )
        return {res_id for (res_id,) in groups}

    @api.model
    def _ar_charge_rows(self, items):
        """The claimed items grouped by invoice, as the late-payment charges take them."""
        rows = {}
        for item in items:
            row = rows.setdefault(
                item["move_id"],
                dict(item, id=item["move_id"], amount_due=0.0),
            )
            row["due_date"] = min(row["due_date"], item["due_date"])
            row["amount_due"] += item["amount_company"]
        return list(rows.values())

    def _ar_write_invoice_levels(self, items, today):
        """Each invoice shows the highest level its items were reminded at: one write per level."""
        by_level = defaultdict(list)
        for move, move_items in items.grouped("move_id").items():
            top = move_items.ar_dunning_level_id.sorted(lambda level: (level.offset_days, level.id))[-1:]
            by_level[top].append(move.id)
        for top, move_ids in by_level.items():
            moves = self.env["account.move"].sudo().with_context(skip_invoice_sync=True).browse(move_ids)
            moves.write({"ar_dunning_level_id": top.id, "ar_dunning_date": today})

    def _ar_communication_vals(self, level, rows, levels_of, today, discounts=None):
        """Values of a reminder listing ``rows``; ``discounts`` (``{move_id: (date, amount)}``)
        add "pay by ... and save ..." to the invoices whose early discount expires soon."""
        self.ensure_one()
        discounts = discounts or {}
        # claimed: what reached a level, and every overdue item; items not due yet are listed apart
        claimed_ids = {
            row["id"] for row in rows if row["id"] in levels_of or aging.days_overdue(row["due_date"], today) > 0
        }
        claimed = [row for row in rows if row["id"] in claimed_ids]
        return {
            "company_id": self.env.company.id,
            "partner_id": self.id,
            "date": today,
            "level_id": level.id,
            "amount_total": sum(row["amount_company"] for row in claimed),
            "line_ids": [
                Command.create(
                    {
                        "move_id": row["move_id"],
                        "move_line_id": row["id"],
                        "level_id": levels_of.get(row["id"], False),
                        "claimed": row["id"] in claimed_ids,
                        "due_date": row["due_date"],
                        "days_late": aging.days_overdue(row["due_date"], today),
                        "line_currency_id": row["currency_id"],
                        "amount_due": row["amount_due"],
                        "amount_company": row["amount_company"],
                        "discount_date": discounts.get(row["move_id"], (False, 0.0))[0],
                        "discount_amount": discounts.get(row["move_id"], (False, 0.0))[1],
                    }
                )
                for row in rows
            ],
        }

    def _ar_invoice_charges(self, policy, rows, today, late_items=None):
        """Invoice the late-payment charges of ``rows`` (open invoices being reminded), and, when the policy
        says so, of the customer's invoices paid late: one charge invoice per currency (``ar.late.charge``).
        """
        self.ensure_one()
        LateCharge = self.env["ar.late.charge"]
        if late_items is None:
            late_items = LateCharge._ar_gather_late_items(self.env.company, today, {self.id: policy}).get(self.id, [])
        charges = LateCharge._ar_late_charges(policy, late_items, {row["id"] for row in rows}, today)
        names = {row["move_id"]: row["move_name"] for row in late_items}
        return LateCharge._ar_invoice_late_charges(self, policy, charges, names, today)

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    def _ar_dunning_todo_sql(self, company, today, select, claim=None):
        """Commercial partners with open customer invoices in ``company`` not handled on ``today``
        (see ``res.partner._ar_todo_sql``)."""
        work = SQL(
            """
            EXISTS (
                SELECT 1
                  FROM account_move m
                 WHERE m.commercial_partner_id = p.id
                   AND m.company_id = %(company)s
                   AND m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.payment_state IN ('not_paid', 'partial')
            )
            """,
            company=company.id,
        )
        return self._ar_todo_sql("ar_dunning_checked_date", company, today, select, work, claim)

    @api.model
    def _cron_run_dunning(self, batch_size=100):
        """Dun every customer of every company, a batch per call.

        Checks the pending promises to pay first, then claims a batch of
        customers with ``FOR NO KEY UPDATE SKIP LOCKED`` (two servers never
        handle the same customer) and records the day each one was handled,
        so that a re-run the same day does nothing new. Reports its progress
        so that Odoo calls it again while customers remain.

        :return: the number of customers still to handle
        """
        self.env["ar.payment.promise"]._cron_check_promises()
        self.env["ar.payment.plan"]._cron_check_plans()
        return self._ar_cron_partner_batch(
            self._ar_dunning_todo_sql,
            lambda partners, company, today: partners._ar_run_dunning(company, today),
            batch_size,
        )

    @api.model
    def _ar_run_dunning_now(self, company):
        """'Run now': the nightly job, started at once by a cron worker, batch after batch.

        The same batched job as every night (progress reported by the cron,
        customers claimed per batch): a request never holds the customers
        of a whole company while posting waits.
        """
        if not self.env.su and not self.env.user.has_group(CONTROLLER_GROUP):
            raise AccessError(self.env._("Only Credit Controllers can run the dunning."))
        check_allowed_companies(self.env, company, self.env._("the dunning"))
        self.env.ref("account_receivable_optimizer.ir_cron_run_dunning").sudo()._trigger()
        return True
