from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import formatLang

from ..lib.ar_core import discount as core_discount


class AccountPaymentTerm(models.Model):
    _inherit = "account.payment.term"

    ar_net_days = fields.Integer(
        string="Net Days",
        compute="_compute_ar_discount_cost",
        help="Days from the invoice date to the due date, for an invoice dated on the example date.",
    )
    ar_discount_nominal_cost = fields.Float(
        string="Nominal Annual Cost (%)",
        compute="_compute_ar_discount_cost",
        digits=(16, 1),
        help="What the discount costs as a yearly rate: d / (1 - d) x 365 / (net days - discount days).",
    )
    ar_discount_effective_cost = fields.Float(
        string="Effective Annual Cost (%)",
        compute="_compute_ar_discount_cost",
        digits=(16, 1),
        help="The same, compounded: (1 + d / (1 - d)) ^ (365 / (net days - discount days)) - 1.",
    )
    ar_discount_cost_warning = fields.Char(
        string="Discount Cost Warning",
        compute="_compute_ar_discount_cost",
        help="Shown when the yearly cost of the early-payment discount exceeds the company's cost of capital.",
    )

    def _ar_net_days(self, date_ref=None):
        """Net days of a single-line term, for an invoice dated ``date_ref``."""
        self.ensure_one()
        date_ref = date_ref or self.example_date or fields.Date.context_today(self)
        if len(self.line_ids) != 1:
            return 0
        return (self.line_ids._get_due_date(date_ref) - date_ref).days

    @api.depends(
        "early_discount",
        "discount_percentage",
        "discount_days",
        "line_ids.nb_days",
        "line_ids.delay_type",
        "example_date",
    )
    @api.depends_context("company")
    def _compute_ar_discount_cost(self):
        cost_of_capital = self.env.company.ar_cost_of_capital
        for term in self:
            term.ar_net_days = net_days = term._ar_net_days()
            term.ar_discount_nominal_cost = term.ar_discount_effective_cost = 0.0
            term.ar_discount_cost_warning = False
            if not term.early_discount:
                continue
            try:
                nominal = core_discount.nominal_annual_cost(term.discount_percentage, term.discount_days, net_days)
                effective = core_discount.effective_annual_cost(term.discount_percentage, term.discount_days, net_days)
            except ValueError:
                continue
            term.ar_discount_nominal_cost = nominal * 100.0
            term.ar_discount_effective_cost = effective * 100.0
            if cost_of_capital and effective * 100.0 > cost_of_capital:
                term.ar_discount_cost_warning = self.env._(
                    "This discount costs %(cost)s %% a year, more than the company's cost of capital (%(capital)s %%).",
                    cost=formatLang(self.env, effective * 100.0, digits=1),
                    capital=formatLang(self.env, cost_of_capital, digits=1),
                )

    @api.constrains("early_discount", "discount_percentage", "discount_days", "line_ids")
    def _check_ar_discount_terms(self):
        for term in self.filtered("early_discount"):
            if term.discount_percentage <= 0 or term.discount_percentage >= 100:
                raise ValidationError(
                    self.env._(
                        "The early-payment discount of %(term)s must be more than 0 %% and less than 100 %%.",
                        term=term.display_name,
                    )
                )
            net_days = term._ar_net_days()
            if net_days and term.discount_days >= net_days:
                raise ValidationError(
                    self.env._(
                        "The discount period of %(term)s (%(days)s days) must be shorter than its net period "
                        "(%(net)s days).",
                        term=term.display_name,
                        days=term.discount_days,
                        net=net_days,
                    )
                )
