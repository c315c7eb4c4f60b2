"""Finite and in range: the bounds of the numbers and dates users type.

The models list their bounded fields as ``{field name: (low, high)}`` in
``_ar_limits`` and inherit ``ar.bounded.mixin`` (``ar_bounded_mixin.py``),
which checks them twice with the same message (``res.partner`` and the
settings call these functions themselves):

- in ``create`` and ``write``, on the values, before Odoo rounds them into
  its cache or inserts them: NaN, infinities, text and numbers too large
  to store (NaN and infinities crash the rounding, integers beyond 2^31
  the database, before any constraint runs);
- in an ``@api.constrains`` method named ``_check_within_bounds``, on the
  records, for every value outside ``(low, high)``. Constraints run in the
  order of their names: the models' specific checks (``_check_weights``,
  ``_check_thresholds``...) run first and give their more precise advice.

The bounds themselves are in ``lib/ar_core/bounds.py``.
"""

from odoo import fields
from odoo.exceptions import ValidationError

from ..lib.ar_core import bounds

#: Largest integer PostgreSQL stores in an Integer field.
INT4_MAX = 2**31 - 1


def _model_name(model):
    return model.env["ir.model"]._get(model._name).name or model._description


def _number(value):
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _refuse(model, label, fname, value, limit):
    low, high = limit
    field = model._fields[fname]
    raise ValidationError(
        model.env._(
            "%(field)s of %(record)s must be a number from %(low)s to %(high)s, not %(value)s.",
            field=field._description_string(model.env),
            record=label,
            low=_number(low),
            high=_number(high),
            value=value,
        )
    )


def check_vals(model, vals_list, limits):
    """Refuse values of ``limits`` fields that could not be stored, in ``vals_list`` (dicts of create or write).

    Finite numbers that can be stored are left to the constraints.
    """
    for vals in vals_list:
        for fname, (low, high) in limits.items():
            if fname not in vals:
                continue
            cap = INT4_MAX if model._fields[fname].type == "integer" else bounds.MAX_AMOUNT
            if not bounds.within(vals[fname], -cap, cap):
                label = ", ".join(model.mapped("display_name")) if model else _model_name(model)
                _refuse(model, label, fname, vals[fname], (low, high))


def check_records(records, limits):
    """Refuse records whose ``limits`` fields are out of bounds (for ``@api.constrains``)."""
    for record in records:
        for fname, (low, high) in limits.items():
            if not bounds.within(record[fname], low, high):
                _refuse(record, record.display_name, fname, record[fname], (low, high))


def check_date(record, fname, low, high):
    """Refuse ``record[fname]`` (a date) outside ``[low, high]``; empty is fine."""
    value = record[fname]
    if not bounds.date_within(value, low, high):
        raise ValidationError(
            record.env._(
                "%(field)s of %(record)s must be between %(low)s and %(high)s, not %(value)s.",
                field=record._fields[fname]._description_string(record.env),
                record=record.display_name,
                low=fields.Date.to_string(low),
                high=fields.Date.to_string(high),
                value=fields.Date.to_string(value),
            )
        )


def check_name(record, fname="name"):
    """Refuse an empty or blank name."""
    if not (record[fname] or "").strip():
        raise ValidationError(
            record.env._(
                "%(field)s of the %(model)s cannot be empty or blank: type a name.",
                field=record._fields[fname]._description_string(record.env),
                model=_model_name(record),
            )
        )
