"""The sales table: newest first, optionally filtered by state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import peewee
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.documents import format_cnpj
from app.store.models import Sale
from app.sync.transitions import STATE_LABELS
from app.timeutil import format_brl
from ui.formatting import when
from ui.models.base import RowTableModel

MAX_ROWS = 1000

# Filter choices: label → states (None = every state).
PROBLEM_STATES = ("retida", "erro")
STATE_COLORS = {
    "retida": "#9a6700",
    "erro": "#cf222e",
    "enviada": "#1a7f37",
    "cancelada": "#6e7781",
    "ignorada": "#6e7781",
}


@dataclass(frozen=True)
class SaleRow:
    key: str
    issued_at: datetime
    number: int
    series: int
    store_cnpj: str
    store_name: str
    total: Decimal
    state: str
    reason: str
    bling_order_id: int | None
    deposit_override_id: int | None
    updated_at: datetime

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def store_label(self) -> str:
        cnpj = format_cnpj(self.store_cnpj)
        return f"{self.store_name} ({cnpj})" if self.store_name else cnpj


def sale_reason(sale: Sale) -> str:
    """What the user needs to know about a sale's state: the hold reason or Bling's error."""
    if sale.state == "erro" or sale.error_message:
        title = sale.error_title or ""
        message = sale.error_message or ""
        return f"{title}: {message}" if title and message else title or message
    if sale.state == "retida":
        return str(sale.hold_reason or "")
    return ""


class SalesModel(RowTableModel[SaleRow]):
    HEADERS = ("Data/hora", "NFC-e / série", "Loja", "Total", "Situação", "Motivo / erro")

    def __init__(self) -> None:
        super().__init__()
        self.states: tuple[str, ...] | None = None
        self._fingerprint: tuple[object, ...] | None = None

    def set_states(self, states: tuple[str, ...] | None) -> None:
        """Show only these states (None = all) and re-query."""
        self.states = states
        self.refresh(force=True)

    def fingerprint(self) -> tuple[object, ...]:
        """Changes whenever a sale is added or changes (every update stamps updated_at)."""
        row: Any = (
            Sale.select(peewee.fn.COUNT(Sale.key), peewee.fn.MAX(Sale.updated_at)).tuples().get()
        )
        return (self.states, *tuple(row))

    def refresh(self, *, force: bool = False) -> None:
        """Re-query only when the sales changed since the last look (the timer is frequent)."""
        fingerprint = self.fingerprint()
        if not force and fingerprint == self._fingerprint:
            return
        self._fingerprint = fingerprint
        super().refresh()

    def load(self) -> list[SaleRow]:
        query = Sale.select()
        if self.states:
            query = query.where(Sale.state.in_(self.states))
        query = query.order_by(Sale.issued_at.desc(), Sale.number.desc()).limit(MAX_ROWS)
        return [
            SaleRow(
                key=s.key,
                issued_at=s.issued_at,
                number=int(s.number),
                series=int(s.series),
                store_cnpj=s.store_cnpj,
                store_name=s.store_name or "",
                total=s.total,
                state=s.state,
                reason=sale_reason(s),
                bling_order_id=s.bling_order_id,
                deposit_override_id=s.deposit_override_id,
                updated_at=s.updated_at,
            )
            for s in query
        ]

    def key(self, row: SaleRow) -> str:
        return row.key

    def display(self, row: SaleRow, column: int) -> str:
        if column == 0:
            return when(row.issued_at)
        if column == 1:
            return f"{row.number} / {row.series}"
        if column == 2:
            return row.store_label
        if column == 3:
            return format_brl(row.total)
        if column == 4:
            return row.state_label
        if column == 5:
            return row.reason.splitlines()[0] if row.reason else ""
        return ""

    def extra(self, row: SaleRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 4 and row.state in STATE_COLORS:
            return QColor(STATE_COLORS[row.state])
        if role == Qt.ItemDataRole.ToolTipRole and column == 5 and row.reason:
            return row.reason
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return f"Chave de acesso: {row.key}"
        return None
