from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import BaseCase, tagged


@tagged("post_install", "-at_install")
class TestDunningRace(BaseCase):
    """Two cron workers run the dunning at the same time: never on the same customer.

    Real, committed data in separate cursors (as two Odoo servers would),
    removed at the end.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from odoo.modules.registry import Registry  # noqa: PLC0415
        from odoo.tests.common import get_db_name  # noqa: PLC0415

        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            cls.company_id = company.id
            policy = env["ar.credit.policy"].create(
                {
                    "name": "Dunning race test",
                    "company_id": company.id,
                    "ar_dunning_level_ids": [
                        Command.create({"name": "Race reminder", "offset_days": 0, "send_email": False})
                    ],
                }
            )
            cls.policy_id = policy.id
            partners = (
                env["res.partner"]
                .with_company(company)
                .create([{"name": f"Race dunning {i}", "is_company": True} for i in range(2)])
            )
            partners.ar_credit_policy_id = policy
            cls.partner_ids = partners.ids
            today = fields.Date.context_today(env["res.partner"])
            for partner in partners:
                invoice = (
                    env["account.move"]
                    .with_company(company)
                    .create(
                        {
                            "move_type": "out_invoice",
                            "partner_id": partner.id,
                            "invoice_date": today,
                            "invoice_date_due": today,
                            "invoice_line_ids": [Command.create({"name": "Race", "price_unit": 100.0, "tax_ids": []})],
                        }
                    )
                )
                invoice.action_post()

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["ar.dunning.communication"].search([("partner_id", "in", cls.partner_ids)]).unlink()
            moves = env["account.move"].search([("partner_id", "in", cls.partner_ids)])
            moves.filtered(lambda m: m.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            env["res.partner"].browse(cls.partner_ids).unlink()
            env["ar.credit.policy"].browse(cls.policy_id).unlink()
        super().tearDownClass()

    def _handled(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["ar.dunning.communication"].search([("partner_id", "in", self.partner_ids)]).partner_id.ids

    def test_two_workers_never_take_the_same_customer(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            cr_b.execute("SET LOCAL lock_timeout = '10s'")  # fail, not hang, if B ever waits for A
            # A claims one customer and keeps its transaction open (its lock too)
            env_a["res.partner"]._cron_run_dunning(batch_size=1)
            handled_a = self._handled(cr_a)
            # B runs meanwhile: it skips A's customer instead of waiting for it or taking it twice
            env_b["res.partner"]._cron_run_dunning(batch_size=1)
            handled_b = self._handled(cr_b)
            cr_a.rollback()
            cr_b.rollback()
        self.assertEqual(len(handled_a), 1)
        self.assertEqual(len(handled_b), 1)
        self.assertEqual(sorted(handled_a + handled_b), sorted(self.partner_ids))
