from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..lib.ar_core import exposure as core_exposure
from .common import CONTROLLER, MANAGER, ArCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestCreditInsurance(ArCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write({"enforcement": "block", "tolerance_percent": 0.0, "overdue_block_days": 0})
        cls.insurer = cls.env["res.partner"].create({"name": "Euler Credit", "is_company": True})
        cls.bank = cls.env["res.partner"].create({"name": "Banque du Nord", "is_company": True})
        cls.contract = cls.env["ar.credit.insurance.contract"].create(
            {
                "name": "POL-2026-001",
                "insurer_id": cls.insurer.id,
                "discretionary_limit": 5000.0,
                "declaration_days": 90,
                "declaration_notice_days": 10,
                "claim_days": 150,
            }
        )
        cls.cover = cls.env["ar.credit.insurance"].create(
            {
                "partner_id": cls.customer.id,
                "contract_id": cls.contract.id,
                "buyer_reference": "B-778899",
                "requested_amount": 15000.0,
                "granted_amount": 10000.0,
                "indemnity_percent": 90.0,
                "state": "partial",
                "decision_date": "2026-01-15",
                "expiry_date": "2026-12-31",
            }
        )
        cls.manager = cls._user("ar_ins_manager", f"account.group_account_invoice,{MANAGER},base.group_partner_manager")
        cls.controller = cls._user("ar_ins_controller", f"account.group_account_invoice,{CONTROLLER}")

    def _guarantee(self, amount=1500.0, **vals):
        return self.env["ar.credit.guarantee"].create(
            {
                "partner_id": self.customer.id,
                "kind": "bank",
                "issuer_id": self.bank.id,
                "amount": amount,
                "date_start": "2026-01-01",
                "date_end": "2026-12-31",
                **vals,
            }
        )

    def _figures(self):
        self.customer.invalidate_recordset()
        return self.customer.with_user(self.controller)

    def test_insured_share_partial_cover_to_the_cent(self):
        self._invoice(12500.0, invoice_date="2026-06-01", due_date="2026-07-01")
        partner = self._figures()
        self.assertEqual(partner.ar_insurance_cover, 10000.0)
        self.assertEqual(partner.ar_insured_share, 9000.0)
        self.assertEqual(partner.ar_uncovered_exposure, 2500.0)
        self.assertEqual(partner.ar_guarantee_amount, 0.0)

    def test_guarantee_valid_on_the_day(self):
        self._invoice(12500.0)
        self._guarantee(1500.0)
        self._guarantee(4000.0, kind="deposit", date_start="2026-07-01")  # not yet valid
        self._guarantee(4000.0, kind="parent", date_end="2026-06-29")  # no longer valid
        partner = self._figures()
        self.assertEqual(partner.ar_guarantee_amount, 1500.0)
        self.assertEqual(partner.ar_uncovered_exposure, 1000.0)
        self.assertEqual(partner.ar_insured_share, 9000.0)

    def test_expired_cover_counts_no_more(self):
        self._invoice(12500.0)
        self.cover.expiry_date = "2026-06-29"
        partner = self._figures()
        self.assertEqual(partner.ar_insurance_cover, 0.0)
        self.assertEqual(partner.ar_insured_share, 0.0)
        self.assertEqual(partner.ar_uncovered_exposure, 12500.0)

    def test_suggested_limit_from_cover(self):
        self._guarantee(1500.0)
        self.policy.write({"limit_from_cover": True, "cover_margin": 2000.0})
        partner = self.customer.with_user(self.manager)
        self.assertEqual(partner.ar_suggested_credit_limit, 13500.0)
        with self.assertRaises(AccessError):
            self.customer.with_user(self.controller).action_ar_apply_suggested_credit_limit()
        partner.action_ar_apply_suggested_credit_limit()
        self.assertEqual(self.customer.credit_limit, 13500.0)
        self.policy.limit_from_cover = False
        self.customer.invalidate_recordset()
        self.assertEqual(partner.ar_suggested_credit_limit, 0.0)
        with self.assertRaises(UserError):
            partner.action_ar_apply_suggested_credit_limit()

    def test_posting_over_the_cover_is_refused_with_the_cover_reason(self):
        self.policy.cover_check = True
        self._guarantee(1500.0)
        self._invoice(11000.0)
        invoice = self._invoice(500.01, post=False)
        with self.assertRaises(UserError) as caught:
            invoice.action_post()
        message = str(caught.exception)
        self.assertIn("exceeds the credit insurance cover and guarantees ($\xa011,500.00)", message)
        self.assertIn("$\xa00.01 would be uncovered", message)
        self.assertEqual(invoice.state, "draft")
        customer = self.customer.with_company(self.company)
        data = customer._ar_get_credit_data(self.company)[customer.id]
        check = customer._ar_credit_check(data._replace(exposure=data.exposure + 0.01), self.policy)
        self.assertEqual(check.reasons, (core_exposure.REASON_COVER,))
        # up to the cent of the cover, it posts
        invoice.invoice_line_ids.price_unit = 500.0
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    def test_cover_rule_off_by_default(self):
        self._invoice(50000.0)
        self.assertEqual(self.customer.credit, 50000.0)

    def test_cover_history_in_chatter(self):
        self._flush_tracking()  # the cover was created in this transaction
        self.cover.write({"state": "reduced", "granted_amount": 6000.0, "decision_date": "2026-06-15"})
        self._flush_tracking()
        self.cover.invalidate_recordset()
        tracked = self.cover.message_ids.tracking_value_ids.mapped("field_id.name")
        self.assertIn("state", tracked)
        self.assertIn("granted_amount", tracked)

    def test_controllers_read_managers_write(self):
        self.assertEqual(self.cover.with_user(self.controller).granted_amount, 10000.0)
        with self.assertRaises(AccessError):
            self.cover.with_user(self.controller).granted_amount = 20000.0
        with self.assertRaises(AccessError):
            self.contract.with_user(self.controller).declaration_days = 120
        self.cover.with_user(self.manager).granted_amount = 12000.0
        self.assertEqual(self.cover.granted_amount, 12000.0)

    def test_bad_input_refused(self):
        cases = [
            ({"granted_amount": -1.0}, "Granted Amount"),
            ({"requested_amount": -0.01}, "Requested Amount"),
            ({"indemnity_percent": 100.5}, "Indemnity"),
            ({"indemnity_percent": -1.0}, "Indemnity"),
            ({"expiry_date": "2026-01-14"}, "cannot expire"),
        ]
        for vals, text in cases:
            with self.subTest(vals=vals):
                with self.assertRaises(ValidationError) as caught:
                    self.cover.write(vals)
                self.assertIn(text, str(caught.exception))
                self.cover.invalidate_recordset()
                self.assertEqual(self.cover.granted_amount, 10000.0)
                self.assertEqual(self.cover.indemnity_percent, 90.0)
                self.assertEqual(str(self.cover.expiry_date), "2026-12-31")
        with self.assertRaises(ValidationError):
            self._guarantee(-5.0)
        other = self.env["res.company"].create({"name": "Other Co"})
        stranger = self.env["res.partner"].create({"name": "Other Customer", "company_id": other.id})
        count = self.env["ar.credit.guarantee"].search_count([])
        with self.assertRaises(ValidationError) as caught:
            self._guarantee(1000.0, partner_id=stranger.id)
        self.assertIn("belongs to Other Co", str(caught.exception))
        self.assertEqual(self.env["ar.credit.guarantee"].search_count([]), count)


@tagged("post_install", "-at_install")
class TestInsuranceDeadlines(ArCreditCommon):
    """The nightly job warns the contract's Credit Manager, once, of the insurance deadlines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.insurer = cls.env["res.partner"].create({"name": "Euler Credit", "is_company": True})
        cls.credit_manager = cls._user("ar_ins_cm", f"account.group_account_invoice,{MANAGER}")
        cls.contract = cls.env["ar.credit.insurance.contract"].create(
            {
                "name": "POL-2026-001",
                "insurer_id": cls.insurer.id,
                "user_id": cls.credit_manager.id,
                "declaration_days": 90,
                "declaration_notice_days": 10,
            }
        )
        cls.cover = cls.env["ar.credit.insurance"].create(
            {
                "partner_id": cls.customer.id,
                "contract_id": cls.contract.id,
                "granted_amount": 10000.0,
                "indemnity_percent": 90.0,
                "state": "granted",
                "decision_date": "2026-01-15",
            }
        )
        with freeze_time("2026-03-01"):
            # due 2026-03-31: declaration deadline 2026-06-29, warned from 2026-06-19
            cls._invoice(4000.0, invoice_date="2026-03-01", due_date="2026-03-31")
        cls.declaration = cls.env.ref("account_receivable_optimizer.mail_activity_ar_insurance_declaration")
        cls.cover_type = cls.env.ref("account_receivable_optimizer.mail_activity_ar_insurance_cover")

    def _run(self, day):
        with freeze_time(day):
            self.env["res.partner"]._cron_insurance_deadlines()

    def _activities(self, activity_type):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", self.customer.id),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        )

    def test_declaration_activity_once_on_the_right_date(self):
        self._run("2026-06-18")
        self.assertFalse(self._activities(self.declaration))
        self._run("2026-06-19")
        activity = self._activities(self.declaration)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, fields.Date.to_date("2026-06-29"))
        self.assertEqual(activity.user_id, self.credit_manager)
        self.assertIn("2026", activity.note)
        # the same day again, and the next day, even once done: no second activity
        self.customer.with_company(self.company).sudo().ar_insurance_checked_date = False
        self._run("2026-06-19")
        activity.action_done()
        self._run("2026-06-20")
        self.assertEqual(len(self._activities(self.declaration)), 1)
        # past the deadline: nothing more to warn of
        self._run("2026-06-30")
        self.assertEqual(len(self._activities(self.declaration)), 1)

    def test_cover_expiry_and_reduction_warned_once(self):
        self.cover.expiry_date = "2026-05-10"
        self._run("2026-04-29")
        self.assertFalse(self._activities(self.cover_type))
        self._run("2026-04-30")
        activity = self._activities(self.cover_type)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, fields.Date.to_date("2026-05-10"))
        self._run("2026-05-01")
        self.assertEqual(len(self._activities(self.cover_type)), 1)
        # reduced below the exposure of 4,000.00
        self.cover.write({"state": "reduced", "granted_amount": 3000.0, "decision_date": "2026-05-02"})
        self._run("2026-05-03")
        activities = self._activities(self.cover_type)
        self.assertEqual(len(activities), 2)
        self.assertIn("3,000.00", (activities - activity).note)
        self._run("2026-05-04")
        self.assertEqual(len(self._activities(self.cover_type)), 2)

    def test_checked_date_set_by_the_job_only(self):
        manager = self._user("ar_ins_cm2", f"account.group_account_invoice,{MANAGER},base.group_partner_manager")
        with self.assertRaises(AccessError):
            self.customer.with_user(manager).write({"ar_insurance_checked_date": "2026-06-30"})
        with self.assertRaises(AccessError):
            self.cover.with_user(manager).write({"expiry_alert_date": "2026-06-30"})
