from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .analytics_common import ArAnalyticsCommon
from .common import CONTROLLER

BUCKETS = ("amount_b0", "amount_b1", "amount_b2", "amount_b3", "amount_b4", "amount_b5")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestAgingReport(ArAnalyticsCommon):
    def _aging(self, **vals):
        report = self.env["ar.aging.report"].create(vals)
        report._compute_lines()
        return report

    def _buckets(self, lines):
        return [round(sum(lines.mapped(name)), 2) for name in BUCKETS]

    def _receivable_balance(self, partners, as_of):
        self.env.flush_all()
        return self.env.execute_query(
            SQL(
                """
                SELECT COALESCE(SUM(aml.balance), 0)
                  FROM account_move_line aml
                  JOIN account_account a ON a.id = aml.account_id
                 WHERE a.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
                   AND aml.company_id = %s AND aml.partner_id = ANY(%s) AND aml.date <= %s
                """,
                self.company.id,
                partners.ids,
                as_of,
            )
        )[0][0]

    def test_aging_today_by_due_date(self):
        report = self._aging()
        alpha = report.line_ids.filtered(lambda line: line.partner_id == self.customer)
        beta = report.line_ids.filtered(lambda line: line.partner_id == self.beta)
        # Alpha: 500 not due, credit note -200 ten days old; Beta: 300 USD 30 days, 2,000 141 days
        self.assertEqual(self._buckets(alpha), [500.0, -200.0, 0.0, 0.0, 0.0, 0.0])
        self.assertEqual(self._buckets(beta), [0.0, 300.0, 0.0, 0.0, 0.0, 2000.0])
        self.assertEqual(alpha.move_id, self.inv_alpha_june | self.refund_alpha)
        self.assertEqual(
            sorted(beta.mapped("days_overdue")),
            [30, 141],
        )
        self.assertEqual(beta.filtered(lambda line: line.move_id == self.inv_beta_january).bucket, "b5")
        self.assertAlmostEqual(report.total, 2600.0, places=2)
        self.assertAlmostEqual(report.total, self._receivable_balance(self.customer | self.beta, "2026-06-30"))

    def test_jit_setting_put_back_after_the_lines(self):
        """The lines are written with PostgreSQL's JIT off; the rest of the transaction has the connection's setting."""
        before = self.env.execute_query(SQL("SHOW jit"))[0][0]
        report = self._aging()
        self.assertEqual(self.env.execute_query(SQL("SHOW jit"))[0][0], before)
        self.assertAlmostEqual(report.total, 2600.0, places=2)

    def test_aging_in_the_past_undoes_later_payments(self):
        report = self._aging(as_of_date="2026-05-31")
        lines = report.line_ids
        # 600 of March still open on 31 May (61 days); 2,000 111 days; EUR 300 due that day
        self.assertEqual(self._buckets(lines), [300.0, 0.0, 0.0, 600.0, 2000.0, 0.0])
        self.assertEqual(lines.filtered(lambda line: line.partner_id == self.customer).move_id, self.inv_alpha_march)
        self.assertAlmostEqual(report.total, 2900.0, places=2)
        self.assertAlmostEqual(report.total, self._receivable_balance(self.customer | self.beta, "2026-05-31"))
        before_first_payment = self._aging(as_of_date="2026-04-14")
        self.assertEqual(self._buckets(before_first_payment.line_ids), [0.0, 1000.0, 0.0, 2000.0, 0.0, 0.0])

    def test_aging_by_invoice_date(self):
        report = self._aging(basis="invoice")
        self.assertEqual(self._buckets(report.line_ids), [0.0, 300.0, 300.0, 0.0, 0.0, 2000.0])

    def test_filters(self):
        only_alpha = self._aging(partner_ids=[self.contact.id])
        self.assertEqual(only_alpha.line_ids.partner_id, self.customer)
        self.assertAlmostEqual(only_alpha.total, 300.0, places=2)
        by_seller = self._aging(user_ids=[self.seller.id])
        self.assertEqual(by_seller.line_ids.move_id, self.inv_beta_january)
        grade_d = self._aging(risk_grade="D")
        self.assertEqual(grade_d.line_ids.partner_id, self.beta)
        self.assertAlmostEqual(grade_d.total, 2300.0, places=2)
        self.assertFalse(self._aging(risk_grade="A").line_ids)

    def test_company_limits_rename_and_move_buckets(self):
        self.company.write({"ar_aging_limit_1": 15, "ar_aging_limit_2": 31})
        report = self._aging()
        self.assertEqual(self._buckets(report.line_ids), [500.0, -200.0, 300.0, 0.0, 0.0, 2000.0])
        labels = dict(self.env["ar.aging.report.line"]._selection_bucket())
        self.assertEqual(labels["b1"], "1-15")
        self.assertEqual(labels["b5"], "> 120")
        self.assertEqual(self.env["ar.aging.report.line"].fields_get(["amount_b2"])["amount_b2"]["string"], "16-31")
        with self.assertRaises(ValidationError):
            self.company.ar_aging_limit_2 = 10
        self.assertEqual(self.company.ar_aging_limit_2, 31)

    def test_reload_and_bookmark_show_the_same_run(self):
        report = self.env["ar.aging.report"].create({"as_of_date": "2026-05-31"})
        action = report.action_open_lines()
        self.assertEqual(action["context"]["active_id"], report.id)  # kept in the URL by the web client
        self.assertEqual(action["display_name"], "Receivables aging as of 05/31/2026")
        stored = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_optimizer.ar_aging_report_line_action"
        )
        self.assertEqual(stored["id"], action["id"])

        def reload():  # what F5 loads: the stored action with the run of the URL
            domain = safe_eval(stored["domain"], {"active_id": action["context"]["active_id"]})
            return self.env["ar.aging.report.line"].search(domain)

        lines = reload()
        self.assertEqual(lines, report.line_ids)
        self.assertAlmostEqual(sum(lines.mapped("amount_residual")), 2900.0, places=2)
        self.env["ar.aging.report"].create({}).action_open_lines()  # another run, today
        self.assertEqual(reload(), lines)
        june = lines.filtered(lambda line: line.move_id == self.inv_alpha_march)
        self.assertEqual(june.display_name, f"{self.inv_alpha_march.name} - Alpha Industries")

    def test_old_runs_are_vacuumed(self):
        old = self._aging()
        recent = self._aging()
        old_lines = old.line_ids
        self.env.flush_all()
        self.env.cr.execute("UPDATE ar_aging_report SET create_date = '2026-05-30 12:00:00' WHERE id = %s", [old.id])
        self.env.invalidate_all()
        self.env["ar.aging.report"]._gc_ar_report_runs()
        self.assertFalse(old.exists())
        self.assertFalse(old_lines.exists())
        self.assertTrue(recent.exists())  # 30 May is more than 30 days before 30 June; today is not
        self.assertEqual(len(recent.line_ids), 4)

    def test_future_date_refused(self):
        with self.assertRaises(ValidationError):
            self.env["ar.aging.report"].create({"as_of_date": "2026-07-01"})

    def test_other_company_left_out_and_access(self):
        other = self.setup_other_company()["company"]
        move = (
            self.env["account.move"]
            .with_company(other)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_a.id,
                    "invoice_date": "2026-06-01",
                    "invoice_line_ids": [(0, 0, {"name": "x", "quantity": 1, "price_unit": 777.0, "tax_ids": []})],
                }
            )
        )
        move.action_post()
        # the report follows the companies selected in the switcher
        report = self.env["ar.aging.report"].with_context(allowed_company_ids=[self.company.id]).create({})
        report._compute_lines()
        self.assertEqual(report.company_ids, self.company)
        self.assertNotIn(self.partner_a, report.line_ids.partner_id)
        both = self.env["ar.aging.report"].with_context(allowed_company_ids=[self.company.id, other.id]).create({})
        both._compute_lines()
        self.assertAlmostEqual(
            sum(both.line_ids.filtered(lambda line: line.company_id == other).mapped("amount_residual")), 777.0
        )
        controller = self._user("ar_aging_controller", CONTROLLER)
        mine = self.env["ar.aging.report"].with_user(controller).create({})
        mine._compute_lines()
        self.assertAlmostEqual(mine.total, 2600.0, places=2)
        seller = self._user("ar_aging_biller", "account.group_account_invoice")
        with self.assertRaises(AccessError):
            self.env["ar.aging.report"].with_user(seller).create({})


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestAgingQueryCount(ArAnalyticsCommon):
    def _entry(self, count):
        receivable = self.company_data["default_account_receivable"]
        revenue = self.company_data["default_account_revenue"]
        partners = self.env["res.partner"].create([{"name": f"Bulk {i}"} for i in range(min(count, 50))])
        lines = [
            (
                0,
                0,
                {
                    "account_id": receivable.id,
                    "partner_id": partners[i % len(partners)].id,
                    "debit": 1.0,
                    "date_maturity": "2026-05-01",
                },
            )
            for i in range(count)
        ]
        lines.append((0, 0, {"account_id": revenue.id, "credit": float(count)}))
        move = self.env["account.move"].create({"move_type": "entry", "date": "2026-06-01", "line_ids": lines})
        move.action_post()
        return move

    def _queries(self, report):
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        report._compute_lines()
        return self.cr.sql_log_count - start

    def _fact_queries(self):
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        self.env["ar.kpi.fact"]._ar_refresh(self.company, self._date("2024-07-01"), self._date("2026-06-30"))
        return self.cr.sql_log_count - start

    def test_kpis_and_forecast_query_counts_do_not_grow_with_items(self):
        self._fact_queries()  # warm the caches
        self._queries(self.env["ar.forecast.report"].create({}))
        self._entry(10)
        small = {"facts": self._fact_queries(), "forecast": self._queries(self.env["ar.forecast.report"].create({}))}
        self._entry(990)
        large_forecast = self.env["ar.forecast.report"].create({})
        large = {"facts": self._fact_queries(), "forecast": self._queries(large_forecast)}
        self.assertEqual(small, large)
        self.assertEqual(len(large_forecast.line_ids.filtered(lambda line: line.kind == "open")), 1000 + 3)

    def test_same_query_count_for_10_and_1000_items(self):
        self._queries(self.env["ar.aging.report"].create({}))  # warm the caches
        self._entry(10)
        small = self.env["ar.aging.report"].create({})
        small_count = self._queries(small)
        self.assertEqual(len(small.line_ids), 10 + 4)
        self._entry(990)
        large = self.env["ar.aging.report"].create({})
        large_count = self._queries(large)
        self.assertEqual(len(large.line_ids), 1000 + 4)
        self.assertEqual(small_count, large_count)
        self.assertLessEqual(large_count, 8)
        self.assertAlmostEqual(large.total, 2600.0 + 1000.0, places=2)
