from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from .. import compat


class ArLatePaymentRate(models.Model):
    """Statutory late-payment interest rates, by the date from which they apply.

    France (Code de commerce L441-10): the ECB refinancing rate in force on
    1 January (first half-year) or 1 July (second half-year) + 10 points: one
    row per half-year. A row without company applies to every company; a
    company's own row wins on the same date.
    """

    _name = "ar.late.payment.rate"
    _description = "Late-Payment Interest Rate"
    _order = "date_from desc, id desc"
    _check_company_auto = True

    date_from = fields.Date(
        string="Applies From",
        required=True,
        index=True,
        help="First day this rate applies to; it applies until the next row. Statutory French rates: "
        "1 January and 1 July, the rate fixed for the half-year.",
    )
    rate = fields.Float(
        string="Annual Rate (%)",
        digits=(16, 2),
        required=True,
        help="Annual simple interest rate in percent, e.g. 12.15 for the ECB rate of 2.15 % + 10 points.",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty for a rate of every company (the statutory rate); a company's own row wins on the same date.",
    )
    note = fields.Char(help="Source of the rate, e.g. the Banque de France or Journal officiel publication.")

    _rate_positive = compat.Constraint("CHECK (rate >= 0)", "A late-payment interest rate cannot be negative.")

    @api.constrains("date_from", "company_id")
    def _check_one_rate_per_date(self):
        for rate in self:
            if self.search_count(
                [
                    ("id", "!=", rate.id),
                    ("date_from", "=", rate.date_from),
                    ("company_id", "=", rate.company_id.id),
                ]
            ):
                raise ValidationError(
                    self.env._(
                        "There is already a late-payment interest rate from %(date)s.",
                        date=rate.date_from,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # _ar_rate_rows
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    def _ar_rate_rows(self, company):
        """``((date_from, rate), ...)`` of ``company``: the rows of every company, then its own (which win)."""
        return self._ar_rate_rows_cached(company.id)

    @api.model
    @tools.ormcache("company_id")
    def _ar_rate_rows_cached(self, company_id):
        rows = self.sudo().search_read(
            [("company_id", "in", [False, company_id])], ["date_from", "rate", "company_id"], order="date_from"
        )
        return tuple((row["date_from"], row["rate"]) for row in sorted(rows, key=lambda row: bool(row["company_id"])))
