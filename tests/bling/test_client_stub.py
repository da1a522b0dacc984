"""Answers the simulator never gives: malformed JSON, HTML error pages, IP-block pages, timeouts.

A tiny local stub server plays the part of a broken or misconfigured Bling.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from app.bling.auth import OAuthClient
from app.bling.client import BlingClient, RetryPolicy
from app.bling.errors import (
    BlingNotConnectedError,
    BlingOutcomeUnknownError,
    BlingProtocolError,
    BlingTransientError,
    BlingUnreachableError,
)
from app.bling.throttle import AccountThrottle, RateLimits
from app.credentials import ClientCredentials
from app.errors import PonteError


@dataclass
class Canned:
    status: int
    body: bytes
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class StubState:
    answers: list[Canned] = field(default_factory=list)
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        state: StubState = self.server.stub
        state.seen.append((self.command, self.path, dict(self.headers)))
        canned = state.answers.pop(0) if len(state.answers) > 1 else state.answers[0]
        if canned.delay:
            time.sleep(canned.delay)
        self.send_response(canned.status)
        self.send_header("Content-Type", canned.content_type)
        self.send_header("Content-Length", str(len(canned.body)))
        self.end_headers()
        self.wfile.write(canned.body)

    do_GET = do_POST = do_PATCH = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[tuple[str, StubState]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.stub = StubState()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/Api/v3", server.stub  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


class FixedToken:
    def __init__(self) -> None:
        self.refreshed = 0

    def access_token(self) -> str:
        return "token-1"

    def after_unauthorized(self, used_token: str) -> str:
        self.refreshed += 1
        return "token-2"


def _client(url: str, **kw: Any) -> BlingClient:
    return BlingClient(
        url,
        FixedToken(),
        AccountThrottle(RateLimits(per_second=0)),
        retry=RetryPolicy(get_attempts=3, base_delay=0.01, max_delay=0.02),
        **kw,
    )


def test_malformed_json_on_get_is_a_protocol_error(stub: tuple[str, StubState]) -> None:
    url, state = stub
    state.answers = [Canned(200, b'{"data": [1, 2')]
    with pytest.raises(BlingProtocolError) as info:
        _client(url).get("produtos")
    assert "não é JSON" in info.value.message


def test_malformed_json_after_a_write_is_outcome_unknown(stub: tuple[str, StubState]) -> None:
    url, state = stub
    state.answers = [Canned(201, b"<html>ok</html>", "text/html")]
    with pytest.raises(BlingOutcomeUnknownError):
        _client(url).post("pedidos/vendas", {"numeroLoja": "X"})
    assert len(state.seen) == 1


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, b"{token", BlingUnreachableError),  # not JSON at all: not Bling's token endpoint
        (200, b"[]", BlingProtocolError),  # JSON, but not an object
        (200, b'{"access_token": "", "refresh_token": "r", "expires_in": 1}', BlingProtocolError),
        (404, b"<html>nope</html>", BlingUnreachableError),
    ],
)
def test_malformed_token_answers_are_clear_errors(
    stub: tuple[str, StubState], status: int, body: bytes, error: type[Exception]
) -> None:
    url, state = stub
    state.answers = [Canned(status, body)]
    oauth = OAuthClient(url, ClientCredentials("ponte-demo", "ponte-demo-secret"))
    with pytest.raises(error) as info:
        oauth.exchange_code("abc")
    assert isinstance(info.value, PonteError)
    assert "Bling" in info.value.message
    assert len(state.seen) == 1  # a token call is never repeated blindly


def test_html_404_means_wrong_address(stub: tuple[str, StubState]) -> None:
    url, state = stub
    state.answers = [Canned(404, b"<html>Not Found</html>", "text/html")]
    with pytest.raises(BlingUnreachableError) as info:
        _client(url).get("produtos")
    assert url in info.value.message
    assert "não parece ser a API do Bling" in info.value.message


def test_ip_block_page_waits_ten_minutes(stub: tuple[str, StubState]) -> None:
    url, state = stub
    state.answers = [Canned(403, b"<html>Acesso bloqueado</html>", "text/html")]
    with pytest.raises(BlingTransientError) as info:
        _client(url).get("produtos")
    assert info.value.retry_after == 600.0
    assert "bloqueou" in info.value.message


def test_read_timeout_retries_gets_but_not_writes(stub: tuple[str, StubState]) -> None:
    url, state = stub
    state.answers = [Canned(200, b'{"data": []}', delay=0.5)]
    client = _client(url, timeout=0.1)
    with pytest.raises(BlingTransientError):
        client.get("depositos")
    assert len(state.seen) == 3  # get_attempts
    state.seen.clear()
    with pytest.raises(BlingOutcomeUnknownError):
        client.post("pedidos/vendas", {"numeroLoja": "X"})
    assert len(state.seen) == 1


def test_headers_and_one_replay_after_401(stub: tuple[str, StubState]) -> None:
    url, state = stub
    unauthorized = Canned(
        401, b'{"error":{"type":"invalid_token","message":"invalid_token","description":"x"}}'
    )
    state.answers = [unauthorized, Canned(200, b'{"data": {"id": 7}}')]
    client = _client(url)
    assert client.post("contatos", {"nome": "A"}) == {"data": {"id": 7}}
    (_, _, first), (_, _, second) = state.seen
    assert first["Authorization"] == "Bearer token-1"
    assert second["Authorization"] == "Bearer token-2"
    assert first["enable-jwt"] == "1"
    assert first["Content-Type"] == "application/json"
    # A second 401 in a row ends in "reconnect", not a loop.
    state.seen.clear()
    state.answers = [unauthorized]
    with pytest.raises(BlingNotConnectedError):
        client.get("depositos")
    assert len(state.seen) == 2
