import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..lib.ar_core import forecast, kpi
from ..models.ar_protected_fields_mixin import check_allowed_companies
from ..models.res_partner import NOT_GRADED
from .ar_receivable_snapshot import SNAPSHOT_BUCKETS

#: Customers listed as "top overdue".
TOP_OVERDUE = 10
#: Months of the DSO chart, this month included.
DSO_MONTHS = 24
#: Days of invoices whose early-payment discounts are summed.
DISCOUNT_DAYS = 365
#: The group that opens the dashboard (the accounting managers have it through the credit managers).
DASHBOARD_GROUP = "account_receivable_optimizer.group_ar_credit_controller"
#: KPI cards read from the facts of the month: (key, field of ar.kpi.fact, kind of value).
KPI_CARDS = (
    ("receivables", "receivables", "money"),
    ("overdue", "overdue_receivables", "money"),
    ("percent_overdue", "percent_overdue", "percent"),
    ("dso", "dso", "days"),
    ("countback_dso", "countback_dso", "days"),
    ("bpdso", "bpdso", "days"),
    ("add", "add", "days"),
    ("cei", "cei", "percent"),
    ("days_to_pay", "days_to_pay", "days"),
)


class ArReceivablesDashboard(models.AbstractModel):
    """The data of the receivables dashboard (client action ``ar_receivables_dashboard``).

    :meth:`get_dashboard_data` returns one dict of sections (KPI cards, DSO
    over 24 months, aging by period, top overdue customers, grade mix,
    forecast by week, early-payment discounts, credit insurance), each built by its own
    ``_ar_dashboard_<section>`` method and listed in :meth:`_ar_dashboard_sections`:
    a new section is a new method added to that list. Every figure carries
    the window action of the records behind it. Nothing is computed on
    load: the sections read the figures the nightly job stores (KPI facts,
    the latest receivables snapshot of each company, its latest stored
    collection forecast); *Refresh* (:meth:`action_refresh`) stores today's.
    """

    _name = "ar.receivables.dashboard"
    _description = "Receivables Dashboard"

    @api.model
    def get_dashboard_data(self, company_ids=None):
        """The dashboard of ``company_ids`` (default: the companies of the company switcher).

        Constant number of queries, whatever the number of customers, items
        and months. Values that are undefined (a DSO without sales, no target)
        are ``None``, never 0.

        :raise AccessError: the user is no Credit Controller, or asks for a company
            not selected in the company switcher
        """
        if not self.env.user.has_group(DASHBOARD_GROUP):
            raise AccessError(
                self.env._("Only Credit Controllers and accounting managers see the receivables dashboard.")
            )
        companies = self.env["res.company"].browse(company_ids) if company_ids else self.env.companies
        check_allowed_companies(self.env, companies, self.env._("the receivables dashboard"))
        currencies = companies.currency_id
        context = {
            "companies": companies,
            "today": fields.Date.context_today(self),
            "snapshots": self._ar_dashboard_snapshot_domain(companies),
            "forecast": self._ar_dashboard_stored_forecast(companies),
        }
        data = {
            "currency": {
                "id": self.env.company.currency_id.id,
                "symbol": self.env.company.currency_id.symbol,
                "position": self.env.company.currency_id.position,
                "decimals": self.env.company.currency_id.decimal_places,
            },
            "mixed_currencies": len(currencies) > 1,
            "company_ids": companies.ids,
            "today": fields.Date.to_string(context["today"]),
        }
        for name, method in self._ar_dashboard_sections():
            data[name] = method(context)
        return data

    def _ar_dashboard_sections(self):
        """``[(key of the data, method(context) giving the section)]``, in display order."""
        return [
            ("kpis", self._ar_dashboard_kpis),
            ("dso_chart", self._ar_dashboard_dso_chart),
            ("aging", self._ar_dashboard_aging),
            ("top_overdue", self._ar_dashboard_top_overdue),
            ("grades", self._ar_dashboard_grades),
            ("forecast", self._ar_dashboard_forecast),
            ("discounts", self._ar_dashboard_discounts),
            ("insurance", self._ar_dashboard_insurance),
        ]

    @api.model
    def action_refresh(self, company_ids=None):
        """Store today's figures of the dashboard's companies: KPI facts, snapshot and forecast (*Refresh*)."""
        if not self.env.user.has_group(DASHBOARD_GROUP):
            raise AccessError(
                self.env._("Only Credit Controllers and accounting managers see the receivables dashboard.")
            )
        companies = self.env["res.company"].browse(company_ids) if company_ids else self.env.companies
        check_allowed_companies(self.env, companies, self.env._("the receivables dashboard"))
        self.env["ar.kpi.fact"].sudo()._ar_refresh_recent(companies)
        for company in companies:
            self.env["ar.receivable.snapshot"].sudo()._ar_snapshot_recent(company)
            self.env["ar.forecast.week"].sudo()._ar_store_forecast(company)
        return True

    @api.model
    def action_download_pack(self, company_ids=None):
        """The receivables XLSX pack of the dashboard's companies (button of the dashboard)."""
        if not self.env.user.has_group(DASHBOARD_GROUP):
            raise AccessError(
                self.env._("Only Credit Controllers and accounting managers see the receivables dashboard.")
            )
        companies = self.env["res.company"].browse(company_ids) if company_ids else self.env.companies
        check_allowed_companies(self.env, companies, self.env._("the receivables dashboard"))
        aging = self.env["ar.aging.report"].create({"company_ids": [fields.Command.set(companies.ids)]})
        return aging.action_export_xlsx()

    # ------------------------------------------------------------------
    # Sources
    # ------------------------------------------------------------------

    def _ar_dashboard_snapshot_domain(self, companies):
        """The latest receivables snapshot of each of ``companies`` (``ar.receivable.snapshot``).

        Taken every night and by *Refresh*: the aging, the top overdue
        customers and the grade mix read it, without computing an aging.
        """
        return [("company_id", "in", companies.ids), ("is_latest", "=", True)]

    def _ar_dashboard_stored_forecast(self, companies):
        """The latest stored collection forecast of each of ``companies`` (``ar.forecast.week``), one query.

        :return: ``{"domain": ..., "date": the latest forecast date or None}``
        """
        groups = self.env["ar.forecast.week"]._read_group(
            [("company_id", "in", companies.ids)], ["company_id"], ["date:max"]
        )
        if not groups:
            return {"domain": [("id", "=", False)], "date": None}
        domain = ["|"] * (len(groups) - 1)
        for company, date in groups:
            domain += ["&", ("company_id", "=", company.id), ("date", "=", fields.Date.to_string(date))]
        return {"domain": domain, "date": max(date for _company, date in groups)}

    def _ar_snapshot_action(self, context):
        """The latest snapshots of the dashboard's companies, as a list."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_optimizer.ar_receivable_snapshot_action"
        )
        action.update(domain=context["snapshots"], context={})
        return action

    def _ar_kpi_action(self, companies, domain=(), graph=False):
        action = self.env["ir.actions.act_window"]._for_xml_id("account_receivable_optimizer.ar_kpi_fact_action")
        action["domain"] = [("company_id", "in", companies.ids), *domain]
        if graph:
            action["views"] = [(view, mode) for view, mode in action["views"] if mode == "graph"] + [
                (view, mode) for view, mode in action["views"] if mode != "graph"
            ]
        return action

    @staticmethod
    def _ar_narrow(action, domain, name=None):
        """A copy of a window ``action`` with ``domain`` added to its own."""
        action = dict(action, domain=[*action["domain"], *domain])
        if name:
            action["name"] = action["display_name"] = name
        return action

    # ------------------------------------------------------------------
    # Sections
    # ------------------------------------------------------------------

    def _ar_dashboard_kpis(self, context):
        """KPI cards of this month with the change from the previous month, from the grouped facts.

        The ratios are those of the companies' sums (``ar.kpi.fact._read_group``),
        ``None`` when undefined; the trend is ``None`` when either month is.
        """
        today = context["today"]
        this_month = today.replace(day=1)
        previous = kpi.add_months(this_month, -1)
        names = [field for _key, field, _kind in KPI_CARDS] + ["target_dso"]
        groups = self.env["ar.kpi.fact"]._read_group(
            [("company_id", "in", context["companies"].ids), ("month", ">=", previous), ("month", "<=", this_month)],
            ["month:month"],
            [f"{name}:max" for name in names],
        )
        by_month = {
            row[0]: dict(zip(names, (value if value is not False else None for value in row[1:]), strict=True))
            for row in groups
        }
        current = by_month.get(this_month, {})
        before = by_month.get(previous, {})
        month_domain = [("month", "=", fields.Date.to_string(this_month))]
        action = self._ar_kpi_action(context["companies"], month_domain)
        dso_action = self._ar_kpi_action(context["companies"], month_domain, graph=True)
        cards = []
        for key, field, kind in KPI_CARDS:
            value = current.get(field)
            old = before.get(field)
            card = {
                "key": key,
                "kind": kind,
                "value": value,
                "previous": old,
                "trend": None if value is None or old is None else value - old,
                "action": dso_action if key == "dso" else action,
            }
            if key == "dso":
                card["target"] = current.get("target_dso")
            cards.append(card)
        return {"month": fields.Date.to_string(this_month), "cards": cards}

    def _ar_dashboard_dso_chart(self, context):
        """DSO and target DSO of each of the last 24 months (``None`` where undefined)."""
        this_month = context["today"].replace(day=1)
        first = kpi.add_months(this_month, 1 - DSO_MONTHS)
        groups = self.env["ar.kpi.fact"]._read_group(
            [("company_id", "in", context["companies"].ids), ("month", ">=", first), ("month", "<=", this_month)],
            ["month:month"],
            ["dso:max", "target_dso:max"],
        )
        values = {month: (dso, target) for month, dso, target in groups}
        action = self._ar_kpi_action(context["companies"], graph=True)
        points = []
        for offset in range(DSO_MONTHS):
            month = kpi.add_months(first, offset)
            dso, target = values.get(month, (False, False))
            points.append(
                {
                    "month": fields.Date.to_string(month),
                    "dso": None if dso is False else dso,
                    "target": None if target is False else target,
                    "action": self._ar_narrow(action, [("month", "=", fields.Date.to_string(month))]),
                }
            )
        return {"points": points, "action": self._ar_narrow(action, [("month", ">=", fields.Date.to_string(first))])}

    def _ar_dashboard_aging(self, context):
        """Open receivables by aging period, from the latest snapshots (one query)."""
        Snapshot = self.env["ar.receivable.snapshot"]
        [row] = Snapshot._read_group(
            context["snapshots"], [], [*(f"{name}:sum" for name in SNAPSHOT_BUCKETS), "receivables:sum", "date:max"]
        )
        totals, total, date = [amount or 0.0 for amount in row[:-2]], row[-2] or 0.0, row[-1]
        labels = self.env["ar.aging.report.line"]._bucket_labels()
        action = self._ar_snapshot_action(context)
        periods = [
            {
                "key": f"b{index}",
                "label": label,
                "amount": amount,
                "action": self._ar_narrow(action, [(name, "!=", 0)], label),
            }
            for index, (name, label, amount) in enumerate(zip(SNAPSHOT_BUCKETS, labels, totals, strict=True))
        ]
        return {
            "total": total,
            "date": fields.Date.to_string(date) if date else None,
            "periods": periods,
            "action": action,
        }

    def _ar_dashboard_top_overdue(self, context):
        """The customers owing most past their due dates, largest first, from the latest snapshots (one query)."""
        groups = self.env["ar.receivable.snapshot"]._read_group(
            [*context["snapshots"], ("partner_id", "!=", False)],
            ["partner_id"],
            ["overdue_receivables:sum", "max_days_overdue:max"],
            having=[("overdue_receivables:sum", ">", 0)],
            order="overdue_receivables:sum desc, partner_id",
            limit=TOP_OVERDUE,
        )
        action = self._ar_snapshot_action(context)
        return [
            {
                "partner_id": partner.id,
                "name": partner.display_name,
                "amount": amount,
                "days": days,
                "action": self._ar_narrow(action, [("partner_id", "=", partner.id)], partner.display_name),
            }
            for partner, amount, days in groups
        ]

    def _ar_dashboard_grades(self, context):
        """Open receivables and customers by risk grade, from the latest snapshots (one query)."""
        Snapshot = self.env["ar.receivable.snapshot"]
        groups = Snapshot._read_group(
            context["snapshots"], ["risk_grade"], ["receivables:sum", "partner_id:count_distinct"]
        )
        values = {grade or False: (amount, count) for grade, amount, count in groups}
        action = self._ar_snapshot_action(context)
        # the grades' labels in the user's language
        labels = dict(Snapshot._fields["risk_grade"]._description_selection(self.env))
        grades = []
        for grade in [*labels, False]:
            amount, count = values.get(grade, (0.0, 0))
            if grade in (False, NOT_GRADED) and not count:
                continue
            label = labels[grade] if grade else self.env._("Not graded")
            grades.append(
                {
                    "grade": grade,
                    "label": label,
                    "amount": amount,
                    "customers": count,
                    "action": self._ar_narrow(action, [("risk_grade", "=", grade)], label),
                }
            )
        return grades

    def _ar_dashboard_forecast(self, context):
        """Open invoices by expected week (13 weeks), then "later" and "doubtful", from the latest stored
        forecast (one query)."""
        stored = context["forecast"]
        groups = self.env["ar.forecast.week"]._read_group(
            stored["domain"], ["bucket", "week_start:day"], ["amount:sum"]
        )
        amounts = {}
        for bucket, week_start, amount in groups:
            code = week_start.isoformat() if bucket == "week" and week_start else bucket
            amounts[code] = amounts.get(code, 0.0) + amount
        first = forecast.week_start(stored["date"] or context["today"])
        action = self.env["ir.actions.act_window"]._for_xml_id("account_receivable_optimizer.ar_forecast_week_action")
        action.update(domain=stored["domain"], context={})
        Line = self.env["ar.forecast.report.line"]
        weeks = []
        for key in [*forecast.week_keys(), forecast.DOUBTFUL]:
            if isinstance(key, int):
                start = first + datetime.timedelta(weeks=key)
                code, label = start.isoformat(), start.isoformat()
                domain = [("bucket", "=", "week"), ("week_start", "=", code)]
            else:
                code, label = key, Line._ar_week_label(key)
                domain = [("bucket", "=", key)]
            weeks.append(
                {
                    "week": code,
                    "label": label,
                    "amount": amounts.get(code, 0.0),
                    "action": self._ar_narrow(action, domain, label),
                }
            )
        return {
            "date": fields.Date.to_string(stored["date"]) if stored["date"] else None,
            "weeks": weeks,
            "action": action,
        }

    def _ar_dashboard_discounts(self, context):
        """Early-payment discounts of the invoices of the last 12 months, by outcome (two queries)."""
        Analysis = self.env["ar.discount.analysis"]
        start = context["today"] - datetime.timedelta(days=DISCOUNT_DAYS)
        domain = [("company_id", "in", context["companies"].ids), ("invoice_date", ">", fields.Date.to_string(start))]
        groups = Analysis._read_group(domain, ["state"], ["__count", "discount_offered:sum", "discount_granted:sum"])
        counts = {state: count for state, count, _offered, _granted in groups}
        [[cost]] = Analysis._read_group([*domain, ("state", "=", "in_time")], [], ["realised_cost:avg"])
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_optimizer.ar_discount_analysis_action"
        )
        action["domain"] = domain

        def narrow(states):
            return self._ar_narrow(action, [("state", "in", states)])

        return {
            "offered": sum(offered for _state, _count, offered, _granted in groups),
            "granted": sum(granted for _state, _count, _offered, granted in groups),
            "in_time": counts.get("in_time", 0),
            "missed": counts.get("missed", 0),
            "late": counts.get("taken_late", 0) + counts.get("over_deducted", 0),
            "realised_cost": cost if counts.get("in_time") else None,
            "action": action,
            "actions": {
                "in_time": narrow(["in_time"]),
                "missed": narrow(["missed"]),
                "late": narrow(["taken_late", "over_deducted"]),
            },
        }

    def _ar_dashboard_insurance(self, context):
        """Exposure against credit insurance and guarantees, from the stored facts (one query).

        The totals of ``ar.insurance.fact._ar_insurance_totals`` (the facts of
        the last refresh); each figure opens the insurance analysis (pivot)
        on the facts behind it.
        """
        companies = context["companies"]
        totals = self.env["ar.insurance.fact"]._ar_insurance_totals(companies)
        action = self.env["ir.actions.act_window"]._for_xml_id("account_receivable_optimizer.ar_insurance_fact_action")
        action["domain"] = [("company_id", "in", companies.ids)]
        insured = [("insurer_id", "!=", False)]
        return {
            "exposure": totals["exposure"],
            "covered": totals["covered"],
            "cover": totals["cover"],
            "insured_share": totals["insured_share"],
            "guaranteed": totals["guaranteed"],
            "uncovered": totals["uncovered"],
            "action": action,
            "actions": {
                "cover": self._ar_narrow(action, insured),
                "guaranteed": self._ar_narrow(action, [("guaranteed", "!=", 0)]),
                "uncovered": self._ar_narrow(action, [("uncovered", "!=", 0)]),
            },
            "insurers": [
                dict(row, action=self._ar_narrow(action, [("insurer_id", "=", row["insurer_id"])], row["name"]))
                for row in totals["insurers"]
            ],
        }
