"""Credentials in the keyring: chunking, token pairs, missing keyring, and one real Secret Service."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail

from app.cli import build_parser
from app.credentials import (
    CHUNK_SIZE,
    ClientCredentials,
    CredentialStore,
    TokenSet,
    scope_for_url,
)
from app.errors import KeyringUnavailableError
from tests.fixtures.keyring import MemoryKeyring


def _token(length: int) -> str:
    return secrets.token_urlsafe(length)[:length]


def _pair(access_len: int = 3000, refresh_len: int = 2000) -> TokenSet:
    now = datetime.now(UTC).replace(microsecond=0)
    return TokenSet(
        access_token=_token(access_len),
        refresh_token=_token(refresh_len),
        access_expires_at=now + timedelta(hours=6),
        refresh_expires_at=now + timedelta(days=30),
        obtained_at=now,
        scope="98309 318257570",
    )


def test_long_secret_is_split_and_joined_back(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    value = _token(3000)
    store.set_secret("access-token", value)
    assert store.get_secret("access-token") == value
    # No single entry above Windows' limit, and more than one entry was needed.
    assert all(
        len(v) <= CHUNK_SIZE or v.startswith("ponte") for v in memory_keyring.entries.values()
    )
    assert len(memory_keyring.entries) == 1 + 3


def test_shrinking_a_value_deletes_stale_chunks(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    store.set_secret("t", _token(3000))
    store.set_secret("t", _token(1500))
    assert len(memory_keyring.entries) == 1 + 2
    store.set_secret("t", "short")
    assert memory_keyring.entries == {("PonteBling", "bling:t"): "short"}
    assert store.get_secret("t") == "short"
    store.delete_secret("t")
    assert memory_keyring.entries == {}
    assert store.get_secret("t") is None


def test_damaged_chunks_read_as_missing(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    store.set_secret("t", _token(2500))
    chunk_key = next(k for k in memory_keyring.entries if "#" in k[1])
    memory_keyring.entries[chunk_key] = "x" * 10
    assert store.get_secret("t") is None


def test_token_pair_round_trip(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    tokens = _pair()
    store.save_client(ClientCredentials("ponte-demo", "ponte-demo-secret"))
    store.save_tokens(tokens)
    again = CredentialStore()
    assert again.get_tokens() == tokens
    assert again.get_client() == ClientCredentials("ponte-demo", "ponte-demo-secret")
    again.mark_reconnect_required("invalid_grant")
    assert again.token_status().reconnect_reason == "invalid_grant"
    # A new login clears the flag.
    again.save_tokens(_pair())
    assert again.reconnect_reason() is None
    again.clear()
    assert memory_keyring.entries == {}


def test_refresh_token_is_written_before_access_token(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    old = _pair()
    store.save_tokens(old)
    new = _pair()

    writes: list[str] = []
    original = memory_keyring.set_password

    def recording(service: str, username: str, password: str) -> None:
        writes.append(username)
        if username == "bling:access-token":
            raise keyring.errors.PasswordSetError("crash before the access token")
        original(service, username, password)

    memory_keyring.set_password = recording  # type: ignore[method-assign]
    with pytest.raises(KeyringUnavailableError):
        store.save_tokens(new)
    memory_keyring.set_password = original  # type: ignore[method-assign]
    heads = [w for w in writes if "#" not in w]
    assert heads[0] == "bling:refresh-token"
    left = store.get_tokens()
    # New refresh token, old access token: the pair that heals itself with one refresh.
    assert left is not None
    assert left.refresh_token == new.refresh_token
    assert left.access_token == old.access_token


def test_scopes_keep_simulator_tokens_apart(memory_keyring: MemoryKeyring) -> None:
    real = CredentialStore.for_url("https://api.bling.com.br/Api/v3/")
    sim = CredentialStore.for_url("http://127.0.0.1:5000/Api/v3")
    assert real.scope == "bling"
    assert sim.scope == scope_for_url("http://127.0.0.1:5000/Api/v3") != "bling"
    real.set_secret("x", "real")
    sim.set_secret("x", "sim")
    assert real.get_secret("x") == "real"
    assert sim.get_secret("x") == "sim"


class _EmptyChainer(chainer.ChainerBackend):
    """A chainer with nothing viable inside (what keyring builds on a headless box)."""

    backends: ClassVar[list[object]] = []  # type: ignore[misc]
    priority = 0.001  # type: ignore[assignment]


def test_no_keyring_backend_gives_a_portuguese_error() -> None:
    previous = keyring.get_keyring()
    try:
        keyring.set_keyring(fail.Keyring())
        with pytest.raises(KeyringUnavailableError) as info:
            CredentialStore().get_tokens()
        assert "cofre de senhas" in info.value.message
        keyring.set_keyring(_EmptyChainer())
        with pytest.raises(KeyringUnavailableError):
            CredentialStore().save_client(ClientCredentials("a", "b"))
    finally:
        keyring.set_keyring(previous)


def test_memory_keyring_is_never_discovered() -> None:
    """Without a real keyring the CLI must say so, not keep tokens in memory and lose them."""
    build_parser()  # imports every command module, the demo's MemoryKeyring included
    viable = set(KeyringBackend.get_viable_backends())
    assert MemoryKeyring not in viable
    assert not any(issubclass(backend, MemoryKeyring) for backend in viable)


def test_backend_errors_become_keyring_unavailable(memory_keyring: MemoryKeyring) -> None:
    def broken(service: str, username: str) -> str | None:
        raise keyring.errors.InitError("D-Bus went away")

    memory_keyring.get_password = broken  # type: ignore[method-assign]
    with pytest.raises(KeyringUnavailableError) as info:
        CredentialStore().get_client()
    assert info.value.title == "Cofre de senhas indisponível"


def test_guard_refuses_tests_without_memory_keyring() -> None:
    with pytest.raises(KeyringUnavailableError) as info:
        CredentialStore().get_secret("x")
    assert "memory_keyring" in info.value.details


@pytest.mark.secret_service
def test_real_secret_service_round_trip() -> None:
    """Stores, reads and deletes a 3,000-character token through gnome-keyring."""
    from keyring.backends import SecretService

    if not os.environ.get("PONTE_SECRET_SERVICE"):
        pytest.skip("real Secret Service only under scripts/test.sh (PONTE_SECRET_SERVICE=1)")
    backend = SecretService.Keyring()
    # Must be viable here: in the test command a failure is a failure, not a skip.
    assert SecretService.Keyring.viable, "Secret Service not reachable on the session bus"
    store = CredentialStore(scope=f"test-{secrets.token_hex(4)}", backend=backend)
    token = _token(3000)
    store.set_secret("access-token", token)
    fresh = CredentialStore(scope=store.scope, backend=SecretService.Keyring())
    assert fresh.get_secret("access-token") == token
    fresh.delete_secret("access-token")
    assert store.get_secret("access-token") is None
    assert backend.get_password("PonteBling", f"{store.scope}:access-token") is None
