"""The whole OAuth2 login, shared by `ponte-bling login` and the desktop app.

Start listening on the loopback redirect first, then show the authorization page (browser or
printed URL), wait for the one callback, exchange the code at once (it lives 60 s) and save
the client credentials and the token pair in the keyring.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import requests

from app.bling.auth import OAuthClient, authorize_url, new_state
from app.bling.errors import BlingUnreachableError
from app.bling.loopback import CallbackReceiver
from app.credentials import ClientCredentials, CredentialStore, TokenSet

log = logging.getLogger(__name__)


def check_reachable(bling_url: str, *, timeout: float = 10.0) -> None:
    """Raise BlingUnreachableError (naming the URL) when nothing answers at bling_url."""
    try:
        requests.get(f"{bling_url}/oauth/authorize", timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise BlingUnreachableError(
            f"Não foi possível conectar ao Bling em {bling_url}. Verifique a internet e se o "
            "endereço do Bling (--bling-url) está correto.",
            details=repr(exc),
        ) from exc


def run_login(
    bling_url: str,
    client: ClientCredentials,
    *,
    redirect_uri: str,
    credentials: CredentialStore,
    show_url: Callable[[str], None],
    timeout: float = 300.0,
    request_timeout: float = 30.0,
) -> TokenSet:
    """Run the authorization-code flow; returns the saved token pair.

    `show_url` receives the authorization URL once the callback is listening (open a browser,
    print it...). Raises LoginFailedError, BlingAuthorizationError, BlingUnreachableError,
    ConfigError or KeyringUnavailableError with Portuguese messages.
    """
    bling_url = bling_url.rstrip("/")
    # Fail on a missing keyring or a dead address before the user spends time in the browser.
    credentials.get_client()
    check_reachable(bling_url, timeout=min(request_timeout, 10.0))
    state = new_state()
    receiver = CallbackReceiver(redirect_uri, state)
    try:
        show_url(authorize_url(bling_url, client.client_id, state))
        code = receiver.wait(timeout)
    finally:
        receiver.close()
    oauth = OAuthClient(bling_url, client, timeout=request_timeout)
    tokens = oauth.exchange_code(code)
    credentials.save_client(client)
    credentials.save_tokens(tokens)
    log.info("connected to Bling at %s", bling_url)
    return tokens
