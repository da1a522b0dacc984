"""The daily request count in the local store (`ApiUsage`), shown by `status` and the UI."""

from __future__ import annotations

import logging
from datetime import date

import peewee

from app.store.models import ApiUsage

log = logging.getLogger(__name__)


class DatabaseUsage:
    """A `UsageRecorder` over the `ApiUsage` table (one row per São Paulo day).

    Counting must never stop a sale from going out, so database errors are logged and the
    count falls back to the last known value.
    """

    def __init__(self) -> None:
        self._last: dict[date, int] = {}

    def record(self, day: date, count: int = 1) -> None:
        key = day.isoformat()
        try:
            (
                ApiUsage.insert(day=key, requests=count)
                .on_conflict(
                    conflict_target=[ApiUsage.day],
                    update={ApiUsage.requests: ApiUsage.requests + count},
                )
                .execute()
            )
        except peewee.PeeweeException as exc:
            log.warning("could not count Bling requests for %s: %r", key, exc)
            self._last[day] = self._last.get(day, 0) + count

    def used(self, day: date) -> int:
        try:
            row = ApiUsage.get_or_none(ApiUsage.day == day.isoformat())
        except peewee.PeeweeException as exc:
            log.warning("could not read Bling request count: %r", exc)
            return self._last.get(day, 0)
        value = int(row.requests) if row is not None else 0
        self._last[day] = value
        return value


def requests_on(day: date) -> int:
    """Requests counted for one São Paulo day (0 when none)."""
    row = ApiUsage.get_or_none(ApiUsage.day == day.isoformat())
    return int(row.requests) if row is not None else 0
