"""Engine → GUI: progress events arrive on the engine thread and leave as a Qt signal.

The bridge lives in the GUI thread; a signal emitted from another thread reaches GUI slots
through a queued connection, so no widget is ever touched from the engine thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.sync.progress import ProgressCallback, ProgressEvent


class EngineBridge(QObject):
    """Call `on_progress` from any thread; connect to `progress` in the GUI."""

    progress = Signal(object)  # ProgressEvent

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._chained: ProgressCallback | None = None

    def chain(self, callback: ProgressCallback | None) -> None:
        """Also call a callback that was there before (e.g. the demo's terminal bar)."""
        self._chained = callback

    def on_progress(self, event: ProgressEvent) -> None:
        if self._chained is not None:
            self._chained(event)
        self.progress.emit(event)
