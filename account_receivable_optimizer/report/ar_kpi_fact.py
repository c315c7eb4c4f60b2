import functools
import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .. import compat
from ..lib.ar_core import kpi
from ..models.ar_invoice_payments import invoice_payments_sql
from ..models.ar_receivable_accounts import receivable_account_ids
from ..models.res_partner import RISK_GRADES
from .ar_report_mixin import open_amount_segments_sql

_logger = logging.getLogger(__name__)

KPI_DIGITS = (16, 2)
#: Columns of the facts, written in one query.
FACT_COLUMNS = [
    ("company_id", "int4"),
    ("month", "date"),
    ("partner_id", "int4"),
    ("user_id", "int4"),
    ("risk_grade", "varchar"),
    ("has_sales", "bool"),
    ("credit_sales", "numeric"),
    ("beginning_receivables", "numeric"),
    ("receivables", "numeric"),
    ("current_receivables", "numeric"),
    ("overdue_receivables", "numeric"),
    ("over_90_receivables", "numeric"),
    ("paid_amount", "numeric"),
    ("paid_days", "numeric"),
    ("dso", "numeric"),
    ("countback_dso", "numeric"),
    ("bpdso", "numeric"),
    ("add", "numeric"),
    ("cei", "numeric"),
    ("percent_overdue", "numeric"),
    ("percent_over_90", "numeric"),
    ("days_to_pay", "numeric"),
    ("target_dso", "numeric"),
]
#: Ratios of a group, computed from the group's sums by :meth:`ArKpiFact._read_group`.
RATIO_FIELDS = (
    "dso",
    "countback_dso",
    "bpdso",
    "add",
    "cei",
    "percent_overdue",
    "percent_over_90",
    "days_to_pay",
    "target_dso",
)
#: Stocks of a group: the receivables at the end of its period (at its start for the beginning ones).
STOCK_FIELDS = (
    "beginning_receivables",
    "receivables",
    "current_receivables",
    "overdue_receivables",
    "over_90_receivables",
)
#: What :meth:`ArKpiFact._read_group` computes for a group instead of summing or averaging it.
PERIOD_FIELDS = RATIO_FIELDS + STOCK_FIELDS
#: Sums read per group and month to compute the ratios of a group.
GROUP_SUMS = {
    "credit_sales": "credit_sales:sum",
    "beginning_receivables": "beginning_receivables:sum",
    "receivables": "receivables:sum",
    "current_receivables": "current_receivables:sum",
    "overdue_receivables": "overdue_receivables:sum",
    "over_90_receivables": "over_90_receivables:sum",
    "paid_amount": "paid_amount:sum",
    "paid_days": "paid_days:sum",
    "target_min": "target_dso:min",
    "target_max": "target_dso:max",
}
#: Amounts of the facts summed per company and month in their roll-up (``ar.kpi.fact.total``).
TOTAL_SUMS = (
    "credit_sales",
    "beginning_receivables",
    "receivables",
    "current_receivables",
    "overdue_receivables",
    "over_90_receivables",
    "paid_amount",
    "paid_days",
)
#: Aggregates of the facts that the roll-up gives: ``{spec on the facts: spec on the roll-up}``.
TOTAL_AGGREGATES = {
    "__count": "fact_count:sum",
    **{f"{name}:sum": f"{name}:sum" for name in TOTAL_SUMS},
    "target_dso:min": "target_min:min",
    "target_dso:max": "target_max:max",
    "month:min": "month:min",
    "month:max": "month:max",
}
#: Fields of the facts that the roll-up also has: a read that groups and filters on these only is
#: answered from it.
TOTAL_KEYS = ("company_id", "month")
#: Fields of the facts whose change changes their roll-up.
TOTAL_INPUTS = frozenset((*TOTAL_KEYS, *TOTAL_SUMS, "target_dso"))
#: Days overdue beyond which an item counts in "% over 90 days".
OVER_DAYS = 90
#: Months of credit sales before a month, for its countback DSO.
COUNTBACK_HISTORY = 12
#: Months filled when a company has no facts yet (install, new company).
BACKFILL_MONTHS = 24
#: Months refreshed by the nightly job (late entries and reconciliations of the previous months).
REFRESH_MONTHS = 3
#: The whole company: range 0 of 1 (``ArKpiFact._ar_part_sql``).
WHOLE = (0, 1)
#: System parameter: ranges of a company's customers in the nightly job (one cron worker each at most).
FACT_RANGES_PARAM = "account_receivable_optimizer.kpi_fact_ranges"
MAX_FACT_RANGES = 64


