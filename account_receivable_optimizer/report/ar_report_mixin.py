import datetime
import io

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from ..models.ar_protected_fields_mixin import check_allowed_companies
from ..models.res_partner import RISK_GRADES, grade_sql

#: Days a report run and its lines are kept (bookmarks and reloads of a run work that long).
KEEP_RUNS_DAYS = 30


def later_partials_sql(after, company_ids):
    """``(line_id, amount, max_date)``: each reconciliation dated after ``after``, seen from each item it touched.

    Positive for the debit item, negative for the credit item: added to an
    item's residual, the amounts dated after a day D give its open amount on
    D. Reports with several dates (snapshots) filter on ``max_date``;
    :func:`later_reconciliations_sql` sums them for one date.
    """
    return SQL(
        """
        SELECT debit_move_id AS line_id, amount, max_date
          FROM account_partial_reconcile
         WHERE max_date > %(after)s AND company_id = ANY(%(companies)s)
     UNION ALL
        SELECT credit_move_id, -amount, max_date
          FROM account_partial_reconcile
         WHERE max_date > %(after)s AND company_id = ANY(%(companies)s)
        """,
        after=after,
        companies=list(company_ids),
    )


def later_reconciliations_sql(as_of, company_ids):
    """``(line_id, amount)``: what the reconciliations dated after ``as_of`` took from each journal item.

    Added to an item's residual, it gives its open amount on ``as_of``
    (formulas reference, "Aging as of a past date"; core
    ``aging.open_amount_as_of``): positive for a debit item, negative for a
    credit item. The one source of this fact for the reports as of a date
    (built on :func:`later_partials_sql`).
    """
    return SQL(
        "SELECT line_id, SUM(amount) AS amount FROM (%s) later GROUP BY line_id",
        later_partials_sql(as_of, company_ids),
    )


def without_jit(statement):
    """``statement`` with PostgreSQL's JIT compilation off, the setting put back after it, in one round trip.

    For the statements that write a row per open item (the aging): their
    estimated cost passes ``jit_above_cost`` from about 100,000 items, and
    ``jit_inline_above_cost`` / ``jit_optimize_above_cost`` some way further.
    Measured at 100,000 items, the compilation cost more than it saved: 0.06 s
    of CPU with the expressions alone compiled, 1.2 s once inlined and
    optimised as at a million items, and its cost does not grow with the
    items (docs/performance.md, "Aging"). ``SET LOCAL`` alone would last until
    the end of the transaction (the rest of the request), so ``RESET``
    follows the statement: it puts back the connection's own setting (server,
    database or role; Odoo never changes it with ``SET``). The three
    statements are sent in one ``execute``: one round trip, as before.
    """
    return SQL("SET LOCAL jit = off; %s; RESET jit", statement)


