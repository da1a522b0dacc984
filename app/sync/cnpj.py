"""CNPJ normalisation, check digits and the dotted format users read."""

from __future__ import annotations

import re

_WEIGHTS_1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_WEIGHTS_2 = (6, *_WEIGHTS_1)


def digits_only(text: str) -> str:
    """'12.345.678/0001-90' → '12345678000190'."""
    return re.sub(r"\D", "", text)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return 0 if rest < 2 else 11 - rest


def is_valid_cnpj(cnpj: str) -> bool:
    """True for 14 digits with correct check digits (punctuation ignored)."""
    digits = digits_only(cnpj)
    if len(digits) != 14 or len(set(digits)) == 1:
        return False
    first = _check_digit(digits[:12], _WEIGHTS_1)
    second = _check_digit(digits[:12] + str(first), _WEIGHTS_2)
    return digits[12:] == f"{first}{second}"


def format_cnpj(cnpj: str) -> str:
    """'12345678000190' → '12.345.678/0001-90'; anything not 14 digits is returned as is."""
    digits = digits_only(cnpj)
    if len(digits) != 14:
        return cnpj
    return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"
