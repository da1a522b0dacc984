"""Column types that keep money exact and datetimes timezone-aware in SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import peewee


class DecimalTextField(peewee.TextField):
    """A Decimal stored as text, so SQLite never turns it into a binary float."""

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return str(Decimal(value))

    def python_value(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value))


class AwareDateTimeField(peewee.TextField):
    """A timezone-aware datetime stored as ISO 8601 text in UTC (sorts as text)."""

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            return str(value)
        if value.tzinfo is None:
            raise ValueError("naive datetime refused by AwareDateTimeField")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def python_value(self, value: Any) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(str(value))
