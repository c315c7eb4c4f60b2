import os
import re

import polib

from odoo.tests import TransactionCase, tagged

PO = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n", "fr.po")


@tagged("post_install", "-at_install")
class TestFrenchTerms(TransactionCase):
    """The French translation uses the glossary's terms, one term per notion."""

    def test_dso_is_dso(self):
        """The glossary keeps "DSO" in French: never "DMP", and every DSO of the English stays a DSO."""
        entries = [entry for entry in polib.pofile(PO) if entry.msgstr]
        self.assertFalse([entry.msgstr for entry in entries if re.search(r"\bDMP\b", entry.msgstr)])
        dso = [entry for entry in entries if re.search(r"\bDSO\b", entry.msgid)]
        self.assertGreater(len(dso), 5)
        self.assertFalse([(entry.msgid, entry.msgstr) for entry in dso if "DSO" not in entry.msgstr])
        self.assertEqual({entry.msgstr for entry in dso if entry.msgid == "Target DSO"}, {"DSO cible"})
