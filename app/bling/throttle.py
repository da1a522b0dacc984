"""One request budget per Bling account (design §6).

Bling counts per account, across endpoints: 3 requests in any second, 120,000 per São Paulo day;
and per IP: 600 requests or 300 error answers in 10 s (then a 10-minute block). Every request
of the process for one account goes through the same `AccountThrottle` (see `throttle_for`).

How "never 4 in one second" is kept without guessing network jitter: a slot is reserved when a
request is sent and re-stamped with the moment its answer arrived. Bling received the request
somewhere between those two instants, so the next request that would be the 4th in a window is
sent only 1 s (plus a small margin) after the *answer* of the request 3 places back. That holds
however the network delays each request, at the price of one round trip per 3 requests.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from app.bling.errors import BlingRateLimitedError
from app.timeutil import SAO_PAULO, utcnow

log = logging.getLogger(__name__)

DAILY_LIMIT = 120_000


@dataclass(frozen=True)
class RateLimits:
    """Limits one account's throttle keeps. Defaults are Bling's, with safety margins."""

    per_second: int = 3  # requests in any window of `window` seconds; 0 = no limit
    window: float = 1.0
    margin: float = 0.02  # added to the window for clock granularity
    per_10s: int = 600
    errors_per_10s: int = 250  # Bling blocks the IP at 300; stay clearly below
    per_day: int = DAILY_LIMIT


UNLIMITED = RateLimits(per_second=0)


class UsageRecorder(Protocol):
    """Counts requests per São Paulo day (the database implements it with `ApiUsage`)."""

    def record(self, day: date, count: int = 1) -> None: ...

    def used(self, day: date) -> int: ...


class MemoryUsage:
    """A `UsageRecorder` in memory (the client works without a database)."""

    def __init__(self) -> None:
        self._days: dict[date, int] = {}
        self._lock = threading.Lock()

    def record(self, day: date, count: int = 1) -> None:
        with self._lock:
            self._days[day] = self._days.get(day, 0) + count

    def used(self, day: date) -> int:
        with self._lock:
            return self._days.get(day, 0)


def sao_paulo_today(now: datetime | None = None) -> date:
    """Bling's day (the daily budget resets at São Paulo midnight)."""
    return (now or utcnow()).astimezone(SAO_PAULO).date()


def next_sao_paulo_midnight(now: datetime | None = None) -> datetime:
    """The next São Paulo midnight, aware."""
    local = (now or utcnow()).astimezone(SAO_PAULO)
    tomorrow = local.date() + timedelta(days=1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=SAO_PAULO)


_PENDING = float("inf")


class _Slot:
    __slots__ = ("stamp",)

    def __init__(self, stamp: float) -> None:
        self.stamp = stamp


