import datetime

from odoo import Command, api, fields, models

from ..models.ar_protected_fields_mixin import check_allowed_companies
from ..models.res_partner import RISK_GRADES
from .ar_aging_report import BUCKET_FIELDS

#: Customers listed as "top overdue".
TOP_OVERDUE = 10
#: Forecast weeks shown on the dashboard before "later".
DASHBOARD_WEEKS = 4


class ArReceivablesDashboard(models.TransientModel):
    """The receivables dashboard: KPI tiles with their trend, aging by period,
    top overdue customers, grade distribution and forecast.

    Built from one aging run, one KPI run (company, 24 months) and one forecast
    run for the selected companies; every figure is a button that opens the
    lines behind it.
    """

    _name = "ar.receivables.dashboard"
    _description = "Receivables Dashboard"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    aging_report_id = fields.Many2one("ar.aging.report", readonly=True)
    forecast_report_id = fields.Many2one("ar.forecast.report", readonly=True)
    total_receivables = fields.Monetary(readonly=True)
    overdue_receivables = fields.Monetary(readonly=True)
    percent_overdue = fields.Float(string="% Overdue", digits=(16, 2), readonly=True)
    dso = fields.Float(string="DSO", digits=(16, 2), readonly=True)
    dso_trend = fields.Float(string="DSO vs Previous Month", digits=(16, 2), readonly=True)
    target_dso = fields.Float(digits=(16, 2), readonly=True)
    countback_dso = fields.Float(string="Countback DSO", digits=(16, 2), readonly=True)
    cei = fields.Float(string="CEI (%)", digits=(16, 2), readonly=True)
    cei_trend = fields.Float(string="CEI vs Previous Month", digits=(16, 2), readonly=True)
    days_to_pay = fields.Float(string="Average Days to Pay", digits=(16, 2), readonly=True)
    amount_b0 = fields.Monetary(string="Not Due", readonly=True)
    amount_b1 = fields.Monetary(string="Period 1", readonly=True)
    amount_b2 = fields.Monetary(string="Period 2", readonly=True)
    amount_b3 = fields.Monetary(string="Period 3", readonly=True)
    amount_b4 = fields.Monetary(string="Period 4", readonly=True)
    amount_b5 = fields.Monetary(string="Older", readonly=True)
    top_overdue_ids = fields.Many2many("res.partner", string="Top Overdue Customers", readonly=True)
    grade_a_count = fields.Integer(string="Grade A", readonly=True)
    grade_b_count = fields.Integer(string="Grade B", readonly=True)
    grade_c_count = fields.Integer(string="Grade C", readonly=True)
    grade_d_count = fields.Integer(string="Grade D", readonly=True)
    grade_e_count = fields.Integer(string="Grade E", readonly=True)
    forecast_week_0 = fields.Monetary(string="This Week", readonly=True)
    forecast_week_1 = fields.Monetary(string="Next Week", readonly=True)
    forecast_week_2 = fields.Monetary(string="In 2 Weeks", readonly=True)
    forecast_week_3 = fields.Monetary(string="In 3 Weeks", readonly=True)
    forecast_later = fields.Monetary(string="Afterwards", readonly=True)
    forecast_doubtful = fields.Monetary(string="Doubtful", readonly=True)
    discount_offered = fields.Monetary(string="Discounts Offered", readonly=True)
    discount_granted = fields.Monetary(string="Discounts Granted", readonly=True)
    discount_in_time_count = fields.Integer(string="Taken in Time", readonly=True)
    discount_missed_count = fields.Integer(string="Not Taken", readonly=True)
    discount_late_count = fields.Integer(string="Taken Late", readonly=True)
    discount_realised_cost = fields.Float(string="Realised Annual Cost (%)", digits=(16, 1), readonly=True)

    @api.model
    def _compute_display_name(self):
        for dashboard in self:
            dashboard.display_name = self.env._("Receivables Dashboard")

    @api.model_create_multi
    def create(self, vals_list):
        dashboards = super().create(vals_list)
        dashboards._ar_check_companies()
        return dashboards

    def write(self, vals):
        result = super().write(vals)
        if "company_id" in vals:
            self._ar_check_companies()
        return result

    def _ar_check_companies(self):
        for dashboard in self:
            check_allowed_companies(self.env, dashboard.sudo().company_id, self)

    def fields_get(self, allfields=None, attributes=None):
        """Name the aging tiles after the company's aging limits."""
        result = super().fields_get(allfields, attributes)
        labels = self.env["ar.aging.report.line"]._bucket_labels()
        for name, label in zip(BUCKET_FIELDS, labels, strict=True):
            if name in result and "string" in result[name]:
                result[name]["string"] = label
        return result

    @api.model
    def action_open_dashboard(self):
        dashboard = self.create({})
        dashboard._ar_refresh()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Receivables Dashboard"),
            "res_model": self._name,
            "res_id": dashboard.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def action_refresh(self):
        self._ar_refresh()
        return True

    # ------------------------------------------------------------------
    # Click-through actions
    # ------------------------------------------------------------------

    def action_open_aging(self):
        self.ensure_one()
        bucket = self.env.context.get("ar_bucket")
        action = self.aging_report_id._ar_lines_action()
        if bucket:
            action["domain"] = [*action["domain"], ("bucket", "=", bucket)]
        elif self.env.context.get("ar_overdue"):
            action["domain"] = [*action["domain"], ("bucket", "!=", "b0")]
        return action

    def action_open_kpis(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_receivable_optimizer.ar_kpi_fact_action")
        action["domain"] = [("company_id", "in", self.env.companies.ids)]
        if self.env.context.get("ar_graph"):
            action["view_mode"] = "graph,list,pivot"
            action["views"] = [(view, mode) for view, mode in action["views"] if mode == "graph"] + [
                (view, mode) for view, mode in action["views"] if mode != "graph"
            ]
        return action

    def action_open_forecast(self):
        self.ensure_one()
        action = self.forecast_report_id._ar_lines_action()
        week = self.env.context.get("ar_week")
        if week == "later":
            first = self.forecast_report_id._ar_first_week()
            later = first + datetime.timedelta(weeks=DASHBOARD_WEEKS)
            action["domain"] += [("doubtful", "=", False), "|", ("week_start", "=", False), ("week_start", ">=", later)]
        elif week == "doubtful":
            action["domain"].append(("doubtful", "=", True))
        elif week is not None:
            first = self.forecast_report_id._ar_first_week()
            action["domain"].append(("week_start", "=", first + datetime.timedelta(weeks=week)))
        return action

    def action_open_discounts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_optimizer.ar_discount_analysis_action"
        )
        states = self.env.context.get("ar_discount_states")
        action["domain"] = self._ar_discount_domain() + ([("state", "in", states)] if states else [])
        action["view_mode"] = "list,pivot,graph"
        action["views"] = [(False, "list"), (False, "pivot"), (False, "graph")]
        return action

    def action_open_grade(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.res_partner_action_customer")
        action["domain"] = [("ar_risk_grade", "=", self.env.context.get("ar_grade"))]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _ar_refresh(self):
        """Run the three reports and copy their figures on the dashboard."""
        self.ensure_one()
        self._ar_check_companies()
        companies = [Command.set(self.env.companies.ids)]
        aging = self.env["ar.aging.report"].create({"company_ids": companies})
        aging._compute_lines()
        self.env["ar.kpi.fact"]._ar_refresh_recent(self.env.companies)
        forecast = self.env["ar.forecast.report"].create({"company_ids": companies, "past_weeks": 0})
        forecast._compute_lines()
        vals = {"aging_report_id": aging.id, "forecast_report_id": forecast.id}
        vals.update(self._ar_aging_vals(aging))
        vals.update(self._ar_kpi_vals())
        vals.update(self._ar_forecast_vals(forecast))
        vals.update(self._ar_grade_vals())
        vals.update(self._ar_discount_vals())
        self.write(vals)

    def _ar_aging_vals(self, aging):
        Line = self.env["ar.aging.report.line"]
        domain = [("report_id", "=", aging.id)]
        [totals] = Line._read_group(domain, [], [f"{name}:sum" for name in BUCKET_FIELDS])
        vals = dict(zip(BUCKET_FIELDS, totals, strict=True))
        total = sum(totals)
        overdue = total - totals[0]
        vals.update(
            total_receivables=total,
            overdue_receivables=overdue,
            percent_overdue=overdue / total * 100 if total > 0 else 0.0,
        )
        groups = Line._read_group(
            [*domain, ("bucket", "!=", "b0"), ("partner_id", "!=", False)],
            ["partner_id"],
            ["amount_residual:sum"],
            having=[("amount_residual:sum", ">", 0)],
            order="amount_residual:sum desc",
            limit=TOP_OVERDUE,
        )
        vals["top_overdue_ids"] = [Command.set([partner.id for partner, _amount in groups])]
        return vals

    def _ar_kpi_vals(self):
        """KPIs of the company's last two months, from the grouped facts (ratios of the month's sums)."""
        names = ["dso", "target_dso", "countback_dso", "cei", "days_to_pay"]
        today = fields.Date.context_today(self)
        groups = self.env["ar.kpi.fact"]._read_group(
            [("company_id", "=", self.company_id.id), ("month", "<=", today)],
            ["month:month"],
            [f"{name}:max" for name in names],
            order="month:month desc",
            limit=2,
        )
        if not groups:
            return {}
        last = dict(zip(names, groups[0][1:], strict=True))
        previous = dict(zip(names, groups[-1][1:], strict=True))
        return {
            "dso": last["dso"] or 0.0,
            "dso_trend": (last["dso"] or 0.0) - (previous["dso"] or 0.0),
            "target_dso": last["target_dso"] or 0.0,
            "countback_dso": last["countback_dso"] or 0.0,
            "cei": last["cei"] or 0.0,
            "cei_trend": (last["cei"] or 0.0) - (previous["cei"] or 0.0),
            "days_to_pay": last["days_to_pay"] or 0.0,
        }

    def _ar_forecast_vals(self, forecast):
        weeks = [0.0] * DASHBOARD_WEEKS
        later = 0.0
        doubtful = 0.0
        first = forecast._ar_first_week()
        for line in forecast.line_ids.filtered(lambda line: line.kind == "open"):
            index = (line.week_start - first).days // 7 if line.week_start else None
            if line.doubtful:
                doubtful += line.amount
            elif index is not None and index < DASHBOARD_WEEKS:
                weeks[index] += line.amount
            else:
                later += line.amount
        vals = {f"forecast_week_{index}": amount for index, amount in enumerate(weeks)}
        vals.update(forecast_later=later, forecast_doubtful=doubtful)
        return vals

    def _ar_grade_vals(self):
        groups = (
            self.env["res.partner"]
            .with_company(self.company_id)
            ._read_group(
                [("ar_risk_grade", "!=", False), ("parent_id", "=", False)],
                ["ar_risk_grade"],
                ["__count"],
            )
        )
        counts = dict(groups)
        return {f"grade_{grade.lower()}_count": counts.get(grade, 0) for grade, _label in RISK_GRADES}

    def _ar_discount_domain(self):
        start = fields.Date.context_today(self) - datetime.timedelta(days=365)
        return [("company_id", "in", self.env.companies.ids), ("invoice_date", ">", start)]

    def _ar_discount_vals(self):
        """Early-payment discounts of invoices of the last 12 months, by outcome."""
        groups = self.env["ar.discount.analysis"]._read_group(
            self._ar_discount_domain(),
            ["state"],
            ["__count", "discount_offered:sum", "discount_granted:sum"],
        )
        counts = {state: count for state, count, _offered, _granted in groups}
        [[cost]] = self.env["ar.discount.analysis"]._read_group(
            [*self._ar_discount_domain(), ("state", "=", "in_time")], [], ["realised_cost:avg"]
        )
        return {
            "discount_offered": sum(offered for _state, _count, offered, _granted in groups),
            "discount_granted": sum(granted for _state, _count, _offered, granted in groups),
            "discount_in_time_count": counts.get("in_time", 0),
            "discount_missed_count": counts.get("missed", 0),
            "discount_late_count": counts.get("taken_late", 0) + counts.get("over_deducted", 0),
            "discount_realised_cost": cost or 0.0,
        }
