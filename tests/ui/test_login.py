"""“Conectar ao Bling” from the window: the OAuth flow in a worker, against the simulator."""

from __future__ import annotations

import socket
import threading

import peewee
import requests
from pytestqt.qtbot import QtBot

from app.credentials import CredentialStore
from tests.fixtures.keyring import MemoryKeyring
from tests.fixtures.simulator import SimFactory
from ui.login import LoginWorker
from ui.main_window import MainWindow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connect_runs_the_login_off_the_gui_thread_and_saves_tokens(
    db: peewee.SqliteDatabase, qtbot: QtBot, sim_factory: SimFactory, memory_keyring: MemoryKeyring
) -> None:
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    sim = sim_factory(redirect_uri=redirect)
    store = CredentialStore.for_url(sim.base_url)
    opened: list[str] = []

    def browser(url: str) -> None:  # the person clicking "Autorizar" (auto-approved)
        opened.append(url)
        threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 10}).start()

    worker = LoginWorker(sim.base_url, store, redirect_uri=redirect, timeout=10, open_url=browser)
    window = MainWindow(login=worker)
    qtbot.addWidget(window)
    with qtbot.waitSignal(worker.finished, timeout=10000) as result:
        worker.start(sim.config.client_id, sim.config.client_secret)
        assert worker.busy
    assert result.args == [True, "Conectado", "O Ponte está conectado ao Bling."]
    assert opened and opened[0].startswith(sim.base_url)
    assert store.get_tokens() is not None
    assert store.get_client() is not None


def test_connect_without_app_credentials_says_what_is_missing(
    db: peewee.SqliteDatabase, qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    store = CredentialStore.for_url("http://127.0.0.1:9")
    worker = LoginWorker("http://127.0.0.1:9", store, timeout=1)
    with qtbot.waitSignal(worker.finished, timeout=5000) as result:
        worker.start("", "")
    ok, title, message = result.args
    assert title == "Dados do aplicativo"
    assert not ok and "client id" in message
