"""Access key check digit (mod 11, nfce.md §3), checked against keys of real authorised notes."""

from __future__ import annotations

import pytest

from app.sources.nfce import access_key_check_digit, is_valid_access_key
from app.sources.nfce_key import split_access_key

# Keys SEFAZ authorised (real production documents among the samples).
REAL_KEYS = [
    "35260467439638000102650120000119551462295426",
    "35260348231687000100650020000158291400522052",
    "35180109071370000194650010000001431171025444",
    "35180834128745000152550010000476491552806942",
    "41170410422724000187650010000000071000012588",
    "35210258716523000119550000000573661346317847",
]


@pytest.mark.parametrize("key", REAL_KEYS)
def test_check_digit_of_real_keys(key: str) -> None:
    assert access_key_check_digit(key[:43]) == key[43]
    assert is_valid_access_key(key)


def test_every_wrong_digit_is_refused() -> None:
    key = REAL_KEYS[0]
    for digit in "0123456789":
        if digit != key[43]:
            assert not is_valid_access_key(key[:43] + digit)


@pytest.mark.parametrize(
    ("body", "digit"),
    [
        ("0" * 43, "0"),  # remainder 0 → 0
        ("0" * 42 + "6", "0"),  # 6×2 = 12, remainder 1 → 0
        ("0" * 42 + "5", "1"),  # 5×2 = 10, remainder 10 → 1
        ("0" * 41 + "10", "8"),  # 1×3 = 3 → 11 − 3
        ("1" + "0" * 42, "7"),  # 43rd from the right weighs 4 (2..9 repeating) → 11 − 4
    ],
)
def test_remainders(body: str, digit: str) -> None:
    assert access_key_check_digit(body) == digit


@pytest.mark.parametrize(
    "bad",
    ["", "123", "3526046743963800010265012000011955146229542", "x" * 44, " " + REAL_KEYS[0]],
)
def test_malformed_keys(bad: str) -> None:
    assert not is_valid_access_key(bad)


def test_bad_input_to_check_digit_raises() -> None:
    with pytest.raises(ValueError):
        access_key_check_digit("12")


def test_alphanumeric_cnpj_letters_count_by_character_code() -> None:
    # From mid-2026 the CNPJ part may hold letters; each counts as ord(c) - 48 ('A' = 17).
    body = "3526" + "04" + "12ABC34500019" + "8" + "65" + "001" + "000000123" + "1" + "12345678"
    assert len(body) == 43
    digit = access_key_check_digit(body)
    assert is_valid_access_key(body + digit)
    total = sum(
        (ord(c) - 48) * w
        for c, w in zip(reversed(body), [2, 3, 4, 5, 6, 7, 8, 9] * 6, strict=False)
    )
    assert digit == ("0" if total % 11 < 2 else str(11 - total % 11))
    assert not is_valid_access_key(body.lower() + digit)


def test_split_key_fields() -> None:
    fields = split_access_key(REAL_KEYS[0])
    assert (fields.uf, fields.year_month, fields.issuer) == ("35", "2604", "67439638000102")
    assert (fields.model, fields.series, fields.number) == (65, 12, 11955)
    assert (fields.emission_mode, fields.code, fields.check_digit) == (1, "46229542", "6")