class AccountThrottle:
    """The request budget of one Bling account, shared by every thread of the process."""

    def __init__(
        self,
        limits: RateLimits | None = None,
        *,
        usage: UsageRecorder | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.limits = limits or RateLimits()
        self.usage: UsageRecorder = usage or MemoryUsage()
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self._cond = threading.Condition()
        self._recent: deque[_Slot] = deque()  # per-second window (reserved or answered)
        self._ten_seconds: deque[float] = deque()
        self._errors: deque[float] = deque()
        self._paused_until = 0.0  # monotonic; after a per-second 429
        self._day_blocked_until: datetime | None = None
        self.requests_sent = 0
        self.waited_seconds = 0.0

    # Public API
    @contextmanager
    def slot(self) -> Iterator[Callable[[int], None]]:
        """Wait for room, then yield `done(status)` to call with the answer's HTTP status
        (0 when no answer came). Exiting without calling it counts as no answer."""
        slot = self._acquire()
        finished = False

        def done(status: int) -> None:
            nonlocal finished
            if not finished:
                finished = True
                self._release(slot, status)

        try:
            yield done
        finally:
            done(0)

    def pause(self, seconds: float) -> None:
        """Hold every request of this account for a while (after a per-second 429)."""
        with self._cond:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
            self._cond.notify_all()

    def block_for_the_day(self, now: datetime | None = None) -> datetime:
        """No more requests until São Paulo midnight (after a daily 429)."""
        until = next_sao_paulo_midnight(now or self._now())
        with self._cond:
            self._day_blocked_until = until
        return until

    def used_today(self) -> int:
        return self.usage.used(sao_paulo_today(self._now()))

    # Internals
    def _check_day(self) -> None:
        now = self._now()
        if self._day_blocked_until is not None:
            if now < self._day_blocked_until:
                raise _daily_error(self._day_blocked_until)
            self._day_blocked_until = None
        if self.limits.per_day and self.usage.used(sao_paulo_today(now)) >= self.limits.per_day:
            self._day_blocked_until = next_sao_paulo_midnight(now)
            raise _daily_error(self._day_blocked_until)

    def _acquire(self) -> _Slot:
        with self._cond:
            self._check_day()
            while True:
                delay = self._delay_locked(self._clock())
                if delay <= 0:
                    break
                self.waited_seconds += delay
                self._cond.wait(timeout=delay)
            now = self._clock()
            slot = _Slot(_PENDING)  # stamped when its answer arrives
            self._recent.append(slot)
            self._ten_seconds.append(now)
            self.requests_sent += 1
        self.usage.record(sao_paulo_today(self._now()))
        return slot

    def _delay_locked(self, now: float) -> float:
        limits = self.limits
        delays = [self._paused_until - now]
        if limits.per_second:
            horizon = limits.window + limits.margin
            while self._recent and self._recent[0].stamp != _PENDING:
                if now - self._recent[0].stamp >= horizon:
                    self._recent.popleft()
                else:
                    break
            if len(self._recent) >= limits.per_second:
                oldest = self._recent[-limits.per_second]
                if oldest.stamp == _PENDING:
                    delays.append(1.0)  # until its answer arrives (release notifies)
                else:
                    delays.append(oldest.stamp + horizon - now)
        for queue, cap in (
            (self._ten_seconds, limits.per_10s),
            (self._errors, limits.errors_per_10s),
        ):
            while queue and now - queue[0] >= 10.0:
                queue.popleft()
            if cap and len(queue) >= cap:
                delays.append(queue[0] + 10.0 - now)
        return max(delays)

    def _release(self, slot: _Slot, status: int) -> None:
        with self._cond:
            now = self._clock()
            slot.stamp = now
            # Keep the deque ordered by stamp so the window math stays simple.
            ordered = sorted(self._recent, key=lambda s: s.stamp)
            self._recent = deque(ordered)
            if status == 0 or status >= 400:
                self._errors.append(now)
            self._cond.notify_all()


def _daily_error(until: datetime) -> BlingRateLimitedError:
    local = until.astimezone(SAO_PAULO)
    return BlingRateLimitedError(
        "O limite diário de requisições do Bling (120.000 por conta) foi atingido. "
        f"O envio volta sozinho a partir de {local:%d/%m/%Y %H:%M}.",
        period="day",
        retry_after=max(0.0, (until - utcnow()).total_seconds()),
    )


_registry: dict[tuple[str, str], AccountThrottle] = {}
_registry_lock = threading.Lock()


def throttle_for(
    bling_url: str,
    client_id: str,
    *,
    limits: RateLimits | None = None,
    usage: UsageRecorder | None = None,
) -> AccountThrottle:
    """The process-wide throttle of one account (Bling address + client id)."""
    key = (bling_url.rstrip("/"), client_id)
    with _registry_lock:
        throttle = _registry.get(key)
        if throttle is None:
            throttle = AccountThrottle(limits, usage=usage)
            _registry[key] = throttle
        else:
            if limits is not None:
                throttle.limits = limits
            if usage is not None:
                throttle.usage = usage
        return throttle
