from odoo import Command, api, fields, models
from odoo.tools import SQL


class ArDunningPreview(models.TransientModel):
    _name = "ar.dunning.preview"
    _description = "Dunning Preview"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    date = fields.Date(default=fields.Date.context_today, readonly=True)
    line_ids = fields.One2many("ar.dunning.preview.line", "preview_id", string="Would be sent", readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "line_ids" in fields_list:
            company = self.env["res.company"].browse(values.get("company_id")) or self.env.company
            today = fields.Date.context_today(self)
            values["line_ids"] = [Command.create(line) for line in self._ar_preview_lines(company, today)]
        return values

    @api.model
    def _ar_preview_lines(self, company, today):
        """Plan the dunning of every customer of the company: nothing is created or sent."""
        Partner = self.env["res.partner"].sudo()
        Partner.flush_model()
        ids = [row[0] for row in self.env.execute_query(Partner._ar_dunning_todo_sql(company, today, SQL("p.id")))]
        return Partner.browse(ids)._ar_dunning_preview(company, today)

    def action_run_now(self):
        """Run the dunning of the company now, then show the reminders of the day."""
        self.ensure_one()
        self.env["res.partner"]._ar_run_dunning_now(self.company_id)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_optimizer.ar_dunning_communication_action"
        )
        action["domain"] = [("date", "=", self.date), ("company_id", "=", self.company_id.id)]
        return action


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
