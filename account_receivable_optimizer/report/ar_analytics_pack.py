import datetime
import io
import logging

import xlsxwriter
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools.translate import LazyTranslate

from .. import compat
from ..lib.ar_core import forecast as forecast_core
from ..lib.ar_core import kpi
from ..models.ar_protected_fields_mixin import check_allowed_companies
from ..models.res_partner import NOT_GRADED
from .ar_aging_report import BUCKET_FIELDS
from .ar_kpi_fact import BACKFILL_MONTHS
from .ar_receivable_snapshot import SNAPSHOT_BUCKETS

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

MONEY = "#,##0.00"
DAYS = "0.00"
KPI_COLUMNS = [
    ("credit_sales", _lt("Credit Sales"), MONEY),
    ("receivables", _lt("Ending Receivables"), MONEY),
    ("dso", _lt("DSO"), DAYS),
    ("target_dso", _lt("Target DSO"), DAYS),
    ("countback_dso", _lt("Countback DSO"), DAYS),
    ("bpdso", _lt("Best Possible DSO"), DAYS),
    ("add", _lt("Average Days Delinquent"), DAYS),
    ("cei", _lt("CEI (%)"), DAYS),
    ("percent_overdue", _lt("% Overdue"), DAYS),
    ("percent_over_90", _lt("% Over 90 Days"), DAYS),
    ("days_to_pay", _lt("Average Days to Pay"), DAYS),
]


