"""The core must import without Odoo."""

import subprocess
import sys
from pathlib import Path

LIB = Path(__file__).resolve().parents[1] / "account_receivable_optimizer" / "lib"


def test_importing_the_core_leaves_odoo_out():
    # A fresh interpreter: pytest plugins of this process may have imported odoo.
    code = (
        "import sys; sys.path.insert(0, %r);"
        "import ar_core, ar_core.aging, ar_core.exposure, ar_core.risk, ar_core.kpi, ar_core.forecast,"
        " ar_core.dunning, ar_core.discount, ar_core.bounds;"
        "bad = sorted(m for m in sys.modules if m == 'odoo' or m.startswith('odoo.'));"
        "print(bad); sys.exit(1 if bad else 0)"
    ) % str(LIB)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "[]"


def test_core_sources_never_mention_odoo_imports():
    for path in (LIB / "ar_core").glob("*.py"):
        text = path.read_text()
        assert "import odoo" not in text and "from odoo" not in text, path
