"""Pagamentos (DE-PARA): which Bling forma de pagamento each PDV tender becomes."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from app.store.models import PaymentForm
from ui.delegates import ComboDelegate
from ui.dialogs import Dialogs
from ui.models.payments import FORMA_COLUMN, PaymentsModel, forma_choices
from ui.pages.common import hint_label, is_editing, table_view


class PaymentsPage(QWidget):
    changed = Signal()  # a mapping changed (held sales may have been released)

    def __init__(self, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialogs = dialogs
        self.model = PaymentsModel()
        self.model.failed.connect(self.dialogs.error)
        self.model.mapping_changed.connect(lambda _n: self.changed.emit())
        self.view = table_view(self)
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(FORMA_COLUMN, ComboDelegate(forma_choices, self.view))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FORMA_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)

        self.catalog_hint = QLabel()
        self.catalog_hint.setWordWrap(True)
        self.catalog_hint.setStyleSheet("color: #9a6700;")
        self.apply_button = QPushButton("Aplicar sugestões")
        self.apply_button.setToolTip(
            "Usa a forma sugerida em cada pagamento ainda sem forma (as já escolhidas ficam)."
        )
        self.apply_button.clicked.connect(self.apply_suggestions)
        self.waiting_label = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.waiting_label, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(
            hint_label(
                "As formas de pagamento não são sincronizadas sozinhas: diga qual forma de "
                "pagamento do Bling corresponde a cada pagamento do PDV (DE-PARA). Clique duas "
                "vezes na coluna do Bling para escolher. Uma venda com pagamento sem forma fica "
                "retida — nunca é enviada errada — e sai sozinha quando a forma for escolhida."
            )
        )
        layout.addWidget(self.catalog_hint)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        if is_editing(self.view):
            return  # never pull the combo from under the user's hand
        self.model.refresh()
        has_forms = PaymentForm.select().exists()
        self.catalog_hint.setVisible(not has_forms)
        self.catalog_hint.setText(
            "Nenhuma forma de pagamento do Bling ainda: conecte ao Bling e clique em "
            "Sincronizar agora (aba Sincronização de dados)."
        )
        unmapped = sum(1 for r in self.model.rows if r.forma_id is None and r.card_brand == "")
        self.waiting_label.setText(
            f"{unmapped} pagamento(s) do PDV ainda sem forma do Bling." if unmapped else ""
        )
        self.apply_button.setEnabled(
            any(r.forma_id is None and r.suggested_forma_id is not None for r in self.model.rows)
        )

    def apply_suggestions(self) -> None:
        accepted, released = self.model.apply_suggestions()
        self.refresh()
        if accepted:
            self.dialogs.info(
                "Sugestões aplicadas",
                f"{accepted} forma(s) de pagamento associada(s); "
                f"{released} venda(s) liberada(s) para envio.",
            )
