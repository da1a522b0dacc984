"""JSON for Bling with exact money: Decimals go out as JSON numbers, numbers come back as Decimal."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

_PLACEHOLDER = "\x00dec{}\x00"


def encode(value: Any) -> str:
    """JSON text where every Decimal is written as a plain number with its exact digits.

    `json` can only write floats, which would turn 0.1 + 0.2 style errors into a money value,
    so Decimals are swapped for placeholders and their exact text is put back afterwards.
    """
    numbers: list[str] = []

    def swap(item: Any) -> Any:
        if isinstance(item, Decimal):
            if not item.is_finite():
                raise ValueError(f"non-finite Decimal {item!r} cannot be sent to Bling")
            numbers.append(format(item, "f"))
            return _PLACEHOLDER.format(len(numbers) - 1)
        if isinstance(item, dict):
            return {key: swap(val) for key, val in item.items()}
        if isinstance(item, list | tuple):
            return [swap(val) for val in item]
        if isinstance(item, float):
            raise TypeError("floats are not sent to Bling; use Decimal")
        return item

    text = json.dumps(swap(value), ensure_ascii=False, separators=(",", ":"))
    for index, number in enumerate(numbers):
        quoted = json.dumps(_PLACEHOLDER.format(index))
        text = text.replace(quoted, number, 1)
    return text


def decode(text: str) -> Any:
    """Parse JSON with every non-integer number as Decimal (integers stay int)."""
    return json.loads(text, parse_float=Decimal)


def money(value: Decimal) -> Decimal:
    """A money value with exactly two decimals (as Bling expects on orders)."""
    return value.quantize(Decimal("0.01"))


def to_decimal(value: Any) -> Decimal | None:
    """A JSON number (int, Decimal or numeric string) as Decimal; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("boolean is not a number")
    return Decimal(str(value))
