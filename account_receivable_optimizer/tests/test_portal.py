import re
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from ..compat import sms_number_field
from .dunning_common import ArDunningCommon

PORTAL_ACTIVITY = "account_receivable_optimizer.mail_activity_portal"


@tagged("post_install", "-at_install")
class TestPortal(ArDunningCommon, HttpCase):
    """The customer's page of open invoices, over HTTP, with the reminder's token or as a portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["account.move"])
        cls.policy.write(
            {"portal_promise_max_days": 30, "portal_promise_min_share": 10.0, "portal_plan_max_instalments": 6}
        )
        cls.inv1 = cls._invoice(1000.0, invoice_date=cls.today - timedelta(days=50), due_date=cls.today - timedelta(20))
        cls.inv2 = cls._invoice(500.0, invoice_date=cls.today - timedelta(days=20), due_date=cls.today + timedelta(10))
        cls.other = cls.env["res.partner"].create({"name": "Beta Corp", "is_company": True, "email": "b@example.com"})
        cls.inv_b = cls._invoice(777.0, partner=cls.other, due_date=cls.today - timedelta(days=20))
        cls.account = cls.env["ar.portal.account"]._ar_get(cls.customer, cls.company)
        cls.account_b = cls.env["ar.portal.account"]._ar_get(cls.other, cls.company)
        cls.portal_user = new_test_user(
            cls.env,
            login="alpha_portal",
            groups="base.group_portal",
            partner_id=cls.contact.id,
            company_id=cls.company.id,
            company_ids=[fields.Command.set(cls.company.ids)],
        )
        cls.reason = cls.env.ref("account_receivable_optimizer.ar_dispute_reason_quality")

    # helpers

    def _url(self, account=None, suffix="", token=True):
        account = account or self.account
        url = f"/my/receivables/{account.id}{suffix}"
        return url + (f"?access_token={account.access_token}" if token else "")

    def _csrf(self, html):
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def _post(self, kind, data, files=None):
        page = self.url_open(self._url())
        self.assertEqual(page.status_code, 200)
        data = dict(data, csrf_token=self._csrf(page.text), access_token=self.account.access_token)
        return self.url_open(self._url(suffix=f"/{kind}", token=False), data=data, files=files)

    def _state(self):
        """What a refused post must leave unchanged."""
        return (
            self.env["ar.payment.promise"].search_count([("partner_id", "=", self.customer.id)]),
            self.env["ar.invoice.dispute"].search_count([("partner_id", "=", self.customer.id)]),
            len(self._portal_activities()),
        )

    def _portal_activities(self):
        activity_type = self.env.ref(PORTAL_ACTIVITY)
        return self._activities().filtered(lambda a: a.activity_type_id == activity_type)

    def _assert_refused(self, kind, data, message):
        before = self._state()
        response = self._post(kind, data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_ar_error", response.text)
        self.assertIn(message, response.text)
        self.env.invalidate_all()
        self.assertEqual(self._state(), before)

    # the page

    def test_page_with_token(self):
        response = self.url_open(self._url())
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn(self.inv1.name, html)
        self.assertIn(self.inv2.name, html)
        self.assertNotIn(self.inv_b.name, html)
        rows = re.findall(r'data-move-id="(\d+)"(.*?)</tr>', html, re.S)
        self.assertEqual([int(move_id) for move_id, _row in rows], [self.inv1.id, self.inv2.id])
        self.assertIn(">20<", rows[0][1].replace(" ", ""))
        self.assertIn("1,000.00", rows[0][1])
        self.assertIn(f"/my/invoices/{self.inv1.id}?access_token=", rows[0][1])

    def test_page_as_portal_user(self):
        self.authenticate("alpha_portal", "alpha_portal")
        response = self.url_open("/my/receivables")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith(f"/my/receivables/{self.account.id}"))
        self.assertIn(self.inv1.name, response.text)
        # the portal user of Alpha cannot open Beta's page without its token
        response = self.url_open(self._url(self.account_b, token=False))
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(self.inv_b.name, response.text)
        home = self.url_open("/my/home")
        self.assertIn("/my/receivables", home.text)

    def test_other_customer_refused(self):
        # Alpha's token on Beta's page, a wrong token, no token at all: nothing of Beta is disclosed
        for url in (
            f"/my/receivables/{self.account_b.id}?access_token={self.account.access_token}",
            f"/my/receivables/{self.account.id}?access_token=wrong",
            f"/my/receivables/{self.account_b.id}",
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertNotIn(self.inv_b.name, response.text)
            self.assertNotIn("Beta Corp", response.text)

    def test_csrf_required(self):
        before = self._state()
        response = self.url_open(
            self._url(suffix="/promise"),
            data={"move_ids": self.inv1.id, "amount": 500, "date": str(self.today + timedelta(days=5))},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._state(), before)

    # promise

    def test_promise(self):
        date = self.today + timedelta(days=10)
        response = self._post("promise", {"move_ids": [self.inv1.id], "amount": "400", "date": str(date)})
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_ar_done", response.text)
        promise = self.env["ar.payment.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(
            promise, [{"amount": 400.0, "promised_date": date, "state": "pending", "move_ids": self.inv1.ids}]
        )
        activity = self._portal_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.collector)
        self.assertIn(self.inv1.name, activity.note)
        self.assertTrue(
            self.customer.message_ids.filtered(lambda m: "promised on the portal" in (m.body or "")),
        )

    def test_promise_bad_input(self):
        far = self.today + timedelta(days=31)
        cases = [
            ({"amount": "400", "date": str(self.today - timedelta(days=1))}, "cannot be in the past"),
            ({"amount": "400", "date": str(far)}, "up to 30 days ahead"),
            ({"amount": "1000.01", "date": str(self.today)}, "is more than the"),
            ({"amount": "99.99", "date": str(self.today)}, "must be at least"),
            ({"amount": "abc", "date": str(self.today)}, "Give the amount and the date"),
            ({"amount": "-5", "date": str(self.today)}, "must be positive"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                self._assert_refused("promise", dict(data, move_ids=[self.inv1.id]), message)
        # another customer's invoice, a draft id, nothing chosen
        for move_ids in ([self.inv_b.id], [self.inv1.id, self.inv_b.id], []):
            with self.subTest(move_ids=move_ids):
                self._assert_refused(
                    "promise",
                    {"move_ids": move_ids, "amount": "100", "date": str(self.today)},
                    "Choose one or more of your invoices",
                )

    # dispute

    def test_dispute(self):
        response = self._post(
            "dispute",
            {"move_id": self.inv1.id, "reason_id": self.reason.id, "message": "<b>Broken</b> parts"},
            files={"attachment": ("photo.txt", b"broken parts", "text/plain")},
        )
        self.assertIn("o_ar_done", response.text)
        dispute = self.env["ar.invoice.dispute"].search([("move_id", "=", self.inv1.id)])
        self.assertRecordValues(
            dispute, [{"state": "open", "confirmed": False, "reason_id": self.reason.id, "note": "<b>Broken</b> parts"}]
        )
        self.assertTrue(self.inv1.ar_dispute_open)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "ar.invoice.dispute"), ("res_id", "=", dispute.id)]
        )
        self.assertEqual(attachment.raw, b"broken parts")
        activity = self._portal_activities()
        self.assertEqual(len(activity), 1)
        # what the customer typed is escaped
        self.assertIn("&lt;b&gt;Broken&lt;/b&gt;", activity.note)
        # the page shows the invoice disputed
        self.assertIn("Disputed", self.url_open(self._url()).text)

    def test_dispute_bad_input(self):
        self._assert_refused("dispute", {"move_id": self.inv1.id, "reason_id": "", "message": "x"}, "Choose the reason")
        self._assert_refused(
            "dispute", {"move_id": self.inv_b.id, "reason_id": self.reason.id}, "Choose one or more of your invoices"
        )
        self._pay(self.inv2, 500.0, self.today)
        self._assert_refused(
            "dispute", {"move_id": self.inv2.id, "reason_id": self.reason.id}, "already paid or being paid"
        )

    # payment plan request

    def test_plan_request(self):
        self._assert_refused(
            "plan", {"move_ids": [self.inv1.id, self.inv2.id], "instalments": "7"}, "from 2 to 6 monthly instalments"
        )
        self._assert_refused("plan", {"move_ids": [self.inv1.id], "instalments": "1"}, "from 2 to 6")
        response = self._post("plan", {"move_ids": [self.inv1.id, self.inv2.id], "instalments": "3"})
        self.assertIn("o_ar_done", response.text)
        activity = self._portal_activities()
        self.assertEqual(len(activity), 1)
        self.assertIn("3 monthly", activity.note)
        # the collector finds a draft plan of equal monthly instalments to review and propose
        plan = self.env["ar.payment.plan"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(plan, [{"state": "draft", "move_ids": (self.inv1 | self.inv2).ids}])
        self.assertEqual(plan.line_ids.mapped("amount"), [500.0, 500.0, 500.0])

    # the reminder's link

    def test_reminder_link_and_token_after_payment(self):
        self.env["res.partner"]._cron_run_dunning()
        communication = self._communications()
        self.assertEqual(len(communication), 1)
        self.assertEqual(communication.ar_portal_url, self.account.get_base_url() + self.account.get_portal_url())
        self.assertIn(communication.ar_portal_url, self._mails().body_html)
        self.assertIn("See and pay my invoices", self._mails().body_html)
        link = communication.ar_portal_url.removeprefix(self.account.get_base_url())
        self.assertIn(self.inv1.name, self.url_open(link).text)
        self._pay(self.inv1, 1000.0, self.today)
        html = self.url_open(link).text
        self.assertIn("Paid since our last reminder", html)
        paid = re.search(r'class="o_ar_paid">(.*?)</div>', html, re.S).group(1)
        self.assertIn(self.inv1.name, paid)
        self._assert_refused(
            "promise", {"move_ids": [self.inv1.id], "amount": "100", "date": str(self.today)}, "already paid"
        )


@tagged("post_install", "-at_install")
class TestDunningSms(ArDunningCommon):
    """A level may also text the customer, with the portal link: once per level."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({sms_number_field(cls.customer): "+32 470 12 34 56", "lang": "en_US"})
        (cls.reminder | cls.notice).write({"send_sms": True})
        cls.invoice = cls._invoice(1000.0, invoice_date="2026-01-01", due_date="2026-01-31")

    def _sms(self):
        return self.env["sms.sms"].search([("partner_id", "=", self.customer.id)], order="id")

    def test_sms_once_per_level(self):
        self._run("2026-02-10")  # reminder: email and SMS
        sms = self._sms()
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.number.replace(" ", ""), "+32470123456")
        communication = self._communications()
        self.assertIn(communication.ar_portal_url, sms.body)
        self.assertIn("$\xa01,000.00", sms.body)
        self.assertIn("SMS", communication.channels)
        # the same day again, the days after, and the SMS sent again by hand: still one
        self._run("2026-02-10")
        self._run("2026-02-15")
        with freeze_time("2026-02-15"):
            self.assertFalse(communication._ar_send_sms(self.customer))
        self.assertEqual(len(self._sms()), 1)
        # the next level texts again
        self._run("2026-03-02")
        self.assertEqual(len(self._communications()), 2)
        self.assertEqual(len(self._sms()), 2)

    def test_sms_in_customer_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        template = self.env.ref("account_receivable_optimizer.sms_template_dunning")
        template.with_context(lang="fr_FR").body = "Relance {{ object.company_id.name }} : {{ object.ar_portal_url }}"
        self.customer.lang = "fr_FR"
        self._run("2026-02-10")
        self.assertTrue(self._sms().body.startswith("Relance "))

    def test_no_number_no_sms(self):
        self.customer[sms_number_field(self.customer)] = False
        self._run("2026-02-10")
        self.assertFalse(self._sms())
        self.assertIn("no mobile or phone number", self._communications().reason)
