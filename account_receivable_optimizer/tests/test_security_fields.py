import io

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CONTROLLER, MANAGER
from .dunning_common import ArDunningCommon

#: A value for each protected partner field, none of which the customer has.
FORGED = {
    "ar_risk_score": 99.0,
    "ar_risk_grade": "A",
    "ar_risk_grade_date": "2099-01-01",
    "ar_risk_breakdown": "Forged",
    "ar_risk_breakdown_data": '{"score": 100.0, "grade": "A"}',
    "ar_risk_checked_date": "2099-01-01",
    "ar_last_dunning_date": "2099-01-01",
    "ar_dunning_checked_date": "2099-01-01",
    "ar_dunning_priority": 1.0,
}


@tagged("post_install", "-at_install")
@freeze_time("2026-04-15")
class TestSecurityFields(ArDunningCommon):
    """Fields the credit control sets itself, wizards and reports across companies, escaping."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(1000.0, invoice_date="2026-03-01", due_date="2026-03-31")
        cls.customer.sudo().write({"ar_risk_grade": "E", "ar_risk_score": 10.0})
        # everybody may edit contacts ("Contact Creation"): what is refused is ours
        cls.salesperson = cls._user("ar_sales", "base.group_user,base.group_partner_manager")
        cls.billing = cls._user("ar_billing", "account.group_account_invoice,base.group_partner_manager")
        cls.controller = cls._user("ar_controller", f"{CONTROLLER},base.group_partner_manager")
        cls.manager = cls._user("ar_manager", f"{MANAGER},base.group_partner_manager")
        cls.other_company = cls.setup_other_company()["company"]

    # ------------------------------------------------------------------
    # Protected partner fields
    # ------------------------------------------------------------------

    def _assert_partner_field_refused(self, name, value):
        before = self.customer.sudo()[name]
        for user in (self.salesperson, self.billing, self.controller, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                # a context key never unlocks anything
                self.customer.with_user(user).with_context(ar_internal=True, tracking_disable=True).write({name: value})
            with self.subTest(user=user.login, create=True), self.assertRaises(AccessError):
                self.env["res.partner"].with_user(user).create({"name": "Forged", name: value})
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.sudo()[name], before)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Forged")]))

    def test_risk_score_protected(self):
        self._assert_partner_field_refused("ar_risk_score", FORGED["ar_risk_score"])

    def test_risk_grade_protected(self):
        self._assert_partner_field_refused("ar_risk_grade", FORGED["ar_risk_grade"])

    def test_risk_grade_date_protected(self):
        self._assert_partner_field_refused("ar_risk_grade_date", FORGED["ar_risk_grade_date"])

    def test_risk_breakdown_protected(self):
        self._assert_partner_field_refused("ar_risk_breakdown", FORGED["ar_risk_breakdown"])

    def test_risk_breakdown_data_protected(self):
        self._assert_partner_field_refused("ar_risk_breakdown_data", FORGED["ar_risk_breakdown_data"])

    def test_risk_checked_date_protected(self):
        self._assert_partner_field_refused("ar_risk_checked_date", FORGED["ar_risk_checked_date"])

    def test_dunning_level_protected(self):
        self._assert_partner_field_refused("ar_dunning_level_id", self.handover.id)

    def test_last_dunning_date_protected(self):
        self._assert_partner_field_refused("ar_last_dunning_date", FORGED["ar_last_dunning_date"])

    def test_dunning_checked_date_protected(self):
        self._assert_partner_field_refused("ar_dunning_checked_date", FORGED["ar_dunning_checked_date"])

    def test_dunning_priority_protected(self):
        self._assert_partner_field_refused("ar_dunning_priority", FORGED["ar_dunning_priority"])

    def test_other_partner_fields_stay_editable(self):
        self.customer.with_user(self.salesperson).write({"phone": "+32 2 000 00 00"})
        self.customer.with_user(self.controller).write({"ar_no_dunning": True})
        self.customer.with_user(self.manager).write({"ar_credit_hold": True})
        # sending back the value a protected field has changes nothing: not refused
        self.customer.with_user(self.salesperson).write({"ar_risk_grade": "E", "ar_risk_score": 10.0})
        self.assertRecordValues(
            self.customer,
            [{"ar_no_dunning": True, "ar_credit_hold": True, "ar_risk_grade": "E", "ar_risk_score": 10.0}],
        )

    def test_grading_and_dunning_still_write_them(self):
        # the nightly jobs and "Recompute" / "Run now" of a Credit Controller, not as superuser
        self.assertFalse(self.env.su)
        with freeze_time("2026-04-15"):
            self.customer.with_user(self.controller).action_ar_recompute_risk_grade()
        self.customer.invalidate_recordset()
        self.assertRecordValues(
            self.customer,
            [{"ar_risk_grade_date": self._date("2026-04-15"), "ar_risk_checked_date": self._date("2026-04-15")}],
        )
        self.assertNotEqual(self.customer.ar_risk_score, 10.0)
        self.assertIn("Score ", self.customer.ar_risk_breakdown)
        self.env["ar.dunning.preview"].with_user(self.controller).create({}).action_run_now()
        self.env["res.partner"]._cron_run_dunning()  # what the cron worker started by 'Run now' does
        self.customer.invalidate_recordset()
        self.assertRecordValues(
            self.customer,
            [
                {
                    "ar_dunning_level_id": self.reminder.id,
                    "ar_last_dunning_date": self._date("2026-04-15"),
                    "ar_dunning_checked_date": self._date("2026-04-15"),
                }
            ],
        )
        self.assertGreater(self.customer.ar_dunning_priority, 0.0)
        self.assertRecordValues(self.invoice, [{"ar_dunning_level_id": self.reminder.id}])

    # ------------------------------------------------------------------
    # Disputes, promises, overrides
    # ------------------------------------------------------------------

    def test_dispute_state_set_by_its_actions_only(self):
        reason = self.env["ar.dispute.reason"].create({"name": "Late delivery"})
        Dispute = self.env["ar.invoice.dispute"].with_user(self.billing)
        with self.assertRaises(AccessError):
            Dispute.create({"move_id": self.invoice.id, "reason_id": reason.id, "state": "resolved"})
        dispute = Dispute.create({"move_id": self.invoice.id, "reason_id": reason.id})
        for vals in ({"state": "resolved"}, {"date_resolved": "2026-04-01"}, {"user_id": self.manager.id}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                dispute.write(vals)
        self.assertRecordValues(dispute, [{"state": "open", "date_resolved": False, "user_id": self.billing.id}])
        dispute.write({"note": "Delivered on 2 March", "state": "open"})
        dispute.action_resolve()
        self.assertRecordValues(dispute, [{"state": "resolved", "date_resolved": self._date("2026-04-15")}])

    def test_promise_state_set_by_the_module_only(self):
        Promise = self.env["ar.payment.promise"].with_user(self.controller)
        vals = {
            "partner_id": self.customer.id,
            "move_ids": [Command.set(self.invoice.ids)],
            "amount": 1000.0,
            "promised_date": "2026-04-20",
        }
        for forged in ({"state": "kept"}, {"escalated": True}, {"amount_due_at_promise": 1.0}):
            with self.subTest(forged=forged), self.assertRaises(AccessError):
                Promise.create(vals | forged)
        promise = Promise.create(vals)
        self.assertRecordValues(promise, [{"state": "pending", "escalated": False, "amount_due_at_promise": 1000.0}])
        for forged in ({"state": "kept"}, {"escalated": True}, {"amount_due_at_promise": 1.0}):
            with self.subTest(forged=forged), self.assertRaises(AccessError):
                promise.write(forged)
        self.assertRecordValues(promise, [{"state": "pending", "escalated": False, "amount_due_at_promise": 1000.0}])
        # its customer and invoices are those of the amount due at promise
        paid = self._invoice(1000.0, invoice_date="2026-04-01")
        self._pay(paid, 1000.0, "2026-04-10")
        other = self.env["res.partner"].create({"name": "Other customer"})
        for forged in ({"move_ids": [Command.set(paid.ids)]}, {"move_ids": [Command.link(paid.id)]}):
            with self.subTest(forged=forged), self.assertRaises(AccessError):
                promise.write(forged)
        with self.assertRaises(AccessError):
            promise.write({"partner_id": other.id})
        self.assertRecordValues(promise, [{"partner_id": self.customer.id, "move_ids": self.invoice.ids}])
        promise.write({"note": "Will pay by transfer", "move_ids": [Command.set(self.invoice.ids)]})

    def test_overrides_created_by_the_wizard_only(self):
        draft = self._invoice(10.0, post=False)
        with self.assertRaises(AccessError):
            self.env["ar.credit.override"].with_user(self.manager).create(
                {"move_id": draft.id, "partner_id": self.customer.id, "reason": "forged", "state": "applied"}
            )
        self.assertFalse(self.env["ar.credit.override"].search([("move_id", "=", draft.id)]))

    # ------------------------------------------------------------------
    # Wizards and reports across companies
    # ------------------------------------------------------------------

    def _other_company_draft(self):
        return (
            self.env["account.move"]
            .with_company(self.other_company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": "2026-04-01",
                    "invoice_line_ids": [
                        Command.create({"name": "Service", "quantity": 1, "price_unit": 700.0, "tax_ids": []})
                    ],
                }
            )
        )

    def test_dunning_preview_of_another_company(self):
        other_invoice = self._other_company_draft()
        other_invoice.action_post()
        self.env["ar.dunning.level"].create(
            {
                "policy_id": self.other_company.ar_credit_policy_id.id,
                "company_id": self.other_company.id,
                "name": "Rappel",
                "offset_days": -30,
                "mail_template_id": self.template.id,
            }
        )
        Preview = self.env["ar.dunning.preview"].with_user(self.controller)
        previews = self.env["ar.dunning.preview"].sudo().search_count([])
        with self.assertRaises(AccessError):
            Preview.with_context(default_company_id=self.other_company.id).default_get(["company_id", "line_ids"])
        with self.assertRaises(AccessError):
            Preview.create({"company_id": self.other_company.id})
        self.assertEqual(self.env["ar.dunning.preview"].sudo().search_count([]), previews)
        preview = self.env["ar.dunning.preview"].sudo().create({"company_id": self.other_company.id})
        with self.assertRaises(AccessError):
            preview.with_user(self.controller).action_run_now()
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.controller)._ar_run_dunning_now(self.other_company)
        self.assertFalse(
            self.env["ar.dunning.communication"].sudo().search([("company_id", "=", self.other_company.id)])
        )
        # nor a portal user, nor a billing user, in any company
        portal = new_test_user(self.env, login="ar_portal", groups="base.group_portal")
        for user in (portal, self.billing):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["ar.dunning.preview"].with_user(user).default_get(["company_id", "line_ids"])
        # its own company works
        lines = Preview.default_get(["company_id", "line_ids"])["line_ids"]
        self.assertEqual([line[2]["partner_id"] for line in lines], [self.customer.id])

    def test_override_wizard_with_another_company_invoice(self):
        other_invoice = self._other_company_draft()
        Wizard = self.env["ar.credit.override.wizard"].with_user(self.manager)
        with self.assertRaises(AccessError):
            Wizard.create({"move_ids": [Command.set(other_invoice.ids)], "reason": "mine now"})
        own_draft = self._invoice(10.0, post=False)
        wizard = Wizard.create({"move_ids": [Command.set(own_draft.ids)], "reason": "fine"})
        with self.assertRaises(AccessError):
            wizard.write({"move_ids": [Command.link(other_invoice.id)]})
        self.assertEqual(other_invoice.state, "draft")
        self.assertFalse(self.env["ar.credit.override"].sudo().search([("move_id", "=", other_invoice.id)]))

    def test_reports_of_another_company(self):
        other = [Command.set(self.other_company.ids)]
        for model in ("ar.aging.report", "ar.forecast.report"):
            Report = self.env[model].with_user(self.controller)
            with self.subTest(model=model):
                with self.assertRaises(AccessError):
                    Report.create({"company_ids": other})
                report = Report.create({})
                self.assertEqual(report.company_ids, self.company)
                with self.assertRaises(AccessError):
                    report.write({"company_ids": other})
                self.assertFalse(self.env[model].sudo().search([("company_ids", "in", self.other_company.ids)]))
        foreign_aging = self.env["ar.aging.report"].sudo().create({"company_ids": other})
        with self.assertRaises(AccessError):
            self.env["ar.analytics.pack"].with_user(self.controller).create({"aging_report_id": foreign_aging.id})
        with self.assertRaises(AccessError):
            self.env["ar.receivables.dashboard"].with_user(self.controller).get_dashboard_data(self.other_company.ids)
        self.assertFalse(self.env["ar.analytics.pack"].sudo().search([("aging_report_id", "=", foreign_aging.id)]))

    # ------------------------------------------------------------------
    # Escaping
    # ------------------------------------------------------------------

    def test_formula_like_customer_name_is_text_in_the_xlsx(self):
        formula = self.env["res.partner"].create({"name": '=HYPERLINK("http://evil.example","Click")'})
        self._invoice(100.0, partner=formula, invoice_date="2026-04-01")
        aging = self.env["ar.aging.report"].with_user(self.controller).create({})
        pack = self.env["ar.analytics.pack"].with_user(self.controller).create({"aging_report_id": aging.id})
        pack.action_download()
        book = openpyxl.load_workbook(io.BytesIO(pack.attachment_id.raw))
        for sheet_name in ("Aging Summary", "Aging Detail"):
            with self.subTest(sheet=sheet_name):
                cells = [row[0] for row in book[sheet_name].iter_rows(min_row=2) if row[0].value]
                names = [cell for cell in cells if str(cell.value).startswith("=HYPERLINK")]
                self.assertEqual(len(names), 1)
                self.assertEqual(names[0].data_type, "s")
                self.assertEqual(names[0].value, formula.name)

    def test_collector_task_escapes_the_customer_name(self):
        self.customer.write({"name": "<script>alert(1)</script> Alpha", "email": False})
        self._run("2026-04-15")
        activity = self._activities()
        self.assertRecordValues(activity, [{"summary": "Send the reminder: no email address"}])
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; Alpha", activity.note)
        self.assertNotIn("<script>", activity.note)
