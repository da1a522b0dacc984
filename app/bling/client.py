"""HTTP transport to Bling API v3: throttle, token, retries and typed errors (design §6).

Retry rules, in one place:
- GET: retried on timeouts, connection errors and 5xx with exponential backoff and jitter
  (a small loop here, `RetryPolicy`; urllib3's own retries are off so every attempt passes the
  throttle).
- POST/PATCH/PUT/DELETE: never retried blindly. A timeout, dropped connection, 5xx or unreadable
  2xx answer raises `BlingOutcomeUnknownError`: the engine searches before re-sending. Only
  failures where the request provably never left (connection refused, DNS) are plain
  `BlingUnreachableError`.
- 401: one token refresh and one replay (any method: 401 means Bling did not process it).
- 429 `period=second`: pause the account's throttle and replay (any method, same reason);
  `period=day`: stop until São Paulo midnight (`BlingRateLimitedError(period="day")`).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from app import __version__
from app.bling import errormap, jsonutil
from app.bling.errors import (
    BlingError,
    BlingNotConnectedError,
    BlingOutcomeUnknownError,
    BlingProtocolError,
    BlingRateLimitedError,
    BlingTransientError,
    BlingUnreachableError,
)
from app.bling.throttle import AccountThrottle
from app.timeutil import utcnow

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD"})
Params = Mapping[str, str | int | list[str] | list[int] | tuple[str, ...] | tuple[int, ...]]


class TokenProvider(Protocol):
    """Where the client gets its bearer token (`TokenManager` in production)."""

    def access_token(self) -> str: ...

    def after_unauthorized(self, used_token: str) -> str: ...


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up on one call."""

    get_attempts: int = 4  # total tries of a GET on timeouts, connection errors and 5xx
    base_delay: float = 0.5  # first backoff; doubles each time, with jitter
    max_delay: float = 8.0
    rate_limit_replays: int = 5  # replays after a per-second 429
    rate_limit_pause: float = 1.0  # the whole account pauses this long after a per-second 429


@dataclass
class ClientStats:
    """Counters for the benchmark, the status line and tests."""

    requests: int = 0
    retries: int = 0
    too_many_requests: int = 0
    unauthorized: int = 0


