"""`ponte-bling stores list|set|deposits`."""

from __future__ import annotations

import peewee
import pytest

from app.config import AppPaths
from app.store.models import Sale, StoreLocation
from app.store.settings import DEFAULT_DEPOSIT, set_setting
from tests.commands.cli_support import run
from tests.sync.test_resolver_support import (
    STORE_A,
    STORE_B,
    deposit,
    make_sale,
    product,
    reload,
)


def test_list_and_set(
    app_paths: AppPaths, db: peewee.SqliteDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    deposit(10, "Depósito Centro")
    deposit(20, "Depósito Shopping")
    product(100, "SKU-1")
    from app.store.models import PaymentMapping
    from tests.sync.test_resolver_support import forma

    forma(1, "Dinheiro", 1)
    PaymentMapping.create(tender_code="01", card_brand="", forma_id=1)
    set_setting(DEFAULT_DEPOSIT, 10)
    make_sale(store_cnpj=STORE_A, store_name="Loja Centro")
    held = make_sale(store_cnpj=STORE_B, store_name="Loja Shopping")
    Sale.update(state="retida", hold_reason="sem depósito").where(Sale.key == held.key).execute()
    set_setting(DEFAULT_DEPOSIT, None)

    assert run(app_paths, "stores", "list") == 0
    out = capsys.readouterr().out
    assert "11.222.333/0001-81" in out and "Loja Centro" in out and "(sem depósito)" in out

    assert run(app_paths, "stores", "set", "45.997.418/0001-53", "--deposit", "20") == 0
    out = capsys.readouterr().out
    assert "Loja 45.997.418/0001-53: depósito 20 Depósito Shopping." in out
    assert "1 venda(s) liberada(s)" in out
    assert StoreLocation.get_by_id(STORE_B).deposit_id == 20
    assert reload(held).state == "pronta"

    assert run(app_paths, "stores", "list") == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "45.997.418/0001-53" in x)
    assert "20 Depósito Shopping" in line and line.rstrip().endswith("1")

    assert run(app_paths, "stores", "set", STORE_B, "--deposit", "99") == 2
    assert "não existe" in capsys.readouterr().err
    assert run(app_paths, "stores", "set", STORE_B, "--default") == 0
    assert StoreLocation.get_by_id(STORE_B).deposit_id is None

    assert run(app_paths, "stores", "deposits") == 0
    assert "Depósito Shopping" in capsys.readouterr().out


def test_empty_catalogue(
    app_paths: AppPaths, db: peewee.SqliteDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(app_paths, "stores", "set", STORE_A, "--deposit", "1") == 2
    assert "Sincronize o catálogo primeiro: ponte-bling sync --once" in capsys.readouterr().err
    assert run(app_paths, "stores", "list") == 0
    assert "Nenhuma loja" in capsys.readouterr().out
    assert run(app_paths, "stores", "deposits") == 1
