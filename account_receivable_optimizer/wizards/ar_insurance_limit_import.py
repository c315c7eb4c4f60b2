"""Import of an insurer's limit file (covers in bulk), previewed before it is applied."""

import base64
import binascii
import csv
import io
import zipfile

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..lib.ar_core import insurance_import as core_import
from ..models.ar_credit_insurance import INSURANCE_STATES
from ..models.ar_protected_fields_mixin import check_allowed_companies

MANAGER_GROUP = "account_receivable_optimizer.group_ar_credit_manager"
ACTIONS = [
    (core_import.NEW, "New cover"),
    (core_import.CHANGED, "Changed"),
    (core_import.REFUSED, "Refused"),
    (core_import.UNCHANGED, "Unchanged"),
    (core_import.REJECTED, "Rejected"),
]
APPLIED = (core_import.NEW, core_import.CHANGED, core_import.REFUSED)
#: at most this many data lines in one file
MAX_LINES = 50000


class ArInsuranceLimitImport(models.TransientModel):
    """Read an insurer's periodic limit file, show what it changes, then apply it.

    Extension point for a live connector to an insurer's service:
    override :meth:`_ar_fetch_rows` in a module of your own to return the
    rows (header first) from the service instead of the uploaded file; the
    preview, the checks and the apply stay the same. This module itself never
    uses the network.
    """

    _name = "ar.insurance.limit.import"
    _description = "Insurer Limit File Import"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "ar.credit.insurance.contract",
        string="Contract",
        required=True,
        check_company=True,
        help="The insurer's contract the limit file belongs to: its covers are created or updated.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    file = fields.Binary(
        string="Limit File",
        attachment=False,
        help="The insurer's export, CSV (comma, semicolon or tab, UTF-8 or Windows-1252) or XLSX (first sheet). "
        "First line: the column names; see the documentation for the accepted names.",
    )
    filename = fields.Char()
    state = fields.Selection(
        [("upload", "Upload"), ("preview", "Preview"), ("done", "Applied")], default="upload", required=True
    )
    line_ids = fields.One2many("ar.insurance.limit.import.line", "import_id", string="Lines", readonly=True)
    header_rejected = fields.Boolean(readonly=True, help="The file's columns are wrong: nothing can be applied.")
    count_new = fields.Integer(compute="_compute_counts", string="New Covers")
    count_changed = fields.Integer(compute="_compute_counts", string="Changed Covers")
    count_refused = fields.Integer(compute="_compute_counts", string="Refused Covers")
    count_unchanged = fields.Integer(compute="_compute_counts", string="Unchanged Covers")
    count_rejected = fields.Integer(compute="_compute_counts", string="Rejected Lines")

    @api.depends("line_ids.action")
    def _compute_counts(self):
        for wizard in self:
            actions = wizard.line_ids.mapped("action")
            wizard.count_new = actions.count(core_import.NEW)
            wizard.count_changed = actions.count(core_import.CHANGED)
            wizard.count_refused = actions.count(core_import.REFUSED)
            wizard.count_unchanged = actions.count(core_import.UNCHANGED)
            wizard.count_rejected = actions.count(core_import.REJECTED)

    @api.onchange("contract_id")
    def _onchange_contract_id(self):
        if self.contract_id:
            self.company_id = self.contract_id.company_id

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("contract_id"):
                vals["company_id"] = self.env["ar.credit.insurance.contract"].browse(vals["contract_id"]).company_id.id
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_preview(self):
        """Read the file and list what it would change; nothing is written to the covers."""
        self.ensure_one()
        self._ar_check_access()
        rows = self._ar_fetch_rows()
        self.line_ids = [Command.clear()] + [Command.create(vals) for vals in self._ar_preview_vals(rows)]
        self.state = "preview"
        return self._ar_reopen()

    def action_back(self):
        self.ensure_one()
        self.write({"state": "upload", "line_ids": [Command.clear()], "header_rejected": False})
        return self._ar_reopen()

    def action_apply(self):
        """Create or update the covers of the previewed lines (rejected and unchanged lines are left)."""
        self.ensure_one()
        self._ar_check_access()
        if self.state != "preview":
            raise UserError(self.env._("Preview the limit file before applying it."))
        if self.header_rejected:
            raise UserError(
                self.env._("The columns of the limit file are wrong (see the preview): correct the file first.")
            )
        Cover = self.env["ar.credit.insurance"]
        source = self.filename or self.env._("insurer service")
        lines = self.line_ids.filtered(lambda line: line.action in APPLIED)
        self._ar_check_covers_unchanged(lines)
        for line in lines:
            vals = line._ar_cover_vals()
            if line.cover_id:
                cover = line.cover_id
                cover.write(vals)
            else:
                cover = Cover.create({**vals, "partner_id": line.partner_id.id, "contract_id": self.contract_id.id})
            cover.message_post(
                body=self.env._(
                    "Limit file %(file)s of contract %(contract)s, line %(line)s: %(action)s.",
                    file=source,
                    contract=self.contract_id.name,
                    line=line.line_number,
                    action=dict(line._fields["action"]._description_selection(self.env))[line.action],
                )
            )
        self.state = "done"
        return self._ar_reopen()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _ar_check_access(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only Credit Managers import the insurers' limit files."))
        check_allowed_companies(self.env, self.company_id | self.contract_id.company_id, self)
        if self.contract_id.company_id != self.company_id:
            raise UserError(self.env._("The contract belongs to another company than the import."))

    def _ar_check_covers_unchanged(self, lines):
        """Refuse to apply ``lines`` if a cover they would write changed since the preview.

        The preview showed each line against the customer's latest cover under
        the contract (or none); Apply writes what the preview showed only if
        that is still the latest cover and it was not written since (its
        ``write_date`` and the values shown, captured at preview). Otherwise
        another user or an earlier import changed it, and writing now would
        silently overwrite their change.
        """
        current = self._ar_current_covers(set(lines.partner_id.ids))
        stale = lines.filtered(lambda line: line._ar_cover_changed(current.get(line.partner_id.id)))
        if stale:
            raise UserError(
                self.env._(
                    "The covers of %(customers)s changed since the preview (file lines: %(lines)s); nothing "
                    "was written. Go back and preview the file again to see what it would change now.",
                    customers=", ".join(stale.partner_id.mapped("display_name")),
                    lines=", ".join(str(number) for number in stale.mapped("line_number")),
                )
            )

    def _ar_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import a Limit File"),
        }

    def _ar_fetch_rows(self):
        """The rows of the limit file, the header first: lists of cells (text, numbers or dates).

        Extension point: a connector to an insurer's service overrides this
        method to return the same rows from the service (call ``super()`` when
        a file was uploaded). Nothing else needs to change.
        """
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose the insurer's limit file (CSV or XLSX) to import."))
        try:
            content = base64.b64decode(self.file, validate=True)
        except (binascii.Error, ValueError) as error:
            raise UserError(self.env._("The limit file could not be read: upload it again.")) from error
        name = (self.filename or "").lower()
        if name.endswith(".xlsx") or content[:2] == b"PK":
            return self._ar_read_xlsx(content)
        if name and not name.endswith((".csv", ".txt")):
            raise UserError(
                self.env._("%(file)s is neither a CSV nor an XLSX file: export the limits as CSV or XLSX.", file=name)
            )
        return self._ar_read_csv(content)

    def _ar_read_csv(self, content):
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        first = text.split("\n", 1)[0]
        delimiter = max(";,\t", key=first.count)
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))

    def _ar_read_xlsx(self, content):
        import openpyxl  # noqa: PLC0415 - only for XLSX files

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise UserError(self.env._("The XLSX limit file could not be read: save it again as XLSX or CSV.")) from (
                error
            )
        try:
            sheet = workbook.worksheets[0]
            return [list(row) for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()

    def _ar_preview_vals(self, rows):
        """The preview lines of ``rows`` (header first): one per data line, or the rejected header."""
        if not rows:
            raise UserError(self.env._("The limit file is empty."))
        if len(rows) > MAX_LINES + 1:
            raise UserError(self.env._("The limit file has more than %(max)s lines: split it.", max=MAX_LINES))
        header = core_import.read_header(rows[0])
        if not header.ok:
            self.header_rejected = True
            return [{"line_number": 1, "action": core_import.REJECTED, "reason": self._ar_header_reason(header)}]
        self.header_rejected = False
        index = core_import.CustomerIndex(self._ar_candidate_customers(rows[1:], header))
        lines = core_import.read_lines(header, rows[1:], index)
        covers = self._ar_current_covers({line.customer_id for line in lines if line.customer_id})
        codes = {line.currency for line in lines if line.currency}
        currencies = {
            currency.name: currency
            for currency in self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "in", list(codes))])
        }
        default_currency = self.contract_id.currency_id
        digits = default_currency.decimal_places
        result = []
        for line in lines:
            currency = currencies.get(line.currency) if line.currency else default_currency
            if line.reason is None and not currency:
                line.reason, line.detail = core_import.UNKNOWN_CURRENCY, line.currency
            vals = {
                "line_number": line.number,
                "buyer": line.buyer,
                "buyer_reference": line.buyer_reference,
                "partner_id": line.customer_id or False,
                "currency_id": (currency or default_currency).id,
                "amount": line.amount,
                "decision_date": line.decision_date or False,
                "expiry_date": line.expiry_date or False,
            }
            if line.reason:
                vals.update(action=core_import.REJECTED, reason=self._ar_line_reason(line))
                result.append(vals)
                continue
            cover = covers.get(line.customer_id)
            core_cover = cover and core_import.Cover(
                amount=cover.granted_amount,
                currency=cover.currency_id.name,
                state=cover.state,
                decision_date=cover.decision_date or None,
                expiry_date=cover.expiry_date or None,
                buyer_reference=cover.buyer_reference or "",
                requested=cover.requested_amount,
            )
            action, state = core_import.propose(line, core_cover, currency.name, digits)
            vals.update(
                action=action,
                new_state=state,
                cover_id=cover.id if cover else False,
                old_amount=cover.granted_amount if cover else 0.0,
                old_state=cover.state if cover else False,
                **self.env["ar.insurance.limit.import.line"]._ar_cover_snapshot(cover),
            )
            result.append(vals)
        return result

    def _ar_candidate_customers(self, rows, header):
        """The company's customers whose VAT number, SIREN or name is in the file, in one query."""
        vats, sirens, names = set(), set(), set()
        for row in rows:
            cells = {column: core_import._text(row[i]) if i < len(row) else "" for column, i in header.columns.items()}
            vat = core_import.normalize_vat(cells.get("vat"))
            if vat:
                vats.add(vat)
            sirens |= {core_import.siren_of_vat(vat), core_import.siren_of_registry(cells.get("siren"))} - {""}
            if cells.get("name"):
                names.add(" ".join(cells["name"].lower().split()))
        if not (vats or sirens or names):
            return []
        self.env["res.partner"].flush_model(["vat", "company_registry", "name", "commercial_partner_id", "active"])
        rows = self.env.execute_query(
            SQL(
                """
                WITH p AS (
                    SELECT id, vat, company_registry, name,
                           upper(regexp_replace(coalesce(vat, ''), '[^A-Za-z0-9]', '', 'g')) AS clean_vat,
                           regexp_replace(coalesce(company_registry, ''), '[^0-9]', '', 'g') AS registry
                      FROM res_partner
                     WHERE active
                       AND id = commercial_partner_id
                       AND (company_id IS NULL OR company_id = %(company)s)
                )
                SELECT id, vat, company_registry, name
                  FROM p
                 WHERE clean_vat = ANY(%(vats)s)
                    OR (length(registry) >= 9 AND left(registry, 9) = ANY(%(sirens)s))
                    OR (clean_vat ~ '^FR[0-9A-Z]{2}[0-9]{9}$' AND substr(clean_vat, 5, 9) = ANY(%(sirens)s))
                    OR lower(regexp_replace(trim(name), '[[:space:]]+', ' ', 'g')) = ANY(%(names)s)
                """,
                company=self.company_id.id,
                vats=sorted(vats),
                sirens=sorted(sirens),
                names=sorted(names),
            )
        )
        return [
            core_import.Customer(id=pid, vat=vat or "", company_registry=registry or "", name=name or "")
            for pid, vat, registry, name in rows
        ]

    def _ar_current_covers(self, partner_ids):
        """``{customer id: its latest cover under the contract}``, in one read."""
        covers = self.env["ar.credit.insurance"].search(
            [("contract_id", "=", self.contract_id.id), ("partner_id", "in", list(partner_ids))],
            order="decision_date desc, id desc",
        )
        result = {}
        for cover in covers:
            result.setdefault(cover.partner_id.id, cover)
        return result

    def _ar_header_reason(self, header):
        reasons = []
        if header.unknown:
            reasons.append(self.env._("Unknown columns: %(columns)s.", columns=", ".join(header.unknown)))
        if header.duplicates:
            reasons.append(self.env._("Columns given twice: %(columns)s.", columns=", ".join(header.duplicates)))
        if header.missing:
            reasons.append(self.env._("Missing columns: %(columns)s.", columns=", ".join(header.missing)))
        reasons.append(
            self.env._(
                "Accepted columns: vat, siren, name (at least one), amount, currency, decision date, expiry date, "
                "buyer reference."
            )
        )
        return " ".join(reasons)

    def _ar_line_reason(self, line):
        texts = {
            core_import.NO_BUYER: self.env._("No VAT number, SIREN or name identifies the buyer."),
            core_import.BAD_AMOUNT: self.env._("The amount '%(value)s' is not a number.", value=line.detail),
            core_import.NEGATIVE_AMOUNT: self.env._("The amount %(value)s is negative.", value=line.detail),
            core_import.BAD_DATE: self.env._(
                "'%(value)s' is not a date (YYYY-MM-DD or DD/MM/YYYY).", value=line.detail
            ),
            core_import.EXPIRY_BEFORE_DECISION: self.env._("The expiry date is before the decision date."),
            core_import.DUPLICATE_BUYER: self.env._(
                "The same buyer is also on line(s) %(lines)s: keep one line per buyer.", lines=line.detail
            ),
            core_import.UNKNOWN_CUSTOMER: self.env._(
                "No customer of %(company)s has this VAT number, SIREN or name.", company=self.company_id.name
            ),
            core_import.AMBIGUOUS_CUSTOMER: self.env._(
                "Several customers have this VAT number, SIREN or name: give the buyer's VAT number."
            ),
            core_import.UNKNOWN_CURRENCY: self.env._("Unknown currency '%(value)s'.", value=line.detail),
        }
        return texts[line.reason]


