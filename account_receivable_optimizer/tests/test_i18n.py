import os

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

ADDON = "account_receivable_optimizer"


@tagged("post_install", "-at_install")
class TestFrenchComplete(TransactionCase):
    """Every term of the addon (code, views, data, reports, mail templates) has its French translation."""

    def test_every_term_is_translated_in_fr_po(self):
        terms = {src for module, _kind, _name, _res_id, src, *_rest in TranslationModuleReader(self.env.cr, [ADDON])}
        terms.discard("")
        path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n", "fr.po")
        translated = {entry.msgid for entry in polib.pofile(path) if entry.msgstr and not entry.fuzzy}
        missing = sorted(terms - translated)
        self.assertFalse(missing, f"{len(missing)} terms missing from i18n/fr.po, for example: {missing[:5]}")
        self.assertGreater(len(terms), 900)
