"""Sincronização de dados: what came from Bling and when, the PDV folder, and the engine's
controls. Bling sales never come down: said plainly here."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import PonteError
from app.store.settings import XML_FOLDERS, get_setting
from app.sync.catalog import product_counts
from app.sync.configuration import set_config
from ui.dialogs import Dialogs
from ui.models.sync_state import SyncStateModel
from ui.pages.common import hint_label, table_view

ONE_WAY = (
    "Mão única: as vendas do PDV sobem para o Bling. As vendas feitas no Bling não descem "
    "para o PDV, e o estoque é controlado pelo Bling."
)


class SyncPage(QWidget):
    sync_now = Signal()
    pause_toggled = Signal(bool)  # True = pause
    connect_requested = Signal()
    folder_changed = Signal()

    def __init__(self, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialogs = dialogs

        # connection
        self.connection_label = QLabel("—")
        self.connection_label.setWordWrap(True)
        self.connect_button = QPushButton("Conectar ao Bling")
        self.connect_button.clicked.connect(self.connect_requested.emit)
        connection_box = QGroupBox("Conexão com o Bling")
        row = QHBoxLayout(connection_box)
        row.addWidget(self.connection_label, 1)
        row.addWidget(self.connect_button)

        # PDV folder
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_button = QPushButton("Escolher pasta…")
        self.folder_button.clicked.connect(self.choose_folder)
        folder_box = QGroupBox("Pasta dos XML das NFC-e do PDV")
        row = QHBoxLayout(folder_box)
        row.addWidget(self.folder_label, 1)
        row.addWidget(self.folder_button)

        # engine controls
        self.sync_button = QPushButton("Sincronizar agora")
        self.sync_button.clicked.connect(self.sync_now.emit)
        self.pause_button = QPushButton("Pausar")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._pause_toggled)
        self.cycle_label = QLabel()
        self.cycle_label.setWordWrap(True)
        controls = QHBoxLayout()
        controls.addWidget(self.sync_button)
        controls.addWidget(self.pause_button)
        controls.addWidget(self.cycle_label, 1)

        # what came from Bling
        self.model = SyncStateModel()
        self.view = table_view(self)
        self.view.setModel(self.model)
        header = self.view.horizontalHeader()
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.products_label = QLabel()
        self.products_label.setWordWrap(True)
        one_way = QLabel(ONE_WAY)
        one_way.setWordWrap(True)
        one_way.setStyleSheet("font-weight: bold;")

        layout = QVBoxLayout(self)
        layout.addWidget(connection_box)
        layout.addWidget(folder_box)
        layout.addLayout(controls)
        layout.addWidget(
            hint_label(
                "Se houver data e hora na coluna “Última sincronização com sucesso”, aqueles "
                "dados foram trazidos do Bling com sucesso naquele momento."
            )
        )
        layout.addWidget(self.view, 1)
        layout.addWidget(self.products_label)
        layout.addWidget(one_way)
        self.refresh()

    def refresh(self) -> None:
        self.model.refresh()
        counts = product_counts()
        self.products_label.setText(
            f"Produtos ativos no Bling: {counts.parents} com variações (produto pai), "
            f"{counts.variations} variações e {counts.simple} simples — "
            f"{counts.sellable} itens vendáveis. A lista de produtos do Bling conta cada "
            "variação como um produto, por isso ela parece maior; use o filtro de produtos "
            "ativos do Bling para comparar."
        )
        folders = [str(f) for f in get_setting(XML_FOLDERS) or []]
        if folders:
            self.folder_label.setText("\n".join(folders))
            self.folder_label.setStyleSheet("")
        else:
            self.folder_label.setText(
                "Nenhuma pasta escolhida: indique a pasta onde o PDV grava os XML das NFC-e."
            )
            self.folder_label.setStyleSheet("color: #9a6700;")

    def set_paused(self, paused: bool) -> None:
        """Show the engine's state without emitting pause_toggled."""
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(paused)
        self.pause_button.setText("Retomar" if paused else "Pausar")
        self.pause_button.blockSignals(False)

    def _pause_toggled(self, checked: bool) -> None:
        self.pause_button.setText("Retomar" if checked else "Pausar")
        self.pause_toggled.emit(checked)

    def choose_folder(self) -> None:
        current = [str(f) for f in get_setting(XML_FOLDERS) or []]
        start = current[0] if current else str(Path.home())
        folder = self.dialogs.choose_folder("Pasta dos XML das NFC-e do PDV", start)
        if folder is None:
            return
        self.set_folder(folder)

    def set_folder(self, folder: str) -> bool:
        try:
            _, warnings = set_config(XML_FOLDERS, [folder])
        except PonteError as exc:
            self.dialogs.error(exc.title, exc.message)
            return False
        for warning in warnings:
            self.dialogs.info("Pasta do PDV", warning)
        self.refresh()
        self.folder_changed.emit()
        return True
