from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .analytics_common import ArAnalyticsCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestForecastReport(ArAnalyticsCommon):
    def _forecast(self, **vals):
        report = self.env["ar.forecast.report"].with_context(allowed_company_ids=[self.company.id]).create(vals)
        report._compute_lines()
        return report

    def _weeks(self, lines):
        totals = {}
        for line in lines:
            totals[line.week] = round(totals.get(line.week, 0.0) + line.amount, 2)
        return totals

    def test_next_weeks(self):
        report = self._forecast()
        open_lines = report.line_ids.filtered(lambda line: line.kind == "open")
        # Alpha pays 54.6 days late on average (400 x 15 + 600 x 81) / 1,000: 500 due 15 July
        # expected 8 September; Beta never paid: its overdue invoices are expected this week
        june = open_lines.filtered(lambda line: line.move_id == self.inv_alpha_june)
        self.assertAlmostEqual(june.delay_days, 54.6, places=2)
        self.assertEqual(june.expected_date, self._date("2026-09-08"))
        self.assertEqual(self._weeks(open_lines), {"2026-06-29": 2300.0, "2026-09-07": 500.0})
        self.assertEqual(open_lines.move_id, self.inv_alpha_june | self.inv_beta_january | self.inv_beta_eur)

    def test_past_weeks_forecast_against_collected(self):
        past = self._forecast().line_ids.filtered(lambda line: line.kind == "past")
        self.assertEqual(past.mapped("week"), ["2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22"])
        self.assertEqual(past.mapped("amount"), [2900.0, 2900.0, 2900.0, 2300.0])
        self.assertEqual(past.mapped("actual_amount"), [0.0, 0.0, 600.0, 0.0])
        self.assertEqual(past.mapped("variance"), [-2900.0, -2900.0, -2300.0, -2300.0])

    def test_promises_and_disputes(self):
        promise = self._date("2026-07-08")
        self.env["ar.payment.promise"].create(
            {
                "partner_id": self.inv_alpha_june.commercial_partner_id.id,
                "move_ids": [Command.set(self.inv_alpha_june.ids)],
                "amount": 500.0,
                "promised_date": promise,
            }
        )
        reason = self.env["ar.dispute.reason"].create({"name": "Goods damaged"})
        self.env["ar.invoice.dispute"].create({"move_id": self.inv_beta_eur.id, "reason_id": reason.id})
        lines = self._forecast(past_weeks=0).line_ids
        self.assertFalse(lines.filtered(lambda line: line.kind == "past"))
        self.assertEqual(self._weeks(lines), {"2026-06-29": 2000.0, "2026-07-06": 500.0, "Later": 300.0})
        self.assertTrue(lines.filtered(lambda line: line.move_id == self.inv_beta_eur).disputed)
        self.assertEqual(lines.filtered(lambda line: line.move_id == self.inv_alpha_june).expected_date, promise)

    def test_reload_shows_the_same_run(self):
        report = self.env["ar.forecast.report"].with_context(allowed_company_ids=[self.company.id]).create({})
        action = report.action_open_lines()
        stored = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_optimizer.ar_forecast_report_line_action"
        )
        domain = safe_eval(stored["domain"], {"active_id": action["context"]["active_id"]})
        self.env["ar.forecast.report"].create({}).action_open_lines()
        self.assertEqual(self.env["ar.forecast.report.line"].search(domain), report.line_ids)
        self.assertEqual(report.display_name, "Collection forecast from 2026-06-30")

    def test_past_weeks_checked(self):
        with self.assertRaises(ValidationError):
            self.env["ar.forecast.report"].create({"past_weeks": -1})


@tagged("post_install", "-at_install")
class TestReportGraphs(ArAnalyticsCommon):
    def _measures(self, model, view):
        arch = self.env[model].get_view(self.env.ref(f"account_receivable_optimizer.{view}").id, "graph")["arch"]
        return [node.get("name") for node in etree.fromstring(arch).iter("field") if node.get("type") == "measure"]

    def test_graphs_open_on_the_figure_they_are_about(self):
        # the graph view draws one measure, the last one of its arch
        self.assertEqual(self._measures("ar.forecast.report.line", "ar_forecast_report_line_view_graph"), ["amount"])
        self.assertEqual(self._measures("ar.kpi.fact", "ar_kpi_fact_view_graph"), ["dso"])
