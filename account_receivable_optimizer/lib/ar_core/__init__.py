"""Pure-Python receivables formulas (standard library only).

Every number the addon shows about receivables (aging, exposure, credit
checks, risk scores, dunning, DSO and collection KPIs, the collection forecast,
early-payment discounts) is computed here. The Odoo models only gather rows
with SQL or the ORM and hand them to these functions.

This package must never import ``odoo``.
"""

from . import aging, bounds, discount, dunning, exposure, forecast, kpi, late_charges, payment_plan, risk

__all__ = ["aging", "bounds", "discount", "dunning", "exposure", "forecast", "kpi", "late_charges", "risk"]
