"""The window with a running engine: progress through the signal bridge, the tray, quitting."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.bling.api import BlingApi
from app.bling.errors import BlingNotConnectedError
from app.config import AppPaths
from app.credentials import CredentialStore
from app.store.models import SyncState
from app.sync.engine import SyncEngine
from app.sync.progress import ProgressEvent, Stage
from ui.app import DesktopApp, start_desktop
from ui.bridge import EngineBridge
from ui.icons import TrayState
from ui.main_window import MainWindow


@pytest.fixture
def restore_quit_on_close(qapp: QApplication) -> Iterator[None]:
    """DesktopApp with a tray turns quit-on-last-window-closed off; put it back."""
    yield
    qapp.setQuitOnLastWindowClosed(True)


def test_progress_from_the_engine_thread_reaches_the_status_bar(
    db: peewee.SqliteDatabase, qtbot: QtBot
) -> None:
    bridge = EngineBridge()
    window = MainWindow(bridge=bridge)
    qtbot.addWidget(window)
    window.show()
    seen_in: list[bool] = []
    bridge.progress.connect(
        lambda _e: seen_in.append(QThread.currentThread() is QApplication.instance().thread())  # type: ignore[union-attr]
    )

    def engine_side() -> None:
        bridge.on_progress(ProgressEvent(Stage.CYCLE, 0, 1, "Sincronização iniciada"))
        bridge.on_progress(ProgressEvent(Stage.SEND, 2, 5, "Enviando venda 2 de 5", "k"))

    worker = threading.Thread(target=engine_side)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: window.progress_label.text() == "Enviando venda 2 de 5", timeout=2000)
    assert window.progress_bar.isVisible()
    assert (window.progress_bar.maximum(), window.progress_bar.value()) == (5, 2)
    assert window.cycle_running and window.tray_state() == TrayState.WORKING
    assert seen_in == [True, True]  # slots ran in the GUI thread (queued connection)

    threading.Thread(
        target=bridge.on_progress,
        args=(ProgressEvent(Stage.CYCLE, 1, 1, "Sincronização concluída"),),
    ).start()
    qtbot.waitUntil(lambda: window.progress_label.text() == "Sincronização concluída")
    assert not window.progress_bar.isVisible() and not window.cycle_running
    window.timer.stop()


def test_engine_against_simulator_then_close_hides_to_tray_and_quit_stops_engine(
    app_paths: AppPaths,
    connected_api: BlingApi,
    qtbot: QtBot,
    restore_quit_on_close: None,
) -> None:
    events: list[ProgressEvent] = []
    engine = SyncEngine(lambda: connected_api, paths=app_paths, on_progress=events.append)
    desktop = DesktopApp(engine, use_tray=True)
    qtbot.addWidget(desktop.window)
    desktop.start()
    window = desktop.window
    try:
        assert engine.running
        qtbot.waitUntil(lambda: engine.last_summary is not None, timeout=10000)
        qtbot.waitUntil(lambda: window.connection_label.text().startswith("Conectado ao Bling"))
        assert events, "the engine's own callback is kept (chained) by the bridge"
        products = SyncState.get(SyncState.kind == "produtos")
        assert products.last_success_at is not None and products.count > 0
        window.tabs.setCurrentWidget(window.sync_page)
        window.refresh_current()
        row = [window.sync_page.model.index(0, c).data() for c in range(3)]
        assert row[0] == "Produtos" and row[1] != "nunca" and row[2] == str(products.count)
        assert "variações" in window.sync_page.products_label.text()
        grabbed = window.grab()
        grabbed.save("/tmp/ponte-window-test.png")

        window.close()  # the window goes to the tray; the engine keeps running
        assert not window.isVisible()
        assert engine.running
        assert desktop.told_about_tray
        desktop.show_window()
        assert window.isVisible()
    finally:
        desktop.quit()
    assert not engine.running
    assert not window.isVisible()


def test_not_connected_shows_it_and_sync_now_resumes(
    db: peewee.SqliteDatabase, app_paths: AppPaths, qtbot: QtBot, restore_quit_on_close: None
) -> None:
    calls: list[int] = []

    def provider() -> BlingApi:
        calls.append(1)
        raise BlingNotConnectedError("O Ponte ainda não está conectado ao Bling.")

    engine = SyncEngine(provider, paths=app_paths, interval=0.05)
    desktop = DesktopApp(engine, use_tray=False)
    qtbot.addWidget(desktop.window)
    desktop.start()
    window = desktop.window
    try:
        qtbot.waitUntil(lambda: engine.waiting_for_login, timeout=5000)
        qtbot.waitUntil(lambda: window.connection_label.text() == "Não conectado ao Bling")
        assert window.tray_state() == TrayState.ATTENTION
        assert "ponte-bling login" in window.sync_page.connection_label.text()
        tries = len(calls)
        window.sync_page.sync_button.click()  # resumes the engine waiting for login
        qtbot.waitUntil(lambda: len(calls) > tries, timeout=5000)
        window.sync_page.pause_button.click()
        assert engine.paused and window.sync_page.pause_button.text() == "Retomar"
        window.sync_page.pause_button.click()
        assert not engine.paused
    finally:
        desktop.quit()
    assert not engine.running


def test_start_desktop_opens_window_and_engine(
    db: peewee.SqliteDatabase,
    app_paths: AppPaths,
    qtbot: QtBot,
    memory_keyring: object,
    restore_quit_on_close: None,
) -> None:
    def provider() -> BlingApi:
        raise BlingNotConnectedError("O Ponte ainda não está conectado ao Bling.")

    desktop = start_desktop(
        app_paths,
        "http://127.0.0.1:9",
        api_provider=provider,
        credentials=CredentialStore.for_url("http://127.0.0.1:9"),
        use_tray=False,
    )
    qtbot.addWidget(desktop.window)
    try:
        assert desktop.window.isVisible() and desktop.engine.running
        assert desktop.window.login is not None  # the Conectar ao Bling button has a worker
        qtbot.waitUntil(lambda: desktop.engine.waiting_for_login, timeout=5000)
    finally:
        desktop.quit()
    assert not desktop.engine.running


RUN_DESKTOP = """
import sys, threading
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.bling.errors import BlingNotConnectedError
from app.config import AppPaths
from app.credentials import CredentialStore
from app.credentials import CredentialStore
from app.store.db import open_database
from app.sync.engine import SyncEngine
from ui.app import ensure_application, run_desktop
from ui.demo_window import show_demo_window

