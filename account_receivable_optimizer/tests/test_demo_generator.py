from datetime import date, timedelta

from freezegun import freeze_time

from odoo.addons.account_receivable_optimizer.demo import generator
from odoo.tests import TransactionCase, tagged

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestDemoGenerator(TransactionCase):
    """The demo's generator at a tiny size: eight customers (one of each behaviour), three months.

    The same seed gives the same history: the counts below are exact.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo = generator.generate(cls.env, customers=8, months=3, replay_days=75, today=TODAY)
        cls.partner_of = {profile["behaviour"]: profile["partner"] for profile in cls.demo.customers}
        cls.partners = cls.env["res.partner"].union(*cls.partner_of.values())

    def _communications(self, partner=None):
        return self.env["ar.dunning.communication"].search(
            [("partner_id", "in", (partner or self.partners).ids)], order="date, id"
        )

    def _level_counts(self, communications):
        counts = {}
        for communication in communications:
            key = communication.level_id.with_context(lang="en_US").name or "discount reminder"
            counts[key] = counts.get(key, 0) + 1
        return counts

    def test_one_customer_per_behaviour(self):
        self.assertEqual(
            sorted(self.partner_of),
            ["chronic", "discount", "disputes", "on_time", "partial", "promises", "stopped", "ten_days"],
        )
        self.assertEqual(self.demo.company.currency_id, self.env.ref("base.EUR"))
        self.assertEqual(self.demo.second.currency_id, self.env.ref("base.USD"))
        self.assertEqual(
            sorted(self.demo.users), ["billing", "controller", "manager", "salesperson"], "one user per role"
        )

    def test_reminders_per_level(self):
        communications = self._communications()
        self.assertEqual(
            self._level_counts(communications),
            {
                "First reminder": 3,
                "Second reminder": 3,
                "Formal notice": 1,
                "Collector call": 1,
                "discount reminder": 2,
            },
        )
        self.assertNotIn("failed", communications.mapped("state"))
        # levels climbed night after night: never two reminders of a customer the same day
        days = [(c.partner_id.id, c.date) for c in communications]
        self.assertEqual(len(days), len(set(days)))
        # the customer who always pays on time gets no reminder
        self.assertFalse(self._communications(self.partner_of["on_time"]))
        # the discount taker only gets reminded of its discounts
        self.assertEqual(
            self._level_counts(self._communications(self.partner_of["discount"])), {"discount reminder": 2}
        )

    def test_disputes_and_promises(self):
        dispute = self.env["ar.invoice.dispute"].search([("partner_id", "in", self.partners.ids)])
        self.assertEqual(dispute.partner_id, self.partner_of["disputes"])
        self.assertEqual(dispute.state, "open")
        promise = self.env["ar.payment.promise"].search([("partner_id", "in", self.partners.ids)])
        self.assertEqual(promise.partner_id, self.partner_of["promises"])
        self.assertEqual(promise.state, "broken")

    def test_grades(self):
        grades = {code: partner.ar_risk_grade for code, partner in self.partner_of.items()}
        self.assertEqual(
            grades,
            {
                "on_time": "A",
                "ten_days": "A",
                "chronic": "A",
                "discount": "A",
                "partial": "C",
                "disputes": "B",
                "promises": "C",
                "stopped": "B",
            },
        )

    def test_hand_over_waits_for_confirmation(self):
        """The customer at the collector call is handed over at the next run, once a controller confirms."""
        partner = self.partner_of["promises"]
        self.assertEqual(self._communications(partner)[-1:].level_id.with_context(lang="en_US").name, "Collector call")
        with freeze_time(TODAY + timedelta(days=20)):
            while self.env["res.partner"]._cron_run_dunning():
                pass
        last = self._communications(partner)[-1:]
        self.assertEqual(last.level_id.with_context(lang="en_US").name, "Hand-over to collection")
        self.assertEqual(last.hand_over_state, "to_confirm")

    def test_every_screen_has_data(self):
        """Each screen the README lists has something to show: none may go empty unnoticed."""
        env, company = self.env, self.demo.company
        partners = self.partners.with_company(company)
        # the reminders were emailed: queued, never sent (the demo has no mail server)
        mails = self._communications().mail_id
        self.assertTrue(mails)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        # the collector's worklist: the broken promise and the open dispute at least
        worklist = env["res.partner"].search([("ar_to_handle", "=", True), ("id", "in", self.partners.ids)])
        self.assertLessEqual(self.partner_of["promises"] | self.partner_of["disputes"], worklist)
        # the preview (a dry run) lists what a coming night sends: the hand-over of the broken promise
        later = TODAY + timedelta(days=20)
        with freeze_time(later):
            preview = {row["partner_id"]: row["level_id"] for row in partners._ar_dunning_preview(company, later)}
        level = env["ar.dunning.level"].browse(preview.get(self.partner_of["promises"].id))
        self.assertEqual(level.with_context(lang="en_US").name, "Hand-over to collection")
        # the early-payment discounts: taken in time
        discounts = env["account.move"].search(
            [("partner_id", "=", self.partner_of["discount"].id), ("move_type", "=", "out_invoice")]
        )
        self.assertIn("in_time", discounts.mapped("ar_discount_state"))
        # credit: a customer over its limit, the chronic late payer on hold
        self.assertTrue(partners.filtered("ar_over_limit"))
        self.assertEqual(partners.filtered("ar_credit_hold"), self.partner_of["chronic"])
        # the payment plan proposed to the customer who stopped paying
        plan = env["ar.payment.plan"].search([("partner_id", "in", self.partners.ids)])
        self.assertEqual(plan.partner_id, self.partner_of["stopped"])
        self.assertEqual(plan.state, "proposed")
        self.assertEqual(len(plan.line_ids), 4)
        # insurance covers of the four largest customers, granted in full or in part
        covers = env["ar.credit.insurance"].search([("partner_id", "in", self.partners.ids)])
        self.assertEqual(len(covers), 4)
        self.assertEqual(sorted(covers.mapped("state")), ["granted", "granted", "partial", "partial"])
        # the dashboard's facts: KPIs and month-end snapshots
        for model in ("ar.kpi.fact", "ar.receivable.snapshot"):
            self.assertTrue(env[model].search_count([("company_id", "=", company.id)]), model)
