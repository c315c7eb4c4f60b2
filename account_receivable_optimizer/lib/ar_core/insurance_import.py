"""Insurer limit files: reading, checking and matching their lines (docs/credit-insurance.md).

An insurer's periodic export lists, per buyer (customer), the cover it
granted. This module turns the rows of such a file into proposed changes:

- the header names the columns (English or French names, any case);
  an unknown column or a missing required one rejects the whole file;
- each line identifies the buyer by VAT number, SIREN or name (at least one)
  and gives the granted amount (a number, 0 = refused); currency, decision
  date, expiry date and buyer reference are optional;
- a buyer matches a customer by exact VAT number, else by SIREN (the 9
  digits of a French VAT number after its 2-digit key, or the first 9 digits
  of the company registry: SIREN or SIRET), else by exact name (case and
  spaces ignored); a name matching several customers is ambiguous;
- two lines of the same buyer are both rejected (which one is right?).

Stdlib only; no Odoo.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from dataclasses import dataclass, field

#: Canonical columns and the header names that mean them (compared without accents, case or punctuation).
COLUMN_ALIASES = {
    "vat": ("vat", "vat number", "tva", "numero de tva", "n tva", "tva intracommunautaire"),
    "siren": ("siren", "siret", "company registry", "registre"),
    "name": ("name", "buyer name", "customer", "nom", "raison sociale", "acheteur"),
    "amount": ("amount", "granted amount", "granted", "cover", "montant", "montant accorde", "agrement"),
    "currency": ("currency", "devise", "monnaie"),
    "decision_date": ("decision date", "date of decision", "date de decision", "date decision"),
    "expiry_date": ("expiry", "expiry date", "expiration", "date d expiration", "date de fin", "echeance"),
    "buyer_reference": (
        "buyer reference",
        "buyer ref",
        "buyer number",
        "reference",
        "reference acheteur",
        "numero acheteur",
        "n acheteur",
    ),
}
IDENTIFIERS = ("vat", "siren", "name")

# Actions a line proposes.
NEW = "new"
CHANGED = "changed"
REFUSED = "refused"
UNCHANGED = "unchanged"
REJECTED = "rejected"

# Reasons a line or the header is rejected (rendered in the reader's language by the caller).
UNKNOWN_COLUMNS = "unknown_columns"
MISSING_COLUMNS = "missing_columns"
DUPLICATE_COLUMNS = "duplicate_columns"
NO_BUYER = "no_buyer"
BAD_AMOUNT = "bad_amount"
NEGATIVE_AMOUNT = "negative_amount"
BAD_DATE = "bad_date"
EXPIRY_BEFORE_DECISION = "expiry_before_decision"
DUPLICATE_BUYER = "duplicate_buyer"
UNKNOWN_CUSTOMER = "unknown_customer"
AMBIGUOUS_CUSTOMER = "ambiguous_customer"
UNKNOWN_CURRENCY = "unknown_currency"


def _plain(text) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


_ALIASES = {_plain(alias): column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}


@dataclass
class Header:
    """The columns of a file: ``{column: index}``, and what is wrong with them."""

    columns: dict[str, int]
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.unknown or self.missing or self.duplicates)


def read_header(cells) -> Header:
    """Map the header cells to canonical columns; empty trailing cells are ignored."""
    header = Header(columns={})
    for index, cell in enumerate(cells):
        name = _plain(cell)
        if not name:
            continue
        column = _ALIASES.get(name)
        if column is None:
            header.unknown.append(str(cell).strip())
        elif column in header.columns:
            header.duplicates.append(str(cell).strip())
        else:
            header.columns[column] = index
    if not any(column in header.columns for column in IDENTIFIERS):
        header.missing.append("vat / siren / name")
    if "amount" not in header.columns:
        header.missing.append("amount")
    return header


def parse_amount(value) -> float:
    """A number from a cell: 12500, 12500.5, "12 500,50", "12,500.50", "12.500,50".

    With a single kind of separator, a comma is the decimal separator (French
    files) and a dot too. Raises ``ValueError`` on anything else.
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = re.sub(r"[\s\u00a0\u202f']", "", str(value or ""))
        if not re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", text):
            raise ValueError(value)
        if "," in text and "." in text:
            decimal = "," if text.rfind(",") > text.rfind(".") else "."
            text = text.replace("." if decimal == "," else ",", "").replace(decimal, ".")
        else:
            text = text.replace(",", ".")
        if text.count(".") > 1:
            raise ValueError(value)
        number = float(text)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def parse_date(value) -> datetime.date | None:
    """A date from a cell: a date, ``YYYY-MM-DD`` or ``DD/MM/YYYY``; ``None`` when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def normalize_vat(value) -> str:
    """A VAT number in upper case without spaces, dots or dashes."""
    return re.sub(r"[^A-Z0-9]", "", str(value or "").upper())


def siren_of_vat(vat) -> str:
    """The SIREN inside a French VAT number (FR + 2-digit key + 9 digits), else ``""``."""
    vat = normalize_vat(vat)
    if re.fullmatch(r"FR[0-9A-Z]{2}\d{9}", vat):
        return vat[4:]
    return ""


def siren_of_registry(value) -> str:
    """The SIREN of a registry number: its first 9 digits (a SIRET starts with the SIREN), else ``""``."""
    digits = re.sub(r"\D", "", str(value or ""))
    return digits[:9] if len(digits) >= 9 else ""


def normalize_name(value) -> str:
    """A name compared without case, accents or punctuation."""
    return _plain(value)


@dataclass
class Customer:
    """A customer the buyers may match."""

    id: int
    vat: str = ""
    company_registry: str = ""
    name: str = ""


class CustomerIndex:
    """Customers by VAT number, SIREN and name."""

    def __init__(self, customers):
        self.by_vat, self.by_siren, self.by_name = {}, {}, {}
        for customer in customers:
            vat = normalize_vat(customer.vat)
            if vat:
                self.by_vat.setdefault(vat, set()).add(customer.id)
            for siren in {siren_of_vat(customer.vat), siren_of_registry(customer.company_registry)} - {""}:
                self.by_siren.setdefault(siren, set()).add(customer.id)
            name = normalize_name(customer.name)
            if name:
                self.by_name.setdefault(name, set()).add(customer.id)

    def match(self, vat="", siren="", name=""):
        """``(customer id, None)``, or ``(None, reason)``: the first identifier given decides.

        VAT first, then SIREN (given, or taken from a French VAT number),
        then the name; a key found for several customers is ambiguous.
        """
        keys = []
        if normalize_vat(vat):
            keys.append(self.by_vat.get(normalize_vat(vat), set()))
        siren = siren_of_registry(siren) or siren_of_vat(vat)
        if siren:
            keys.append(self.by_siren.get(siren, set()))
        if normalize_name(name):
            keys.append(self.by_name.get(normalize_name(name), set()))
        for ids in keys:
            if len(ids) == 1:
                return next(iter(ids)), None
            if len(ids) > 1:
                return None, AMBIGUOUS_CUSTOMER
        return None, UNKNOWN_CUSTOMER


@dataclass
class Line:
    """A data line of the file, read and checked (``reason`` set when rejected)."""

    number: int
    buyer: str = ""
    vat: str = ""
    siren: str = ""
    name: str = ""
    amount: float = 0.0
    currency: str = ""
    decision_date: datetime.date | None = None
    expiry_date: datetime.date | None = None
    buyer_reference: str = ""
    customer_id: int | None = None
    reason: str | None = None
    detail: str = ""


def _cell(row, header, column):
    index = header.columns.get(column)
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a SIREN typed as a number in a spreadsheet
    return str(value).strip()


def read_lines(header: Header, rows, index: CustomerIndex, first_number: int = 2) -> list[Line]:
    """Read and check the data rows (empty rows skipped), match their buyers, reject duplicates.

    :param rows: the rows after the header, each a sequence of cells
    :param first_number: the file's line number of the first row (1 is the header)
    """
    lines = []
    for number, row in enumerate(rows, start=first_number):
        if not any(_text(cell) for cell in row):
            continue
        line = Line(
            number=number,
            vat=_text(_cell(row, header, "vat")),
            siren=_text(_cell(row, header, "siren")),
            name=_text(_cell(row, header, "name")),
            currency=_text(_cell(row, header, "currency")).upper(),
            buyer_reference=_text(_cell(row, header, "buyer_reference")),
        )
        line.buyer = line.vat or line.siren or line.name
        lines.append(line)
        if not line.buyer:
            line.reason = NO_BUYER
            continue
        raw_amount = _cell(row, header, "amount")
        try:
            line.amount = parse_amount(raw_amount)
        except ValueError:
            line.reason, line.detail = BAD_AMOUNT, _text(raw_amount)
            continue
        if line.amount < 0:
            line.reason, line.detail = NEGATIVE_AMOUNT, _text(raw_amount)
            continue
        dates = {}
        for column in ("decision_date", "expiry_date"):
            raw = _cell(row, header, column)
            try:
                dates[column] = parse_date(raw)
            except ValueError:
                line.reason, line.detail = BAD_DATE, _text(raw)
                break
        if line.reason:
            continue
        line.decision_date, line.expiry_date = dates["decision_date"], dates["expiry_date"]
        if line.decision_date and line.expiry_date and line.expiry_date < line.decision_date:
            line.reason = EXPIRY_BEFORE_DECISION
            continue
        line.customer_id, line.reason = index.match(line.vat, line.siren, line.name)
    _reject_duplicates(lines)
    return lines


def _reject_duplicates(lines):
    """Reject every line of a buyer listed more than once (by customer, else by identification)."""
    seen = {}
    for line in lines:
        if line.reason not in (None, UNKNOWN_CUSTOMER, AMBIGUOUS_CUSTOMER):
            continue
        key = ("customer", line.customer_id) if line.customer_id else ("buyer", _plain(line.buyer))
        seen.setdefault(key, []).append(line)
    for same in seen.values():
        if len(same) > 1:
            numbers = [line.number for line in same]
            for line in same:
                line.reason = DUPLICATE_BUYER
                line.detail = ", ".join(str(n) for n in numbers if n != line.number)


@dataclass
class Cover:
    """The current cover of a customer under the contract."""

    amount: float
    currency: str
    state: str
    decision_date: datetime.date | None
    expiry_date: datetime.date | None
    buyer_reference: str = ""
    requested: float = 0.0


def new_state(line: Line, cover: Cover | None) -> str:
    """The status a line gives the cover: refused at 0, reduced below the previous grant,
    partly granted below the amount requested, else granted."""
    if line.amount == 0:
        return "refused"
    if cover and cover.state in ("granted", "partial", "reduced") and line.amount < cover.amount:
        return "reduced"
    if cover and cover.requested and line.amount < cover.requested:
        return "partial"
    return "granted"


def propose(line: Line, cover: Cover | None, currency: str, digits: int = 2) -> tuple[str, str]:
    """``(action, new status)`` of a matched line against the customer's current cover.

    :param currency: the line's currency (the contract's when the file has none)
    """
    state = new_state(line, cover)
    if cover is None:
        return (REFUSED if state == "refused" else NEW), state
    same = (
        round(cover.amount - line.amount, digits) == 0
        and cover.currency == currency
        and (line.decision_date is None or cover.decision_date == line.decision_date)
        and cover.expiry_date == line.expiry_date
        and (not line.buyer_reference or cover.buyer_reference == line.buyer_reference)
        and (cover.state == state or (state == "granted" and cover.state in ("partial", "reduced")))
    )
    if same:
        return UNCHANGED, cover.state
    return (REFUSED if state == "refused" else CHANGED), state
