"""A read-only table model over a list of row objects, refreshed by re-querying the store."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

RowT = TypeVar("RowT")

Index = QModelIndex | QPersistentModelIndex
KEY_ROLE = Qt.ItemDataRole.UserRole + 1


class RowTableModel(QAbstractTableModel, Generic[RowT]):
    """Subclasses set HEADERS and implement `load()`, `key()` and `display()`."""

    HEADERS: Sequence[str] = ()

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[RowT] = []

    # --- to implement ------------------------------------------------------------------------

    def load(self) -> list[RowT]:
        raise NotImplementedError

    def key(self, row: RowT) -> Hashable:
        raise NotImplementedError

    def display(self, row: RowT, column: int) -> str:
        raise NotImplementedError

    def extra(self, row: RowT, column: int, role: int) -> Any:
        """Other roles (alignment, colour, tooltip...); None = default."""
        return None

    # --- refresh -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-query; when the same rows come back only their cells change (selection and
        scroll position survive), otherwise the model is reset."""
        rows = self.load()
        if [self.key(r) for r in rows] == [self.key(r) for r in self.rows]:
            self.rows = rows
            if rows:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(rows) - 1, len(self.HEADERS) - 1)
                )
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def row_at(self, row: int) -> RowT | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, key: Hashable) -> int:
        for number, row in enumerate(self.rows):
            if self.key(row) == key:
                return number
        return -1

    # --- QAbstractTableModel -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row())
        if row is None or not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, index.column())
        if role == KEY_ROLE:
            return self.key(row)
        return self.extra(row, index.column(), role)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None
