#!/usr/bin/env python3
"""Set up and run the project: ``aro.py test`` (every test) or ``aro.py demo``.

Odoo 18 is found as an importable ``odoo`` package, or through ``ODOO_SRC``
(the path of an Odoo 18.0 source tree). PostgreSQL is the local server
(Unix socket, else 127.0.0.1), used with the current OS user's role.

Environment:
    ODOO_SRC            path of an Odoo 18.0 source tree (when odoo is not importable)
    ARO_REQUIRE_ODOO=1  a missing Odoo or PostgreSQL fails the test command instead of
                        skipping the Odoo suite
    ARO_SKIP_PIP=1      do not install the Python tools (ruff, pytest...) first
    ARO_DEMO_DB         database of the demo (default: aro_demo)
    ARO_HTTP_PORT       port of the demo server (default: 8069)
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = "account_receivable_optimizer"
PYTHON = sys.executable
ENV = dict(os.environ)
if ENV.get("ODOO_SRC"):
    ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [ENV["ODOO_SRC"], ENV.get("PYTHONPATH")]))


class Missing(Exception):
    """Something the command needs is not on this machine."""


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(args: list[str], **kwargs) -> int:
    say(" ".join(str(a) for a in args))
    return subprocess.run(args, cwd=ROOT, env=ENV, check=False, **kwargs).returncode


def pip_install(requirements: str) -> None:
    if ENV.get("ARO_SKIP_PIP") == "1":
        return
    code = run([PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements])
    if code:
        raise SystemExit(f"ERROR: could not install the Python packages of {requirements} (pip exit {code}).")


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


def find_odoo() -> dict:
    """Version and addons folders of the Odoo that python can import."""
    probe = (
        "import os, sys, odoo, odoo.release, odoo.addons\n"
        "root = os.path.dirname(os.path.abspath(odoo.__file__))\n"
        "paths = [os.path.abspath(p) for p in odoo.addons.__path__]\n"
        "up = os.path.join(os.path.dirname(root), 'addons')\n"
        "has_account = any(os.path.isdir(os.path.join(p, 'account')) for p in paths)\n"
        "if not has_account and os.path.isdir(os.path.join(up, 'account')): paths.append(up)\n"
        "print(odoo.release.version_info[0]); print(root); print(os.pathsep.join(dict.fromkeys(paths)))\n"
    )
    result = subprocess.run([PYTHON, "-c", probe], env=ENV, capture_output=True, text=True, check=False)
    if result.returncode:
        where = f"ODOO_SRC={ENV['ODOO_SRC']}" if ENV.get("ODOO_SRC") else "python3"
        raise Missing(f"Odoo 18 is not importable ({where}: no module named odoo); set ODOO_SRC to an Odoo 18.0 tree")
    version, root, paths = result.stdout.strip().splitlines()[-3:]
    if version != "18":
        raise Missing(f"Odoo {version} found at {root}, but this addon needs Odoo 18.0")
    addons = [p for p in paths.split(os.pathsep) if p]
    for path in addons:
        if Path(path, ADDON).exists() and Path(path).resolve() != ROOT:
            raise Missing(f"another copy of {ADDON} is installed in {path}: uninstall it to use this clone")
    if not any(Path(p, "account", "__manifest__.py").exists() for p in addons):
        raise Missing(f"Odoo 18 at {root} has no 'account' addon in {addons}")
    return {"root": root, "addons": [*addons, str(ROOT)]}


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


def write_config(odoo: dict, pg: dict, folder: Path) -> Path:
    config = folder / "odoo.conf"
    config.write_text(
        "[options]\n"
        f"addons_path = {','.join(odoo['addons'])}\n"
        f"db_host = {pg['host'] or 'False'}\n"
        "db_port = 5432\n"
        f"db_user = {pg['user']}\n"
        "db_password = False\n"
        "without_demo = all\n"
        f"data_dir = {folder / 'data'}\n"
        "list_db = False\n"
    )
    return config


def odoo_cmd(config: Path, *args: str, subcommand: str = "server") -> list[str]:
    return [PYTHON, "-m", "odoo", subcommand, "-c", str(config), *args]


def ensure_template(odoo: dict, pg: Postgres, config: Path) -> str:
    """A database with ``account`` installed, copied for each run (rebuilt when missing)."""
    key = hashlib.sha1(
        (Path(odoo["root"], "release.py").read_text() + "|".join(odoo["addons"][:-1])).encode()
    ).hexdigest()[:10]
    template = f"aro_tpl_account_{key}"
    if pg.exists(template):
        return template
    building = f"{template}_build_{os.getpid()}"
    say(f"building the template database {template} (Odoo 'account', about a minute, done once)")
    try:
        code = run(odoo_cmd(config, "-d", building, "-i", "account", "--stop-after-init", "--log-level=warn"))
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


def install_addon(pg: Postgres, config: Path, template: str, dbname: str) -> None:
    pg.drop(dbname)
    pg.copy(template, dbname)
    code = run(odoo_cmd(config, "-d", dbname, "-i", ADDON, "--stop-after-init", "--log-level=warn"))
    state = pg.module_state(dbname, ADDON)
    if code or state != "installed":
        raise SystemExit(f"ERROR: installing {ADDON} in {dbname} failed (exit {code}, module state {state})")


# ----------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------


def command_test() -> int:
    pip_install("requirements-dev.txt")
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

    require = ENV.get("ARO_REQUIRE_ODOO") == "1"
    try:
        odoo = find_odoo()
        pg_settings = connect_postgres()
    except Missing as missing:
        if require:
            print(f"FAILED: the Odoo suite cannot run: {missing} (ARO_REQUIRE_ODOO=1)")
            return 1
        print(f"Odoo suite skipped: {missing}.")
        return 0

    ensure_system_tools()
    pg = Postgres(pg_settings)
    dbname = f"aro_test_{time.strftime('%Y%m%d%H%M%S')}_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="aro-test-") as folder:
        config = write_config(odoo, pg_settings, Path(folder))
        template = ensure_template(odoo, pg, config)
        try:
            install_addon(pg, config, template, dbname)
            code = run(
                [
                    PYTHON,
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
                ]
            )
        finally:
            pg.drop(dbname)
            say(f"dropped {dbname}")
    if code:
        print(f"FAILED: the Odoo suite (exit {code})")
    return code


def command_demo() -> int:
    pip_install("requirements.txt")
    try:
        odoo = find_odoo()
        pg_settings = connect_postgres()
    except Missing as missing:
        print(f"ERROR: {missing}.")
        return 1
    ensure_system_tools()
    pg = Postgres(pg_settings)
    dbname = ENV.get("ARO_DEMO_DB", "aro_demo")
    port = ENV.get("ARO_HTTP_PORT", "8069")
    folder = ROOT / ".aro"
    folder.mkdir(exist_ok=True)
    config = write_config(odoo, pg_settings, folder)
    template = ensure_template(odoo, pg, config)
    install_addon(pg, config, template, dbname)
    with open(ROOT / "scripts" / "demo_data.py", "rb") as script:
        code = run(odoo_cmd(config, "-d", dbname, "--no-http", "--log-level=warn", subcommand="shell"), stdin=script)
    if code:
        print(f"ERROR: generating the demo data failed (exit {code})")
        return code
    print(f"\nOdoo is starting on http://localhost:{port}  (database {dbname})")
    print("Log in with: admin / admin   (Ctrl+C stops the server)\n", flush=True)
    args = odoo_cmd(config, "-d", dbname, f"--http-port={port}", f"--db-filter=^{dbname}$", "--log-level=warn")
    os.chdir(ROOT)
    os.execvpe(args[0], args, ENV)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["test", "demo"])
    command = parser.parse_args().command
    if shutil.which(PYTHON) is None and not Path(PYTHON).exists():
        print(f"ERROR: {PYTHON} not found")
        return 1
    return command_test() if command == "test" else command_demo()


if __name__ == "__main__":
    sys.exit(main())
