from odoo import Command, api, models
from odoo.exceptions import AccessError


def check_allowed_companies(env, companies, what):
    """Refuse to work on ``companies`` that are not among the user's active companies.

    The module reads receivables with SQL, past the record rules: every
    wizard and report checks its companies with this first. Only the user's
    companies count (``env.companies`` is checked against them by Odoo),
    never a context key; the superuser (crons, the module's own code) may
    work on any company.

    :param what: what the user asked for, for the message: a text, or a model (its name)
    """
    if env.su:
        return
    foreign = companies - env.companies
    if foreign:
        if isinstance(what, models.BaseModel):
            what = env["ir.model"].sudo()._get(what._name).name
        raise AccessError(
            env._(
                "You cannot see or run %(what)s of %(companies)s: select the company in the company switcher "
                "if you have access to it.",
                what=what,
                companies=", ".join(foreign.sudo().mapped("name")),
            )
        )


def changed_fields(records, vals, names):
    """The fields of ``names`` in ``vals`` whose value differs on one of ``records``.

    Writing the value a record already has changes nothing (a client
    sending back a read-only value, a partner merge): it is not refused.
    """
    changed = set()
    for name in set(vals) & set(names):
        field = records._fields[name]
        if field.type in ("one2many", "many2many"):
            if any(_x2many_ids(record.sudo(), name, vals[name]) != set(record.sudo()[name].ids) for record in records):
                changed.add(name)
            continue
        new = field.convert_to_cache(vals[name], records)
        if any(field.convert_to_cache(record.sudo()[name], record) != new for record in records):
            changed.add(name)
    return changed


def _x2many_ids(record, name, commands):
    """The ids ``commands`` leave in ``record[name]``; ``None`` when they create, update or delete lines."""
    ids = set(record[name].ids)
    for command in commands:
        if not isinstance(command, (list, tuple)):
            return None
        if command[0] == Command.SET:
            ids = set(command[2])
        elif command[0] == Command.LINK:
            ids.add(command[1])
        elif command[0] == Command.UNLINK:
            ids.discard(command[1])
        elif command[0] == Command.CLEAR:
            ids = set()
        else:
            return None
    return ids


class ArProtectedFieldsMixin(models.AbstractModel):
    """Fields that only the module's own code writes, as superuser.

    A model lists them in ``_ar_protected_fields``; a user may create a
    record with their initial values (``_ar_protected_create_values``) but
    never change them: neither a group nor a context key unlocks them.
    """

    _name = "ar.protected.fields.mixin"
    _description = "Fields Set by the Credit Control Only"

    #: Names of the fields only the module's code writes.
    _ar_protected_fields = ()
    #: Names of the fields a user sets when creating a record, never after.
    _ar_frozen_fields = ()

    def _ar_protected_create_values(self):
        """The values a user may create a record with (the defaults): ``{field: value}``."""
        return {}

    def _ar_check_protected_fields(self, vals, create=False):
        if self.env.su:
            return
        if create:
            allowed = self._ar_protected_create_values()
            names = {
                name
                for name in set(vals) & set(self._ar_protected_fields)
                if vals[name]
                and self._fields[name].convert_to_cache(vals[name], self)
                != self._fields[name].convert_to_cache(allowed.get(name, False), self)
            }
        else:
            names = changed_fields(self, vals, self._ar_protected_fields)
        if names:
            raise AccessError(
                self.env._(
                    "%(fields)s of %(model)s are set by the credit control itself and cannot be changed by hand.",
                    fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in names)),
                    model=self.env["ir.model"].sudo()._get(self._name).name,
                )
            )
        frozen = set() if create else changed_fields(self, vals, self._ar_frozen_fields)
        if frozen:
            raise AccessError(
                self.env._(
                    "%(fields)s of %(model)s cannot be changed once recorded: record a new one.",
                    fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in frozen)),
                    model=self.env["ir.model"].sudo()._get(self._name).name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._ar_check_protected_fields(vals, create=True)
        return super().create(vals_list)

    def write(self, vals):
        self._ar_check_protected_fields(vals)
        return super().write(vals)