def kpi_fact_series(changes, count, nothing):
    """The value on each of ``count`` cuts, from ``[(cut index, *values)]`` sorted by index,
    given where the values change; ``nothing`` before the first change."""
    series, current, changes = [], nothing, iter(changes)
    change = next(changes, None)
    for index in range(count):
        while change is not None and change[0] <= index:
            current = tuple(change[1:])
            change = next(changes, None)
        series.append(current)
    return series


class ArKpiFact(models.Model):
    """Receivables facts of one month for one customer and salesperson of a company.

    The stored inputs of every collection KPI: credit sales net of credit
    notes, receivables at the beginning and at the end of the month (total,
    current, overdue, over 90 days), payments of customer invoices (amount and
    amount x days to pay). Filled by :meth:`_ar_refresh` (nightly job,
    install, *Refresh*); never edited by hand.

    The KPI columns of a row are the KPIs of that month and customer. The KPIs
    of a group of rows (several customers, a quarter, a year, rolling months)
    are computed from the group's sums by :meth:`_read_group`, so that the
    list, pivot, graph and XLSX pack never average ratios (``kpi.period_kpis``).
    """

    _name = "ar.kpi.fact"
    _description = "Receivables KPI Facts of a Month"
    _order = "month desc, company_id, partner_id, id"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(required=True, index=True, readonly=True, help="First day of the month.")
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True, help="The invoices' salesperson.")
    risk_grade = fields.Selection(RISK_GRADES, readonly=True, help="The customer's grade when the facts were filled.")
    has_sales = fields.Boolean(string="Credit Sales in the Month", readonly=True)
    credit_sales = fields.Monetary(readonly=True, help="Customer invoices net of credit notes, taxes included.")
    beginning_receivables = fields.Monetary(readonly=True, help="Open receivables at the end of the month before.")
    receivables = fields.Monetary(string="Ending Receivables", readonly=True)
    current_receivables = fields.Monetary(string="Current Receivables", readonly=True)
    overdue_receivables = fields.Monetary(readonly=True)
    over_90_receivables = fields.Monetary(string="Receivables over 90 Days", readonly=True)
    paid_amount = fields.Monetary(readonly=True, help="Customer invoices paid in the month.")
    paid_days = fields.Float(
        string="Paid Amount x Days", digits=KPI_DIGITS, readonly=True, help="Sum of amount paid x days to pay."
    )
    dso = fields.Float(string="DSO", digits=KPI_DIGITS, aggregator="max", readonly=True)
    countback_dso = fields.Float(string="Countback DSO", digits=KPI_DIGITS, aggregator="max", readonly=True)
    bpdso = fields.Float(string="Best Possible DSO", digits=KPI_DIGITS, aggregator="max", readonly=True)
    add = fields.Float(string="Average Days Delinquent", digits=KPI_DIGITS, aggregator="max", readonly=True)
    cei = fields.Float(string="CEI (%)", digits=KPI_DIGITS, aggregator="max", readonly=True)
    percent_overdue = fields.Float(string="% Overdue", digits=KPI_DIGITS, aggregator="max", readonly=True)
    percent_over_90 = fields.Float(string="% Over 90 Days", digits=KPI_DIGITS, aggregator="max", readonly=True)
    days_to_pay = fields.Float(string="Average Days to Pay", digits=KPI_DIGITS, aggregator="max", readonly=True)
    target_dso = fields.Float(string="Target DSO", digits=KPI_DIGITS, aggregator="max", readonly=True)

    @api.depends("month", "partner_id")
    def _compute_display_name(self):
        for fact in self:
            month = fact.month.strftime("%Y-%m") if fact.month else ""
            name = fact.partner_id.display_name or self.env._("No customer")
            fact.display_name = self.env._("%(customer)s, %(month)s", customer=name, month=month)

    # ------------------------------------------------------------------
    # CRUD: the roll-up follows the facts written through the ORM
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        facts = super().create(vals_list)
        facts._ar_roll_up_months(facts._ar_months())
        return facts

    def write(self, vals):
        if not TOTAL_INPUTS.intersection(vals):
            return super().write(vals)
        months = self._ar_months()
        result = super().write(vals)
        self._ar_roll_up_months(months | self._ar_months())
        return result

    def unlink(self):
        months = self._ar_months()
        result = super().unlink()
        self._ar_roll_up_months(months)
        return result

    def _ar_months(self):
        """``{(company id, month)}`` of the facts."""
        return {(fact.company_id.id, fact.month) for fact in self.sudo()}

    def _ar_roll_up_months(self, months):
        """Sum again the roll-up of ``{(company id, month)}`` (the facts written by :meth:`_ar_refresh`
        are summed there, in bulk)."""
        months = {(company_id, month) for company_id, month in months if company_id and month}
        if months:
            self.env["ar.kpi.fact.total"].sudo()._ar_roll_up(
                {company_id for company_id, _month in months},
                min(month for _company_id, month in months),
                max(month for _company_id, month in months),
            )

    # ------------------------------------------------------------------
    # Grouped reads: ratios from the group's sums
    # ------------------------------------------------------------------

    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):  # noqa: PLR0917 (Odoo's signature)
        """Give every ratio of a group from the group's own sums, never an average.

        Whatever aggregate is asked for a ratio field (the list, pivot and
        graph ask for its ``aggregator``), its value is the ratio of the
        group's period (``kpi.period_kpis``), ``False`` when undefined; the
        receivables of a group are those at the end of its period (at its
        start for the beginning receivables), not a sum of month ends. See
        :meth:`_ar_group_kpis` for the period of a group.

        Groups of months and companies filtered on these only are read from the
        facts' roll-up, one row per company and month (:meth:`_ar_total_reader`),
        with the same results.
        """
        groupby, aggregates = list(groupby), list(aggregates)
        positions = [index for index, spec in enumerate(aggregates) if spec.split(":")[0] in PERIOD_FIELDS]
        plain = ["__count" if index in positions else spec for index, spec in enumerate(aggregates)]
        sort_keys, plain_order = self._ar_split_order(order) if positions else ([], order)
        read_group = self._ar_total_reader(domain, groupby, plain, having, plain_order) or super()._read_group
        if not positions:
            return read_group(domain, groupby, aggregates, having, offset, limit, order)
        order = plain_order
        if sort_keys:  # sorted on computed values: all the groups first, then the page
            rows = read_group(domain, groupby, plain, having, 0, None, order)
        else:
            rows = read_group(domain, groupby, plain, having, offset, limit, order)
        if not rows:
            return rows
        kpis_of_rows = self._ar_group_kpis(domain, groupby, rows, read_group)
        result = []
        for row, kpis in zip(rows, kpis_of_rows, strict=True):
            values = list(row)
            for index in positions:
                value = kpis.get(aggregates[index].split(":")[0])
                values[len(groupby) + index] = False if value is None else value
            result.append((tuple(values), kpis))
        for name, descending in reversed(sort_keys):
            # undefined values last, whatever the direction
            result.sort(key=lambda item, name=name: item[1].get(name) is None)
            defined = [item for item in result if item[1].get(name) is not None]
            defined.sort(key=lambda item, name=name: item[1][name], reverse=descending)
            result[: len(defined)] = defined
        if sort_keys:
            result = result[offset : offset + limit if limit else None]
        return [values for values, _kpis in result]

    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        """19.0: the pivot reads all its levels in one query of grouping sets, which does not go
        through :meth:`_read_group`; when a ratio is asked, each level is read by
        :meth:`_read_group`, so that the pivot's ratios are those of the list and the graph; so is
        each level when the roll-up answers them all (:meth:`_ar_total_reader`).
        18.0 has no grouping sets: its pivot calls ``read_group`` once per level."""
        plain = ["__count" if spec.split(":")[0] in PERIOD_FIELDS else spec for spec in aggregates]
        if not any(spec.split(":")[0] in PERIOD_FIELDS for spec in aggregates) and not all(
            self._ar_total_reader(domain, groupby, plain) for groupby in grouping_sets
        ):
            return super()._read_grouping_sets(domain, grouping_sets, aggregates, order)
        result = []
        for groupby in grouping_sets:
            names = {spec.split(":")[0] for spec in (*groupby, *aggregates)} | {spec.split(".")[0] for spec in groupby}
            # the order terms of this level only (the pivot's order names every level's fields)
            terms = [term for term in (order or "").split(",") if term.strip().split(" ")[0].split(":")[0] in names]
            result.append(self._read_group(domain, groupby, aggregates, order=", ".join(terms) or None))
        return result

    def _ar_total_reader(self, domain, groupby, aggregates, having=(), order=None):
        """``_read_group`` of the roll-up (``ar.kpi.fact.total``) under the specs of the facts, or ``None``
        when the roll-up cannot answer ``_read_group(domain, groupby, aggregates, having, order=order)``.

        It answers when the domain has conditions on the company and the month
        only, the groups are months (any granularity) and/or companies, the
        aggregates are among ``TOTAL_AGGREGATES`` and the order is on these:
        a month of a company is then one row of sums instead of one per
        customer, with the same groups, sums, counts and so ratios. The
        returned function also answers the other reads of
        :meth:`_ar_group_kpis` (same domain's fields, groups by month).
        """
        if having or not isinstance(domain, list | tuple):
            return None
        for leaf in domain:
            if isinstance(leaf, str):
                if leaf not in ("&", "|", "!"):
                    return None
            elif not (
                isinstance(leaf, list | tuple)
                and len(leaf) == 3
                and (tuple(leaf) == compat.TRUE_LEAF or str(leaf[0]).split(".")[0] in TOTAL_KEYS)
            ):
                return None
        if any(spec.split(":")[0].split(".")[0] not in TOTAL_KEYS for spec in groupby):
            return None
        if any(spec not in TOTAL_AGGREGATES for spec in aggregates) or self._ar_total_order(order) is False:
            return None
        totals = self.env["ar.kpi.fact.total"]

        def read_group(domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):  # noqa: PLR0917
            specs = [TOTAL_AGGREGATES[spec] for spec in aggregates]
            rows = totals._read_group(domain, groupby, specs, having, offset, limit, self._ar_total_order(order))
            counts = {len(groupby) + index for index, spec in enumerate(aggregates) if spec == "__count"}
            if not counts:
                return rows
            # the count of an empty group is 0, as on the facts, not an empty sum
            return [tuple(value or 0 if index in counts else value for index, value in enumerate(row)) for row in rows]

        return read_group

    @staticmethod
    def _ar_total_order(order):
        """A group order of the facts in terms of their roll-up; ``False`` when the roll-up cannot sort so."""
        terms = []
        for term in (order or "").split(","):
            if not term.strip():
                continue
            spec, _sep, direction = term.strip().partition(" ")
            if spec in TOTAL_AGGREGATES:
                spec = TOTAL_AGGREGATES[spec]
            elif spec.split(":")[0].split(".")[0] not in TOTAL_KEYS:
                return False
            terms.append(f"{spec} {direction}".strip())
        return ", ".join(terms) or None

    @staticmethod
    def _ar_split_order(order):
        """``([(computed field, descending)], order of the other terms or None)`` of a group order."""
        sort_keys, others = [], []
        for term in (order or "").split(","):
            if not term.strip():
                continue
            spec, _sep, direction = term.strip().partition(" ")
            name = spec.split(":")[0]
            if name in PERIOD_FIELDS:
                sort_keys.append((name, direction.strip().lower().startswith("desc")))
            else:
                others.append(term.strip())
        return sort_keys, (", ".join(others) or None)

    def _ar_group_kpis(self, domain, groupby, rows, read_group):
        """The KPIs of each group of ``rows`` (results of ``_read_group(domain, groupby, ...)``).

        The period of a group is the interval of its month group (``month:month``,
        ``month:quarter``, ``month:year``; the finest when there are several), else
        the months of the domain: from its lower bound on ``month`` (or the
        first month with facts) to its upper bound (at most this month; or the
        last month with facts); the domain's months also clip a month group. Credit sales and payments
        are summed over the period, receivables taken at its end, the
        beginning receivables at its start; the countback walks back through
        the group's monthly credit sales up to 12 months before the period,
        whatever the period filters of the domain.

        :param read_group: the standard ``_read_group``, for the sums
        """
        date_specs = [(index, spec) for index, spec in enumerate(groupby) if spec.split(":")[0] == "month"]
        other = [(index, spec) for index, spec in enumerate(groupby) if spec.split(":")[0] != "month"]
        # facts are dated on the 1st of their month: a day or week group holds one month
        granularities = [
            "month" if spec.partition(":")[2] in ("day", "week") else (spec.partition(":")[2] or "month")
            for _index, spec in date_specs
        ]
        if any(granularity not in kpi.GRANULARITY_MONTHS for granularity in granularities):
            return [{} for _row in rows]  # weeks, days, month numbers: no period of whole months
        [(data_first, data_last)] = read_group(domain, [], ["month:min", "month:max"])
        if not data_first:
            return [{} for _row in rows]
        lower, upper = self._ar_domain_month_bounds(domain)
        today = fields.Date.context_today(self)
        this_month = today.replace(day=1)
        span_first = lower or data_first
        span_last = min(upper, this_month) if upper else data_last
        monthly = defaultdict(dict)
        size = len(other)
        for row in read_group(domain, [spec for _index, spec in other] + ["month:month"], list(GROUP_SUMS.values())):
            sums = zip(GROUP_SUMS, row[size + 1 :], strict=True)
            monthly[row[:size]][row[size]] = {key: value or 0.0 for key, value in sums}
        # the countback walks back beyond the period filters: 12 months before the span
        history_domain = [
            compat.TRUE_LEAF if isinstance(leaf, list | tuple) and leaf[0] == "month" else leaf for leaf in domain
        ]
        history_domain += [("month", ">=", kpi.add_months(span_first, -COUNTBACK_HISTORY)), ("month", "<=", span_last)]
        sales_history = defaultdict(dict)
        for row in read_group(history_domain, [spec for _index, spec in other] + ["month:month"], ["credit_sales:sum"]):
            sales_history[row[:size]][row[size]] = row[size + 1]
        result = []
        for row in rows:
            first, last = span_first, span_last
            if date_specs:
                finest = min(range(len(date_specs)), key=lambda i: kpi.GRANULARITY_MONTHS[granularities[i]])
                start = row[date_specs[finest][0]]
                if not start:
                    result.append({})
                    continue
                if start.day > 1:  # the week that holds the 1st of the next month
                    start = kpi.add_months(start, 1)
                group_first, group_last = kpi.period_months(start, granularities[finest])
                first, last = max(first, group_first), min(last, group_last)
            key = tuple(row[index] for index, _spec in other)
            result.append(self._ar_period_kpis(monthly.get(key, {}), first, last, sales_history.get(key, {}), today))
        return result

    @staticmethod
    def _ar_period_kpis(months, first, last, sales_history, today):
        """KPIs of the period ``first`` ... ``last`` of a group.

        :param months: ``{month: {GROUP_SUMS key: value}}`` of the group
        :param sales_history: ``{month: credit sales}`` of the group, from 12 months before the period
        """
        if first > last:
            return {}
        in_period = [sums for month, sums in months.items() if first <= month <= last]
        ending = months.get(last, {})
        stocks = {name: ending.get(name, 0.0) for name in STOCK_FIELDS}
        stocks["beginning_receivables"] = months.get(first, {}).get("beginning_receivables", 0.0)
        facts = kpi.PeriodFacts(
            credit_sales=sum(sums["credit_sales"] for sums in in_period),
            beginning_receivables=stocks["beginning_receivables"],
            ending_receivables=stocks["receivables"],
            ending_current=stocks["current_receivables"],
            ending_over_90=stocks["over_90_receivables"],
            paid_amount=sum(sums["paid_amount"] for sums in in_period),
            paid_days=sum(sums["paid_days"] for sums in in_period),
            days=kpi.period_days(first, last, today),
            months=kpi.months_between(first, last),
        )
        kpis = kpi.period_kpis(facts)
        history = []
        month = last
        while month >= kpi.add_months(first, -COUNTBACK_HISTORY):
            history.append((kpi.month_days(month), sales_history.get(month) or 0.0))
            month = kpi.add_months(month, -1)
        kpis["countback_dso"] = kpi.countback_dso(stocks["receivables"], history)
        targets = {sums["target_min"] for sums in in_period} | {sums["target_max"] for sums in in_period}
        target = targets.pop() if len(targets) == 1 else None
        kpis["target_dso"] = target or None  # 0 sets no target
        return dict(kpis, **stocks)

    @staticmethod
    def _ar_domain_month_bounds(domain):
        """``(first month, last month)`` of the domain's conditions on ``month``.

        The bounds of period filters (``month >= first``, ``month <= last``);
        with several filters, the union of their periods (the lowest lower
        bound, the highest upper bound). ``None`` on a side the domain does
        not bound.
        """
        lowers, uppers = [], []
        for leaf in domain or ():
            if not isinstance(leaf, list | tuple) or len(leaf) != 3 or leaf[0] != "month" or not leaf[2]:
                continue
            value = fields.Date.to_date(leaf[2])
            start = value.replace(day=1)
            if leaf[1] == ">=":
                lowers.append(start if value.day == 1 else kpi.add_months(start, 1))
            elif leaf[1] == ">":
                lowers.append(kpi.add_months(start, 1))
            elif leaf[1] == "<=":
                uppers.append(start)
            elif leaf[1] == "<":
                uppers.append(kpi.add_months(start, -1) if value.day == 1 else start)
        return (min(lowers) if lowers else None), (max(uppers) if uppers else None)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_ar_refresh(self):
        """Refill the last 24 months of the selected companies (button of the KPI views)."""
        if not self.env.user.has_group("account_receivable_optimizer.group_ar_credit_controller"):
            raise AccessError(self.env._("Only Credit Controllers refresh the receivables KPIs."))
        today = fields.Date.context_today(self)
        for company in self.env.companies:
            self.sudo()._ar_refresh(company, kpi.add_months(today, 1 - BACKFILL_MONTHS), today)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _ar_refresh_recent(self, companies, part=WHOLE):
        """Refresh the last 3 months of ``companies``, or back-fill 24 months of those without facts.

        :param part: ``(index, count)``: only the customers of this range (:meth:`_ar_part_sql`)
        """
        today = fields.Date.context_today(self)
        facts = self.sudo()
        facts.flush_model(["company_id", "partner_id"])
        filled = {
            company_id
            for (company_id,) in self.env.execute_query(
                SQL(
                    "SELECT DISTINCT company_id FROM ar_kpi_fact WHERE company_id = ANY(%s) AND %s",
                    companies.ids,
                    self._ar_part_sql(part, SQL("partner_id")),
                )
            )
        }
        done = True
        for company in companies.sudo():
            # a range without facts is back-filled (its customers were never filled)
            months = REFRESH_MONTHS if company.id in filled else BACKFILL_MONTHS
            done = facts._ar_refresh(company, kpi.add_months(today, 1 - months), today, part=part) and done
        return done

    def _ar_lock(self, company, part=WHOLE):
        """Take the fill lock of the company's range of customers for the transaction.

        ``False`` when another worker holds it. A range takes the company's
        lock shared and its own exclusive: workers on different ranges of one
        company run side by side, a whole refresh (``part`` ``(0, 1)``) waits
        for none of them and is refused while any runs.
        """
        index, count = part
        if count == 1:
            return self.env.execute_query(
                SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s), %s)", self._name, company.id)
            )[0][0]
        return self.env.execute_query(
            SQL(
                """
                SELECT pg_try_advisory_xact_lock_shared(hashtext(%(name)s), %(company)s)
                   AND pg_try_advisory_xact_lock(hashtext(%(range)s), %(company)s)
                """,
                name=self._name,
                range=f"{self._name}:{index}/{count}",
                company=company.id,
            )
        )[0][0]

    @staticmethod
    def _ar_part_sql(part, partner):
        """Condition of the customers of the range ``part`` on ``partner`` (SQL of a commercial partner id).

        Range ``index`` of ``count`` holds the customers whose id modulo
        ``count`` is ``index``; the rows without a customer are in range 0.
        """
        index, count = part
        if count == 1:
            return SQL("TRUE")
        return SQL("MOD(COALESCE(%s, 0), %s) = %s", partner, count, index)

    def _ar_refresh(self, company, first, last, part=WHOLE):
        """Replace the facts of ``company`` from the month of ``first`` to the month of ``last``.

        Idempotent: the months are deleted and written again from the
        ledger, in a constant number of queries. Returns ``False`` when another
        worker is filling the same company or range (nothing is done).

        :param part: ``(index, count)``: only the customers of this range
            (:meth:`_ar_part_sql`), so that several workers share a large
            company; the other ranges' facts are left as they are
        """
        if not self._ar_lock(company, part):
            _logger.info("Receivables KPI facts of company %s (range %s) are being filled elsewhere", company.id, part)
            return False
        first, last = first.replace(day=1), last.replace(day=1)
        today = fields.Date.context_today(self)
        months = [kpi.add_months(first, offset) for offset in range(kpi.months_between(first, last))]
        before = kpi.add_months(first, -1)
        self.env["ar.aging.report"]._flush_receivables()
        self.flush_model()
        self.env.execute_query(
            SQL(
                "DELETE FROM ar_kpi_fact WHERE company_id = %s AND month >= %s AND month <= %s AND %s",
                company.id,
                first,
                last,
                self._ar_part_sql(part, SQL("partner_id")),
            )
        )
        # the receivables at the end of the month before, then of each month (capped at today)
        month_cuts = [min(kpi.month_end(month), today) for month in (before, *months)]
        cuts = sorted(set(month_cuts))
        cut_index = [cuts.index(cut) for cut in month_cuts]
        in_part = self._ar_part_sql(part, SQL("cp.id"))
        receivables = self._fetch_receivables(company, cuts, in_part)
        sales = self._fetch_credit_sales(company, kpi.add_months(first, -COUNTBACK_HISTORY), last, in_part)
        payments = self._fetch_payments(company, first, last, in_part)
        keys = set(receivables) | {key for key, _month in (*sales, *payments)}
        grades, targets = self._ar_partner_facts(company, {partner for partner, _user in keys if partner})
        default_target = company.ar_credit_policy_id.target_dso
        nothing = (0.0, 0.0, 0.0)
        vals_list = []
        for key in keys:
            partner_id, user_id = key
            stocks = kpi_fact_series(receivables.get(key, ()), len(cuts), nothing)
            for position, month in enumerate(months, start=1):
                vals = self._ar_month_vals(
                    key,
                    month,
                    today,
                    ending=stocks[cut_index[position]],
                    beginning=stocks[cut_index[position - 1]][0],
                    sales=sales,
                    payments=payments,
                )
                if vals:
                    vals.update(
                        company_id=company.id,
                        partner_id=partner_id or False,
                        user_id=user_id or False,
                        risk_grade=grades.get(partner_id) or False,
                        target_dso=targets.get(partner_id, default_target),
                    )
                    vals_list.append(vals)
        self.env["ar.aging.report"]._ar_insert_lines(self._name, FACT_COLUMNS, vals_list)
        self.env["ar.kpi.fact.total"]._ar_roll_up(company.ids, first, last)
        return True

    def _ar_partner_facts(self, company, partner_ids):
        """``({customer: grade}, {customer: target DSO})`` in ``company``: one query for all the customers.

        The fields are fetched for every customer at once (iterating a large
        recordset would read them by thousands); the policies then come from
        the cache (``res.partner._ar_get_credit_policy``, the one source of a
        customer's policy).
        """
        partners = self.env["res.partner"].browse(partner_ids).with_company(company).sudo()
        partners.fetch(["commercial_partner_id", "ar_risk_grade", "ar_credit_policy_id"])
        grades, targets = {}, {}
        for partner in partners:
            grades[partner.id] = partner.ar_risk_grade
            targets[partner.id] = partner._ar_get_credit_policy().target_dso
        return grades, targets

    def _ar_month_vals(self, key, month, today, *, ending, beginning, sales, payments):
        """Facts and KPIs of one key and month; ``None`` when the key had nothing that month.

        :param ending: ``(total, current, over 90 days)`` receivables at the month end
        :param beginning: total receivables at the end of the month before
        """
        total, current, over_90 = ending
        credit_sales = sales.get((key, month), 0.0)
        paid_amount, paid_days = kpi.payment_sums(payments.get((key, month), []))
        if not (total or beginning or credit_sales or paid_amount):
            return None
        kpis = kpi.period_kpis(
            kpi.PeriodFacts(
                credit_sales=credit_sales,
                beginning_receivables=beginning,
                ending_receivables=total,
                ending_current=current,
                ending_over_90=over_90,
                paid_amount=paid_amount,
                paid_days=paid_days,
                days=kpi.period_days(month, month, today),
            )
        )
        history = [kpi.add_months(month, -offset) for offset in range(COUNTBACK_HISTORY + 1)]
        kpis["countback_dso"] = kpi.countback_dso(
            total, [(kpi.month_days(m), sales.get((key, m), 0.0)) for m in history]
        )
        return dict(
            kpis,
            month=month,
            credit_sales=credit_sales,
            beginning_receivables=beginning,
            receivables=total,
            current_receivables=current,
            overdue_receivables=total - current,
            over_90_receivables=over_90,
            has_sales=credit_sales > 0,
            paid_amount=paid_amount,
            paid_days=paid_days,
        )

    def _fetch_receivables(self, company, cuts, conditions):
        """``{(customer, salesperson): [(cut index, total, current, over 90 days)]}``: the receivables on
        each of ``cuts`` (sorted dates), given where they change (:func:`kpi_fact_series` fills the others).

        Open amounts on a cut, as the aging as of that day (reconciliations
        made later are undone), from the segments of the items' open amounts
        (``open_amount_segments_sql``). An item's residual counts from its date
        on, each later reconciliation from its date until its ``max_date``;
        current while the cut is on or before its due date, over 90 days when
        the cut is more than 90 days after it. Each segment becomes the range
        of cut indexes where it counts (``width_bucket`` on the cuts), split by
        bucket; a range is a +amount at its start and a -amount at its end,
        and a window sums these per customer and salesperson over the cuts.
        The work grows with the items and reconciliations, not with items x
        cuts.

        :param conditions: ``SQL`` conditions on the commercial partner ``cp``
        """
        count = len(cuts)
        rows = self.env.execute_query(
            SQL(
                """
                WITH segments AS (%(segments)s), ranges AS (
                    SELECT partner_id, user_id, amount,
                           width_bucket(date - 1, %(cuts)s::date[]) AS a,
                           COALESCE(width_bucket(until - 1, %(cuts)s::date[]), %(count)s) AS b,
                           width_bucket(due, %(cuts)s::date[]) AS due_index,
                           width_bucket(due + %(over)s, %(cuts)s::date[]) AS over_index
                      FROM segments
                ), events AS (
                    SELECT r.partner_id, r.user_id, e.k, SUM(e.total) AS total, SUM(e.current) AS current,
                           SUM(e.over_90) AS over_90
                      FROM ranges r
                CROSS JOIN LATERAL (VALUES
                           (r.a, r.amount, 0, 0),
                           (r.b, -r.amount, 0, 0),
                           (r.a, 0, r.amount, 0),
                           (GREATEST(r.a, LEAST(r.b, r.due_index)), 0, -r.amount, 0),
                           (LEAST(r.b, GREATEST(r.a, r.over_index)), 0, 0, r.amount),
                           (r.b, 0, 0, -r.amount)
                           ) AS e(k, total, current, over_90)
                     WHERE r.a < r.b AND e.k < %(count)s
                  GROUP BY r.partner_id, r.user_id, e.k
                )
                SELECT partner_id, user_id, k, SUM(total) OVER w, SUM(current) OVER w, SUM(over_90) OVER w
                  FROM events
                WINDOW w AS (PARTITION BY partner_id, user_id ORDER BY k)
                """,
                segments=open_amount_segments_sql(
                    receivable_account_ids(self.env),
                    company.ids,
                    cuts[0],
                    cuts[-1],
                    filters=SQL("aml.company_id = %s AND %s", company.id, conditions),
                ),
                cuts=cuts,
                count=count,
                over=OVER_DAYS,
            )
        )
        result = defaultdict(list)
        for partner_id, user_id, index, total, current, over_90 in rows:
            result[partner_id, user_id].append((index, float(total), float(current), float(over_90)))
        for changes in result.values():
            changes.sort()
        return result

    def _fetch_credit_sales(self, company, first, last, conditions):
        """``{((customer, salesperson), month): credit sales}``: invoices net of credit notes, receivable side."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT cp.id, m.invoice_user_id, date_trunc('month', aml.date)::date, SUM(aml.balance)
                  FROM account_move_line aml
                  JOIN account_account a ON a.id = aml.account_id
                  JOIN account_move m ON m.id = aml.move_id
             LEFT JOIN res_partner p ON p.id = aml.partner_id
             LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 WHERE a.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND m.move_type IN ('out_invoice', 'out_refund')
                   AND aml.company_id = %(company)s
                   AND aml.date >= %(first)s AND aml.date <= %(last)s
                   AND %(conditions)s
              GROUP BY 1, 2, 3
                """,
                conditions=conditions,
                company=company.id,
                first=first,
                last=kpi.month_end(last),
            )
        )
        return {((row[0], row[1]), row[2]): float(row[3]) for row in rows}

    def _fetch_payments(self, company, first, last, conditions):
        """``{((customer, salesperson), month): [(invoice date, payment date, amount)]}`` of invoices paid.

        A payment is a partial reconciliation of an invoice's receivable item
        with anything but a credit note, dated when both were there (``max_date``).
        """
        rows = self.env.execute_query(
            SQL(
                """
                SELECT partner_id, user_id, date_trunc('month', payment_date)::date, invoice_date, payment_date,
                       SUM(amount)
                  FROM (%s) pay
              GROUP BY 1, 2, 3, 4, 5
                """,
                invoice_payments_sql(
                    first, kpi.month_end(last), SQL("aml.company_id = %s AND %s", company.id, conditions)
                ),
            )
        )
        result = defaultdict(list)
        for partner_id, user_id, month, invoice_date, payment_date, amount in rows:
            result[(partner_id, user_id), month].append((invoice_date or payment_date, payment_date, float(amount)))
        return result

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    def _cron_refresh_facts(self):
        """Fill the receivables KPI facts of every company, one company at a time.

        A company (or range of customers) without facts is back-filled over
        24 months, the others refresh their last 3 months (late entries and
        reconciliations). A batch is a range of a company's customers: a
        constant number of queries whatever its number of items; each is
        written in its own savepoint so that one failing never stops the
        others, and a range another worker is filling is skipped (advisory
        lock). Running it twice gives the same facts.

        A company's customers are split in the number of ranges of the
        system parameter ``account_receivable_optimizer.kpi_fact_ranges``
        (default 1): with the scheduled action duplicated, as many cron
        workers as ranges share one large company, each range filled by the
        first worker that takes it within their run.

        The same batch takes the company's receivables snapshot of the day
        (``ar.receivable.snapshot``, back-filling 24 month ends the first
        time) and stores its collection forecast of the day
        (``ar.forecast.week``), each in its own savepoint.
        """
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        count = self._ar_fact_ranges()
        steps = [
            ("KPI facts", functools.partial(self._ar_refresh_recent, part=(index, count))) for index in range(count)
        ]
        steps += [
            ("snapshot", self.env["ar.receivable.snapshot"].sudo()._ar_snapshot_recent),
            ("forecast", self.env["ar.forecast.week"].sudo()._ar_store_forecast),
            ("insurance facts", self.env["ar.insurance.fact"].sudo()._ar_refresh),
        ]
        for done, company in enumerate(companies, start=1):
            for what, step in steps:
                try:
                    with self.env.cr.savepoint():
                        step(company)
                except Exception:  # one company must not stop the others
                    _logger.exception("Receivables %s of company %s failed", what, company.id)
            compat.cron_progress(self.env, done, len(companies) - done)

    def _ar_fact_ranges(self):
        """Number of ranges of a company's customers in the nightly job (system parameter, 1 to 64)."""
        value = self.env["ir.config_parameter"].sudo().get_param(FACT_RANGES_PARAM, "1")
        try:
            return min(max(int(value), 1), MAX_FACT_RANGES)
        except ValueError:
            _logger.warning("Ignored %s = %r: not a whole number", FACT_RANGES_PARAM, value)
            return 1
