"""UI fixtures: a store with fabricated rows, dialogs answered by the test, the window."""

from __future__ import annotations

from collections.abc import Iterator

import peewee
import pytest
from pytestqt.qtbot import QtBot

from tests.sync.test_resolver_support import deposit, forma, product
from tests.ui.support import ScriptedDialogs
from ui.main_window import MainWindow


@pytest.fixture
def dialogs() -> ScriptedDialogs:
    return ScriptedDialogs()


@pytest.fixture
def catalog(db: peewee.SqliteDatabase) -> None:
    """A small Bling catalogue: formas, deposits and a sellable product."""
    forma(501, "Dinheiro", 1)
    forma(502, "Cartão de crédito", 3)
    forma(503, "PIX", 17)
    deposit(701, "Loja Centro")
    deposit(702, "Loja Shopping")
    product(9001, "SKU-1")


@pytest.fixture
def window(
    db: peewee.SqliteDatabase, qtbot: QtBot, dialogs: ScriptedDialogs
) -> Iterator[MainWindow]:
    """The main window without an engine (pages read the store only)."""
    win = MainWindow(dialogs=dialogs)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.timer.stop()
