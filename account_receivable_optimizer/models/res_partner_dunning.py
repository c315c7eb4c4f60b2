import dataclasses

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.ar_core import risk as core_risk
from .res_partner import CONTROLLER_GROUP, PAYMENT_WINDOW_DAYS

COLLECTION_STATES = [("normal", "In dunning"), ("handed_over", "Handed over")]


class ResPartner(models.Model):
    """Dunning of customers: settings, history, worklist (the run is in res_partner_dunning_run)."""

    _inherit = "res.partner"

    ar_no_dunning = fields.Boolean(
        string="No Dunning",
        company_dependent=True,
        tracking=True,
        help="Never send reminders to this customer in the current company.",
    )
    ar_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        tracking=True,
        help="Who follows up this customer's unpaid invoices: gets the dunning tasks. "
        "Empty: the customer's salesperson.",
    )
    ar_dunning_level_id = fields.Many2one(
        "ar.dunning.level", string="Current Dunning Level", company_dependent=True, readonly=True
    )
    ar_last_dunning_date = fields.Date(string="Last Reminder", company_dependent=True, readonly=True)
    ar_dunning_checked_date = fields.Date(
        string="Dunning Checked On",
        company_dependent=True,
        readonly=True,
        help="Technical: when the daily dunning last handled this customer (even if it failed).",
    )
    ar_collection_state = fields.Selection(
        COLLECTION_STATES,
        string="Collection",
        company_dependent=True,
        tracking=True,
        help="'Handed over': the last dunning level passed the customer to a collection agency or a lawyer.",
    )
    ar_dunning_priority = fields.Float(
        string="Collection Priority",
        company_dependent=True,
        readonly=True,
        digits=(16, 2),
        # a group is as urgent as its most urgent customer (the worklist sorts on it, also grouped)
        aggregator="max",
        help="Amount overdue x days overdue x grade factor (A 1 to E 5, no grade 3), set by the daily dunning: "
        "the collector's worklist starts with the highest.",
    )
    ar_collection_rank = fields.Integer(
        string="Priority Rank",
        compute="_compute_ar_collection_rank",
        aggregator=False,
        help="Rank of the customer in the collection priority of the company: 1 is to handle first "
        "(the largest amount overdue for the longest time, weighted by the risk grade). Empty: nothing overdue.",
    )
    ar_to_handle = fields.Boolean(
        string="To Handle",
        compute="_compute_ar_to_handle",
        search="_search_ar_to_handle",
        help="The customer has a task due, a broken promise to pay, an open dispute or was handed over.",
    )
    ar_broken_promise_count = fields.Integer(string="Broken Promises", compute="_compute_ar_worklist_counts")
    ar_open_dispute_count = fields.Integer(string="Open Disputes", compute="_compute_ar_worklist_counts")
    ar_dunning_communication_ids = fields.One2many("ar.dunning.communication", "partner_id", string="Reminders")
    ar_dunning_communication_count = fields.Integer(
        string="Reminder Count",
        compute="_compute_ar_dunning_communication_count",
        groups=CONTROLLER_GROUP,
        help="Reminders sent, failed or skipped for this customer in the current company.",
    )
    ar_payment_promise_ids = fields.One2many("ar.payment.promise", "partner_id", string="Promises to Pay")

    # ------------------------------------------------------------------
    # Worklist
    # ------------------------------------------------------------------

    @api.depends_context("company")
    def _compute_ar_dunning_communication_count(self):
        groups = self.env["ar.dunning.communication"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.ar_dunning_communication_count = counts.get(partner.commercial_partner_id.id, 0)

    @api.depends_context("company")
    def _compute_ar_collection_rank(self):
        """Rank of these customers among all customers with a priority: one query, whatever their number.

        Only the ranks of ``self`` come back (reading one form used to load
        the ids of every customer with a priority). One customer (a form):
        1 + the customers ahead of it, counted in one pass without a sort.
        Several (a list): ``row_number()`` over the worklist's order, of the
        customers whose priority is at least the lowest of ``self`` (those
        below cannot change their ranks: the top of the worklist sorts only
        its own rows).
        """
        ids = [partner_id for partner_id in self.ids if partner_id]
        rank_of = {}
        if ids:
            partners = self.sudo()
            query = partners._search([("ar_dunning_priority", ">", 0)])
            priority = partners._field_to_sql(query.table, "ar_dunning_priority", query)
            ranked = query.select(
                SQL("%s AS id", SQL.identifier(query.table, "id")),
                SQL("%s AS priority", priority),
            )
            if len(ids) == 1:
                statement = SQL(
                    """
                    WITH ranked AS NOT MATERIALIZED (%(ranked)s)
                    SELECT mine.id,
                           1 + (SELECT COUNT(*) FROM ranked
                                 WHERE ranked.priority > mine.priority
                                    OR (ranked.priority = mine.priority AND ranked.id < mine.id))
                      FROM ranked mine
                     WHERE mine.id = ANY(%(ids)s)
                    """,
                    ranked=ranked,
                    ids=ids,
                )
            else:
                statement = SQL(
                    """
                    WITH ranked AS NOT MATERIALIZED (%(ranked)s), ahead AS (
                        SELECT id, row_number() OVER (ORDER BY priority DESC, id) AS rank
                          FROM ranked
                         WHERE priority >= (SELECT MIN(priority) FROM ranked WHERE id = ANY(%(ids)s))
                    )
                    SELECT id, rank FROM ahead WHERE id = ANY(%(ids)s)
                    """,
                    ranked=ranked,
                    ids=ids,
                )
            rank_of = dict(self.env.execute_query(statement))
        for partner in self:
            partner.ar_collection_rank = rank_of.get(partner.id, 0)

    def _ar_to_handle_ids(self):
        """Commercial partners of the current company a collector should look at today."""
        company = self.env.company
        today = fields.Date.context_today(self)
        activities = (
            self.env["mail.activity"].sudo().search([("res_model", "=", "res.partner"), ("date_deadline", "<=", today)])
        )
        promises = (
            self.env["ar.payment.promise"].sudo().search([("company_id", "=", company.id), ("state", "=", "broken")])
        )
        disputes = (
            self.env["ar.invoice.dispute"].sudo().search([("company_id", "=", company.id), ("state", "=", "open")])
        )
        handed_over = self.sudo().search([("ar_collection_state", "=", "handed_over")])
        partners = (
            self.sudo().browse(activities.mapped("res_id")) | promises.partner_id | disputes.partner_id | handed_over
        )
        return set(partners.exists().commercial_partner_id.ids)

    @api.depends_context("company")
    def _compute_ar_to_handle(self):
        ids = self._ar_to_handle_ids()
        for partner in self:
            partner.ar_to_handle = partner.commercial_partner_id.id in ids

    def _search_ar_to_handle(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Unsupported search on 'To Handle'."))
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", list(self._ar_to_handle_ids()))]

    @api.depends_context("company")
    def _compute_ar_worklist_counts(self):
        company = self.env.company
        commercial = self.commercial_partner_id
        promises = dict(
            self.env["ar.payment.promise"]
            .sudo()
            ._read_group(
                [("company_id", "=", company.id), ("partner_id", "in", commercial.ids), ("state", "=", "broken")],
                ["partner_id"],
                ["__count"],
            )
        )
        disputes = dict(
            self.env["ar.invoice.dispute"]
            .sudo()
            ._read_group(
                [("company_id", "=", company.id), ("partner_id", "in", commercial.ids), ("state", "=", "open")],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.ar_broken_promise_count = promises.get(partner.commercial_partner_id, 0)
            partner.ar_open_dispute_count = disputes.get(partner.commercial_partner_id, 0)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_ar_view_dunning(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_optimizer.ar_dunning_communication_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    # ------------------------------------------------------------------
    # Risk: broken promises to pay
    # ------------------------------------------------------------------

    def _ar_assess_risk(self, company, today):
        """Add the promises to pay and payment plans broken in the last 12 months to the risk assessments."""
        result = super()._ar_assess_risk(company, today)
        groups = (
            self.env["ar.payment.promise"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", self.ids),
                    ("state", "=", "broken"),
                    ("promised_date", ">", today - relativedelta(days=PAYMENT_WINDOW_DAYS)),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        counts = dict(groups)
        # a broken payment plan counts as a broken promise to pay
        plans = (
            self.env["ar.payment.plan"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", self.ids),
                    ("state", "=", "broken"),
                    ("date_broken", ">", today - relativedelta(days=PAYMENT_WINDOW_DAYS)),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner, count in plans:
            counts[partner] = counts.get(partner, 0) + count
        for partner, count in counts.items():
            if partner.id not in result:
                continue
            assessment, policy = result[partner.id]
            factors = dataclasses.replace(assessment.factors, broken_promises=float(count))
            thresholds = policy._get_grade_thresholds() if policy else core_risk.DEFAULT_THRESHOLDS
            result[partner.id] = (core_risk.assess(factors, assessment.weights, thresholds), policy)
        return result
