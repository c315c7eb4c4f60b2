#!/usr/bin/env python3
"""Set up and run the project: ``aro.py test`` (every test) or ``aro.py demo``.

The addon supports Odoo 18.0 and 19.0. The main Odoo is found as an importable
``odoo`` package in this python, or through ``ODOO_SRC`` (an Odoo 18.0 or 19.0
source tree). The test command also runs the Odoo suite on the Odoo 19.0 tree of
``ODOO_SRC_19``, with the python of ``ODOO_PYTHON_19``. PostgreSQL is the local
server (Unix socket, else 127.0.0.1), used with the current OS user's role.

Environment:
    ODOO_SRC            path of an Odoo 18.0 (or 19.0) source tree (when odoo is not importable)
    ODOO_SRC_19         path of an Odoo 19.0 source tree: the test command also runs the
                        Odoo suite on it
    ODOO_PYTHON_19      the python with the requirements of ODOO_SRC_19 (default: this python)
    ARO_REQUIRE_ODOO=1  a missing Odoo 18.0 or PostgreSQL fails the test command instead of
                        skipping the Odoo suite
    ARO_SKIP_PIP=1      do not install the Python tools (ruff, pytest...) first
    ARO_SERIAL=1        run the Odoo suites of two series one after the other, not side by side
    ARO_DEMO_DB         database of the demo (default: aro_demo)
    ARO_HTTP_PORT       port of the demo server (default: 8069)
    ARO_DEMO_CUSTOMERS  customers of the demo (default: 80)
    ARO_DEMO_MONTHS     months of history of the demo (default: 24)

``aro.py demo --no-serve`` builds the demo database and stops without serving it.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = "account_receivable_optimizer"
PYTHON = sys.executable
SERIES = ("18.0", "19.0")


def with_source(source: str | None) -> dict:
    """The environment, with an Odoo source tree first on PYTHONPATH."""
    env = dict(os.environ)
    if source:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))
    return env


ENV = with_source(os.environ.get("ODOO_SRC"))


class Missing(Exception):
    """Something the command needs is not on this machine."""


class Output:
    """Where a step prints: the terminal, each line behind ``prefix`` when the Odoo suites of
    two series run side by side (their lines interleave, whole lines at a time)."""

    lock = threading.Lock()

    def __init__(self, prefix: str = ""):
        self.prefix = prefix

    def line(self, text: str) -> None:
        with self.lock:
            print(f"{self.prefix}{text}", flush=True)


TERMINAL = Output()


def say(message: str, out: Output = TERMINAL) -> None:
    out.line(f"==> {message}")


def stream(args: list[str], env: dict, out: Output, on_line=None) -> int:
    """Run a command, its output (stderr included) printed line by line through ``out``."""
    with subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        for line in process.stdout:
            out.line(line.rstrip("\n"))
            if on_line:
                on_line(line)
    return process.returncode


def run(args: list[str], env: dict | None = None, out: Output = TERMINAL, **kwargs) -> int:
    say(" ".join(str(a) for a in args), out)
    if out is TERMINAL:
        return subprocess.run(args, cwd=ROOT, env=env or ENV, check=False, **kwargs).returncode
    return stream(args, env or ENV, out)


def run_pytest(args: list[str], env: dict, out: Output = TERMINAL) -> tuple[int, str]:
    """Run pytest, showing its output; return its exit code and its summary ("249 passed")."""
    say(" ".join(str(a) for a in args), out)
    summary = []

    def find_summary(line: str) -> None:
        match = re.match(r"^=+ (.+?) in [\d.]+s", line.strip())
        if match:
            summary.append(match.group(1))

    code = stream(args, env, out, find_summary)
    return code, summary[-1] if summary else f"exit {code}"


def pip_install(requirements: str, python: str = PYTHON, env: dict | None = None, quiet: bool = False) -> str | None:
    """Install the packages of requirements into python; the reason when that failed.

    pip's output is shown only when it fails (``quiet``: not even the command).
    """
    if ENV.get("ARO_SKIP_PIP") == "1":
        return None
    args = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements]
    args += ["--root-user-action=ignore"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    if not quiet:
        say(" ".join(args))
    result = subprocess.run(args, cwd=ROOT, env=env or ENV, capture_output=True, text=True, check=False)
    if not result.returncode:
        return None
    lines = (result.stderr or result.stdout).strip().splitlines()
    return f"pip exit {result.returncode}: {lines[-1] if lines else 'no output'}"


def requirements_met(requirements: str) -> bool:
    """Whether every package named in requirements is installed in this python (versions not checked)."""
    from importlib import metadata  # noqa: PLC0415

    for line in (ROOT / requirements).read_text().splitlines():
        name = re.split(r"[<>=!~;\[ ]", line.split("#")[0].strip(), maxsplit=1)[0]
        if not name or name.startswith("-"):
            continue
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            return False
    return True


def pip_install_or_exit(requirements: str) -> None:
    reason = pip_install(requirements)
    if reason:
        raise SystemExit(f"ERROR: could not install the Python packages of {requirements} ({reason}).")


# ----------------------------------------------------------------------
# System tools: the PDF engine of the letters, the browser of the tours
# ----------------------------------------------------------------------

# Debian package -> the commands any of which does (Odoo looks for these names)
SYSTEM_TOOLS = {
    "wkhtmltopdf": ("wkhtmltopdf",),
    "chromium": ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable"),
}


def missing_system_tools() -> list[str]:
    return [package for package, commands in SYSTEM_TOOLS.items() if not any(map(shutil.which, commands))]


def ensure_system_tools() -> None:
    """Install wkhtmltopdf and chromium with apt-get when root, else say once what is missing.

    Without them letters are attached as HTML and the browser tests are skipped.
    """
    missing = missing_system_tools()
    if not missing:
        return
    names = " ".join(missing)
    can_install = hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")
    if not can_install:
        print(
            f"Note: {names} missing (letters fall back to HTML, browser tests are skipped); "
            f"install with: sudo apt-get install -y {names}",
            flush=True,
        )
        return
    log = Path(tempfile.gettempdir()) / "aro-apt.log"
    say(f"installing {names} with apt-get (Debian packages; log: {log})")
    apt_env = dict(ENV, DEBIAN_FRONTEND="noninteractive")
    with open(log, "w") as output:
        for args in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *missing]):
            code = subprocess.run(args, env=apt_env, stdout=output, stderr=subprocess.STDOUT, check=False).returncode
            if code:
                break
    if code or missing_system_tools():
        print(f"WARNING: could not install {names} (apt-get exit {code}); see {log}", flush=True)


# ----------------------------------------------------------------------
# Odoo and PostgreSQL
# ----------------------------------------------------------------------


def find_odoo(python: str = PYTHON, env: dict | None = None, series: tuple[str, ...] = SERIES) -> dict:
    """Series, python and addons folders of the Odoo that python can import.

    Odoo 19's ``odoo`` is a namespace package (no ``__init__.py``, ``odoo.__file__`` is
    None): its folder is the one of ``odoo/release.py``. When ``account`` is not in
    ``odoo/addons`` (source trees), the tree's top-level ``addons`` folder is added.
    """
    env = env or ENV
    probe = (
        "import os, sys, odoo, odoo.release, odoo.addons\n"
        "root = os.path.dirname(os.path.abspath(odoo.release.__file__))\n"
        "paths = [os.path.abspath(p) for p in odoo.addons.__path__]\n"
        "up = os.path.join(os.path.dirname(root), 'addons')\n"
        "has_account = any(os.path.isdir(os.path.join(p, 'account')) for p in paths)\n"
        "if not has_account and os.path.isdir(os.path.join(up, 'account')): paths.append(up)\n"
        "print(odoo.release.major_version); print(root); print(os.pathsep.join(dict.fromkeys(paths)))\n"
    )
    wanted = " or ".join(series)
    try:
        result = subprocess.run([python, "-c", probe], env=env, capture_output=True, text=True, check=False)
    except OSError as error:
        raise Missing(f"{python} cannot be run ({error.strerror})") from error
    if result.returncode:
        lines = result.stderr.strip().splitlines()
        raise Missing(f"Odoo {wanted} is not importable by {python} ({lines[-1] if lines else 'no output'})")
    version, root, paths = result.stdout.strip().splitlines()[-3:]
    if version not in series:
        raise Missing(f"Odoo {version} found at {root}, but Odoo {wanted} was expected")
    addons = [p for p in paths.split(os.pathsep) if p]
    for path in addons:
        if Path(path, ADDON).exists() and Path(path).resolve() != ROOT:
            raise Missing(f"another copy of {ADDON} is installed in {path}: uninstall it to use this clone")
    if not any(Path(p, "account", "__manifest__.py").exists() for p in addons):
        raise Missing(f"Odoo {version} at {root} has no 'account' addon in {addons}")
    return {"series": version, "python": python, "env": env, "root": root, "addons": [*addons, str(ROOT)]}


def find_odoo_19() -> tuple[dict | None, str]:
    """The Odoo 19.0 of ODOO_SRC_19 (run by ODOO_PYTHON_19), or None and why not."""
    source = os.environ.get("ODOO_SRC_19")
    if not source:
        return None, "ODOO_SRC_19 is not set"
    if not Path(source, "odoo", "release.py").is_file():
        return None, f"ODOO_SRC_19={source} is not an Odoo source tree (no odoo/release.py)"
    python = os.environ.get("ODOO_PYTHON_19") or PYTHON
    try:
        return find_odoo(python, with_source(source), ("19.0",)), ""
    except Missing as missing:
        hint = "" if os.environ.get("ODOO_PYTHON_19") else "; set ODOO_PYTHON_19 to the python of its requirements"
        return None, f"ODOO_SRC_19={source}: {missing}{hint}"


def free_port() -> int:
    """A free local TCP port, for the HTTP server of a test run."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def connect_postgres() -> dict:
    """Connection settings of the local PostgreSQL server, for the current OS user."""
    try:
        import psycopg2  # noqa: PLC0415 - installed with Odoo
    except ImportError as error:
        raise Missing("psycopg2 is not installed (it comes with Odoo's requirements)") from error
    user = getpass.getuser()
    if user == "postgres":
        raise Missing("Odoo refuses the 'postgres' role: run as another OS user with a PostgreSQL role")
    errors = []
    for host in (None, "127.0.0.1"):
        try:
            conn = psycopg2.connect(dbname="postgres", user=user, host=host, port=5432, connect_timeout=5)
        except psycopg2.OperationalError as error:
            errors.append(f"{host or 'socket'}: {str(error).strip().splitlines()[0]}")
            continue
        conn.close()
        return {"host": host, "user": user}
    raise Missing("PostgreSQL does not answer for role %r (%s)" % (user, "; ".join(errors)))


