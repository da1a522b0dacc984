"""The account throttle: never 4 requests in one window, pauses, the 10 s and daily budgets."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, date, datetime

import pytest

from app.bling.errors import BlingRateLimitedError
from app.bling.throttle import (
    AccountThrottle,
    MemoryUsage,
    RateLimits,
    next_sao_paulo_midnight,
    sao_paulo_today,
    throttle_for,
)


def test_never_more_than_three_in_any_window_with_jittery_answers() -> None:
    window = 0.2
    throttle = AccountThrottle(RateLimits(per_second=3, window=window, margin=0.0))
    log: list[tuple[float, float]] = []  # (sent, answered)
    lock = threading.Lock()
    rng = random.Random(7)

    def worker() -> None:
        for _ in range(6):
            with throttle.slot() as done:
                sent = time.monotonic()
                time.sleep(rng.uniform(0, 0.03))  # the network takes its time
                answered = time.monotonic()
                done(200)
            with lock:
                log.append((sent, answered))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    log.sort()
    # Bling received each request somewhere between sent and answered. Even in the worst
    # case (a request arriving the moment it was sent, the earlier ones the moment they were
    # answered) no window of `window` seconds holds 4: when a request is sent, at most 2
    # earlier ones may still have been answered within the last window.
    for k, (sent, _) in enumerate(log):
        overlapping = [e for s, e in log[:k] if e > sent - window + 1e-3]
        assert len(overlapping) <= 2, (k, overlapping)
    # ...and the throttle does not dawdle: 24 requests at 3 per window plus network time.
    assert elapsed < (24 / 3) * (window + 0.035) + 0.3


def test_pause_holds_every_request() -> None:
    throttle = AccountThrottle(RateLimits(per_second=0))
    throttle.pause(0.3)
    started = time.monotonic()
    with throttle.slot() as done:
        done(200)
    assert time.monotonic() - started >= 0.28


def test_error_budget_slows_down_before_bling_blocks_the_ip() -> None:
    throttle = AccountThrottle(RateLimits(per_second=0, errors_per_10s=5))
    for _ in range(5):
        with throttle.slot() as done:
            done(500)
    # The sixth request would exceed the error budget: it must wait ~10 s. Check the delay
    # the throttle computes rather than sleeping through it.
    with throttle._cond:
        delay = throttle._delay_locked(time.monotonic())
    assert 9.0 < delay <= 10.0


def test_daily_budget_counts_requests_and_stops_at_the_limit() -> None:
    usage = MemoryUsage()
    throttle = AccountThrottle(RateLimits(per_second=0, per_day=3), usage=usage)
    for _ in range(3):
        with throttle.slot() as done:
            done(200)
    assert usage.used(sao_paulo_today()) == 3
    assert throttle.used_today() == 3
    with pytest.raises(BlingRateLimitedError) as info, throttle.slot():
        pass
    assert info.value.period == "day"
    assert "limite diário" in info.value.message


def test_daily_block_lasts_until_sao_paulo_midnight() -> None:
    # 23:30 in São Paulo is 02:30 UTC the next day.
    now = datetime(2026, 12, 5, 2, 30, tzinfo=UTC)
    assert sao_paulo_today(now) == date(2026, 12, 4)
    midnight = next_sao_paulo_midnight(now)
    assert midnight.isoformat() == "2026-12-05T00:00:00-03:00"
    moments = [now]
    throttle = AccountThrottle(RateLimits(per_second=0), now=lambda: moments[0])
    throttle.block_for_the_day()
    with pytest.raises(BlingRateLimitedError), throttle.slot():
        pass
    moments[0] = datetime(2026, 12, 5, 3, 0, 1, tzinfo=UTC)  # 00:00:01 in São Paulo
    with throttle.slot() as done:
        done(200)


def test_one_throttle_per_account() -> None:
    a = throttle_for("http://x/Api/v3", "client-a")
    assert throttle_for("http://x/Api/v3/", "client-a") is a
    assert throttle_for("http://x/Api/v3", "client-b") is not a
