# Demo data for "python3 scripts/aro.py demo", run inside "odoo shell" (``env`` is given).
# A few customers with a year of invoices and payments, some late, some overdue,
# then the nightly risk grading. Deterministic: the same data on every run.
# ruff: noqa: F821
import random
from datetime import timedelta

from odoo import Command, fields

rng = random.Random(2026)
today = fields.Date.context_today(env["res.partner"])
company = env.company
policy = company.ar_credit_policy_id
policy.write(
    {
        "name": "Standard",
        "enforcement": "warn",  # while the history is generated
        "tolerance_percent": 10.0,
        "overdue_block_days": 60,
        "default_credit_limit": 10000.0,
        "review_months": 12,
        "mirror_trust": True,
    }
)
env["ar.credit.policy"].create(
    {"name": "Strategic accounts", "company_id": company.id, "enforcement": "warn", "tolerance_percent": 25.0}
)

# name, credit limit, average days paid late, share of invoices left unpaid
profiles = [
    ("Azure Interior", 20000, 0, 0.0),
    ("Deco Addict", 15000, 3, 0.1),
    ("Gemini Furniture", 12000, 8, 0.1),
    ("Lumber Inc", 10000, 15, 0.2),
    ("Ready Mat", 8000, 25, 0.3),
    ("The Jackson Group", 25000, 5, 0.2),
    ("Wood Corner", 6000, 40, 0.4),
    ("Acme Bistro", 3000, 60, 0.5),
    ("Boulangerie Martin", 5000, 12, 0.2),
    ("Imprimerie Dupont", 9000, 30, 0.3),
    ("Nord Logistique", 18000, 2, 0.1),
    ("Sud Matériaux", 4000, 75, 0.6),
]
journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
for name, limit, days_late, unpaid_share in profiles:
    email = f"ar@{name.split()[0].lower()}.example"
    partner = env["res.partner"].create({"name": name, "is_company": True, "email": email})
    partner.credit_limit = limit
    for month in range(11, -1, -1):
        invoice_date = today - timedelta(days=30 * month + rng.randint(0, 20))
        due_date = invoice_date + timedelta(days=30)
        invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": journal.id,
                "invoice_date": invoice_date,
                "invoice_date_due": due_date,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Consulting services", "quantity": 1, "price_unit": rng.randint(4, 40) * 50.0}
                    )
                ],
            }
        )
        invoice.action_post()
        paid_on = due_date + timedelta(days=max(0, int(rng.gauss(days_late, days_late / 3 + 1))))
        if paid_on < today and rng.random() >= unpaid_share:
            env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
                {"payment_date": paid_on}
            )._create_payments()
env["res.partner"].search([("name", "=", "Acme Bistro")]).ar_credit_hold = True

policy.enforcement = "block"
while env["res.partner"]._cron_compute_risk_grades():
    pass

# Dunning: four levels on the standard policy, a dispute, a promise, then the nightly run.
template = env.ref("account_receivable_optimizer.mail_template_dunning")
policy.write(
    {
        "ar_dunning_level_ids": [
            Command.create({"name": "Courtesy reminder", "offset_days": -5, "mail_template_id": template.id}),
            Command.create({"name": "Reminder", "offset_days": 10, "mail_template_id": template.id}),
            Command.create(
                {
                    "name": "Formal notice",
                    "offset_days": 30,
                    "min_interval_days": 7,
                    "mail_template_id": template.id,
                    "print_letter": True,
                    "create_activity": True,
                    "activity_summary": "Call the customer",
                }
            ),
            Command.create(
                {
                    "name": "Hand-over to collection",
                    "offset_days": 90,
                    "min_interval_days": 15,
                    "send_email": False,
                    "create_activity": True,
                    "activity_summary": "Send the case file to the agency",
                    "hand_over": True,
                }
            ),
        ],
    }
)


def open_invoices(name):
    return env["account.move"].search(
        [("partner_id.name", "=", name), ("payment_state", "in", ("not_paid", "partial")), ("state", "=", "posted")],
        order="invoice_date_due",
    )


disputed = open_invoices("Ready Mat")[:1]
if disputed:
    env["ar.invoice.dispute"].create(
        {
            "move_id": disputed.id,
            "reason_id": env.ref("account_receivable_optimizer.ar_dispute_reason_price").id,
            "note": "The customer says the discount agreed by phone is missing.",
        }
    )
promised = open_invoices("Lumber Inc")[:1]
if promised:
    env["ar.payment.promise"].create(
        {
            "partner_id": promised.partner_id.id,
            "move_ids": [Command.set(promised.ids)],
            "amount": promised.amount_residual,
            "promised_date": today + timedelta(days=7),
        }
    )
while env["res.partner"]._cron_run_dunning():
    pass
env.cr.commit()
graded = env["res.partner"].search([("ar_risk_grade", "!=", False)])
print(f"Demo data: {len(graded)} customers graded: " + ", ".join(f"{p.name} {p.ar_risk_grade}" for p in graded))
reminders = env["ar.dunning.communication"].search([])
print(
    f"Demo data: {len(reminders)} reminders: " + ", ".join(f"{r.partner_id.name} {r.level_id.name}" for r in reminders)
)
