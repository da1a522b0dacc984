"""The user-facing sync log: one timestamped row per decision or transition."""

from __future__ import annotations

import logging

from app.store.models import LogEvent

log = logging.getLogger("ponte.events")


def log_event(
    category: str,
    message: str,
    *,
    level: str = "info",
    sale_key: str | None = None,
    file: str | None = None,
    details: str = "",
) -> LogEvent:
    """Write one event (Portuguese message) to the sync log and mirror it to the log file."""
    log.log(
        logging.ERROR
        if level == "error"
        else logging.WARNING
        if level == "warning"
        else logging.INFO,
        "[%s] %s %s %s",
        category,
        message,
        sale_key or "",
        details,
    )
    return LogEvent.create(
        category=category,
        message=message,
        level=level,
        sale_key=sale_key,
        file=file,
        details=details,
    )
