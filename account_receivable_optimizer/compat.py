"""Differences between the Odoo series the addon runs on (18.0 and 19.0).

The rest of the addon goes through these helpers wherever the two series
differ, so that one tree installs on both. Each helper says which series it
concerns; it tests for the field or model it needs where one tells the series
apart, else for the series number.

Differences handled where they are, each with a comment naming the series:

- security/ar_security.xml: the
  groups' category and the users' and actions' groups are set through
  res.groups methods (models/res_groups.py) that call this module;
- views/account_move_views.xml: the invoice credit warning has its own div
  on 18.0, is one of the move's alerts on 19.0;
- models/mail_mail.py: 19.0 added an argument to _postprocess_sent_message;
- data/ar_insurance_data.xml: the activity types' ``keep_done`` is set by the
  post-init hook through keep_done_activities.
- report/ar_kpi_fact.py: 19.0's pivot reads its levels through
  ``_read_grouping_sets``, not ``_read_group``, which the ratios override;
- report/ar_forecast_report_line.py: 19.0's web client labels groups through
  ``_web_read_group_groupby_formatter``, 18.0's through ``read_group``.
"""

from odoo import models, release
from odoo.tools import SQL

#: The major version of the running server, e.g. 18 or 19.
SERIES = release.version_info[0]

#: Type of the routes called by the web client's JSON-RPC: ``json`` on 18.0, ``jsonrpc``
#: since 19.0 (where ``json`` is a deprecated alias).
JSON_ROUTE = "jsonrpc" if SERIES >= 19 else "json"

if SERIES >= 19:
    #: 19.0 declares each SQL constraint as a ``models.Constraint`` class attribute
    #: (named ``_<key>``) and ignores ``_sql_constraints``, with a warning.
    Constraint = models.Constraint
else:

    class Constraint:
        """18.0 stand-in for 19.0's ``models.Constraint``: declared the same way, as a class
        attribute ``_<key> = Constraint(definition, message)``, it adds ``(key, definition,
        message)`` to the class's ``_sql_constraints``, which 18.0 reads."""

        def __init__(self, definition, message=""):
            self.definition = definition
            self.message = message

        def __set_name__(self, owner, name):
            constraints = list(owner.__dict__.get("_sql_constraints", ()))
            constraints.append((name.removeprefix("_"), self.definition, self.message))
            owner._sql_constraints = constraints


#: The domain leaf that is always true, ``(1, "=", 1)`` on both series: 18.0 names it
#: ``odoo.osv.expression.TRUE_LEAF``; 19.0 deprecated ``odoo.osv`` (a warning when imported).
TRUE_LEAF = (1, "=", 1)

#: xmlid of the privilege the module's groups belong to on 19.0 (none on 18.0).
PRIVILEGE_XMLID = "account_receivable_optimizer.res_groups_privilege_credit_control"


def sms_number(partner):
    """The number to text ``partner`` at: the mobile, else the phone.

    18.0: res.partner has ``mobile`` and ``phone``. 19.0 dropped ``mobile``.
    """
    mobile = partner.mobile if "mobile" in partner._fields else False
    return mobile or partner.phone


def sms_number_field(partner):
    """The res.partner field of the number to text: ``mobile`` on 18.0, ``phone`` on 19.0."""
    return "mobile" if "mobile" in partner._fields else "phone"


def keep_done_activities(activity_types):
    """Keep the activities of ``activity_types`` once done.

    18.0: only those of a type with ``keep_done`` are kept (archived), the others
    are deleted. 19.0 dropped the field: done activities are always archived.
    """
    if "keep_done" in activity_types._fields:
        activity_types.write({"keep_done": True})


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


def early_discount_line_condition(env, alias):
    """SQL condition: the line ``alias`` books the early-payment discount of a payment.

    18.0: the payment's discount lines have ``display_type = 'epd'``.
    19.0: they are plain lines of the payment (or bank statement line) entry,
    on the company's early-discount loss or gain account, or tax lines when the
    discount includes the taxes. Flushes what the condition reads.
    """
    line = SQL.identifier(alias)
    if SERIES < 19:
        return SQL("%s.display_type = 'epd'", line)
    env["account.move"].flush_model(["origin_payment_id", "statement_line_id"])
    env["res.company"].flush_model(
        ["account_journal_early_pay_discount_loss_account_id", "account_journal_early_pay_discount_gain_account_id"]
    )
    return SQL(
        """(SELECT pm.origin_payment_id IS NOT NULL OR pm.statement_line_id IS NOT NULL
              FROM account_move pm WHERE pm.id = %(line)s.move_id)
           AND (%(line)s.tax_repartition_line_id IS NOT NULL
                OR %(line)s.account_id IN (
                    SELECT UNNEST(ARRAY[pc.account_journal_early_pay_discount_loss_account_id,
                                        pc.account_journal_early_pay_discount_gain_account_id])
                      FROM res_company pc WHERE pc.id = %(line)s.company_id))""",
        line=line,
    )


