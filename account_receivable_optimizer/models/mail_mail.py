from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    # 19.0 added a ``success_emails`` argument after ``success_pids`` (18.0 has none):
    # passed on as received.
    def _postprocess_sent_message(self, success_pids, *args, failure_reason=False, failure_type=None, **kwargs):
        if failure_type:
            reminders = self.filtered(lambda mail: mail.model == "ar.dunning.communication" and mail.res_id)
            for mail in reminders:
                communication = self.env["ar.dunning.communication"].sudo().browse(mail.res_id).exists()
                if communication:
                    label = dict(self._fields["failure_type"]._description_selection(self.env)).get(failure_type)
                    communication._ar_email_failed(failure_reason or mail.failure_reason or label or failure_type)
        return super()._postprocess_sent_message(
            success_pids, *args, failure_reason=failure_reason, failure_type=failure_type, **kwargs
        )
