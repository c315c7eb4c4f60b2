"""The late-payment tables of the French management report (Code de commerce, Article D441-6 I and II)."""

import io

import xlsxwriter

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.ar_core import bounds, d441
from ..models import ar_limits
from ..models.ar_protected_fields_mixin import check_allowed_companies
from ..report.ar_report_mixin import later_reconciliations_sql

#: What each side of the table reads: invoice type, account type, sign of the open amount,
#: the credit notes of the base (turnover or purchases excl. tax).
SIDES = {
    "received": ("in_invoice", ("in_invoice", "in_refund"), "liability_payable", -1.0),
    "issued": ("out_invoice", ("out_invoice", "out_refund"), "asset_receivable", 1.0),
}


class ArD441Report(models.TransientModel):
    _name = "ar.d441.report"
    _description = "Late-Payment Table (Article D441-6)"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=False
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    variant = fields.Selection(
        [
            ("unpaid", "Unpaid at the closing date (I)"),
            ("paid_late", "Paid late during the year (II)"),
        ],
        string="Table",
        required=True,
        default="unpaid",
        help="I: the invoices still unpaid at the closing date, by days past due (the usual table). "
        "II, the alternative: the invoices paid during the financial year, by days between their due date "
        "and their payment.",
    )
    date_to = fields.Date(
        string="Closing Date",
        required=True,
        default=lambda self: self._default_date_to(),
        help="Closing date of the financial year: table I lists the invoices unpaid on that day, table II the "
        "invoices paid late during the year ending that day.",
    )
    date_from = fields.Date(
        string="Start of the Financial Year",
        compute="_compute_date_from",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        help="First day of the financial year, for the turnover and purchases the percentages are of.",
    )

    @api.model
    def _default_date_to(self):
        today = fields.Date.context_today(self)
        return self.env.company.compute_fiscalyear_dates(today)["date_from"] - fields.date.resolution

    @api.depends("date_to", "company_id")
    def _compute_date_from(self):
        for report in self:
            if report.date_to:
                report.date_from = report.company_id.compute_fiscalyear_dates(report.date_to)["date_from"]

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        today = fields.Date.context_today(self)
        for report in self:
            ar_limits.check_date(report, "date_to", bounds.MIN_DATE, today)
            ar_limits.check_date(report, "date_from", bounds.MIN_DATE, report.date_to)

    @api.model_create_multi
    def create(self, vals_list):
        reports = super().create(vals_list)
        for report in reports:
            check_allowed_companies(self.env, report.company_id, self)
        return reports

    def write(self, vals):
        result = super().write(vals)
        if "company_id" in vals:
            for report in self:
                check_allowed_companies(self.env, report.company_id, self)
        return result

    def action_print_pdf(self):
        self.ensure_one()
        check_allowed_companies(self.env, self.company_id, self)
        return self.env.ref("account_receivable_optimizer.ar_d441_report_pdf").report_action(self)

    def action_export_xlsx(self):
        self.ensure_one()
        check_allowed_companies(self.env, self.company_id, self)
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("late-payments-d441-6-%(date)s.xlsx", date=self.date_to),
                "raw": self._ar_build_xlsx(),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _ar_d441_sql(self, side):
        """One query per side: the invoices open at closing, then the year's base excl. tax.

        An invoice's amount due at closing is the open amount of its
        receivable (or payable) items plus the partial reconciliations dated
        after the closing (``later_reconciliations_sql``, as the aging).
        It is disputed when a dispute was open on it at closing.
        """
        invoice_type, base_types, account_type, sign = SIDES[side]
        return SQL(
            """
            WITH later_by_line AS (%(later)s), invoices AS (
                SELECT m.id, MIN(aml.date_maturity) AS due_date,
                       %(sign)s * SUM(aml.amount_residual + COALESCE(lbl.amount, 0)) AS amount,
                       EXISTS (
                           SELECT 1
                             FROM ar_invoice_dispute d
                            WHERE d.move_id = m.id
                              AND d.date_opened <= %(closing)s
                              AND (d.date_resolved IS NULL OR d.date_resolved > %(closing)s)
                       ) AS disputed
                  FROM account_move m
                  JOIN account_move_line aml ON aml.move_id = m.id
                  JOIN account_account a ON a.id = aml.account_id
             LEFT JOIN later_by_line lbl ON lbl.line_id = aml.id
                 WHERE m.company_id = %(company)s
                   AND m.move_type = %(invoice_type)s
                   AND m.state = 'posted'
                   AND aml.date <= %(closing)s
                   AND a.account_type = %(account_type)s
                   AND (aml.reconciled IS NOT TRUE OR lbl.line_id IS NOT NULL)
              GROUP BY m.id
            )
            SELECT 'invoice', due_date, amount, disputed FROM invoices WHERE amount > 0
             UNION ALL
            SELECT 'base', NULL, %(sign)s * SUM(m.amount_untaxed_signed), FALSE
              FROM account_move m
             WHERE m.company_id = %(company)s
               AND m.move_type = ANY(%(base_types)s)
               AND m.state = 'posted'
               AND m.date BETWEEN %(start)s AND %(closing)s
            """,
            closing=self.date_to,
            later=later_reconciliations_sql(self.date_to, self.company_id.ids),
            start=self.date_from,
            company=self.company_id.id,
            sign=sign,
            invoice_type=invoice_type,
            base_types=list(base_types),
            account_type=account_type,
        )

    def _ar_d441_paid_late_sql(self, side):
        """One query per side for the alternative table (II): the invoices with a payment in the year.

        Per invoice: the due date and the payment date of each of its
        payable or receivable items, the payment date being the item's last
        reconciliation when it is settled at the closing (its open amount at
        closing, as in :meth:`_ar_d441_sql`, is zero), else NULL; its total
        incl. tax; the day its first dispute was opened. Then the total
        incl. tax of the invoices of the year. The core decides which
        invoices count and in which band.
        """
        invoice_type, _base_types, account_type, sign = SIDES[side]
        return SQL(
            """
            WITH later_by_line AS (%(later)s), paid_in_year AS (
                SELECT aml.move_id
                  FROM account_partial_reconcile apr
                  JOIN account_move_line aml ON aml.id = apr.debit_move_id
                 WHERE apr.company_id = %(company)s AND apr.max_date BETWEEN %(start)s AND %(closing)s
                 UNION
                SELECT aml.move_id
                  FROM account_partial_reconcile apr
                  JOIN account_move_line aml ON aml.id = apr.credit_move_id
                 WHERE apr.company_id = %(company)s AND apr.max_date BETWEEN %(start)s AND %(closing)s
            )
            SELECT 'invoice',
                   ARRAY_AGG(aml.date_maturity ORDER BY aml.id),
                   ARRAY_AGG(
                       CASE WHEN aml.amount_residual + COALESCE(lbl.amount, 0) = 0 THEN GREATEST(
                           (SELECT MAX(apr.max_date) FROM account_partial_reconcile apr
                             WHERE apr.debit_move_id = aml.id),
                           (SELECT MAX(apr.max_date) FROM account_partial_reconcile apr
                             WHERE apr.credit_move_id = aml.id)
                       ) END
                       ORDER BY aml.id
                   ),
                   %(sign)s * SUM(aml.balance),
                   (SELECT MIN(d.date_opened) FROM ar_invoice_dispute d WHERE d.move_id = m.id)
              FROM paid_in_year p
              JOIN account_move m ON m.id = p.move_id
              JOIN account_move_line aml ON aml.move_id = m.id
              JOIN account_account a ON a.id = aml.account_id
         LEFT JOIN later_by_line lbl ON lbl.line_id = aml.id
             WHERE m.company_id = %(company)s
               AND m.move_type = %(invoice_type)s
               AND m.state = 'posted'
               AND a.account_type = %(account_type)s
          GROUP BY m.id
             UNION ALL
            SELECT 'base', NULL, NULL, %(sign)s * SUM(m.amount_total_signed), NULL
              FROM account_move m
             WHERE m.company_id = %(company)s
               AND m.move_type = %(invoice_type)s
               AND m.state = 'posted'
               AND m.date BETWEEN %(start)s AND %(closing)s
            """,
            closing=self.date_to,
            later=later_reconciliations_sql(self.date_to, self.company_id.ids),
            start=self.date_from,
            company=self.company_id.id,
            sign=sign,
            invoice_type=invoice_type,
            account_type=account_type,
        )

    def _ar_d441_tables(self):
        """``{"received": d441.Table, "issued": d441.Table}`` of the chosen variant: two queries."""
        self.ensure_one()
        check_allowed_companies(self.env, self.company_id, self)
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env["ar.invoice.dispute"].flush_model()
        digits = self.currency_id.decimal_places
        tables = {}
        if self.variant == "paid_late":
            for side in SIDES:
                invoices = []
                base = 0.0
                query = self._ar_d441_paid_late_sql(side)
                for kind, due_dates, paid_dates, amount, disputed_on in self.env.execute_query(query):
                    if kind == "base":
                        base = amount or 0.0
                    else:
                        invoices.append(
                            (list(zip(due_dates, paid_dates, strict=True)), round(amount, digits), disputed_on)
                        )
                tables[side] = d441.paid_late_table(invoices, self.date_from, self.date_to, base)
            return tables
        for side in SIDES:
            invoices = []
            base = 0.0
            for kind, due_date, amount, disputed in self.env.execute_query(self._ar_d441_sql(side)):
                if kind == "base":
                    base = amount or 0.0
                else:
                    invoices.append((due_date, round(amount, digits), disputed))
            tables[side] = d441.table(invoices, self.date_to, base)
        return tables

    def _ar_d441_labels(self):
        """Column and row titles of the official model of the chosen variant, in the user's language."""
        labels = {
            "bands": {
                "0": self.env._("0 day (indicative)"),
                "1_30": self.env._("1 to 30 days"),
                "31_60": self.env._("31 to 60 days"),
                "61_90": self.env._("61 to 90 days"),
                "91": self.env._("91 days and more"),
                "late": self.env._("Total (1 day and more)"),
            },
            "received": self.env._("Article D441-6 I 1°: invoices received, unpaid at the closing date, past due"),
            "issued": self.env._("Article D441-6 I 2°: invoices issued, unpaid at the closing date, past due"),
            "bands_title": self.env._("(A) Late-payment bands"),
            "count": self.env._("Number of invoices concerned"),
            "amount": self.env._("Total amount of the invoices concerned (incl. tax)"),
            "percent_received": self.env._("Percentage of the total amount of the year's purchases (excl. tax)"),
            "percent_issued": self.env._("Percentage of the year's turnover (excl. tax)"),
            "excluded_title": self.env._(
                "(B) Invoices excluded from (A) relating to disputed or unrecorded debts and receivables"
            ),
            "excluded_count": self.env._("Number of invoices excluded"),
            "excluded_amount": self.env._("Total amount of the invoices excluded (incl. tax)"),
            "terms_title": self.env._(
                "(C) Reference payment terms used (contractual or legal terms - Article L441-10 or L441-11)"
            ),
            "terms": self.env._("Contractual terms: the due date of each invoice"),
            "title": self.env._(
                "Invoices received and issued unpaid at the closing date of the financial year and past due "
                "(Article D441-6 I of the Code de commerce)"
            ),
        }
        if self.variant == "paid_late":
            labels.update(
                {
                    "received": self.env._(
                        "Article D441-6 II: invoices received that were paid late during the financial year"
                    ),
                    "issued": self.env._(
                        "Article D441-6 II: invoices issued that were paid late during the financial year"
                    ),
                    "count": self.env._("Cumulative number of invoices concerned"),
                    "amount": self.env._("Cumulative amount of the invoices concerned (incl. tax)"),
                    "percent_received": self.env._(
                        "Percentage of the total amount of the invoices received during the year (incl. tax)"
                    ),
                    "percent_issued": self.env._(
                        "Percentage of the total amount of the invoices issued during the year (incl. tax)"
                    ),
                    "title": self.env._(
                        "Invoices received and issued that were paid late during the financial year "
                        "(Article D441-6 II of the Code de commerce)"
                    ),
                }
            )
        return labels

    def _ar_build_xlsx(self):
        """The table as XLSX bytes, in the layout of the official model; text with ``write_string``."""
        self.ensure_one()
        tables = self._ar_d441_tables()
        labels = self._ar_d441_labels()
        codes = [*d441.BANDS, d441.TOTAL_LATE]
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
        bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        money = workbook.add_format({"num_format": "#,##0.00"})
        percent = workbook.add_format({"num_format": "0.00"})
        sheet = workbook.add_worksheet("D441-6")
        sheet.set_column(0, 0, 48)
        sheet.set_column(1, len(codes), 16)
        sheet.write_string(0, 0, labels["title"], bold)
        sheet.write_string(
            1,
            0,
            self.env._(
                "%(company)s - closing date %(closing)s - financial year from %(start)s; amounts in %(currency)s",
                company=self.company_id.name,
                closing=fields.Date.to_string(self.date_to),
                start=fields.Date.to_string(self.date_from),
                currency=self.currency_id.name,
            ),
            wrap,
        )
        row = 3
        for side in ("received", "issued"):
            table = tables[side]
            sheet.write_string(row, 0, labels[side], bold)
            row += 1
            sheet.write_string(row, 0, labels["bands_title"], bold)
            for col, code in enumerate(codes, start=1):
                sheet.write_string(row, col, labels["bands"][code], bold)
            for title, attr, fmt in (
                (labels["count"], "count", None),
                (labels["amount"], "amount", money),
                (labels[f"percent_{side}"], "percent", percent),
            ):
                row += 1
                sheet.write_string(row, 0, title, wrap)
                for col, code in enumerate(codes, start=1):
                    value = getattr(table.cells[code], attr)
                    if value is None:
                        sheet.write_string(row, col, "-")
                    else:
                        sheet.write_number(row, col, value, fmt)
            row += 1
            sheet.write_string(row, 0, labels["excluded_title"], bold)
            row += 1
            sheet.write_string(row, 0, labels["excluded_count"], wrap)
            sheet.write_number(row, 1, table.excluded.count)
            row += 1
            sheet.write_string(row, 0, labels["excluded_amount"], wrap)
            sheet.write_number(row, 1, table.excluded.amount, money)
            row += 1
            sheet.write_string(row, 0, labels["terms_title"], bold)
            sheet.write_string(row, 1, labels["terms"])
            row += 2
        workbook.close()
        return output.getvalue()
