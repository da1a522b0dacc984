"""Bling's request budget: 3 requests/s and a daily cap per account, plus its IP blocks."""

from __future__ import annotations

from collections import deque
from datetime import date

from app.simulator.config import SimulatorConfig
from app.simulator.errors import ApiError, too_many_requests
from app.simulator.models import BlockEvent
from app.simulator.state import SimulatorState

_BLOCK_REASONS = {
    "token_calls": "excesso de chamadas ao /oauth/token",
    "errors": "excesso de respostas de erro",
    "requests": "excesso de requisições",
}


def _trim(window: deque[float], now: float, span: float) -> None:
    while window and window[0] <= now - span:
        window.popleft()


class RequestGuard:
    """Sliding windows over what the account and the client's IP have done.

    Call with the state lock held.
    """

    def __init__(self, config: SimulatorConfig, state: SimulatorState) -> None:
        self._config = config
        self._state = state
        self._second: deque[float] = deque()  # admitted API requests, last second
        self._requests: deque[float] = deque()  # all requests, last ip_window
        self._errors: deque[float] = deque()  # error answers, last ip_window
        self._tokens: deque[float] = deque()  # token calls, last token window
        self._day: date | None = None
        self.day_count = 0
        self.blocked_until = 0.0

    def check_ip(self, now: float) -> None:
        """Count a received request toward the IP rules; ApiError 403 while blocked."""
        limit = self._config.ip_requests_limit
        self._requests.append(now)
        _trim(self._requests, now, self._config.ip_window)
        counters = self._state.counters
        counters.max_requests_in_window = max(counters.max_requests_in_window, len(self._requests))
        if now < self.blocked_until:
            raise self._blocked_error()
        if limit is not None and len(self._requests) > limit:
            self._block("requests", now, self._config.ip_block_seconds)
            raise self._blocked_error()

    def count_token_call(self, now: float) -> None:
        """Count a call to /oauth/token; past the limit the IP is blocked for a long time."""
        self._state.counters.token_calls.append(now)
        self._tokens.append(now)
        _trim(self._tokens, now, self._config.token_calls_window)
        counters = self._state.counters
        counters.max_token_calls_in_window = max(
            counters.max_token_calls_in_window, len(self._tokens)
        )
        limit = self._config.token_calls_limit
        if limit is not None and len(self._tokens) > limit:
            self._block("token_calls", now, self._config.token_block_seconds)
            raise self._blocked_error()

    def count_error(self, now: float) -> None:
        """Count an error answer (status 400 or more) toward the IP rule on errors."""
        self._errors.append(now)
        _trim(self._errors, now, self._config.ip_window)
        counters = self._state.counters
        counters.max_errors_in_window = max(counters.max_errors_in_window, len(self._errors))
        limit = self._config.ip_errors_limit
        if limit is not None and len(self._errors) > limit and now >= self.blocked_until:
            self._block("errors", now, self._config.ip_block_seconds)

    def admit(self, now: float, today: date) -> None:
        """Admit an authenticated API request or raise the 429 Bling answers."""
        if self._day != today:
            self._day = today
            self.day_count = 0
        per_day = self._config.requests_per_day
        if per_day and self.day_count >= per_day:
            raise too_many_requests("day", per_day)
        per_second = self._config.requests_per_second
        if per_second:
            _trim(self._second, now, 1.0)
            if len(self._second) >= per_second:
                raise too_many_requests("second", per_second)
            self._second.append(now)
        self.day_count += 1

    def _block(self, reason: str, now: float, seconds: float) -> None:
        self.blocked_until = max(self.blocked_until, now + seconds)
        self._state.blocks.append(BlockEvent(reason, now, now + seconds))

    def _blocked_error(self) -> ApiError:
        reason = self._state.blocks[-1].reason if self._state.blocks else "requests"
        return ApiError(
            403,
            "FORBIDDEN",
            "IP bloqueado",
            f"O IP foi bloqueado temporariamente por {_BLOCK_REASONS[reason]}.",
        )
