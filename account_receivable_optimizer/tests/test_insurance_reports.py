import io

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CONTROLLER, MANAGER, ArCreditCommon
from .dunning_common import ArDunningCommon

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestInsuranceFacts(ArCreditCommon):
    """Exposure against covers and guarantees, stored per customer and insurer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.insurer_a = Partner.create({"name": "Atradius Test", "is_company": True})
        cls.insurer_b = Partner.create({"name": "Bpifrance Test", "is_company": True})
        Contract = cls.env["ar.credit.insurance.contract"]
        cls.contract_a = Contract.create({"name": "POL-A", "insurer_id": cls.insurer_a.id})
        cls.contract_b = Contract.create({"name": "POL-B", "insurer_id": cls.insurer_b.id})
        cls.beta = Partner.create({"name": "Beta SA", "is_company": True})
        cls.gamma = Partner.create({"name": "Gamma Trading", "is_company": True})
        cls.customer.sudo().ar_risk_grade = "B"
        cls.beta.sudo().ar_risk_grade = "D"
        Cover = cls.env["ar.credit.insurance"]
        for partner, contract, amount, percent, decision, expiry in (
            (cls.customer, cls.contract_a, 10000.0, 90.0, "2026-01-15", "2026-12-31"),
            (cls.customer, cls.contract_b, 2000.0, 80.0, "2026-02-01", False),
            (cls.gamma, cls.contract_a, 5000.0, 95.0, "2026-01-15", "2026-06-29"),  # expired yesterday
        ):
            Cover.create(
                {
                    "partner_id": partner.id,
                    "contract_id": contract.id,
                    "granted_amount": amount,
                    "indemnity_percent": percent,
                    "state": "granted",
                    "decision_date": decision,
                    "expiry_date": expiry,
                }
            )
        cls.env["ar.credit.guarantee"].create({"partner_id": cls.customer.id, "kind": "deposit", "amount": 300.0})
        cls._invoice(12500.0, invoice_date="2026-06-01", due_date="2026-07-01")
        cls._invoice(3000.10, partner=cls.beta)
        cls._invoice(1000.55, partner=cls.gamma)
        cls.controller = cls._user("ar_fact_controller", f"account.group_account_invoice,{CONTROLLER}")

    def _facts(self, user=None):
        Fact = self.env["ar.insurance.fact"]
        return (Fact.with_user(user) if user else Fact).search([("company_id", "=", self.company.id)])

    def test_facts_to_the_cent(self):
        self.env["ar.insurance.fact"].with_user(self.controller).action_ar_refresh()
        facts = self._facts(self.controller)
        self.assertEqual(
            sorted(
                (
                    fact.partner_id.name,
                    fact.insurer_id.name or "",
                    fact.risk_grade or "",
                    fact.exposure,
                    fact.cover,
                    fact.insured_share,
                    fact.guaranteed,
                    fact.uncovered,
                )
                for fact in facts
            ),
            [
                # 12,500.00: 10,000.00 on A (x 90 %), 2,000.00 on B (x 80 %), 500.00 left against 300.00 of deposit
                ("Alpha Industries", "", "B", 500.0, 0.0, 0.0, 300.0, 200.0),
                ("Alpha Industries", "Atradius Test", "B", 10000.0, 10000.0, 9000.0, 0.0, 0.0),
                ("Alpha Industries", "Bpifrance Test", "B", 2000.0, 2000.0, 1600.0, 0.0, 0.0),
                ("Beta SA", "", "D", 3000.1, 0.0, 0.0, 0.0, 3000.1),
                (
                    "Gamma Trading",
                    "",
                    "ungraded",
                    1000.55,
                    0.0,
                    0.0,
                    0.0,
                    1000.55,
                ),  # the expired cover counts for nothing
            ],
        )
        self.assertEqual(facts.mapped("date"), [self._date("2026-06-30")] * 5)
        # the customer's exposure split over its rows sums to the Credit & Risk tab's figures
        alpha = self.customer.with_user(self.controller)
        alpha_facts = facts.filtered(lambda fact: fact.partner_id == self.customer)
        self.assertEqual(sum(alpha_facts.mapped("exposure")), alpha.ar_exposure)
        self.assertEqual(sum(alpha_facts.mapped("insured_share")), alpha.ar_insured_share)
        self.assertEqual(sum(alpha_facts.mapped("uncovered")), alpha.ar_uncovered_exposure)

    def test_totals_for_the_dashboard(self):
        Fact = self.env["ar.insurance.fact"]
        Fact._ar_refresh(self.company)
        totals = Fact.with_user(self.controller)._ar_insurance_totals()
        insurers = totals.pop("insurers")
        self.assertEqual(
            {key: round(value, 2) for key, value in totals.items()},
            {
                "exposure": 16500.65,
                "covered": 12000.0,
                "cover": 12000.0,
                "insured_share": 10600.0,
                "guaranteed": 300.0,
                "uncovered": 4200.65,
            },
        )
        self.assertEqual(
            insurers,
            [
                {
                    "insurer_id": self.insurer_a.id,
                    "name": "Atradius Test",
                    "exposure": 10000.0,
                    "cover": 10000.0,
                    "insured_share": 9000.0,
                },
                {
                    "insurer_id": self.insurer_b.id,
                    "name": "Bpifrance Test",
                    "exposure": 2000.0,
                    "cover": 2000.0,
                    "insured_share": 1600.0,
                },
            ],
        )

    def test_dashboard_section(self):
        self.env["ar.insurance.fact"]._ar_refresh(self.company)
        data = (
            self.env["ar.receivables.dashboard"]
            .with_user(self.controller)
            .with_context(allowed_company_ids=self.company.ids)
            .get_dashboard_data()
        )
        section = data["insurance"]
        self.assertEqual(
            {key: round(section[key], 2) for key in ("exposure", "cover", "insured_share", "guaranteed", "uncovered")},
            {
                "exposure": 16500.65,
                "cover": 12000.0,
                "insured_share": 10600.0,
                "guaranteed": 300.0,
                "uncovered": 4200.65,
            },
        )
        self.assertEqual(round(section["covered"], 2), 12000.0)
        self.assertEqual(
            [(row["name"], row["cover"], row["insured_share"]) for row in section["insurers"]],
            [("Atradius Test", 10000.0, 9000.0), ("Bpifrance Test", 2000.0, 1600.0)],
        )

        # each figure opens the pivot of the facts behind it
        def facts(action):
            self.assertEqual((action["res_model"], action["views"][0][1]), ("ar.insurance.fact", "pivot"))
            found = self.env["ar.insurance.fact"].with_user(self.controller).search(action["domain"])
            return sorted((fact.partner_id.name, fact.insurer_id.name or "") for fact in found)

        self.assertEqual(len(facts(section["action"])), 5)
        self.assertEqual(
            facts(section["actions"]["cover"]),
            [("Alpha Industries", "Atradius Test"), ("Alpha Industries", "Bpifrance Test")],
        )
        self.assertEqual(facts(section["actions"]["guaranteed"]), [("Alpha Industries", "")])
        self.assertEqual(
            facts(section["actions"]["uncovered"]),
            [("Alpha Industries", ""), ("Beta SA", ""), ("Gamma Trading", "")],
        )
        self.assertEqual(facts(section["insurers"][1]["action"]), [("Alpha Industries", "Bpifrance Test")])

    def test_refill_replaces_and_queries_are_constant(self):
        Fact = self.env["ar.insurance.fact"]
        Fact._ar_refresh(self.company)
        self.env.flush_all()
        for index in range(5):
            self._invoice(100.0, partner=self.env["res.partner"].create({"name": f"Extra {index}", "is_company": True}))
        self.env.flush_all()
        with self.assertQueryCount(7):  # the same with 3 customers or 3,000
            Fact._ar_refresh(self.company)
        self.assertEqual(len(self._facts()), 10)
        Fact._ar_refresh(self.company)
        self.assertEqual(len(self._facts()), 10, "a second fill the same day replaces the first")

    def test_nightly_job_fills_the_facts(self):
        self.env["ar.kpi.fact"]._cron_refresh_facts()
        self.assertEqual(len(self._facts()), 5)

    def test_access_and_companies(self):
        billing = self._user("ar_fact_billing", "account.group_account_invoice")
        self.env["ar.insurance.fact"]._ar_refresh(self.company)
        with self.assertRaises(AccessError):
            self.env["ar.insurance.fact"].with_user(billing).search([])
        with self.assertRaises(AccessError):
            self.env["ar.insurance.fact"].with_user(billing).action_ar_refresh()
        with self.assertRaises(AccessError):
            self.env["ar.insurance.fact"].with_user(billing)._ar_insurance_totals()
        # another company's facts stay in that company
        other = self.setup_other_company()["company"]
        contract = self.env["ar.credit.insurance.contract"].create(
            {"name": "POL-O", "insurer_id": self.insurer_a.id, "company_id": other.id}
        )
        self.env["ar.credit.insurance"].create(
            {
                "partner_id": self.beta.id,
                "contract_id": contract.id,
                "company_id": other.id,
                "granted_amount": 7000.0,
                "state": "granted",
                "decision_date": "2026-01-01",
            }
        )
        self.env["ar.insurance.fact"]._ar_refresh(other)
        other_facts = self.env["ar.insurance.fact"].search([("company_id", "=", other.id)])
        self.assertEqual(
            [(f.partner_id, f.insurer_id, f.exposure, f.cover) for f in other_facts],
            [(self.beta, self.insurer_a, 0.0, 7000.0)],
        )
        self.assertFalse(
            self.env["ar.insurance.fact"].with_user(self.controller).search([("company_id", "=", other.id)])
        )
        self.assertEqual(
            self.env["ar.insurance.fact"].with_user(self.controller)._ar_insurance_totals()["cover"], 12000.0
        )

    def test_sheet_in_the_xlsx_pack(self):
        aging = self.env["ar.aging.report"].create({"company_ids": [Command.set(self.company.ids)]})
        pack = self.env["ar.analytics.pack"].create({"aging_report_id": aging.id})
        book = openpyxl.load_workbook(io.BytesIO(pack._ar_build_xlsx()), data_only=True)
        rows = _rows(book["Credit Insurance"])
        self.assertEqual(
            rows[0],
            [
                "Customer",
                "Insurer",
                "Risk Grade",
                "Exposure",
                "Insurance Cover",
                "Insured Share",
                "Guarantees",
                "Uncovered Exposure",
            ],
        )
        self.assertEqual(
            rows[1:],
            [
                ["Alpha Industries", "Atradius Test", "B", 10000.0, 10000.0, 9000.0, 0.0, 0.0],
                ["Alpha Industries", "Bpifrance Test", "B", 2000.0, 2000.0, 1600.0, 0.0, 0.0],
                ["Alpha Industries", "Not insured", "B", 500.0, 0.0, 0.0, 300.0, 200.0],
                ["Beta SA", "Not insured", "D", 3000.1, 0.0, 0.0, 0.0, 3000.1],
                ["Gamma Trading", "Not insured", "Not graded", 1000.55, 0.0, 0.0, 0.0, 1000.55],
                ["Total", None, None, 16500.65, 12000.0, 10600.0, 300.0, 4200.65],
            ],
        )


@tagged("post_install", "-at_install")
class TestInsurerHandOver(ArDunningCommon):
    """The declaration pack of a threat of loss: from the cover, and from the dunning's hand-over level."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.insurer = cls.env["res.partner"].create({"name": "Euler Credit", "is_company": True})
        cls.contract = cls.env["ar.credit.insurance.contract"].create(
            {"name": "POL-2026-001", "insurer_id": cls.insurer.id, "declaration_days": 90}
        )
        cls.cover = cls.env["ar.credit.insurance"].create(
            {
                "partner_id": cls.customer.id,
                "contract_id": cls.contract.id,
                "buyer_reference": "B-778899",
                "granted_amount": 10000.0,
                "indemnity_percent": 90.0,
                "state": "granted",
                "decision_date": "2026-01-15",
            }
        )
        cls.customer.vat = "FR40303265045"
        with freeze_time("2026-03-01"):
            cls.first = cls._invoice(1200.0, invoice_date="2026-03-01", due_date="2026-03-31")
            cls.second = cls._invoice(800.0, invoice_date="2026-03-01", due_date="2026-04-10")
            cls.later = cls._invoice(500.0, invoice_date="2026-03-01", due_date="2026-07-15")
        cls.handover.write({"hand_over_target": "insurer", "hand_over_confirm": False})

    def _book(self, attachments):
        xlsx = attachments.filtered(lambda attachment: attachment.mimetype == XLSX)
        self.assertEqual(len(xlsx), 1)
        return openpyxl.load_workbook(io.BytesIO(xlsx.raw), data_only=True)

    def test_pack_from_the_customer(self):
        manager = self._user("ar_pack_manager", MANAGER)
        billing = self._user("ar_pack_billing_rpc", "account.group_account_invoice")
        with freeze_time("2026-06-30"):
            # the button: on the form of Credit Managers only, for insured customers only
            for user, shown in ((manager, True), (self.collector, False)):
                arch = self.env["res.partner"].with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
                self.assertEqual("action_ar_declaration_pack" in arch, shown)
            beta = self.env["res.partner"].create({"name": "Beta SA", "is_company": True})
            self.assertEqual(
                (self.customer.with_user(manager).ar_insured, beta.with_user(manager).ar_insured), (True, False)
            )
            # the server checks again, whatever the form shows (a call over RPC)
            for user in (billing, self.collector):
                with self.assertRaises(AccessError):
                    self.customer.with_user(user).action_ar_declaration_pack()
            with self.assertRaisesRegex(UserError, "Beta SA has no credit insurance cover in force today"):
                beta.with_user(manager).action_ar_declaration_pack()
            action = self.customer.with_user(manager).action_ar_declaration_pack()
        self.assertEqual((action["res_model"], action["res_id"]), ("ar.credit.insurance", self.cover.id))
        message = self.cover.message_ids[0]
        self.assertEqual(message.body, "<p>Declaration pack for Euler Credit prepared.</p>")
        self.assertEqual(message.author_id, manager.partner_id)
        self.assertEqual(len(message.attachment_ids), 2)
        self.assertIn("Threat of loss Alpha Industries 2026-06-30.xlsx", message.attachment_ids.mapped("name"))
        # another company: its Credit Manager finds no cover there, and cannot act in this company
        other = self.env["res.company"].create({"name": "Other Co"})
        other_manager = self._user("ar_pack_other_manager", MANAGER, company=other)
        with self.assertRaisesRegex(UserError, "in Other Co"):
            self.customer.with_user(other_manager).action_ar_declaration_pack()
        with self.assertRaises(AccessError):
            self.customer.with_user(other_manager).with_context(
                allowed_company_ids=self.company.ids
            ).action_ar_declaration_pack()
        self.assertEqual(len(self.cover.message_ids.filtered("attachment_ids")), 1)

    def test_pack_from_the_cover(self):
        self._run("2026-04-10")  # reminder of the first invoice, 10 days late
        reason = self.env["ar.dispute.reason"].create({"name": "Damaged goods"})
        with freeze_time("2026-04-15"):
            self.env["ar.invoice.dispute"].create({"move_id": self.second.id, "reason_id": reason.id})
            self.env["ar.payment.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(self.first.ids)],
                    "amount": 600.0,
                    "promised_date": "2026-04-30",
                }
            )
        billing = self._user("ar_pack_billing", "account.group_account_invoice")
        with self.assertRaises(AccessError):
            self.cover.with_user(billing).action_ar_declaration_pack()
        with freeze_time("2026-06-30"):
            self.cover.with_user(self.collector).action_ar_declaration_pack()
        message = self.cover.message_ids[0]
        self.assertEqual(message.body, "<p>Declaration pack for Euler Credit prepared.</p>")
        self.assertEqual(message.author_id, self.collector.partner_id)
        document = message.attachment_ids.filtered(lambda a: a.mimetype != XLSX)
        # a PDF, or HTML on a server without a working PDF engine
        extension = "html" if document.name.endswith(".html") else "pdf"
        self.assertEqual(
            sorted(message.attachment_ids.mapped("name")),
            [
                f"Threat of loss Alpha Industries 2026-06-30.{extension}",
                "Threat of loss Alpha Industries 2026-06-30.xlsx",
            ],
        )
        book = self._book(message.attachment_ids)
        summary = {row[0]: row[1] for row in _rows(book["Declaration"])}
        self.assertEqual(summary["Buyer reference"], "B-778899")
        self.assertEqual(summary["VAT number"], "FR40303265045")
        self.assertEqual(summary["Exposure"], 2500.0)
        self.assertEqual(summary["Overdue amount"], 2000.0)
        self.assertEqual(str(summary["Oldest unpaid due date"].date()), "2026-03-31")
        self.assertEqual(str(summary["Declaration deadline"].date()), "2026-06-29")
        items = _rows(book["Overdue Items"])
        self.assertEqual(
            [row[:1] + row[3:] for row in items[1:]],
            [
                [self.first.name, 91, 1200.0, 1200.0, ""],
                [self.second.name, 81, 800.0, 800.0, "Yes"],
                ["Total overdue", None, None, 2000.0, None],
            ],
        )
        reminders = _rows(book["Reminders"])
        self.assertEqual([row[1:] for row in reminders[1:]], [["Reminder", "Email", "Sent", 2000.0]])
        self.assertEqual(_rows(book["Promises"])[1][1:4], [600.0, "Pending", self.first.name])
        self.assertEqual(
            _rows(book["Disputes"])[1][:1] + _rows(book["Disputes"])[1][2:4],
            [self.second.name, "Damaged goods", "Open"],
        )
        if extension == "html":
            content = document.raw
            self.assertIn(b"Declaration of a threat of loss", content)
            self.assertIn(self.first.name.encode(), content)
            self.assertIn(b"Damaged goods", content)
        else:
            self.assertEqual(document.raw[:5], b"%PDF-")

    def test_hand_over_level_targets_the_insurer(self):
        self._run("2026-04-10")
        self._run("2026-04-30")
        self._run("2026-05-30")  # 60 days late: the hand-over level
        communication = self._communications()[-1]
        self.assertEqual(communication.level_id, self.handover)
        self.assertEqual(communication.hand_over_state, "done")
        names = communication.attachment_ids.mapped("name")
        self.assertIn("Threat of loss Alpha Industries 2026-05-30.xlsx", names)
        self.assertIn("Case file Alpha Industries 2026-05-30.xlsx", names)
        book = self._book(communication.attachment_ids.filtered(lambda a: a.name.startswith("Threat of loss")))
        self.assertEqual([row[5] for row in _rows(book["Overdue Items"])[1:]], [1200.0, 800.0, 2000.0])
        self.assertFalse(communication.reason)

    def test_hand_over_without_cover_says_so(self):
        self.cover.expiry_date = "2026-05-29"
        self._run("2026-04-10")
        self._run("2026-04-30")
        self._run("2026-05-30")
        communication = self._communications()[-1]
        self.assertEqual(communication.level_id, self.handover)
        self.assertFalse(communication.attachment_ids.filtered(lambda a: a.name.startswith("Threat of loss")))
        self.assertEqual(
            communication.reason,
            "No insurance cover of the customer counts on this day: no declaration pack for the insurer.",
        )
