"""OAuth2 authorization-code flow as Bling runs it: codes, rotating refresh tokens, JWTs."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from app.simulator.clock import SimClock
from app.simulator.config import SimulatorConfig
from app.simulator.errors import ApiError, OAuthError, invalid_token

SCOPE = "98309 318257570 5862218180"
# Bling's JWTs carry the app's scope list; enough ids are listed to land in the real 2-3k range.
_JWT_SCOPE_IDS = [98_300 + n * 7 for n in range(220)]


@dataclass
class _Code:
    expires_at: float
    used: bool = False


@dataclass
class _Access:
    expires_at: float
    generation: int
    requests: int = 0


@dataclass
class _Refresh:
    expires_at: float
    generation: int


class TokenAuthority:
    """Issues and checks codes and tokens for the single simulated user of the account."""

    def __init__(self, config: SimulatorConfig, clock: SimClock) -> None:
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, _Refresh] = {}
        # Revoking the user bumps the generation: every older token dies with it.
        self._generation = 0
        self.revocations = 0

    # authorization step
    def new_code(self) -> str:
        code = secrets.token_hex(16)
        with self._lock:
            self._codes[code] = _Code(self._clock.monotonic() + self._config.code_ttl)
        return code

    # token endpoint
    def exchange_code(self, code: str, *, jwt: bool) -> dict[str, Any]:
        with self._lock:
            entry = self._codes.get(code)
            if entry is None:
                raise OAuthError(
                    400,
                    "invalid_grant",
                    "Authorization code doesn't exist or is invalid for the client",
                )
            if entry.used:
                # Bling: re-using a still-valid code revokes the user.
                self._revoke_locked()
                raise ApiError(
                    400,
                    "VALIDATION_ERROR",
                    "Invalid authorization code",
                    "O código de autorização já foi utilizado; o acesso do usuário foi revogado.",
                )
            if self._clock.monotonic() > entry.expires_at:
                raise OAuthError(400, "invalid_grant", "The authorization code has expired")
            entry.used = True
            return self._issue_locked(jwt=jwt)

    def refresh(self, refresh_token: str, *, jwt: bool) -> dict[str, Any]:
        with self._lock:
            entry = self._refresh.pop(refresh_token, None)
            if entry is None or entry.generation != self._generation:
                raise OAuthError(400, "invalid_grant", "Invalid refresh token")
            if self._clock.monotonic() > entry.expires_at:
                raise OAuthError(400, "invalid_grant", "Refresh token has expired")
            return self._issue_locked(jwt=jwt)

    def issue(self, *, jwt: bool = True) -> dict[str, Any]:
        """Mint a token pair directly (test shortcut; not counted as a token call)."""
        with self._lock:
            return self._issue_locked(jwt=jwt)

    def revoke_all(self) -> None:
        with self._lock:
            self._revoke_locked()

    def revoke_token(self, token: str) -> None:
        with self._lock:
            self._access.pop(token, None)
            self._refresh.pop(token, None)

    # resource calls
    def check_access(self, token: str) -> None:
        """ApiError 401 when the token cannot be used (unknown, revoked, expired, used up)."""
        with self._lock:
            entry = self._access.get(token)
            if entry is None or entry.generation != self._generation:
                raise invalid_token(expired=False)
            if self._clock.monotonic() > entry.expires_at:
                raise invalid_token(expired=True)
            limit = self._config.faults.token_ttl_requests
            if limit is not None and entry.requests >= limit:
                raise invalid_token(expired=True)

    def record_use(self, token: str) -> None:
        """Count one admitted API request against the token (for token_ttl_requests)."""
        with self._lock:
            entry = self._access.get(token)
            if entry is not None:
                entry.requests += 1

    def expire_access_tokens(self) -> None:
        """Test helper: every access token expires now (refresh tokens stay valid)."""
        with self._lock:
            now = self._clock.monotonic()
            for entry in self._access.values():
                entry.expires_at = min(entry.expires_at, now - 1)

    # internals
    def _revoke_locked(self) -> None:
        self._generation += 1
        self._access.clear()
        self._refresh.clear()
        self.revocations += 1

    def _issue_locked(self, *, jwt: bool) -> dict[str, Any]:
        now = self._clock.monotonic()
        access = (
            _make_jwt(self._config.client_id, self._config.access_token_ttl)
            if jwt
            else secrets.token_hex(20)
        )
        refresh = secrets.token_hex(20)
        self._access[access] = _Access(now + self._config.access_token_ttl, self._generation)
        self._refresh[refresh] = _Refresh(now + self._config.refresh_token_ttl, self._generation)
        return {
            "access_token": access,
            "expires_in": self._config.access_token_ttl,
            "token_type": "Bearer",
            "scope": SCOPE,
            "refresh_token": refresh,
        }


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _make_jwt(client_id: str, ttl: int) -> str:
    """A JWT-looking token (RS256 header, claims, random 256-byte signature), ~2,500 chars."""
    import time

    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "kid": "ponte-simulador"}
    claims = {
        "iss": "https://www.bling.com.br",
        "aud": client_id,
        "sub": "ponte-simulador-usuario",
        "iat": now,
        "exp": now + ttl,
        "jti": secrets.token_hex(16),
        "companyId": "d4475854366a36c86a37e792f9634a51",
        "scope": _JWT_SCOPE_IDS,
    }
    parts = [
        _b64url(json.dumps(header, separators=(",", ":")).encode()),
        _b64url(json.dumps(claims, separators=(",", ":")).encode()),
        _b64url(secrets.token_bytes(256)),
    ]
    return ".".join(parts)
