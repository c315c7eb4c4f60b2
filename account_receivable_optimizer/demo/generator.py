"""A realistic, reproducible receivables history for the demo, the tests and the benchmarks.

``generate(env, customers=80, months=24)`` builds, from one random seed:

- a main company in EUR with French settings and a second company in USD, a
  collector, sales and billing users per role;
- customers of every behaviour (on time, ten days late, chronic late payer,
  early-payment discount taker, partial payer, disputes, broken promises,
  stopped paying, over its limit, on credit hold), one invoiced in USD, the
  French ones speaking French;
- ``months`` of invoices, credit notes and payments, created and posted a
  month at a time in a few batches, with the clock at the month's end (so
  the credit check of each posting sees the receivables of that time), and
  without chatter (``QUIET``);
- the last ``replay_days`` days replayed night after night: each day's
  invoices and payments, the customers' disputes and promises, then the
  module's nightly jobs (discount outcomes, risk grades, insurance deadlines,
  dunning) with the clock of that day, so that reminder levels climb as they
  would in life.

The clock of each replayed day (and of each month of the history) is set
with ``freezegun`` (one of Odoo's own requirements, used by its test suite)
in the process that generates: the
module's jobs read the day from ``fields.Date.context_today`` exactly as on a
server at night; nothing of the module or of Odoo is changed for it.

This module is not imported by the addon (only by ``scripts/demo_data.py``
and the tests): loading the addon never loads it.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tools import SQL

from .. import compat

#: behaviour code -> (label, days paid after the due date: mean, spread)
BEHAVIOURS = {
    "on_time": (0, 2),
    "ten_days": (10, 3),
    "chronic": (55, 12),
    "discount": (0, 0),
    "partial": (8, 4),
    "disputes": (6, 3),
    "promises": (30, 8),
    "stopped": (20, 6),
}
#: the first customers take one behaviour each (so a small demo shows them all), then these shares
FIRST_BEHAVIOURS = ["on_time", "ten_days", "chronic", "discount", "partial", "disputes", "promises", "stopped"]
SHARES = [
    ("on_time", 30),
    ("ten_days", 25),
    ("chronic", 12),
    ("discount", 12),
    ("partial", 6),
    ("disputes", 6),
    ("promises", 5),
    ("stopped", 4),
]
TRADES = [
    "Boulangerie",
    "Menuiserie",
    "Transports",
    "Imprimerie",
    "Garage",
    "Cabinet",
    "Atelier",
    "Pharmacie",
    "Librairie",
    "Quincaillerie",
    "Hôtel",
    "Brasserie",
    "Fromagerie",
    "Électricité",
    "Jardins",
]
NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "Fournier",
    "Girard",
    "Bonnet",
    "Mercier",
    "Blanc",
]
FOREIGN = [
    ("Nordic Timber AB", "se", "en_US"),
    ("Brussels Office Supply", "be", "en_US"),
    ("Hamburg Logistik GmbH", "de", "en_US"),
    ("Milano Design Srl", "it", "en_US"),
]
CITIES = ["Lyon", "Paris", "Marseille", "Lille", "Nantes", "Bordeaux", "Toulouse", "Grenoble", "Rennes", "Dijon"]
SERVICES = [
    "Lighting fixtures",
    "Installation work",
    "Maintenance contract",
    "LED panels",
    "Design study",
    "Spare parts",
]
PASSWORD = "demo"
#: The main company charges late-payment fees with its reminders of the last nights only: the first
#: night reminds every customer overdue at once, and a charge invoice with each reminder of the whole
#: replay was a third of its time. Customers reminded since then have their charge invoices.
CHARGE_NIGHTS = 30
#: The context of the ledger's history (invoices, credit notes, payments): no chatter, no tracking,
#: no followers. Nobody reads the "Invoice created" notes of two years of history, and they were
#: most of the build's time. The module's nightly jobs never run in it: their reminders, chatter
#: notes and activities are written as on a server.
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True, "mail_create_nosubscribe": True}
#: The models whose tables the build fills, their planner statistics refreshed as they grow (see
#: ``DemoGenerator.analyze``).
GROWING_MODELS = [
    "account.move",
    "account.move.line",
    "account.partial.reconcile",
    "account.full.reconcile",
    "account.payment",
    "res.partner",
    "mail.message",
    "mail.followers",
    "mail.mail",
    "mail.activity",
    "ar.credit.insurance",
    "ar.dunning.communication",
    "ar.dunning.communication.line",
    "ar.invoice.dispute",
    "ar.payment.promise",
]


def _noop(_message):
    return None


class DemoGenerator:
    """Builds the demo in ``env``; see the module's docstring."""

    def __init__(self, env, *, customers=80, months=24, replay_days=75, seed=2026, today=None, progress=None):
        self.env = env
        self.size = customers
        self.months = months
        self.rng = random.Random(seed)
        self.today = today or date.today()
        self.start = self.today - timedelta(days=round(months * 30.44))
        self.replay_start = self.today - timedelta(days=min(replay_days, (self.today - self.start).days))
        self.progress = progress or _noop
        self.company = env.company
        self.ledger = env(context=dict(env.context, **QUIET))
        self.users = {}
        self.customers = []  # dicts: partner, behaviour, currency, company, term, size, ...
        self.specs = []  # invoices to create, in date order
        self.invoice_of_spec = {}
        self.payments_by_day = defaultdict(list)  # day -> [(spec, amount or None, discount)]
        self.refunds_by_day = defaultdict(list)
        self.events_by_day = defaultdict(list)  # day -> [callable(day)]
        self.freezer = None

    # ------------------------------------------------------------------
    # Set-up: companies, users, terms, policies
    # ------------------------------------------------------------------

    def setup_companies(self):
        env = self.env
        eur = env.ref("base.EUR")
        usd = env.ref("base.USD")
        (eur | usd).write({"active": True})
        company = self.company
        company.write(
            {
                "name": "Lumière Distribution SAS",
                "currency_id": eur.id,
                "country_id": env.ref("base.fr").id,
                "city": "Lyon",
                "zip": "69002",
                "street": "12 rue de la République",
                "phone": "+33 4 72 00 00 00",
            }
        )
        # a US dollar quoted every month in the main company (EUR), the euro in the second one (USD)
        day, rates = self.start.replace(day=1), []
        while day <= self.today:
            rate = round(1.08 + 0.04 * self.rng.uniform(-1, 1), 4)
            rates.append({"name": day, "currency_id": usd.id, "rate": rate, "company_id": company.id})
            day = (day + timedelta(days=32)).replace(day=1)
        env["res.currency.rate"].create(rates)
        # no country nor email at creation: Odoo would install the country's modules (a registry reload)
        # and look a company with an email domain up on the internet
        second = env["res.company"].create({"name": "Lumière Lighting Inc.", "currency_id": usd.id})
        env["account.chart.template"].try_loading("generic_coa", company=second, install_demo=False)
        second.write({"country_id": env.ref("base.us").id, "city": "Boston"})
        (company | second).write({"email": "ar@lumiere.example"})
        env["res.currency.rate"].create(
            [
                {"name": r["name"], "currency_id": eur.id, "rate": round(1 / r["rate"], 6), "company_id": second.id}
                for r in rates
            ]
        )
        self.second = second
        self.eur, self.usd = eur, usd
        for comp in company | second:
            comp.ar_credit_policy_id.write(
                {
                    "enforcement": "warn",  # while the history is written; "block" at the end
                    "tolerance_percent": 10.0,
                    "overdue_block_days": 60,
                    "default_credit_limit": 15000.0,
                    "review_months": 12,
                }
            )
            levels = comp.ar_credit_policy_id.ar_dunning_level_ids
            # the hand-over waits for a Credit Controller; the courtesy reminder goes to the riskier customers
            levels.filtered("hand_over").hand_over_confirm = True
            levels.filtered(lambda level: level.offset_days < 0).risk_grades = "CDE"

    def setup_users(self):
        """One user per role, in both companies; the French-speaking ones in French."""
        env = self.env
        ref = env.ref
        companies = self.company | self.second
        roles = [
            # login, name, groups, lang
            (
                "manager",
                "Claire Martin (Credit Manager)",
                ["account.group_account_manager", "account_receivable_optimizer.group_ar_credit_manager"],
                "fr_FR",
            ),
            (
                "controller",
                "Julien Petit (Credit Controller)",
                ["account.group_account_invoice", "account_receivable_optimizer.group_ar_credit_controller"],
                "fr_FR",
            ),
            ("billing", "Sophie Bernard (Billing)", ["account.group_account_invoice"], "en_US"),
            ("salesperson", "Marc Durand (Salesperson)", ["base.group_user"], "en_US"),
        ]
        french = env["res.lang"]._lang_get("fr_FR")
        field = compat.groups_field(env["res.users"])
        users = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                [
                    {
                        "login": login,
                        "name": name,
                        "password": PASSWORD,
                        "email": f"{login}@lumiere.example",
                        # notified in Odoo, not by email: the demo has no mail server
                        "notification_type": "inbox",
                        "lang": lang if french and french.active else "en_US",
                        "company_id": self.company.id,
                        "company_ids": [Command.set(companies.ids)],
                        field: [Command.set([ref("base.group_user").id] + [ref(xmlid).id for xmlid in groups])],
                    }
                    for login, name, groups, lang in roles
                ]
            )
        )
        self.users = dict(zip([role[0] for role in roles], users, strict=True))
        env.ref("base.user_admin").notification_type = "inbox"
        for comp in companies:
            comp.ar_credit_policy_id.user_id = self.users["controller"]

    def setup_terms(self):
        env = self.env
        self.term_30 = env.ref("account.account_payment_term_30days")
        self.term_45 = env.ref("account.account_payment_term_45days")
        self.term_discount = env["account.payment.term"].create(
            {
                "name": "2% 10 days, net 30 days",
                "early_discount": True,
                "discount_percentage": 2.0,
                "discount_days": 10,
                "early_pay_discount_computation": "included",
                "line_ids": [Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 30})],
            }
        )
        self.term_days = {self.term_30.id: 30, self.term_45.id: 45, self.term_discount.id: 30}

    # ------------------------------------------------------------------
    # Customers and their invoices
    # ------------------------------------------------------------------

    def _behaviour(self, index):
        if index < len(FIRST_BEHAVIOURS):
            return FIRST_BEHAVIOURS[index]
        draw = self.rng.uniform(0, sum(share for _code, share in SHARES))
        for code, share in SHARES:
            draw -= share
            if draw <= 0:
                return code
        return SHARES[0][0]

    def create_customers(self):
        env = self.env
        french = env["res.lang"]._lang_get("fr_FR")
        lang_fr = "fr_FR" if french and french.active else "en_US"
        names = [f"{trade} {name}" for name in NAMES for trade in TRADES]
        self.rng.shuffle(names)
        vals, profiles = [], []
        for index in range(self.size):
            behaviour = self._behaviour(index)
            currency, company, country, lang = self.eur, self.company, "fr", lang_fr
            if index == 9:  # invoiced in US dollars by the main company
                name, country, lang, currency = "Harbor Supply Co.", "us", "en_US", self.usd
            elif index == 10 or (index > 10 and index % 10 == 4):  # customers of the second company
                name, country, lang, currency, company = f"{names[index]} USA", "us", "en_US", self.usd, self.second
            elif index in (11, 12, 13, 14):
                name, country, lang = FOREIGN[index - 11]
            else:
                name = names[index]
            size = round(self.rng.lognormvariate(7.5, 0.6), -1)  # ~1,800 a month, a long tail
            term = self.term_discount if behaviour == "discount" else (self.term_45 if size > 4000 else self.term_30)
            slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
            vals.append(
                {
                    "name": name,
                    "is_company": True,
                    "email": f"compta@{slug}.example",
                    "phone": "+33 4 %02d %02d %02d 00" % tuple(self.rng.randint(10, 99) for _i in range(3)),
                    "city": self.rng.choice(CITIES) if country == "fr" else False,
                    "country_id": env.ref(f"base.{country}").id,
                    "lang": lang,
                    "property_payment_term_id": term.id,
                }
            )
            profiles.append(
                {
                    "behaviour": behaviour,
                    "currency": currency,
                    "company": company,
                    "term": term,
                    "size": size,
                    # invoicing: every month on this day, twice a month for the largest, every other month the smallest
                    "day": 5 if behaviour == "discount" else self.rng.randint(1, 28),
                    "every": 1 if size > 2500 or behaviour == "discount" else (2 if size > 1200 else 3),
                    "twice": size > 6000,
                }
            )
        partners = env["res.partner"].create(vals)
        for partner, profile in zip(partners, profiles, strict=True):
            profile["partner"] = partner
            self.customers.append(profile)
        # collectors: the controller follows the customers, the manager the largest ones
        controller, manager = self.users["controller"], self.users["manager"]
        for profile in self.customers:
            collector = manager if profile["size"] > 4000 else controller
            profile["partner"].with_company(profile["company"]).sudo().ar_collector_id = collector
        # credit limits in each company: about three months of sales, some customers over it
        for profile in self.customers:
            partner = profile["partner"].with_company(profile["company"])
            limit = round(profile["size"] * 3, -2) or 1000
            if profile["behaviour"] in ("chronic", "stopped"):
                limit = round(profile["size"] * 1.5, -2) or 500  # they end over their limit
            partner.sudo().write({"credit_limit": limit, "use_partner_credit_limit": True})
        return partners

    def plan_invoices(self):
        """Every invoice of the period with its credit note and its payments, from the seed."""
        for profile in self.customers:
            behaviour = profile["behaviour"]
            month = self.start.replace(day=1)
            months = 0
            while month <= self.today:
                if months % profile["every"] == 0:
                    days = [profile["day"]] + ([profile["day"] + 14] if profile["twice"] else [])
                    for day in days:
                        invoice_date = month.replace(day=min(day, 28))
                        if self.start <= invoice_date <= self.today:
                            self._plan_invoice(profile, behaviour, invoice_date)
                month = (month + timedelta(days=32)).replace(day=1)
                months += 1
        self.specs.sort(key=lambda spec: (spec["date"], spec["partner"].id))

    def _plan_invoice(self, profile, behaviour, invoice_date):  # noqa: PLR0912 - one branch per behaviour
        rng = self.rng
        amount = round(profile["size"] * rng.uniform(0.6, 1.4), -1) or 100.0
        due = invoice_date + timedelta(days=self.term_days[profile["term"].id])
        spec = {
            "partner": profile["partner"],
            "profile": profile,
            "date": invoice_date,
            "due": due,
            "amount": amount,
            "lines": rng.randint(1, 3),
        }
        self.specs.append(spec)
        age = (self.today - due).days  # days past due today (negative: not due)
        if rng.random() < 0.04:  # a credit note for part of it
            self.refunds_by_day[invoice_date + timedelta(days=rng.randint(3, 12))].append(
                (spec, rng.choice([0.1, 0.2, 0.5]))
            )
        mean, spread = BEHAVIOURS[behaviour]
        delay = max(-5, round(rng.gauss(mean, spread)))
        pay_day = due + timedelta(days=delay)
        if behaviour == "on_time":
            pay_day = due - timedelta(days=rng.randint(0, 4))
        if behaviour == "discount":
            late = rng.random() < 0.15
            pay_day = invoice_date + timedelta(days=rng.randint(12, 16) if late else 8)
            if pay_day <= self.today:
                # paid with the discount deducted; when late the deduction is short-paid
                self.payments_by_day[pay_day].append((spec, "discount", late))
            return
        if behaviour == "chronic" and age < 90 and rng.random() < 0.5:
            return  # still open
        if behaviour == "stopped" and due >= self.today - timedelta(days=110):
            return  # stopped paying about four months ago
        if behaviour == "promises" and 20 < age < 80 and not profile.get("broken"):
            profile["broken"] = spec  # promised, not paid: the promise is broken
            promise_day = due + timedelta(days=14)
            if promise_day >= self.replay_start:
                self.events_by_day[promise_day].append(("promise", spec, 7))
            return
        if behaviour == "disputes" and 15 < age < 100 and not profile.get("disputed"):
            profile["disputed"] = spec
            dispute_day = due + timedelta(days=5)
            if dispute_day >= self.replay_start:
                self.events_by_day[dispute_day].append(("dispute", spec, None))
            return
        if behaviour == "partial":
            first = pay_day
            rest = due + timedelta(days=delay + 35)
            if first <= self.today:
                self.payments_by_day[first].append((spec, 0.5, False))
            if rest <= self.today and age > 60:
                self.payments_by_day[rest].append((spec, None, False))
            return
        if pay_day <= self.today and (pay_day < self.today - timedelta(days=3) or behaviour == "on_time"):
            self.payments_by_day[pay_day].append((spec, None, False))
            if behaviour == "ten_days" and pay_day >= self.replay_start and rng.random() < 0.3:
                # the customer promised it after the first reminder, and kept the promise
                promise_day = pay_day - timedelta(days=4)
                if promise_day > due:
                    self.events_by_day[promise_day].append(("promise", spec, 4))

    # ------------------------------------------------------------------
    # Writing moves and payments, in batches
    # ------------------------------------------------------------------

    def _journals(self, company):
        Journal = self.env["account.journal"]
        sale = Journal.search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
        bank = Journal.search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
        return sale, bank

    def post_invoices(self, specs):
        if not specs:
            return
        journals = {c.id: self._journals(c) for c in self.company | self.second}
        vals = []
        for spec in specs:
            profile = spec["profile"]
            company = profile["company"]
            lines, left, count = [], spec["amount"], spec["lines"]
            for index in range(count):
                price = left if index == count - 1 else round(spec["amount"] / count, 2)
                left = round(left - price, 2)
                lines.append(
                    Command.create(
                        {
                            "name": SERVICES[(spec["date"].month + index) % len(SERVICES)],
                            "quantity": 1,
                            "price_unit": price,
                            "tax_ids": [Command.set(company.account_sale_tax_id.ids)],
                        }
                    )
                )
            vals.append(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "partner_id": spec["partner"].id,
                    "journal_id": journals[company.id][0].id,
                    "currency_id": profile["currency"].id,
                    "invoice_date": spec["date"],
                    "invoice_payment_term_id": profile["term"].id,
                    "invoice_user_id": self.users["salesperson"].id,
                    "invoice_line_ids": lines,
                }
            )
        for company, pairs in _grouped(list(zip(specs, vals, strict=True)), lambda pair: pair[1]["company_id"]).items():
            for chunk in range(0, len(pairs), 400):
                batch = pairs[chunk : chunk + 400]
                moves = self.ledger["account.move"].with_company(company).create([v for _spec, v in batch])
                moves.action_post()
                for (spec, _vals), move in zip(batch, moves, strict=True):
                    self.invoice_of_spec[id(spec)] = move.id

    def invoice(self, spec):
        return self.ledger["account.move"].browse(self.invoice_of_spec.get(id(spec)))

    def post_refunds(self, refunds):
        refunds = [(spec, share) for spec, share in refunds if self.invoice(spec)]
        if not refunds:
            return
        Move = self.ledger["account.move"]
        for company, items in _grouped(refunds, lambda r: r[0]["profile"]["company"].id).items():
            vals = []
            for spec, share in items:
                invoice = self.invoice(spec)
                line = invoice.invoice_line_ids[:1]
                vals.append(
                    {
                        "move_type": "out_refund",
                        "company_id": company,
                        "partner_id": invoice.partner_id.id,
                        "journal_id": invoice.journal_id.id,
                        "currency_id": invoice.currency_id.id,
                        "invoice_date": self.env.context.get("ar_demo_day") or invoice.invoice_date,
                        "reversed_entry_id": invoice.id,
                        "ref": f"Credit note for {invoice.name}",
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": f"Goods returned ({invoice.name})",
                                    "quantity": 1,
                                    "price_unit": round(invoice.amount_untaxed * share, 2),
                                    "tax_ids": [Command.set(line.tax_ids.ids)],
                                }
                            )
                        ],
                    }
                )
            credit_notes = Move.with_company(company).create(vals)
            credit_notes.action_post()
            plan = []
            for credit_note, (spec, _share) in zip(credit_notes, items, strict=True):
                invoice = self.invoice(spec)
                lines = (_receivable(invoice) + _receivable(credit_note)).filtered(lambda line: not line.reconciled)
                if len(lines.move_id) == 2:
                    plan.append(lines)
            if plan:
                self.ledger["account.move.line"]._reconcile_plan(plan)

    def post_payments(self, payments):
        """Payments ``[(day, spec, amount, late)]``: the plain ones in one batch; those deducting the
        discount in time through Odoo's register wizard, one per day (it books the discount)."""
        plain, discounted = [], defaultdict(list)
        for day, spec, amount, late in payments:
            invoice = self.invoice(spec)
            if not invoice or invoice.payment_state in ("paid", "in_payment", "reversed"):
                continue
            if amount == "discount" and not late:
                discounted[day].append(invoice)
            else:
                share = 0.98 if amount == "discount" else amount  # the discount deducted too late
                plain.append((day, invoice, share))
        Payment = self.ledger["account.payment"]
        ref_field = "memo" if "memo" in Payment._fields else "ref"
        residuals = {}
        for company, items in _grouped(plain, lambda p: p[1].company_id.id).items():
            bank = self._journals(self.env["res.company"].browse(company))[1]
            vals = []
            for day, invoice, share in items:
                residual = residuals.get(invoice.id, invoice.amount_residual)
                amount = residual if share is None else invoice.currency_id.round(invoice.amount_total * share)
                amount = min(amount, residual)
                residuals[invoice.id] = residual - amount
                vals.append(
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": invoice.commercial_partner_id.id,
                        "amount": amount,
                        "currency_id": invoice.currency_id.id,
                        "date": day,
                        "journal_id": bank.id,
                        "company_id": company,
                        ref_field: invoice.name,
                    }
                )
            payments = Payment.with_company(company).create(vals)
            payments.action_post()
            plan = []
            for payment, (_day, invoice, _share) in zip(payments, items, strict=True):
                receivable = _receivable(invoice)
                plan.append(
                    receivable
                    + payment.move_id.line_ids.filtered(lambda line, r=receivable: line.account_id == r.account_id)
                )
            self.ledger["account.move.line"]._reconcile_plan(plan)
        for day, invoices in sorted(discounted.items()):
            for company_invoices in _grouped(invoices, lambda move: move.company_id.id).values():
                moves = self.ledger["account.move"].union(*company_invoices)
                self.ledger["account.payment.register"].with_context(
                    active_model="account.move", active_ids=moves.ids
                ).create({"payment_date": day, "group_payment": False})._create_payments()

    # ------------------------------------------------------------------
    # Life events of the replayed days
    # ------------------------------------------------------------------

    def run_event(self, day, kind, spec, arg):
        invoice = self.invoice(spec)
        if not invoice or invoice.payment_state in ("paid", "in_payment", "reversed"):
            return
        partner = invoice.commercial_partner_id.with_company(invoice.company_id)
        if kind == "dispute":
            self.env["ar.invoice.dispute"].with_user(self.users["controller"]).with_company(invoice.company_id).create(
                {
                    "move_id": invoice.id,
                    "reason_id": self.env.ref("account_receivable_optimizer.ar_dispute_reason_quality").id,
                    "note": "Two fixtures arrived broken; the customer waits for replacements before paying.",
                }
            )
        elif kind == "promise":
            self.env["ar.payment.promise"].with_user(self.users["controller"]).with_company(invoice.company_id).create(
                {
                    "partner_id": partner.id,
                    "company_id": invoice.company_id.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "amount": invoice.amount_residual,
                    "promised_date": day + timedelta(days=arg),
                    "note": "Promised on the phone.",
                }
            )

    def nightly_jobs(self, grades=True):
        """The module's scheduled jobs of one night, as the cron runs them (batch after batch).

        ``grades``: also the risk grades (the replay grades once a week: a grade weighs twelve
        months of payments, and grading every night would double the build's time).
        """
        env = self.env
        env["account.move"]._cron_process_discount_outcomes()
        while grades and env["res.partner"]._cron_compute_risk_grades():
            pass
        while env["res.partner"]._cron_insurance_deadlines():
            pass
        while env["res.partner"]._cron_run_dunning():
            pass

    # ------------------------------------------------------------------
    # The whole build
    # ------------------------------------------------------------------

    def analyze(self):
        """Refresh PostgreSQL's statistics of the tables the build fills.

        The whole build is one transaction, whose rows autovacuum never sees: without this the
        planner believes the tables as empty as at the start, and the nightly jobs' queries and
        Odoo's own (sequences, balance checks, reconciliation) run on plans made for a few
        rows (one of the jobs' queries took ten times longer). ANALYZE inside the transaction
        counts its own rows. Nothing of the data changes.
        """
        self.env.flush_all()
        tables = [self.env[model]._table for model in GROWING_MODELS if model in self.env]
        self.env.cr.execute(SQL("ANALYZE %s", SQL(", ").join(SQL.identifier(table) for table in tables)))

    def clock(self, day):
        """Set the process clock to ``day`` 20:00 (after office hours, before the nightly jobs)."""
        moment = datetime.combine(day, time(20, 0))
        if self.freezer is None:
            self.freezer_context = freeze_time(moment)
            self.freezer = self.freezer_context.start()
        else:
            self.freezer.move_to(moment)

    def stop_clock(self):
        if self.freezer is not None:
            self.freezer_context.stop()
            self.freezer = None

    def generate(self):
        self.progress("companies, users and payment terms")
        self.setup_companies()
        self.setup_users()
        self.setup_terms()
        self.create_customers()
        self.plan_invoices()
        try:
            self.post_history()
        except BaseException:
            self.stop_clock()
            raise
        self.setup_extras()
        self.progress(f"replaying the {(self.today - self.replay_start).days} nights up to {self.today} (day by day)")
        # Letters of past nights are attached as HTML, as Odoo renders reports in its tests: wkhtmltopdf
        # needs the web server (not running while the data is generated) and ten seconds a letter.
        # Letters printed from the running demo are PDFs.
        Report = type(self.env["ir.actions.report"])
        html_letters = patch.object(Report, "_render_qweb_pdf", Report._render_qweb_html)
        html_letters.start()
        try:
            day = self.replay_start
            by_date = _grouped(self.specs, lambda s: s["date"])
            charges_from = max(self.replay_start, self.today - timedelta(days=CHARGE_NIGHTS))
            while day <= self.today:
                self.clock(day)
                if day == charges_from:
                    self.company.ar_credit_policy_id.charge_enabled = True
                self.post_invoices(by_date.get(day, []))
                self.post_refunds(self.refunds_by_day.get(day, []))
                self.post_payments([(day, *p) for p in self.payments_by_day.get(day, [])])
                for kind, spec, arg in self.events_by_day.get(day, []):
                    self.run_event(day, kind, spec, arg)
                if day < self.today:  # today's night has not come: the preview shows what it will send
                    grades = day.weekday() == 0 or day in (self.replay_start, self.today - timedelta(1))
                    if grades:  # a week of invoices, payments and reminders more
                        self.analyze()
                    self.nightly_jobs(grades=grades)
                if day.day == 1 or day == self.today:
                    self.progress(f"night of {day}")
                day += timedelta(days=1)
            self.finish()
        finally:
            html_letters.stop()
            self.stop_clock()
        self.analyze()
        self.env["ar.kpi.fact"]._cron_refresh_facts()
        self.progress("KPI facts filled")

    def post_history(self):
        """The months before the replay, a month at a time in date order, with the clock at the month's end.

        Each month's invoices, then its credit notes, then its payments, in a few batches: the credit
        check of each posting sees the customer's receivables of that time, not two years of invoices
        not paid yet, and measures overdue days from that month.
        """
        by_date = _grouped(self.specs, lambda s: s["date"])
        total = sum(1 for spec in self.specs if spec["date"] < self.replay_start)
        self.progress(f"{len(self.customers)} customers; {total} invoices before {self.replay_start}, month by month")
        month, posted = self.start.replace(day=1), 0
        while month < self.replay_start:
            following = (month + timedelta(days=32)).replace(day=1)
            days = [month + timedelta(days=n) for n in range((min(following, self.replay_start) - month).days)]
            self.clock(days[-1])
            specs = [spec for day in days for spec in by_date.get(day, [])]
            self.post_invoices(specs)
            self.post_refunds([r for day in days for r in self.refunds_by_day.get(day, [])])
            self.post_payments([(day, *p) for day in days for p in self.payments_by_day.get(day, [])])
            self.analyze()
            posted += len(specs)
            if month.month % 3 == 0 or following >= self.replay_start:
                self.progress(f"history up to {days[-1]}: {posted} of {total} invoices, with their payments")
            month = following

    def setup_extras(self):
        """Insurance covers, late charges."""
        env = self.env
        insurer = env["res.partner"].create({"name": "Allianz Trade (demo)", "is_company": True})
        contract = env["ar.credit.insurance.contract"].create(
            {"name": "Global policy 2025-0042", "insurer_id": insurer.id, "company_id": self.company.id}
        )
        main = [p for p in self.customers if p["company"] == self.company and p["currency"] == self.eur]
        largest = sorted(main, key=lambda p: -p["size"])[:4]
        covers = []
        for index, profile in enumerate(largest):
            requested = round(profile["size"] * 4, -3) or 1000
            covers.append(
                {
                    "partner_id": profile["partner"].id,
                    "contract_id": contract.id,
                    "company_id": self.company.id,
                    "requested_amount": requested,
                    "granted_amount": requested if index % 2 == 0 else round(requested / 2, -2),
                    "indemnity_percent": 90.0,
                    "state": "granted" if index % 2 == 0 else "partial",
                    "decision_date": self.start + timedelta(days=30),
                }
            )
        env["ar.credit.insurance"].create(covers)
        # late charges: statutory-style fixed rate and the 40 EUR compensation, switched on for the
        # last CHARGE_NIGHTS nights (see generate)
        product = env["product.product"].create({"name": "Late-payment charges", "type": "service", "list_price": 0})
        self.company.ar_credit_policy_id.write(
            {
                "charge_enabled": False,
                "charge_rate_source": "fixed",
                "charge_rate": 12.15,
                "charge_fixed_amount": 40.0,
                "charge_product_id": product.id,
                "charge_paid_late": False,
            }
        )

    def finish(self):
        """The state of today: a hold, a payment plan, the block enforcement."""
        env = self.env
        chronic = [p for p in self.customers if p["behaviour"] == "chronic" and p["company"] == self.company]
        if chronic:
            chronic[0]["partner"].with_company(self.company).sudo().ar_credit_hold = True
        stopped = [p for p in self.customers if p["behaviour"] == "stopped" and p["company"] == self.company]
        if stopped:
            partner = stopped[-1]["partner"]
            moves = env["account.move"].search(
                [
                    ("partner_id", "=", partner.id),
                    ("move_type", "=", "out_invoice"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("state", "=", "posted"),
                ]
            )
            if moves:
                plan = env["ar.payment.plan"].create(
                    {
                        "partner_id": partner.id,
                        "company_id": self.company.id,
                        "move_ids": [Command.set(moves.ids)],
                        "instalment_count": 4,
                        "first_date": self.today + timedelta(days=10),
                    }
                )
                plan.action_equal_instalments()
                plan.action_propose()
        for comp in self.company | self.second:
            comp.ar_credit_policy_id.enforcement = "block"
        # the reminders stay queued (Settings > Technical > Emails): a demo has no mail server
        cron = env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
        if cron:
            cron.active = False


def _grouped(items, key):
    groups = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return dict(groups)


def _receivable(move):
    return move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")


def generate(env, *, customers=80, months=24, replay_days=75, seed=2026, today=None, progress=None):
    """Build the demo in ``env`` (see the module's docstring); returns the generator (users, customers)."""
    generator = DemoGenerator(
        env, customers=customers, months=months, replay_days=replay_days, seed=seed, today=today, progress=progress
    )
    generator.generate()
    return generator


def summary(generator):
    """A few lines saying what the demo holds."""
    env = generator.env
    Communication = env["ar.dunning.communication"].sudo()
    counts = Communication._read_group([], ["level_id"], ["__count"])
    levels = ", ".join(f"{level.name or 'discount reminder'} {count}" for level, count in counts)
    moves = env["account.move"].search_count(
        [("move_type", "in", ("out_invoice", "out_refund")), ("state", "=", "posted")]
    )
    grades = env["res.partner"]._read_group([("ar_risk_grade", "in", ("A", "B", "C", "D", "E"))], [], ["__count"])[0][0]
    tonight = 0  # the dunning preview: what tonight's run will send
    for company in generator.company | generator.second:
        partners = env["res.partner"].union(*[p["partner"] for p in generator.customers if p["company"] == company])
        tonight += len(partners.with_company(company)._ar_dunning_preview(company, generator.today))
    return "\n".join(
        [
            f"[demo] {len(generator.customers)} customers, {moves} invoices and credit notes, {grades} graded",
            f"[demo] reminders: {levels}; in tonight's dunning preview: {tonight}",
            f"[demo] emails queued: {env['mail.mail'].sudo().search_count([('state', '=', 'outgoing')])}",
        ]
    )
