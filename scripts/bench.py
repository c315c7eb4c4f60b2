#!/usr/bin/env python3
"""Benchmark of the receivables module on a generated ledger: ``bench.py --size S``.

Separate from the tests. Creates a fresh database (from the same ``account``
template as the tests), installs the addon (and OCA's
``account_financial_report`` when its folder is given), writes a seeded ledger
in SQL batches (``scripts/bench_ledger.py``), then runs the scenarios B1-B9 of
``docs/performance.md``. Each scenario runs once to warm the caches (its peak
Python memory is measured then, with ``tracemalloc``) and then ``--runs`` times
(default 3); it prints the median time, the number of SQL queries and the peak
memory. Every run is rolled back: the runs see the same ledger.

Sizes (customers, invoices, open items): XS 100/2k/1k, S 1k/20k/10k,
M 10k/200k/100k, L 100k/2M/1M.

Environment / options:
    ARO_OCA_ADDONS / --oca DIR   folder holding OCA's account_financial_report, date_range and
                                 report_xlsx 18.0 (see docs/performance.md): B1 and B2 then also
                                 run OCA's aged partner balance, side by side with the SQL floor
    --db NAME                    database (default aro_bench_<size>); with --reuse an existing one
                                 (already generated) is used as is, otherwise it is recreated
    --keep                       keep the database at the end (default: dropped unless --reuse)
    --only B1,B2                 run these scenarios only
    --json FILE                  also write the results as JSON
    --batches N / --batch-size N B6 and B8: only the first N cron batches / N customers a batch
    --no-memory                  warm up without tracing Python's memory (tracemalloc slows a
                                 large scenario, B5 or B8, many times over); peak memory not given
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENARIOS = ("B1", "B2", "B3", "B3b", "B4", "B5", "B6", "B7", "B8", "B9")
# the scenarios that read the KPI facts, the grades, the snapshots and stored forecast
FACTS_READERS = {"B3", "B3b", "B9"}
GRADES_READERS = {"B6", "B7", "B8", "B9"}
SNAPSHOT_READERS = {"B3", "B9"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="S", choices=["XS", "S", "M", "L"])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per scenario, after one warm-up run")
    parser.add_argument("--oca", default=os.environ.get("ARO_OCA_ADDONS"), help="folder of OCA's addons")
    parser.add_argument("--db")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--update", action="store_true", help="with --reuse: update the addon first (changed code)")
    parser.add_argument("--only", help="comma-separated scenarios, e.g. B1,B2")
    parser.add_argument("--json")
    parser.add_argument("--no-memory", action="store_true", help="warm-up runs without tracemalloc")
    parser.add_argument("--batches", type=int, help="B6 and B8: only the first N cron batches (L: hours in all)")
    parser.add_argument("--batch-size", type=int, help="B6 and B8: customers per cron batch (default: the cron's)")
    parser.add_argument(
        "--oca-runs", type=int, default=0, help="time OCA's report N times without a warm-up (L: minutes a run)"
    )
    parser.add_argument("--seed", type=int, default=42)
    # internal: the part that runs inside Odoo
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# ----------------------------------------------------------------------
# Outer process: database, modules, then the inner process
# ----------------------------------------------------------------------


def oca_addons_folder(path):
    """The folder holding ``account_financial_report`` (the folder itself or its ``odoo/addons``)."""
    for folder in (Path(path), Path(path, "odoo", "addons")):
        if Path(folder, "account_financial_report", "__manifest__.py").exists():
            return folder.resolve()
    raise SystemExit(
        f"ERROR: no account_financial_report in {path}: install OCA's 18.0 packages there first "
        "(docs/performance.md, 'OCA side by side')"
    )


def prepare_database(args, aro, odoo, pg, *, config, dbname, modules):
    """A new database from the template (``generate``), or the kept one with what it lacks
    installed and, with ``--update``, the addon updated. Returns ``(generate, exit code)``."""
    generate = not (args.reuse and pg.exists(dbname))
    if generate:
        template = aro.ensure_template(odoo, pg, config)
        pg.drop(dbname)
        pg.copy(template, dbname)
    else:  # a kept database: install what it lacks (OCA's module for a later --oca run)
        modules = [module for module in modules if pg.module_state(dbname, module) != "installed"]
    if modules:
        code = aro.run(
            aro.odoo_cmd(odoo, config, "-d", dbname, "-i", ",".join(modules), "--stop-after-init", "--log-level=warn"),
            odoo["env"],
        )
        if code:
            print(f"ERROR: installing {', '.join(modules)} in {dbname} failed (exit {code})")
            return generate, code
    if args.update and not generate:
        code = aro.run(
            aro.odoo_cmd(odoo, config, "-d", dbname, "-u", aro.ADDON, "--stop-after-init", "--log-level=warn"),
            odoo["env"],
        )
        if code:
            print(f"ERROR: updating {aro.ADDON} in {dbname} failed (exit {code})")
            return generate, code
    return generate, 0


def outer(args):
    sys.path.insert(0, str(HERE))
    import aro  # noqa: PLC0415 - the project's own commands, next to this file

    try:
        odoo = aro.find_odoo()
        pg_settings = aro.connect_postgres()
    except aro.Missing as missing:
        print(f"ERROR: {missing}.")
        return 1
    pg = aro.Postgres(pg_settings)
    dbname = args.db or f"aro_bench_{args.size.lower()}"
    modules = [aro.ADDON]
    if args.oca:
        odoo["addons"].insert(-1, str(oca_addons_folder(args.oca)))
        modules.append("account_financial_report")
    with tempfile.TemporaryDirectory(prefix="aro-bench-") as folder:
        config = aro.write_config(odoo, pg_settings, Path(folder))
        started = time.perf_counter()
        generate, code = prepare_database(args, aro, odoo, pg, config=config, dbname=dbname, modules=modules)
        if code:
            return code
        inner_args = [odoo["python"], str(Path(__file__).resolve()), "--inner", "--config", str(config)]
        inner_args += ["--db", dbname, "--size", args.size, "--runs", str(args.runs), "--seed", str(args.seed)]
        if generate:
            inner_args.append("--generate")
        if args.oca:
            inner_args += ["--oca", args.oca, "--oca-runs", str(args.oca_runs)]
        if args.only:
            inner_args += ["--only", args.only]
        if args.json:
            inner_args += ["--json", str(Path(args.json).resolve())]
        if args.no_memory:
            inner_args.append("--no-memory")
        if args.batches:
            inner_args += ["--batches", str(args.batches)]
        if args.batch_size:
            inner_args += ["--batch-size", str(args.batch_size)]
        try:
            code = aro.run(inner_args, odoo["env"])
        finally:
            if not (args.keep or args.reuse):
                pg.drop(dbname)
                aro.say(f"dropped {dbname}")
        print(f"Benchmark {args.size}: {time.perf_counter() - started:.0f} s in all (exit {code})", flush=True)
        return code


# ----------------------------------------------------------------------
# Inner process: inside Odoo
# ----------------------------------------------------------------------


@contextlib.contextmanager
def check_clock(cls):
    """Time and count the queries of the credit check's own steps (the receivables read
    before and after, the check of the customers they raised) inside the module's posting:
    the check's cost in the same run, apart from the run-to-run spread of the posting. The
    posting's pending writes are flushed before each step, outside the clock."""
    clock = {"s": 0.0, "queries": 0}

    def timed(name):
        method = getattr(cls, name)

        def wrapper(self_, *args, **kwargs):
            # the posting's own pending writes, flushed by the step's first read, are not the check's
            self_.env.flush_all()
            count, start = self_.env.cr.sql_log_count, time.perf_counter()
            try:
                return method(self_, *args, **kwargs)
            finally:
                clock["s"] += time.perf_counter() - start
                clock["queries"] += self_.env.cr.sql_log_count - count

        return wrapper

    names = ("_ar_receivable_snapshot", "_ar_check_raised_receivables")
    for name in names:
        setattr(cls, name, timed(name))
    try:
        yield clock
    finally:
        for name in names:
            delattr(cls, name)


