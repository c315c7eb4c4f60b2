import logging

from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..lib.ar_core import insurance as core_insurance
from ..models.res_partner import CONTROLLER_GROUP, RISK_GRADES

_logger = logging.getLogger(__name__)

#: Columns written by :meth:`ArInsuranceFact._ar_refresh` (one INSERT per company).
FACT_COLUMNS = [
    ("company_id", "int4"),
    ("date", "date"),
    ("partner_id", "int4"),
    ("insurer_id", "int4"),
    ("risk_grade", "varchar"),
    ("exposure", "numeric"),
    ("cover", "numeric"),
    ("insured_share", "numeric"),
    ("guaranteed", "numeric"),
    ("uncovered", "numeric"),
]


class ArInsuranceFact(models.Model):
    """Exposure against insurance cover and guarantees, per customer and insurer, on the day of the fill.

    Filled by :meth:`_ar_refresh` (the nightly analytics job, *Refresh*, the
    XLSX pack) from the credit check's exposure and the covers and guarantees
    counting on the day; never edited by hand. A customer's exposure is split
    so that every row sums to the whole (docs/credit-insurance.md):

    - one row per insurer covering the customer: the part of the exposure its
      covers take (filled in the order of their decisions), its granted cover
      and the insured share;
    - one row without insurer for the rest of the exposure, with the valid
      guarantees and the uncovered exposure.
    """

    _name = "ar.insurance.fact"
    _description = "Credit Insurance Facts"
    _order = "company_id, partner_id, insurer_id, id"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, readonly=True, help="Day the facts were computed.")
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, readonly=True)
    insurer_id = fields.Many2one(
        "res.partner", string="Insurer", index=True, readonly=True, help="Empty: the exposure no insurer covers."
    )
    risk_grade = fields.Selection(RISK_GRADES, readonly=True, help="The customer's grade when the facts were filled.")
    exposure = fields.Monetary(
        readonly=True, help="The customer's exposure (open receivables and drafts) placed on this row."
    )
    cover = fields.Monetary(string="Insurance Cover", readonly=True, help="Cover granted by the insurer on the day.")
    insured_share = fields.Monetary(
        readonly=True, help="What the insurer would pay on a default: covered exposure x indemnity %."
    )
    guaranteed = fields.Monetary(string="Guarantees", readonly=True, help="Guarantees valid on the day.")
    uncovered = fields.Monetary(
        string="Uncovered Exposure", readonly=True, help="Exposure above the cover and the guarantees."
    )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_ar_refresh(self):
        """Recompute the facts of the selected companies (button of the views)."""
        if not self.env.user.has_group(CONTROLLER_GROUP):
            raise AccessError(self.env._("Only Credit Controllers refresh the credit insurance facts."))
        for company in self.env.companies:
            self.sudo()._ar_refresh(company)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _ar_refresh(self, company, today=None):
        """Replace the facts of ``company`` by those of ``today``, in a constant number of queries.

        Returns ``False`` when another worker is filling the same company.
        """
        locked = self.env.execute_query(
            SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s), %s)", self._name, company.id)
        )[0][0]
        if not locked:
            _logger.info("Credit insurance facts of company %s are being filled elsewhere", company.id)
            return False
        today = today or fields.Date.context_today(self)
        self.flush_model()
        self.env.execute_query(SQL("DELETE FROM ar_insurance_fact WHERE company_id = %s", company.id))
        partners = self.env["res.partner"].browse(self._ar_customer_ids(company)).with_company(company).sudo()
        credit = partners._ar_get_credit_data(company, today=today)
        secured = partners._ar_get_cover_data(company, today=today)
        digits = company.currency_id.decimal_places
        vals_list = []
        for partner in partners:
            common = {
                "company_id": company.id,
                "date": today,
                "partner_id": partner.id,
                "risk_grade": partner.ar_risk_grade or False,
            }
            vals_list += self._ar_partner_facts(credit[partner.id].exposure, secured[partner.id], digits, common)
        self.env["ar.aging.report"]._ar_insert_lines(self._name, FACT_COLUMNS, vals_list)
        return True

    @staticmethod
    def _ar_partner_facts(exposure, secured, digits, common):
        """The rows of one customer (see the class); amounts rounded to the currency."""
        parts = core_insurance.fill_covers(exposure, [amount for amount, _percent in secured.covers])
        by_insurer = {}
        for insurer, part, (amount, percent) in zip(secured.insurers, parts, secured.covers, strict=True):
            row = by_insurer.setdefault(insurer, {"exposure": 0.0, "cover": 0.0, "insured_share": 0.0})
            row["exposure"] += part
            row["cover"] += amount
            row["insured_share"] += core_insurance.insured_share(part, amount, percent)
        rows = [
            {
                **common,
                "insurer_id": insurer,
                "guaranteed": 0.0,
                "uncovered": 0.0,
                **{key: round(value, digits) for key, value in values.items()},
            }
            for insurer, values in by_insurer.items()
        ]
        rest = exposure - sum(parts)
        if round(rest, digits) or secured.guarantees:
            rows.append(
                {
                    **common,
                    "insurer_id": False,
                    "exposure": round(rest, digits),
                    "cover": 0.0,
                    "insured_share": 0.0,
                    "guaranteed": round(secured.guarantees, digits),
                    "uncovered": round(
                        core_insurance.uncovered_exposure(exposure, secured.cover, secured.guarantees), digits
                    ),
                }
            )
        return rows

    def _ar_customer_ids(self, company):
        """Commercial partners with open receivables in ``company`` (and branches), a cover or a guarantee."""
        self.env["ar.aging.report"]._flush_receivables()
        self.env["ar.credit.insurance"].flush_model(["company_id", "partner_id", "state"])
        self.env["ar.credit.guarantee"].flush_model(["company_id", "partner_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT p.commercial_partner_id
                  FROM account_move_line aml
                  JOIN account_account a ON a.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                 WHERE aml.company_id IN (SELECT id FROM res_company WHERE parent_path LIKE %(branches)s)
                   AND a.account_type = 'asset_receivable'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.parent_state = 'posted'
                 UNION
                SELECT partner_id FROM ar_credit_insurance WHERE company_id = %(company)s AND state = ANY(%(states)s)
                 UNION
                SELECT partner_id FROM ar_credit_guarantee WHERE company_id = %(company)s
                 UNION
                SELECT m.commercial_partner_id
                  FROM account_move m
                 WHERE m.company_id IN (SELECT id FROM res_company WHERE parent_path LIKE %(branches)s)
                   AND m.state = 'draft'
                   AND m.move_type IN ('out_invoice', 'out_receipt')
                   AND m.amount_total_signed > 0
                """,
                branches=f"{company.sudo().root_id.parent_path}%",
                company=company.id,
                states=sorted(core_insurance.COVERING_STATES),
            )
        )
        return sorted(pid for (pid,) in rows if pid)

    def _ar_insurance_totals(self, companies=None):
        """Insurance totals of the facts for a dashboard: one read, whatever the number of customers.

        :param companies: the companies to sum (default: the user's selected companies)
        :return: ``{"exposure", "covered", "cover", "insured_share", "guaranteed", "uncovered", "insurers"}``:
            ``covered`` is the exposure the insurers' covers take, ``cover`` the covers granted;
            ``insurers`` is ``[{"insurer_id", "name", "exposure", "cover", "insured_share"}]`` by decreasing cover
        """
        companies = companies or self.env.companies
        groups = self._read_group(
            [("company_id", "in", companies.ids)],
            ["insurer_id"],
            ["exposure:sum", "cover:sum", "insured_share:sum", "guaranteed:sum", "uncovered:sum"],
        )
        totals = dict.fromkeys(("exposure", "covered", "cover", "insured_share", "guaranteed", "uncovered"), 0.0)
        insurers = []
        for insurer, exposure, cover, insured, guaranteed, uncovered in groups:
            totals["exposure"] += exposure
            totals["cover"] += cover
            totals["insured_share"] += insured
            totals["guaranteed"] += guaranteed
            totals["uncovered"] += uncovered
            if insurer:
                totals["covered"] += exposure
                insurers.append(
                    {
                        "insurer_id": insurer.id,
                        "name": insurer.display_name,
                        "exposure": exposure,
                        "cover": cover,
                        "insured_share": insured,
                    }
                )
        insurers.sort(key=lambda row: (-row["cover"], row["name"] or ""))
        return {**totals, "insurers": insurers}

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    def _ar_cron_refresh_company(self, company):
        """Refresh the facts of one company for the nightly analytics job, in its own savepoint."""
        try:
            with self.env.cr.savepoint():
                self.sudo()._ar_refresh(company)
        except Exception:  # the insurance facts must never stop the analytics job
            _logger.exception("Credit insurance facts of company %s failed", company.id)
