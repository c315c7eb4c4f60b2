import io

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_date

from ..lib.ar_core import bounds
from ..lib.ar_core import insurance as core_insurance
from . import ar_limits
from .res_partner import CONTROLLER_GROUP

#: Bounds of the numbers of a cover.
INSURANCE_LIMITS = {
    "requested_amount": (0.0, bounds.MAX_AMOUNT),
    "granted_amount": (0.0, bounds.MAX_AMOUNT),
    "indemnity_percent": (0.0, bounds.MAX_PERCENT),
}
INSURANCE_STATES = [
    ("requested", "Requested"),
    ("granted", "Granted"),
    ("partial", "Partly Granted"),
    ("refused", "Refused"),
    ("reduced", "Reduced"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
]


class ArCreditInsurance(models.Model):
    _name = "ar.credit.insurance"
    _description = "Credit Insurance Cover"
    _inherit = ["mail.thread", "mail.activity.mixin", "ar.protected.fields.mixin", "ar.bounded.mixin"]
    _ar_limits = INSURANCE_LIMITS
    _order = "company_id, partner_id, decision_date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        help="The insured customer (buyer), a company.",
    )
    contract_id = fields.Many2one(
        "ar.credit.insurance.contract",
        string="Contract",
        required=True,
        check_company=True,
        tracking=True,
        help="The insurer's contract the cover is granted under.",
    )
    insurer_id = fields.Many2one(related="contract_id.insurer_id", store=True, string="Insurer")
    buyer_reference = fields.Char(
        tracking=True, help="The insurer's reference of the customer (buyer number, n° d'acheteur)."
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
        help="Currency of the requested and granted amounts.",
    )
    requested_amount = fields.Monetary(
        currency_field="currency_id", tracking=True, help="Cover asked of the insurer (0 to 999,999,999,999)."
    )
    granted_amount = fields.Monetary(
        currency_field="currency_id",
        tracking=True,
        help="Cover the insurer granted (agrément), after any reduction (0 to 999,999,999,999).",
    )
    indemnity_percent = fields.Float(
        string="Indemnity (%)",
        digits=(16, 2),
        default=90.0,
        tracking=True,
        help="Share of a covered loss the insurer pays (quotité garantie), 0 to 100.",
    )
    state = fields.Selection(
        INSURANCE_STATES,
        string="Status",
        required=True,
        default="requested",
        tracking=True,
        help="Only granted, partly granted and reduced covers protect the receivables, from their decision "
        "date to their expiry date.",
    )
    decision_date = fields.Date(tracking=True, help="Date of the insurer's decision; the cover counts from it.")
    expiry_date = fields.Date(tracking=True, help="Last day the cover counts (empty: until further notice).")
    note = fields.Text()
    expiry_alert_date = fields.Date(
        readonly=True, copy=False, help="Technical: the expiry date the Credit Manager was last warned of."
    )
    reduction_alert_date = fields.Date(
        readonly=True,
        copy=False,
        help="Technical: the decision date of the reduction the Credit Manager was last warned of.",
    )

    #: set by the nightly insurance job only
    _ar_protected_fields = ("expiry_alert_date", "reduction_alert_date")

    @api.constrains("state", "decision_date", "granted_amount")
    def _check_decision(self):
        for cover in self:
            if cover.state in core_insurance.COVERING_STATES and not cover.decision_date:
                raise ValidationError(
                    self.env._(
                        "The cover of %(partner)s is granted: enter the date of the insurer's decision.",
                        partner=cover.partner_id.display_name,
                    )
                )

    @api.constrains("decision_date", "expiry_date")
    def _check_dates(self):
        for cover in self:
            for fname in ("decision_date", "expiry_date"):
                ar_limits.check_date(cover, fname, bounds.MIN_DATE, bounds.add_days(bounds.MIN_DATE, 365 * 200))
            if cover.decision_date and cover.expiry_date and cover.expiry_date < cover.decision_date:
                raise ValidationError(
                    self.env._(
                        "The cover of %(partner)s cannot expire (%(expiry)s) before the insurer's decision "
                        "(%(decision)s).",
                        partner=cover.partner_id.display_name,
                        expiry=fields.Date.to_string(cover.expiry_date),
                        decision=fields.Date.to_string(cover.decision_date),
                    )
                )

    @api.constrains("company_id", "partner_id", "contract_id")
    def _check_partner_company(self):
        for cover in self:
            company = cover.partner_id.company_id
            if (company and company != cover.company_id) or cover.contract_id.company_id != cover.company_id:
                raise ValidationError(
                    self.env._(
                        "The cover of %(partner)s must belong to the company of its customer and of its contract "
                        "(%(company)s).",
                        partner=cover.partner_id.display_name,
                        company=cover.company_id.name,
                    )
                )

    @api.depends("partner_id", "contract_id")
    def _compute_display_name(self):
        for cover in self:
            cover.display_name = " - ".join(
                filter(None, [cover.partner_id.display_name, cover.contract_id.insurer_id.display_name])
            )

    def _ar_warn_deadlines(self, figures, today):
        """Warn the contract's Credit Manager of this cover's deadlines (nightly job).

        - the threat-of-loss declaration of the customer's oldest overdue
          item, ``declaration_notice_days`` before its deadline;
        - the cover's expiry, as many days before;
        - a reduction of the cover below the customer's exposure.

        :param figures: the customer's ``CreditData`` on ``today``
        """
        self.ensure_one()
        contract = self.contract_id
        partner = self.partner_id.with_company(self.company_id)
        user = contract.user_id
        lang = user.lang or self.env.lang
        env = self.with_context(lang=lang).env
        company = self.company_id

        def money(amount):
            return partner._ar_money(amount, company, lang)

        if figures.max_days_overdue > 0:
            oldest_due = bounds.add_days(today, -figures.max_days_overdue)
            notice = contract.declaration_notice_days
            if core_insurance.declaration_alert_due(oldest_due, contract.declaration_days, notice, today):
                deadline = core_insurance.declaration_deadline(oldest_due, contract.declaration_days)
                partner._ar_plan_insurance_activity(
                    "account_receivable_optimizer.mail_activity_ar_insurance_declaration",
                    deadline,
                    user,
                    env._(
                        "Declare the threat of loss on %(partner)s to %(insurer)s (contract %(contract)s, buyer "
                        "%(buyer)s) by %(deadline)s: an item due on %(due)s is unpaid, %(overdue)s overdue in all.",
                        partner=partner.display_name,
                        insurer=contract.insurer_id.display_name,
                        contract=contract.name,
                        buyer=self.buyer_reference or "-",
                        deadline=format_date(env, deadline),
                        due=format_date(env, oldest_due),
                        overdue=money(figures.overdue_amount),
                    ),
                )
        expiry = self.expiry_date
        if (
            expiry
            and self.expiry_alert_date != expiry
            and core_insurance.valid_on(expiry, today, bounds.add_days(today, contract.declaration_notice_days))
        ):
            partner._ar_plan_insurance_activity(
                "account_receivable_optimizer.mail_activity_ar_insurance_cover",
                expiry,
                user,
                env._(
                    "The cover of %(partner)s by %(insurer)s (%(amount)s) expires on %(expiry)s: ask for its renewal.",
                    partner=partner.display_name,
                    insurer=contract.insurer_id.display_name,
                    amount=money(self.currency_id._convert(self.granted_amount, company.currency_id, company, today)),
                    expiry=format_date(env, expiry),
                ),
            )
            self.sudo().expiry_alert_date = expiry
        granted = self.currency_id._convert(self.granted_amount, company.currency_id, company, today)
        if (
            self.state == "reduced"
            and self.reduction_alert_date != self.decision_date
            and round(figures.exposure - granted, company.currency_id.decimal_places) > 0
        ):
            partner._ar_plan_insurance_activity(
                "account_receivable_optimizer.mail_activity_ar_insurance_cover",
                today,
                user,
                env._(
                    "%(insurer)s reduced the cover of %(partner)s to %(amount)s on %(decision)s, below its "
                    "exposure of %(exposure)s: review the credit limit.",
                    partner=partner.display_name,
                    insurer=contract.insurer_id.display_name,
                    amount=money(granted),
                    decision=format_date(env, self.decision_date),
                    exposure=money(figures.exposure),
                ),
            )
            self.sudo().reduction_alert_date = self.decision_date

    def _ar_counts_on(self, day):
        """Whether this cover protects the receivables on ``day``."""
        self.ensure_one()
        return core_insurance.cover_counts(self.state, self.decision_date, self.expiry_date, day)

    # ------------------------------------------------------------------
    # Declaration pack (threat of loss), for the insurer
    # ------------------------------------------------------------------

    def action_ar_declaration_pack(self):
        """Attach the threat-of-loss declaration pack (XLSX and PDF) to the cover (Credit Controllers)."""
        self.ensure_one()
        if not self.env.user.has_group(CONTROLLER_GROUP):
            raise AccessError(self.env._("Only Credit Controllers prepare the insurer's declaration pack."))
        self.check_access("read")
        attachments = self.sudo()._ar_declaration_pack()
        self.sudo().message_post(
            body=self.env._("Declaration pack for %(insurer)s prepared.", insurer=self.insurer_id.display_name),
            attachment_ids=attachments.ids,
            author_id=self.env.user.partner_id.id,
        )
        return True

    def _ar_declaration_pack(self, today=None):
        """Make the declaration pack of the cover: an XLSX and a PDF (HTML without PDF engine) attachment.

        :return: the two ``ir.attachment`` records, attached to the cover
        """
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        data = self._ar_declaration_data(today)
        name = self.env._(
            "Threat of loss %(customer)s %(date)s", customer=self.partner_id.name, date=fields.Date.to_string(today)
        )
        Attachment = self.env["ir.attachment"]
        xlsx = Attachment.create(
            {
                "name": f"{name}.xlsx",
                "raw": self._ar_declaration_xlsx(data),
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        content, extension, mimetype = (
            self.env["ar.dunning.communication"]
            .with_context(ar_declaration_date=fields.Date.to_string(today))
            ._ar_render("account_receivable_optimizer.ar_insurance_declaration_report", self.ids)
        )
        document = Attachment.create(
            {
                "name": f"{name}.{extension}",
                "raw": content,
                "mimetype": mimetype,
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return xlsx | document

    def _ar_declaration_data(self, today=None):
        """What the insurer needs to declare a threat of loss, read in a constant number of queries.

        :return: dict with the customer's overdue items on ``today`` (oldest first), the reminders sent,
            the promises to pay and the disputes of the customer in the cover's company, its exposure and
            the declaration deadline of its oldest overdue item
        """
        self.ensure_one()
        if not today:
            today = self.env.context.get("ar_declaration_date") or fields.Date.context_today(self)
        today = fields.Date.to_date(today)
        company = self.company_id
        partner = self.partner_id.commercial_partner_id
        items = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("company_id", "child_of", company.id),
                    ("partner_id", "child_of", partner.id),
                    ("account_type", "=", "asset_receivable"),
                    ("reconciled", "=", False),
                    ("parent_state", "=", "posted"),
                    ("amount_residual", ">", 0),
                    ("date_maturity", "<", today),
                ],
                order="date_maturity, id",
            )
        )
        domain = [("company_id", "=", company.id), ("partner_id", "=", partner.id)]
        reminders = self.env["ar.dunning.communication"].sudo().search(domain, order="date, id")
        promises = self.env["ar.payment.promise"].sudo().search(domain, order="promised_date, id")
        disputes = self.env["ar.invoice.dispute"].sudo().search(domain, order="date_opened, id")
        credit = partner._ar_get_credit_data(company, today=today)[partner.id]
        oldest = items[:1].date_maturity
        return {
            "today": today,
            "cover": self,
            "partner": partner,
            "items": items,
            "overdue": sum(items.mapped("amount_residual")),
            "exposure": credit.exposure,
            "oldest_due": oldest,
            "deadline": oldest and core_insurance.declaration_deadline(oldest, self.contract_id.declaration_days),
            "reminders": reminders,
            "promises": promises,
            "disputes": disputes,
        }

    def _ar_declaration_xlsx(self, data):
        """The declaration pack as XLSX bytes: summary, overdue items, reminders, promises, disputes."""
        self.ensure_one()
        env = self.env
        output = io.BytesIO()
        # names and notes are text, never formulas
        workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})

        def write_date(sheet, row, col, value):
            if value:
                sheet.write_datetime(row, col, fields.Datetime.to_datetime(value), day)

        self._ar_declaration_sheet_summary(workbook.add_worksheet(env._("Declaration")), data, bold, money, write_date)
        self._ar_declaration_sheet_items(workbook.add_worksheet(env._("Overdue Items")), data, bold, money, write_date)
        self._ar_declaration_sheet_history(workbook, data, bold, money, write_date)
        workbook.close()
        return output.getvalue()

    def _ar_declaration_sheet_summary(self, sheet, data, bold, money, write_date):
        env = self.env
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 1, 30)
        partner = data["partner"]
        summary = [
            (env._("Insurer"), self.insurer_id.display_name or ""),
            (env._("Contract"), self.contract_id.name or ""),
            (env._("Buyer reference"), self.buyer_reference or ""),
            (env._("Customer"), partner.display_name or ""),
            (env._("VAT number"), partner.vat or ""),
            (env._("Company registry"), partner.company_registry or ""),
        ]
        for row, (label, value) in enumerate(summary):
            sheet.write_string(row, 0, label, bold)
            sheet.write_string(row, 1, value)
        row = len(summary)
        for label, value in (
            (env._("Granted amount"), self.granted_amount),
            (env._("Indemnity (%)"), self.indemnity_percent),
            (env._("Exposure"), data["exposure"]),
            (env._("Overdue amount"), data["overdue"]),
        ):
            sheet.write_string(row, 0, label, bold)
            sheet.write_number(row, 1, value, money)
            row += 1
        for label, value in (
            (env._("Date"), data["today"]),
            (env._("Oldest unpaid due date"), data["oldest_due"]),
            (env._("Declaration deadline"), data["deadline"]),
        ):
            sheet.write_string(row, 0, label, bold)
            write_date(sheet, row, 1, value)
            row += 1

    def _ar_declaration_sheet_items(self, sheet, data, bold, money, write_date):
        env = self.env
        sheet.write_row(
            0,
            0,
            [
                env._("Invoice"),
                env._("Invoice date"),
                env._("Due date"),
                env._("Days late"),
                env._("Total"),
                env._("Amount due"),
                env._("Disputed"),
            ],
            bold,
        )
        disputed = data["disputes"].filtered(lambda d: d.state == "open").move_id
        for row, item in enumerate(data["items"], start=1):
            move = item.move_id
            sheet.write_string(row, 0, move.name or "")
            write_date(sheet, row, 1, move.invoice_date)
            write_date(sheet, row, 2, item.date_maturity)
            sheet.write_number(row, 3, (data["today"] - item.date_maturity).days)
            sheet.write_number(row, 4, move.amount_total_signed, money)
            sheet.write_number(row, 5, item.amount_residual, money)
            sheet.write_string(row, 6, env._("Yes") if move in disputed else "")
        total_row = len(data["items"]) + 1
        sheet.write_string(total_row, 0, env._("Total overdue"), bold)
        sheet.write_number(total_row, 5, data["overdue"], money)

    def _ar_declaration_sheet_history(self, workbook, data, bold, money, write_date):
        """The reminders sent, the promises to pay and the disputes, a sheet each."""
        env = self.env
        sheet = workbook.add_worksheet(env._("Reminders"))
        sheet.write_row(0, 0, [env._("Date"), env._("Level"), env._("Channels"), env._("State"), env._("Amount")], bold)
        states = dict(data["reminders"]._fields["state"]._description_selection(env))
        for row, reminder in enumerate(data["reminders"], start=1):
            write_date(sheet, row, 0, reminder.date)
            sheet.write_string(row, 1, reminder.level_id.name or "")
            sheet.write_string(row, 2, reminder.channels or "")
            sheet.write_string(row, 3, states.get(reminder.state, ""))
            sheet.write_number(row, 4, reminder.amount_total, money)

        sheet = workbook.add_worksheet(env._("Promises"))
        sheet.write_row(
            0, 0, [env._("Promised date"), env._("Amount"), env._("State"), env._("Invoices"), env._("Note")], bold
        )
        states = dict(data["promises"]._fields["state"]._description_selection(env))
        for row, promise in enumerate(data["promises"], start=1):
            write_date(sheet, row, 0, promise.promised_date)
            sheet.write_number(row, 1, promise.amount, money)
            sheet.write_string(row, 2, states.get(promise.state, ""))
            sheet.write_string(row, 3, ", ".join(promise.move_ids.mapped("name")))
            sheet.write_string(row, 4, promise.note or "")

        sheet = workbook.add_worksheet(env._("Disputes"))
        sheet.write_row(
            0,
            0,
            [
                env._("Invoice"),
                env._("Opened on"),
                env._("Reason"),
                env._("State"),
                env._("Resolved on"),
                env._("Note"),
            ],
            bold,
        )
        states = dict(data["disputes"]._fields["state"]._description_selection(env))
        for row, dispute in enumerate(data["disputes"], start=1):
            sheet.write_string(row, 0, dispute.move_id.name or "")
            write_date(sheet, row, 1, dispute.date_opened)
            sheet.write_string(row, 2, dispute.reason_id.name or "")
            sheet.write_string(row, 3, states.get(dispute.state, ""))
            write_date(sheet, row, 4, dispute.date_resolved)
            sheet.write_string(row, 5, dispute.note or "")