class BlingClient:
    """JSON calls to `{bling_url}/…` for one Bling account."""

    def __init__(
        self,
        bling_url: str,
        tokens: TokenProvider,
        throttle: AccountThrottle,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.bling_url = bling_url.rstrip("/")
        self.tokens = tokens
        self.throttle = throttle
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.stats = ClientStats()
        self._sleep = sleep
        self._local = threading.local()

    def _session(self) -> requests.Session:
        # One session (connection pool) per thread: requests.Session is not thread-safe.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(
                {
                    "Accept": "application/json",
                    "enable-jwt": "1",
                    "User-Agent": f"ponte-bling/{__version__}",
                }
            )
            self._local.session = session
        return session

    # Convenience verbs: each returns the parsed JSON body (None for 204 / empty).
    def get(self, path: str, params: Params | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any = None, params: Params | None = None) -> Any:
        return self.request("POST", path, params=params, body=body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self.request("PATCH", path, body=body)

    def put(self, path: str, body: Any = None) -> Any:
        return self.request("PUT", path, body=body)

    def delete(self, path: str, params: Params | None = None) -> Any:
        return self.request("DELETE", path, params=params)

    def url_for(self, path: str) -> str:
        return f"{self.bling_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
    ) -> Any:
        """One logical call: throttled, authorised, retried where safe, errors typed."""
        method = method.upper()
        url = self.url_for(path)
        data = jsonutil.encode(body).encode("utf-8") if body is not None else None
        safe = method in SAFE_METHODS
        failures = 0
        replayed_401 = False
        rate_replays = 0
        token = self.tokens.access_token()
        while True:
            headers = {"Authorization": f"Bearer {token}"}
            if data is not None:
                headers["Content-Type"] = "application/json"
            try:
                response = self._send(method, url, params, data, headers)
            except requests.RequestException as exc:
                failures += 1
                error = self._transport_error(exc, method, path, url, safe)
                if (
                    safe
                    and failures < self.retry.get_attempts
                    and not isinstance(error, BlingProtocolError)
                ):
                    self._backoff(failures, None, f"{method} {path}: {exc!r}")
                    continue
                raise error from exc

            status = response.status_code
            if status == 401:
                self.stats.unauthorized += 1
                if replayed_401:
                    raise BlingNotConnectedError(
                        "O Bling recusou o acesso mesmo depois de renová-lo. Conecte o Ponte ao "
                        "Bling de novo.",
                        details=f"{method} {path}: 401 twice; {response.text[:300]}",
                    )
                replayed_401 = True
                token = self.tokens.after_unauthorized(token)
                continue
            if status == 429:
                self.stats.too_many_requests += 1
                period = _rate_limit_period(response)
                if period == "day":
                    until = self.throttle.block_for_the_day()
                    raise BlingRateLimitedError(
                        "O limite diário de requisições do Bling foi atingido. O envio volta "
                        f"sozinho a partir de {until:%d/%m/%Y %H:%M}.",
                        period="day",
                        retry_after=max(0.0, (until - utcnow()).total_seconds()),
                        details=f"{method} {path}: {response.text[:300]}",
                    )
                wait = _retry_after(response) or self.retry.rate_limit_pause
                self.throttle.pause(wait)
                if rate_replays < self.retry.rate_limit_replays:
                    rate_replays += 1
                    self.stats.retries += 1
                    log.warning("429 (second) on %s %s; pausing %.1f s", method, path, wait)
                    continue
                raise BlingRateLimitedError(
                    "O Bling está recebendo requisições demais desta conta (limite de 3 por "
                    "segundo, somado a outras integrações). O Ponte tenta de novo em instantes.",
                    period="second",
                    retry_after=wait,
                    details=f"{method} {path}: {response.text[:300]}",
                )
            if status >= 500:
                if safe:
                    failures += 1
                    if failures < self.retry.get_attempts:
                        self._backoff(
                            failures, _retry_after(response), f"{method} {path}: {status}"
                        )
                        continue
                    raise BlingTransientError(
                        f"O Bling está com problemas no momento (erro {status}). O Ponte tenta de "
                        "novo mais tarde.",
                        retry_after=60.0,
                        details=f"{method} {path}: {status} {response.text[:300]}",
                    )
                raise BlingOutcomeUnknownError(
                    f"O Bling respondeu com erro {status} durante uma gravação; não dá para saber "
                    "se ela foi feita. O Ponte confere no Bling antes de reenviar.",
                    details=f"{method} {path}: {status} {response.text[:300]}",
                )
            return self._parse(response, method, path, url, safe)

    def _send(
        self,
        method: str,
        url: str,
        params: Params | None,
        data: bytes | None,
        headers: dict[str, str],
    ) -> requests.Response:
        with self.throttle.slot() as done:
            started = time.monotonic()
            response = self._session().request(
                method, url, params=params, data=data, headers=headers, timeout=self.timeout
            )
            done(response.status_code)
        self.stats.requests += 1
        log.debug(
            "%s %s → %s in %.0f ms",
            method,
            url.removeprefix(self.bling_url),
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    def _backoff(self, failures: int, retry_after: float | None, what: str) -> None:
        delay = min(self.retry.max_delay, self.retry.base_delay * 2 ** (failures - 1))
        delay = delay / 2 + random.uniform(0, delay / 2)  # jitter: never in lockstep
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.retry.max_delay * 4))
        self.stats.retries += 1
        log.warning("retrying in %.2f s after %s", delay, what)
        self._sleep(delay)

    def _transport_error(
        self, exc: requests.RequestException, method: str, path: str, url: str, safe: bool
    ) -> BlingError:
        details = f"{method} {path}: {exc!r}"
        if _never_sent(exc):
            return BlingUnreachableError(
                f"Não foi possível conectar ao Bling em {self.bling_url}. Verifique a internet e "
                "se o endereço do Bling está correto.",
                details=details,
            )
        if not safe:
            return BlingOutcomeUnknownError(
                "A conexão com o Bling caiu durante uma gravação; não dá para saber se ela foi "
                "feita. O Ponte confere no Bling antes de reenviar.",
                details=details,
            )
        if isinstance(exc, requests.Timeout):
            return BlingTransientError(
                f"O Bling não respondeu em {self.timeout:.0f} s. O Ponte tenta de novo mais tarde.",
                retry_after=60.0,
                details=details,
            )
        if isinstance(exc, requests.ConnectionError):
            return BlingUnreachableError(
                f"A conexão com o Bling em {self.bling_url} caiu. O Ponte tenta de novo mais tarde.",
                details=details,
            )
        return BlingProtocolError("Não foi possível montar a requisição ao Bling.", details=details)

    def _parse(
        self, response: requests.Response, method: str, path: str, url: str, safe: bool
    ) -> Any:
        status = response.status_code
        text = response.text
        body: Any = None
        parsed = False
        if text.strip():
            try:
                body = jsonutil.decode(text)
                parsed = True
            except ValueError:
                parsed = False
        else:
            parsed = True  # 204 / empty answer
        details = f"{method} {path}: HTTP {status} {text[:300]!r}"
        if 200 <= status < 300:
            if parsed:
                return body
            if not safe:
                raise BlingOutcomeUnknownError(
                    "O Bling aceitou uma gravação mas a resposta veio ilegível; não dá para saber "
                    "o resultado. O Ponte confere no Bling antes de reenviar.",
                    details=details,
                )
            raise BlingProtocolError(
                "O Bling enviou uma resposta que não é JSON válido. O Ponte tenta de novo mais "
                "tarde; se continuar, confira o endereço do Bling.",
                details=details,
            )
        if not parsed or not isinstance(body, dict) or "error" not in body:
            if status == 404:
                raise BlingUnreachableError(
                    f"O endereço {self.bling_url} não parece ser a API do Bling (HTTP 404 em "
                    f"{url}). Confira o endereço do Bling.",
                    details=details,
                )
            if status == 403:
                raise BlingTransientError(
                    "O Bling bloqueou temporariamente as requisições deste computador (bloqueio "
                    "de IP por excesso de requisições ou erros). O Ponte espera 10 minutos.",
                    retry_after=600.0,
                    details=details,
                )
            raise BlingProtocolError(
                f"O Bling respondeu HTTP {status} sem a mensagem de erro esperada.",
                details=details,
            )
        raise errormap.api_error(status, body, method=method, path=path)


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request provably never reached the server (refused, DNS, connect timeout)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        reason = exc.args[0]
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        return isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return False


def _rate_limit_period(response: requests.Response) -> str:
    try:
        body = jsonutil.decode(response.text)
    except ValueError:
        return "second"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and str(error.get("period", "")).lower() == "day":
        return "day"
    return "second"


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
