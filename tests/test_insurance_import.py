import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_core import insurance, insurance_import

D = datetime.date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12500, 12500.0),
        (12500.5, 12500.5),
        ("12500", 12500.0),
        ("12 500,50", 12500.5),
        ("12\u202f500,50", 12500.5),
        ("12,500.50", 12500.5),
        ("12.500,50", 12500.5),
        ("0", 0.0),
        ("-5", -5.0),
    ],
)
def test_parse_amount(value, expected):
    assert insurance_import.parse_amount(value) == expected


@pytest.mark.parametrize("value", ["abc", "", None, "1.2.3", "12 EUR", True, float("nan"), "1e5"])
def test_parse_amount_refuses(value):
    with pytest.raises(ValueError):
        insurance_import.parse_amount(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-06-01", D(2026, 6, 1)),
        ("01/06/2026", D(2026, 6, 1)),
        (datetime.datetime(2026, 6, 1, 0, 0), D(2026, 6, 1)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value, expected):
    assert insurance_import.parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2026", "2026-13-01", "tomorrow", "06/01/26"])
def test_parse_date_refuses(value):
    with pytest.raises(ValueError):
        insurance_import.parse_date(value)


def test_siren_from_french_vat_and_registry():
    assert insurance_import.siren_of_vat("FR 40 303 265 045") == "303265045"
    assert insurance_import.siren_of_vat("BE0477472701") == ""
    assert insurance_import.siren_of_registry("552 100 554 00013") == "552100554"
    assert insurance_import.siren_of_registry("1234") == ""


def test_header_french_and_english_names():
    header = insurance_import.read_header(["N° TVA", "Raison sociale", "Montant accordé", "Échéance", ""])
    assert header.ok
    assert header.columns == {"vat": 0, "name": 1, "amount": 2, "expiry_date": 3}


def test_header_unknown_duplicate_and_missing():
    header = insurance_import.read_header(["Name", "Nom", "Colour"])
    assert (header.unknown, header.duplicates, header.missing) == (["Colour"], ["Nom"], ["amount"])
    assert not header.ok


def _index():
    return insurance_import.CustomerIndex(
        [
            insurance_import.Customer(1, vat="FR40303265045", name="Alpha"),
            insurance_import.Customer(2, company_registry="55210055400013", name="Beta"),
            insurance_import.Customer(3, name="Gamma Trading"),
            insurance_import.Customer(4, name="Twin"),
            insurance_import.Customer(5, name="twin"),
        ]
    )


def test_matching_order_vat_siren_name():
    index = _index()
    assert index.match(vat="fr 40 303265045") == (1, None)
    assert index.match(siren="303265045") == (1, None)  # SIREN of the French VAT number
    assert index.match(siren="552100554") == (2, None)
    assert index.match(name="GAMMA  trading") == (3, None)
    assert index.match(name="Twin") == (None, insurance_import.AMBIGUOUS_CUSTOMER)
    assert index.match(vat="FR00999999999", name="Gamma Trading") == (3, None)
    assert index.match(name="Nobody") == (None, insurance_import.UNKNOWN_CUSTOMER)


def test_read_lines_rejects_with_reasons():
    header = insurance_import.read_header(["name", "amount", "decision date", "expiry"])
    rows = [
        ["Alpha", "1000", "2026-06-01", "2026-12-31"],
        ["Beta", "x", "", ""],
        ["Gamma Trading", "5", "2026-06-01", "2026-05-01"],
        ["", "5", "", ""],
        ["Alpha", "2000", "", ""],
        ["", "", "", ""],
        ["Nobody", "1", "", ""],
    ]
    lines = insurance_import.read_lines(header, rows, _index())
    assert [(line.number, line.customer_id, line.reason, line.detail) for line in lines] == [
        (2, 1, insurance_import.DUPLICATE_BUYER, "6"),
        (3, None, insurance_import.BAD_AMOUNT, "x"),
        (4, None, insurance_import.EXPIRY_BEFORE_DECISION, ""),
        (5, None, insurance_import.NO_BUYER, ""),
        (6, 1, insurance_import.DUPLICATE_BUYER, "2"),
        (8, None, insurance_import.UNKNOWN_CUSTOMER, ""),
    ]


def _line(amount, decision=None, expiry=None):
    return insurance_import.Line(number=2, amount=amount, decision_date=decision, expiry_date=expiry)


def _cover(amount, state="granted", requested=0.0):
    return insurance_import.Cover(amount, "EUR", state, D(2026, 1, 15), D(2026, 12, 31), requested=requested)


@pytest.mark.parametrize(
    ("line", "cover", "expected"),
    [
        (_line(5000.0), None, ("new", "granted")),
        (_line(0.0), None, ("refused", "refused")),
        (_line(0.0), _cover(5000.0), ("refused", "refused")),
        (_line(4000.0, D(2026, 6, 1), D(2026, 12, 31)), _cover(5000.0), ("changed", "reduced")),
        (_line(6000.0, D(2026, 6, 1)), _cover(5000.0), ("changed", "granted")),
        (_line(4000.0, D(2026, 6, 1), D(2026, 12, 31)), _cover(0.0, "requested", 8000.0), ("changed", "partial")),
        (_line(5000.0, None, D(2026, 12, 31)), _cover(5000.0), ("unchanged", "granted")),
        (_line(5000.0, D(2026, 1, 15), D(2026, 12, 31)), _cover(5000.0, "partial", 8000.0), ("unchanged", "partial")),
        (_line(5000.004, None, D(2026, 12, 31)), _cover(5000.0), ("unchanged", "granted")),
        (_line(5000.0, None, None), _cover(5000.0), ("changed", "granted")),  # the expiry is lifted
    ],
)
def test_propose(line, cover, expected):
    assert insurance_import.propose(line, cover, "EUR") == expected


def test_another_currency_is_a_change():
    assert insurance_import.propose(_line(5000.0, None, D(2026, 12, 31)), _cover(5000.0), "USD")[0] == "changed"


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), max_size=5),
)
def test_fill_covers_partitions_the_exposure(exposure, amounts):
    parts = insurance.fill_covers(exposure, amounts)
    assert len(parts) == len(amounts)
    assert all(0.0 <= part <= amount for part, amount in zip(parts, amounts, strict=True))
    assert sum(parts) == pytest.approx(min(max(exposure, 0.0), sum(amounts)), rel=1e-9, abs=1e-6)
