from freezegun import freeze_time

from odoo import Command

from .common import ArCreditCommon


class ArDunningCommon(ArCreditCommon):
    """A policy with four dunning levels and late-payment charges (off until a test turns them on).

    Levels: courtesy 5 days before the due date (email), reminder at 10 days (email),
    formal notice at 30 days, 7 days after the previous reminder (email + letter + collector task),
    hand-over at 60 days (collector task + hand-over).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env.ref("account_receivable_optimizer.mail_template_dunning")
        cls.collector = cls._user("ar_collector", "account_receivable_optimizer.group_ar_credit_controller")
        cls.customer.write({"email": "alpha@example.com", "lang": "en_US"})
        cls.customer.ar_collector_id = cls.collector
        cls.charge_product = cls.env["product.product"].create(
            {"name": "Late-payment charges", "type": "service", "taxes_id": [Command.clear()]}
        )
        cls.policy.write(
            {
                "charge_rate": 12.0,
                "charge_fixed_amount": 40.0,
                "charge_product_id": cls.charge_product.id,
                "dunning_grace_days": 3,
                "ar_dunning_level_ids": [
                    Command.clear(),
                    Command.create(
                        {"name": "Courtesy reminder", "offset_days": -5, "mail_template_id": cls.template.id}
                    ),
                    Command.create({"name": "Reminder", "offset_days": 10, "mail_template_id": cls.template.id}),
                    Command.create(
                        {
                            "name": "Formal notice",
                            "offset_days": 30,
                            "min_interval_days": 7,
                            "mail_template_id": cls.template.id,
                            "create_activity": True,
                            "activity_summary": "Call the customer",
                            "print_letter": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Hand-over",
                            "offset_days": 60,
                            "send_email": False,
                            "create_activity": True,
                            "activity_summary": "Send the file to the agency",
                            "hand_over": True,
                        }
                    ),
                ],
            }
        )
        cls.courtesy, cls.reminder, cls.notice, cls.handover = cls.policy.ar_dunning_level_ids.sorted("offset_days")

    def _run(self, date, batch_size=100):
        with freeze_time(date):
            calls = 0
            while self.env["res.partner"]._cron_run_dunning(batch_size=batch_size):
                calls += 1
                self.assertLess(calls, 50)
        self.env.invalidate_all()

    def _communications(self, partner=None):
        return self.env["ar.dunning.communication"].search(
            [("partner_id", "=", (partner or self.customer).id)], order="date, id"
        )

    def _mails(self, partner=None):
        return self.env["mail.mail"].search(
            [("model", "=", "ar.dunning.communication"), ("res_id", "in", self._communications(partner).ids)],
            order="id",
        )

    def _activities(self, partner=None):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", (partner or self.customer).id)], order="id"
        )

    def _charges(self, partner=None):
        return self.env["account.move"].search(
            [("ar_is_dunning_charge", "=", True), ("partner_id", "=", (partner or self.customer).id)], order="id"
        )
