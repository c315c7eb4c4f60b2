from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.addons.account_receivable_optimizer import compat
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
        # expected 8 September; Beta never paid: its EUR invoice, 30 days late, is expected now;
        # its 2,000, 141 days late (more than 0 + 90 days), is doubtful, not "this week"
        june = open_lines.filtered(lambda line: line.move_id == self.inv_alpha_june)
        self.assertAlmostEqual(june.delay_days, 54.6, places=2)
        self.assertEqual(june.expected_date, self._date("2026-09-08"))
        self.assertEqual(self._weeks(open_lines), {"2026-06-29": 300.0, "2026-09-07": 500.0, "doubtful": 2000.0})
        doubtful = open_lines.filtered("doubtful")
        self.assertEqual(doubtful.move_id, self.inv_beta_january)
        # stored as a code, shown in the reader's language
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_receivable_optimizer"], ["fr_FR"], overwrite=True)
        Line = self.env["ar.forecast.report.line"]
        for lang, label in (("en_US", "Doubtful"), ("fr_FR", "Douteux")):
            # what the grouped list and the pivot show: the label, the group's records by their code
            groups = compat.web_read_group(
                Line.with_context(lang=lang), [("id", "in", open_lines.ids)], "week", "amount:sum"
            )
            [(amount, domain)] = [(amount, domain) for week, amount, domain in groups if week == label]
            self.assertEqual(amount, 2000.0)
            self.assertEqual(Line.search(domain), doubtful)
        self.assertFalse(doubtful.expected_date)
        self.assertEqual(open_lines.move_id, self.inv_alpha_june | self.inv_beta_january | self.inv_beta_eur)

    def test_late_items_at_the_usual_delay_from_today(self):
        # Alpha pays 55 days late; an invoice due 21 April is 70 days late on 30 June: not doubtful
        # (15 days beyond its habit), expected 55 days after today, 24 August, not "this week"
        late = self._invoice(800.0, invoice_date="2026-03-22", due_date="2026-04-21")
        line = self._forecast(past_weeks=0).line_ids.filtered(lambda line: line.move_id == late)
        self.assertEqual(line.expected_date, self._date("2026-08-24"))
        self.assertEqual((line.week, line.doubtful), ("2026-08-24", False))
        # the threshold of the customer's policy moves Beta's 2,000 (141 days late) back into the weeks
        self.policy.forecast_doubtful_days = 150
        lines = self._forecast(past_weeks=0).line_ids.filtered(lambda line: line.move_id != late)
        self.assertEqual(self._weeks(lines), {"2026-06-29": 2300.0, "2026-09-07": 500.0})

    def test_handed_over_customers_are_doubtful(self):
        self.beta.with_company(self.company).sudo().ar_collection_state = "handed_over"
        lines = self._forecast(past_weeks=0).line_ids
        self.assertEqual(self._weeks(lines), {"2026-09-07": 500.0, "doubtful": 2300.0})

    def test_past_weeks_forecast_against_collected(self):
        past = self._forecast().line_ids.filtered(lambda line: line.kind == "past")
        self.assertEqual(past.mapped("week"), ["2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22"])
        # only Beta's EUR invoice was expected: the 2,000 was doubtful, Alpha's 600 expected in July
        self.assertEqual(past.mapped("amount"), [300.0, 300.0, 300.0, 300.0])
        self.assertEqual(past.mapped("actual_amount"), [0.0, 0.0, 600.0, 0.0])
        self.assertEqual(past.mapped("variance"), [-300.0, -300.0, 300.0, -300.0])

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
        self.env["ar.payment.promise"].create(
            {
                "partner_id": self.beta.id,
                "move_ids": [Command.set(self.inv_beta_january.ids)],
                "amount": 2000.0,
                "promised_date": promise,
            }
        )
        reason = self.env["ar.dispute.reason"].create({"name": "Goods damaged"})
        self.env["ar.invoice.dispute"].create({"move_id": self.inv_beta_eur.id, "reason_id": reason.id})
        lines = self._forecast(past_weeks=0).line_ids
        self.assertFalse(lines.filtered(lambda line: line.kind == "past"))
        # a promise keeps even a very late invoice expected; a disputed one is doubtful
        self.assertEqual(self._weeks(lines), {"2026-07-06": 2500.0, "doubtful": 300.0})
        eur = lines.filtered(lambda line: line.move_id == self.inv_beta_eur)
        self.assertTrue(eur.disputed and eur.doubtful)
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
        self.assertEqual(report.display_name, "Collection forecast from 06/30/2026")

    def test_past_weeks_checked(self):
        with self.assertRaises(ValidationError):
            self.env["ar.forecast.report"].create({"past_weeks": -1})
        with self.assertRaises(ValidationError):
            self.policy.forecast_doubtful_days = -1


@tagged("post_install", "-at_install")
class TestReportGraphs(ArAnalyticsCommon):
    def _measures(self, model, view):
        arch = self.env[model].get_view(self.env.ref(f"account_receivable_optimizer.{view}").id, "graph")["arch"]
        return [node.get("name") for node in etree.fromstring(arch).iter("field") if node.get("type") == "measure"]

    def test_graphs_open_on_the_figure_they_are_about(self):
        # the graph view draws one measure, the last one of its arch
        self.assertEqual(self._measures("ar.forecast.report.line", "ar_forecast_report_line_view_graph"), ["amount"])
        self.assertEqual(self._measures("ar.kpi.fact", "ar_kpi_fact_view_graph"), ["dso"])
