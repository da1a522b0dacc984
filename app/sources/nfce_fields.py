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


# Local name per namespaced tag string ("{ns}name" -> "name"). lxml builds a new tag string on
# every access; a dict lookup is cheaper than splitting it each time. Bounded in entries and key
# length: a hostile file may carry thousands of distinct or huge names.
_LOCAL_NAMES: dict[object, str] = {}
_LOCAL_NAMES_MAX = 4096
_CACHED_KEY_MAX = 128


def tag_local_name(tag: object) -> str:
    """The local name of an element's tag; "" for comments, entities and the like."""
    if not isinstance(tag, str):
        return ""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rpartition("}")[2]
        if len(tag) <= _CACHED_KEY_MAX and len(_LOCAL_NAMES) < _LOCAL_NAMES_MAX:
            _LOCAL_NAMES[tag] = name
    return name


def local_name(element: Any) -> str:
    return tag_local_name(element.tag)


def namespace_of(element: Any) -> str:
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return str(tag[1:].partition("}")[0])
    return ""


def children(element: Any) -> Children:
    """First child element per local name."""
    found: Children = {}
    names = _LOCAL_NAMES
    for child in element:
        tag = child.tag
        name = names.get(tag)
        if name is None:
            name = tag_local_name(tag)
        if name and name not in found:
            found[name] = child
    return found


def first_child(element: Any, name: str) -> Any | None:
    """The first child element with this local name, or None (stops at the first match)."""
    names = _LOCAL_NAMES
    for child in element:
        tag = child.tag
        local = names.get(tag)
        if local is None:
            local = tag_local_name(tag)
        if local == name:
            return child
    return None


def children_named(element: Any, name: str) -> list[Any]:
    """Every child element with this local name, in document order."""
    return [c for c in element if tag_local_name(c.tag) == name]


Fields = dict[str, str]


def fields(element: Any) -> Fields:
    """Trimmed text of the first child per local name ("" when empty): one pass over a group of
    leaf values (ide, prod, ICMSTot...), read with `field`, `decimal_field`, `int_field`.

    The reader's hot path: touching an lxml child (proxy, tag string, text) costs far more
    than the dict work, so each group is walked exactly once."""
    found: Fields = {}
    names = _LOCAL_NAMES
    for child in element:
        tag = child.tag
        name = names.get(tag)
        if name is None:
            name = tag_local_name(tag)
        if name and name not in found:
            value = child.text
            found[name] = value.strip() if value else ""
    return found


def field(group: Fields, name: str) -> str | None:
    """A value of `fields()`, None when absent or empty (as `text`)."""
    return group.get(name) or None


# Amounts repeat a lot ("0.00", "1.0000", common prices): the validated Decimal per text is
# kept. Decimal is immutable and built from the exact text, so sharing it changes nothing.
_DECIMALS: dict[str, Decimal] = {}
_DECIMALS_MAX = 8192


def to_decimal(raw: str, where: str) -> Decimal:
    """An exact Decimal from plain decimal text (FieldError naming `where` otherwise)."""
    value = _DECIMALS.get(raw)
    if value is None:
        if not _DECIMAL_RE.match(raw):
            raise FieldError(where, f"valor inválido {raw[:40]!r}")
        value = Decimal(raw)
        if len(raw) <= _CACHED_KEY_MAX and len(_DECIMALS) < _DECIMALS_MAX:
            _DECIMALS[raw] = value
    return value


def decimal_field(group: Fields, name: str, path: str, default: Decimal | None = _ZERO) -> Decimal:
    """An exact Decimal from `fields()`; `default` when absent or empty (None: required)."""
    raw = group.get(name)
    if not raw:
        if default is None:
            raise FieldError(f"{path}/{name}", "ausente")
        return default
    value = _DECIMALS.get(raw)
    return value if value is not None else to_decimal(raw, f"{path}/{name}")


def to_int(raw: str, where: str) -> int:
    """An int from plain integer text of at most 18 characters (FieldError otherwise)."""
    # isdecimal() is exactly what the regex's \d accepts: the common case skips the regex.
    if (raw.isdecimal() or _INT_RE.match(raw)) and len(raw) <= 18:
        return int(raw)
    raise FieldError(where, f"número inválido {raw[:40]!r}")


def int_field(group: Fields, name: str, path: str, default: int | None = None) -> int:
    """An int from `fields()`; `default` when absent or empty (None: required)."""
    raw = group.get(name)
    if not raw:
        if default is None:
            raise FieldError(f"{path}/{name}", "ausente")
        return default
    return to_int(raw, f"{path}/{name}")


def optional_int_field(group: Fields, name: str, path: str) -> int | None:
    raw = group.get(name)
    return to_int(raw, f"{path}/{name}") if raw else None


def timestamp_field(group: Fields, name: str) -> datetime | None:
    """An informative timestamp from `fields()`: a bad value is dropped, not fatal."""
    raw = group.get(name)
    if not raw:
        return None
    try:
        return parse_timestamp(raw)[0]
    except FieldError:
        return None


def text(group: Children, name: str) -> str | None:
    """Trimmed text of a child, None when absent or empty."""
    element = group.get(name)
    if element is None:
        return None
    value = (element.text or "").strip()
    return value or None


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