class ArInsuranceLimitImportLine(models.TransientModel):
    _name = "ar.insurance.limit.import.line"
    _description = "Insurer Limit File Line"
    _order = "line_number, id"

    import_id = fields.Many2one("ar.insurance.limit.import", required=True, ondelete="cascade", index=True)
    line_number = fields.Integer(string="Line", help="Line of the file (1 is the header).")
    action = fields.Selection(ACTIONS, required=True)
    reason = fields.Char(help="Why the line is rejected.")
    buyer = fields.Char(help="How the file identifies the buyer: VAT number, SIREN or name.")
    buyer_reference = fields.Char()
    partner_id = fields.Many2one("res.partner", string="Customer")
    cover_id = fields.Many2one("ar.credit.insurance", string="Current Cover")
    currency_id = fields.Many2one("res.currency")
    old_amount = fields.Monetary(string="Current Amount", currency_field="currency_id")
    amount = fields.Monetary(string="Granted Amount", currency_field="currency_id")
    old_state = fields.Selection(INSURANCE_STATES, string="Current Status")
    new_state = fields.Selection(INSURANCE_STATES, string="New Status")
    decision_date = fields.Date()
    expiry_date = fields.Date()
    cover_write_date = fields.Datetime(help="Technical: when the current cover was last written, seen at preview.")
    old_currency_id = fields.Many2one("res.currency", help="Technical: the current cover's currency at preview.")
    old_decision_date = fields.Date(help="Technical: the current cover's decision date at preview.")
    old_expiry_date = fields.Date(help="Technical: the current cover's expiry date at preview.")
    old_buyer_reference = fields.Char(help="Technical: the current cover's buyer reference at preview.")

    @api.model
    def _ar_cover_snapshot(self, cover):
        """What the preview saw of ``cover`` (the customer's latest cover, or none), to detect later changes."""
        return {
            "cover_write_date": cover.write_date if cover else False,
            "old_currency_id": cover.currency_id.id if cover else False,
            "old_decision_date": cover.decision_date if cover else False,
            "old_expiry_date": cover.expiry_date if cover else False,
            "old_buyer_reference": cover.buyer_reference or False if cover else False,
        }

    def _ar_cover_changed(self, cover):
        """Whether ``cover`` (the customer's latest cover now) is not the one this line was previewed against."""
        self.ensure_one()
        if (cover.id if cover else False) != self.cover_id.id:
            return True
        if not cover:
            return False
        seen = {
            "cover_write_date": self.cover_write_date,
            "old_currency_id": self.old_currency_id.id,
            "old_decision_date": self.old_decision_date,
            "old_expiry_date": self.old_expiry_date,
            "old_buyer_reference": self.old_buyer_reference,
        }
        return (
            seen != self._ar_cover_snapshot(cover)
            or cover.state != self.old_state
            or cover.currency_id.compare_amounts(cover.granted_amount, self.old_amount) != 0
        )

    def _ar_cover_vals(self):
        self.ensure_one()
        vals = {
            "granted_amount": self.amount,
            "currency_id": self.currency_id.id,
            "state": self.new_state,
            "decision_date": self.decision_date or fields.Date.context_today(self),
            "expiry_date": self.expiry_date,
        }
        if self.buyer_reference:
            vals["buyer_reference"] = self.buyer_reference
        return vals
