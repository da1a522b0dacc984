"""Bling secrets in the OS keyring: client id/secret and the token pair (design §7).

Nothing here ever touches SQLite or the log file. Windows' Credential Manager caps one entry at
about 1,280 characters and Bling's JWTs reach 3,000, so long values are split over several
entries and joined back transparently (see `_ChunkedSecrets`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from app.errors import KeyringUnavailableError

log = logging.getLogger(__name__)

SERVICE_NAME = "PonteBling"
DEFAULT_SCOPE = "bling"
REAL_BLING_URL = "https://api.bling.com.br/Api/v3"

# Windows stores the blob as UTF-16 in at most 2,560 bytes (1,280 characters); stay well below.
CHUNK_SIZE = 1000
_CHUNK_MARKER = "ponte-chunked:v1"

_UNAVAILABLE_MESSAGE = (
    "Nenhum cofre de senhas do sistema está disponível para guardar o acesso ao Bling com "
    "segurança. No Windows, verifique se o Gerenciador de Credenciais funciona; no Linux, "
    "instale e inicie o gnome-keyring (Secret Service) e desbloqueie-o. O Ponte não grava "
    "senhas em arquivo comum."
)
_LOCKED_MESSAGE = (
    "O cofre de senhas do sistema está bloqueado. Desbloqueie-o (entre na sessão do usuário "
    "ou informe a senha do cofre) e tente de novo."
)

# Backends that cannot keep a secret: refused even if configured (maestral does the same).
_REFUSED_BACKENDS: tuple[type[KeyringBackend], ...] = (fail.Keyring, null.Keyring)
_REFUSED_MODULE_PREFIXES = ("keyrings.alt",)  # plaintext/obfuscated files


@dataclass(frozen=True)
class ClientCredentials:
    """The Bling app's client id and secret (pasted by the store owner)."""

    client_id: str
    client_secret: str


