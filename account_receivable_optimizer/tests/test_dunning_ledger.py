"""Dunning on a real ledger: instalments, currencies, the shipped levels, an old ledger, tasks, No Dunning."""

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import MANAGER, ArCreditCommon
from .dunning_common import ArDunningCommon


@tagged("post_install", "-at_install")
class TestDunningItems(ArDunningCommon):
    def test_an_instalment_is_reminded_when_it_is_late(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "Half at 10 days, half at 40 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 10}),
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 40}),
                ],
            }
        )
        with freeze_time("2026-03-01"):
            invoice = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": "2026-03-01",
                    "invoice_payment_term_id": term.id,
                    "invoice_line_ids": [Command.create({"name": "Service", "price_unit": 1000.0, "tax_ids": []})],
                }
            )
            invoice.action_post()
        # the invoice's due date is its last instalment, not late yet
        self.assertEqual(invoice.invoice_date_due, self._date("2026-04-10"))
        self._run("2026-03-21")  # the first instalment (11 March) is 10 days late
        comm = self._communications()
        self.assertRecordValues(comm, [{"level_id": self.reminder.id, "amount_total": 500.0}])
        self.assertRecordValues(
            comm.line_ids,
            [
                {"move_id": invoice.id, "due_date": self._date("2026-03-11"), "days_late": 10, "claimed": True},
                {"move_id": invoice.id, "due_date": self._date("2026-04-10"), "days_late": -20, "claimed": False},
            ],
        )
        self.assertEqual(comm.line_ids.mapped("amount_due"), [500.0, 500.0])
        first, second = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable").sorted(
            "date_maturity"
        )
        self.assertEqual(first.ar_dunning_level_id, self.reminder)
        self.assertFalse(second.ar_dunning_level_id)

    def test_a_foreign_currency_invoice_is_reminded_in_its_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        self._invoice(600.0, currency=eur, invoice_date="2026-03-01", due_date="2026-03-31")
        self._invoice(100.0, invoice_date="2026-03-01", due_date="2026-03-31")
        self._run("2026-04-10")
        comm = self._communications()
        # 600 EUR at 2 EUR per USD: 300 USD in company currency
        self.assertRecordValues(comm, [{"level_id": self.reminder.id, "amount_total": 400.0}])
        lines = comm.line_ids.sorted(lambda line: line.line_currency_id.name)
        self.assertRecordValues(
            lines,
            [
                {"line_currency_id": eur.id, "amount_due": 600.0, "amount_company": 300.0},
                {"line_currency_id": self.currency.id, "amount_due": 100.0, "amount_company": 100.0},
            ],
        )
        self.assertIn("600.00", comm.amount_by_currency)
        self.assertIn(eur.symbol, comm.amount_by_currency)
        self.assertIn("100.00", comm.amount_by_currency)
        body = self._mails().body_html
        self.assertIn("600.00", body)  # in euros, not the 300.00 of company currency
        self.assertIn(eur.symbol, body)

    def test_no_dunning_sends_nothing_at_all(self):
        self._setup_discount_term()
        self.policy.discount_reminder_days = 3
        self._discount_invoice(1000.0, "2026-03-01")
        self._invoice(300.0, invoice_date="2026-02-01", due_date="2026-02-26")
        self.customer.ar_no_dunning = True
        self._run("2026-03-08")  # a reminder and a discount reminder would be due
        self.assertFalse(self._communications())
        self.assertFalse(self._mails())

    def test_no_discount_reminder_while_payments_wait_to_be_reconciled(self):
        self._setup_discount_term()
        self.policy.discount_reminder_days = 3
        self._discount_invoice(1000.0, "2026-03-01")
        overdue = self._invoice(300.0, invoice_date="2026-02-01", due_date="2026-02-26")
        self.env["account.payment"].create(
            {
                "partner_id": self.customer.id,
                "amount": 50.0,
                "payment_type": "inbound",
                "partner_type": "customer",
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        ).action_post()
        self._run("2026-03-08")
        comm = self._communications()
        self.assertRecordValues(comm, [{"state": "skipped"}])
        reconcile = self.env.ref("account_receivable_optimizer.mail_activity_reconcile")
        self.assertEqual(self._activities().activity_type_id, reconcile)
        self.assertFalse(self._mails())
        self.assertTrue(overdue)
        # the next days: still waiting for the reconciliation, no discount reminder either
        self._run("2026-03-09")
        self.assertEqual(len(self._communications()), 1)
        self.assertFalse(self._mails())


@tagged("post_install", "-at_install")
class TestShippedLevels(ArCreditCommon):
    """A company works right after install: six levels, rising tone, charges off."""

    EXPECTED = [
        (-5, "courtesy", True, False, False, False),
        (10, "reminder", True, False, False, False),
        (25, "firm", True, False, False, False),
        (40, "formal_notice", True, True, False, False),
        (50, "firm", False, False, True, False),
        (65, "formal_notice", False, False, False, True),
    ]

    def _levels(self, company):
        return company.sudo().ar_credit_policy_id.ar_dunning_level_ids.sorted("offset_days")

    def _assert_shipped(self, company):
        levels = self._levels(company)
        self.assertEqual(
            [
                (lv.offset_days, lv.tone, lv.send_email, lv.print_letter, lv.create_activity, lv.hand_over)
                for lv in levels
            ],
            self.EXPECTED,
        )
        self.assertTrue(levels[-1].hand_over_confirm)
        self.assertFalse(company.sudo().ar_credit_policy_id.charge_enabled)
        self.assertEqual(levels.company_id, company)

    def test_every_company_has_the_shipped_levels(self):
        self._assert_shipped(self.env.ref("base.main_company"))
        self._assert_shipped(self.company)
        self._assert_shipped(self.env["res.company"].create({"name": "Created later"}))

    def test_an_old_ledger_starts_at_the_first_reminder_and_climbs_one_level_at_a_time(self):
        levels = self._levels(self.company)
        self.customer.email = "alpha@example.com"
        self._invoice(500.0, invoice_date="2025-08-01", due_date="2025-08-31")  # about 300 days late

        def run(date):
            with freeze_time(date):
                while self.env["res.partner"]._cron_run_dunning():
                    pass
            self.env.invalidate_all()
            return self.env["ar.dunning.communication"].search(
                [("partner_id", "=", self.customer.id)], order="date, id"
            )

        self.assertEqual(run("2026-06-30").level_id, levels[1])  # the first reminder, not the hand-over
        self.assertEqual(len(run("2026-07-05")), 1)  # the next level waits 10 days
        self.assertEqual(run("2026-07-10")[-1].level_id, levels[2])
        self.assertEqual(run("2026-07-20")[-1].level_id, levels[3])
        notice_mail = run("2026-07-20")[-1].mail_id
        self.assertIn("Formal notice to pay", notice_mail.body_html)
        self.assertIn("L441-10", notice_mail.body_html)
        call = run("2026-07-27")[-1]
        self.assertEqual(call.level_id, levels[4])
        # no collector, no responsible on the policy: a Credit Manager of the company, never OdooBot
        task = call.activity_id
        self.assertTrue(task.user_id.has_group(MANAGER))
        self.assertIn(self.company, task.user_id.company_ids)
        self.assertNotEqual(task.user_id, self.env.ref("base.user_root"))
        self.assertEqual(task.activity_type_id, self.env.ref("account_receivable_optimizer.mail_activity_dunning"))
        hand_over = run("2026-08-06")[-1]
        self.assertRecordValues(hand_over, [{"level_id": levels[5].id, "hand_over_state": "to_confirm"}])
        self.assertNotEqual(self.customer.ar_collection_state, "handed_over")

    def test_tasks_go_to_the_collector_else_the_policy_responsible(self):
        responsible = self._user("ar_responsible", "account_receivable_optimizer.group_ar_credit_controller")
        collector = self._user("ar_collector2", "account_receivable_optimizer.group_ar_credit_controller")
        self.policy.user_id = responsible
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer._ar_collector(), responsible)
        customer.ar_collector_id = collector
        self.assertEqual(customer._ar_collector(), collector)
        # a collector who left the company no longer gets the tasks
        elsewhere = self.env["res.company"].create({"name": "Elsewhere"})
        collector.write({"company_ids": [Command.set(elsewhere.ids)], "company_id": elsewhere.id})
        self.assertEqual(customer._ar_collector(), responsible)