def open_amount_segments_sql(accounts, company_ids, after, last, *, filters=None, debit_only=False):
    """The open amounts of the receivable items, as segments of dates: the one source of
    "the open amount of an item on a past day" for several days at once.

    One row ``(line_id, partner_id, user_id, move_id, date, due, amount, until)``
    per segment, for the posted receivable items dated on or before ``last``:
    the item's residual today (``until`` NULL), and each reconciliation of the
    item dated after ``after`` (``until`` its ``max_date``; positive on the
    debit item, negative on the credit item). The open amount of an item on a
    day D from ``after`` on is the sum of its segments with ``date <= D`` and
    ``until`` NULL or after D (formulas reference, "Aging as of a past date";
    core ``aging.open_amount_as_of``). ``partner_id`` is the commercial
    partner, ``user_id`` the entry's salesperson, ``due`` the due date (the
    date when none).

    Two branches, not an ``OR``: the open items with the predicate of Odoo's
    partial index on them, and the reconciliations since ``after`` joined to
    their items, so that PostgreSQL knows how many rows each gives; the
    receivable accounts are constants (:func:`receivable_account_ids`).

    :param filters: ``SQL`` conditions on ``aml`` (the segment, with
        ``company_id``), its entry ``m`` and the commercial partner ``cp``
        (the aliases of :meth:`ArReportMixin._filters_sql`)
    :param debit_only: only the debit items (balance above zero)
    """
    debit = SQL("AND aml.balance > 0") if debit_only else SQL()
    return SQL(
        """
        SELECT aml.line_id, cp.id AS partner_id, m.invoice_user_id AS user_id, aml.move_id, aml.date,
               COALESCE(aml.date_maturity, aml.date) AS due, aml.amount, aml.until
          FROM (
                SELECT aml.id AS line_id, aml.company_id, aml.partner_id, aml.move_id, aml.date,
                       aml.date_maturity, aml.amount_residual AS amount, NULL::date AS until
                  FROM account_move_line aml
                 WHERE aml.reconciled IS NOT TRUE AND aml.parent_state = 'posted'
                   AND aml.account_id = ANY(%(accounts)s) AND aml.company_id = ANY(%(companies)s)
                   AND aml.date <= %(last)s %(debit)s
             UNION ALL
                SELECT aml.id, aml.company_id, aml.partner_id, aml.move_id, aml.date,
                       aml.date_maturity, lp.amount, lp.max_date
                  FROM (%(later_partials)s) lp
                  JOIN account_move_line aml ON aml.id = lp.line_id
                 WHERE aml.parent_state = 'posted' AND aml.account_id = ANY(%(accounts)s)
                   AND aml.date <= %(last)s %(debit)s
               ) aml
          JOIN account_move m ON m.id = aml.move_id
     LEFT JOIN res_partner p ON p.id = aml.partner_id
     LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
         WHERE %(filters)s
        """,
        accounts=list(accounts),
        companies=list(company_ids),
        last=last,
        debit=debit,
        later_partials=later_partials_sql(after, company_ids),
        filters=filters or SQL("TRUE"),
    )


def open_amounts_at_sql(segments, cuts):
    """``(cut, line_id, partner_id, user_id, move_id, due, amount)``: the open amount of each item on each of ``cuts``.

    :param segments: :func:`open_amount_segments_sql` (its ``after`` before
        the first cut); items with no segment alive on a cut (paid before)
        are left out, items with an open amount of zero are kept
    """
    return SQL(
        """
        SELECT c.cut, s.line_id, s.partner_id, s.user_id, s.move_id, s.due, SUM(s.amount) AS amount
          FROM unnest(%(cuts)s::date[]) AS c(cut)
          JOIN (%(segments)s) s ON s.date <= c.cut AND (s.until IS NULL OR s.until > c.cut)
      GROUP BY c.cut, s.line_id, s.partner_id, s.user_id, s.move_id, s.due
        """,
        cuts=sorted(cuts),
        segments=segments,
    )


def copy_text(value, pg_type):
    """``value`` of a column of ``pg_type`` in the text format of ``COPY``.

    ``\\N`` for NULL (``None``, and ``False`` but in a boolean column, as the ORM
    writes it); text with its backslashes and separators escaped.
    """
    if value is None or (value is False and pg_type != "bool"):
        return "\\N"
    if pg_type == "bool":
        return "t" if value else "f"
    if pg_type == "date":
        return value if isinstance(value, str) else value.isoformat()
    if pg_type in ("int4", "numeric"):
        return str(value)
    return str(value).translate(COPY_ESCAPES)


