"""Per kind of data pulled from Bling: last good sync, count, last error."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.store.models import SyncState
from app.sync.catalog import CATALOG_KINDS, KIND_LABELS
from ui.formatting import when
from ui.models.base import RowTableModel


class SyncStateModel(RowTableModel[SyncState]):
    HEADERS = (
        "Dados do Bling",
        "Última sincronização com sucesso",
        "Itens",
        "Última tentativa",
        "Último erro",
    )

    def load(self) -> list[SyncState]:
        states = {s.kind: s for s in SyncState.select()}
        ordered = [
            states.pop(kind) if kind in states else SyncState(kind=kind) for kind in CATALOG_KINDS
        ]
        return ordered + sorted(states.values(), key=lambda s: s.kind)

    def key(self, row: SyncState) -> str:
        return str(row.kind)

    def display(self, row: SyncState, column: int) -> str:
        if column == 0:
            label = KIND_LABELS.get(row.kind, row.kind)
            return label[:1].upper() + label[1:]
        if column == 1:
            return when(row.last_success_at, empty="nunca")
        if column == 2:
            return str(row.count or 0) if row.last_success_at is not None else "—"
        if column == 3:
            return when(row.last_attempt_at)
        if column == 4:
            return str(row.last_error or "")
        return ""

    def extra(self, row: SyncState, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            return QColor("#cf222e")
        if role == Qt.ItemDataRole.ForegroundRole and column == 1 and row.last_success_at is None:
            return QColor("#9a6700")
        if role == Qt.ItemDataRole.ToolTipRole and column == 4 and row.last_error:
            return str(row.last_error)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None
