"""Stores (emitter CNPJ) and the Bling deposit their sales leave from (editable)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal

from app.errors import PonteError
from app.sync import mappings
from app.sync.mappings import StoreRow
from ui.models.base import Index, RowTableModel

DEPOSIT_COLUMN = 3
USE_DEFAULT = "(usar o depósito padrão)"


class StoresModel(RowTableModel[StoreRow]):
    HEADERS = ("CNPJ da loja", "Nome", "Vendas", "Depósito da loja", "Depósito em uso")

    failed = Signal(str, str)
    deposit_changed = Signal(int)  # sales released

    def load(self) -> list[StoreRow]:
        return mappings.list_stores()

    def key(self, row: StoreRow) -> str:
        return row.cnpj

    def display(self, row: StoreRow, column: int) -> str:
        if column == 0:
            return row.cnpj_formatted
        if column == 1:
            return row.name or "—"
        if column == 2:
            return str(row.sales_count)
        if column == DEPOSIT_COLUMN:
            if row.deposit_id is None:
                return USE_DEFAULT
            return self._deposit_name(row.deposit_id)
        if column == 4:
            if row.effective_deposit_id is None:
                return "nenhum: as vendas ficam retidas"
            name = (
                f"{row.deposit_description} ({row.effective_deposit_id})"
                if row.deposit_description
                else str(row.effective_deposit_id)
            )
            return f"{name} (padrão)" if row.uses_default else name
        return ""

    def _deposit_name(self, deposit_id: int) -> str:
        for label, value in deposit_choices():
            if value == deposit_id:
                return label
        return str(deposit_id)

    def extra(self, row: StoreRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.EditRole and column == DEPOSIT_COLUMN:
            return row.deposit_id
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == 4
            and row.effective_deposit_id is None
        ):
            return Qt.GlobalColor.darkRed
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == DEPOSIT_COLUMN:
            return "Clique duas vezes para escolher o depósito de onde sai o estoque desta loja."
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == DEPOSIT_COLUMN:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        row = self.row_at(index.row())
        if row is None or index.column() != DEPOSIT_COLUMN or role != Qt.ItemDataRole.EditRole:
            return False
        deposit_id = int(value) if value not in (None, "") else None
        if deposit_id == row.deposit_id:
            return False
        return self.set_deposit(row.cnpj, deposit_id)

    def set_deposit(self, cnpj: str, deposit_id: int | None) -> bool:
        """Give the store its deposit (None = the default) and release what it held."""
        try:
            mappings.set_store_deposit(cnpj, deposit_id)
            released = mappings.release_held()
        except PonteError as exc:
            self.failed.emit(exc.title, exc.message)
            return False
        self.refresh()
        self.deposit_changed.emit(len(released))
        return True


def deposit_choices(*, empty_label: str | None = None) -> list[tuple[str, int | None]]:
    """Combo entries: active Bling deposits (with `empty_label` first when given)."""
    choices: list[tuple[str, int | None]] = []
    if empty_label is not None:
        choices.append((empty_label, None))
    for deposit in mappings.list_deposits():
        if deposit.active:
            default = " – padrão no Bling" if deposit.is_default else ""
            choices.append((f"{deposit.description} ({deposit.id}){default}", int(deposit.id)))
    return choices
