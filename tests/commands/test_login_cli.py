"""`ponte-bling login --no-browser` end to end against the simulator over loopback HTTP."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import keyring
import pytest
import requests
from keyring.backends import fail

from app.bling.connect import open_api
from app.cli import main
from app.credentials import ClientCredentials, CredentialStore
from app.simulator import RunningSimulator
from tests.fixtures.keyring import MemoryKeyring
from tests.fixtures.simulator import SimFactory


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class CliRun:
    """`app.cli.main` running in a thread; output read through capsys as it appears."""

    capsys: pytest.CaptureFixture[str]
    argv: list[str]
    code: int | None = None
    out: str = ""
    err: str = ""
    thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self.code = main(self.argv)

    def _drain(self) -> None:
        captured = self.capsys.readouterr()
        self.out += captured.out
        self.err += captured.err

    def first_line(self, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._drain()
            if "\n" in self.out:
                return self.out.splitlines()[0]
            if not self.thread.is_alive():
                break
            time.sleep(0.02)
        raise AssertionError(f"no first line; out={self.out!r} err={self.err!r}")

    def finish(self, timeout: float = 20.0) -> int:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "login did not finish"
        self._drain()
        assert self.code is not None
        return self.code


LoginStarter = Callable[..., CliRun]


@pytest.fixture
def start_login(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> LoginStarter:
    monkeypatch.setenv("PONTE_CLIENT_ID", "ponte-demo")
    monkeypatch.setenv("PONTE_CLIENT_SECRET", "ponte-demo-secret")

    def start(bling_url: str, redirect_uri: str, *extra: str) -> CliRun:
        argv = [
            "--data-dir",
            str(tmp_path / "data"),
            "--bling-url",
            bling_url,
            "login",
            "--no-browser",
            "--redirect-uri",
            redirect_uri,
            *extra,
        ]
        return CliRun(capsys, argv)

    return start


def _sim_with_callback(sim_factory: SimFactory, **kw: object) -> tuple[RunningSimulator, str]:
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    return sim_factory(redirect_uri=redirect, **kw), redirect


def test_login_round_trip(
    sim_factory: SimFactory,
    start_login: LoginStarter,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    sim, redirect = _sim_with_callback(sim_factory)
    run = start_login(sim.base_url, redirect, "--timeout", "20")
    url = run.first_line()
    assert url.startswith(f"{sim.base_url}/oauth/authorize?")
    query = parse_qs(urlsplit(url).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["ponte-demo"]
    assert len(query["state"][0]) >= 20
    # The browser: the simulator auto-approves and redirects to our loopback callback.
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    assert "Ponte conectado ao Bling" in page.text
    assert run.finish() == 0
    assert "Conectado ao Bling" in run.out
    # One-shot: the callback server is gone.
    with pytest.raises(requests.ConnectionError):
        requests.get(redirect, timeout=2)
    store = CredentialStore.for_url(sim.base_url)
    assert store.get_client() == ClientCredentials("ponte-demo", "ponte-demo-secret")
    tokens = store.get_tokens()
    assert tokens is not None and len(tokens.access_token) > 1280  # a JWT, chunked
    assert len(sim.state.counters.token_calls) == 1
    api = open_api(sim.base_url, data_dir=tmp_path / "data")
    assert len(api.deposits()) == 3
    # Nothing secret in any record that reaches the log.
    log_text = caplog.text
    assert "oauth" in log_text or "token call" in log_text  # the capture did see our logs
    assert tokens.access_token[:40] not in log_text
    assert tokens.refresh_token not in log_text
    assert "ponte-demo-secret" not in log_text


def test_denied_consent(sim_factory: SimFactory, start_login: LoginStarter) -> None:
    sim, redirect = _sim_with_callback(sim_factory, auto_approve=False)
    run = start_login(sim.base_url, redirect, "--timeout", "20")
    url = run.first_line()
    consent = requests.get(url, timeout=10)
    assert "Autorizar" in consent.text
    state = parse_qs(urlsplit(url).query)["state"][0]
    page = requests.post(
        f"{sim.base_url}/oauth/authorize",
        data={"client_id": "ponte-demo", "state": state, "decisao": "negar"},
        timeout=10,
    )
    assert page.status_code == 400
    assert "negada" in page.text
    assert run.finish() == 2
    assert "A autorização foi negada no Bling" in run.err
    assert CredentialStore.for_url(sim.base_url).get_tokens() is None


def test_state_mismatch_is_refused(sim_factory: SimFactory, start_login: LoginStarter) -> None:
    sim, redirect = _sim_with_callback(sim_factory)
    run = start_login(sim.base_url, redirect, "--timeout", "20")
    url = run.first_line()
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = "forged-state"
    forged = urlunsplit(parts._replace(query=urlencode(query)))
    page = requests.get(forged, timeout=10)
    assert page.status_code == 400
    assert run.finish() == 2
    assert "state diferente" in run.err
    assert sim.state.counters.token_calls == []  # the code was never exchanged


def test_timeout_without_callback(sim: RunningSimulator, start_login: LoginStarter) -> None:
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    run = start_login(sim.base_url, redirect, "--timeout", "0.5")
    run.first_line()
    assert run.finish() == 2
    assert "não devolveu a autorização" in run.err


def test_simulator_down_and_wrong_url(start_login: LoginStarter) -> None:
    dead = f"http://127.0.0.1:{free_port()}/Api/v3"
    run = start_login(dead, f"http://127.0.0.1:{free_port()}/callback")
    assert run.finish() == 2
    assert f"Não foi possível conectar ao Bling em {dead}" in run.err
    assert run.out == ""  # no authorization URL for an address that does not answer


def test_redirect_must_be_loopback(sim: RunningSimulator, start_login: LoginStarter) -> None:
    run = start_login(sim.base_url, "http://192.168.0.10:8765/callback")
    assert run.finish() == 2
    assert "127.0.0.1" in run.err


def test_keyring_missing(sim: RunningSimulator, start_login: LoginStarter) -> None:
    keyring.set_keyring(fail.Keyring())  # memory_keyring's teardown restores the guard
    run = start_login(sim.base_url, f"http://127.0.0.1:{free_port()}/callback")
    assert run.finish() == 2
    assert "Cofre de senhas indisponível" in run.err
    assert run.out == ""
