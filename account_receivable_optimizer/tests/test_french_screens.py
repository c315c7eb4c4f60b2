import re
from datetime import timedelta

from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.tests import tagged

from .common import ArCreditCommon

ADDON = "account_receivable_optimizer"

#: English words that a French screen, email or letter would only show untranslated (whole words,
#: any case). Words French shares with English ("date", "total", "score", "note", "due") are not listed.
ENGLISH_WORDS = (
    "the",
    "and",
    "of",
    "your",
    "with",
    "dear",
    "customer",
    "customers",
    "invoice",
    "invoices",
    "amount",
    "overdue",
    "late",
    "days",
    "reminder",
    "reminders",
    "policy",
    "limit",
    "available",
    "exposure",
    "hold",
    "graded",
    "level",
    "collector",
    "please",
    "payment",
    "warning",
    "recompute",
    "override",
    "overrides",
)
ENGLISH = re.compile(r"\b(%s)\b" % "|".join(ENGLISH_WORDS), re.IGNORECASE)
#: Attributes of a view whose text a user reads.
READ_ATTRIBUTES = ("string", "help", "placeholder", "title", "confirm", "sum")


@tagged("post_install", "-at_install")
class TestFrenchScreens(ArCreditCommon):
    """The customer form, the invoice banner, the reports' views, a reminder email and a letter
    read in French, without an English word left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms([ADDON], ["fr_FR"], overwrite=True)
        cls.fr_env = cls.env(context=dict(cls.env.context, lang="fr_FR"))
        cls.collector = cls._user(
            "camille", "account_receivable_optimizer.group_ar_credit_controller,account.group_account_invoice"
        )
        cls.collector.write({"name": "Camille Recouvrement", "lang": "fr_FR"})
        cls.customer.write(
            {"lang": "fr_FR", "email": "compta@alpha.example", "ar_collector_id": cls.collector.id, "credit_limit": 500}
        )
        cls.policy.tolerance_percent = 10.0

    def assertFrench(self, text, where):
        """``text`` (plain or HTML) has no English word."""
        plain = re.sub(r"<[^>]+>", " ", text or "")
        plain = plain.replace(self.customer.name, "").replace(self.company.name, "")
        found = sorted({match.group(0) for match in ENGLISH.finditer(plain)})
        self.assertFalse(found, f"{where}: English words {found} in French:\n{plain.strip()[:3000]}")

    def _view_texts(self, arch):
        root = etree.fromstring(arch.encode() if isinstance(arch, str) else arch)
        for node in root.iter():
            if not isinstance(node.tag, str):
                continue
            for attribute in READ_ATTRIBUTES:
                if node.get(attribute):
                    yield node.get(attribute)
            for text in (node.text, node.tail):
                if text and text.strip():
                    yield text.strip()

    def test_every_view_of_the_addon_reads_in_french(self):
        """Forms (the customer form's Credit & Risk tab), lists, searches and reports' views."""
        views = self.fr_env["ir.ui.view"].search([("model_data_id.module", "=", ADDON), ("type", "!=", "qweb")])
        self.assertGreater(len(views), 40)
        for view in views:
            self.assertFrench("\n".join(self._view_texts(view.arch_db)), f"view {view.xml_id}")

    def test_customer_form_field_labels_in_french(self):
        views = self.fr_env["res.partner"].get_views([(False, "form"), (False, "list")])
        fields_info = views["models"]["res.partner"]
        fields_info = fields_info.get("fields", fields_info)
        ours = {name: info for name, info in fields_info.items() if name.startswith("ar_")}
        self.assertIn("ar_risk_grade", ours)
        self.assertEqual(ours["ar_risk_grade"]["string"], "Classe de risque")
        for name, info in ours.items():
            self.assertFrench(info["string"], f"res.partner.{name}")
            for _key, label in info.get("selection") or ():
                self.assertFrench(label, f"res.partner.{name} option")

    def test_reports_fields_and_titles_in_french(self):
        for model in (
            "ar.aging.report",
            "ar.aging.report.line",
            "ar.forecast.report",
            "ar.forecast.report.line",
            "ar.kpi.fact",
            "ar.dunning.communication",
            "ar.dunning.communication.line",
            "ar.credit.override",
            "ar.credit.policy",
            "ar.dunning.level",
        ):
            for name, info in self.fr_env[model].fields_get(attributes=["string", "selection"]).items():
                if name in self.env[model]._fields and self.env[model]._fields[name]._module == ADDON:
                    self.assertFrench(info["string"], f"{model}.{name}")
        report = self.fr_env["ar.aging.report"].create({"as_of_date": "2026-03-05"})
        self.assertEqual(report.display_name, "Balance âgée des créances clients au 05/03/2026")

    def test_invoice_banner_in_french(self):
        invoice = self._invoice(1000.0, post=False).with_env(self.fr_env)
        warning = invoice.partner_credit_warning
        self.assertIn("10,0", warning)  # the tolerance, in the reader's way of writing numbers
        self.assertRegex(warning, r"1\s000,00")
        self.assertFrench(warning, "invoice banner")

    def test_reminder_email_letter_and_task_in_french(self):
        today = fields.Date.context_today(self.env["res.partner"])
        # 52 days late: the shipped levels send the formal notice (email and letter), then the collector calls
        self._invoice(800.0, invoice_date=today - timedelta(days=82), due_date=today - timedelta(days=52))
        levels = self.policy.ar_dunning_level_ids.sorted("offset_days")
        self.assertEqual(
            levels.with_env(self.fr_env).mapped("name"),
            [
                "Rappel avant échéance",
                "Première relance",
                "Deuxième relance",
                "Mise en demeure",
                "Appel du client",
                "Transmission au recouvrement",
            ],
        )
        notice = levels.filtered(lambda level: level.offset_days == 40)
        # the nightly job runs in English (its user's language): what it writes is still French.
        # 10, 25, 40 and 50 days late: first and second reminders, formal notice, collector call.
        for days_before in (42, 27, 12, 2):
            with freeze_time(today - timedelta(days=days_before)):
                self.env(context=dict(self.env.context, lang="en_US"))["res.partner"]._cron_run_dunning()
        communications = self.env["ar.dunning.communication"].search(
            [("partner_id", "=", self.customer.id)], order="date, id"
        )
        self.assertEqual(communications.level_id, levels[1:5])
        self.assertEqual(len(communications.mail_id), 3)
        for mail in communications.mail_id:
            self.assertFrench(mail.body_html, f"reminder email {mail.subject}")
            self.assertFrench(mail.subject, "reminder email subject")
        communication = communications.filtered(lambda c: c.level_id == notice)
        self.assertEqual(communication.mail_id.subject, f"{self.company.name} : Mise en demeure")
        self.assertIn("Mise en demeure de payer.", communication.mail_id.body_html)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_receivable_optimizer.ar_dunning_letter_report", communication.ids
        )[0]
        letter = html.decode()
        self.assertIn("Mise en demeure", letter)
        self.assertFrench(letter.split("o_ar_letter")[-1], "reminder letter")
        task = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id), ("user_id", "=", self.collector.id)]
        )
        self.assertEqual(task.summary, "Appeler le client au sujet de ses factures échues")
        self.assertEqual(str(task.note), "<p>Appel du client : $&nbsp;800,00 échus sur 1 factures.</p>")
        self.assertFrench(task.note, "collector task")

    def test_levels_named_in_english_only_get_french_names_when_french_is_installed(self):
        """Levels created before their French names were stored get them when French terms load."""
        courtesy, first = self.policy.ar_dunning_level_ids.sorted("offset_days")[:2]
        first.name = "Our own first reminder"
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ar_dunning_level SET name = name - 'fr_FR' WHERE id = ANY(%s)", [[courtesy.id, first.id]]
        )
        self.env.invalidate_all()
        self.assertEqual(courtesy.with_env(self.fr_env).name, "Courtesy reminder")
        self.env["ir.module.module"]._load_module_terms([ADDON], ["fr_FR"])
        self.env.invalidate_all()
        self.assertEqual(courtesy.with_env(self.fr_env).name, "Rappel avant échéance")
        self.assertEqual(courtesy.name, "Courtesy reminder")
        self.assertEqual(first.with_env(self.fr_env).name, "Our own first reminder")
