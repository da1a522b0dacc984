"""The DE-PARA grid: PDV tender (+ card brand) → Bling forma de pagamento (editable)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal

from app.errors import PonteError
from app.sync import mappings
from app.sync.mappings import PaymentRow
from ui.models.base import Index, RowTableModel

FORMA_COLUMN = 2
ANY_BRAND = "Qualquer bandeira"
NOT_MAPPED = "(escolha a forma)"


class PaymentsModel(RowTableModel[PaymentRow]):
    HEADERS = (
        "Pagamento no PDV",
        "Bandeira",
        "Forma de pagamento no Bling",
        "Sugestão",
        "Vendas esperando",
    )

    failed = Signal(str, str)  # title, message (Portuguese)
    mapping_changed = Signal(int)  # how many held sales were released

    def __init__(self) -> None:
        super().__init__()
        self.plain: dict[str, PaymentRow] = {}  # tender code → its "any brand" row

    def load(self) -> list[PaymentRow]:
        rows = mappings.list_payment_rows()
        self.plain = {r.tender_code: r for r in rows if r.card_brand == ""}
        return rows

    def falls_back(self, row: PaymentRow) -> bool:
        """A brand row without its own forma uses the tender's "any brand" forma."""
        plain = self.plain.get(row.tender_code)
        return (
            row.card_brand != ""
            and row.forma_id is None
            and plain is not None
            and plain.forma_id is not None
        )

    def key(self, row: PaymentRow) -> tuple[str, str]:
        return (row.tender_code, row.card_brand)

    def display(self, row: PaymentRow, column: int) -> str:
        if column == 0:
            return f"{row.tender_code} – {row.tender_name}"
        if column == 1:
            return f"{row.card_brand} – {row.brand_name}" if row.card_brand else ANY_BRAND
        if column == FORMA_COLUMN:
            if self.falls_back(row):
                return f"(usa a de {ANY_BRAND.lower()})"
            if row.forma_id is None:
                return NOT_MAPPED
            return f"{row.forma_description or 'forma'} ({row.forma_id})"
        if column == 3:
            if row.suggested_forma_id is None:
                return "—"
            return f"{row.suggested_description or 'forma'} ({row.suggested_forma_id})"
        if column == 4:
            return str(row.waiting_sales)
        return ""

    def extra(self, row: PaymentRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.EditRole and column == FORMA_COLUMN:
            return row.forma_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 4:
            return int(Qt.AlignmentFlag.AlignCenter)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == FORMA_COLUMN
            and row.forma_id is None
        ):
            return Qt.GlobalColor.darkYellow
        if role == Qt.ItemDataRole.ToolTipRole and column == FORMA_COLUMN:
            return "Clique duas vezes para escolher a forma de pagamento do Bling."
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == FORMA_COLUMN:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        row = self.row_at(index.row())
        if row is None or index.column() != FORMA_COLUMN or role != Qt.ItemDataRole.EditRole:
            return False
        forma_id = int(value) if value not in (None, "") else None
        if forma_id == row.forma_id:
            return False
        return self.set_mapping(row.tender_code, row.card_brand, forma_id)

    def set_mapping(self, tender_code: str, card_brand: str, forma_id: int | None) -> bool:
        """Write the DE-PARA row and release the sales it held; errors go to `failed`."""
        try:
            mappings.set_payment_mapping(tender_code, card_brand, forma_id)
            released = mappings.release_held()
        except PonteError as exc:
            self.failed.emit(exc.title, exc.message)
            return False
        self.refresh()
        self.mapping_changed.emit(len(released))
        return True

    def apply_suggestions(self) -> tuple[int, int]:
        """Accept every open suggestion; returns (rows mapped, sales released)."""
        try:
            mappings.compute_suggestions()
            accepted = mappings.accept_suggestions()
            released = mappings.release_held() if accepted else []
        except PonteError as exc:
            self.failed.emit(exc.title, exc.message)
            return 0, 0
        self.refresh()
        self.mapping_changed.emit(len(released))
        return accepted, len(released)


def forma_choices() -> list[tuple[str, int | None]]:
    """Combo entries: active Bling formas, plus one to clear the row."""
    choices: list[tuple[str, int | None]] = [("(sem associação)", None)]
    for form in mappings.list_payment_forms():
        if form.active:
            choices.append((f"{form.description} ({form.id})", int(form.id)))
    return choices
