import os

import polib

from odoo.modules.module import get_module_path
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

    def test_no_web_term_is_translated_otherwise_by_another_module(self):
        # The web client merges the French terms of every installed module into one table: a term of
        # the addon's screens that another module translates differently shows one or the other
        # (seen: "DSO" as "DMP", "Overdue" as "En retard" on the dashboard). Such terms get a msgid
        # of their own.
        def web_terms(path):
            if not os.path.isfile(path):
                return {}
            return {
                entry.msgid: entry.msgstr
                for entry in polib.pofile(path)
                if entry.msgstr and not entry.obsolete and "odoo-javascript" in (entry.comment or "")
            }

        ours = web_terms(os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n", "fr.po"))
        self.assertTrue(ours)
        clashes = []
        modules = self.env["ir.module.module"].search([("state", "=", "installed"), ("name", "!=", ADDON)])
        for module in modules.mapped("name"):
            module_path = get_module_path(module)
            if not module_path:
                continue
            for msgid, msgstr in web_terms(os.path.join(module_path, "i18n", "fr.po")).items():
                if msgid in ours and msgstr != ours[msgid]:
                    clashes.append(f"{msgid!r}: {ours[msgid]!r} here, {msgstr!r} in {module}")
        self.assertEqual(clashes, [])
