"""Brazilian document numbers and barcodes: CPF/CNPJ check digits, EAN-13, the dotted CNPJ
format users read. One module for the engine, the generator and the simulator alike."""

from __future__ import annotations

import re
from collections.abc import Sequence

_CNPJ_WEIGHTS_1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_WEIGHTS_2 = (6, *_CNPJ_WEIGHTS_1)


def digits_only(text: str) -> str:
    """'12.345.678/0001-90' → '12345678000190'."""
    return re.sub(r"\D", "", text)


def _mod11_digit(digits: str, weights: Sequence[int]) -> str:
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    rest = total % 11
    return "0" if rest < 2 else str(11 - rest)


def cnpj_with_check_digits(first12: str) -> str:
    """A 14-digit CNPJ from its first 12 digits."""
    d1 = _mod11_digit(first12, _CNPJ_WEIGHTS_1)
    return first12 + d1 + _mod11_digit(first12 + d1, _CNPJ_WEIGHTS_2)


def cpf_with_check_digits(first9: str) -> str:
    """An 11-digit CPF from its first 9 digits."""
    d1 = _mod11_digit(first9, range(10, 1, -1))
    return first9 + d1 + _mod11_digit(first9 + d1, range(11, 1, -1))


def is_valid_cnpj(text: str) -> bool:
    """True for 14 digits (punctuation ignored) with correct check digits, not all alike."""
    digits = digits_only(text)
    if len(digits) != 14 or len(set(digits)) == 1:
        return False
    return cnpj_with_check_digits(digits[:12]) == digits


def is_valid_cpf(text: str) -> bool:
    """True for 11 digits (punctuation ignored) with correct check digits, not all alike."""
    digits = digits_only(text)
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    return cpf_with_check_digits(digits[:9]) == digits


def format_cnpj(cnpj: str) -> str:
    """'12345678000190' → '12.345.678/0001-90'; anything not 14 digits is returned as is."""
    digits = digits_only(cnpj)
    if len(digits) != 14:
        return cnpj
    return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"


def ean13_check_digit(first12: str) -> str:
    """The 13th digit of an EAN-13 whose first twelve digits are given."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError("EAN-13 needs 12 digits before the check digit")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def ean13(first12: str) -> str:
    """A full EAN-13 (GTIN-13) from its first twelve digits."""
    return first12 + ean13_check_digit(first12)


def is_valid_ean13(code: str) -> bool:
    """True for 13 digits with a correct check digit."""
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == code[12]
