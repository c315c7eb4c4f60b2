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
