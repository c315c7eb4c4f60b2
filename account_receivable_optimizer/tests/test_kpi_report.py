from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .analytics_common import ArAnalyticsCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestKpiReport(ArAnalyticsCommon):
    def _kpis(self, **vals):
        report = self.env["ar.kpi.report"].with_context(allowed_company_ids=[self.company.id]).create(vals)
        report._compute_lines()
        return report

    def _month(self, lines, month):
        line = lines.filtered(lambda line: line.month == self._date(month))
        self.assertEqual(len(line), 1)
        return line

    def _assert_kpis(self, line, **expected):
        for name, value in expected.items():
            self.assertAlmostEqual(line[name], value, places=2, msg=name)

    def test_company_kpis_of_june_worked_example(self):
        self.policy.target_dso = 45.0
        report = self._kpis()
        self.assertEqual(report.date_to, self._date("2026-06-30"))
        self.assertEqual(
            report.line_ids.mapped("month"),
            [self._date(f"2026-0{month}-01") for month in range(1, 7)],
        )
        self._assert_kpis(
            self._month(report.line_ids, "2026-06-01"),
            credit_sales=300.0,
            beginning_receivables=2900.0,
            receivables=2600.0,
            current_receivables=500.0,
            overdue_receivables=2100.0,
            over_90_receivables=2000.0,
            dso=260.0,
            countback_dso=165.5,
            bpdso=50.0,
            add=210.0,
            cei=22.22,
            percent_overdue=80.77,
            percent_over_90=76.92,
            days_to_pay=111.0,
            paid_amount=600.0,
            target_dso=45.0,
        )

    def test_company_kpis_of_may_and_a_month_without_sales(self):
        lines = self._kpis().line_ids
        self._assert_kpis(
            self._month(lines, "2026-05-01"),
            credit_sales=300.0,
            receivables=2900.0,
            current_receivables=300.0,
            dso=299.67,
            countback_dso=144.8,
            bpdso=31.0,
            add=268.67,
            cei=0.0,
            percent_overdue=89.66,
            percent_over_90=68.97,
            days_to_pay=0.0,
        )
        april = self._month(lines, "2026-04-01")
        self.assertFalse(april.has_sales)
        self._assert_kpis(april, credit_sales=0.0, receivables=2600.0, dso=0.0, days_to_pay=45.0, paid_amount=400.0)
        self.assertTrue(self._month(lines, "2026-05-01").has_sales)

    def test_kpis_per_customer(self):
        lines = self._kpis(dimension="customer").line_ids
        june = lines.filtered(lambda line: line.month == self._date("2026-06-01"))
        self.assertEqual(june.partner_id, self.customer | self.beta)
        alpha = june.filtered(lambda line: line.partner_id == self.customer)
        self._assert_kpis(
            alpha, receivables=300.0, dso=30.0, countback_dso=30.0, bpdso=50.0, add=-20.0, cei=150.0, days_to_pay=111.0
        )
        beta = june.filtered(lambda line: line.partner_id == self.beta)
        self.assertFalse(beta.has_sales)
        self._assert_kpis(beta, receivables=2300.0, dso=0.0, countback_dso=181.0)

    def test_kpis_per_grade_and_salesperson(self):
        june = self._kpis(dimension="grade").line_ids.filtered(lambda line: line.month == self._date("2026-06-01"))
        self.assertEqual(set(june.mapped("risk_grade")), {False, "D"})
        self._assert_kpis(june.filtered(lambda line: line.risk_grade == "D"), receivables=2300.0)
        seller = self._kpis(dimension="salesperson", user_ids=[self.seller.id]).line_ids
        self.assertEqual(seller.user_id, self.seller)
        self._assert_kpis(self._month(seller, "2026-01-01"), credit_sales=2000.0, receivables=2000.0, dso=31.0)

    def test_months_checked(self):
        with self.assertRaises(ValidationError):
            self.env["ar.kpi.report"].create({"months": 0})
