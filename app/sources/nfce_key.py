"""The NF-e/NFC-e access key ("chave de acesso"): 44 characters, mod-11 check digit (nfce.md §3).

The issuer's CNPJ (positions 7–20) may become alphanumeric from mid-2026, so the key is text.
Each character counts as `ord(c) - 48`: digits keep their value and letters follow the rule
announced for the alphanumeric CNPJ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import mul

KEY_LENGTH = 44

# cUF(2) YYMM(4) CNPJ/CPF(14, may hold letters) mod(2) serie(3) nNF(9) tpEmis(1) cNF(8) cDV(1)
_KEY_RE = re.compile(r"^\d{6}[0-9A-Z]{14}\d{24}$")
_FIRST43_RE = re.compile(r"^\d{6}[0-9A-Z]{14}\d{23}$")


# Weights 2..9 repeating from the rightmost of the 43 characters, listed left to right.
_WEIGHTS = tuple(2 + (i % 8) for i in range(43))[::-1]
# Each character counts as ord(c) - 48: subtract the "0" offset once for the whole sum.
_ORD_OFFSET = 48 * sum(_WEIGHTS)


def access_key_check_digit(first43: str) -> str:
    """The check digit of an access key from its first 43 characters (weights 2..9 from the right)."""
    if not _FIRST43_RE.match(first43):
        raise ValueError(f"expected the first 43 characters of an access key, got {first43!r}")
    total = sum(map(mul, map(ord, first43), _WEIGHTS)) - _ORD_OFFSET
    remainder = total % 11
    return "0" if remainder < 2 else str(11 - remainder)


def is_well_formed_access_key(key: str) -> bool:
    """44 characters in the access key's alphabet (check digit not verified)."""
    return bool(_KEY_RE.match(key))


def is_valid_access_key(key: str) -> bool:
    """Well formed and with a matching check digit."""
    return is_well_formed_access_key(key) and access_key_check_digit(key[:43]) == key[43]


@dataclass(frozen=True)
class KeyFields:
    """The fields packed into a well-formed access key."""

    uf: str
    year_month: str
    issuer: str  # CNPJ, or a CPF left-padded with zeros
    model: int
    series: int
    number: int
    emission_mode: int
    code: str  # cNF
    check_digit: str


def split_access_key(key: str) -> KeyFields:
    """The fields of a well-formed key (ValueError otherwise)."""
    if not is_well_formed_access_key(key):
        raise ValueError(f"malformed access key {key!r}")
    return KeyFields(
        uf=key[0:2],
        year_month=key[2:6],
        issuer=key[6:20],
        model=int(key[20:22]),
        series=int(key[22:25]),
        number=int(key[25:34]),
        emission_mode=int(key[34]),
        code=key[35:43],
        check_digit=key[43],
    )
