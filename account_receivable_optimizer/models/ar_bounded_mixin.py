from odoo import api, models

from . import ar_limits


class ArBoundedMixin(models.AbstractModel):
    """Numbers users type kept finite and within bounds, on create, write and as a constraint.

    A model inherits it and names its bounded fields in ``_ar_limits``
    (``{field name: (low, high)}``, the bounds of ``lib/ar_core/bounds.py``):
    the values are refused before Odoo rounds or stores them (NaN, infinities,
    numbers too large for the column), and the records are checked by the
    ``_check_within_bounds`` constraint on every create and write of those
    fields (see ``ar_limits``).
    """

    _name = "ar.bounded.mixin"
    _description = "Bounded Numbers Mixin"

    #: ``{field name: (low, high)}`` of the inheriting model
    _ar_limits = {}

    @api.constrains(lambda self: tuple(self._ar_limits))
    def _check_within_bounds(self):
        ar_limits.check_records(self, self._ar_limits)

    @api.model_create_multi
    def create(self, vals_list):
        ar_limits.check_vals(self, vals_list, self._ar_limits)
        return super().create(vals_list)

    def write(self, vals):
        ar_limits.check_vals(self, [vals], self._ar_limits)
        return super().write(vals)
