"""Time helpers: timezone-aware 'now', São Paulo time, Brazilian formatting."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def to_sao_paulo(moment: datetime) -> datetime:
    """The same instant expressed in São Paulo time (naive input is refused)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(SAO_PAULO)


def format_br_datetime(moment: datetime) -> str:
    """04/12/2026 19:30 in São Paulo time."""
    return to_sao_paulo(moment).strftime("%d/%m/%Y %H:%M")


def format_brl(amount: Decimal) -> str:
    """R$ 1.234,56."""
    quantized = amount.quantize(Decimal("0.01"))
    sign = "-" if quantized < 0 else ""
    text = f"{abs(quantized):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{sign}R$ {text}"
