import logging

from odoo import api, fields, models
from odoo.tools import SQL, formatLang, plaintext2html

from ..lib.ar_core import insurance as core_insurance
from .ar_retry import is_concurrency_error

_logger = logging.getLogger(__name__)

DECLARATION_TYPE = "account_receivable_optimizer.mail_activity_ar_insurance_declaration"
COVER_TYPE = "account_receivable_optimizer.mail_activity_ar_insurance_cover"


class ResPartner(models.Model):
    """Deadlines of credit insurance: the nightly job that warns the Credit Manager (docs/credit-insurance.md)."""

    _inherit = "res.partner"

    ar_insurance_checked_date = fields.Date(
        string="Insurance Checked On",
        company_dependent=True,
        readonly=True,
        help="Technical: when the nightly insurance job last handled this customer (even if it failed).",
    )

    def _ar_insurance_todo_sql(self, company, today, select, claim=None):
        """Insured commercial partners of ``company`` not yet handled on ``today``
        (see ``res.partner._ar_todo_sql``)."""
        work = SQL(
            """
            EXISTS (
                SELECT 1
                  FROM ar_credit_insurance i
                 WHERE i.partner_id = p.id
                   AND i.company_id = %(company)s
                   AND i.state = ANY(%(states)s)
            )
            """,
            company=company.id,
            states=sorted(core_insurance.COVERING_STATES),
        )
        return self._ar_todo_sql("ar_insurance_checked_date", company, today, select, work, claim)

    @api.model
    def _cron_insurance_deadlines(self, batch_size=200):
        """Warn the Credit Manager of insurance deadlines, a batch of customers per call.

        :return: the number of customers still to handle
        """
        return self._ar_cron_partner_batch(
            self._ar_insurance_todo_sql,
            lambda partners, company, today: partners._ar_check_insurance_deadlines(company, today),
            batch_size,
        )

    def _ar_check_insurance_deadlines(self, company, today):
        """Plan the insurance activities of commercial partners of ``self``, each in its own savepoint.

        :return: the number of partners handled (those left for a retry not counted)
        """
        partners = self.with_company(company)
        self.env["ar.credit.insurance"].flush_model()
        credit = partners._ar_get_credit_data(company, today=today)
        covers = (
            self.env["ar.credit.insurance"]
            .sudo()
            .search([("company_id", "=", company.id), ("partner_id", "in", partners.ids)])
            .filtered(lambda c: c._ar_counts_on(today))
            .grouped("partner_id")
        )
        done = 0
        for partner in partners:
            try:
                with self.env.cr.savepoint():
                    for cover in covers.get(partner, self.env["ar.credit.insurance"]):
                        cover._ar_warn_deadlines(credit[partner.id], today)
                    partner.sudo().ar_insurance_checked_date = today
            except Exception as error:  # one bad customer must not stop the others
                if is_concurrency_error(error):
                    _logger.info("Insurance deadlines of partner %s, company %s: retried", partner.id, company.id)
                    continue
                _logger.exception("Insurance deadlines of partner %s in company %s failed", partner.id, company.id)
                partner.sudo().ar_insurance_checked_date = today
            done += 1
        return done

    def _ar_plan_insurance_activity(self, activity_type, deadline, user, note):
        """Plan an activity of ``activity_type`` (xml id) due on ``deadline``, once.

        An activity of the same type and deadline on this customer, open or
        done, means the Credit Manager was already warned of it.
        """
        self.ensure_one()
        activity_type = self.env.ref(activity_type)
        known = (
            self.env["mail.activity"]
            .sudo()
            .with_context(active_test=False)
            .search_count(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", self.id),
                    ("activity_type_id", "=", activity_type.id),
                    ("date_deadline", "=", deadline),
                ],
                limit=1,
            )
        )
        if known:
            return self.env["mail.activity"]
        return self.sudo().activity_schedule(
            activity_type_id=activity_type.id,
            date_deadline=deadline,
            note=plaintext2html(note),
            user_id=user.id,
        )

    def _ar_money(self, amount, company, lang):
        return formatLang(self.with_context(lang=lang).env, amount, currency_obj=company.currency_id)
