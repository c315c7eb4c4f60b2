"""The collection rank of the worklist: the same rank read alone or together, one query whatever the number."""

from odoo.tests import tagged

from .common import ArCreditCommon


@tagged("post_install", "-at_install")
class TestCollectionRank(ArCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.setup_other_company()["company"]
        Partner = cls.env["res.partner"]
        names = ("First", "Tie low id", "Tie high id", "Third", "Nothing due", "Archived", "Elsewhere")
        cls.first, cls.tie_low, cls.tie_high, cls.third, cls.nothing, cls.archived, cls.elsewhere = Partner.create(
            [{"name": name, "is_company": True} for name in names]
        )
        cls._set_priority(cls.first, 9000.0)
        cls._set_priority(cls.tie_low | cls.tie_high, 500.0)  # a tie: the lower id first
        cls._set_priority(cls.third, 120.5)
        cls._set_priority(cls.archived, 99000.0)
        cls.archived.action_archive()
        cls._set_priority(cls.elsewhere, 50000.0, company=cls.other_company)  # nothing due in this company

    @classmethod
    def _set_priority(cls, partners, priority, company=None):
        # written by the daily dunning as superuser (a protected field)
        partners.with_company(company or cls.company).sudo().write({"ar_dunning_priority": priority})

    def _ranks(self, partners):
        partners.invalidate_recordset(["ar_collection_rank"])
        return {partner.name: partner.ar_collection_rank for partner in partners}

    def test_rank_alone_and_together(self):
        expected = {
            "First": 1,
            "Tie low id": 2,
            "Tie high id": 3,
            "Third": 4,
            "Nothing due": 0,
            "Archived": 0,  # archived customers are not in the worklist
            "Elsewhere": 0,  # its priority is in another company
        }
        everyone = self.first | self.tie_low | self.tie_high | self.third | self.nothing | self.archived
        everyone |= self.elsewhere
        # customers of other tests or demo data may rank before: compare with the first of these
        offset = self._ranks(self.first)["First"] - 1
        expected = {name: rank + offset if rank else 0 for name, rank in expected.items()}
        self.assertEqual(self._ranks(everyone), expected)
        for partner in everyone:
            self.assertEqual(self._ranks(partner), {partner.name: expected[partner.name]})
        self.assertEqual(self._ranks(self.third | self.tie_high), {"Third": 4 + offset, "Tie high id": 3 + offset})
        # in the other company the same customers rank by that company's priorities
        elsewhere = self._ranks(everyone.with_company(self.other_company))
        self.assertEqual(elsewhere["Elsewhere"], 1)
        self.assertEqual({rank for name, rank in elsewhere.items() if name != "Elsewhere"}, {0})
        # the rank follows a new priority (written as the dunning writes it)
        self._set_priority(self.third, 10000.0)
        self.assertEqual(self._ranks(self.third | self.first), {"Third": 1 + offset, "First": 2 + offset})

    def test_rank_query_count_for_10_and_100_customers(self):
        """Reading the rank is one query for 10 or 100 customers, never the ids of every ranked customer."""
        Partner = self.env["res.partner"]
        ten = Partner.create([{"name": f"Ten {i}", "is_company": True} for i in range(10)])
        hundred = Partner.create([{"name": f"Hundred {i}", "is_company": True} for i in range(100)])
        for index, partner in enumerate(ten | hundred):
            self._set_priority(partner, 1000.0 + index)
        self.env.flush_all()

        def count(partners):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            ranks = partners.mapped("ar_collection_rank")
            return self.env.cr.sql_log_count - before, ranks

        count(self.first)  # warm the caches
        q10, ranks10 = count(ten)
        q100, ranks100 = count(hundred)
        self.assertEqual(q10, q100)
        self.assertEqual(q100, 1)
        # the highest priority ranks first: the last of the hundred, then down
        self.assertEqual(ranks100, sorted(ranks100, reverse=True))
        self.assertEqual(ranks100[-1], ranks100[0] - 99)
        self.assertEqual(ranks10[0], ranks100[0] + 10)
