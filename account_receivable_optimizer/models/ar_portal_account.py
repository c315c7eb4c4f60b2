from odoo import api, fields, models


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

    _sql_constraints = [
        ("partner_company_uniq", "unique(partner_id, company_id)", "One portal access per customer and company."),
    ]

    def _compute_access_url(self):
        for account in self:
            account.access_url = f"/my/receivables/{account.id}"

    @api.model
    def _ar_get(self, partner, company):
        """The portal access of ``partner``'s commercial partner in ``company``, created on first use."""
        commercial = partner.commercial_partner_id
        account = self.sudo().search([("partner_id", "=", commercial.id), ("company_id", "=", company.id)], limit=1)
        if not account:
            account = self.sudo().create({"partner_id": commercial.id, "company_id": company.id})
        account._portal_ensure_token()
        return account
