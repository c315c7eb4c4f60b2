from odoo.tests import tagged
from odoo.tools import SQL

from .common import ArCreditCommon

ADDON = "account_receivable_optimizer"


@tagged("post_install", "-at_install")
class TestNotGraded(ArCreditCommon):
    """Customers not graded read "Not graded" ("Sans notation"), grouped or not, never "None"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.graded = cls.env["res.partner"].create({"name": "Graded Co", "is_company": True})
        cls.graded.sudo().ar_risk_grade = "B"
        cls._invoice(100.0)
        cls._invoice(250.0, partner=cls.graded)
        cls.partners = cls.customer | cls.graded

    def _labels(self, model, field, lang):
        description = self.env[model].with_context(lang=lang).fields_get([field], ["selection"])[field]
        return dict(description["selection"])

    def test_partners_grouped_by_grade(self):
        self.assertEqual(self.customer.ar_risk_grade, "ungraded")
        groups = self.env["res.partner"]._read_group(
            [("id", "in", self.partners.ids)], ["ar_risk_grade"], ["id:array_agg"]
        )
        self.assertEqual(groups, [("B", [self.graded.id]), ("ungraded", [self.customer.id])])
        # a domain on the code finds them too
        self.assertEqual(
            self.env["res.partner"].search([("id", "in", self.partners.ids), ("ar_risk_grade", "=", "ungraded")]),
            self.customer,
        )
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms([ADDON], ["fr_FR"], overwrite=True)
        self.assertEqual(self._labels("res.partner", "ar_risk_grade", "en_US")["ungraded"], "Not graded")
        self.assertEqual(self._labels("res.partner", "ar_risk_grade", "fr_FR")["ungraded"], "Sans notation")
        self.assertEqual(self._labels("ar.aging.report.line", "risk_grade", "fr_FR")["ungraded"], "Sans notation")

    def test_reports_store_the_code(self):
        report = self.env["ar.aging.report"].create({})
        report._compute_lines()
        lines = self.env["ar.aging.report.line"].search([("report_id", "=", report.id)])
        self.assertEqual(
            sorted((line.partner_id.name, line.risk_grade, line.amount_residual) for line in lines),
            [("Alpha Industries", "ungraded", 100.0), ("Graded Co", "B", 250.0)],
        )
        # the report's grade filter finds the customers not graded
        only = self.env["ar.aging.report"].create({"risk_grade": "ungraded"})
        only._compute_lines()
        lines = self.env["ar.aging.report.line"].search([("report_id", "=", only.id)])
        self.assertEqual(lines.partner_id, self.customer)

    def test_rows_filled_before_get_the_code(self):
        """The update gives the code to the stored report rows of customers without grade."""
        report = self.env["ar.aging.report"].create({})
        report._compute_lines()
        lines = self.env["ar.aging.report.line"].search([("report_id", "=", report.id)])
        self.env.flush_all()
        self.env.cr.execute(SQL("UPDATE ar_aging_report_line SET risk_grade = NULL WHERE id = ANY(%s)", lines.ids))
        lines.invalidate_recordset()
        self.assertEqual(set(lines.mapped("risk_grade")), {False})
        self.env["res.partner"]._ar_store_not_graded()
        self.assertEqual(sorted(lines.mapped("risk_grade")), ["ungraded", "ungraded"])
