"""What every resource handler receives, and small helpers they share."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from app.simulator.config import SimulatorConfig
from app.simulator.errors import ApiError, field_error
from app.simulator.http import Query
from app.simulator.state import SimulatorState

T = TypeVar("T")
MAX_PAGE_SIZE = 100


@dataclass
class Ctx:
    state: SimulatorState
    config: SimulatorConfig
    rng: random.Random = field(default_factory=random.Random)

    def now(self) -> datetime:
        return self.state.clock.now()


def paginate(query: Query, rows: list[T]) -> list[T]:
    """Bling paging: `pagina` from 1, `limite` default 100, at most 100 (larger is capped)."""
    page = query.get_int("pagina", 1, minimum=1) or 1
    size = min(query.get_int("limite", MAX_PAGE_SIZE, minimum=1) or MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    start = (page - 1) * size
    return rows[start : start + size]


def check_period(
    first: datetime | None, last: datetime | None, first_name: str, last_name: str
) -> None:
    """Bling refuses period filters wider than one year (HTTP 400)."""
    if first is None or last is None:
        return
    if last < first:
        message = f"{last_name} não pode ser anterior a {first_name}."
        raise ApiError(
            400,
            "VALIDATION_ERROR",
            "Período inválido",
            message,
            [field_error(0, message, last_name, "QUERY")],
        )
    if last - first > timedelta(days=366):
        message = "O período informado não pode ser superior a 1 ano."
        raise ApiError(
            400,
            "VALIDATION_ERROR",
            "Período inválido",
            message,
            [field_error(0, message, first_name, "QUERY")],
        )


def naive(moment: datetime | None) -> datetime | None:
    """São Paulo wall time without tzinfo (Bling's filters are local, naive strings)."""
    return moment.replace(tzinfo=None) if moment is not None else None
