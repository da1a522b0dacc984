"""Registro: the sync log, newest first, refreshed by itself."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QHeaderView, QVBoxLayout, QWidget

from ui.models.log import LogModel
from ui.pages.common import hint_label, table_view


class LogPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LogModel()
        self.problems_only = QCheckBox("Só avisos e erros")
        self.problems_only.toggled.connect(self.model.set_problems_only)
        top = QHBoxLayout()
        top.addWidget(
            hint_label(
                "Tudo o que o Ponte fez e decidiu, com data e hora: notas lidas, vendas "
                "enviadas, retidas ou recusadas pelo Bling, mudanças de configuração."
            ),
            1,
        )
        top.addWidget(self.problems_only)
        self.view = table_view(self)
        self.view.setModel(self.model)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.refresh()

    def refresh(self) -> None:
        self.model.refresh()
