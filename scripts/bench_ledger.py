"""Seeded receivables ledger for the benchmark, written in SQL batches.

Imported by ``scripts/bench.py`` inside an Odoo process, on a fresh database
with the addon installed. Writes customers, posted customer invoices (one
receivable and one income line each, no tax), payments (one receivable and
one outstanding-receipts line each), their partial reconciliations and a full
reconciliation for every invoice paid in full, with the stored amounts Odoo
itself keeps (residuals, ``reconciled``, ``matching_number``,
``payment_state``, ``parent_state``...). Nothing is written record by record:
each table is filled by ``INSERT ... SELECT`` over ``generate_series`` for a
slice of invoices at a time.

The shape, per customer, for ``invoices`` invoices each:

- half the invoices are open; of those, 30 % carry a partial payment (20 to
  80 % of the amount) dated between the invoice and today;
- the other half are paid in full 5 to 120 days after the invoice date;
- invoice dates spread over the last two years, open ones weighted to recent
  months; due 30 days after the invoice.

So the ledger holds ``customers x invoices / 2`` open items, and many partial
reconciliations dated after a report date one year back (what the aging as of
a past date has to undo).
"""

import time

#: Sizes: customers and invoices per customer (half of them open).
SIZES = {
    "XS": (100, 20),
    "S": (1_000, 20),
    "M": (10_000, 20),
    "L": (100_000, 20),
}

#: Invoices written per statement (one slice is one transaction).
SLICE = 200_000

#: Tables whose secondary indexes are dropped while loading large ledgers and rebuilt after.
LOADED_TABLES = ("account_move_line", "account_move", "account_partial_reconcile", "account_full_reconcile")


def log(message):
    print(f"    {message}", flush=True)


def prepare(env):
    """The accounts and journals the ledger uses (journals created once, through the ORM)."""
    company = env.company
    Account = env["account.account"]
    receivable = env["res.partner"].with_company(company).new({}).property_account_receivable_id
    income = Account.search([("account_type", "=", "income"), ("company_ids", "in", company.ids)], limit=1)
    outstanding = Account.search(
        [("account_type", "=", "asset_current"), ("reconcile", "=", True), ("company_ids", "in", company.ids)],
        order="code",
        limit=1,
    )
    outstanding = (
        env["account.chart.template"].ref("account_journal_payment_debit_account_id", raise_if_not_found=False)
        or outstanding
    )
    Journal = env["account.journal"]
    sales = Journal.search([("code", "=", "BINV"), ("company_id", "=", company.id)], limit=1) or Journal.create(
        {"name": "Benchmark Invoices", "code": "BINV", "type": "sale", "default_account_id": income.id}
    )
    payments = Journal.search([("code", "=", "BPAY"), ("company_id", "=", company.id)], limit=1) or Journal.create(
        {"name": "Benchmark Payments", "code": "BPAY", "type": "general"}
    )
    return {
        "company": company.id,
        "currency": company.currency_id.id,
        "receivable": receivable.id,
        "income": income.id,
        "outstanding": outstanding.id,
        "sales": sales.id,
        "payments": payments.id,
        "uid": env.uid,
        "user": env.ref("base.user_admin").id,
    }


def _secondary_indexes(cr):
    cr.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
          FROM pg_index i
          JOIN pg_class t ON t.oid = i.indrelid
         WHERE t.relname = ANY(%s)
           AND NOT i.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [list(LOADED_TABLES)],
    )
    return cr.fetchall()


def generate(env, size, seed=42, today=None):
    """Write the ledger of ``size``; return what was written (counts)."""
    cr = env.cr
    customers, per_customer = SIZES[size]
    ids = prepare(env)
    env.flush_all()
    cr.commit()
    today = today or time.strftime("%Y-%m-%d")
    params = dict(ids, today=today, customers=customers, seed=seed / 1000.0)
    started = time.perf_counter()
    cr.execute("SET max_parallel_workers_per_gather = 0")  # one ordered scan: random() is reproducible
    cr.execute("SELECT setseed(%(seed)s)", params)
    cr.execute(
        """
        CREATE TEMP TABLE bench_customer AS
        SELECT n, nextval('res_partner_id_seq')::int AS id FROM generate_series(1, %(customers)s) n ORDER BY n;
        INSERT INTO res_partner (id, name, complete_name, commercial_partner_id, is_company, active, type, lang,
                                 email, email_normalized, ref, customer_rank, supplier_rank, autopost_bills,
                                 partner_share, create_uid, create_date, write_uid, write_date)
        SELECT id, 'Bench Customer ' || lpad(n::text, 6, '0'), 'Bench Customer ' || lpad(n::text, 6, '0'), id,
               true, true, 'contact', 'en_US', 'c' || n || '@bench.example', 'c' || n || '@bench.example',
               'BENCH' || n, 1, 0, 'ask', true, %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM bench_customer;
        """,
        params,
    )
    big = customers * per_customer >= 100_000
    indexes = []
    if big:
        indexes = _secondary_indexes(cr)
        for name, _definition in indexes:
            cr.execute(f"DROP INDEX {name}")  # names read from the catalog, not user input
        cr.execute("SET session_replication_role = replica")  # no FK trigger per row: consistent by construction
    total = customers * per_customer
    for first in range(1, total + 1, SLICE):
        last = min(total, first + SLICE - 1)
        _write_slice(cr, dict(params, first=first, last=last, per_customer=per_customer))
        cr.commit()
        log(f"invoices {first}..{last} of {total} written ({time.perf_counter() - started:.0f} s)")
    if big:
        cr.execute("SET session_replication_role = DEFAULT")
        for name, definition in indexes:
            cr.execute(definition)
            log(f"index {name} rebuilt ({time.perf_counter() - started:.0f} s)")
        cr.commit()
    cr.execute("DROP TABLE bench_customer")
    cr.commit()
    env.invalidate_all()
    cr.execute(
        """
        SELECT (SELECT COUNT(*) FROM res_partner WHERE ref LIKE 'BENCH%%'),
               (SELECT COUNT(*) FROM account_move),
               (SELECT COUNT(*) FROM account_move_line),
               (SELECT COUNT(*) FROM account_move_line l JOIN account_account a ON a.id = l.account_id
                 WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
                   AND l.reconciled IS NOT TRUE),
               (SELECT COUNT(*) FROM account_partial_reconcile),
               (SELECT COUNT(*) FROM account_partial_reconcile WHERE max_date > %(today)s::date - 365)
        """,
        params,
    )
    names = ("customers", "moves", "journal_items", "open_items", "partials", "partials_after_past_date")
    return dict(zip(names, cr.fetchone(), strict=True), seconds=round(time.perf_counter() - started, 1))


