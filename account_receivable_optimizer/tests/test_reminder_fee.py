import re

from odoo.tests import tagged

from .dunning_common import ArDunningCommon

ADDON = "account_receivable_optimizer"


@tagged("post_install", "-at_install")
class TestReminderRecoveryFee(ArDunningCommon):
    """The formal notice states the recovery compensation the policy charges, in the reader's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms([ADDON], ["fr_FR"], overwrite=True)
        cls.notice.tone = "formal_notice"
        cls.policy.write({"charge_enabled": True, "charge_fixed_amount": 55.5})
        cls.communication = (
            cls.env["ar.dunning.communication"]
            .sudo()
            .create(
                {
                    "company_id": cls.company.id,
                    "partner_id": cls.customer.id,
                    "date": "2026-04-30",
                    "state": "sent",
                    "level_id": cls.notice.id,
                }
            )
        )

    def _body(self, lang):
        self.customer.lang = lang
        self.communication.invalidate_recordset()
        body = self.template._render_field("body_html", self.communication.ids, compute_lang=True)
        return re.sub(r"[ \n]+", " ", str(body[self.communication.id]))

    def test_fee_in_english_and_french(self):
        self.assertRecordValues(
            self.communication, [{"recovery_fee": 55.5, "recovery_fee_currency_id": self.company.currency_id.id}]
        )
        self.assertIn(
            "Late-payment penalties and the fixed compensation for recovery costs of $\xa055.50 are due from "
            "the day after the due date (French Commercial Code, articles L441-10 and D441-5).",
            self._body("en_US"),
        )
        self.assertIn(
            "Des pénalités de retard et l'indemnité forfaitaire pour frais de recouvrement de $\xa055,50 sont dues "
            "dès le lendemain de la date d'échéance (Code de commerce, articles L441-10 et D441-5).",
            self._body("fr_FR"),
        )

    def test_euro_fee_in_french(self):
        """A euro amount reads the French way: "40,00 €"."""
        self.company.currency_id.write({"symbol": "€", "position": "after"})
        self.policy.charge_fixed_amount = 40.0
        self.assertIn("frais de recouvrement de 40,00\xa0€ sont dues", self._body("fr_FR"))
        self.assertIn("recovery costs of 40.00\xa0€ are due", self._body("en_US"))

    def test_no_fee_no_mention(self):
        for values in ({"charge_enabled": False}, {"charge_fixed_amount": 0.0}):
            self.policy.write(values)
            self.communication.invalidate_recordset()
            self.assertEqual(self.communication.recovery_fee, 0.0)
            english, french = self._body("en_US"), self._body("fr_FR")
            self.assertIn(
                "Late-payment penalties are due from the day after the due date (French Commercial Code, "
                "article L441-10).",
                english,
            )
            self.assertIn(
                "Des pénalités de retard sont dues dès le lendemain de la date d'échéance (Code de commerce, "
                "article L441-10).",
                french,
            )
            self.assertNotIn("compensation", english)
            self.assertNotIn("40", english)
            self.assertNotIn("indemnité", french)
            self.assertNotIn("40", french)
