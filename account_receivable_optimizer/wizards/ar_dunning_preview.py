from odoo import Command, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..models.ar_protected_fields_mixin import check_allowed_companies
from ..models.res_partner import CONTROLLER_GROUP


class ArDunningPreview(models.TransientModel):
    _name = "ar.dunning.preview"
    _description = "Dunning Preview"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    date = fields.Date(default=fields.Date.context_today, readonly=True)
    line_ids = fields.One2many("ar.dunning.preview.line", "preview_id", string="Would be sent", readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        company = self.env["res.company"].browse(values.get("company_id")) or self.env.company
        self._ar_check_access(company)
        if "line_ids" in fields_list:
            today = fields.Date.context_today(self)
            values["line_ids"] = [Command.create(line) for line in self._ar_preview_lines(company, today)]
        return values

    @api.model_create_multi
    def create(self, vals_list):
        previews = super().create(vals_list)
        for preview in previews:
            preview._ar_check_access(preview.sudo().company_id)
        return previews

    def write(self, vals):
        result = super().write(vals)
        for preview in self:
            preview._ar_check_access(preview.sudo().company_id)
        return result

    @api.model
    def _ar_check_access(self, company):
        """The preview plans as superuser: only Credit Controllers, for their own companies."""
        if self.env.su:
            return
        if not self.env.user.has_group(CONTROLLER_GROUP):
            raise AccessError(self.env._("Only Credit Controllers can preview and run the dunning."))
        check_allowed_companies(self.env, company, self.env._("the dunning"))

    @api.model
    def _ar_preview_lines(self, company, today):
        """Plan the dunning of every customer of the company: nothing is created or sent."""
        Partner = self.env["res.partner"].sudo()
        Partner.flush_model()
        ids = [row[0] for row in self.env.execute_query(Partner._ar_dunning_todo_sql(company, today, SQL("p.id")))]
        return Partner.browse(ids)._ar_dunning_preview(company, today)

    def action_run_now(self):
        """Start the dunning job now (a cron worker runs it batch by batch), then show the reminders of the day."""
        self.ensure_one()
        self._ar_check_access(self.sudo().company_id)
        self.env["res.partner"]._ar_run_dunning_now(self.company_id)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_optimizer.ar_dunning_communication_action"
        )
        action["domain"] = [("date", "=", self.date), ("company_id", "=", self.company_id.id)]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Dunning started"),
                "message": self.env._(
                    "The dunning runs in the background, a batch of customers at a time: the reminders appear "
                    "here as they are sent (reload to see the latest)."
                ),
                "type": "info",
                "next": action,
            },
        }


class ArDunningPreviewLine(models.TransientModel):
    _name = "ar.dunning.preview.line"
    _description = "Dunning Preview Line"

    preview_id = fields.Many2one("ar.dunning.preview", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    level_id = fields.Many2one("ar.dunning.level", string="Level", readonly=True)
    currency_id = fields.Many2one(related="preview_id.company_id.currency_id")
    amount = fields.Monetary(string="Amount Due", readonly=True)
    invoice_count = fields.Integer(string="Invoices", readonly=True)
    note = fields.Char(string="Actions", readonly=True)
