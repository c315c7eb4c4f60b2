import contextlib

from odoo import Command, fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user

MANAGER = "account_receivable_optimizer.group_ar_credit_manager"
CONTROLLER = "account_receivable_optimizer.group_ar_credit_controller"


class ArCreditCommon(AccountTestInvoicingCommon):
    """Invoices with exact amounts and no taxes, in the test company (USD)."""

    @classmethod
    def default_env_context(cls):
        # Keep chatter tracking on: grade and hold changes must be tracked.
        context = dict(super().default_env_context())
        context.pop("tracking_disable", None)
        context.pop("mail_notrack", None)
        return context

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.policy = cls.company.ar_credit_policy_id
        cls.customer = cls.env["res.partner"].create({"name": "Alpha Industries", "is_company": True})
        cls.contact = cls.env["res.partner"].create({"name": "Ann Alpha", "parent_id": cls.customer.id})

    @classmethod
    def _invoice(
        cls,
        amount,
        *,
        partner=None,
        invoice_date=None,
        due_date=None,
        post=True,
        move_type="out_invoice",
        currency=None,
    ):
        invoice_date = invoice_date or fields.Date.context_today(cls.env["account.move"])
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or cls.customer).id,
                "invoice_date": invoice_date,
                "invoice_date_due": due_date or invoice_date,
                "currency_id": (currency or cls.currency).id,
                "invoice_line_ids": [
                    Command.create({"name": "Service", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _setup_discount_term(cls):
        """Payment terms 2 % 10 days, net 30 (Odoo's native early discount) as ``cls.term_2_10``."""
        cls.term_2_10 = cls.env["account.payment.term"].create(
            {
                "name": "2% 10 days, net 30",
                "early_discount": True,
                "discount_percentage": 2.0,
                "discount_days": 10,
                "early_pay_discount_computation": "included",
                "line_ids": [Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 30})],
            }
        )

    @classmethod
    def _discount_invoice(cls, amount=1000.0, invoice_date="2026-03-01", partner=None):
        """A posted invoice with the 2 % 10 net 30 terms, no taxes."""
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or cls.customer).id,
                "invoice_date": invoice_date,
                "invoice_payment_term_id": cls.term_2_10.id,
                "invoice_line_ids": [
                    Command.create({"name": "Service", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _pay(cls, invoices, amount, date):
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"amount": amount, "payment_date": date, "group_payment": True})
            ._create_payments()
        )

    @classmethod
    def _user(cls, login, groups, company=None):
        company = company or cls.company
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    def _flush_tracking(self):
        """Tracking values are written just before commit: write them now."""
        self.env.flush_all()
        self.env.cr.flush()

    @staticmethod
    def _date(value):
        return fields.Date.to_date(value)

    @contextlib.contextmanager
    def _registry_test_mode(self):
        """18.0: new cursors of the registry wrap the test's cursor (19.0: ``enter_registry_test_mode``)."""
        self.env.flush_all()
        self.registry.enter_test_mode(self.cr)
        try:
            yield
        finally:
            self.registry.leave_test_mode()
            self.env.invalidate_all()

    def _run_cron_job(self, xmlid, code):
        """Run a scheduled job as a cron worker does (``ir.cron._run_job``), calling ``code``.

        The worker calls the job's method again and again while it reports work left (18.0:
        up to 10 calls, 19.0: at least 10), each call with its own progress record,
        committed (here: the test cursor's savepoints) before the next one.

        :return: the job's completion status and its progress records, one per call
        """
        cron = self.env.ref(xmlid)
        if cron.code != code:  # (writing a server action clears the registry's caches)
            cron.code = code
        known = self.env["ir.cron.progress"].search([("cron_id", "=", cron.id)])
        job = {**cron.read(load=None)[0], "timed_out_counter": 0}
        # 18.0: the registry's test mode; 19.0: the test case's (new cursors wrap the test's)
        with (
            self.enter_registry_test_mode() if hasattr(self, "enter_registry_test_mode") else self._registry_test_mode()
        ):
            status = self.registry["ir.cron"]._run_job(job)
        progress = self.env["ir.cron.progress"].search([("cron_id", "=", cron.id)], order="id") - known
        return status, progress