class Bench:
    def __init__(self, args):
        import odoo  # noqa: PLC0415

        odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
        self.odoo = odoo
        self.args = args
        self.registry = odoo.modules.registry.Registry(args.db)
        self.results = []
        self.info = {}

    @contextlib.contextmanager
    def env(self, superuser=False):
        from odoo import SUPERUSER_ID, api  # noqa: PLC0415

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            if not superuser:
                env = env(user=env.ref("base.user_admin").id)
            try:
                yield env
            finally:
                cr.rollback()

    def measure(self, name, label, run, setup=None, *, runs=None, warmup=True, clock=None):
        """Run ``run(env, prepared)`` once to warm up (memory measured unless ``--no-memory``) and
        ``runs`` times (timed); without ``warmup``, every run is timed and the memory is not
        measured (tracing Python's allocations slows a run several times over: it would be
        in the times). ``clock``: a :func:`check_clock`, whose time and queries are given per
        timed run too."""
        runs = runs or self.args.runs
        trace = warmup and not self.args.no_memory
        skipped = 1 if warmup else 0
        times, queries, peak, value = [], [], None, None
        clocked = []
        for index in range(runs + skipped):
            with self.env() as env:
                prepared = setup(env) if setup else None
                env.flush_all()
                cr = env.cr
                if index == 0 and trace:
                    tracemalloc.start()
                count = cr.sql_log_count
                if clock is not None:
                    clock.update(s=0.0, queries=0)
                start = time.perf_counter()
                value = run(env, prepared)
                env.flush_all()
                elapsed = time.perf_counter() - start
                queries.append(cr.sql_log_count - count)
                if index == 0 and trace:
                    peak = tracemalloc.get_traced_memory()[1]
                    tracemalloc.stop()
                if index >= skipped:
                    times.append(elapsed)
                    if clock is not None:
                        clocked.append(dict(clock))
        result = {
            "scenario": name,
            "what": label,
            "median_s": statistics.median(times),
            "min_s": min(times),
            "runs": len(times),
            "queries": statistics.median(queries[skipped:]),
            "peak_mb": None if peak is None else peak / 1e6,
            "value": value,
        }
        if clocked:
            result["clock_s"] = statistics.median(c["s"] for c in clocked)
            result["clock_queries"] = statistics.median(c["queries"] for c in clocked)
        self.results.append(result)
        print(
            f"{name:<10} {label:<52} median {result['median_s']:9.4f} s  (min {result['min_s']:.4f}, "
            f"{len(times)} runs)  {result['queries']:>6g} queries  peak "
            + ("       - MB" if peak is None else f"{result['peak_mb']:8.1f} MB")
            + (f"  -> {value}" if value not in (None, "") else ""),
            flush=True,
        )
        return result

    # ------------------------------------------------------------------

    def generate(self):
        sys.path.insert(0, str(HERE))
        import bench_ledger  # noqa: PLC0415

        with self.env(superuser=True) as env:
            print(f"Generating the {self.args.size} ledger (seed {self.args.seed})", flush=True)
            counts = bench_ledger.generate(env, self.args.size, seed=self.args.seed, today=self.today(env))
        print(f"Written: {counts}", flush=True)
        started = time.perf_counter()
        with self.registry.cursor() as cr:
            cr._cnx.autocommit = True  # VACUUM runs outside a transaction
            for table in ("res_partner", *bench_ledger.LOADED_TABLES):
                cr.execute(f"VACUUM ANALYZE {table}")  # table names are constants of the benchmark
            cr._cnx.autocommit = False
        print(f"VACUUM ANALYZE: {time.perf_counter() - started:.0f} s", flush=True)
        self.info["ledger"] = counts

    def initial_state(self, only):
        """The state of a database in use that the scenarios ``only`` read, each part done once
        and committed: customers graded, the day's snapshot and forecast stored, KPI facts
        filled. After generating, and on ``--reuse`` for what an earlier run left undone."""
        with self.env(superuser=True) as env:
            company = env.company
            env.cr.execute("SELECT 1 FROM ar_kpi_fact WHERE company_id = %s LIMIT 1", [company.id])
            if only & FACTS_READERS and not env.cr.fetchone():
                started = time.perf_counter()
                env["ar.kpi.fact"]._ar_refresh_recent(company)
                env.cr.commit()
                print(f"Initial KPI facts (24 months): {time.perf_counter() - started:.0f} s", flush=True)
            env.cr.execute("SELECT 1 FROM res_partner WHERE ar_risk_checked_date IS NOT NULL LIMIT 1")
            if only & GRADES_READERS and not env.cr.fetchone():
                started = time.perf_counter()
                self._grade_all(env)
                env.cr.commit()
                print(f"Initial risk grades: {time.perf_counter() - started:.0f} s", flush=True)
            env.cr.execute("SELECT 1 FROM ar_receivable_snapshot WHERE company_id = %s LIMIT 1", [company.id])
            if only & SNAPSHOT_READERS and not env.cr.fetchone():
                # what the nightly job also stores, and the dashboard reads: the snapshots and the forecast
                started = time.perf_counter()
                env["ar.receivable.snapshot"]._ar_snapshot_recent(company)
                env.cr.commit()
                print(f"Initial snapshots (24 month ends and today): {time.perf_counter() - started:.0f} s", flush=True)
                started = time.perf_counter()
                env["ar.forecast.week"]._ar_store_forecast(company)
                env.cr.commit()
                print(f"Initial stored forecast: {time.perf_counter() - started:.0f} s", flush=True)

    @staticmethod
    def today(env):
        from odoo import fields  # noqa: PLC0415

        return fields.Date.context_today(env["res.partner"])

    def _all_batches(self, env, xmlid, method, batches=None):
        """Call a batch cron as a cron worker does, until nothing is left (or ``batches`` times);
        what is left.

        Each call has its own progress record of the scheduled action in its context, as the
        worker gives it (a batch may read what the previous one reported). The worker's commit
        between calls is left out: every run is rolled back (on 19.0 the progress report
        itself commits, so the cursor's commit does nothing during the calls).
        """
        from unittest.mock import patch  # noqa: PLC0415

        cron = env.ref(xmlid).sudo().with_context(cron_id=env.ref(xmlid).id)
        model = env["res.partner"].sudo()
        kwargs = {"batch_size": self.args.batch_size} if self.args.batch_size else {}

        def call():
            worker, _progress = cron._add_progress()
            return getattr(model.with_context(worker.env.context), method)(**kwargs)

        with patch.object(env.cr, "commit"):
            remaining, previous, done = call(), None, 1
            while remaining and remaining != previous and (batches is None or done < batches):
                previous, remaining, done = remaining, call(), done + 1
        return remaining

    def _grade_all(self, env, batches=None):
        return self._all_batches(
            env, "account_receivable_optimizer.ir_cron_compute_risk_grades", "_cron_compute_risk_grades", batches
        )

    def _dun_all(self, env, batches=None):
        return self._all_batches(env, "account_receivable_optimizer.ir_cron_run_dunning", "_cron_run_dunning", batches)

    def ledger_info(self):
        with self.env() as env:
            env.cr.execute(
                """
                SELECT (SELECT COUNT(*) FROM res_partner WHERE ref LIKE 'BENCH%%'),
                       (SELECT COUNT(*) FROM account_move),
                       (SELECT COUNT(*) FROM account_move_line),
                       (SELECT COUNT(*) FROM account_move_line l JOIN account_account a ON a.id = l.account_id
                         WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
                           AND l.reconciled IS NOT TRUE),
                       (SELECT COUNT(*) FROM account_partial_reconcile)
                """
            )
            names = ("customers", "moves", "journal_items", "open_items", "partials")
            self.info["ledger"] = dict(zip(names, env.cr.fetchone(), strict=True))
            self.info["postgres"] = env.cr.connection.server_version
            env.cr.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            self.info["db_size"] = env.cr.fetchone()[0]
        print(f"Ledger: {self.info['ledger']}, database {self.info['db_size']}", flush=True)

    # ------------------------------------------------------------------
    # Scenarios
    # ------------------------------------------------------------------

    def aging(self, name, as_of):
        from odoo.tools import SQL  # noqa: PLC0415

        def module(env, _prepared):
            report = env["ar.aging.report"].create({"as_of_date": as_of})
            report._compute_lines()
            # what the user sees first: the lines grouped by customer (the pivot's rows)
            groups = env["ar.aging.report.line"]._read_group(
                [("report_id", "=", report.id)], ["partner_id"], ["amount_residual:sum"]
            )
            return round(sum(amount for _partner, amount in groups), 2)

        def floor(env, _prepared):
            rows = env.execute_query(
                SQL(
                    """
                    WITH later AS (
                        SELECT line_id, SUM(amount) AS amount FROM (
                            SELECT debit_move_id AS line_id, amount FROM account_partial_reconcile
                             WHERE max_date > %(as_of)s
                         UNION ALL
                            SELECT credit_move_id, -amount FROM account_partial_reconcile WHERE max_date > %(as_of)s
                        ) x GROUP BY line_id
                    )
                    SELECT aml.partner_id,
                           SUM(aml.amount_residual + COALESCE(l.amount, 0)),
                           SUM(aml.amount_residual + COALESCE(l.amount, 0))
                               FILTER (WHERE aml.date_maturity < %(as_of)s)
                      FROM account_move_line aml
                      JOIN account_account a ON a.id = aml.account_id
                 LEFT JOIN later l ON l.line_id = aml.id
                     WHERE a.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
                       AND aml.date <= %(as_of)s AND (aml.reconciled IS NOT TRUE OR l.line_id IS NOT NULL)
                  GROUP BY aml.partner_id
                    """,
                    as_of=as_of,
                )
            )
            return round(float(sum(row[1] for row in rows)), 2)

        def oca(env, _prepared):
            from odoo import fields  # noqa: PLC0415

            accounts = env["account.account"].search(
                [("account_type", "=", "asset_receivable"), ("company_ids", "in", env.company.ids)]
            )
            wizard = env["aged.partner.balance.report.wizard"].create(
                {
                    "company_id": env.company.id,
                    "date_at": as_of,
                    "target_move": "posted",
                    "account_ids": [(6, 0, accounts.ids)],
                    "receivable_accounts_only": True,
                }
            )
            data = wizard._prepare_report_data()
            data["date_at"] = fields.Date.to_string(data["date_at"])
            values = env["report.account_financial_report.aged_partner_balance"]._get_report_values(wizard.ids, data)
            return round(sum(account["residual"] for account in values["aged_partner_balance"]), 2)

        results = {"module": self.measure(name, f"aging as of {as_of}: this module", module)}
        if self.args.oca:
            label = f"aging as of {as_of}: OCA aged partner balance"
            try:
                results["oca"] = self.measure(
                    f"{name}-OCA", label, oca, runs=self.args.oca_runs, warmup=not self.args.oca_runs
                )
            except MemoryError:  # under a memory limit (ulimit -v): said, and the rest still measured
                print(f"{name}-OCA    {label}: MemoryError, no result", flush=True)
                self.info[f"{name}-OCA"] = "MemoryError"
        results["floor"] = self.measure(f"{name}-SQL", f"aging as of {as_of}: SQL GROUP BY (floor)", floor)
        totals = {key: result["value"] for key, result in results.items()}
        agree = len({round(total * 100) for total in totals.values()}) == 1
        module_s = results["module"]["median_s"]
        ratios = {
            "module/floor": module_s / results["floor"]["median_s"],
        }
        if "oca" in results:
            ratios["oca/module"] = results["oca"]["median_s"] / module_s
            ratios["oca/floor"] = results["oca"]["median_s"] / results["floor"]["median_s"]
        self.info[f"{name}_totals"] = totals
        self.info[f"{name}_agree"] = agree
        self.info[f"{name}_ratios"] = ratios
        print(
            f"{name} totals {totals}: {'agree to the cent' if agree else 'DIFFER'}; "
            + ", ".join(f"{key} {value:.1f}x" for key, value in ratios.items()),
            flush=True,
        )

    def analytics(self):
        from odoo import fields  # noqa: PLC0415

        def nightly(env, _prepared):
            env["ar.kpi.fact"].sudo()._cron_refresh_facts()
            return env["ar.kpi.fact"].sudo().search_count([])

        def backfill(env, _prepared):
            facts = env["ar.kpi.fact"].sudo()
            today = fields.Date.context_today(facts)
            facts._ar_refresh(env.company, today.replace(day=1) - relativedelta(months=23), today)
            return facts.search_count([])

        def quarters(env, _prepared):
            today = fields.Date.context_today(env["ar.kpi.fact"])
            first = today.replace(day=1) - relativedelta(months=23)
            groups = env["ar.kpi.fact"]._read_group(
                [("month", ">=", first), ("company_id", "=", env.company.id)],
                ["month:quarter"],
                ["credit_sales:sum", "receivables:sum", "dso:max", "cei:max", "days_to_pay:max"],
            )
            return len(groups)

        from dateutil.relativedelta import relativedelta  # noqa: PLC0415

        only = set(self.args.only.split(",")) if self.args.only else set(SCENARIOS)
        if "B3" in only:
            # every customer's months: a run warms its own caches, no untimed warm-up (minutes at L)
            self.measure("B3", "analytics job, nightly (3 months, every customer)", nightly, warmup=False)
            what = "analytics back-fill (24 months, every customer)"
            self.measure("B3-24m", what, backfill, warmup=False)
        if "B3b" in only:
            self.measure("B3b", "KPIs of 24 months grouped by quarter", quarters)

    def posting(self):
        @contextlib.contextmanager
        def no_guard(self_, moves=None):
            yield {"moves": self_.browse()}

        # the draft invoices are created once (committed) and posted by every run, rolled back after
        with self.env() as env:
            partners = env["res.partner"].search([("ref", "=like", "BENCH%")], order="id", limit=1000)
            drafts = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_line_ids": [(0, 0, {"name": "Service", "quantity": 1, "price_unit": 100.0})],
                    }
                    for partner in partners
                ]
            )
            draft_ids = drafts.ids
            env.cr.commit()

        def one(env):
            return env["account.move"].browse(draft_ids[:1])

        def many(env):
            return env["account.move"].browse(draft_ids)

        def post(env, moves):
            moves.action_post()
            return len(moves)

        @contextlib.contextmanager
        def native_post():
            cls = self.registry["account.move"]
            cls._ar_guard_receivables = no_guard
            try:
                yield
            finally:
                del cls._ar_guard_receivables

        label = f"{len(draft_ids):,}"
        only = set(self.args.only.split(",")) if self.args.only else set(SCENARIOS)
        if "B4" in only:
            module_one = self.measure("B4", "post 1 invoice: this module", post, one, runs=5)
            with native_post():
                native_one = self.measure("B4-native", "post 1 invoice: credit check off", post, one, runs=5)
            self.info["B4_added"] = {
                "ms": (module_one["median_s"] - native_one["median_s"]) * 1000,
                "queries": module_one["queries"] - native_one["queries"],
            }
            print(f"B4 added by the credit check: {self.info['B4_added']}", flush=True)
            # the same posting with the check's own steps timed (a run apart: flushing the
            # posting's writes before each step moves a few of Odoo's queries)
            with check_clock(self.registry["account.move"]) as clock:
                what = "post 1 invoice: this module, the check's steps timed"
                clocked = self.measure("B4-check", what, post, one, runs=5, clock=clock)
            self.info["B4_check_own"] = {"ms": clocked["clock_s"] * 1000, "queries": clocked["clock_queries"]}
            print(f"B4 the credit check's own steps, median of the postings: {self.info['B4_check_own']}", flush=True)
        # B5 (several minutes at S) only when asked for: --only B4 posts one invoice; a run of
        # 1,000 postings warms its own caches: no untimed warm-up run
        if "B5" in only:
            # the check's own steps timed in the same run: one more run of the posting
            # would be several minutes at L (its flushes move a few of Odoo's queries)
            what = f"post {label} invoices of {label} customers"
            with check_clock(self.registry["account.move"]) as clock:
                module_many = self.measure("B5", what, post, many, warmup=False, clock=clock)
            self.info["B5_check_own"] = {"s": module_many["clock_s"], "queries": module_many["clock_queries"]}
            print(f"B5 the credit check's own steps, median of the runs: {self.info['B5_check_own']}", flush=True)
            with native_post():
                what = f"post {label} invoices: credit check off"
                native_many = self.measure("B5-native", what, post, many, warmup=False)
            self.info["B5_added"] = {
                "s": module_many["median_s"] - native_many["median_s"],
                "queries": module_many["queries"] - native_many["queries"],
            }
            print(f"B5 added by the credit check: {self.info['B5_added']}", flush=True)
        with self.env() as env:
            env["account.move"].browse(draft_ids).unlink()
            env.cr.commit()

    def grades(self):
        def setup(env):
            env.cr.execute("UPDATE res_partner SET ar_risk_checked_date = NULL WHERE ar_risk_checked_date IS NOT NULL")
            env.invalidate_all()

        def run(env, _prepared):
            remaining = self._grade_all(env, self.args.batches)
            env.cr.execute("SELECT COUNT(*) FROM res_partner WHERE ar_risk_checked_date IS NOT NULL")
            return f"{env.cr.fetchone()[0]} graded, {remaining} left"

        self.measure("B6", f"risk grades of {self._batches_label()} (cron batches)", run, setup)

    def customer_views(self):
        def form_setup(env):
            partner = env["res.partner"].search([("ref", "=like", "BENCH%")], order="id", limit=1)
            view = partner.get_view(view_type="form")
            return partner, self._specification(env, view["models"]["res.partner"])

        def form(env, prepared):
            partner, specification = prepared
            env.invalidate_all()
            partner.web_read(specification)
            return f"{len(specification)} fields"

        list_spec = {
            "display_name": {},
            "email": {},
            "phone": {},
            "ar_risk_grade": {},
            "ar_exposure": {},
            "ar_overdue_amount": {},
            "ar_available_credit": {},
            "credit_limit": {},
        }

        def customer_list(env, _prepared):
            env.invalidate_all()
            result = env["res.partner"].web_search_read(
                [("ref", "=like", "BENCH%")], list_spec, limit=1000, order="name"
            )
            return f"{len(result['records'])} customers"

        self.measure("B7-form", "customer form with the Credit & Risk tab", form, form_setup, runs=5)
        self.measure("B7-list", "customer list, 1,000 customers with grade and exposure", customer_list, runs=5)

    @staticmethod
    def _specification(env, names):
        fields_ = env["res.partner"]._fields
        spec = {}
        for name in names:
            field = fields_.get(name)
            if not field:
                continue
            if field.type == "many2one":
                spec[name] = {"fields": {"display_name": {}}}
            else:
                spec[name] = {}
        return spec

    def _batches_label(self):
        label = "every customer" if self.args.batches is None else f"the first {self.args.batches} batches"
        return label if not self.args.batch_size else f"{label}, batches of {self.args.batch_size}"

    def dunning(self):
        def run(env, _prepared):
            before = env["ar.dunning.communication"].sudo().search_count([])
            remaining = self._dun_all(env, self.args.batches)
            after = env["ar.dunning.communication"].sudo().search_count([])
            mails = env["mail.mail"].sudo().search_count([("state", "=", "outgoing")])
            return f"{after - before} communications, {mails} mails queued (not sent), {remaining} left"

        # hundreds of customers a run, its caches warm after the first batch: no untimed warm-up run
        self.measure("B8", f"dunning run over {self._batches_label()}", run, warmup=False)

    def dashboard(self):
        def run(env, _prepared):
            dashboard = env["ar.receivables.dashboard"].with_context(allowed_company_ids=env.company.ids)
            data = dashboard.get_dashboard_data()
            return f"aging total {data['aging']['total']:.2f} as of {data['aging']['date']}"

        self.measure("B9", "dashboard data (get_dashboard_data, stored figures)", run)

    # ------------------------------------------------------------------

    def main(self):
        only = set(self.args.only.split(",")) if self.args.only else set(SCENARIOS)
        if self.args.generate:
            self.generate()
        self.initial_state(only)
        self.ledger_info()
        with self.env() as env:
            today = self.today(env)
        from dateutil.relativedelta import relativedelta  # noqa: PLC0415

        plan = [
            ("B1", lambda: self.aging("B1", today)),
            ("B2", lambda: self.aging("B2", today - relativedelta(years=1))),
            ("B3", self.analytics),
            ("B4", self.posting),
            ("B6", self.grades),
            ("B7", self.customer_views),
            ("B8", self.dunning),
            ("B9", self.dashboard),
        ]
        started = time.perf_counter()
        for key, step in plan:
            if key in only or (key == "B3" and "B3b" in only) or (key == "B4" and "B5" in only):
                self.vacuum_if_no_autovacuum()
                step()
        self.info["scenarios_s"] = round(time.perf_counter() - started, 1)
        self.report()
        return 0

    def vacuum_if_no_autovacuum(self):
        """``VACUUM ANALYZE`` before a scenario when the server's autovacuum is off.

        Every run is rolled back, and the grading and dunning scenarios update every customer:
        without autovacuum (some test servers turn it off) the dead rows pile up and the
        statistics of the tables filled by the initial state are never gathered, so later
        scenarios would be planned and timed on a database no server in use looks like.
        """
        with self.registry.cursor() as cr:
            cr.execute("SHOW autovacuum")
            if cr.fetchone()[0] == "on":
                return
        started = time.perf_counter()
        with self.registry.cursor() as cr:
            cr._cnx.autocommit = True  # VACUUM runs outside a transaction
            cr.execute("VACUUM ANALYZE")
            cr._cnx.autocommit = False
        self.info["autovacuum"] = "off: VACUUM ANALYZE before each scenario"
        print(f"VACUUM ANALYZE (the server's autovacuum is off): {time.perf_counter() - started:.0f} s", flush=True)

    def report(self):
        print("\n| scenario | what | median (s) | queries | peak MB | result |")
        print("|---|---|---:|---:|---:|---|")
        for r in self.results:
            peak = "-" if r["peak_mb"] is None else f"{r['peak_mb']:.1f}"
            print(
                f"| {r['scenario']} | {r['what']} | {r['median_s']:.4f} | {r['queries']:g} | {peak} |"
                f" {r['value'] if r['value'] is not None else ''} |"
            )
        print()
        for key, value in self.info.items():
            print(f"{key}: {value}")
        if self.args.json:
            Path(self.args.json).write_text(
                json.dumps({"size": self.args.size, "results": self.results, "info": self.info}, indent=1, default=str)
            )


def main(argv=None):
    args = parse_args(argv)
    if args.inner:
        return Bench(args).main()
    return outer(args)


if __name__ == "__main__":
    sys.exit(main())
