from psycopg2 import IntegrityError

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .. import compat


@tagged("post_install", "-at_install")
class TestCompat(TransactionCase):
    """What compat.py declares once for both series reaches the database on each."""

    def _constraint(self, table, name):
        self.env.cr.execute(
            """SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                 JOIN pg_class t ON t.oid = c.conrelid
                WHERE t.relname = %s AND c.conname = %s""",
            (table, name),
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    def test_sql_constraints_created(self):
        self.assertEqual(
            self._constraint("ar_late_payment_rate", "ar_late_payment_rate_rate_positive"),
            "CHECK ((rate >= (0)::numeric))",
        )
        self.assertEqual(
            self._constraint("ar_portal_account", "ar_portal_account_partner_company_uniq"),
            "UNIQUE (partner_id, company_id)",
        )

    def test_sql_constraint_enforced(self):
        Rate = self.env["ar.late.payment.rate"]
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env.cr.execute("INSERT INTO ar_late_payment_rate (date_from, rate) VALUES ('2026-01-01', -1)")
        self.assertFalse(Rate.search([("rate", "<", 0)]))

    def test_json_route_type(self):
        self.assertEqual(compat.JSON_ROUTE, "jsonrpc" if compat.SERIES >= 19 else "json")
