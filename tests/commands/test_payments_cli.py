"""`ponte-bling payments list|set|suggest|accept|formas`."""

from __future__ import annotations

import peewee
import pytest

from app.config import AppPaths
from app.store.models import PaymentMapping
from app.store.settings import DEFAULT_DEPOSIT, set_setting
from tests.commands.cli_support import run
from tests.sync.test_resolver_support import (
    deposit,
    forma,
    make_sale,
    product,
    reload,
)


@pytest.fixture
def store(db: peewee.SqliteDatabase) -> None:
    forma(1, "Dinheiro", 1)
    forma(3, "Cartão de Crédito", 3)
    forma(31, "Crédito Visa", 3, card_brand=1)
    forma(17, "PIX", 17)
    deposit(10, "Centro")
    product(100, "SKU-1")
    set_setting(DEFAULT_DEPOSIT, 10)


def test_grid_set_suggest_accept(
    app_paths: AppPaths, store: None, capsys: pytest.CaptureFixture[str]
) -> None:
    visa = make_sale(payments=[("03", "01")])
    pix = make_sale(payments=[("17", None)])
    assert run(app_paths, "payments", "list") == 0
    out = capsys.readouterr().out
    assert "Cartão de crédito" in out and "01 Visa" in out and "PIX dinâmico" in out
    visa_line = next(x for x in out.splitlines() if "01 Visa" in x)
    assert "31 Crédito Visa" in visa_line  # shown as the suggestion ...
    assert PaymentMapping.get(tender_code="03", card_brand="01").forma_id is None  # ... not applied

    assert run(app_paths, "payments", "set", "17", "--forma", "17") == 0
    out = capsys.readouterr().out
    assert "17 PIX dinâmico → 17 PIX" in out
    assert reload(pix).state == "pronta" and reload(visa).state == "retida"

    assert run(app_paths, "payments", "suggest") == 0
    out = capsys.readouterr().out
    assert "Nada foi aplicado" in out
    assert reload(visa).state == "retida"

    assert run(app_paths, "payments", "accept", "03", "--brand", "Visa") == 0
    out = capsys.readouterr().out
    assert "1 sugestão(ões) aplicada(s)" in out and "1 venda(s) liberada(s)" in out
    assert reload(visa).state == "pronta"

    assert run(app_paths, "payments", "accept") == 0  # the plain 03 row
    assert PaymentMapping.get(tender_code="03", card_brand="").forma_id == 3
    assert run(app_paths, "payments", "set", "03", "--clear") == 0
    assert PaymentMapping.get(tender_code="03", card_brand="").forma_id is None


def test_bad_input(app_paths: AppPaths, store: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(app_paths, "payments", "set", "03", "--brand", "Marte", "--forma", "3") == 2
    assert "Bandeira desconhecida" in capsys.readouterr().err
    assert run(app_paths, "payments", "set", "03", "--forma", "404") == 2
    err = capsys.readouterr().err
    assert "não existe" in err and "3 (Cartão de Crédito)" in err
    assert run(app_paths, "payments", "accept", "02") == 2
    assert "Não há sugestão" in capsys.readouterr().err
    assert run(app_paths, "payments", "formas") == 0
    assert "Crédito Visa" in capsys.readouterr().out


def test_without_catalogue(
    app_paths: AppPaths, db: peewee.SqliteDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(app_paths, "payments", "suggest") == 2
    assert "ponte-bling sync --once" in capsys.readouterr().err
    assert run(app_paths, "payments", "list") == 0
    out = capsys.readouterr()
    assert "ponte-bling sync --once" in out.err and "01 Dinheiro" in out.out
