"""OAuth2 with Bling: the token endpoint (code exchange, refresh) and the token owner.

Bling rotates the refresh token on every refresh and bans an IP after 20 token calls in 60 s,
so exactly one owner refreshes at a time — a thread lock inside the process and a file lock in
the data dir across processes — the new pair is saved before it is used, and a dead
authorisation (`invalid_grant`) is remembered instead of retried.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
from filelock import FileLock
from filelock import Timeout as FileLockTimeout

from app.bling.errors import (
    BlingNotConnectedError,
    BlingProtocolError,
    BlingTransientError,
    BlingUnreachableError,
)
from app.bling.throttle import AccountThrottle
from app.credentials import ClientCredentials, CredentialStore, TokenSet
from app.errors import KeyringUnavailableError
from app.timeutil import utcnow

log = logging.getLogger(__name__)

REFRESH_TOKEN_LIFETIME = timedelta(days=30)  # Bling's documented refresh-token lifetime
REFRESH_MARGIN = timedelta(minutes=5)  # refresh this long before the access token expires
MAX_TOKEN_CALLS_PER_MINUTE = 5  # Bling bans the IP at 20; we stay far below
TOKEN_LOCK_NAME = "bling-token.lock"
TOKEN_CALLS_NAME = "bling-token-calls.json"


class BlingAuthorizationError(BlingNotConnectedError):
    """The token endpoint refused (invalid_grant, invalid_client...): log in again."""

    def __init__(self, message: str, *, code: str, details: str = "") -> None:
        super().__init__(message, details=details)
        self.code = code


def authorize_url(bling_url: str, client_id: str, state: str) -> str:
    """The page where the user approves Ponte (Bling ignores redirect_uri and scope)."""
    query = urlencode({"response_type": "code", "client_id": client_id, "state": state})
    return f"{bling_url.rstrip('/')}/oauth/authorize?{query}"


def new_state() -> str:
    """A random, unguessable `state` for one authorisation attempt."""
    return secrets.token_urlsafe(24)


class OAuthClient:
    """Calls to `{bling_url}/oauth/token` with HTTP Basic client credentials and JWTs enabled."""

    def __init__(
        self,
        bling_url: str,
        client: ClientCredentials,
        *,
        timeout: float = 30.0,
        throttle: AccountThrottle | None = None,
        session: requests.Session | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.bling_url = bling_url.rstrip("/")
        self.token_url = f"{self.bling_url}/oauth/token"
        self.client = client
        self.timeout = timeout
        self.throttle = throttle
        self.session = session or requests.Session()
        self._now = now
        self.calls = 0

    def exchange_code(self, code: str) -> TokenSet:
        """Trade an authorization code (valid 60 s, single use) for a token pair."""
        return self._token_call({"grant_type": "authorization_code", "code": code})

    def refresh(self, refresh_token: str) -> TokenSet:
        """Trade the refresh token for a new pair (the old refresh token dies)."""
        return self._token_call({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token_call(self, form: dict[str, str]) -> TokenSet:
        basic = base64.b64encode(
            f"{self.client.client_id}:{self.client.client_secret}".encode()
        ).decode("ascii")
        headers = {
            "Authorization": f"Basic {basic}",
            "enable-jwt": "1",
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        self.calls += 1
        started = self._now()
        try:
            if self.throttle is not None:
                with self.throttle.slot() as done:
                    response = self._post(form, headers)
                    done(response.status_code)
            else:
                response = self._post(form, headers)
        except requests.ConnectionError as exc:
            raise BlingUnreachableError(
                f"Não foi possível falar com o Bling em {self.token_url}. Verifique a internet e "
                "o endereço do Bling.",
                details=repr(exc),
            ) from exc
        except requests.Timeout as exc:
            raise BlingTransientError(
                "O Bling demorou demais para responder ao pedido de acesso. Tente de novo em "
                "alguns minutos.",
                details=repr(exc),
            ) from exc
        log.info("token call %s → %s", form["grant_type"], response.status_code)
        body = _json_or_none(response)
        if response.status_code == 200 and isinstance(body, dict):
            return token_set_from_response(body, started)
        if response.status_code == 200 and body is not None:
            raise BlingProtocolError(
                "O Bling respondeu ao pedido de acesso sem os dados esperados. Tente de novo.",
                details=f"token body: {response.text[:300]}",
            )
        if response.status_code >= 500 or response.status_code == 429:
            raise BlingTransientError(
                "O Bling não conseguiu renovar o acesso agora. Tentaremos de novo em instantes.",
                retry_after=60.0,
                details=f"token endpoint {response.status_code}: {response.text[:300]}",
            )
        if body is None:
            raise BlingUnreachableError(
                f"O endereço {self.token_url} não respondeu como a API do Bling "
                f"(HTTP {response.status_code}). Confira o endereço do Bling.",
                details=response.text[:300],
            )
        raise _authorization_error(response.status_code, body, form["grant_type"])

    def _post(self, form: dict[str, str], headers: dict[str, str]) -> requests.Response:
        return self.session.post(self.token_url, data=form, headers=headers, timeout=self.timeout)


def _json_or_none(response: requests.Response) -> Any:
    try:
        return json.loads(response.text) if response.text else None
    except ValueError:
        return None


def token_set_from_response(body: dict[str, Any], obtained: datetime) -> TokenSet:
    """A TokenSet from a token-endpoint answer received at `obtained`."""
    try:
        access = str(body["access_token"])
        refresh = str(body["refresh_token"])
        expires_in = int(body.get("expires_in") or 0)
    except (KeyError, TypeError, ValueError) as exc:
        raise BlingProtocolError(
            "O Bling respondeu ao pedido de acesso sem os dados esperados. Tente de novo.",
            details=f"token body keys: {sorted(body)}",
        ) from exc
    if not access or not refresh or expires_in <= 0:
        raise BlingProtocolError(
            "O Bling respondeu ao pedido de acesso sem os dados esperados. Tente de novo.",
            details=f"token body keys: {sorted(body)}",
        )
    return TokenSet(
        access_token=access,
        refresh_token=refresh,
        access_expires_at=obtained + timedelta(seconds=expires_in),
        refresh_expires_at=obtained + REFRESH_TOKEN_LIFETIME,
        obtained_at=obtained,
        scope=str(body.get("scope") or ""),
    )


def _authorization_error(status: int, body: Any, grant: str) -> BlingAuthorizationError:
    # Two shapes: OAuth {"error": "invalid_grant", "error_description": ...} and Bling's
    # {"error": {"type": ..., "message": ..., "description": ...}}.
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = str(error.get("type") or error.get("message") or "")
        text = str(error.get("description") or error.get("message") or "")
    else:
        code = str(error or "")
        text = str(body.get("error_description") or "") if isinstance(body, dict) else ""
    details = f"{grant}: HTTP {status} {code}: {text}"
    if code == "invalid_client":
        message = (
            "O Bling não reconheceu o client id ou o client secret do aplicativo. Confira os "
            "dados em Central de Extensões → Área do Integrador e conecte de novo."
        )
    elif grant == "authorization_code":
        message = (
            "O código de autorização do Bling expirou ou já foi usado (ele vale 1 minuto). "
            "Conecte de novo."
        )
    elif "inativa" in text.lower():
        message = (
            "O Bling informa que a empresa está inativa. Regularize a conta e conecte de novo."
        )
    else:
        message = (
            "A autorização do Ponte no Bling não vale mais (foi revogada ou expirou). "
            "Conecte o Ponte ao Bling de novo."
        )
    return BlingAuthorizationError(message, code=code or f"http_{status}", details=details)


class TokenCallBudget:
    """At most `limit` token calls per minute across processes (timestamps in a small file).

    Only ever read and written while the token file lock is held.
    """

    def __init__(self, path: Path | None, limit: int = MAX_TOKEN_CALLS_PER_MINUTE) -> None:
        self.path = path
        self.limit = limit
        self._memory: list[float] = []

    def _load(self) -> list[float]:
        if self.path is None:
            return list(self._memory)
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return [float(x) for x in raw] if isinstance(raw, list) else []
        except (OSError, ValueError, TypeError):
            return []

    def _store(self, calls: list[float]) -> None:
        self._memory = calls
        if self.path is not None:
            try:
                self.path.write_text(json.dumps(calls), encoding="utf-8")
            except OSError as exc:
                log.warning("could not record token calls in %s: %r", self.path, exc)

    def take(self) -> None:
        """Count one token call, or raise BlingTransientError when the minute is used up."""
        now = time.time()
        calls = [t for t in self._load() if now - t < 60.0]
        if len(calls) >= self.limit:
            wait = 60.0 - (now - min(calls))
            raise BlingTransientError(
                "Muitas renovações de acesso ao Bling em pouco tempo; o Ponte espera "
                f"{wait:.0f} s para não ter o IP bloqueado pelo Bling.",
                retry_after=wait,
            )
        calls.append(now)
        self._store(calls)


class TokenManager:
    """Hands out a valid access token; refreshes it before expiry or after a 401."""

    def __init__(
        self,
        credentials: CredentialStore,
        oauth: OAuthClient,
        *,
        lock_dir: Path | None,
        margin: timedelta = REFRESH_MARGIN,
        lock_timeout: float = 60.0,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.credentials = credentials
        self.oauth = oauth
        self.margin = margin
        self._now = now
        self._lock = threading.Lock()
        self._file_lock = (
            FileLock(str(lock_dir / TOKEN_LOCK_NAME), timeout=lock_timeout) if lock_dir else None
        )
        self._budget = TokenCallBudget(lock_dir / TOKEN_CALLS_NAME if lock_dir else None)
        self._cached: TokenSet | None = None
        self._dead: BlingNotConnectedError | None = None
        self._dead_refresh: str | None = None  # the refresh token that stopped working
        self.refreshes = 0

    def access_token(self) -> str:
        """A token valid for at least `margin` (refreshing first when needed)."""
        self._check_alive()
        tokens = self._cached or self._load()
        if self._fresh(tokens):
            return tokens.access_token
        return self._refresh(stale=tokens.access_token).access_token

    def _fresh(self, tokens: TokenSet) -> bool:
        # A short-lived token (simulator, tests) gets a proportional margin, or every call
        # would refresh it.
        lifetime = tokens.access_expires_at - tokens.obtained_at
        margin = min(self.margin, lifetime / 4)
        return tokens.access_expires_at - margin > self._now()

    def after_unauthorized(self, used_token: str) -> str:
        """Bling answered 401 to `used_token`: a newer token (someone else's or a fresh one)."""
        self._check_alive()
        return self._refresh(stale=used_token, force=True).access_token

    def _load(self) -> TokenSet:
        reason = self.credentials.reconnect_reason()
        if reason:
            raise self._die(reason)
        tokens = self.credentials.get_tokens()
        if tokens is None:
            raise BlingNotConnectedError(
                "O Ponte ainda não está conectado ao Bling. Use 'ponte-bling login' ou o botão "
                "Conectar ao Bling."
            )
        self._cached = tokens
        return tokens

    def _check_alive(self) -> None:
        """Raise while the authorisation is known dead; revive once the user logged in again.

        Only the keyring is read (no network), so a dead manager never calls Bling.
        """
        if self._dead is None:
            return
        if self.credentials.reconnect_reason() is None:
            tokens = self.credentials.get_tokens()
            if tokens is not None and tokens.refresh_token != self._dead_refresh:
                log.info("new authorisation found in the keyring; resuming")
                self._dead = None
                self._cached = tokens
                return
        raise self._dead

    def _die(self, reason: str) -> BlingNotConnectedError:
        self._dead = BlingNotConnectedError(
            "A conexão com o Bling precisa ser refeita: a autorização não vale mais. "
            "Use 'ponte-bling login' ou o botão Conectar ao Bling.",
            details=reason,
        )
        return self._dead

    def _refresh(self, *, stale: str, force: bool = False) -> TokenSet:
        with self._lock:
            if self._file_lock is None:
                return self._refresh_locked(stale, force)
            try:
                with self._file_lock:
                    return self._refresh_locked(stale, force)
            except FileLockTimeout as exc:
                raise BlingTransientError(
                    "Outra janela do Ponte está renovando o acesso ao Bling; tente de novo em "
                    "instantes.",
                    retry_after=30.0,
                    details=repr(exc),
                ) from exc

    def _refresh_locked(self, stale: str, force: bool) -> TokenSet:
        # Someone (another thread or process) may have refreshed while we waited for the lock.
        current = self._load()
        if current.access_token != stale and (force or self._fresh(current)):
            return current
        self._budget.take()
        try:
            fresh = self.oauth.refresh(current.refresh_token)
        except BlingAuthorizationError as exc:
            log.error("refresh refused by Bling: %s", exc.details)
            self._dead_refresh = current.refresh_token
            # Remember it (in the keyring too, for other processes): no loop of token calls.
            try:
                self.credentials.mark_reconnect_required(exc.code or "invalid_grant")
            finally:
                self._die(exc.code)
            assert self._dead is not None
            raise self._dead from exc
        # Store before use: the old refresh token is already dead at Bling. One retry, since
        # losing this pair means the user has to log in again.
        try:
            self.credentials.save_tokens(fresh)
        except KeyringUnavailableError:
            log.warning("saving the refreshed tokens failed once; retrying")
            time.sleep(0.2)
            self.credentials.save_tokens(fresh)
        self._cached = fresh
        self.refreshes += 1
        log.info("access token refreshed; valid until %s", fresh.access_expires_at.isoformat())
        return fresh
