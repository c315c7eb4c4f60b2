import json

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .dunning_common import ArDunningCommon

#: a 1x1 PNG: what the portal's signature form sends
SIGNATURE = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


class PlanCommon(ArDunningCommon):
    @classmethod
    def _plan(cls, moves, schedule, partner=None):
        return cls.env["ar.payment.plan"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "move_ids": [Command.set(moves.ids)],
                "line_ids": [Command.create({"date": date, "amount": amount}) for date, amount in schedule],
            }
        )


@tagged("post_install", "-at_install")
class TestPaymentPlan(PlanCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(900.0, invoice_date="2026-01-01", due_date="2026-01-31")

    def _active_plan(self):
        with freeze_time("2026-02-05"):
            plan = self._plan(self.invoice, [("2026-02-15", 300.0), ("2026-03-15", 300.0), ("2026-04-15", 300.0)])
            plan.action_propose()
            plan._ar_accept("Ann Alpha", SIGNATURE)
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.next_due_date, fields.Date.to_date("2026-02-15"))
        return plan

    def test_on_time_not_reminded(self):
        plan = self._active_plan()
        self._run("2026-02-18")  # first instalment + 3 days of grace: still waiting
        self.assertFalse(self._communications())
        with freeze_time("2026-02-16"):
            self._pay(self.invoice, 300.0, "2026-02-16")
        self._run("2026-02-20")
        self._run("2026-03-10")
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.next_due_date, fields.Date.to_date("2026-03-15"))
        self.assertFalse(self._communications())

    def test_missed_instalment_breaks_plan(self):
        plan = self._active_plan()
        self._run("2026-02-19")  # 2026-02-15 + 3 days of grace passed, nothing paid
        self.assertEqual(plan.state, "broken")
        self.assertEqual(plan.date_broken, fields.Date.to_date("2026-02-19"))
        task = self._activities().filtered(lambda a: "Payment plan broken" in (a.summary or ""))
        self.assertEqual(task.user_id, self.collector)
        self.assertEqual(task.activity_type_id, self.env.ref("account_receivable_optimizer.mail_activity_dunning"))
        communication = self._communications()
        self.assertEqual(len(communication), 1)
        self.assertEqual(communication.level_id, self.reminder)
        self.assertEqual(communication.line_ids.move_id, self.invoice)
        # a broken plan counts as a broken promise in the risk score
        assessment, _policy = self.customer._ar_assess_risk(self.company, fields.Date.to_date("2026-02-19"))[
            self.customer.id
        ]
        self.assertEqual(assessment.factors.broken_promises, 1.0)

    def test_paid_plan_done(self):
        plan = self._active_plan()
        with freeze_time("2026-02-10"):
            self._pay(self.invoice, 900.0, "2026-02-10")
        self._run("2026-02-11")
        self.assertEqual(plan.state, "done")

    @freeze_time("2026-02-05")
    def test_bad_schedule_refused(self):
        cases = [
            ([("2026-02-15", 300.0), ("2026-03-15", 300.0)], "add up to"),
            ([("2026-03-15", 450.0), ("2026-02-15", 450.0)], "must increase"),
            ([("2026-02-15", 450.0), ("2026-02-15", 450.0)], "must increase"),
            ([("2026-02-01", 450.0), ("2026-03-01", 450.0)], "cannot be in the past"),
            ([("2026-02-15", 900.0), ("2026-03-15", 0.0)], "positive amount"),
            ([], "Add the instalments"),
        ]
        for schedule, message in cases:
            with self.subTest(schedule=schedule):
                plan = self._plan(self.invoice, schedule)
                with self.assertRaisesRegex(ValidationError, message):
                    plan.action_propose()
                self.assertEqual(plan.state, "draft")

    @freeze_time("2026-02-05")
    def test_equal_instalments_and_frozen_once_proposed(self):
        plan = self._plan(self.invoice, [])
        plan.write({"instalment_count": 4, "first_date": "2026-02-28"})
        plan.action_equal_instalments()
        self.assertEqual(
            [(str(line.date), line.amount) for line in plan.line_ids],
            [("2026-02-28", 225.0), ("2026-03-28", 225.0), ("2026-04-28", 225.0), ("2026-05-28", 225.0)],
        )
        plan.action_propose()
        with self.assertRaises(UserError):
            plan.line_ids[0].amount = 100.0
        with self.assertRaises(UserError):
            plan.line_ids = [Command.create({"date": "2026-06-28", "amount": 1.0})]
        with self.assertRaises(UserError):
            plan._ar_accept("", SIGNATURE)
        self.assertEqual(plan.state, "proposed")


@tagged("post_install", "-at_install")
class TestPaymentPlanPortal(PlanCommon, HttpCase):
    """The customer accepts a proposed plan with the portal's signature form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env["account.move"])
        cls.invoice = cls._invoice(600.0, due_date=fields.Date.subtract(today, days=20))
        cls.plan = cls._plan(
            cls.invoice, [(fields.Date.add(today, days=10), 300.0), (fields.Date.add(today, days=40), 300.0)]
        )
        cls.plan.action_propose()
        cls.account = cls.env["ar.portal.account"]._ar_get(cls.customer, cls.company)
        cls.other = cls.env["res.partner"].create({"name": "Beta Corp", "is_company": True})
        cls.account_b = cls.env["ar.portal.account"]._ar_get(cls.other, cls.company)

    def _accept(self, account, name="Ann Alpha"):
        url = f"/my/receivables/{account.id}/plan/{self.plan.id}/accept?access_token={account.access_token}"
        payload = {"jsonrpc": "2.0", "method": "call", "params": {"name": name, "signature": SIGNATURE}}
        response = self.url_open(url, data=json.dumps(payload), headers={"Content-Type": "application/json"})
        return response.json()["result"]

    def test_sign_on_portal(self):
        page = self.url_open(f"/my/receivables/{self.account.id}?access_token={self.account.access_token}").text
        self.assertIn("Waiting for your signature", page)
        self.assertIn(f"/plan/{self.plan.id}/accept", page)
        result = self._accept(self.account)
        self.assertIn("done=signed", result["redirect_url"])
        self.assertRecordValues(self.plan, [{"state": "active", "signed_by": "Ann Alpha"}])
        self.assertTrue(self.plan.signature)
        activity = self._activities().filtered(
            lambda a: a.activity_type_id == self.env.ref("account_receivable_optimizer.mail_activity_portal")
        )
        self.assertEqual(len(activity), 1)
        # signed once: a replay is refused
        self.assertIn("error", self._accept(self.account))

    def test_sign_refused(self):
        self.assertIn("error", self._accept(self.account_b))  # another customer's link
        self.assertIn("error", self._accept(self.account, name=""))  # no name
        self.assertEqual(self.plan.state, "proposed")
        self.assertFalse(self.plan.signature)
