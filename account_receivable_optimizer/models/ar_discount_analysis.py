from odoo import fields, models, tools
from odoo.tools import SQL

from .account_move import DISCOUNT_STATES
from .res_partner import RISK_GRADES, grade_sql


class ArDiscountAnalysis(models.Model):
    """One row per customer invoice that offered an early-payment discount.

    A read-only SQL view over the outcomes recorded on the invoices by
    ``account.move._ar_process_discount_outcomes`` (computed by the core):
    the view only selects and joins, it computes nothing.
    """

    _name = "ar.discount.analysis"
    _description = "Early-Payment Discount Analysis"
    _auto = False
    _order = "invoice_date desc, id desc"

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    risk_grade = fields.Selection(RISK_GRADES, readonly=True)
    invoice_date = fields.Date(readonly=True)
    due_date = fields.Date(readonly=True)
    payment_date = fields.Date(string="Last Payment", readonly=True)
    state = fields.Selection(DISCOUNT_STATES, string="Outcome", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_total = fields.Monetary(string="Invoiced", readonly=True)
    discount_offered = fields.Monetary(readonly=True)
    discount_granted = fields.Monetary(readonly=True)
    discount_shortfall = fields.Monetary(string="Deducted without Right", readonly=True)
    days_gained = fields.Float(readonly=True, aggregator="avg")
    realised_cost = fields.Float(string="Realised Annual Cost (%)", readonly=True, aggregator="avg", digits=(16, 1))
    cost_of_capital = fields.Float(string="Cost of Capital (%)", readonly=True, aggregator="avg", digits=(16, 2))
    above_cost_of_capital = fields.Boolean(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %s AS (
                    SELECT m.id,
                           m.id AS move_id,
                           m.company_id,
                           m.commercial_partner_id AS partner_id,
                           %s AS risk_grade,
                           m.invoice_date,
                           m.invoice_date_due AS due_date,
                           m.ar_discount_payment_date AS payment_date,
                           m.ar_discount_state AS state,
                           c.currency_id,
                           m.amount_total_signed AS amount_total,
                           m.ar_discount_amount AS discount_offered,
                           m.ar_discount_granted AS discount_granted,
                           m.ar_discount_shortfall AS discount_shortfall,
                           m.ar_discount_days_gained AS days_gained,
                           m.ar_discount_realised_cost AS realised_cost,
                           c.ar_cost_of_capital AS cost_of_capital,
                           (m.ar_discount_granted > 0
                            AND m.ar_discount_realised_cost > c.ar_cost_of_capital) AS above_cost_of_capital
                      FROM account_move m
                      JOIN res_company c ON c.id = m.company_id
                      JOIN res_partner p ON p.id = m.commercial_partner_id
                     WHERE m.move_type = 'out_invoice'
                       AND m.state = 'posted'
                       AND m.ar_discount_state IS NOT NULL
                )
                """,
                SQL.identifier(self._table),
                grade_sql("p", SQL("m.company_id")),
            )
        )
