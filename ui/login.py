"""“Conectar ao Bling”: the OAuth login of `ponte-bling login`, in a worker thread.

The browser is opened from the GUI thread (QDesktopServices) when the worker reports the
authorization URL; the window never waits on the network.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from app.bling.login_flow import run_login
from app.bling.loopback import DEFAULT_REDIRECT_URI
from app.credentials import ClientCredentials, CredentialStore
from app.errors import PonteError

log = logging.getLogger(__name__)


class ClientDialog(QDialog):
    """Asks for the Bling app's client id and secret (blank = the ones already saved)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Conectar ao Bling")
        self.client_id = QLineEdit()
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout(self)
        intro = QLabel(
            "Informe o client id e o client secret do aplicativo cadastrado no Bling. "
            "Deixe em branco para usar os já salvos neste computador. O navegador será aberto "
            "para você autorizar o acesso do Ponte."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        form.addRow("Client id:", self.client_id)
        form.addRow("Client secret:", self.secret)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class LoginWorker(QObject):
    """Runs run_login in a daemon thread; reports through signals (queued to the GUI)."""

    url_ready = Signal(str)
    finished = Signal(bool, str, str)  # ok, title, message

    def __init__(
        self,
        bling_url: str,
        credentials: CredentialStore,
        *,
        redirect_uri: str = DEFAULT_REDIRECT_URI,
        timeout: float = 300.0,
        open_url: Callable[[str], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bling_url = bling_url
        self.credentials = credentials
        self.redirect_uri = redirect_uri
        self.timeout = timeout
        self.worker: threading.Thread | None = None
        self.url_ready.connect(open_url or self.open_browser)

    @property
    def busy(self) -> bool:
        return self.worker is not None and self.worker.is_alive()

    def start(self, client_id: str, secret: str) -> None:
        self.worker = threading.Thread(
            target=self._run, args=(client_id.strip(), secret.strip()), daemon=True
        )
        self.worker.start()

    def _finish(self, ok: bool, title: str, message: str) -> None:
        try:
            self.finished.emit(ok, title, message)
        except RuntimeError:  # the window went away while the browser was open
            log.info("login finished after the window closed: %s", title)

    def _run(self, client_id: str, secret: str) -> None:
        try:
            if client_id and secret:
                client: ClientCredentials | None = ClientCredentials(client_id, secret)
            else:
                client = self.credentials.get_client()
            if client is None:
                self._finish(
                    False,
                    "Dados do aplicativo",
                    "Informe o client id e o client secret do aplicativo do Bling.",
                )
                return
            run_login(
                self.bling_url,
                client,
                redirect_uri=self.redirect_uri,
                credentials=self.credentials,
                show_url=self.url_ready.emit,
                timeout=self.timeout,
            )
        except PonteError as exc:
            log.warning("login failed: %s | %s", exc.message, exc.details)
            self._finish(False, exc.title, exc.message)
        except Exception:
            log.exception("login failed")
            self._finish(
                False,
                "Erro inesperado",
                "Não foi possível conectar ao Bling; os detalhes estão no arquivo de log.",
            )
        else:
            self._finish(True, "Conectado", "O Ponte está conectado ao Bling.")

    @staticmethod
    def open_browser(url: str) -> None:
        """Open the authorization page in the user's browser (GUI thread)."""
        if not QDesktopServices.openUrl(QUrl(url)):
            log.warning("could not open the browser for %s", url)
