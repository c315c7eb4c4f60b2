from odoo import Command, fields, models


class ArDunningCommunication(models.Model):
    _name = "ar.dunning.communication"
    _description = "Dunning Communication"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_name = "partner_id"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True, check_company=True
    )
    date = fields.Date(required=True, index=True, readonly=True, default=fields.Date.context_today)
    level_id = fields.Many2one("ar.dunning.level", string="Level", readonly=True, ondelete="restrict")
    channels = fields.Char(readonly=True)
    state = fields.Selection(
        [("sent", "Sent"), ("failed", "Failed"), ("skipped", "Skipped")], required=True, readonly=True, index=True
    )
    reason = fields.Text(readonly=True, help="Why the communication failed or was skipped.")
    line_ids = fields.One2many("ar.dunning.communication.line", "communication_id", string="Invoices", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_total = fields.Monetary(string="Total Due", readonly=True)
    mail_id = fields.Many2one("mail.mail", string="Email", readonly=True, ondelete="set null")
    activity_id = fields.Many2one("mail.activity", string="Collector Task", readonly=True, ondelete="set null")
    charge_move_id = fields.Many2one("account.move", string="Charges Invoice", readonly=True, check_company=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Documents", readonly=True)

    def _ar_send_email(self, partner):
        """Email the reminder; without an address record the failure and plan a collector task."""
        self.ensure_one()
        recipient = partner.browse(partner.address_get(["invoice"])["invoice"])
        if not recipient.email:
            recipient = partner
        if not recipient.email:
            self.write({"state": "failed", "reason": self.env._("The customer has no email address.")})
            self.activity_id = partner._ar_schedule_task(
                self.env._("Send the reminder: no email address"),
                self.env._(
                    "The %(level)s reminder could not be emailed: %(customer)s has no email address. "
                    "Contact the customer and record its email address.",
                    level=self.level_id.name,
                    customer=partner.display_name,
                ),
                self.date,
            )
            return False
        for line in self.line_ids:
            line.portal_url = line.move_id.get_base_url() + line.move_id.get_portal_url()
        mail_id = self.level_id.mail_template_id.send_mail(
            self.id,
            force_send=False,
            email_values={"recipient_ids": [Command.link(recipient.id)]},
        )
        self.mail_id = mail_id
        return True


class ArDunningCommunicationLine(models.Model):
    _name = "ar.dunning.communication.line"
    _description = "Dunning Communication Invoice"
    _order = "due_date, id"

    communication_id = fields.Many2one(
        "ar.dunning.communication", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="communication_id.company_id", store=True, index=True)
    move_id = fields.Many2one("account.move", string="Invoice", required=True, readonly=True)
    level_id = fields.Many2one("ar.dunning.level", string="Level", readonly=True)
    due_date = fields.Date(readonly=True)
    days_late = fields.Integer(readonly=True)
    currency_id = fields.Many2one(related="communication_id.currency_id")
    amount_due = fields.Monetary(readonly=True)
    portal_url = fields.Char(readonly=True, help="Link for the customer to see and pay the invoice online.")
