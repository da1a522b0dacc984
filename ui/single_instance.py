"""One desktop app per data dir: a second launch brings the first window forward and leaves.

Two windows would mean two engines sending the same sales; a local socket named after the
data dir tells the running app to show itself instead.
"""

from __future__ import annotations

import hashlib
import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 500


def server_name(key: str) -> str:
    return "ponte-bling-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


class SingleInstance(QObject):
    activated = Signal()  # another launch asked this one to show its window

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(key)
        self.server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True when this is the first instance (and now listens); False after telling the
        running one to show itself."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if socket.waitForConnected(CONNECT_TIMEOUT_MS):
            socket.write(b"show\n")
            socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
            socket.disconnectFromServer()
            return False
        QLocalServer.removeServer(self.name)  # a stale socket left by a crash
        self.server = QLocalServer(self)
        if not self.server.listen(self.name):
            log.warning("single-instance server not listening: %s", self.server.errorString())
            return True
        self.server.newConnection.connect(self._on_connection)
        return True

    def _on_connection(self) -> None:
        if self.server is None:
            return
        while self.server.hasPendingConnections():
            connection = self.server.nextPendingConnection()
            connection.disconnected.connect(connection.deleteLater)
        self.activated.emit()

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
