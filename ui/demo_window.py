"""The window of `ponte-bling demo` when a display is available."""

from __future__ import annotations

from app.config import AppPaths
from app.store.db import open_database
from app.store.models import database_proxy
from app.sync.engine import SyncEngine
from ui.app import DesktopApp, ensure_application


def show_demo_window(paths: AppPaths, engine: SyncEngine) -> int:
    """Show the main window over an already-configured data dir and engine (started here if
    it is not running) until the user quits; the engine is stopped on the way out."""
    application = ensure_application()
    if database_proxy.obj is None:
        open_database(paths)
    desktop = DesktopApp(engine)
    desktop.start()
    code = application.exec()
    desktop.stop_engine()
    return int(code)
