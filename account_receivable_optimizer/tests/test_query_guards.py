"""Query-count guards of the batch paths, for 10 and for 100 customers.

A path that gathers its data per customer (an N+1 query) makes the count
grow with the customers and fails here, without timing anything. Where a
path writes per customer (a grade tracked in the chatter), the gathering is
guarded as constant and so is the writing (one statement per batch). The timings
are in the benchmark (``scripts/bench.py``, ``docs/performance.md``).

Also guarded elsewhere: the aging and the KPI facts for 10 and 1,000 items
(test_aging_report.py), the dunning run's planning and writing
(test_dunning_run.py).
"""

import contextlib
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.account_move import AccountMove
from ..models.res_partner import ResPartner
from .common import ArCreditCommon

TODAY = "2026-06-30"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestQueryGuards(ArCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write({"enforcement": "warn"})
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.receivable = cls.company_data["default_account_receivable"]
        cls.warm = cls._customers(1, "Warm")
        cls.ten = cls._customers(10, "Ten")

    @classmethod
    def _customers(cls, count, prefix):
        """``count`` customers, each with an invoice paid in part after the past date and one overdue."""
        customers = cls.env["res.partner"].create(
            [
                {"name": f"{prefix} {i:03d}", "email": f"{prefix.lower()}{i}@example.com", "credit_limit": 5000.0}
                for i in range(count)
            ]
        )
        invoices = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "invoice_date": invoice_date,
                    "invoice_date_due": due_date,
                    "invoice_line_ids": [Command.create({"name": "Service", "price_unit": 100.0, "tax_ids": []})],
                }
                for customer in customers
                for invoice_date, due_date in (("2026-01-10", "2026-02-09"), ("2026-04-01", "2026-05-01"))
            ]
        )
        invoices.action_post()
        # 40.00 of each first invoice paid on 2026-05-15, after the past report date (2026-03-31)
        payment = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2026-05-15",
                "journal_id": cls.bank_journal.id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": cls.bank_journal.default_account_id.id,
                            "debit": 40.0 * count,
                            "name": "Payments",
                        }
                    ),
                    *[
                        Command.create(
                            {"account_id": cls.receivable.id, "partner_id": customer.id, "credit": 40.0, "name": "Pay"}
                        )
                        for customer in customers
                    ],
                ],
            }
        )
        payment.action_post()
        pay_lines = payment.line_ids.filtered(lambda line: line.account_id == cls.receivable)
        for customer in customers:
            first = invoices.filtered(lambda m, c=customer: m.partner_id == c and m.invoice_date.month == 1)
            lines = first.line_ids.filtered(lambda line: line.account_id == cls.receivable)
            (lines | pay_lines.filtered(lambda line, c=customer: line.partner_id == c)).reconcile()
        cls.env.flush_all()
        return customers

    def _count(self, function):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = function()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before, result

    # ------------------------------------------------------------------

    def test_customer_list_for_10_and_100_customers(self):
        """The customer list with grade, exposure, overdue and available credit: the same queries for 10 or 100."""
        specification = {
            name: {}
            for name in (
                "display_name",
                "email",
                "ar_risk_grade",
                "ar_exposure",
                "ar_overdue_amount",
                "ar_available_credit",
                "ar_insurance_cover",
                "ar_uncovered_exposure",
                "credit_limit",
            )
        }

        def read(customers):
            return self._count(
                lambda: self.env["res.partner"].web_search_read([("id", "in", customers.ids)], specification)
            )

        hundred = self._customers(100, "Hundred")  # created first: creating leaves other records in the caches
        read(self.warm)  # warm the caches
        q10, result10 = read(self.ten)
        q100, result100 = read(hundred)
        self.assertEqual(q10, q100)
        self.assertLessEqual(q100, 11)
        self.assertEqual(result100["length"], 100)
        # each: 200.00 invoiced, 40.00 paid; the January invoice is overdue on 2026-06-30, May's too
        self.assertEqual({record["ar_exposure"] for record in result100["records"]}, {160.0})
        self.assertEqual({record["ar_overdue_amount"] for record in result100["records"]}, {160.0})
        self.assertEqual({record["ar_available_credit"] for record in result100["records"]}, {4840.0})
        self.assertEqual({record["ar_uncovered_exposure"] for record in result10["records"]}, {160.0})  # no cover

    def test_aging_as_of_a_past_date_for_10_and_100_customers(self):
        def aging(customers):
            report = self.env["ar.aging.report"].create(
                {"as_of_date": "2026-03-31", "partner_ids": [Command.set(customers.ids)]}
            )
            count, _result = self._count(report._compute_lines)
            return count, report

        aging(self.warm)  # warm the caches
        q10, report10 = aging(self.ten)
        hundred = self._customers(100, "Hundred")
        q100, report100 = aging(hundred)
        self.assertEqual(q10, q100)
        self.assertLessEqual(q100, 8)
        # as of 2026-03-31 only the first invoice existed, and the 40.00 paid later is undone
        self.assertEqual(len(report100.line_ids), 100)
        self.assertAlmostEqual(report100.total, 100 * 100.0, places=2)
        self.assertAlmostEqual(report10.total, 10 * 100.0, places=2)

    def test_credit_check_of_a_posting_for_10_and_100_customers(self):
        """What the credit check adds to a posting: the snapshot and the check, whatever the customers."""
        Move = self.env["account.move"]

        def check(customers):
            moves = Move.search([("partner_id", "in", customers.ids), ("move_type", "=", "out_invoice")])
            after = moves._ar_receivable_snapshot()
            self.assertEqual(len(after), 2 * len(customers))
            count, _result = self._count(lambda: Move._ar_check_raised_receivables({}, moves._ar_receivable_snapshot()))
            return count

        check(self.warm)
        q10 = check(self.ten)
        q100 = check(self._customers(100, "Hundred"))
        self.assertEqual(q10, q100)
        self.assertLessEqual(q100, 12)

    def test_posting_one_invoice_adds_four_queries(self):
        """Posting one invoice: Odoo's own posting plus exactly the credit check's 4 statements.

        The "after" snapshot of the receivables, the lock and the credit figures in one statement,
        the customer's credit fields (company-dependent: not in the cache here, where every cache is
        emptied before posting) and the policy. The journal items' pending values are flushed whole
        before the figures are read, in the statements Odoo's own flush would have run a moment
        later: no UPDATE of their state alone.
        """
        self.policy.write({"enforcement": "block"})
        customers = self._customers(4, "Post")
        drafts = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "invoice_date": TODAY,
                    "invoice_line_ids": [Command.create({"name": "Service", "price_unit": 100.0, "tax_ids": []})],
                }
                for customer in customers
            ]
        )

        @contextlib.contextmanager
        def no_guard(self_, moves=None):
            yield {"moves": self_.browse()}

        def post(move):
            count, _result = self._count(move.action_post)
            self.assertEqual(move.state, "posted")
            return count

        post(drafts[0])  # warm the caches of the checked posting
        with patch.object(AccountMove, "_ar_guard_receivables", no_guard):
            post(drafts[1])  # and of the native one
            native = post(drafts[2])
        checked = post(drafts[3])
        # measured: 4 on 18.0 and on 19.0
        self.assertEqual(checked - native, 4)

    def test_grade_batch_for_10_and_100_customers(self):
        today = self._date(TODAY)

        def assess(customers):
            return self._count(lambda: customers._ar_assess_risk(self.company, today))

        def grade(customers):
            return self._count(lambda: customers._ar_recompute_risk(self.company, today))

        hundred = self._customers(100, "Hundred")
        assess(self.warm)
        grade(self.warm)
        a10, assessments = assess(self.ten)
        a100, _assessments = assess(hundred)
        # gathering: the same queries for 10 and for 100 customers
        self.assertEqual(a10, a100)
        self.assertLessEqual(a100, 8)
        self.assertEqual(set(assessments), set(self.ten.ids))
        # writing: one UPDATE for the batch, the grade changes logged in batch; nothing per customer
        g10, done10 = grade(self.ten)
        g100, done100 = grade(hundred)
        self.assertEqual((done10, done100), (10, 100))
        self.assertEqual(g10, g100)
        self.assertLessEqual(g100, a100 + 12)
        self.assertEqual(set(hundred.mapped("ar_risk_grade_date")), {today})
        # every grade was new: one tracked change per customer
        tracked = self.env["mail.tracking.value"].search(
            [("field_id.name", "=", "ar_risk_grade"), ("mail_message_id.res_id", "in", hundred.ids)]
        )
        self.assertEqual(len(tracked), 100)
        # graded again, same grades: no message at all, and still the same queries
        messages = self.env["mail.message"].search_count([("model", "=", "res.partner"), ("res_id", "in", hundred.ids)])
        g100_again, _done = grade(hundred)
        self.assertLessEqual(g100_again, g100)
        self.assertEqual(
            self.env["mail.message"].search_count([("model", "=", "res.partner"), ("res_id", "in", hundred.ids)]),
            messages,
        )

    def test_grade_run_counts_the_customers_left_at_its_ends_only(self):
        """A run of the grading job as a cron worker runs it, batch after batch: the customers left
        (every customer's receivables checked) are counted at the first batch and after the last,
        not in the batches between, which all cost the same queries."""
        original = ResPartner._cron_compute_risk_grades
        queries = []

        def batch(partners, *args, **kwargs):
            before = self.cr.sql_log_count
            result = original(partners, *args, **kwargs)
            queries.append(self.cr.sql_log_count - before)
            return result

        def run():
            queries.clear()
            return self._run_cron_job(
                "account_receivable_optimizer.ir_cron_compute_risk_grades",
                "model._cron_compute_risk_grades(batch_size=2)",
            )

        companies = self.env["res.company"].sudo().search_count([])
        with patch.object(ResPartner, "_cron_compute_risk_grades", autospec=True, side_effect=batch):
            run()  # every customer's first grade (and the caches)
            with freeze_time("2026-07-01"):
                status, progress = run()
        self.assertEqual(status, "fully done")
        # 11 customers, 2 a batch
        self.assertEqual(progress.mapped("done"), [2, 2, 2, 2, 2, 1])
        self.assertEqual(progress.mapped("remaining"), [9, 7, 5, 3, 1, 0])
        first, *between, last = queries
        self.assertEqual(len(set(between)), 1, queries)
        # the count: one query per company, at the first batch and after the last one only
        self.assertEqual(first - between[0], companies, queries)
        self.assertEqual(last - between[0], companies, queries)

    def test_analytics_job_for_10_and_100_more_customers(self):
        Fact = self.env["ar.kpi.fact"]
        first, last = self._date("2024-07-01"), self._date(TODAY)

        def refresh():
            return self._count(lambda: Fact._ar_refresh(self.company, first, last))

        refresh()  # warm the caches
        q11, _done = refresh()
        hundred = self._customers(100, "Hundred")
        q111, _done = refresh()
        self.assertEqual(q11, q111)
        self.assertLessEqual(q111, 13)  # with the roll-up's lock and statement (ar.kpi.fact.total)
        # per customer: January to June 2026 (receivables at each month end)
        facts = Fact.search([("company_id", "=", self.company.id), ("partner_id", "in", hundred.ids)])
        self.assertEqual(len(facts), 100 * 6)
        june = facts.filtered(lambda fact: fact.month == self._date("2026-06-01"))
        self.assertAlmostEqual(sum(june.mapped("receivables")), 100 * 160.0, places=2)
        january = facts.filtered(lambda fact: fact.month == self._date("2026-01-01"))
        self.assertAlmostEqual(sum(january.mapped("credit_sales")), 100 * 100.0, places=2)

    def test_entries_indexed_by_commercial_partner(self):
        # the customer form's days sales outstanding (Odoo's) groups the entries of one commercial
        # partner: with this index it reads that customer's entries, not every entry of the ledger
        indexes = self.env.execute_query(
            SQL(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'account_move' AND indexname = %s",
                "account_move__commercial_partner_id_index",
            )
        )
        self.assertEqual(len(indexes), 1)
        self.assertIn("(commercial_partner_id)", indexes[0][0])

    def test_latest_snapshots_read_through_their_index(self):
        # the dashboard's three reads of the latest snapshots (aging periods, customers owing most,
        # grades) match the index on the latest snapshots: not a scan of every month end kept
        Snapshot = self.env["ar.receivable.snapshot"]
        domain = self.env["ar.receivables.dashboard"]._ar_dashboard_snapshot_domain(self.company)
        query = Snapshot._search(domain)
        # on a few rows the planner may take any index on the company: the latest snapshots' one
        # must be one it can use for these reads (on 18.0 and 19.0, which write the condition on
        # is_latest differently); the test's transaction is rolled back, the dropped index with it
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute("DROP INDEX ar_receivable_snapshot__company_id_index")
        plan = self.env.execute_query(SQL("EXPLAIN %s", query.select(SQL("SUM(receivables)"))))
        self.assertIn("ar_receivable_snapshot_latest_company_index", "\n".join(row[0] for row in plan))