class ArAnalyticsPack(models.TransientModel):
    """The receivables XLSX pack: aging summary and detail, KPIs by month,
    collection forecast, for the filters of an aging run."""

    _name = "ar.analytics.pack"
    _description = "Receivables XLSX Pack"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    aging_report_id = fields.Many2one("ar.aging.report", required=True, ondelete="cascade")
    attachment_id = fields.Many2one("ir.attachment", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        packs = super().create(vals_list)
        packs._ar_check_companies()
        return packs

    def write(self, vals):
        result = super().write(vals)
        if {"company_id", "aging_report_id"} & set(vals):
            self._ar_check_companies()
        return result

    def _ar_check_companies(self):
        for pack in self:
            aging = pack.sudo().aging_report_id
            check_allowed_companies(self.env, pack.sudo().company_id | aging.company_id | aging.company_ids, self)

    def action_download(self):
        self.ensure_one()
        attachment = self._ar_make_attachment()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _ar_filter_vals(self):
        aging = self.aging_report_id
        return {
            "company_ids": [Command.set(aging.company_ids.ids)],
            "partner_ids": [Command.set(aging.partner_ids.ids)],
            "user_ids": [Command.set(aging.user_ids.ids)],
            "risk_grade": aging.risk_grade,
        }

    def _ar_make_attachment(self):
        self.ensure_one()
        content = self._ar_build_xlsx()
        name = self.env._("receivables-%(date)s.xlsx", date=self.aging_report_id.as_of_date)
        self.attachment_id = self.env["ir.attachment"].create(
            {
                "name": name,
                "raw": content,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return self.attachment_id

    def _ar_build_xlsx(self):
        """The pack as XLSX bytes; the aging run is (re)computed first."""
        self.ensure_one()
        self._ar_check_companies()
        aging = self.aging_report_id
        aging._compute_lines()
        self.env["ar.kpi.fact"]._ar_refresh_recent(aging.company_ids)
        for company in aging.company_ids:
            self.env["ar.receivable.snapshot"].sudo()._ar_snapshot_recent(company)
        forecast = self.env["ar.forecast.report"].create(self._ar_filter_vals())
        forecast._compute_lines()
        output = io.BytesIO()
        # customer names and other user text are text, never formulas (``=HYPERLINK(...)``)
        workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
        formats = {
            "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
            "total": workbook.add_format({"bold": True, "top": 1}),
            MONEY: workbook.add_format({"num_format": MONEY}),
            DAYS: workbook.add_format({"num_format": DAYS}),
            "total_money": workbook.add_format({"bold": True, "top": 1, "num_format": MONEY}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "month": workbook.add_format({"num_format": "mmm yyyy"}),
        }
        self._ar_sheet_aging_summary(workbook, formats, aging)
        self._ar_sheet_aging_detail(workbook, formats, aging)
        self._ar_sheet_kpis(workbook, formats, aging)
        self._ar_sheet_history(workbook, formats, aging)
        self._ar_sheet_forecast(workbook, formats, forecast)
        self._ar_sheet_accuracy(workbook, formats, forecast)
        self._ar_sheet_insurance(workbook, formats, aging)
        workbook.close()
        return output.getvalue()

    @staticmethod
    def _ar_header(sheet, formats, headers, widths):
        for col, (title, width) in enumerate(zip(headers, widths, strict=True)):
            sheet.write_string(0, col, title, formats["header"])
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)

    def _ar_totals(self, sheet, formats, row, columns, values):
        """A total row: a SUM formula per column, with its value cached for readers that do not compute."""
        sheet.write_string(row, 0, self.env._("Total"), formats["total"])
        for col, value in zip(columns, values, strict=True):
            letter = xlsxwriter.utility.xl_col_to_name(col)
            sheet.write_formula(row, col, f"=SUM({letter}2:{letter}{row})", formats["total_money"], round(value, 2))

    def _ar_sheet_aging_summary(self, workbook, formats, aging):
        sheet = workbook.add_worksheet(self.env._("Aging Summary"))
        labels = self.env["ar.aging.report.line"]._bucket_labels()
        headers = [self.env._("Customer"), *labels, self.env._("Total")]
        self._ar_header(sheet, formats, headers, [36] + [14] * (len(headers) - 1))
        groups = self.env["ar.aging.report.line"]._read_group(
            [("report_id", "=", aging.id)],
            ["partner_id"],
            [f"{name}:sum" for name in BUCKET_FIELDS] + ["amount_residual:sum"],
        )
        groups.sort(key=lambda group: (group[0].display_name or "").lower())
        totals = [0.0] * (len(BUCKET_FIELDS) + 1)
        for row, (partner, *amounts) in enumerate(groups, start=1):
            sheet.write_string(row, 0, partner.display_name or self.env._("No customer"))
            for col, amount in enumerate(amounts, start=1):
                sheet.write_number(row, col, amount, formats[MONEY])
                totals[col - 1] += amount
        last = len(groups) + 1
        sheet.autofilter(0, 0, max(last - 1, 1), len(headers) - 1)
        self._ar_totals(sheet, formats, last, range(1, len(headers)), totals)

    def _ar_sheet_aging_detail(self, workbook, formats, aging):
        sheet = workbook.add_worksheet(self.env._("Aging Detail"))
        headers = [
            self.env._("Customer"),
            self.env._("Entry"),
            self.env._("Accounting Date"),
            self.env._("Due Date"),
            self.env._("Days Overdue"),
            self.env._("Period"),
            self.env._("Open Amount"),
        ]
        self._ar_header(sheet, formats, headers, [36, 22, 14, 14, 12, 12, 16])
        labels = dict(self.env["ar.aging.report.line"]._selection_bucket())
        lines = aging.line_ids.sorted(lambda line: ((line.partner_id.display_name or "").lower(), line.id))
        for row, line in enumerate(lines, start=1):
            sheet.write_string(row, 0, line.partner_id.display_name or "")
            sheet.write_string(row, 1, line.move_id.name or "")
            sheet.write_datetime(row, 2, fields.Datetime.to_datetime(line.date), formats["date"])
            if line.date_maturity:
                sheet.write_datetime(row, 3, fields.Datetime.to_datetime(line.date_maturity), formats["date"])
            sheet.write_number(row, 4, line.days_overdue)
            sheet.write_string(row, 5, labels.get(line.bucket, ""))
            sheet.write_number(row, 6, line.amount_residual, formats[MONEY])
        last = len(lines) + 1
        sheet.autofilter(0, 0, max(last - 1, 1), len(headers) - 1)
        self._ar_totals(sheet, formats, last, [6], [sum(lines.mapped("amount_residual"))])

    @staticmethod
    def _ar_aging_filters(aging):
        """The aging run's customer, salesperson and grade filters, as domain leaves of the stored facts."""
        domain = []
        if aging.partner_ids:
            domain.append(("partner_id", "in", aging.partner_ids.commercial_partner_id.ids))
        if aging.user_ids:
            domain.append(("user_id", "in", aging.user_ids.ids))
        if aging.risk_grade:
            domain.append(("risk_grade", "=", aging.risk_grade))
        return domain

    def _ar_kpi_domain(self, aging):
        """The facts of the 24 months up to the aging date, for the aging's filters."""
        first = kpi.add_months(aging.as_of_date, 1 - BACKFILL_MONTHS)
        domain = [
            ("company_id", "in", aging.company_ids.ids),
            ("month", ">=", first),
            ("month", "<=", aging.as_of_date),
        ]
        return domain + self._ar_aging_filters(aging)

    def _ar_sheet_kpis(self, workbook, formats, aging):
        """One row per month and company: the KPIs of the month's summed facts (empty when undefined)."""
        sheet = workbook.add_worksheet(self.env._("KPIs by Month"))
        headers = [self.env._("Month"), self.env._("Company")] + [str(title) for _name, title, _fmt in KPI_COLUMNS]
        self._ar_header(sheet, formats, headers, [12, 24] + [14] * len(KPI_COLUMNS))
        aggregates = [f"{name}:{'sum' if fmt == MONEY else 'max'}" for name, _title, fmt in KPI_COLUMNS]
        groups = self.env["ar.kpi.fact"]._read_group(
            self._ar_kpi_domain(aging), ["month:month", "company_id"], aggregates, order="month:month, company_id"
        )
        for row, (month, company, *values) in enumerate(groups, start=1):
            sheet.write_datetime(row, 0, fields.Datetime.to_datetime(month), formats["month"])
            sheet.write_string(row, 1, company.name or "")
            for col, ((_name, _title, fmt), value) in enumerate(zip(KPI_COLUMNS, values, strict=True), start=2):
                if value is not False and value is not None:  # undefined ratios are left empty
                    sheet.write_number(row, col, value, formats[fmt])
        sheet.autofilter(0, 0, max(len(groups), 1), len(headers) - 1)

    def _ar_sheet_forecast(self, workbook, formats, forecast):
        sheet = workbook.add_worksheet(self.env._("Forecast"))
        headers = [self.env._("Week"), self.env._("Kind"), self.env._("Forecast"), self.env._("Collected")]
        self._ar_header(sheet, formats, headers, [14, 14, 16, 16])
        weeks = {}
        for line in forecast.line_ids:
            key = (line.kind == "open", line.week_start or fields.Date.to_date("9999-12-31"), line.week)
            forecast_amount, collected = weeks.get(key, (0.0, 0.0))
            weeks[key] = (forecast_amount + line.amount, collected + line.actual_amount)
        kinds = {True: self.env._("Forecast"), False: self.env._("Past week")}
        rows = sorted(weeks.items())
        for row, ((is_open, start, week), (amount, collected)) in enumerate(rows, start=1):
            if week in (forecast_core.LATER, forecast_core.DOUBTFUL):
                sheet.write_string(row, 0, self.env["ar.forecast.report.line"]._ar_week_label(week))
            else:  # a week is its Monday, a date
                sheet.write_datetime(row, 0, fields.Datetime.to_datetime(start), formats["date"])
            sheet.write_string(row, 1, kinds[is_open])
            sheet.write_number(row, 2, amount, formats[MONEY])
            sheet.write_number(row, 3, collected, formats[MONEY])
        last = len(rows) + 1
        sheet.autofilter(0, 0, max(last - 1, 1), len(headers) - 1)
        future = sum(amount for (is_open, _s, _w), (amount, _c) in rows if is_open)
        sheet.write_string(last, 0, self.env._("Total of the next weeks"), formats["total"])
        sheet.write_number(last, 2, future, formats["total_money"])

    def _ar_history_domain(self, aging):
        """The stored snapshots of the month ends (and the latest) up to the aging date, for its filters."""
        domain = [
            ("company_id", "in", aging.company_ids.ids),
            ("date", "<=", aging.as_of_date),
            ("date", ">", kpi.add_months(aging.as_of_date, -BACKFILL_MONTHS - 1)),
            "|",
            ("is_month_end", "=", True),
            ("date", "=", aging.as_of_date),
        ]
        return domain + self._ar_aging_filters(aging)

    def _ar_sheet_history(self, workbook, formats, aging):
        """One row per month end (and the aging date) and company: the stored snapshots' sums by period."""
        sheet = workbook.add_worksheet(self.env._("Receivables History"))
        labels = self.env["ar.aging.report.line"]._bucket_labels()
        headers = [
            self.env._("Date"),
            self.env._("Company"),
            *labels,
            self.env._("Receivables"),
            self.env._("Overdue"),
            self.env._("Over 90 Days"),
            self.env._("Exposure"),
        ]
        self._ar_header(sheet, formats, headers, [12, 24] + [14] * (len(headers) - 2))
        measures = [*SNAPSHOT_BUCKETS, "receivables", "overdue_receivables", "over_90_receivables", "exposure"]
        groups = self.env["ar.receivable.snapshot"]._read_group(
            self._ar_history_domain(aging),
            ["date:day", "company_id"],
            [f"{name}:sum" for name in measures],
            order="date:day, company_id",
        )
        for row, (day, company, *amounts) in enumerate(groups, start=1):
            sheet.write_datetime(row, 0, fields.Datetime.to_datetime(day), formats["date"])
            sheet.write_string(row, 1, company.name or "")
            for col, amount in enumerate(amounts, start=2):
                sheet.write_number(row, col, amount, formats[MONEY])
        sheet.autofilter(0, 0, max(len(groups), 1), len(headers) - 1)

    def _ar_sheet_accuracy(self, workbook, formats, forecast):
        """The last 13 weeks: the forecast stored before each week, what was collected, and the errors."""
        sheet = workbook.add_worksheet(self.env._("Forecast Accuracy"))
        headers = [
            self.env._("Week"),
            self.env._("Forecast Stored Before"),
            self.env._("Collected"),
            self.env._("Absolute Error"),
        ]
        self._ar_header(sheet, formats, headers, [14, 22, 16, 16])
        weeks = self.env["ar.forecast.week"]._ar_accuracy_weeks(forecast._ar_first_week())
        stored = forecast._ar_stored_forecasts(weeks)
        actual = forecast_core.past_week_totals(
            forecast._fetch_collections(weeks[0], weeks[-1] + datetime.timedelta(days=6)), weeks[0], len(weeks)
        )
        for row, (week, collected) in enumerate(zip(weeks, actual, strict=True), start=1):
            sheet.write_datetime(row, 0, fields.Datetime.to_datetime(week), formats["date"])
            sheet.write_number(row, 2, collected, formats[MONEY])
            if week in stored:  # no stored forecast: not measured, left empty
                sheet.write_number(row, 1, stored[week], formats[MONEY])
                sheet.write_number(row, 3, abs(stored[week] - collected), formats[MONEY])
        last = len(weeks) + 1
        for offset, (label, value) in enumerate(
            (
                (self.env._("MAPE (%)"), forecast.forecast_mape),
                (self.env._("WAPE (%)"), forecast.forecast_wape),
            )
        ):
            sheet.write_string(last + offset, 0, label, formats["total"])
            if forecast.forecast_collected_weeks:  # undefined errors are left empty
                sheet.write_number(last + offset, 1, value, formats[DAYS])

    def _ar_sheet_insurance(self, workbook, formats, aging):
        """Exposure, insurance cover, insured share, guarantees and uncovered exposure by customer and insurer.

        The credit insurance facts of the aging run's companies are refreshed first (as of today).
        """
        Fact = self.env["ar.insurance.fact"]
        for company in aging.company_ids:
            Fact.sudo()._ar_refresh(company)
        domain = [("company_id", "in", aging.company_ids.ids)]
        if aging.partner_ids:
            domain.append(("partner_id", "in", aging.partner_ids.commercial_partner_id.ids))
        if aging.risk_grade:
            domain.append(("risk_grade", "=", aging.risk_grade))
        facts = Fact.search(domain).sorted(
            lambda fact: (
                (fact.partner_id.display_name or "").lower(),
                not fact.insurer_id,
                (fact.insurer_id.display_name or "").lower(),
            )
        )
        sheet = workbook.add_worksheet(self.env._("Credit Insurance"))
        headers = [
            self.env._("Customer"),
            self.env._("Insurer"),
            self.env._("Risk Grade"),
            self.env._("Exposure"),
            self.env._("Insurance Cover"),
            self.env._("Insured Share"),
            self.env._("Guarantees"),
            self.env._("Uncovered Exposure"),
        ]
        self._ar_header(sheet, formats, headers, [36, 28, 10, 16, 16, 16, 16, 18])
        amounts = ("exposure", "cover", "insured_share", "guaranteed", "uncovered")
        not_graded = self.env._("Not graded")
        for row, fact in enumerate(facts, start=1):
            sheet.write_string(row, 0, fact.partner_id.display_name or "")
            sheet.write_string(row, 1, fact.insurer_id.display_name or self.env._("Not insured"))
            # the grade's letter; a customer not graded in words
            sheet.write_string(row, 2, not_graded if fact.risk_grade == NOT_GRADED else fact.risk_grade or "")
            for col, name in enumerate(amounts, start=3):
                sheet.write_number(row, col, fact[name], formats[MONEY])
        last = len(facts) + 1
        sheet.autofilter(0, 0, max(last - 1, 1), len(headers) - 1)
        self._ar_totals(sheet, formats, last, range(3, 8), [sum(facts.mapped(name)) for name in amounts])

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    def _cron_send_monthly(self):
        """Mail the pack of each company that wants it to its accounting managers.

        Run monthly (first day of the month); a company switches it off in
        the Settings (``ar_analytics_mail``), a manager may also archive the
        scheduled action. One company failing does not stop the others.
        """
        managers_group = self.env.ref("account.group_account_manager")
        companies = self.env["res.company"].sudo().search([("ar_analytics_mail", "=", True)])
        for company in companies:
            managers = compat.group_users(managers_group).filtered(
                lambda user, company=company: company in user.company_ids and user.email and user.active
            )
            if not managers:
                continue
            try:
                with self.env.cr.savepoint():
                    self._ar_send_pack(company, managers)
            except Exception:  # one company must not stop the others
                _logger.exception("Receivables pack of company %s failed", company.id)

    def _ar_send_pack(self, company, managers):
        env = self.with_company(company).with_context(allowed_company_ids=company.ids).sudo().env
        aging = env["ar.aging.report"].create({"company_ids": [Command.set(company.ids)]})
        pack = env["ar.analytics.pack"].create({"aging_report_id": aging.id})
        attachment = pack._ar_make_attachment()
        mail = env["mail.mail"].create(
            {
                "subject": env._(
                    "Receivables pack of %(company)s, %(date)s", company=company.name, date=aging.as_of_date
                ),
                # the company name is escaped, the translated text is HTML
                "body_html": Markup(
                    env._(
                        "<p>Attached: the receivables aging, KPIs by month and collection forecast of %(company)s.</p>"
                    )
                )
                % {"company": company.name},
                "email_from": company.email_formatted or env.user.email_formatted,
                "recipient_ids": [Command.set(managers.partner_id.ids)],
                "attachment_ids": [Command.link(attachment.id)],
                "auto_delete": True,
            }
        )
        return mail
