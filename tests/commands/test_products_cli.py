"""`ponte-bling products link|unlink|links|search`."""

from __future__ import annotations

import peewee
import pytest

from app.config import AppPaths
from app.store.models import PaymentMapping, ProductLink
from app.store.settings import DEFAULT_DEPOSIT, set_setting
from tests.commands.cli_support import run
from tests.sync.test_resolver_support import (
    deposit,
    forma,
    make_sale,
    product,
    reload,
)


def test_link_releases_held_sale(
    app_paths: AppPaths, db: peewee.SqliteDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    forma(1, "Dinheiro", 1)
    PaymentMapping.create(tender_code="01", card_brand="", forma_id=1)
    deposit(10, "Centro")
    set_setting(DEFAULT_DEPOSIT, 10)
    product(1, "CAM", kind="parent", name="Camiseta")
    product(2, "CAM-P", kind="variation", parent_id=1, name="Camiseta P", gtin="7890000000002")
    sale = make_sale(items=[("PDV-CAM-P", None, "Camiseta P")])

    assert run(app_paths, "products", "link", "PDV-CAM-P", "--product", "1") == 2
    err = capsys.readouterr().err
    assert "produto pai com variações" in err and "2 (CAM-P)" in err

    assert run(app_paths, "products", "link", "PDV-CAM-P", "--product", "2") == 0
    out = capsys.readouterr().out
    assert "vinculado ao produto 2 (Camiseta P)" in out and "1 venda(s) liberada(s)" in out
    assert reload(sale).state == "pronta"

    assert run(app_paths, "products", "links") == 0
    assert "PDV-CAM-P" in capsys.readouterr().out
    assert run(app_paths, "products", "search", "7890000000002") == 0
    assert "Camiseta P" in capsys.readouterr().out
    assert run(app_paths, "products", "search", "camiseta") == 0
    out = capsys.readouterr().out
    assert "pai (com variações)" in out and "variação" in out
    assert run(app_paths, "products", "unlink", "PDV-CAM-P") == 0
    assert ProductLink.get_or_none(ProductLink.code == "PDV-CAM-P") is None
    assert run(app_paths, "products", "unlink", "PDV-CAM-P") == 1


def test_link_without_catalogue(
    app_paths: AppPaths, db: peewee.SqliteDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(app_paths, "products", "link", "X", "--product", "5") == 2
    assert "Sincronize o catálogo primeiro: ponte-bling sync --once" in capsys.readouterr().err
