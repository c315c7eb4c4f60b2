from odoo import fields, models

from ..models.res_partner import RISK_GRADES

KPI_DIGITS = (16, 2)


class ArKpiReportLine(models.TransientModel):
    """The KPIs of one month for the company, a customer, a salesperson or a grade.

    Undefined KPIs (a month without credit sales has no DSO) are stored as 0
    with ``has_sales`` unset; the views show them apart.
    """

    _name = "ar.kpi.report.line"
    _description = "Receivables KPIs of a Month"
    _order = "month, id"

    report_id = fields.Many2one("ar.kpi.report", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    risk_grade = fields.Selection(RISK_GRADES, readonly=True)
    has_sales = fields.Boolean(string="Credit Sales in the Month", readonly=True)
    credit_sales = fields.Monetary(readonly=True, help="Customer invoices net of credit notes of the month.")
    beginning_receivables = fields.Monetary(readonly=True, aggregator=None)
    receivables = fields.Monetary(string="Ending Receivables", readonly=True, aggregator=None)
    current_receivables = fields.Monetary(string="Not Yet Due", readonly=True, aggregator=None)
    overdue_receivables = fields.Monetary(string="Overdue", readonly=True, aggregator=None)
    over_90_receivables = fields.Monetary(string="Over 90 Days", readonly=True, aggregator=None)
    paid_amount = fields.Monetary(string="Invoices Paid", readonly=True)
    dso = fields.Float(string="DSO", digits=KPI_DIGITS, aggregator="avg", readonly=True)
    countback_dso = fields.Float(string="Countback DSO", digits=KPI_DIGITS, aggregator="avg", readonly=True)
    bpdso = fields.Float(string="Best Possible DSO", digits=KPI_DIGITS, aggregator="avg", readonly=True)
    add = fields.Float(string="Average Days Delinquent", digits=KPI_DIGITS, aggregator="avg", readonly=True)
    cei = fields.Float(string="CEI (%)", digits=KPI_DIGITS, aggregator="avg", readonly=True)
    percent_overdue = fields.Float(string="% Overdue", digits=KPI_DIGITS, aggregator="avg", readonly=True)
    percent_over_90 = fields.Float(string="% Over 90 Days", digits=KPI_DIGITS, aggregator="avg", readonly=True)
    days_to_pay = fields.Float(string="Average Days to Pay", digits=KPI_DIGITS, aggregator="avg", readonly=True)
    target_dso = fields.Float(string="Target DSO", digits=KPI_DIGITS, aggregator="avg", readonly=True)
