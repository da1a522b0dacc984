"""Watching the PDV's folders: file events wake one background thread that runs the same scan
as the engine (`Intake.scan_once`), so a new or changed XML is taken in within seconds.

watchdog's native observer is used where it works; network shares (Windows UNC paths) and
systems where it fails fall back to polling. A periodic rescan covers any missed event.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from app.sources.intake import Intake, IntakeSummary
from app.store.models import database_proxy

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.3  # let a burst of events settle into one scan
RESCAN_SECONDS = 30.0  # safety net for events a share never reports
POLL_SECONDS = 2.0  # polling observer period


def needs_polling(folder: Path) -> bool:
    """Network shares do not deliver native change events reliably."""
    text = str(folder)
    return text.startswith(("\\\\", "//"))


class _Wake(FileSystemEventHandler):
    def __init__(self, wake: threading.Event) -> None:
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type != "moved":
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if event.is_directory or any(
            str(p).lower().endswith(".xml") for p in paths if isinstance(p, str)
        ):
            self.wake.set()


class FolderWatcher:
    """Keeps an Intake up to date with its folders in a background thread.

    `start()` returns at once; `stop()` ends the thread and the observer. `on_summary` is
    called (in the watcher thread) after every scan that took something in.
    """

    def __init__(
        self,
        intake: Intake,
        *,
        on_summary: Callable[[IntakeSummary], None] | None = None,
        use_polling: bool | None = None,
        debounce_seconds: float = DEBOUNCE_SECONDS,
        rescan_seconds: float = RESCAN_SECONDS,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.intake = intake
        self.on_summary = on_summary
        self.use_polling = use_polling
        self.debounce_seconds = debounce_seconds
        self.rescan_seconds = rescan_seconds
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._observer: Any = None
        self._observed: set[str] = set()
        self.polling = False
        self.last_error: str | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start observing and scanning (a first scan runs at once)."""
        if self.running:
            return
        self._stop.clear()
        self._wake.set()
        self._observer = self._start_observer()
        self._thread = threading.Thread(target=self._run, name="ponte-intake-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the scanning thread (a scan under way finishes its batch), then the observer."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        # Only now: the thread may have replaced the observer until it ended.
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join(timeout)

    def __enter__(self) -> FolderWatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _existing_folders(self) -> list[Path]:
        return [f for f in self.intake.folders if f.is_dir()]

    def _restart_observer_if_folders_changed(self) -> None:
        """A folder that appeared (a network drive reconnected) or vanished: watch anew."""
        if {str(f) for f in self._existing_folders()} == self._observed:
            return
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join(5)
        if not self._stop.is_set():
            self._observer = self._start_observer()

    def _start_observer(self) -> Any:
        folders = self._existing_folders()
        self._observed = {str(f) for f in folders}
        polling = self.use_polling
        if polling is None:
            polling = any(needs_polling(f) for f in folders)
        handler = _Wake(self._wake)
        if not polling:
            try:
                observer: Any = Observer()
                for folder in folders:
                    observer.schedule(handler, str(folder), recursive=True)
                observer.start()
                self.polling = False
                return observer
            except Exception as exc:  # inotify limits, unsupported file systems...
                log.warning("native file watching failed (%s); polling instead", exc)
        observer = PollingObserver(timeout=self.poll_seconds)
        for folder in folders:
            observer.schedule(handler, str(folder), recursive=True)
        observer.start()
        self.polling = True
        return observer

    def _run(self) -> None:
        try:
            timeout = 0.0
            while not self._stop.is_set():
                woke = self._wake.wait(timeout)
                if self._stop.is_set():
                    break
                if woke and self._stop.wait(self.debounce_seconds):
                    break
                self._wake.clear()
                self._scan()
                self._restart_observer_if_folders_changed()
                settle = max(self.intake.settle_seconds, 0.2)
                timeout = settle if self.intake.pending_retry else self.rescan_seconds
        finally:
            db = database_proxy.obj
            if db is not None and not db.is_closed():
                db.close()  # this thread's connection

    def _scan(self) -> None:
        try:
            summary = self.intake.scan_once()
            self.last_error = None
        except Exception as exc:
            log.exception("intake scan failed")
            self.last_error = str(exc)
            return
        if self.on_summary is not None and summary.files_read:
            try:
                self.on_summary(summary)
            except Exception:
                log.exception("on_summary callback failed")
