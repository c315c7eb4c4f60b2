import uuid

from odoo import api, fields, models

from .. import compat


class ArPortalAccount(models.Model):
    """The customer's account on the portal: one per customer and company, with its access token.

    The reminders link to it with the token (``get_portal_url``); a portal
    user of the customer reaches it from *My Account* without one.
    """

    _name = "ar.portal.account"
    _description = "Customer Receivables Portal Access"
    _inherit = ["portal.mixin"]
    _check_company_auto = True
    _rec_name = "partner_id"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        readonly=True,
        ondelete="cascade",
        check_company=True,
        help="Commercial partner whose open invoices the page shows.",
    )

    _partner_company_uniq = compat.Constraint(
        "unique(partner_id, company_id)", "One portal access per customer and company."
    )

    def _compute_access_url(self):
        for account in self:
            account.access_url = f"/my/receivables/{account.id}"

    @api.model
    def _ar_get(self, partner, company):
        """The portal access of ``partner``'s commercial partner in ``company``, created on first use."""
        return self._ar_get_many(partner, company)

    @api.model
    def _ar_get_many(self, partners, company):
        """The portal accesses (sudo, with their token) of the commercial partners of ``partners`` in
        ``company``, the missing ones created: two queries for a whole batch."""
        commercial = partners.commercial_partner_id
        accounts = self.sudo().search([("partner_id", "in", commercial.ids), ("company_id", "=", company.id)])
        missing = commercial - accounts.partner_id
        if missing:
            accounts |= self.sudo().create(
                [
                    {"partner_id": partner.id, "company_id": company.id, "access_token": str(uuid.uuid4())}
                    for partner in missing
                ]
            )
        for account in accounts.filtered(lambda a: not a.access_token):
            account._portal_ensure_token()
        return accounts

    @api.model
    def _ar_urls(self, partners, company):
        """``{commercial partner id: tokenized link of its page}`` for the reminders of ``partners``."""
        return {
            account.partner_id.id: account.get_base_url() + account.get_portal_url()
            for account in self._ar_get_many(partners, company)
        }
