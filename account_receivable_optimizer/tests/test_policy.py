from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ArCreditCommon


@tagged("post_install", "-at_install")
class TestPolicyBadInput(ArCreditCommon):
    """Bad input gets a clear error and changes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.setup_other_company()["company"]
        cls.other_policy = cls.other_company.ar_credit_policy_id

    def _assert_refused(self, record, vals, message):
        before = record.read(list(vals))[0]
        with self.assertRaisesRegex(ValidationError, message):
            with self.env.cr.savepoint():
                record.write(vals)
                record.flush_recordset()
        record.invalidate_recordset()
        self.assertEqual(record.read(list(vals))[0], before)

    def test_every_company_gets_a_default_policy(self):
        self.assertEqual(self.policy.company_id, self.company)
        self.assertEqual(self.other_policy.company_id, self.other_company)
        self.assertEqual(self.policy.enforcement, "warn")
        self.assertEqual(self.policy._get_grade_thresholds(), (80.0, 60.0, 40.0, 20.0))

    def test_negative_limit_or_tolerance(self):
        self._assert_refused(self.policy, {"tolerance_percent": -1.0}, "tolerance .* cannot be negative")
        self._assert_refused(self.policy, {"default_credit_limit": -0.01}, "default credit limit .* cannot be negative")
        self.customer.credit_limit = 500.0
        self._assert_refused(
            self.customer, {"credit_limit": -100.0}, "credit limit of Alpha Industries cannot be negative"
        )

    def test_thresholds_must_be_strictly_ordered(self):
        message = "must be strictly decreasing"
        self._assert_refused(self.policy, {"threshold_b": 80.0}, message)
        self._assert_refused(self.policy, {"threshold_c": 70.0}, message)
        self._assert_refused(self.policy, {"threshold_a": 101.0}, message)
        self._assert_refused(self.policy, {"threshold_d": -5.0}, message)

    def test_weights_all_zero_or_negative(self):
        zero = {"weight_days_late": 0, "weight_overdue_share": 0, "weight_max_overdue": 0, "weight_utilisation": 0}
        self._assert_refused(self.policy, zero, "At least one risk weight")
        self._assert_refused(self.policy, {"weight_utilisation": -1.0}, "cannot be negative")

    def test_policy_of_another_company(self):
        self._assert_refused(self.customer, {"ar_credit_policy_id": self.other_policy.id}, "belongs to company_2")
        self._assert_refused(self.company, {"ar_credit_policy_id": self.other_policy.id}, "belongs to company_2")
        # In the other company, the other company's policy is the right one.
        self.customer.with_company(self.other_company).ar_credit_policy_id = self.other_policy
        self.assertEqual(self.customer.with_company(self.other_company).ar_credit_policy_id, self.other_policy)
        self.assertFalse(self.customer.ar_credit_policy_id)

    def test_default_policy_cannot_be_deleted(self):
        with self.assertRaisesRegex(ValidationError, "default policy of"):
            self.policy.unlink()
        self.assertTrue(self.policy.exists())

    def test_policy_counts_its_customers(self):
        strict = self.env["ar.credit.policy"].create({"name": "Strict"})
        (self.customer | self.partner_a).write({"ar_credit_policy_id": strict.id})
        self.customer.with_company(self.other_company).ar_credit_policy_id = self.other_policy
        self.assertEqual(strict.partner_count, 2)
        self.assertEqual(self.other_policy.partner_count, 1)
        # the company's default policy counts the customers without a policy of their own
        Partner = self.env["res.partner"]
        defaulted = Partner.search([("customer_rank", ">", 0), ("ar_credit_policy_id", "=", False)]).filtered(
            lambda p: p.is_company or not p.parent_id
        )
        self.assertEqual(self.policy.partner_count, len(defaulted))
        newcomer = Partner.create({"name": "Newcomer", "is_company": True, "customer_rank": 1})
        Partner.create({"name": "Newcomer's accountant", "parent_id": newcomer.id, "customer_rank": 1})
        self.policy.invalidate_recordset(["partner_count"])
        self.assertEqual(self.policy.partner_count, len(defaulted) + 1)
        action = self.policy.action_view_partners()
        self.assertIn(newcomer, Partner.search(action["domain"]))
        self.assertNotIn(self.customer, Partner.search(action["domain"]))
