import datetime
import io

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .analytics_common import ArAnalyticsCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestAnalyticsPack(ArAnalyticsCommon):
    def _workbook(self, **aging_vals):
        aging = self.env["ar.aging.report"].with_context(allowed_company_ids=[self.company.id]).create(aging_vals)
        pack = self.env["ar.analytics.pack"].create({"aging_report_id": aging.id})
        action = pack.action_download()
        self.assertEqual(action["url"], f"/web/content/{pack.attachment_id.id}?download=true")
        return openpyxl.load_workbook(io.BytesIO(pack.attachment_id.raw), data_only=True)

    @staticmethod
    def _rows(sheet):
        return [list(row) for row in sheet.iter_rows(values_only=True)]

    def test_pack_sheets_and_totals(self):
        book = self._workbook()
        self.assertEqual(
            book.sheetnames,
            [
                "Aging Summary",
                "Aging Detail",
                "KPIs by Month",
                "Receivables History",
                "Forecast",
                "Forecast Accuracy",
                "Credit Insurance",
            ],
        )
        summary = book["Aging Summary"]
        rows = self._rows(summary)
        self.assertEqual(rows[0], ["Customer", "Not due", "1-30", "31-60", "61-90", "91-120", "> 120", "Total"])
        self.assertEqual(rows[1], ["Alpha Industries", 500.0, -200.0, 0.0, 0.0, 0.0, 0.0, 300.0])
        self.assertEqual(rows[2], ["Beta Corp", 0.0, 300.0, 0.0, 0.0, 0.0, 2000.0, 2300.0])
        self.assertEqual(rows[3], ["Total", 500.0, 100.0, 0.0, 0.0, 0.0, 2000.0, 2600.0])
        self.assertEqual(summary.freeze_panes, "A2")
        self.assertEqual(summary.auto_filter.ref, "A1:H3")
        self.assertEqual(summary["B2"].number_format, "#,##0.00")
        detail = self._rows(book["Aging Detail"])
        self.assertEqual(len(detail), 1 + 4 + 1)
        self.assertEqual(detail[-1][0], "Total")
        self.assertEqual(detail[-1][6], 2600.0)
        kpis = self._rows(book["KPIs by Month"])
        june = kpis[-1]
        self.assertEqual(june[0].date().isoformat(), "2026-06-01")
        self.assertEqual(june[2:5], [300.0, 2600.0, 260.0])
        april = kpis[4]
        self.assertEqual(april[0].date().isoformat(), "2026-04-01")
        self.assertIsNone(april[4])  # no credit sales: no DSO
        forecast = self._rows(book["Forecast"])
        self.assertEqual(forecast[-1][0], "Total of the next weeks")
        self.assertEqual(forecast[-1][2], 2800.0)
        # weeks are dates (their Monday), amounts numbers
        self.assertIn([datetime.datetime(2026, 6, 15), "Past week", 300.0, 600.0], forecast)
        self.assertIn([datetime.datetime(2026, 9, 7), "Forecast", 500.0, 0.0], forecast)
        self.assertIn(["Doubtful", "Forecast", 2000.0, 0.0], forecast)
        self.assertEqual(book["Forecast"]["A2"].number_format, "yyyy-mm-dd")

    def test_pack_history_and_accuracy_from_stored_facts(self):
        self.env["ar.forecast.week"].sudo().create(
            {
                "company_id": self.company.id,
                "date": "2026-06-14",
                "week_start": "2026-06-15",
                "partner_id": self.customer.id,
                "amount": 800.0,
            }
        )
        book = self._workbook()
        history = self._rows(book["Receivables History"])
        self.assertEqual(
            history[0],
            ["Date", "Company", "Not due", "1-30", "31-60", "61-90", "91-120", "> 120",
             "Receivables", "Overdue", "Over 90 Days", "Exposure"],
        )  # fmt: skip
        # the month ends back-filled on the first pack, and today; one row per date and company
        self.assertEqual(
            [row[0] for row in history[1:]],
            [
                datetime.datetime(2026, month, day)
                for month, day in ((1, 31), (2, 28), (3, 31), (4, 30), (5, 31), (6, 30))
            ],
        )
        self.assertEqual(history[3][2:], [1000.0, 0.0, 2000.0, 0.0, 0.0, 0.0, 3000.0, 2000.0, 0.0, 3000.0])
        self.assertEqual(history[-1][2:], [500.0, 100.0, 0.0, 0.0, 0.0, 2000.0, 2600.0, 2100.0, 2000.0, 2600.0])
        self.assertEqual(book["Receivables History"]["A2"].number_format, "yyyy-mm-dd")
        accuracy = self._rows(book["Forecast Accuracy"])
        self.assertEqual(accuracy[0], ["Week", "Forecast Stored Before", "Collected", "Absolute Error"])
        self.assertEqual(accuracy[1][0], datetime.datetime(2026, 3, 30))
        # only the week of 15 June had a forecast stored before it
        self.assertEqual(accuracy[12], [datetime.datetime(2026, 6, 15), 800.0, 600.0, 200.0])
        self.assertEqual(accuracy[11], [datetime.datetime(2026, 6, 8), None, 0.0, None])
        self.assertEqual(accuracy[14][0], "MAPE (%)")
        self.assertAlmostEqual(accuracy[14][1], 200.0 / 600.0 * 100, places=2)
        self.assertAlmostEqual(accuracy[15][1], 200.0 / 600.0 * 100, places=2)

    def test_pack_follows_filters(self):
        rows = self._rows(self._workbook(partner_ids=[self.beta.id])["Aging Summary"])
        self.assertEqual(rows[-1], ["Total", 0.0, 300.0, 0.0, 0.0, 0.0, 2000.0, 2300.0])

    def test_monthly_mail_to_managers_and_switch_off(self):
        manager = self._user("ar_pack_manager", "account.group_account_manager")
        manager.email = "manager@example.com"
        self.company.email = "ar@example.com"
        other = self.setup_other_company()["company"]
        other.ar_analytics_mail = False
        before = self.env["mail.mail"].search([])
        self.env["ar.analytics.pack"]._cron_send_monthly()
        mails = self.env["mail.mail"].search([]) - before
        mine = mails.filtered(lambda mail: manager.partner_id in mail.recipient_ids)
        self.assertEqual(len(mine), 1)
        self.assertIn(self.company.name, mine.subject)
        self.assertEqual(len(mine.attachment_ids), 1)
        book = openpyxl.load_workbook(io.BytesIO(mine.attachment_ids.raw), data_only=True)
        self.assertEqual(self._rows(book["Aging Summary"])[-1][-1], 2600.0)
        self.assertFalse(mails.filtered(lambda mail: other.name in (mail.subject or "")))
        self.company.ar_analytics_mail = False
        before = self.env["mail.mail"].search([])
        self.env["ar.analytics.pack"]._cron_send_monthly()
        mails = self.env["mail.mail"].search([]) - before
        self.assertFalse(mails.filtered(lambda mail: self.company.name in (mail.subject or "")))

    def test_controller_downloads_the_pack(self):
        controller = self._user("ar_pack_controller", "account_receivable_optimizer.group_ar_credit_controller")
        aging = (
            self.env["ar.aging.report"].with_user(controller).create({"company_ids": [Command.set(self.company.ids)]})
        )
        action = aging.action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