class Postgres:
    def __init__(self, settings: dict):
        import psycopg2  # noqa: PLC0415

        self.settings = settings
        self.conn = psycopg2.connect(dbname="postgres", user=settings["user"], host=settings["host"], port=5432)
        self.conn.autocommit = True

    def exists(self, name: str) -> bool:
        with self.conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            return bool(cr.fetchone())

    def execute(self, query: str) -> None:
        with self.conn.cursor() as cr:
            cr.execute(query)

    def drop(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def copy(self, template: str, name: str) -> None:
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

    def rename(self, old: str, new: str) -> None:
        self.execute(f'ALTER DATABASE "{old}" RENAME TO "{new}"')

    def module_state(self, dbname: str, module: str) -> str | None:
        import psycopg2  # noqa: PLC0415

        conn = psycopg2.connect(dbname=dbname, user=self.settings["user"], host=self.settings["host"], port=5432)
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT state FROM ir_module_module WHERE name = %s", (module,))
                row = cr.fetchone()
                return row[0] if row else None
        finally:
            conn.close()


def write_config(odoo: dict, pg: dict, folder: Path, http_port: int | None = None) -> Path:
    """Odoo's configuration file, in the options of the series (19.0 warns about 18.0's)."""
    folder.mkdir(parents=True, exist_ok=True)
    options = {
        "addons_path": ",".join(odoo["addons"]),
        "db_host": pg["host"],  # None: the Unix socket
        "db_port": 5432,
        "db_user": pg["user"],
        # no demo data: "all" on 18.0, a boolean since 19.0
        "without_demo": "all" if odoo["series"] == "18.0" else "True",
        "data_dir": folder / "data",
        "list_db": "False",
    }
    if http_port:  # the tests' own server
        options["http_port"] = http_port
    config = folder / "odoo.conf"
    lines = [f"{key} = {value}" for key, value in options.items() if value is not None]
    config.write_text("\n".join(["[options]", *lines, ""]))
    return config


def odoo_cmd(odoo: dict, config: Path, *args: str, subcommand: str = "server") -> list[str]:
    return [odoo["python"], "-m", "odoo", subcommand, "-c", str(config), *args]


def ensure_template(odoo: dict, pg: Postgres, config: Path, out: Output = TERMINAL) -> str:
    """A database with ``account`` installed, copied for each run (rebuilt when missing)."""
    key = hashlib.sha1(
        (Path(odoo["root"], "release.py").read_text() + "|".join(odoo["addons"][:-1])).encode()
    ).hexdigest()[:10]
    template = f"aro_tpl_account_{key}"
    if pg.exists(template):
        return template
    building = f"{template}_build_{os.getpid()}"
    say(f"building the template database {template} (Odoo {odoo['series']} 'account', about a minute, done once)", out)
    try:
        code = run(
            odoo_cmd(odoo, config, "-d", building, "-i", "account", "--stop-after-init", "--log-level=warn"),
            odoo["env"],
            out,
        )
        if code or pg.module_state(building, "account") != "installed":
            raise SystemExit(f"ERROR: installing Odoo's 'account' module in {building} failed")
        if pg.exists(template):  # another run built it meanwhile
            pg.drop(building)
        else:
            pg.rename(building, template)
    except BaseException:
        pg.drop(building)
        raise
    return template


def install_addon(odoo: dict, pg: Postgres, config: Path, template: str, dbname: str, *, out: Output = TERMINAL):
    pg.drop(dbname)
    pg.copy(template, dbname)
    args = odoo_cmd(odoo, config, "-d", dbname, "-i", ADDON, "--stop-after-init", "--log-level=warn")
    code = run(args, odoo["env"], out)
    state = pg.module_state(dbname, ADDON)
    if code or state != "installed":
        raise SystemExit(f"ERROR: installing {ADDON} in {dbname} failed (exit {code}, module state {state})")


# ----------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------


def odoo_suite(odoo: dict, pg_settings: dict, out: Output = TERMINAL) -> tuple[int, str]:
    """The Odoo suite on one series, in its own database copied from its own template."""
    pg = Postgres(pg_settings)
    series = odoo["series"].replace(".", "")
    dbname = f"aro_test_{series}_{time.strftime('%Y%m%d%H%M%S')}_{os.getpid()}"
    say(f"Odoo {odoo['series']} suite ({odoo['root']})", out)
    with tempfile.TemporaryDirectory(prefix=f"aro-test-{series}-") as folder:
        config = write_config(odoo, pg_settings, Path(folder), http_port=free_port())
        try:
            template = ensure_template(odoo, pg, config, out)
            install_addon(odoo, pg, config, template, dbname, out=out)
            return run_pytest(
                [
                    odoo["python"],
                    "-m",
                    "pytest",
                    "-p",
                    "no:cacheprovider",
                    f"--odoo-database={dbname}",
                    f"--odoo-config={config}",
                    "--odoo-log-level=warn",
                    # HttpCase tests (RPC, browser tours) need Odoo's HTTP server
                    "--odoo-http",
                    f"{ADDON}/tests",
                ],
                odoo["env"],
                out,
            )
        except SystemExit as error:
            out.line(str(error))
            return 1, str(error).removeprefix("ERROR: ")
        finally:
            pg.drop(dbname)
            say(f"dropped {dbname}", out)


class Failed(Exception):
    """The test command cannot run what it must run."""


def odoos_to_test(require: bool) -> tuple[list[dict], list[str], dict | None]:
    """The Odoo of each series to test, the notes about those not run, the PostgreSQL settings.

    The main Odoo (importable, or ODOO_SRC) first, then the 19.0 tree of ODOO_SRC_19.
    With ``require``, a missing Odoo 18.0 or PostgreSQL raises Failed.
    """
    odoos, notes = [], []
    try:
        main_odoo = find_odoo()
    except Missing as missing:
        if require:
            raise Failed(f"the Odoo 18.0 suite cannot run: {missing} (ARO_REQUIRE_ODOO=1)") from missing
        notes.append(f"Odoo suite skipped: {missing}.")
    else:
        if require and main_odoo["series"] != "18.0":
            raise Failed(f"ARO_REQUIRE_ODOO=1 needs Odoo 18.0, found {main_odoo['series']} at {main_odoo['root']}")
        odoos.append(main_odoo)
    odoo_19, why_not = find_odoo_19()
    if odoo_19 and any(o["series"] == "19.0" and o["root"] == odoo_19["root"] for o in odoos):
        pass  # ODOO_SRC is this very tree: its suite runs once
    elif odoo_19:
        odoos.append(odoo_19)
        if odoo_19["python"] != PYTHON:
            reason = pip_install("requirements-dev.txt", odoo_19["python"], odoo_19["env"])
            if reason:
                print(f"Note: the tools were not installed into {odoo_19['python']} ({reason})", flush=True)
    elif not any(o["series"] == "19.0" for o in odoos):
        notes.append(f"Odoo 19.0 suite not run: {why_not}.")
    if not odoos:
        return odoos, notes, None
    try:
        pg_settings = connect_postgres()
    except Missing as missing:
        if require:
            raise Failed(f"the Odoo suite cannot run: {missing} (ARO_REQUIRE_ODOO=1)") from missing
        return [], [f"Odoo suite skipped: {missing}."], None
    ensure_system_tools()
    return odoos, notes, pg_settings


def run_suites(odoos: list[dict], pg_settings: dict) -> list[tuple[str, int, str]]:
    """``(series, exit code, summary)`` of the Odoo suite of each series.

    With two series and two cores or more, both suites run at the same time (each in its
    own database, server port and browser), their lines behind ``[18.0]`` / ``[19.0]``:
    the suites spend most of their time in one Python process each. ``ARO_SERIAL=1`` runs
    them one after the other.
    """
    if len(odoos) < 2 or (os.cpu_count() or 1) < 2 or ENV.get("ARO_SERIAL") == "1":
        return [(odoo["series"], *odoo_suite(odoo, pg_settings)) for odoo in odoos]
    say(f"the Odoo suites of {' and '.join(o['series'] for o in odoos)} run side by side (ARO_SERIAL=1: one by one)")
    results = {}

    def suite(odoo: dict) -> None:
        out = Output(f"[{odoo['series']}] ")
        try:
            results[odoo["series"]] = odoo_suite(odoo, pg_settings, out)
        except Exception as error:  # reported as this series' failure, the other goes on
            out.line(f"ERROR: {error!r}")
            results[odoo["series"]] = (1, f"error: {error}")

    threads = [threading.Thread(target=suite, args=(odoo,)) for odoo in odoos]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [(odoo["series"], *results[odoo["series"]]) for odoo in odoos]


def command_test() -> int:
    pip_install_or_exit("requirements-dev.txt")
    steps = [
        [PYTHON, "-m", "ruff", "check", "."],
        [PYTHON, "-m", "ruff", "format", "--check", "."],
        [PYTHON, "-m", "pylint", "--rcfile=.pylintrc", ADDON],
        [PYTHON, "-m", "pytest", "-p", "no:odoo", "-p", "no:cacheprovider", "tests"],
    ]
    for step in steps:
        code = run(step)
        if code:
            print(f"FAILED: {' '.join(step[2:])} (exit {code})")
            return code

    try:
        odoos, notes, pg_settings = odoos_to_test(require=ENV.get("ARO_REQUIRE_ODOO") == "1")
    except Failed as failed:
        print(f"FAILED: {failed}")
        return 1
    results = run_suites(odoos, pg_settings)
    print()
    for series, code, summary in results:
        print(f"Odoo {series}: {summary}" + (f"  FAILED (exit {code})" if code else ""))
    for note in notes:
        print(note)
    failed = [series for series, code, _summary in results if code]
    if failed:
        print(f"FAILED: the Odoo suite on {', '.join(failed)}")
        return 1
    return 0


#: the demo's users: login, role (password: DEMO_PASSWORD; admin's is admin)
DEMO_USERS = [
    ("manager", "Credit Manager and accounting manager (French)"),
    ("controller", "Credit Controller, the collector (French)"),
    ("billing", "billing user"),
    ("salesperson", "salesperson"),
]
DEMO_PASSWORD = "demo"
#: Odoo's lines that say nothing to the person running the demo
DEMO_NOISE = ("Running as user 'root' is a security risk",)


class Clock:
    """Prints one line per step of the demo with the time elapsed since the start."""

    def __init__(self):
        self.start = time.monotonic()

    def step(self, message: str) -> None:
        elapsed = int(time.monotonic() - self.start)
        print(f"[{elapsed // 60:2d}:{elapsed % 60:02d}] {message}", flush=True)

    @staticmethod
    def cpu() -> float:
        """CPU seconds of the commands run so far (Odoo's install and the generation; not PostgreSQL's)."""
        times = os.times()
        return times.children_user + times.children_system


def run_quiet(args: list[str], env: dict, log: Path, stdin=None, on_line=None) -> int:
    """Run a command with its output in ``log``; lines starting with ``[demo] `` go to ``on_line``.

    The caller shows the end of the log when the command fails.
    """
    with open(log, "a") as output:
        output.write("$ " + " ".join(str(a) for a in args) + "\n")
        with subprocess.Popen(
            args, cwd=ROOT, env=env, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as process:
            for line in process.stdout:
                output.write(line)
                if on_line and line.startswith("[demo] "):
                    on_line(line[len("[demo] ") :].rstrip())
    return process.returncode


def show_log_tail(log: Path, lines: int = 30) -> None:
    tail = [line for line in log.read_text().splitlines() if not any(noise in line for noise in DEMO_NOISE)]
    print("\n".join(tail[-lines:]))
    print(f"(full log: {log})")


def command_demo(serve: bool = True) -> int:
    clock = Clock()
    clock.step("checking Python packages, Odoo and PostgreSQL")
    reason = None if requirements_met("requirements.txt") else pip_install("requirements.txt", quiet=True)
    if reason:
        print(f"ERROR: could not install the Python packages of requirements.txt ({reason}).")
        return 1
    try:
        odoo = find_odoo()
        pg_settings = connect_postgres()
    except Missing as missing:
        print(f"ERROR: {missing}.")
        return 1
    if not shutil.which("wkhtmltopdf"):
        print(
            "Note: wkhtmltopdf is missing: dunning letters are attached as HTML instead of PDF; "
            "install it with: sudo apt-get install -y wkhtmltopdf",
            flush=True,
        )
    pg = Postgres(pg_settings)
    dbname = ENV.get("ARO_DEMO_DB", "aro_demo")
    port = ENV.get("ARO_HTTP_PORT", "8069")
    folder = ROOT / ".aro"
    folder.mkdir(exist_ok=True)
    # one folder per series: the data_dir (filestore) of one series is not the other's
    config = write_config(odoo, pg_settings, folder / odoo["series"])
    log = folder / odoo["series"] / "demo.log"
    log.write_text("")
    clock.step(f"Odoo {odoo['series']} ({odoo['root']}); log: {log}")
    template = ensure_template(odoo, pg, config)
    clock.step(f"installing {ADDON} and the French language into the database {dbname}")
    pg.drop(dbname)
    pg.copy(template, dbname)
    install = odoo_cmd(
        odoo, config, "-d", dbname, "-i", ADDON, "--load-language=fr_FR", "--stop-after-init", "--log-level=warn"
    )
    code = run_quiet(install, odoo["env"], log)
    state = pg.module_state(dbname, ADDON)
    if code or state != "installed":
        show_log_tail(log)
        print(f"ERROR: installing {ADDON} in {dbname} failed (exit {code}, module state {state})")
        return 1
    size = f"{ENV.get('ARO_DEMO_CUSTOMERS', '80')} customers, {ENV.get('ARO_DEMO_MONTHS', '24')} months"
    clock.step(f"generating the receivables ({size}: invoices, payments, the nightly jobs night by night)")
    with open(ROOT / "scripts" / "demo_data.py", "rb") as script:
        code = run_quiet(
            odoo_cmd(odoo, config, "-d", dbname, "--no-http", "--log-level=warn", subcommand="shell"),
            odoo["env"],
            log,
            stdin=script,
            on_line=lambda line: clock.step(f"  {line}"),
        )
    if code:
        show_log_tail(log)
        print(f"ERROR: generating the demo data failed (exit {code})")
        return code
    clock.step(f"demo database {dbname} built (Odoo's CPU time: {clock.cpu():.0f} s)")
    if not serve:
        return 0
    clock.step(f"serving Odoo {odoo['series']} on http://localhost:{port}  (database {dbname})")
    print("\nLog in as (Ctrl+C stops the server):")
    print("  admin       / admin      administrator")
    for login, role in DEMO_USERS:
        print(f"  {login:<11} / {DEMO_PASSWORD:<10} {role}")
    print(flush=True)
    args = odoo_cmd(odoo, config, "-d", dbname, f"--http-port={port}", f"--db-filter=^{dbname}$", "--log-level=warn")
    os.chdir(ROOT)
    os.execvpe(args[0], args, ENV)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["test", "demo"])
    parser.add_argument(
        "--no-serve", action="store_true", help="demo: build the database, then stop instead of serving it"
    )
    options = parser.parse_args()
    command = options.command
    if shutil.which(PYTHON) is None and not Path(PYTHON).exists():
        print(f"ERROR: {PYTHON} not found")
        return 1
    return command_test() if command == "test" else command_demo(serve=not options.no_serve)


if __name__ == "__main__":
    sys.exit(main())