#: Method of ir.mail_server that opens the SMTP session mail.mail sends through:
#: ``connect`` on 18.0, ``_connect__`` on 19.0.
MAIL_SERVER_CONNECT = "connect" if SERIES < 19 else "_connect__"


def form_credit_warning(form):
    """The partner credit warning an invoice form (odoo.tests.Form) shows.

    18.0: the form has the ``partner_credit_warning`` field. 19.0: the form
    shows it among the move's ``alerts`` (key ``account_partner_credit_warning``).
    """
    if "alerts" not in form._view["fields"]:
        return form.partner_credit_warning
    alert = (form.alerts or {}).get("account_partner_credit_warning") or {}
    return alert.get("message") or ""


def cron_progress(env, done, remaining):
    """Report one batch of a scheduled job, so that the job is run again while work remains.

    18.0: ``ir.cron._notify_progress(done=, remaining=)``; the cron runner commits.
    19.0: ``_notify_progress`` is deprecated for ``_commit_progress(processed,
    remaining=)``, which also commits; outside a scheduled run (no progress in the
    context) it would only commit, so it is not called then.
    """
    if SERIES < 19:
        env["ir.cron"]._notify_progress(done=done, remaining=remaining)
    elif env.context.get("ir_cron_progress_id"):
        env["ir.cron"]._commit_progress(done, remaining=remaining)


def cron_previous_progress(env):
    """``(done, remaining)`` reported by the previous call of the running scheduled job, or None.

    Both series call a job's method again and again while it reports work left (18.0: up to
    10 calls per run of the job, 19.0: at least 10 calls and 10 seconds; then the job is run
    again as soon as possible), and both record each call in a new ``ir.cron.progress`` of
    the job, committed before the next call. None outside a scheduled run (no progress in
    the context) and for the job's first call.
    """
    progress_id = env.context.get("ir_cron_progress_id")
    if not progress_id:
        return None
    rows = env.execute_query(
        SQL(
            """
            SELECT previous.done, previous.remaining
              FROM ir_cron_progress current
              JOIN ir_cron_progress previous ON previous.cron_id = current.cron_id AND previous.id < current.id
             WHERE current.id = %s
             ORDER BY previous.id DESC
             LIMIT 1
            """,
            progress_id,
        )
    )
    return tuple(rows[0]) if rows else None


def call_kw(model, name, args, kwargs):
    """Call a method as the web client and RPC do (with its ids as the first argument).

    18.0: ``odoo.api.call_kw``. 19.0: it moved to ``odoo.service.model.call_kw``.
    """
    if SERIES < 19:
        from odoo.api import call_kw as _call_kw  # noqa: PLC0415 (series-dependent import)
    else:
        from odoo.service.model import call_kw as _call_kw  # noqa: PLC0415 (series-dependent import)
    return _call_kw(model, name, args, kwargs)


def web_read_group(model, domain, groupby, aggregate):
    """The groups of one ``groupby`` the web client's grouped list and pivot show: a list of
    (label, aggregated value, domain of the group's records).

    18.0: ``web_read_group``, through ``read_group``; the value is keyed by the field name.
    19.0: ``formatted_read_group``, whose labels come from ``_web_read_group_groupby_formatter``;
    the value is keyed by the aggregate spec, the group's own domain is ``__extra_domain``.
    """
    if SERIES < 19:
        groups = model.web_read_group(domain, [aggregate], [groupby], lazy=False)["groups"]
        field = aggregate.split(":")[0]
        return [(group[groupby], group[field], group["__domain"]) for group in groups]
    groups = model.formatted_read_group(domain, [groupby], [aggregate])
    return [(group[groupby], group[aggregate], [*domain, *group["__extra_domain"]]) for group in groups]


def pivot_read_group(model, domain, grouping_sets, aggregates):
    """The rows the pivot view reads: one list of ``(group values..., aggregates...)`` per grouping.

    18.0: the pivot calls ``read_group`` once per level (lazy=False); dates come back labelled,
    so each group's date value is read from its ``__range``. 19.0: one
    ``formatted_read_grouping_sets`` call for all the levels (SQL grouping sets).
    """
    result = []
    if SERIES < 19:
        for groupby in grouping_sets:
            rows = model.read_group(domain, list(aggregates), list(groupby), lazy=False)
            result.append([_pivot_row(row, groupby, aggregates, 18) for row in rows])
        return result
    levels = model.formatted_read_grouping_sets(domain, [list(g) for g in grouping_sets], list(aggregates))
    return [
        [_pivot_row(row, groupby, aggregates, 19) for row in rows]
        for groupby, rows in zip(grouping_sets, levels, strict=True)
    ]


def _pivot_row(row, groupby, aggregates, series):
    values = []
    for spec in groupby:
        value = row[spec]
        if ":" in spec and series < 19:  # 18.0: a label; the range's start is the group's date
            value = row["__range"][spec]["from"]
        elif isinstance(value, tuple | list):  # (id, label) or (date, label)
            value = value[0]
        values.append(value)
    for spec in aggregates:
        values.append(row[spec.split(":")[0]] if series < 19 else row[spec])
    return tuple(values)