def _write_slice(cr, params):
    """Invoices ``first`` .. ``last``: moves, lines, reconciliations."""
    cr.execute(
        """
        CREATE TEMP TABLE bench_inv ON COMMIT DROP AS
        WITH g AS (
            SELECT i, (i - 1) %% %(customers)s + 1 AS cn,
                   random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
              FROM generate_series(%(first)s, %(last)s) i ORDER BY i
        ), d AS (
            SELECT g.*, c.id AS partner_id, g.r1 < 0.5 AS is_open,
                   %(today)s::date - CASE WHEN g.r1 < 0.5 THEN floor(730 * g.r2 * g.r2) ELSE floor(730 * g.r2) END::int
                       AS inv_date,
                   round((100 + g.r3 * 4900)::numeric, 2) AS amount
              FROM g JOIN bench_customer c ON c.n = g.cn
        ), p AS (
            SELECT d.*,
                   CASE WHEN NOT d.is_open THEN 'paid' WHEN d.r4 < 0.3 THEN 'partial' ELSE 'not_paid' END AS state,
                   CASE WHEN NOT d.is_open THEN LEAST(%(today)s::date, d.inv_date + 5 + floor(d.r4 * 115)::int)
                        ELSE d.inv_date + floor((%(today)s::date - d.inv_date) * d.r5)::int END AS pay_date,
                   CASE WHEN NOT d.is_open THEN d.amount
                        ELSE round(d.amount * (0.2 + 0.6 * d.r5)::numeric, 2) END AS pay_amount
              FROM d
        )
        SELECT p.*, p.inv_date + 30 AS due_date,
               CASE p.state WHEN 'paid' THEN 0 WHEN 'partial' THEN p.amount - p.pay_amount ELSE p.amount END
                   AS residual,
               nextval('account_move_id_seq')::int AS move_id,
               nextval('account_move_line_id_seq')::int AS recv_id,
               nextval('account_move_line_id_seq')::int AS income_id,
               CASE WHEN p.state != 'not_paid' THEN nextval('account_move_id_seq')::int END AS pay_move_id,
               CASE WHEN p.state != 'not_paid' THEN nextval('account_move_line_id_seq')::int END AS pay_recv_id,
               CASE WHEN p.state != 'not_paid' THEN nextval('account_move_line_id_seq')::int END AS pay_bank_id,
               CASE WHEN p.state != 'not_paid' THEN nextval('account_partial_reconcile_id_seq')::int END
                   AS partial_id,
               CASE WHEN p.state = 'paid' THEN nextval('account_full_reconcile_id_seq')::int END AS full_id
          FROM p ORDER BY p.i;

        INSERT INTO account_full_reconcile (id, create_uid, create_date, write_uid, write_date)
        SELECT full_id, %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM bench_inv WHERE full_id IS NOT NULL;

        INSERT INTO account_move (
            id, name, sequence_prefix, sequence_number, journal_id, company_id, currency_id, partner_id,
            commercial_partner_id, invoice_user_id, state, move_type, auto_post, date, invoice_date,
            invoice_date_due, payment_state, payment_reference, invoice_partner_display_name, invoice_currency_rate,
            amount_untaxed, amount_tax, amount_total, amount_residual, amount_untaxed_signed,
            amount_untaxed_in_currency_signed, amount_tax_signed, amount_total_signed, amount_total_in_currency_signed,
            amount_residual_signed, posted_before, is_move_sent, checked, made_sequence_gap, is_storno,
            always_tax_exigible, is_manually_modified, ar_dispute_open, ar_dispute_confirmed, ar_is_dunning_charge,
            ar_fixed_fee_charged, create_uid, create_date, write_uid, write_date)
        SELECT v.move_id, 'BINV/' || lpad(v.i::text, 8, '0'), 'BINV/', v.i, %(sales)s, %(company)s, %(currency)s,
               v.partner_id, v.partner_id, %(user)s, 'posted', 'out_invoice', 'no', v.inv_date, v.inv_date,
               v.due_date, v.state, 'BINV/' || lpad(v.i::text, 8, '0'),
               'Bench Customer ' || lpad(v.cn::text, 6, '0'), 1, v.amount, 0, v.amount, v.residual, v.amount,
               v.amount, 0, v.amount, v.amount, v.residual, true, false, true, false, false, false, false, false,
               false, false, false, %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM bench_inv v
         UNION ALL
        SELECT v.pay_move_id, 'BPAY/' || lpad(v.i::text, 8, '0'), 'BPAY/', v.i, %(payments)s, %(company)s,
               %(currency)s, v.partner_id, v.partner_id, NULL, 'posted', 'entry', 'no', v.pay_date, NULL, NULL,
               'not_paid', NULL, NULL, 1, 0, 0, v.pay_amount, 0, 0, 0, 0, v.pay_amount, v.pay_amount, 0, true,
               false, true, false, false, false, false, false, false, false, false,
               %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM bench_inv v WHERE v.pay_move_id IS NOT NULL;

        INSERT INTO account_move_line (
            id, move_id, move_name, date, invoice_date, parent_state, journal_id, company_id, company_currency_id,
            currency_id, account_id, partner_id, display_type, sequence, name, quantity, price_unit,
            price_subtotal, price_total, debit, credit, balance, amount_currency, amount_residual,
            amount_residual_currency, reconciled, date_maturity, full_reconcile_id, matching_number,
            tax_tag_invert, is_imported, create_uid, create_date, write_uid, write_date)
        SELECT v.recv_id, v.move_id, 'BINV/' || lpad(v.i::text, 8, '0'), v.inv_date, v.inv_date, 'posted',
               %(sales)s, %(company)s, %(currency)s, %(currency)s, %(receivable)s, v.partner_id, 'payment_term', 10,
               'BINV/' || lpad(v.i::text, 8, '0'), NULL, NULL, NULL, NULL, v.amount, 0, v.amount, v.amount,
               v.residual, v.residual, v.state = 'paid', v.due_date, v.full_id,
               CASE v.state WHEN 'paid' THEN v.full_id::text WHEN 'partial' THEN 'P' || v.partial_id END,
               false, false, %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM bench_inv v
         UNION ALL
        SELECT v.income_id, v.move_id, 'BINV/' || lpad(v.i::text, 8, '0'), v.inv_date, v.inv_date, 'posted',
               %(sales)s, %(company)s, %(currency)s, %(currency)s, %(income)s, v.partner_id, 'product', 20, 'Service',
               1, v.amount, v.amount, v.amount, 0, v.amount, -v.amount, -v.amount, 0, 0, false, NULL, NULL, NULL,
               true, false, %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM bench_inv v
         UNION ALL
        SELECT v.pay_recv_id, v.pay_move_id, 'BPAY/' || lpad(v.i::text, 8, '0'), v.pay_date, NULL, 'posted',
               %(payments)s, %(company)s, %(currency)s, %(currency)s, %(receivable)s, v.partner_id, 'product', 10,
               'Payment', NULL, NULL, NULL, NULL, 0, v.pay_amount, -v.pay_amount, -v.pay_amount, 0, 0, true,
               v.pay_date, v.full_id, COALESCE(v.full_id::text, 'P' || v.partial_id), false, false,
               %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM bench_inv v WHERE v.pay_move_id IS NOT NULL
         UNION ALL
        SELECT v.pay_bank_id, v.pay_move_id, 'BPAY/' || lpad(v.i::text, 8, '0'), v.pay_date, NULL, 'posted',
               %(payments)s, %(company)s, %(currency)s, %(currency)s, %(outstanding)s, v.partner_id, 'product', 20,
               'Payment', NULL, NULL, NULL, NULL, v.pay_amount, 0, v.pay_amount, v.pay_amount, v.pay_amount,
               v.pay_amount, false, v.pay_date, NULL, NULL, false, false,
               %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM bench_inv v WHERE v.pay_move_id IS NOT NULL;

        INSERT INTO account_partial_reconcile (
            id, debit_move_id, credit_move_id, full_reconcile_id, debit_currency_id, credit_currency_id, company_id,
            max_date, amount, debit_amount_currency, credit_amount_currency,
            create_uid, create_date, write_uid, write_date)
        SELECT v.partial_id, v.recv_id, v.pay_recv_id, v.full_id, %(currency)s, %(currency)s, %(company)s,
               GREATEST(v.inv_date, v.pay_date), v.pay_amount, v.pay_amount, v.pay_amount,
               %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM bench_inv v WHERE v.partial_id IS NOT NULL;
        """,
        params,
    )
