"""Check digits: EAN-13 barcodes and Brazilian CPF/CNPJ (Bling refuses invalid documents)."""

from __future__ import annotations


def ean13_check_digit(first12: str) -> str:
    """The 13th digit of an EAN-13 whose first twelve digits are given."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError("EAN-13 needs 12 digits before the check digit")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def ean13(first12: str) -> str:
    return first12 + ean13_check_digit(first12)


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == code[12]


def _mod11_digit(digits: str, weights: range | list[int]) -> str:
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    rest = total % 11
    return "0" if rest < 2 else str(11 - rest)


def cpf_with_check_digits(first9: str) -> str:
    d1 = _mod11_digit(first9, range(10, 1, -1))
    d2 = _mod11_digit(first9 + d1, range(11, 1, -1))
    return first9 + d1 + d2


def cnpj_with_check_digits(first12: str) -> str:
    w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    d1 = _mod11_digit(first12, w1)
    d2 = _mod11_digit(first12 + d1, [6, *w1])
    return first12 + d1 + d2


def is_valid_cpf(doc: str) -> bool:
    if len(doc) != 11 or not doc.isdigit() or doc == doc[0] * 11:
        return False
    return cpf_with_check_digits(doc[:9]) == doc


def is_valid_cnpj(doc: str) -> bool:
    if len(doc) != 14 or not doc.isdigit() or doc == doc[0] * 14:
        return False
    return cnpj_with_check_digits(doc[:12]) == doc


def digits_only(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
