"""The one place that wires credentials + token manager + throttle + client into a `BlingApi`."""

from __future__ import annotations

from pathlib import Path

from app.bling.api import BlingApi
from app.bling.auth import OAuthClient, TokenManager
from app.bling.client import BlingClient, RetryPolicy
from app.bling.errors import BlingNotConnectedError
from app.bling.throttle import MemoryUsage, RateLimits, UsageRecorder, throttle_for
from app.bling.usage import DatabaseUsage
from app.credentials import CredentialStore
from app.store.models import database_proxy

NOT_CONNECTED_MESSAGE = (
    "O Ponte ainda não está conectado ao Bling. Use 'ponte-bling login' ou o botão "
    "Conectar ao Bling."
)


def default_usage() -> UsageRecorder:
    """Count in the local store when one is open, else in memory."""
    return DatabaseUsage() if database_proxy.obj is not None else MemoryUsage()


def open_api(
    bling_url: str,
    *,
    data_dir: Path,
    credentials: CredentialStore | None = None,
    usage: UsageRecorder | None = None,
    timeout: float = 30.0,
    limits: RateLimits | None = None,
    retry: RetryPolicy | None = None,
) -> BlingApi:
    """A ready `BlingApi` for the account saved for `bling_url`.

    Raises `BlingNotConnectedError` when no client credentials or tokens are saved (or the
    saved authorisation is known to be dead) and `KeyringUnavailableError` without a keyring.
    `limits` defaults to Bling's real limits; tests against an unlimited simulator loosen them.
    """
    bling_url = bling_url.rstrip("/")
    store = credentials or CredentialStore.for_url(bling_url)
    client = store.get_client()
    tokens = store.get_tokens()
    if client is None or tokens is None:
        raise BlingNotConnectedError(NOT_CONNECTED_MESSAGE)
    reason = store.reconnect_reason()
    if reason:
        raise BlingNotConnectedError(
            "A conexão com o Bling precisa ser refeita: a autorização não vale mais. "
            "Use 'ponte-bling login' ou o botão Conectar ao Bling.",
            details=reason,
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    throttle = throttle_for(
        bling_url, client.client_id, limits=limits, usage=usage or default_usage()
    )
    oauth = OAuthClient(bling_url, client, timeout=timeout, throttle=throttle)
    manager = TokenManager(store, oauth, lock_dir=data_dir)
    return BlingApi(BlingClient(bling_url, manager, throttle, timeout=timeout, retry=retry))
