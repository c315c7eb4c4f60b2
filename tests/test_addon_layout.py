"""The addon's Odoo tests are all reachable by Odoo's own test runner."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "account_receivable_optimizer" / "tests"


def imported_modules(init: Path) -> set[str]:
    names = set()
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is None:
            names.update(alias.name for alias in node.names)
    return names


def test_every_odoo_test_module_is_imported_by_the_tests_package():
    # ``odoo-bin --test-enable`` only runs the modules the package imports; pytest-odoo finds
    # the files by name. A file missing here passes CI and never runs for a user.
    files = {path.stem for path in TESTS.glob("test_*.py")}
    assert files, TESTS
    assert sorted(files - imported_modules(TESTS / "__init__.py")) == []
