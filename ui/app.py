"""`ponte-bling` with no subcommand: the desktop app (window + tray) over the same engine.

One engine thread does the network and the writes (design §2); the window reads the store
and receives progress through `EngineBridge` signals.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from app.bling.api import BlingApi
from app.bling.connect import open_api
from app.config import AppPaths
from app.credentials import CredentialStore
from app.store.db import open_database
from app.store.models import database_proxy
from app.sync.engine import SyncEngine
from ui.bridge import EngineBridge
from ui.icons import app_icon
from ui.login import LoginWorker
from ui.main_window import MainWindow
from ui.single_instance import SingleInstance
from ui.tray import Tray

log = logging.getLogger(__name__)

STOP_TIMEOUT = 15.0  # seconds to let the sale in flight finish when quitting
TRAY_MESSAGE = "O Ponte continua rodando na bandeja e enviando as vendas."


def ensure_application() -> QApplication:
    """The running QApplication, or a new one."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    application = QApplication(sys.argv[:1])
    application.setApplicationName("Ponte")
    application.setApplicationDisplayName("Ponte")
    application.setWindowIcon(app_icon())
    return application


class DesktopApp(QObject):
    """Window, tray and engine wired together; `quit()` stops the engine before leaving."""

    def __init__(
        self,
        engine: SyncEngine,
        *,
        login: LoginWorker | None = None,
        use_tray: bool | None = None,
    ) -> None:
        super().__init__()
        self.application = ensure_application()
        self.engine = engine
        self.bridge = EngineBridge(self)
        # keep whatever callback the engine had (the demo's terminal bar), then ours
        self.bridge.chain(engine.report.callback)
        engine.report.callback = self.bridge.on_progress
        has_tray = QSystemTrayIcon.isSystemTrayAvailable() if use_tray is None else use_tray
        self.window = MainWindow(engine, self.bridge, login=login, hide_on_close=has_tray)
        self.tray: Tray | None = None
        self.told_about_tray = False
        self.stopped = False
        if has_tray:
            self.tray = Tray(self)
            self.tray.open_action.triggered.connect(self.show_window)
            self.tray.sync_action.triggered.connect(self.window.sync_now)
            self.tray.pause_action.toggled.connect(self.window.set_paused)
            self.tray.quit_action.triggered.connect(self.quit)
            self.tray.activated.connect(self._tray_activated)
            self.window.tray_state_changed.connect(self._tray_state)
            self.window.hidden_to_tray.connect(self._hidden_to_tray)
            self.application.setQuitOnLastWindowClosed(False)
        self.application.aboutToQuit.connect(self.stop_engine)

    def start(self, *, show: bool = True) -> None:
        """Start the engine thread and show the window (and the tray icon)."""
        self.engine.start()
        if self.tray is not None:
            self.tray.show()
        if show:
            self.show_window()
        self.window.update_status()

    def show_window(self) -> None:
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        self.window.refresh_all()

    def _tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_window()

    def _tray_state(self, state: object, tooltip: str) -> None:
        if self.tray is not None:
            self.tray.set_state(state, tooltip)  # type: ignore[arg-type]
            self.tray.pause_action.blockSignals(True)
            self.tray.pause_action.setChecked(self.engine.paused)
            self.tray.pause_action.blockSignals(False)

    def _hidden_to_tray(self) -> None:
        if self.tray is not None and not self.told_about_tray:
            self.told_about_tray = True
            self.tray.showMessage("Ponte", TRAY_MESSAGE, app_icon(), 4000)

    def stop_engine(self) -> None:
        """Stop the engine after the sale in flight (idempotent)."""
        if self.stopped:
            return
        self.stopped = True
        self.window.timer.stop()
        self.engine.stop(STOP_TIMEOUT)
        if self.engine.running:
            log.warning("engine thread still running after %.0f s", STOP_TIMEOUT)

    def quit(self) -> None:
        """Leave for good: engine stopped, tray removed, window closed, event loop ended."""
        self.stop_engine()
        if self.tray is not None:
            self.tray.hide()
        self.window.quitting = True
        self.window.close()
        self.application.quit()


def start_desktop(
    paths: AppPaths,
    bling_url: str,
    *,
    api_provider: Callable[[], BlingApi] | None = None,
    credentials: CredentialStore | None = None,
    use_tray: bool | None = None,
) -> DesktopApp:
    """Open the store, build window + tray + engine and start the engine thread."""
    ensure_application()
    if database_proxy.obj is None:
        open_database(paths)
    store = credentials or CredentialStore.for_url(bling_url)

    def provider() -> BlingApi:
        return open_api(bling_url, data_dir=paths.data_dir, credentials=store)

    engine = SyncEngine(api_provider or provider, paths=paths)
    desktop = DesktopApp(engine, login=LoginWorker(bling_url, store), use_tray=use_tray)
    desktop.start()
    return desktop


def run_desktop(
    paths: AppPaths,
    bling_url: str,
    *,
    api_provider: Callable[[], BlingApi] | None = None,
    credentials: CredentialStore | None = None,
) -> int:
    """The desktop app until the user quits (engine stopped on the way out); exit code.

    When the app already runs for this data dir, its window is brought forward instead."""
    ensure_application()
    instance = SingleInstance(str(paths.data_dir.resolve()))
    if not instance.acquire():
        log.info("already running for %s: asked it to show its window", paths.data_dir)
        return 0
    desktop = start_desktop(paths, bling_url, api_provider=api_provider, credentials=credentials)
    instance.activated.connect(desktop.show_window)
    code = desktop.application.exec()
    desktop.stop_engine()
    instance.release()
    return int(code)
