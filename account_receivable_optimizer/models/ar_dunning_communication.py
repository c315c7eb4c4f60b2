import io
import logging

import xlsxwriter

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import formatLang

from ..compat import sms_number
from .ir_qweb import compile_once
from .res_partner import CONTROLLER_GROUP

_logger = logging.getLogger(__name__)

# wkhtmltopdf states (ir.actions.report.get_wkhtmltopdf_state) in which PDFs are made
PDF_ENGINE_OK = ("ok", "upgrade")
PDF_ENGINE_PARAM = "account_receivable_optimizer.pdf_engine"
_pdf_fallback_logged = False


class ArDunningCommunication(models.Model):
    _name = "ar.dunning.communication"
    _description = "Dunning Communication"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_name = "partner_id"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True, check_company=True
    )
    date = fields.Date(required=True, index=True, readonly=True, default=fields.Date.context_today)
    level_id = fields.Many2one("ar.dunning.level", string="Level", readonly=True, ondelete="restrict")
    channels = fields.Char(compute="_compute_channels", help="How the customer was reminded.")
    state = fields.Selection(
        [("sent", "Sent"), ("failed", "Failed"), ("skipped", "Skipped")], required=True, readonly=True, index=True
    )
    reason = fields.Text(
        compute="_compute_reason",
        help="Why the communication failed or was skipped, or what it says besides (in the reader's language).",
    )
    reason_codes = fields.Char(
        readonly=True, help="Technical: codes of the reasons (comma-separated), rendered in the reader's language."
    )
    reason_detail = fields.Text(
        readonly=True, help="Technical: the error given by the mail server or the system, kept as it was received."
    )
    line_ids = fields.One2many("ar.dunning.communication.line", "communication_id", string="Invoices", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_total = fields.Monetary(
        string="Total Claimed",
        readonly=True,
        help="Overdue amount claimed by this reminder, in company currency (items not due yet are listed apart).",
    )
    amount_by_currency = fields.Char(
        string="Claimed by Currency",
        compute="_compute_amount_by_currency",
        help="Overdue amount claimed, per currency of the invoices.",
    )
    hand_over_state = fields.Selection(
        [("to_confirm", "To Confirm"), ("done", "Handed Over")],
        string="Hand-over",
        readonly=True,
        index="btree_not_null",
        help="The level hands the customer over to collection: a Credit Controller confirms it first.",
    )
    recovery_fee = fields.Monetary(
        string="Recovery Compensation",
        compute="_compute_recovery_fee",
        currency_field="recovery_fee_currency_id",
        help="Fixed compensation for recovery costs the customer's credit policy charges per late invoice, "
        "in the policy's currency; 0 when the policy charges none (the reminder then says nothing about it).",
    )
    recovery_fee_currency_id = fields.Many2one(
        "res.currency", string="Compensation Currency", compute="_compute_recovery_fee"
    )
    unmatched_amount = fields.Monetary(
        string="Unmatched Payments", readonly=True, help="Payments and credit notes not matched with invoices yet."
    )
    mail_id = fields.Many2one("mail.mail", string="Email", readonly=True, ondelete="set null")
    activity_id = fields.Many2one("mail.activity", string="Collector Task", readonly=True, ondelete="set null")
    charge_move_id = fields.Many2one("account.move", string="Charges Invoice", readonly=True, check_company=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Documents", readonly=True)
    sms_message_id = fields.Many2one(
        "mail.message", string="SMS", readonly=True, ondelete="set null", help="The reminder SMS, once sent."
    )
    ar_portal_url = fields.Char(
        string="Customer Portal Link",
        readonly=True,
        help="Link of the reminder to the customer's page of open invoices on the portal (with its access token).",
    )

    @api.depends("level_id", "state", "activity_id")
    @api.depends_context("lang")
    def _compute_channels(self):
        for communication in self:
            if communication.kind == "discount":
                communication.channels = self.env._("Email")
            elif communication.state == "skipped":
                communication.channels = self.env._("Collector task")
            else:
                communication.channels = communication.level_id._channels() if communication.level_id else ""

    @api.depends("partner_id", "company_id")
    def _compute_recovery_fee(self):
        for communication in self:
            partner = communication.partner_id.with_company(communication.company_id).sudo()
            policy = partner._ar_get_credit_policy() if partner else partner.env["ar.credit.policy"]
            charged = policy.charge_enabled and policy.charge_fixed_amount > 0
            communication.recovery_fee = policy.charge_fixed_amount if charged else 0.0
            communication.recovery_fee_currency_id = policy.currency_id if charged else communication.currency_id

    @api.depends("line_ids.amount_due", "line_ids.claimed")
    @api.depends_context("lang")
    def _compute_amount_by_currency(self):
        for communication in self:
            totals = {}
            for line in communication.line_ids.filtered("claimed"):
                totals[line.line_currency_id] = totals.get(line.line_currency_id, 0.0) + line.amount_due
            communication.amount_by_currency = " + ".join(
                formatLang(self.env, amount, currency_obj=currency) for currency, amount in totals.items()
            )

    @api.depends("reason_codes", "reason_detail", "unmatched_amount")
    @api.depends_context("lang")
    def _compute_reason(self):
        for communication in self:
            lines = []
            amount = formatLang(self.env, communication.unmatched_amount, currency_obj=communication.currency_id)
            texts = {
                "no_email": self.env._("The customer has no email address."),
                "no_sms_number": self.env._("No SMS: the customer has no mobile or phone number."),
                "undelivered": self.env._("Email not delivered: %(reason)s", reason=communication.reason_detail or ""),
                "unreconciled": self.env._(
                    "%(amount)s of payments or credit notes are not matched with invoices: reconcile them first.",
                    amount=amount,
                ),
                "sent_unmatched": self.env._(
                    "Sent although %(amount)s of payments or credit notes are not matched.", amount=amount
                ),
                "no_cover": self.env._(
                    "No insurance cover of the customer counts on this day: no declaration pack for the insurer."
                ),
                "error": communication.reason_detail or "",
            }
            for code in (communication.reason_codes or "").split(","):
                if code in texts:
                    lines.append(texts[code])
            communication.reason = "\n".join(lines) or False

    def _ar_add_reason(self, code):
        """Record why the communication failed or was skipped: a code, rendered when read."""
        for communication in self:
            codes = [c for c in (communication.reason_codes or "").split(",") if c]
            if code not in codes:
                communication.reason_codes = ",".join([*codes, code])

    def _ar_request_hand_over(self):
        """The level hands the customer over: at once, or once a Credit Controller confirms."""
        self.ensure_one()
        if not self.level_id.hand_over_confirm:
            return self._ar_do_hand_over()
        self.hand_over_state = "to_confirm"
        partner = self.partner_id.with_company(self.company_id)
        level = self.level_id
        self.activity_id = partner._ar_schedule_task(
            lambda env: env._("Confirm the hand-over to collection"),
            lambda env: env._(
                "%(customer)s reached the hand-over level %(level)s: check the file, then confirm the hand-over "
                "on the reminder (Invoicing > Customers > Reminders).",
                customer=partner.display_name,
                level=level.with_env(env).name,
            ),
            self.date,
        )
        return True

    def action_confirm_hand_over(self):
        """Hand the customers over to collection (Credit Controllers)."""
        if not self.env.user.has_group(CONTROLLER_GROUP):
            raise AccessError(self.env._("Only a Credit Controller can confirm a hand-over to collection."))
        for communication in self.filtered(lambda c: c.hand_over_state == "to_confirm"):
            communication.sudo()._ar_do_hand_over()
            communication.activity_id.sudo().action_feedback(
                feedback=self.env._("Hand-over confirmed by %(user)s.", user=self.env.user.name)
            )
        return True

    def _ar_do_hand_over(self):
        self.ensure_one()
        self.partner_id.with_company(self.company_id).sudo().ar_collection_state = "handed_over"
        self.hand_over_state = "done"
        self._ar_hand_over()
        return True

    def _ar_send_email(self, partner, portal_url=None):
        """Email the reminder to ``partner`` (its customer); see ``_ar_send_emails``."""
        self.ensure_one()
        self._ar_send_emails(partner, {partner.commercial_partner_id.id: portal_url} if portal_url else None)
        return bool(self.mail_id)

    def _ar_send_emails(self, partners, portal_urls=None):
        """Email the reminders of ``self``, all rendered and queued at once (never sent here).

        ``partners``: the customers of the reminders, in the environment of the run;
        ``portal_urls``: ``{commercial partner id: tokenized portal link}``, when the dunning gathered them
        for its batch. A reminder whose customer has no email address is not emailed: the failure is
        recorded and a collector task planned.
        """
        portal_urls = dict(portal_urls or {})
        # records of the run's environment, prefetched together (their contacts read at once)
        partner_of = {partner.id: partner for partner in partners}
        recipients = {}
        for communication in self:
            partner = partner_of[communication.partner_id.id]
            recipient = partner.browse(partner.address_get(["invoice"])["invoice"])
            if not recipient.email:
                recipient = partner
            if not recipient.email:
                communication._ar_email_missing(partner)
                continue
            recipients[communication.id] = recipient
        sending = self.browse(list(recipients))
        sending.line_ids.move_id._ar_ensure_access_tokens()
        for line in sending.line_ids:
            line.portal_url = line.move_id.get_base_url() + line.move_id.get_portal_url()
        for company, communications in sending.grouped("company_id").items():
            customers = communications.partner_id.commercial_partner_id
            unknown = customers.filtered(lambda customer: customer.id not in portal_urls)
            if unknown:
                portal_urls.update(self.env["ar.portal.account"]._ar_urls(unknown, company))
            for communication in communications:
                communication.ar_portal_url = portal_urls.get(communication.partner_id.commercial_partner_id.id)
        Mail = self.env["mail.mail"].sudo()
        links = []
        for template, communications in sending.grouped(lambda c: c._ar_get_mail_template()).items():
            # the body compiled once per language for the whole batch, not once per reminder
            with compile_once():
                mails = template.send_mail_batch(communications.ids, force_send=False)
            for communication, mail in zip(communications, mails, strict=True):
                links.append((mail, [Command.link(recipients[communication.id].id)]))
                communication.mail_id = mail
        # each email to its customer's recipient: the links of the whole batch written together
        Mail._fields["recipient_ids"].write_batch(links)
        Mail.union(*(mail for mail, _link in links)).modified(["recipient_ids"])
        return True

    def _ar_email_missing(self, partner):
        """The customer has no email address: record the failure and plan a collector task."""
        self.ensure_one()
        self.state = "failed"
        self._ar_add_reason("no_email")
        level = self.level_id
        self.activity_id = partner._ar_schedule_task(
            lambda env: env._("Send the reminder: no email address"),
            lambda env: env._(
                "The reminder (%(level)s) could not be emailed: %(customer)s has no email address. "
                "Contact the customer and record its email address.",
                level=level.with_env(env).name or env._("discount"),
                customer=partner.display_name,
            ),
            self.date,
        )

    def _ar_send_messages(self, partners, portal_urls=None):
        """Email and text the reminders of ``self``, as their levels say: the emails all at once."""
        portal_urls = portal_urls or {}
        self.filtered(lambda c: c.level_id.send_email)._ar_send_emails(partners, portal_urls)
        partner_of = {partner.id: partner for partner in partners}
        for communication in self.filtered(lambda c: c.level_id.send_sms):
            partner = partner_of[communication.partner_id.id]
            communication._ar_send_sms(partner, portal_url=portal_urls.get(partner.commercial_partner_id.id))

    def _ar_send_sms(self, partner, portal_url=None):
        """Text the reminder with the portal link: never twice at one level for the same invoices.

        Sent to the invoicing contact's mobile (else phone), in the customer's language; without a number
        nothing is sent and the reason is kept on the communication.
        """
        self.ensure_one()
        if self.sms_message_id or not self.level_id.sms_template_id:
            return False
        claimed = self.line_ids.filtered("claimed").move_id
        earlier = self.search(
            [
                ("id", "!=", self.id),
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("level_id", "=", self.level_id.id),
                ("sms_message_id", "!=", False),
            ]
        )
        if claimed and not (claimed - earlier.line_ids.filtered("claimed").move_id):
            return False
        recipient = partner.browse(partner.address_get(["invoice"])["invoice"])
        number = sms_number(recipient) or sms_number(partner)
        if not number:
            self._ar_add_reason("no_sms_number")
            return False
        if sms_number(recipient):
            partner = recipient
        if not self.ar_portal_url:
            self.ar_portal_url = portal_url or self.env["ar.portal.account"]._ar_urls(partner, self.company_id).get(
                partner.commercial_partner_id.id
            )
        body = self.level_id.sms_template_id._render_field("body", self.ids, compute_lang=True)[self.id]
        self.sms_message_id = self._message_sms(body, partner_ids=partner.ids, sms_pid_to_number={partner.id: number})
        return True

    def _ar_get_mail_template(self):
        """The email template of this communication."""
        self.ensure_one()
        return self.level_id.mail_template_id

    def _ar_email_failed(self, reason):
        """The reminder email could not be delivered: record it and hand it to the collector."""
        for communication in self.filtered(lambda c: c.state == "sent"):
            partner = communication.partner_id.with_company(communication.company_id)
            communication.write({"state": "failed", "reason_detail": reason})
            communication._ar_add_reason("undelivered")
            level = communication.level_id
            communication.activity_id = partner._ar_schedule_task(
                lambda env: env._("Send the reminder: email not delivered"),
                lambda env, level=level, partner=partner: env._(
                    "The reminder email (%(level)s) to %(customer)s was not delivered (%(reason)s). "
                    "Contact the customer and check its email address.",
                    level=level.with_env(env).name,
                    customer=partner.display_name,
                    reason=reason,
                ),
                communication.date,
            )

    def _ar_attach(self, name, content, mimetype):
        self.ensure_one()
        attachment = self.env["ir.attachment"].create(
            {
                "name": name,
                "raw": content,
                "mimetype": mimetype,
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.attachment_ids = [Command.link(attachment.id)]
        return attachment

    def _ar_render(self, report_ref, res_ids):
        """A report as PDF, or as HTML when this server cannot make PDFs (no working wkhtmltopdf).

        Why it fell back to HTML is logged once per server process and kept in
        the ``account_receivable_optimizer.pdf_engine`` parameter (the engine
        state code), not written on every communication.

        :return: ``(content, extension, mimetype)``
        """
        Report = self.env["ir.actions.report"]
        state = Report.get_wkhtmltopdf_state()
        content = None
        if state in PDF_ENGINE_OK:
            try:
                with self.env.cr.savepoint():
                    content, report_type = Report._render_qweb_pdf(report_ref, res_ids)
            except UserError as error:
                self._ar_pdf_fallback("broken", str(error))
            else:
                Parameter = self.env["ir.config_parameter"].sudo()
                if Parameter.get_param(PDF_ENGINE_PARAM):
                    Parameter.set_param(PDF_ENGINE_PARAM, False)
        else:
            self._ar_pdf_fallback(state, state)
        if content is None:
            content, report_type = Report._render_qweb_html(report_ref, res_ids)
        mimetype = "application/pdf" if report_type == "pdf" else "text/html"
        return content, report_type, mimetype

    def _ar_pdf_fallback(self, state, detail):
        """Record once that documents are made in HTML: a warning in the log and the state in a parameter."""
        global _pdf_fallback_logged  # noqa: PLW0603 - once per server process
        if not _pdf_fallback_logged:
            _pdf_fallback_logged = True
            _logger.warning(
                "Dunning letters and case files are attached as HTML: no working PDF engine (wkhtmltopdf: %s). "
                "Install wkhtmltopdf (Debian: apt-get install wkhtmltopdf) to get PDFs.",
                detail,
            )
        Parameter = self.env["ir.config_parameter"].sudo()
        if Parameter.get_param(PDF_ENGINE_PARAM) != state:
            Parameter.set_param(PDF_ENGINE_PARAM, state)

    def _ar_print_letter(self):
        """Attach the reminder letter (PDF) to the communication."""
        self.ensure_one()
        content, extension, mimetype = self._ar_render(
            "account_receivable_optimizer.ar_dunning_letter_report", self.ids
        )
        name = self.env._("Reminder %(customer)s %(date)s", customer=self.partner_id.name, date=self.date)
        return self._ar_attach(f"{name}.{extension}", content, mimetype)

    def _ar_case_file_content(self):
        """XLSX case file: the open invoices, then the reminder history of the customer."""
        self.ensure_one()
        history = self.search(
            [("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)], order="date, id"
        )
        output = io.BytesIO()
        # names and reasons are text, never formulas
        workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet = workbook.add_worksheet(self.env._("Invoices"))
        headers = [
            self.env._("Invoice"),
            self.env._("Invoice date"),
            self.env._("Due date"),
            self.env._("Days late"),
            self.env._("Total"),
            self.env._("Amount due"),
        ]
        sheet.write_row(0, 0, headers, bold)
        claimed = self.line_ids.filtered("claimed")
        for row, line in enumerate(claimed, start=1):
            move = line.move_id
            sheet.write_string(row, 0, move.name or "")
            sheet.write_datetime(row, 1, fields.Datetime.to_datetime(move.invoice_date), day)
            sheet.write_datetime(row, 2, fields.Datetime.to_datetime(line.due_date), day)
            sheet.write_number(row, 3, line.days_late)
            sheet.write_number(row, 4, move.amount_total_signed, money)
            sheet.write_number(row, 5, line.amount_company, money)
        total_row = len(claimed) + 1
        sheet.write_string(total_row, 0, self.env._("Total due"), bold)
        sheet.write_number(total_row, 5, self.amount_total, money)
        sheet = workbook.add_worksheet(self.env._("Reminders"))
        headers = [self.env._("Date"), self.env._("Level"), self.env._("Channels"), self.env._("State")]
        sheet.write_row(0, 0, [*headers, self.env._("Amount"), self.env._("Note")], bold)
        states = dict(self._fields["state"]._description_selection(self.env))
        for row, communication in enumerate(history, start=1):
            sheet.write_datetime(row, 0, fields.Datetime.to_datetime(communication.date), day)
            sheet.write_string(row, 1, communication.level_id.name or "")
            sheet.write_string(row, 2, communication.channels or "")
            sheet.write_string(row, 3, states.get(communication.state, ""))
            sheet.write_number(row, 4, communication.amount_total, money)
            sheet.write_string(row, 5, communication.reason or "")
        workbook.close()
        return output.getvalue()

    def _ar_hand_over(self):
        """Attach the case file (XLSX) and the invoices' PDFs for the collection agency."""
        self.ensure_one()
        name = self.env._("Case file %(customer)s %(date)s", customer=self.partner_id.name, date=self.date)
        self._ar_attach(
            f"{name}.xlsx",
            self._ar_case_file_content(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        invoices = self.line_ids.filtered("claimed").move_id
        content, report_type, mimetype = self._ar_render("account.account_invoices", invoices.ids)
        self._ar_attach(
            self.env._("Invoices %(customer)s", customer=self.partner_id.name) + f".{report_type}", content, mimetype
        )
        if self.level_id.hand_over_target == "insurer":
            self._ar_hand_over_to_insurer()

    def _ar_hand_over_to_insurer(self):
        """Attach the insurer's declaration pack of the cover counting on the day (the latest decided)."""
        self.ensure_one()
        covers = (
            self.env["ar.credit.insurance"]
            .sudo()
            .search(
                [("company_id", "=", self.company_id.id), ("partner_id", "=", self.partner_id.id)],
                order="decision_date desc, id desc",
            )
            .filtered(lambda cover: cover._ar_counts_on(self.date))
        )
        if not covers:
            self._ar_add_reason("no_cover")
            return False
        attachments = covers[0]._ar_declaration_pack(self.date)
        self.attachment_ids = [Command.link(attachment.id) for attachment in attachments]
        return True


class ArDunningCommunicationLine(models.Model):
    _name = "ar.dunning.communication.line"
    _description = "Dunning Communication Invoice"
    _order = "due_date, id"

    communication_id = fields.Many2one(
        "ar.dunning.communication", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="communication_id.company_id", store=True, index=True)
    move_id = fields.Many2one("account.move", string="Invoice", required=True, readonly=True)
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Due Item",
        readonly=True,
        help="The receivable item reminded: the invoice, or one of its instalments.",
    )
    level_id = fields.Many2one("ar.dunning.level", string="Level", readonly=True)
    claimed = fields.Boolean(
        readonly=True, help="Overdue and claimed by this reminder; otherwise listed for information (not due yet)."
    )
    due_date = fields.Date(readonly=True)
    days_late = fields.Integer(
        string="Days Overdue", readonly=True, help="Days past the due date on the day of the reminder."
    )
    days_late_label = fields.Char(
        string="Days Late",
        compute="_compute_days_late_label",
        help="Days past the due date on the day of the reminder, or 'not due'.",
    )
    currency_id = fields.Many2one(related="communication_id.currency_id")
    line_currency_id = fields.Many2one("res.currency", string="Invoice Currency", readonly=True)
    amount_due = fields.Monetary(
        readonly=True, currency_field="line_currency_id", help="Open amount of the item, in the invoice's currency."
    )
    amount_company = fields.Monetary(
        string="Amount Due (company currency)", readonly=True, currency_field="currency_id"
    )
    portal_url = fields.Char(
        string="Portal Link", readonly=True, help="Link for the customer to see and pay the invoice online."
    )

    @api.depends("days_late")
    @api.depends_context("lang")
    def _compute_days_late_label(self):
        not_due = self.env._("not due")
        for line in self:
            line.days_late_label = str(line.days_late) if line.days_late > 0 else not_due
