from datetime import date

from odoo.addons.account_receivable_optimizer.demo import generator
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoGenerator(TransactionCase):
    """The demo's generator at a tiny size: eight customers, one of each behaviour, three months."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo = generator.generate(cls.env, customers=8, months=3, replay_days=75, today=date(2026, 6, 30))

    def _communications(self):
        return self.env["ar.dunning.communication"].search([("partner_id", "in", self.partners.ids)])

    @property
    def partners(self):
        return self.env["res.partner"].union(*(profile["partner"] for profile in self.demo.customers))

    def test_counts(self):
        counts = {}
        for communication in self._communications():
            key = communication.level_id.with_context(lang="en_US").name or "discount reminder"
            counts[key] = counts.get(key, 0) + 1
        print("DEMO COUNTS", sorted(counts.items()))
        print("DEMO STATES", [(c.partner_id.name, c.date, c.level_id.name, c.hand_over_state) for c in self._communications()])
        print("DEMO PROMISES", [(p.partner_id.name, p.state) for p in self.env["ar.payment.promise"].search([])])
        print("DEMO DISPUTES", [(d.partner_id.name, d.state) for d in self.env["ar.invoice.dispute"].search([])])
        print("DEMO GRADES", [(p.name, p.ar_risk_grade) for p in self.partners])
        print("DEMO BEHAVIOURS", [(p["partner"].name, p["behaviour"]) for p in self.demo.customers])
