"""The main window: five pages over the local store, a status bar fed by the engine."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QTabWidget

from app.sync.engine import (
    BLING_ERROR,
    LOCAL_ERROR,
    NOT_CONNECTED,
    RATE_LIMITED,
    UNREACHABLE,
    SyncEngine,
    sales_by_state,
)
from app.sync.progress import ProgressEvent, Stage
from ui.bridge import EngineBridge
from ui.dialogs import Dialogs
from ui.formatting import when
from ui.icons import TrayState, app_icon
from ui.login import ClientDialog, LoginWorker
from ui.pages.log import LogPage
from ui.pages.payments import PaymentsPage
from ui.pages.sales import SalesPage
from ui.pages.stores import StoresPage
from ui.pages.sync import SyncPage

REFRESH_MS = 2000
QUEUE_STATES = ("nova", "pronta", "enviando", "pedido_criado")


def counts_text(counts: dict[str, int]) -> str:
    """'Vendas: 2 na fila · 3 retidas · 1 com erro · 120 enviadas'."""
    queue = sum(counts.get(s, 0) for s in QUEUE_STATES)
    held, failed, sent = counts.get("retida", 0), counts.get("erro", 0), counts.get("enviada", 0)
    parts = [f"{queue} na fila"]
    if held:
        parts.append(f"{held} retida{'s' if held != 1 else ''}")
    if failed:
        parts.append(f"{failed} com erro")
    parts.append(f"{sent} enviada{'s' if sent != 1 else ''}")
    return "Vendas: " + " · ".join(parts)


class MainWindow(QMainWindow):
    tray_state_changed = Signal(object, str)  # TrayState, one-line status
    hidden_to_tray = Signal()

    def __init__(
        self,
        engine: SyncEngine | None = None,
        bridge: EngineBridge | None = None,
        *,
        dialogs: Dialogs | None = None,
        login: LoginWorker | None = None,
        hide_on_close: bool = False,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.bridge = bridge
        self.dialogs = dialogs or Dialogs(self)
        self.login = login
        self.hide_on_close = hide_on_close
        self.quitting = False
        self.cycle_running = False
        self.last_event: ProgressEvent | None = None
        self.counts: dict[str, int] = {}

        self.setWindowTitle("Ponte — vendas do PDV para o Bling")
        self.setWindowIcon(app_icon())
        self.resize(1100, 680)

        self.sales_page = SalesPage(self.dialogs)
        self.log_page = LogPage()
        self.payments_page = PaymentsPage(self.dialogs)
        self.stores_page = StoresPage(self.dialogs)
        self.sync_page = SyncPage(self.dialogs)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.sales_page, "Vendas")
        self.tabs.addTab(self.log_page, "Registro")
        self.tabs.addTab(self.payments_page, "Pagamentos (DE-PARA)")
        self.tabs.addTab(self.stores_page, "Lojas e depósitos")
        self.tabs.addTab(self.sync_page, "Sincronização de dados")
        self.tabs.currentChanged.connect(lambda _i: self.refresh_current())
        self.setCentralWidget(self.tabs)

        # status bar: connection | sales by state | progress of the cycle
        self.connection_label = QLabel()
        self.counts_label = QLabel()
        self.progress_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(180)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()
        bar = self.statusBar()
        bar.addWidget(self.connection_label)
        bar.addWidget(_separator())
        bar.addWidget(self.counts_label)
        bar.addWidget(_separator())
        bar.addWidget(self.progress_label, 1)
        bar.addPermanentWidget(self.progress_bar)

        for page in (self.sales_page, self.payments_page, self.stores_page):
            page.changed.connect(self.user_changed_something)
        self.sync_page.sync_now.connect(self.sync_now)
        self.sync_page.pause_toggled.connect(self.set_paused)
        self.sync_page.connect_requested.connect(self.connect_bling)
        self.sync_page.folder_changed.connect(self.user_changed_something)
        if bridge is not None:
            bridge.progress.connect(self.on_progress)
        if login is not None:
            login.finished.connect(self.login_finished)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh_current)
        self.timer.start()
        self.update_status()

    # --- refresh -----------------------------------------------------------------------------

    def page_titles(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    def refresh_current(self) -> None:
        """The visible page and the status bar (cheap queries, every REFRESH_MS)."""
        if not self.isVisible():
            return
        page = self.tabs.currentWidget()
        refresh = getattr(page, "refresh", None)
        if refresh is not None:
            refresh()
        self.update_status()

    def refresh_all(self) -> None:
        self.sales_page.refresh()
        self.log_page.refresh()
        self.payments_page.refresh()
        self.stores_page.refresh()
        self.sync_page.refresh()
        self.update_status()

    def user_changed_something(self) -> None:
        """A mapping, deposit or sale changed: show it and let the engine act at once."""
        self.refresh_all()
        if self.engine is not None and not self.engine.paused:
            self.engine.wake()

    # --- engine ------------------------------------------------------------------------------

    def on_progress(self, event: ProgressEvent) -> None:
        """Slot for the bridge (GUI thread): one progress event from the engine."""
        self.last_event = event
        finished = event.stage in (Stage.ERROR, Stage.PAUSED) or (
            event.stage == Stage.CYCLE and event.total > 0 and event.done >= event.total
        )
        if event.stage == Stage.CYCLE and not finished:
            self.cycle_running = True
        if finished:
            self.cycle_running = False
            self.progress_bar.hide()
        elif event.total > 0 and event.stage != Stage.CYCLE:
            self.progress_bar.setRange(0, event.total)
            self.progress_bar.setValue(min(event.done, event.total))
            self.progress_bar.show()
        else:
            self.progress_bar.setRange(0, 0)  # busy: the total is not known
            self.progress_bar.show()
        self.progress_label.setText(event.message)
        if finished:
            self.refresh_all()
        else:
            self.update_status()

    def connection_text(self) -> str:
        engine = self.engine
        if engine is None:
            return "Sincronização desligada"
        if engine.paused:
            return "Sincronização pausada"
        if engine.waiting_for_login:
            return "Não conectado ao Bling"
        summary = engine.last_summary
        if summary is None:
            return "Conectando ao Bling…"
        kind = summary.error_kind
        if kind == NOT_CONNECTED:
            return "Não conectado ao Bling"
        if kind == UNREACHABLE:
            return "Bling fora do alcance (sem internet?)"
        if kind == RATE_LIMITED:
            return "Limite de requisições do Bling atingido"
        if kind in (BLING_ERROR, LOCAL_ERROR):
            return "Erro na última sincronização"
        return f"Conectado ao Bling · última sincronização {when(summary.finished_at)}"

    def tray_state(self) -> TrayState:
        engine = self.engine
        summary = engine.last_summary if engine is not None else None
        if self.counts.get("erro", 0) or (
            summary is not None and summary.error_kind in (BLING_ERROR, LOCAL_ERROR)
        ):
            return TrayState.ERROR
        if (
            self.counts.get("retida", 0)
            or (engine is not None and (engine.paused or engine.waiting_for_login))
            or (summary is not None and summary.error_kind is not None)
        ):
            return TrayState.ATTENTION
        if self.cycle_running:
            return TrayState.WORKING
        return TrayState.IDLE

    def update_status(self) -> None:
        self.counts = sales_by_state()
        connection = self.connection_text()
        self.connection_label.setText(connection)
        self.counts_label.setText(counts_text(self.counts))
        self.sync_page.connection_label.setText(self._connection_detail(connection))
        if self.engine is not None:
            self.sync_page.set_paused(self.engine.paused)
        self.sync_page.connect_button.setEnabled(self.login is None or not self.login.busy)
        self.sync_page.connect_button.setText(
            "Reconectar ao Bling" if connection.startswith("Conectado") else "Conectar ao Bling"
        )
        summary = self.engine.last_summary if self.engine is not None else None
        if summary is not None and summary.finished_at is not None:
            self.sync_page.cycle_label.setText(
                f"Último ciclo: {when(summary.finished_at)}"
                + (f" — {summary.error}" if summary.error else " — concluído")
            )
        self.tray_state_changed.emit(self.tray_state(), f"{connection}\n{counts_text(self.counts)}")

    def _connection_detail(self, connection: str) -> str:
        summary = self.engine.last_summary if self.engine is not None else None
        if summary is not None and summary.error:
            return f"{connection}\n{summary.error}"
        return connection

    def sync_now(self) -> None:
        if self.engine is None:
            return
        if self.engine.paused or self.engine.waiting_for_login:
            self.engine.resume()
        else:
            self.engine.wake()
        self.progress_label.setText("Sincronização pedida…")
        self.update_status()

    def set_paused(self, paused: bool) -> None:
        if self.engine is None:
            return
        if paused:
            self.engine.pause()
        else:
            self.engine.resume()
        self.update_status()

    # --- Conectar ao Bling -------------------------------------------------------------------

    def connect_bling(self) -> None:
        if self.login is None:
            self.dialogs.info(
                "Conectar ao Bling",
                "Para conectar, feche o Ponte e rode no terminal: ponte-bling login",
            )
            return
        if self.login.busy:
            return
        dialog = ClientDialog(self)
        if dialog.exec() != ClientDialog.DialogCode.Accepted:
            return
        self.login.start(dialog.client_id.text(), dialog.secret.text())
        self.progress_label.setText("Aguardando a autorização no navegador…")
        self.update_status()

    def login_finished(self, ok: bool, title: str, message: str) -> None:
        if ok:
            self.progress_label.setText(message)
            if self.engine is not None:
                self.engine.resume()
        else:
            self.dialogs.error(title, message)
        self.update_status()

    # --- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.hide_on_close and not self.quitting:
            event.ignore()
            self.hide()
            self.hidden_to_tray.emit()
            return
        self.timer.stop()
        event.accept()


def _separator() -> QLabel:
    label = QLabel("|")
    label.setStyleSheet("color: #8c959f;")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label
