from odoo.tests import tagged

from .dunning_common import ArDunningCommon


@tagged("post_install", "-at_install")
class TestDiscountReminder(ArDunningCommon):
    """The "pay by ... and save ..." reminder goes through the dunning run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_discount_term()
        cls.policy.discount_reminder_days = 3
        # 1,000 invoiced on 1 March: discount of 20.00 until 11 March, due 31 March.
        cls.invoice = cls._discount_invoice(1000.0, "2026-03-01")

    def test_reminder_before_the_deadline_only_once(self):
        self._run("2026-03-07")  # 4 days before the deadline: too early
        self.assertFalse(self._communications())
        self._run("2026-03-08")  # 3 days before
        communication = self._communications()
        self.assertRecordValues(
            communication, [{"kind": "discount", "state": "sent", "amount_total": 1000.0, "level_id": False}]
        )
        self.assertRecordValues(
            communication.line_ids,
            [{"move_id": self.invoice.id, "discount_date": self._date("2026-03-11"), "discount_amount": 20.0}],
        )
        mail = self._mails()
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.subject, f"{self.company.name}: your early-payment discount expires soon")
        self.assertIn("03/11/2026", mail.body_html)
        self.assertIn("$\xa020.00", mail.body_html)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertEqual(self.invoice.ar_discount_reminder_date, self._date("2026-03-08"))
        # same day, next days: nothing new
        self._run("2026-03-08")
        self._run("2026-03-10")
        self.assertEqual(len(self._communications()), 1)
        self.assertEqual(len(self._mails()), 1)

    def test_never_after_the_deadline(self):
        self._run("2026-03-12")
        self.assertFalse(self._communications().filtered(lambda c: c.kind == "discount"))

    def test_never_for_paid_or_partly_paid_invoices(self):
        other = self.env["res.partner"].create({"name": "Partly paid", "email": "pp@example.com"})
        partly = self._discount_invoice(500.0, "2026-03-01", partner=other)
        self._pay(self.invoice, 980.0, "2026-03-05")  # paid with the discount
        self._pay(partly, 100.0, "2026-03-05")
        self._run("2026-03-09")
        self.assertFalse(self._communications().filtered(lambda c: c.kind == "discount"))
        self.assertFalse(self._communications(other).filtered(lambda c: c.kind == "discount"))

    def test_one_communication_with_a_dunning_reminder(self):
        # An invoice 10 days overdue on 8 March reaches the "Reminder" level the same day.
        overdue = self._invoice(300.0, invoice_date="2026-02-01", due_date="2026-02-26")
        self._run("2026-03-08")
        communication = self._communications()
        self.assertEqual(len(communication), 1)
        self.assertEqual(communication.kind, "dunning")
        self.assertEqual(communication.level_id, self.reminder)
        discount_line = communication.line_ids.filtered("discount_date")
        self.assertRecordValues(discount_line, [{"move_id": self.invoice.id, "discount_amount": 20.0}])
        self.assertEqual(communication.line_ids.move_id, overdue | self.invoice)
        mail = self._mails()
        self.assertEqual(len(mail), 1)
        # whitespace (and the no-break space of amounts) normalised
        self.assertIn("INV/2026/00001 <div>Pay by 03/11/2026 and save $ 20.00</div>", " ".join(mail.body_html.split()))
        self.assertEqual(self.invoice.ar_discount_reminder_date, self._date("2026-03-08"))

    def test_customer_without_email(self):
        self.customer.email = False
        self._run("2026-03-09")
        communication = self._communications()
        self.assertRecordValues(communication, [{"kind": "discount", "state": "failed"}])
        self.assertTrue(communication.activity_id)
        self.assertFalse(self._mails())
