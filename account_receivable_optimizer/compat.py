"""Differences between the Odoo series the addon runs on (18.0 and 19.0).

The rest of the addon goes through these helpers wherever the two series
differ, so that one tree installs on both. Each helper tests for the feature
it needs (a field, a model) rather than for a version number, and each says
which series it concerns.
"""

from odoo import release

#: The major version of the running server, e.g. 18 or 19.
SERIES = release.version_info[0]

#: xmlid of the privilege the module's groups belong to on 19.0 (none on 18.0).
PRIVILEGE_XMLID = "account_receivable_optimizer.res_groups_privilege_credit_control"


def groups_field(model):
    """Name of the "groups" many2many of ``model`` (a recordset or model).

    19.0 renamed ``groups_id`` to ``group_ids`` on res.users, ir.actions.*
    and ir.ui.menu; 18.0 has ``groups_id``.
    """
    return "group_ids" if "group_ids" in model._fields else "groups_id"


def link_groups(records, groups):
    """Add ``groups`` to the groups of ``records`` (users, actions, menus)."""
    records.write({groups_field(records): [(4, group.id) for group in groups]})


def group_users(group):
    """Users of ``group``, with those of the groups that imply it.

    18.0: ``users`` (implied groups are written onto the users). 19.0: ``users``
    is gone; ``user_ids`` holds the explicit members, ``all_user_ids`` all of them.
    """
    if "all_user_ids" in group._fields:
        return group.all_user_ids
    return group.users


def set_groups_category(groups, category, sequence=None):
    """File ``groups`` under the application ``category`` of the user form.

    18.0: res.groups has ``category_id``. 19.0: it has ``privilege_id`` instead,
    a res.groups.privilege that belongs to the category; the module owns one
    (PRIVILEGE_XMLID), named after the category.
    """
    if "category_id" in groups._fields:
        groups.write({"category_id": category.id})
        return
    values = {"name": category.name, "description": category.description, "category_id": category.id}
    if sequence is not None:
        values["sequence"] = sequence
    privilege = groups.env["res.groups.privilege"]._load_records(
        [{"xml_id": PRIVILEGE_XMLID, "values": values, "noupdate": False}]
    )
    groups.write({"privilege_id": privilege.id})


def group_category(group):
    """The application category ``group`` is filed under (18.0 and 19.0)."""
    if "category_id" in group._fields:
        return group.category_id
    return group.privilege_id.category_id
