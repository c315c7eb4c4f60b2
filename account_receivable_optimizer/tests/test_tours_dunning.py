from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from ..compat import link_groups
from .dunning_common import ArDunningCommon
from .tour_common import INVOICES, ArTourCase


@tagged("post_install", "-at_install")
class TestDunningTour(ArDunningCommon, ArTourCase):
    """In a browser, a Credit Controller previews the dunning, runs it and finds the reminder in the history."""

    def test_preview_run_and_history(self):
        link_groups(self.collector, self.env.ref("account.group_account_invoice"))
        self.collector.name = "Colin Collector"
        today = fields.Date.context_today(self.env["account.move"])
        invoice = self._invoice(1200.0, invoice_date=today - timedelta(days=50), due_date=today - timedelta(days=20))
        Partner = self.registry["res.partner"]
        run_now = Partner._ar_run_dunning_now

        def run_now_and_work(partners, company):
            # 'Run now' wakes the cron worker, which tests do not run: do its batches here
            result = run_now(partners, company)
            while partners.sudo()._cron_run_dunning():
                pass
            return result

        with patch.object(Partner, "_ar_run_dunning_now", run_now_and_work):
            self.ar_start_tour(INVOICES, "ar_dunning_tour", login="ar_collector")
        communication = self._communications()
        self.assertRecordValues(
            communication,
            [
                {
                    "date": today,
                    "state": "sent",
                    "level_id": self.reminder.id,
                    "amount_total": 1200.0,
                    "channels": "Email",
                }
            ],
        )
        self.assertRecordValues(
            communication.line_ids, [{"move_id": invoice.id, "days_late": 20, "amount_due": 1200.0}]
        )
        mail = self._mails()
        self.assertRecordValues(mail, [{"state": "outgoing", "subject": f"{self.company.name}: Reminder"}])
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertEqual(communication.mail_id, mail)
        self.assertIn(invoice.name, mail.body_html)
        self.assertRecordValues(invoice, [{"ar_dunning_level_id": self.reminder.id, "ar_dunning_date": today}])
