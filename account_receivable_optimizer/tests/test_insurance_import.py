import base64
import datetime
import io
from unittest.mock import patch

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CONTROLLER, MANAGER, ArCreditCommon

HEADER = "VAT;SIREN;Name;Granted amount;Currency;Decision date;Expiry;Buyer reference"
LINES = [
    "FR40303265045;;;12 000,00;USD;2026-06-01;2026-12-31;B-1",  # 2: Alpha by VAT, new
    ";55210055400013;;7500;;01/06/2026;;B-2",  # 3: Beta by SIRET's SIREN, new
    ";;gamma  TRADING;3000.50;;2026-06-01;;B-3",  # 4: Gamma by name, new
    ";;Delta Corp;6000;;2026-06-01;2026-12-31;B-4",  # 5: reduced from 8,000.00
    ";;Epsilon Ltd;5000;USD;2026-01-15;2026-12-31;B-5",  # 6: unchanged
    ";;Zeta Inc;0;;2026-06-01;;B-6",  # 7: refused
    ";;Unknown Co;1000;;;;",  # 8: unknown customer
    ";;Eta Co;abc;;;;",  # 9: not a number
    ";;Theta Co;1000;;31/02/2026;;",  # 10: not a date
    ";;Iota Co;1000;;;;",  # 11: duplicate of 13
    "",  # 12: empty, skipped
    ";;iota co;2000;;;;",  # 13: duplicate of 11
    ";;Kappa Co;-5;;;;",  # 14: negative
    ";;Kappa Co;100;EUX;;;",  # 15: unknown currency
]


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestInsuranceLimitImport(ArCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.insurer = cls.env["res.partner"].create({"name": "Euler Credit", "is_company": True})
        cls.contract = cls.env["ar.credit.insurance.contract"].create({"name": "POL-1", "insurer_id": cls.insurer.id})
        cls.customer.vat = "FR 40 303 265 045"
        Partner = cls.env["res.partner"]
        cls.beta = Partner.create({"name": "Beta SA", "is_company": True, "company_registry": "552 100 554"})
        cls.gamma = Partner.create({"name": "Gamma Trading", "is_company": True})
        cls.delta = Partner.create({"name": "Delta Corp", "is_company": True})
        cls.epsilon = Partner.create({"name": "Epsilon Ltd", "is_company": True})
        cls.zeta = Partner.create({"name": "Zeta Inc", "is_company": True})
        cls.others = Partner.create(
            [{"name": name, "is_company": True} for name in ("Eta Co", "Theta Co", "Iota Co", "Kappa Co")]
        )
        Cover = cls.env["ar.credit.insurance"]
        cls.delta_cover, cls.epsilon_cover, cls.zeta_cover = Cover.create(
            [
                {
                    "partner_id": partner.id,
                    "contract_id": cls.contract.id,
                    "granted_amount": amount,
                    "state": "granted",
                    "decision_date": "2026-01-15",
                    "expiry_date": "2026-12-31",
                    "buyer_reference": ref,
                }
                for partner, amount, ref in (
                    (cls.delta, 8000.0, "B-4"),
                    (cls.epsilon, 5000.0, "B-5"),
                    (cls.zeta, 4000.0, "B-6"),
                )
            ]
        )
        cls.manager = cls._user("ar_imp_manager", f"account.group_account_invoice,{MANAGER}")
        cls.controller = cls._user("ar_imp_controller", f"account.group_account_invoice,{CONTROLLER}")

    def _wizard(self, content, filename="limits.csv", user=None):
        if isinstance(content, str):
            content = content.encode("cp1252")
        return (
            self.env["ar.insurance.limit.import"]
            .with_user(user or self.manager)
            .create({"contract_id": self.contract.id, "file": base64.b64encode(content), "filename": filename})
        )

    def _covers(self):
        return self.env["ar.credit.insurance"].search_read(
            [("contract_id", "=", self.contract.id)],
            ["partner_id", "granted_amount", "state", "decision_date", "expiry_date", "buyer_reference"],
            order="id",
        )

    def test_preview_lists_each_change_and_each_rejected_line(self):
        wizard = self._wizard("\n".join([HEADER, *LINES]))
        before = self._covers()
        wizard.action_preview()
        self.assertEqual(self._covers(), before, "the preview changes no cover")
        lines = {line.line_number: line for line in wizard.line_ids}
        self.assertEqual(sorted(lines), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15])
        expected = {
            2: ("new", self.customer, 0.0, 12000.0, "granted"),
            3: ("new", self.beta, 0.0, 7500.0, "granted"),
            4: ("new", self.gamma, 0.0, 3000.5, "granted"),
            5: ("changed", self.delta, 8000.0, 6000.0, "reduced"),
            6: ("unchanged", self.epsilon, 5000.0, 5000.0, "granted"),
            7: ("refused", self.zeta, 4000.0, 0.0, "refused"),
        }
        for number, (action, partner, old, new, state) in expected.items():
            with self.subTest(line=number):
                line = lines[number]
                self.assertEqual(
                    (line.action, line.partner_id, line.old_amount, line.amount, line.new_state),
                    (action, partner, old, new, state),
                )
                self.assertFalse(line.reason)
        reasons = {
            8: f"No customer of {self.company.name} has this VAT number, SIREN or name.",
            9: "The amount 'abc' is not a number.",
            10: "'31/02/2026' is not a date (YYYY-MM-DD or DD/MM/YYYY).",
            11: "The same buyer is also on line(s) 13: keep one line per buyer.",
            13: "The same buyer is also on line(s) 11: keep one line per buyer.",
            14: "The amount -5 is negative.",
            15: "Unknown currency 'EUX'.",
        }
        for number, reason in reasons.items():
            with self.subTest(line=number):
                self.assertEqual((lines[number].action, lines[number].reason), ("rejected", reason))
        self.assertEqual(
            (
                wizard.count_new,
                wizard.count_changed,
                wizard.count_refused,
                wizard.count_unchanged,
                wizard.count_rejected,
            ),
            (3, 1, 1, 1, 7),
        )

    def test_apply_writes_the_changes_with_their_history(self):
        wizard = self._wizard("\n".join([HEADER, *LINES]))
        wizard.action_preview()
        self._flush_tracking()
        epsilon_messages = len(self.epsilon_cover.message_ids)
        wizard.action_apply()
        self.assertEqual(wizard.state, "done")
        self._flush_tracking()
        covers = {
            cover.partner_id: cover
            for cover in self.env["ar.credit.insurance"].search([("contract_id", "=", self.contract.id)])
        }
        self.assertEqual(len(covers), 6)
        expected = {
            self.customer: (12000.0, "granted", "2026-06-01", "2026-12-31", "B-1"),
            self.beta: (7500.0, "granted", "2026-06-01", False, "B-2"),
            self.gamma: (3000.5, "granted", "2026-06-01", False, "B-3"),
            self.delta: (6000.0, "reduced", "2026-06-01", "2026-12-31", "B-4"),
            self.epsilon: (5000.0, "granted", "2026-01-15", "2026-12-31", "B-5"),
            self.zeta: (0.0, "refused", "2026-06-01", False, "B-6"),
        }
        for partner, (amount, state, decision, expiry, ref) in expected.items():
            with self.subTest(partner=partner.name):
                cover = covers[partner]
                self.assertEqual(
                    (
                        cover.granted_amount,
                        cover.state,
                        str(cover.decision_date),
                        cover.expiry_date and str(cover.expiry_date),
                        cover.buyer_reference,
                    ),
                    (amount, state, decision, expiry, ref),
                )
        self.assertEqual(covers[self.delta], self.delta_cover, "the current cover is updated, not replaced")
        tracked = self.delta_cover.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "granted_amount"
        )
        self.assertEqual((tracked.old_value_float, tracked.new_value_float), (8000.0, 6000.0))
        bodies = self.delta_cover.message_ids.mapped("body")
        self.assertEqual(
            [body for body in bodies if "Limit file" in body],
            ["<p>Limit file limits.csv of contract POL-1, line 5: Changed.</p>"],
        )
        self.assertEqual(len(self.epsilon_cover.message_ids), epsilon_messages, "an unchanged cover is left alone")
        # applying again does nothing: the wizard is done
        with self.assertRaises(UserError):
            wizard.action_apply()

    def test_apply_refuses_covers_changed_since_the_preview(self):
        wizard = self._wizard("\n".join([HEADER, *LINES]))
        wizard.action_preview()
        before = self._covers()
        # another Credit Manager changes Delta's cover between the preview and Apply
        colleague = self._user("ar_imp_colleague", f"account.group_account_invoice,{MANAGER}")
        self.delta_cover.with_user(colleague).granted_amount = 7000.0
        before[0]["granted_amount"] = 7000.0
        with self.assertRaisesRegex(
            UserError,
            r"The covers of Delta Corp changed since the preview \(file lines: 5\); nothing was written\. "
            r"Go back and preview the file again",
        ):
            wizard.action_apply()
        self.assertEqual(self._covers(), before)
        self.assertEqual(wizard.state, "preview")
        # a cover created for Alpha meanwhile: the preview's "new cover" would make a second one
        alpha_cover = self.env["ar.credit.insurance"].create(
            {"partner_id": self.customer.id, "contract_id": self.contract.id, "granted_amount": 9000.0}
        )
        with self.assertRaisesRegex(UserError, r"The covers of Alpha Industries, Delta Corp changed .*lines: 2, 5\)"):
            wizard.action_apply()
        # previewed again, the file applies over the current covers
        wizard.action_back()
        wizard.action_preview()
        delta_line = wizard.line_ids.filtered(lambda line: line.partner_id == self.delta)
        self.assertEqual((delta_line.old_amount, delta_line.amount), (7000.0, 6000.0))
        wizard.action_apply()
        self.assertEqual((self.delta_cover.granted_amount, alpha_cover.granted_amount), (6000.0, 12000.0))

    def test_unknown_column_rejects_the_file(self):
        wizard = self._wizard("Name;Amount;Colour\nDelta Corp;1;red\n")
        wizard.action_preview()
        self.assertTrue(wizard.header_rejected)
        self.assertEqual(len(wizard.line_ids), 1)
        self.assertEqual(wizard.line_ids.line_number, 1)
        self.assertIn("Unknown columns: Colour.", wizard.line_ids.reason)
        with self.assertRaises(UserError):
            wizard.action_apply()
        self.assertEqual(self.delta_cover.granted_amount, 8000.0)
        wizard = self._wizard("Name;Nom\nDelta Corp;Delta Corp\n")
        wizard.action_preview()
        self.assertEqual(
            wizard.line_ids.reason,
            "Columns given twice: Nom. Missing columns: amount. Accepted columns: vat, siren, name (at least one), "
            "amount, currency, decision date, expiry date, buyer reference.",
        )

    def test_xlsx_file_with_french_columns(self):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["Raison sociale", "Montant accordé", "Date de décision", "Échéance", "N° acheteur"])
        sheet.append(["Delta Corp", 9000, datetime.datetime(2026, 6, 2), datetime.datetime(2027, 6, 1), 778899])
        output = io.BytesIO()
        workbook.save(output)
        wizard = self._wizard(output.getvalue(), filename="limites.xlsx")
        wizard.action_preview()
        self.assertRecordValues(
            wizard.line_ids,
            [
                {
                    "line_number": 2,
                    "action": "changed",
                    "partner_id": self.delta.id,
                    "amount": 9000.0,
                    "new_state": "granted",
                }
            ],
        )
        wizard.action_apply()
        self.assertRecordValues(
            self.delta_cover,
            [{"granted_amount": 9000.0, "state": "granted", "buyer_reference": "778899"}],
        )
        self.assertEqual(str(self.delta_cover.expiry_date), "2027-06-01")

    def test_not_a_spreadsheet_refused(self):
        with self.assertRaises(UserError):
            self._wizard(b"PK\x03\x04garbage", filename="limits.xlsx").action_preview()
        with self.assertRaises(UserError):
            self._wizard(b"%PDF-1.4", filename="limits.pdf").action_preview()

    def test_connector_extension_point(self):
        rows = [["vat", "amount"], ["FR40303265045", 2500]]
        wizard = self.env["ar.insurance.limit.import"].with_user(self.manager).create({"contract_id": self.contract.id})
        with patch.object(type(wizard), "_ar_fetch_rows", return_value=rows):
            wizard.action_preview()
        self.assertRecordValues(wizard.line_ids, [{"action": "new", "partner_id": self.customer.id, "amount": 2500.0}])

    def test_only_credit_managers_import(self):
        with self.assertRaises(AccessError):
            self._wizard(HEADER, user=self.controller)
        billing = self._user("ar_imp_billing", "account.group_account_invoice")
        with self.assertRaises(AccessError):
            self._wizard(HEADER, user=billing)
        wizard = self._wizard("\n".join([HEADER, LINES[3]]))
        with self.assertRaises(AccessError):
            wizard.with_user(self.controller).action_apply()
        self.assertEqual(self.delta_cover.granted_amount, 8000.0)

    def test_customers_of_another_company_never_match(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.env["res.partner"].create(
            {"name": "Lambda", "is_company": True, "vat": "BE0477472701", "company_id": other.id}
        )
        wizard = self._wizard(f"{HEADER}\nBE0477472701;;;1000;;;;")
        wizard.action_preview()
        self.assertRecordValues(wizard.line_ids, [{"action": "rejected", "partner_id": False}])
        other_contract = self.env["ar.credit.insurance.contract"].create(
            {"name": "POL-9", "insurer_id": self.insurer.id, "company_id": other.id}
        )
        with self.assertRaises(AccessError):
            self.env["ar.insurance.limit.import"].with_user(self.manager).create(
                {"contract_id": other_contract.id}
            ).action_preview()