#: Characters escaped in the text format of ``COPY``.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class ArReportMixin(models.AbstractModel):
    """Parameters shared by the receivables reports: companies and filters.

    The SQL of a report reads journal items as ``aml``, their entry as ``m``
    and the commercial partner as ``cp``; :meth:`_filters_sql` filters them.
    """

    _name = "ar.report.mixin"
    _description = "Receivables Report Parameters"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.companies,
        help="Companies whose receivables are reported (the companies selected in the company switcher).",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_ids = fields.Many2many("res.partner", string="Customers", help="Leave empty for every customer.")
    user_ids = fields.Many2many(
        "res.users",
        string="Salespersons",
        help="Only invoices of these salespersons (unapplied payments have none and are then left out).",
    )
    risk_grade = fields.Selection(RISK_GRADES, help="Only customers of this risk grade in their company.")

    @api.model_create_multi
    def create(self, vals_list):
        reports = super().create(vals_list)
        reports._ar_check_companies()
        return reports

    def write(self, vals):
        result = super().write(vals)
        if {"company_id", "company_ids"} & set(vals):
            self._ar_check_companies()
        return result

    def _ar_check_companies(self):
        """The report reads receivables with SQL, past the record rules: only the user's companies."""
        for report in self:
            companies = report.sudo().company_id | report.sudo().company_ids
            check_allowed_companies(self.env, companies, self)

    @api.autovacuum
    def _gc_ar_report_runs(self):
        """Delete the runs (and their lines, by cascade) older than 30 days."""
        if self._abstract:
            return
        limit = fields.Datetime.now() - datetime.timedelta(days=KEEP_RUNS_DAYS)
        self.sudo().search([("create_date", "<", limit)]).unlink()

    def _ar_run_lines_action(self, xmlid):
        """The stored action of the lines of this run, opened on it.

        The action's domain reads ``active_id``, which the web client keeps
        in the URL: a reload or a bookmark shows the lines of the same run.
        """
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        context = safe_eval(action.get("context") or "{}")
        context.update(active_id=self.id, active_ids=self.ids, active_model=self._name)
        action.update(context=context, domain=[("report_id", "=", self.id)], display_name=self.display_name)
        return action

    def _filters_sql(self):
        """``WHERE`` conditions of the filters on ``aml``, ``m`` and ``cp``."""
        self.ensure_one()
        conditions = [SQL("aml.company_id = ANY(%s)", self.company_ids.ids)]
        if self.partner_ids:
            conditions.append(SQL("cp.id = ANY(%s)", self.partner_ids.commercial_partner_id.ids))
        if self.user_ids:
            conditions.append(SQL("m.invoice_user_id = ANY(%s)", self.user_ids.ids))
        if self.risk_grade:
            conditions.append(SQL("%s = %s", grade_sql("cp", SQL("aml.company_id")), self.risk_grade))
        return SQL(" AND ").join(conditions)

    def _ar_insert_lines(self, model, columns, vals_list):
        """Insert report lines in one ``COPY``, whatever their number.

        ``COPY`` rather than an ``INSERT`` of arrays: at 230,000 KPI facts the
        arrays made a statement of 44 MB that took 17 s to quote in Python and
        8 s to plan, before any row was written (docs/performance.md).

        :param model: the line model (never tracked, no computed stored field)
        :param columns: ``[(field name, PostgreSQL type)]`` written from each vals dict
        :param vals_list: dicts of line values (missing keys and ``False`` are NULL, as in the ORM;
            ``False`` is false in a boolean column)
        """
        if not vals_list:
            return
        lines = self.env[model]
        names = [name for name, _type in columns]
        log = "\t".join([str(self.env.uid), fields.Datetime.to_string(self.env.cr.now())] * 2)
        # column by column: one formatter per type, not a test of every value's type
        texts = [[copy_text(vals.get(name), pg_type) for vals in vals_list] for name, pg_type in columns]
        texts.append([log] * len(vals_list))
        rows = io.StringIO()
        rows.writelines(f"{line}\n" for line in map("\t".join, zip(*texts, strict=True)))
        rows.seek(0)
        statement = SQL(
            "COPY %s (%s, create_uid, create_date, write_uid, write_date) FROM STDIN",
            SQL.identifier(lines._table),
            SQL(", ").join(SQL.identifier(name) for name in names),
        )
        # as Odoo's own COPY (ir.model.data): no asynchronous wait callback during it
        callback = psycopg2.extensions.get_wait_callback()
        psycopg2.extensions.set_wait_callback(None)
        try:
            self.env.cr.copy_expert(statement.code, rows)
        finally:
            psycopg2.extensions.set_wait_callback(callback)
        lines.invalidate_model()

    def _flush_receivables(self):
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env["res.partner"].flush_model(["commercial_partner_id", "ar_risk_grade"])