def provider():
    raise BlingNotConnectedError("não conectado")

app = ensure_application()
seen = []
def look_and_quit():
    seen.extend(w.windowTitle() for w in app.topLevelWidgets() if w.isVisible())
    seen.extend(t.name for t in threading.enumerate() if t.name == "ponte-engine")
    app.quit()
QTimer.singleShot(500, look_and_quit)
paths = AppPaths(Path(sys.argv[1]))
if sys.argv[2] == "run_desktop":
    code = run_desktop(paths, "http://127.0.0.1:9", api_provider=provider,
                       credentials=CredentialStore.for_url("http://127.0.0.1:9"))
else:
    open_database(paths)
    code = show_demo_window(paths, SyncEngine(provider, paths=paths))
alive = [t.name for t in threading.enumerate() if t.name == "ponte-engine" and t.is_alive()]
print(code, seen, alive)
"""


@pytest.mark.parametrize("entry", ["run_desktop", "show_demo_window"])
def test_entry_points_run_until_quit_and_stop_the_engine(tmp_path: Path, entry: str) -> None:
    # its own process: after QApplication.quit() no event loop of this test session would run
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", RUN_DESKTOP, str(tmp_path / "data"), entry],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last == "0 ['Ponte — vendas do PDV para o Bling', 'ponte-engine'] []"
    assert (tmp_path / "data" / "ponte.sqlite3").is_file()


def test_a_second_launch_shows_the_first_window_instead(qtbot: QtBot, tmp_path: Path) -> None:
    from ui.single_instance import SingleInstance

    first = SingleInstance(str(tmp_path))
    assert first.acquire()
    try:
        with qtbot.waitSignal(first.activated, timeout=3000):
            assert not SingleInstance(str(tmp_path)).acquire()
        other_dir = SingleInstance(str(tmp_path / "outra"))
        assert other_dir.acquire()  # another data dir is another app
        other_dir.release()
    finally:
        first.release()
    again = SingleInstance(str(tmp_path))
    assert again.acquire()  # released: a new first instance
    again.release()
