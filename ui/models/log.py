"""The sync log (LogEvent), newest first; refresh only fetches what is new."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from app.store.models import LogEvent, Sale
from ui.formatting import CATEGORY_LABELS, LEVEL_LABELS, when_seconds
from ui.models.base import RowTableModel

MAX_ROWS = 2000
# peewee adds the implicit `id` primary key at runtime; typed access goes through these.
EVENT_ID: Any = getattr(LogEvent, "id")  # noqa: B009


def event_id(event: LogEvent) -> int:
    return int(getattr(event, "id"))  # noqa: B009


LEVEL_COLORS = {"warning": "#9a6700", "error": "#cf222e"}


class LogModel(RowTableModel[LogEvent]):
    HEADERS = ("Data/hora", "Nível", "Assunto", "NFC-e", "Mensagem")

    def __init__(self) -> None:
        super().__init__()
        self.problems_only = False
        self.notes: dict[str, str] = {}  # sale key → "número / série"

    def _learn_notes(self, events: list[LogEvent]) -> None:
        keys = {e.sale_key for e in events if e.sale_key and e.sale_key not in self.notes}
        if not keys:
            return
        found = Sale.select(Sale.key, Sale.number, Sale.series).where(Sale.key.in_(list(keys)))
        for sale in found:
            self.notes[sale.key] = f"{sale.number} / {sale.series}"

    def set_problems_only(self, value: bool) -> None:
        self.problems_only = value
        self.beginResetModel()
        self.rows = self.load()
        self.endResetModel()

    def _query(self) -> Any:
        query = LogEvent.select()
        if self.problems_only:
            query = query.where(LogEvent.level.in_(("warning", "error")))
        return query.order_by(EVENT_ID.desc()).limit(MAX_ROWS)

    def load(self) -> list[LogEvent]:
        events = list(self._query())
        self._learn_notes(events)
        return events

    def refresh(self) -> None:
        """Prepend events newer than the newest row shown (the log only grows)."""
        if not self.rows:
            super().refresh()
            return
        newest = event_id(self.rows[0])
        fresh = list(self._query().where(EVENT_ID > newest))  # noqa: SIM300
        if not fresh:
            return
        self._learn_notes(fresh)
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self.rows[:0] = fresh
        self.endInsertRows()
        if len(self.rows) > MAX_ROWS:
            self.beginRemoveRows(QModelIndex(), MAX_ROWS, len(self.rows) - 1)
            del self.rows[MAX_ROWS:]
            self.endRemoveRows()

    def key(self, row: LogEvent) -> int:
        return event_id(row)

    def display(self, row: LogEvent, column: int) -> str:
        if column == 0:
            return when_seconds(row.at)
        if column == 1:
            return LEVEL_LABELS.get(row.level, row.level)
        if column == 2:
            return CATEGORY_LABELS.get(row.category, row.category)
        if column == 3:
            return self.notes.get(row.sale_key, "") if row.sale_key else ""
        if column == 4:
            return str(row.message)
        return ""

    def extra(self, row: LogEvent, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row.level in LEVEL_COLORS:
            return QColor(LEVEL_COLORS[row.level])
        if role == Qt.ItemDataRole.ToolTipRole and column == 4:
            extra = f"\n\nChave: {row.sale_key}" if row.sale_key else ""
            return f"{row.message}{extra}"
        return None
