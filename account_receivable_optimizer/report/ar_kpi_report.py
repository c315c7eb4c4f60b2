import datetime
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..lib.ar_core import bounds, kpi
from ..models import ar_limits

KPI_LIMITS = {"months": (1, 120)}

#: Where a report line's dimension comes from, in the reports' SQL aliases.
DIMENSIONS = {
    "company": SQL("aml.company_id"),
    "customer": SQL("cp.id"),
    "salesperson": SQL("m.invoice_user_id"),
    "grade": SQL("cp.ar_risk_grade->>aml.company_id::text"),
}
#: Columns of the KPI lines, written in one query.
LINE_COLUMNS = [
    ("report_id", "int4"),
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
#: Days overdue beyond which an item counts in "% over 90 days".
OVER_DAYS = 90
#: Months of credit sales before the first reported month, for the countback DSO.
COUNTBACK_HISTORY = 12


def _default_date_to(report):
    """The last complete month: this month on its last day, else the previous one."""
    today = fields.Date.context_today(report)
    return today if kpi.month_end(today) == today else today.replace(day=1) - datetime.timedelta(days=1)


class ArKpiReport(models.TransientModel):
    """DSO and collection KPIs month by month, for the company or per customer,
    salesperson or risk grade.

    Three queries gather the receivables at each month end, the credit sales
    and the payments of each month; the core (``ar_core.kpi``) computes every
    KPI; the lines are written in one batch.
    """

    _name = "ar.kpi.report"
    _inherit = ["ar.report.mixin"]
    _description = "Receivables KPIs"

    date_to = fields.Date(
        string="Last Month",
        required=True,
        default=_default_date_to,
        help="The report ends with the month of this date (default: the last complete month); from 1900 to today.",
    )
    months = fields.Integer(
        default=24, required=True, help="Number of months reported, ending with the last month (1 to 120)."
    )
    dimension = fields.Selection(
        [("company", "Company"), ("customer", "Customer"), ("salesperson", "Salesperson"), ("grade", "Risk Grade")],
        string="Per",
        required=True,
        default="company",
        help="The KPIs are computed for each company, customer, salesperson or current risk grade.",
    )
    line_ids = fields.One2many("ar.kpi.report.line", "report_id", string="Lines")

    @api.constrains("months", "date_to")
    def _check_months(self):
        for report in self:
            if not 1 <= report.months <= 120:
                raise ValidationError(self.env._("The KPI report covers 1 to 120 months: change the number of months."))
            ar_limits.check_date(report, "date_to", bounds.MIN_DATE, fields.Date.context_today(self))

    @api.model_create_multi
    def create(self, vals_list):
        ar_limits.check_vals(self, vals_list, KPI_LIMITS)
        return super().create(vals_list)

    def write(self, vals):
        ar_limits.check_vals(self, [vals], KPI_LIMITS)
        return super().write(vals)

    def action_open_lines(self):
        self.ensure_one()
        self._compute_lines()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_receivable_optimizer.ar_kpi_report_line_action")
        action["domain"] = [("report_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _month_starts(self):
        """First day of every reported month, oldest first."""
        self.ensure_one()
        last = self.date_to.replace(day=1)
        return [last - relativedelta(months=offset) for offset in range(self.months - 1, -1, -1)]

    def _fetch_receivables(self, first, last, today):
        """``{(key, month): (total, current, over 90 days)}`` at each month end from ``first`` to ``last``.

        The month end is capped at ``today``; amounts are open amounts on
        that day (reconciliations made later are undone).
        """
        key = DIMENSIONS[self.dimension]
        rows = self.env.execute_query(
            SQL(
                """
                WITH cuts AS (
                    SELECT d::date AS month, LEAST((d + interval '1 month - 1 day')::date, %(today)s) AS cut
                      FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') d
                ), later AS (
                    SELECT debit_move_id AS line_id, amount, max_date
                      FROM account_partial_reconcile
                     WHERE max_date > %(first_cut)s AND company_id = ANY(%(companies)s)
                 UNION ALL
                    SELECT credit_move_id, -amount, max_date
                      FROM account_partial_reconcile
                     WHERE max_date > %(first_cut)s AND company_id = ANY(%(companies)s)
                ), items AS (
                    SELECT aml.id, %(key)s AS key, aml.date, COALESCE(aml.date_maturity, aml.date) AS due,
                           aml.amount_residual AS residual
                      FROM account_move_line aml
                      JOIN account_account a ON a.id = aml.account_id
                      JOIN account_move m ON m.id = aml.move_id
                 LEFT JOIN res_partner p ON p.id = aml.partner_id
                 LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                     WHERE a.account_type = 'asset_receivable'
                       AND aml.parent_state = 'posted'
                       AND aml.date <= %(last_cut)s
                       AND (aml.reconciled IS NOT TRUE OR aml.id IN (SELECT line_id FROM later))
                       AND %(filters)s
                ), per_item AS (
                    SELECT c.month, c.cut, i.key, i.due, i.residual + COALESCE(SUM(l.amount), 0) AS amount
                      FROM cuts c
                      JOIN items i ON i.date <= c.cut
                 LEFT JOIN later l ON l.line_id = i.id AND l.max_date > c.cut
                  GROUP BY c.month, c.cut, i.id, i.key, i.due, i.residual
                )
                SELECT key, month, SUM(amount),
                       COALESCE(SUM(amount) FILTER (WHERE due >= cut), 0),
                       COALESCE(SUM(amount) FILTER (WHERE cut - due > %(over)s), 0)
                  FROM per_item
              GROUP BY 1, 2
                """,
                today=today,
                first=first,
                last=last,
                first_cut=min(kpi.month_end(first), today),
                last_cut=min(kpi.month_end(last), today),
                companies=self.company_ids.ids,
                key=key,
                filters=self._filters_sql(),
                over=OVER_DAYS,
            )
        )
        return {(row[0], row[1]): (float(row[2] or 0), float(row[3]), float(row[4])) for row in rows}

    def _fetch_credit_sales(self, first, last):
        """``{(key, month): credit sales}``: customer invoices net of credit notes, receivable side."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT %(key)s, date_trunc('month', aml.date)::date, SUM(aml.balance)
                  FROM account_move_line aml
                  JOIN account_account a ON a.id = aml.account_id
                  JOIN account_move m ON m.id = aml.move_id
             LEFT JOIN res_partner p ON p.id = aml.partner_id
             LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 WHERE a.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND m.move_type IN ('out_invoice', 'out_refund')
                   AND aml.date >= %(first)s AND aml.date <= %(last)s
                   AND %(filters)s
              GROUP BY 1, 2
                """,
                key=DIMENSIONS[self.dimension],
                first=first,
                last=kpi.month_end(last),
                filters=self._filters_sql(),
            )
        )
        return {(row[0], row[1]): float(row[2]) for row in rows}

    def _fetch_payments(self, first, last):
        """``{(key, month): [(invoice date, payment date, amount)]}`` of customer invoices paid.

        A payment is a partial reconciliation of an invoice's receivable item
        with anything but a credit note, dated when both were there (``max_date``).
        """
        rows = self.env.execute_query(
            SQL(
                """
                SELECT %(key)s, date_trunc('month', apr.max_date)::date, m.invoice_date, apr.max_date,
                       SUM(apr.amount)
                  FROM account_partial_reconcile apr
                  JOIN account_move_line aml ON aml.id = apr.debit_move_id
                  JOIN account_account a ON a.id = aml.account_id
                  JOIN account_move m ON m.id = aml.move_id
                  JOIN account_move_line cl ON cl.id = apr.credit_move_id
                  JOIN account_move cm ON cm.id = cl.move_id
             LEFT JOIN res_partner p ON p.id = aml.partner_id
             LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 WHERE a.account_type = 'asset_receivable'
                   AND m.move_type = 'out_invoice'
                   AND cm.move_type != 'out_refund'
                   AND apr.max_date >= %(first)s AND apr.max_date <= %(last)s
                   AND %(filters)s
              GROUP BY 1, 2, 3, 4
                """,
                key=DIMENSIONS[self.dimension],
                first=first,
                last=kpi.month_end(last),
                filters=self._filters_sql(),
            )
        )
        result = defaultdict(list)
        for key, month, invoice_date, payment_date, amount in rows:
            result[key, month].append((invoice_date or payment_date, payment_date, float(amount)))
        return result

    def _compute_lines(self):
        """Replace the lines by the KPIs of every month and dimension key: a constant number of queries."""
        self.ensure_one()
        self._flush_receivables()
        self.env.execute_query(SQL("DELETE FROM ar_kpi_report_line WHERE report_id = %s", self.id))
        today = fields.Date.context_today(self)
        months = self._month_starts()
        before = months[0] - relativedelta(months=1)
        receivables = self._fetch_receivables(before, months[-1], today)
        sales = self._fetch_credit_sales(months[0] - relativedelta(months=COUNTBACK_HISTORY), months[-1])
        payments = self._fetch_payments(months[0], months[-1])
        keys = {key for key, _month in (*receivables, *sales, *payments)}
        history = [months[0] - relativedelta(months=n) for n in range(COUNTBACK_HISTORY, 0, -1)] + months
        if self.dimension == "customer":  # one prefetch for the customers' policies
            partners = self.env["res.partner"].browse([key for key in keys if key])
            partners.with_company(self.company_id).sudo().mapped("ar_credit_policy_id")
        vals_list = []
        for key in keys:
            dimension_vals = self._dimension_vals(key)
            for index, month in enumerate(months):
                vals = self._kpi_vals(
                    key,
                    month,
                    history[: COUNTBACK_HISTORY + index + 1],
                    receivables=receivables,
                    sales=sales,
                    payments=payments,
                )
                if vals:
                    vals_list.append(dict(vals, **dimension_vals))
        self._ar_insert_lines("ar.kpi.report.line", LINE_COLUMNS, vals_list)
        self.invalidate_recordset(["line_ids"])

    def _kpi_vals(self, key, month, history, *, receivables, sales, payments):
        """Values of one report line; ``None`` when the key had nothing that month."""
        previous = month - relativedelta(months=1)
        total, current, over_90 = receivables.get((key, month), (0.0, 0.0, 0.0))
        beginning = receivables.get((key, previous), (0.0, 0.0, 0.0))[0]
        credit_sales = sales.get((key, month), 0.0)
        paid = payments.get((key, month), [])
        if not (total or beginning or credit_sales or paid):
            return None
        days = kpi.month_days(month)
        dso = kpi.standard_dso(total, credit_sales, days)
        bpdso = kpi.best_possible_dso(current, credit_sales, days)
        countback = kpi.countback_dso(total, [(kpi.month_days(m), sales.get((key, m), 0.0)) for m in reversed(history)])
        values = {
            "dso": dso,
            "countback_dso": countback,
            "bpdso": bpdso,
            "add": kpi.average_days_delinquent(dso, bpdso),
            "cei": kpi.collection_effectiveness_index(beginning, credit_sales, total, current),
            "percent_overdue": kpi.percent_of(total - current, total),
            "percent_over_90": kpi.percent_of(over_90, total),
            "days_to_pay": kpi.average_days_to_pay(paid),
        }
        vals = {name: value or 0.0 for name, value in values.items()}
        vals.update(
            {
                "report_id": self.id,
                "month": month,
                "credit_sales": credit_sales,
                "receivables": total,
                "beginning_receivables": beginning,
                "current_receivables": current,
                "overdue_receivables": total - current,
                "over_90_receivables": over_90,
                "has_sales": credit_sales > 0,
                "paid_amount": sum(amount for _i, _p, amount in paid),
            }
        )
        return vals

    def _dimension_vals(self, key):
        company = self.company_id
        if self.dimension == "company":
            company = self.env["res.company"].browse(key)
            return {"company_id": key, "target_dso": company.ar_credit_policy_id.target_dso}
        vals = {"company_id": company.id, "target_dso": company.ar_credit_policy_id.target_dso}
        if self.dimension == "customer" and key:
            partner = self.env["res.partner"].browse(key).with_company(company)
            vals.update(partner_id=key, target_dso=partner._ar_get_credit_policy().target_dso)
        elif self.dimension == "salesperson":
            vals["user_id"] = key or False
        elif self.dimension == "grade":
            vals["risk_grade"] = key or False
        return vals
