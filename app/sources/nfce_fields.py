"""Small typed accessors over lxml elements, matched by local name (namespaces vary, are
prefixed or missing). A bad value raises `FieldError`, which the reader turns into a rejection.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

NFE_NAMESPACE = "http://www.portalfiscal.inf.br/nfe"

# Plain decimal text only: Decimal() itself would also take "NaN", "1e9" or "1_000".
_DECIMAL_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_INT_RE = re.compile(r"^[+-]?\d+$")
_ZERO = Decimal("0")
# Layout 2.00 dates and timestamps written without an offset are taken as Brasília time.
BRASILIA_OFFSET = timezone(timedelta(hours=-3))

Children = dict[str, Any]


class FieldError(Exception):
    """A required field is missing or a value is not what the layout allows."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def local_name(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace_of(element: Any) -> str:
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return str(tag[1:].partition("}")[0])
    return ""


def children(element: Any) -> Children:
    """First child element per local name."""
    found: Children = {}
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            name = tag.rpartition("}")[2]
            if name not in found:
                found[name] = child
    return found


def children_named(element: Any, name: str) -> list[Any]:
    """Every child element with this local name, in document order."""
    return [c for c in element if isinstance(c.tag, str) and c.tag.rpartition("}")[2] == name]


def text(group: Children, name: str) -> str | None:
    """Trimmed text of a child, None when absent or empty."""
    element = group.get(name)
    if element is None:
        return None
    value = (element.text or "").strip()
    return value or None


def required_text(group: Children, name: str, path: str) -> str:
    value = text(group, name)
    if value is None:
        raise FieldError(f"{path}/{name}", "ausente")
    return value


def decimal_value(
    group: Children, name: str, path: str, default: Decimal | None = _ZERO
) -> Decimal:
    """An exact Decimal from the XML text; `default` when absent (None makes it required)."""
    raw = text(group, name)
    if raw is None:
        if default is None:
            raise FieldError(f"{path}/{name}", "ausente")
        return default
    if not _DECIMAL_RE.match(raw):
        raise FieldError(f"{path}/{name}", f"valor inválido {raw[:40]!r}")
    return Decimal(raw)


def optional_decimal(group: Children, name: str, path: str) -> Decimal | None:
    if text(group, name) is None:
        return None
    return decimal_value(group, name, path)


def int_value(group: Children, name: str, path: str, default: int | None = None) -> int:
    raw = text(group, name)
    if raw is None:
        if default is None:
            raise FieldError(f"{path}/{name}", "ausente")
        return default
    if not _INT_RE.match(raw) or len(raw) > 18:
        raise FieldError(f"{path}/{name}", f"número inválido {raw[:40]!r}")
    return int(raw)


def optional_int(group: Children, name: str, path: str) -> int | None:
    if text(group, name) is None:
        return None
    return int_value(group, name, path)


def two_digit_code(raw: str | None) -> str | None:
    """tPag/tBand as two characters ("3" -> "03"); other text kept as written."""
    if raw is None:
        return None
    return raw.zfill(2) if raw.isdigit() and len(raw) < 2 else raw


def parse_timestamp(raw: str) -> tuple[datetime, bool]:
    """An aware datetime keeping the XML's offset; the flag says an offset had to be assumed."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise FieldError("data", f"data/hora inválida {raw[:40]!r}") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=BRASILIA_OFFSET), True
    return moment, False


def parse_date_only(raw: str) -> datetime:
    """Layout 2.00 `dEmi` (YYYY-MM-DD) as midnight in Brasília time."""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise FieldError("dEmi", f"data inválida {raw[:40]!r}") from None
    return datetime.combine(day, time(0, 0), tzinfo=BRASILIA_OFFSET)


def optional_timestamp(group: Children, name: str) -> datetime | None:
    """A timestamp that is only informative: a bad value is dropped, not fatal."""
    raw = text(group, name)
    if raw is None:
        return None
    try:
        return parse_timestamp(raw)[0]
    except FieldError:
        return None
