import threading
import time

from psycopg2 import errors as pgerrors

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.tests import BaseCase, tagged


@tagged("post_install", "-at_install")
class TestCreditRace(BaseCase):
    """Two transactions post invoices of one customer at the same time.

    Each invoice fits the limit alone, not together: only one may pass.
    The test works with real, committed data in separate cursors (as two
    Odoo workers would) and removes it at the end.
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
            cls.policy_id = (
                env["ar.credit.policy"]
                .create({"name": "Race test", "company_id": company.id, "enforcement": "block"})
                .id
            )
            partner = (
                env["res.partner"]
                .with_company(company)
                .create({"name": "Race Customer", "is_company": True, "ar_credit_policy_id": cls.policy_id})
            )
            partner.with_company(company).credit_limit = 1000.0
            cls.partner_id = partner.id

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            moves = env["account.move"].search([("partner_id", "=", cls.partner_id)])
            moves.filtered(lambda m: m.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            env["res.partner"].browse(cls.partner_id).unlink()
            env["ar.credit.policy"].browse(cls.policy_id).unlink()
        super().tearDownClass()

    def _create_and_post(self, cr, amount):
        env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})
        invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.partner_id,
                "invoice_line_ids": [Command.create({"name": "Race", "price_unit": amount, "tax_ids": []})],
            }
        )
        invoice.action_post()
        return invoice

    def _backend_waits_for_lock(self, pid):
        with self.registry.cursor() as cr:
            cr.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cr.fetchone()
            return bool(row and row[0] == "Lock")

    def test_two_transactions_cannot_both_pass_the_limit(self):
        outcome = {}
        started = threading.Event()
        with self.registry.cursor() as cr_a:
            self._create_and_post(cr_a, 600.0)  # A passes: 600 <= 1,000, not committed yet

            def post_b():
                with self.registry.cursor() as cr_b:
                    cr_b.execute("SELECT pg_backend_pid()")
                    outcome["pid"] = cr_b.fetchone()[0]
                    started.set()
                    try:
                        self._create_and_post(cr_b, 600.0)
                        outcome["result"] = "posted"
                    except pgerrors.SerializationFailure:
                        outcome["result"] = "serialization failure"
                    except UserError as error:
                        outcome["result"] = f"blocked: {error}"
                    cr_b.rollback()

            thread_b = threading.Thread(target=post_b)
            thread_b.start()
            self.assertTrue(started.wait(10))
            deadline = time.monotonic() + 20
            while not self._backend_waits_for_lock(outcome["pid"]) and thread_b.is_alive():
                self.assertLess(time.monotonic(), deadline, "B never waited for A's lock on the customer")
                time.sleep(0.05)
            self.assertTrue(thread_b.is_alive(), f"B finished without waiting for A: {outcome}")
            cr_a.commit()
        thread_b.join(30)
        self.assertFalse(thread_b.is_alive())
        # B waited for A, then its snapshot was refused: Odoo retries such a request...
        self.assertEqual(outcome["result"], "serialization failure")
        # ...and the retry sees A's invoice and is blocked.
        with self.registry.cursor() as cr_b:
            with self.assertRaisesRegex(UserError, "exposure after posting"):
                self._create_and_post(cr_b, 600.0)
            cr_b.rollback()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            posted = env["account.move"].search([("partner_id", "=", self.partner_id), ("state", "=", "posted")])
            self.assertEqual(posted.mapped("amount_total"), [600.0])

    def test_posting_never_waits_for_a_nightly_batch(self):
        """A dunning and grading batch holds the customer's row until it commits: posting goes on."""
        outcome = {}
        with self.registry.cursor() as cr_a:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})
            company = env_a["res.company"].browse(self.company_id)
            partner = env_a["res.partner"].browse(self.partner_id).with_company(company)
            today = fields.Date.context_today(partner)
            # what the nightly jobs do with a batch: claim the customers, then write them
            cr_a.execute("SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", [self.partner_id])
            self.assertEqual(cr_a.fetchall(), [(self.partner_id,)])
            partner._ar_recompute_risk(company, today)
            partner._ar_run_dunning(company, today)
            env_a.flush_all()

            def post_b():
                with self.registry.cursor() as cr_b:
                    cr_b.execute("SET LOCAL lock_timeout = '5s'")
                    try:
                        outcome["state"] = self._create_and_post(cr_b, 100.0).state
                    except pgerrors.LockNotAvailable:
                        outcome["state"] = "waited for the batch"
                    cr_b.rollback()

            thread_b = threading.Thread(target=post_b)
            thread_b.start()
            thread_b.join(30)
            self.assertFalse(thread_b.is_alive())
            self.assertEqual(outcome["state"], "posted")
            cr_a.rollback()
