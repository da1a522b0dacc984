"""Vendas: every sale read from the PDV, its state in Ponte and what to do about it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import PonteError
from app.store.models import SALE_STATES
from app.sync.transitions import STATE_LABELS, ignore_sale, move_sale, retry_sale
from ui.dialogs import Dialogs
from ui.models.sales import MAX_ROWS, PROBLEM_STATES, SaleRow, SalesModel
from ui.models.stores import deposit_choices
from ui.pages.common import hint_label, table_view

COLUMN_SAMPLES = (
    "00/00/0000 00:00",
    "NFC-e / série",
    "LOJA DEMO 0 (00.000.000/0000-00)",
    "R$ 999.999,99",
    "pronta para envio",
)

FILTERS: list[tuple[str, tuple[str, ...] | None]] = [
    ("Todas as vendas", None),
    ("Com problema (retidas e com erro)", PROBLEM_STATES),
    *[(STATE_LABELS[state].capitalize(), (state,)) for state in SALE_STATES],
]


class SalesPage(QWidget):
    changed = Signal()  # a sale was changed by the user (wake the engine, refresh counts)

    def __init__(self, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialogs = dialogs
        self.model = SalesModel()

        self.filter = QComboBox()
        for label, states in FILTERS:
            self.filter.addItem(label, states)
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.count_label = QLabel()

        top = QHBoxLayout()
        top.addWidget(QLabel("Mostrar:"))
        top.addWidget(self.filter)
        top.addStretch(1)
        top.addWidget(self.count_label)

        self.view = table_view(self)
        self.view.setModel(self.model)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        # fixed widths from the widest text each column can hold: measuring 1000 rows on
        # every refresh (ResizeToContents) costs more than the query itself
        header = self.view.horizontalHeader()
        metrics = self.view.fontMetrics()
        for column, sample in enumerate(COLUMN_SAMPLES):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)

        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setMinimumHeight(40)

        self.retry_button = QPushButton("Tentar de novo")
        self.retry_button.setToolTip(
            "Envia de novo uma venda recusada pelo Bling ou confere outra vez uma venda retida."
        )
        self.ignore_button = QPushButton("Ignorar")
        self.ignore_button.setToolTip("A venda nunca será enviada ao Bling.")
        self.move_button = QPushButton("Mudar depósito…")
        self.move_button.setToolTip(
            "Escolhe de qual depósito do Bling sai o estoque desta venda (outra loja física)."
        )
        self.retry_button.clicked.connect(self.retry_selected)
        self.ignore_button.clicked.connect(self.ignore_selected)
        self.move_button.clicked.connect(self.move_selected)
        actions = QHBoxLayout()
        for button in (self.retry_button, self.ignore_button, self.move_button):
            actions.addWidget(button)
        actions.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addLayout(actions)
        layout.addWidget(
            hint_label(
                "As vendas feitas no PDV sobem para o Bling como pedidos de venda com baixa de "
                "estoque. Vendas retidas esperam uma associação (forma de pagamento, depósito "
                "ou produto) e saem sozinhas assim que ela for feita."
            )
        )
        self.refresh()

    # --- state -------------------------------------------------------------------------------

    def refresh(self) -> None:
        key = self.selected_key()
        self.model.refresh()
        if key is not None:
            self.select_key(key)
        shown = len(self.model.rows)
        more = f" (as {MAX_ROWS} mais recentes)" if shown >= MAX_ROWS else ""
        self.count_label.setText(f"{shown} venda{'s' if shown != 1 else ''}{more}")
        self._update_detail()

    def _filter_changed(self) -> None:
        self.model.set_states(self.filter.currentData())
        self.refresh()

    def set_filter(self, states: tuple[str, ...] | None) -> None:
        for row in range(self.filter.count()):
            if self.filter.itemData(row) == states:
                self.filter.setCurrentIndex(row)
                return

    def selected(self) -> SaleRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def selected_key(self) -> str | None:
        row = self.selected()
        return row.key if row is not None else None

    def select_key(self, key: str) -> None:
        number = self.model.row_of(key)
        if number >= 0:
            self.view.selectRow(number)

    def _selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        self._update_detail()

    def _update_detail(self) -> None:
        row = self.selected()
        for button in (self.retry_button, self.ignore_button, self.move_button):
            button.setEnabled(row is not None)
        if row is None:
            self.detail.setText("Selecione uma venda para ver os detalhes.")
            return
        parts = [
            f"<b>NFC-e {row.number}</b>, série {row.series} — {row.store_label}",
            f"Chave de acesso: {row.key}",
        ]
        if row.bling_order_id is not None:
            parts.append(f"Pedido no Bling: {row.bling_order_id}")
        if row.deposit_override_id is not None:
            parts.append(f"Depósito escolhido para esta venda: {row.deposit_override_id}")
        if row.reason:
            parts.append(f"<b>{row.state_label.capitalize()}:</b> {row.reason}")
        self.detail.setText("<br>".join(_escape_keep_tags(p) for p in parts))

    # --- actions -----------------------------------------------------------------------------

    def retry_selected(self) -> None:
        row = self.selected()
        if row is not None and self._act(lambda: retry_sale(row.key)):
            self.changed.emit()

    def ignore_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        if not self.dialogs.confirm(
            "Ignorar venda",
            f"A NFC-e {row.number} nunca será enviada ao Bling e o estoque dela não será "
            "baixado. Ignorar esta venda?",
        ):
            return
        if self._act(lambda: ignore_sale(row.key)):
            self.changed.emit()

    def move_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        choices = deposit_choices()
        if not choices:
            self.dialogs.error(
                "Sem depósitos",
                "Os depósitos do Bling ainda não foram sincronizados. Conecte ao Bling e "
                "clique em Sincronizar agora na aba Sincronização de dados.",
            )
            return
        ok, deposit_id = self.dialogs.choose(
            "Mudar depósito",
            f"De qual depósito do Bling sai o estoque da NFC-e {row.number}?",
            choices,
            row.deposit_override_id,
        )
        if not ok or deposit_id is None:
            return
        if self._act(lambda: move_sale(row.key, deposit_id)):
            self.changed.emit()

    def _act(self, action: Callable[[], object]) -> bool:
        try:
            action()
        except PonteError as exc:
            self.dialogs.error(exc.title, exc.message)
            return False
        self.refresh()
        return True


def _escape_keep_tags(text: str) -> str:
    """Escape user data in rich text, keeping the <b>/<br> this page puts in itself."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("&lt;b&gt;", "<b>").replace("&lt;/b&gt;", "</b>")
