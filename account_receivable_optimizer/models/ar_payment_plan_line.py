from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib.ar_core import bounds
from . import ar_limits

LINE_LIMITS = {"amount": (0.0, bounds.MAX_AMOUNT)}


class ArPaymentPlanLine(models.Model):
    _name = "ar.payment.plan.line"
    _description = "Payment Plan Instalment"
    _inherit = ["ar.bounded.mixin"]
    _ar_limits = LINE_LIMITS
    _order = "plan_id, date, id"

    plan_id = fields.Many2one("ar.payment.plan", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    date = fields.Date(required=True, help="When the customer pays this instalment.")
    amount = fields.Monetary(required=True, help="Amount of this instalment, in company currency.")

    @api.constrains("date")
    def _check_date(self):
        for line in self:
            ar_limits.check_date(line, "date", bounds.MIN_DATE, bounds.add_days(fields.Date.today(), bounds.MAX_DAYS))

    def _ar_check_draft(self):
        if self.plan_id.filtered(lambda p: p.state != "draft"):
            raise UserError(self.env._("Only the instalments of a draft payment plan can be changed."))

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._ar_check_draft()
        return lines

    def write(self, vals):
        self._ar_check_draft()
        return super().write(vals)

    def unlink(self):
        self._ar_check_draft()
        return super().unlink()
