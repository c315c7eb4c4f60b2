from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from ..compat import link_groups
from .dunning_common import ArDunningCommon
from .tour_common import INVOICES, ArTourCase

PORTAL_ACTIVITY = "account_receivable_optimizer.mail_activity_portal"


@tagged("post_install", "-at_install")
class TestPortalTour(ArDunningCommon, ArTourCase):
    """In a browser, the customer's side and the collector's: the reminder's link, a promise, a dispute,
    a request for a payment plan that the collector proposes and the customer signs."""

    def _portal_activities(self):
        activity_type = self.env.ref(PORTAL_ACTIVITY)
        return self._activities().filtered(lambda a: a.activity_type_id == activity_type)

    def test_portal_and_collector_tours(self):
        today = fields.Date.context_today(self.env["account.move"])
        invoice = self._invoice(900.0, invoice_date=today - timedelta(days=40), due_date=today - timedelta(days=20))
        new_test_user(
            self.env,
            login="alpha_portal",
            name="Ann Alpha",
            groups="base.group_portal",
            partner_id=self.contact.id,
            company_id=self.company.id,
            company_ids=[fields.Command.set(self.company.ids)],
        )
        link_groups(self.collector, self.env.ref("account.group_account_invoice"))
        self.collector.name = "Colin Collector"
        account = self.env["ar.portal.account"]._ar_get(self.customer, self.company)
        url = f"/my/receivables/{account.id}?access_token={account.access_token}"

        # the customer: promise, dispute, ask for a plan
        self.ar_start_tour(url, "ar_portal_tour", login="alpha_portal")
        promise = self.env["ar.payment.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(
            promise, [{"amount": 300.0, "promised_date": today + timedelta(days=5), "move_ids": invoice.ids}]
        )
        dispute = self.env["ar.invoice.dispute"].search([("move_id", "=", invoice.id)])
        self.assertRecordValues(dispute, [{"state": "open", "confirmed": False, "note": "Two parts arrived broken"}])
        plan = self.env["ar.payment.plan"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(plan, [{"state": "draft", "instalment_count": 3, "move_ids": invoice.ids}])
        self.assertEqual(plan.line_ids.mapped("amount"), [300.0, 300.0, 300.0])
        # each request is a task of the collector's
        activities = self._portal_activities()
        self.assertEqual(activities.user_id, self.collector)
        self.assertEqual(
            activities.mapped("summary"),
            [
                "Promise to pay from the portal",
                "Dispute from the portal: confirm or resolve it",
                "Payment plan requested on the portal",
            ],
        )

        # the collector proposes the requested schedule
        self.ar_start_tour(INVOICES, "ar_collector_plan_tour", login="ar_collector")
        self.assertRecordValues(plan, [{"state": "proposed", "amount_due_at_plan": 900.0}])
        proposed = self.customer.message_ids.filtered(lambda m: "Payment plan proposed" in (m.body or ""))
        self.assertEqual(len(proposed), 1)
        self.assertEqual(proposed.author_id, self.collector.partner_id)

        # the customer signs it
        self.ar_start_tour(url, "ar_portal_plan_tour", login="alpha_portal")
        self.assertRecordValues(
            plan, [{"state": "active", "signed_by": "Alpha Industries", "next_due_date": plan.line_ids[0].date}]
        )
        self.assertTrue(plan.signature)
        self.assertEqual(self._portal_activities()[3:].mapped("summary"), ["Payment plan accepted on the portal"])
