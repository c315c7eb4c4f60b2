"""Pure-Python receivables formulas (standard library only).

Every number the addon shows about receivables (aging, exposure, credit
checks, risk scores, dunning) is computed here. The Odoo models only gather rows
with SQL or the ORM and hand them to these functions.

This package must never import ``odoo``.
"""

from . import aging, dunning, exposure, risk

__all__ = ["aging", "dunning", "exposure", "risk"]
