from odoo import fields, models


class ArDunningCommunication(models.Model):
    _inherit = "ar.dunning.communication"

    kind = fields.Selection(
        [("dunning", "Payment Reminder"), ("discount", "Discount Reminder")],
        required=True,
        default="dunning",
        readonly=True,
        help="Discount Reminder: the customer was reminded that an early-payment discount expires soon.",
    )

    def _ar_get_mail_template(self):
        if self.kind == "discount":
            return self.env.ref("account_receivable_optimizer.mail_template_discount_reminder")
        return super()._ar_get_mail_template()


class ArDunningCommunicationLine(models.Model):
    _inherit = "ar.dunning.communication.line"

    discount_date = fields.Date(
        string="Pay by",
        readonly=True,
        help="Last day to pay with the early-payment discount, when the reminder mentions it.",
    )
    discount_amount = fields.Monetary(
        string="Discount",
        readonly=True,
        help="Early-payment discount the customer saves by paying on time.",
    )
