# The demo data of "python3 scripts/aro.py demo", run inside "odoo shell" (``env`` is given).
# The generator lives in the addon (account_receivable_optimizer/demo/generator.py) so that the
# Odoo test suite runs it too. Sizes: ARO_DEMO_CUSTOMERS (80) and ARO_DEMO_MONTHS (24).
# ruff: noqa: F821
import os

from odoo.addons.account_receivable_optimizer.demo import generator

demo = generator.generate(
    env,
    customers=int(os.environ.get("ARO_DEMO_CUSTOMERS", "80")),
    months=int(os.environ.get("ARO_DEMO_MONTHS", "24")),
    progress=lambda message: print(f"[demo] {message}", flush=True),
)
env.cr.commit()
print(generator.summary(demo), flush=True)