@dataclass(frozen=True)
class TokenSet:
    """An OAuth2 token pair with its lifetimes (aware datetimes)."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime | None
    obtained_at: datetime
    scope: str = ""


@dataclass(frozen=True)
class TokenStatus:
    """What `status` and the UI show about the connection (no secrets)."""

    has_tokens: bool
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    reconnect_reason: str | None


def scope_for_url(bling_url: str) -> str:
    """Keyring scope for a Bling address: the real API shares one, every other URL its own.

    Keeps the demo/simulator tokens from ever overwriting the store's real Bling tokens.
    """
    url = bling_url.rstrip("/")
    if url in (REAL_BLING_URL, "https://www.bling.com.br/Api/v3"):
        return DEFAULT_SCOPE
    return "url-" + hashlib.sha256(url.encode()).hexdigest()[:12]


def choose_backend() -> KeyringBackend:
    """The OS keyring backend to use, chosen explicitly; raises when none is safe to use."""
    configured = keyring.get_keyring()
    candidates: list[KeyringBackend]
    if isinstance(configured, chainer.ChainerBackend):
        candidates = list(configured.backends)
    else:
        candidates = [configured]
    usable = [b for b in candidates if _acceptable(b)]
    if not usable:
        raise KeyringUnavailableError(
            _UNAVAILABLE_MESSAGE, details=f"configured keyring: {configured!r}"
        )
    return max(usable, key=_priority)


def _acceptable(backend: KeyringBackend) -> bool:
    if isinstance(backend, (*_REFUSED_BACKENDS, chainer.ChainerBackend)):
        return False
    return not type(backend).__module__.startswith(_REFUSED_MODULE_PREFIXES)


def _priority(backend: KeyringBackend) -> float:
    try:
        return float(type(backend).priority)
    except Exception:
        return 0.0


class _ChunkedSecrets:
    """Named secrets of one service/scope, split over entries when longer than CHUNK_SIZE.

    A long value is written as fresh chunk entries `name#<gen>.<i>` under a new random
    generation, and only then does the head entry `name` switch to a marker naming that
    generation, its count and a hash. The head write is the single atomic step: a crash midway
    leaves the old value readable, and a damaged set of chunks is detected by the hash.
    Chunks of the previous generation are deleted after the switch.
    """

    def __init__(self, backend: KeyringBackend, service: str, scope: str) -> None:
        self.backend = backend
        self.service = service
        self.scope = scope

    def _user(self, name: str) -> str:
        return f"{self.scope}:{name}"

    def get(self, name: str) -> str | None:
        head = self.backend.get_password(self.service, self._user(name))
        if head is None or not head.startswith(_CHUNK_MARKER + ":"):
            return head
        parsed = _parse_marker(head)
        if parsed is None:
            log.warning("keyring entry %s has a damaged chunk marker", name)
            return None
        gen, count, digest = parsed
        parts: list[str] = []
        for index in range(count):
            part = self.backend.get_password(self.service, self._chunk_user(name, gen, index))
            if part is None:
                log.warning("keyring entry %s is missing chunk %d of %d", name, index, count)
                return None
            parts.append(part)
        value = "".join(parts)
        if _digest(value) != digest:
            log.warning("keyring entry %s failed its integrity check", name)
            return None
        return value

    def set(self, name: str, value: str) -> None:
        user = self._user(name)
        old_head = self.backend.get_password(self.service, user)
        if len(value) <= CHUNK_SIZE and not value.startswith(_CHUNK_MARKER):
            self.backend.set_password(self.service, user, value)
        else:
            gen = secrets.token_hex(4)
            pieces = [value[i : i + CHUNK_SIZE] for i in range(0, len(value), CHUNK_SIZE)]
            for index, piece in enumerate(pieces):
                self.backend.set_password(self.service, self._chunk_user(name, gen, index), piece)
            marker = f"{_CHUNK_MARKER}:{gen}:{len(pieces)}:{_digest(value)}"
            self.backend.set_password(self.service, user, marker)
        self._delete_chunks_of(name, old_head)

    def delete(self, name: str) -> None:
        user = self._user(name)
        head = self.backend.get_password(self.service, user)
        if head is None:
            return
        self._delete_entry(user)
        self._delete_chunks_of(name, head)

    def _delete_chunks_of(self, name: str, head: str | None) -> None:
        if head is None or not head.startswith(_CHUNK_MARKER + ":"):
            return
        parsed = _parse_marker(head)
        if parsed is None:
            return
        gen, count, _ = parsed
        current = self.backend.get_password(self.service, self._user(name))
        current_parsed = _parse_marker(current) if current else None
        if current_parsed is not None and current_parsed[0] == gen:
            return  # still in use
        for index in range(count):
            self._delete_entry(self._chunk_user(name, gen, index))

    def _delete_entry(self, user: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self.backend.delete_password(self.service, user)

    def _chunk_user(self, name: str, gen: str, index: int) -> str:
        return f"{self._user(name)}#{gen}.{index}"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def _parse_marker(head: str) -> tuple[str, int, str] | None:
    parts = head[len(_CHUNK_MARKER) + 1 :].split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1]), parts[2]


# Entry names inside a scope.
_CLIENT_ID = "client-id"
_CLIENT_SECRET = "client-secret"
_ACCESS_TOKEN = "access-token"
_REFRESH_TOKEN = "refresh-token"
_TOKEN_META = "token-meta"  # lifetimes and the reconnect flag: JSON, not secret
_ALL_NAMES = (_CLIENT_ID, _CLIENT_SECRET, _ACCESS_TOKEN, _REFRESH_TOKEN, _TOKEN_META)


class CredentialStore:
    """Client credentials and tokens of one Bling account in the OS keyring.

    The backend is chosen on first use, so constructing a store never fails; every operation
    raises `KeyringUnavailableError` (Portuguese message) when the keyring cannot be used.
    """

    def __init__(
        self,
        *,
        scope: str = DEFAULT_SCOPE,
        backend: KeyringBackend | None = None,
        service: str = SERVICE_NAME,
    ) -> None:
        self.scope = scope
        self.service = service
        self._backend = backend
        self._secrets: _ChunkedSecrets | None = None
        self._lock = threading.RLock()

    @classmethod
    def for_url(cls, bling_url: str, *, backend: KeyringBackend | None = None) -> CredentialStore:
        """The store for the account behind this Bling address."""
        return cls(scope=scope_for_url(bling_url), backend=backend)

    @property
    def backend_name(self) -> str:
        return type(self._store().backend).__name__

    def _store(self) -> _ChunkedSecrets:
        if self._secrets is None:
            backend = self._backend if self._backend is not None else choose_backend()
            self._secrets = _ChunkedSecrets(backend, self.service, self.scope)
        return self._secrets

    def _call(self, operation: str, func: Any, *args: Any) -> Any:
        with self._lock:
            try:
                return func(*args)
            except KeyringUnavailableError:
                raise
            except keyring.errors.KeyringLocked as exc:
                raise KeyringUnavailableError(_LOCKED_MESSAGE, details=repr(exc)) from exc
            except (keyring.errors.KeyringError, OSError, RuntimeError) as exc:
                log.error("keyring %s failed: %r", operation, exc)
                raise KeyringUnavailableError(
                    _UNAVAILABLE_MESSAGE, details=f"{operation}: {exc!r}"
                ) from exc
            except (TypeError, AttributeError, NameError):
                raise  # our bugs, not the keyring's
            except Exception as exc:  # D-Bus and platform errors come in many types
                log.error("keyring %s failed unexpectedly: %r", operation, exc)
                raise KeyringUnavailableError(
                    _UNAVAILABLE_MESSAGE, details=f"{operation}: {exc!r}"
                ) from exc

    # Raw named secrets (chunked transparently)
    def get_secret(self, name: str) -> str | None:
        """A stored value, or None."""
        return self._call("get", lambda: self._store().get(name))  # type: ignore[no-any-return]

    def set_secret(self, name: str, value: str) -> None:
        """Store a value of any length."""
        self._call("set", lambda: self._store().set(name, value))

    def delete_secret(self, name: str) -> None:
        """Remove a value and all its chunks (no error when absent)."""
        self._call("delete", lambda: self._store().delete(name))

    # Client credentials
    def get_client(self) -> ClientCredentials | None:
        """The Bling app's client id and secret, if saved."""
        with self._lock:
            client_id = self.get_secret(_CLIENT_ID)
            client_secret = self.get_secret(_CLIENT_SECRET)
        if not client_id or not client_secret:
            return None
        return ClientCredentials(client_id, client_secret)

    def save_client(self, client: ClientCredentials) -> None:
        """Save the Bling app's client id and secret."""
        with self._lock:
            self.set_secret(_CLIENT_SECRET, client.client_secret)
            self.set_secret(_CLIENT_ID, client.client_id)

    # Tokens
    def get_tokens(self) -> TokenSet | None:
        """The saved token pair, or None when Ponte was never connected (or was disconnected)."""
        with self._lock:
            access = self.get_secret(_ACCESS_TOKEN)
            refresh = self.get_secret(_REFRESH_TOKEN)
            meta = self._meta()
        if not access or not refresh:
            return None
        access_expires = _parse_time(meta.get("access_expires_at"))
        obtained = _parse_time(meta.get("obtained_at"))
        if access_expires is None or obtained is None:
            return None
        return TokenSet(
            access_token=access,
            refresh_token=refresh,
            access_expires_at=access_expires,
            refresh_expires_at=_parse_time(meta.get("refresh_expires_at")),
            obtained_at=obtained,
            scope=str(meta.get("scope", "")),
        )

    def save_tokens(self, tokens: TokenSet) -> None:
        """Save a new token pair (and clear any reconnect flag).

        Order matters because Bling rotates the refresh token: the new refresh token is the
        only thing that keeps the connection alive, so it is written first. A crash after it
        leaves new refresh + old access, which heals itself (old access gets 401 → refresh with
        the new refresh token). The reverse order could leave new access + an already-revoked
        old refresh token, which works for six hours and then ends in "reconecte o Bling".
        The lifetimes go before the access token for the same reason: an old access token
        with a new expiry just earns one 401 and a refresh.
        """
        meta = {
            "access_expires_at": tokens.access_expires_at.isoformat(),
            "refresh_expires_at": (
                tokens.refresh_expires_at.isoformat() if tokens.refresh_expires_at else None
            ),
            "obtained_at": tokens.obtained_at.isoformat(),
            "scope": tokens.scope,
            "reconnect_reason": None,
        }
        with self._lock:
            self.set_secret(_REFRESH_TOKEN, tokens.refresh_token)
            self.set_secret(_TOKEN_META, json.dumps(meta))
            self.set_secret(_ACCESS_TOKEN, tokens.access_token)

    def mark_reconnect_required(self, reason: str) -> None:
        """Remember that the authorisation is gone (e.g. invalid_grant) until the next login."""
        with self._lock:
            meta = self._meta()
            meta["reconnect_reason"] = reason
            self.set_secret(_TOKEN_META, json.dumps(meta))

    def reconnect_reason(self) -> str | None:
        """Why the user must reconnect, or None."""
        reason = self._meta().get("reconnect_reason")
        return str(reason) if reason else None

    def token_status(self) -> TokenStatus:
        """Token lifetimes and flags, without exposing the tokens."""
        with self._lock:
            tokens = self.get_tokens()
            reason = self.reconnect_reason()
        return TokenStatus(
            has_tokens=tokens is not None,
            access_expires_at=tokens.access_expires_at if tokens else None,
            refresh_expires_at=tokens.refresh_expires_at if tokens else None,
            reconnect_reason=reason,
        )

    def clear_tokens(self) -> None:
        """Forget the token pair (client credentials stay)."""
        with self._lock:
            self.delete_secret(_ACCESS_TOKEN)
            self.delete_secret(_REFRESH_TOKEN)
            self.delete_secret(_TOKEN_META)

    def clear(self) -> None:
        """Forget everything stored for this account."""
        with self._lock:
            for name in _ALL_NAMES:
                self.delete_secret(name)

    def _meta(self) -> dict[str, Any]:
        raw = self.get_secret(_TOKEN_META)
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            log.warning("token metadata in the keyring is not JSON; ignoring it")
            return {}
        return value if isinstance(value, dict) else {}


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
