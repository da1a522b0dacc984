"""A clock the tests can move forward (code and token expiry, rate windows, day boundary)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from app.timeutil import SAO_PAULO


class SimClock:
    """Monotonic seconds and wall time, both shifted by a test-controlled offset."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def advance(self, seconds: float) -> None:
        """Pretend that `seconds` have passed."""
        with self._lock:
            self._offset += seconds

    def monotonic(self) -> float:
        with self._lock:
            return time.monotonic() + self._offset

    def now(self) -> datetime:
        """Aware wall time in São Paulo (what Bling shows to the account)."""
        with self._lock:
            offset = self._offset
        return (datetime.now(UTC) + timedelta(seconds=offset)).astimezone(SAO_PAULO)
