"""Lojas e depósitos: from which Bling deposit each physical store's sales take stock."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.errors import PonteError
from app.store.settings import DEFAULT_DEPOSIT
from app.sync import mappings
from app.sync.configuration import set_config
from ui.delegates import ComboDelegate
from ui.dialogs import Dialogs
from ui.models.stores import DEPOSIT_COLUMN, USE_DEFAULT, StoresModel, deposit_choices
from ui.pages.common import hint_label, is_editing, table_view

NO_DEFAULT = "(nenhum: lojas sem depósito ficam retidas)"


class StoresPage(QWidget):
    changed = Signal()

    def __init__(self, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialogs = dialogs
        self.model = StoresModel()
        self.model.failed.connect(self.dialogs.error)
        self.model.deposit_changed.connect(lambda _n: self.changed.emit())
        self.view = table_view(self)
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(
            DEPOSIT_COLUMN,
            ComboDelegate(lambda: deposit_choices(empty_label=USE_DEFAULT), self.view),
        )
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DEPOSIT_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(True)

        self.default_combo = QComboBox()
        self.default_combo.activated.connect(self._default_chosen)
        default_row = QHBoxLayout()
        default_row.addWidget(QLabel("Depósito padrão (lojas sem depósito próprio):"))
        default_row.addWidget(self.default_combo, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(
            hint_label(
                "Uma conta do Bling pode ter várias lojas físicas. Cada loja é reconhecida pelo "
                "CNPJ emitente da NFC-e; escolha de qual depósito do Bling sai o estoque das "
                "vendas dela (clique duas vezes na coluna Depósito da loja). Uma venda isolada "
                "pode ir para outro depósito pela aba Vendas (Mudar depósito…)."
            )
        )
        layout.addLayout(default_row)
        layout.addWidget(self.view, 1)
        self.refresh()

    def refresh(self) -> None:
        if is_editing(self.view) or self.default_combo.view().isVisible():
            return
        self.model.refresh()
        choices = deposit_choices(empty_label=NO_DEFAULT)
        current = mappings.default_deposit_id()
        self.default_combo.blockSignals(True)
        self.default_combo.clear()
        for label, value in choices:
            self.default_combo.addItem(label, value)
        index = next((i for i, (_, v) in enumerate(choices) if v == current), 0)
        self.default_combo.setCurrentIndex(index)
        self.default_combo.blockSignals(False)

    def set_default_deposit(self, deposit_id: int | None) -> bool:
        try:
            set_config(DEFAULT_DEPOSIT, [str(deposit_id)] if deposit_id is not None else [])
            mappings.release_held()
        except PonteError as exc:
            self.dialogs.error(exc.title, exc.message)
            self.refresh()
            return False
        self.refresh()
        self.changed.emit()
        return True

    def _default_chosen(self, row: int) -> None:
        value = self.default_combo.itemData(row)
        if value != mappings.default_deposit_id():
            self.set_default_deposit(value)
