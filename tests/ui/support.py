"""Helpers for the UI tests: dialogs answered by the test, fabricated sales (no tests here)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from app.store.models import Sale
from tests.sync.test_resolver_support import STORE_A, make_sale
from ui.dialogs import Dialogs


class ScriptedDialogs(Dialogs):
    """Answers every question from the test's script and records every message."""

    def __init__(self) -> None:
        super().__init__(None)
        self.confirm_answer = True
        self.choice: tuple[bool, int | None] = (False, None)
        self.folder: str | None = None
        self.messages: list[tuple[str, str, str]] = []  # (kind, title, text)
        self.offered: list[tuple[str, int | None]] = []

    def confirm(self, title: str, text: str) -> bool:
        self.messages.append(("confirm", title, text))
        return self.confirm_answer

    def choose(
        self, title: str, text: str, choices: list[tuple[str, int | None]], current: int | None
    ) -> tuple[bool, int | None]:
        self.offered = choices
        return self.choice

    def error(self, title: str, text: str) -> None:
        self.messages.append(("error", title, text))

    def info(self, title: str, text: str) -> None:
        self.messages.append(("info", title, text))

    def choose_folder(self, title: str, start: str) -> str | None:
        return self.folder


def sale_at(
    state: str = "nova",
    *,
    total: str = "10.00",
    store: str = STORE_A,
    store_name: str = "Loja Centro",
    issued_at: datetime | None = None,
    **fields: object,
) -> Sale:
    """A fabricated sale with a given state, total and time."""
    sale = make_sale(store_cnpj=store, store_name=store_name, state=state)
    sale.total = Decimal(total)
    sale.issued_at = issued_at or datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    for name, value in fields.items():
        setattr(sale, name, value)
    sale.save()
    return sale
