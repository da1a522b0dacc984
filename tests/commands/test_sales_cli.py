"""`ponte-bling sales list|retry|ignore|move` over a real data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.config import AppPaths
from app.store.db import close_database, open_database
from app.store.models import Deposit, LogEvent, Sale
from tests.sync.test_outbox_fakes import make_sale


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    paths = AppPaths(tmp_path / "data")
    open_database(paths)
    make_sale(1, state="erro")
    make_sale(2, state="enviada")
    make_sale(3, state="retida")
    Sale.update(
        error_title="Pedido recusado pelo Bling",
        error_message="O Bling respondeu: Forma inválida. Revise o DE-PARA.",
    ).where(Sale.number == 1).execute()
    Sale.update(bling_order_id=900, stock_launched=True, stock_deposit_id=1).where(
        Sale.number == 2
    ).execute()
    Deposit.create(id=1, description="Loja Centro")
    Deposit.create(id=2, description="Loja Shopping")
    close_database()
    return paths.data_dir


def cli(data_dir: Path, *args: str) -> int:
    try:
        return main(["--data-dir", str(data_dir), "sales", *args])
    finally:
        close_database()


def key_of(data_dir: Path, number: int) -> str:
    open_database(AppPaths(data_dir))
    try:
        return str(Sale.get(Sale.number == number).key)
    finally:
        close_database()


def state_of(data_dir: Path, number: int) -> Sale:
    open_database(AppPaths(data_dir))
    try:
        return Sale.get(Sale.number == number)
    finally:
        close_database()


def test_list_json_and_filter(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(data_dir, "list", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["state"] for r in rows} == {"erro", "enviada", "retida"}
    assert all(r["total"] == "20.00" and r["issued_at"].endswith("-03:00") for r in rows)
    assert cli(data_dir, "list", "--state", "erro", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1 and "DE-PARA" in rows[0]["error_message"]
    assert cli(data_dir, "list") == 0
    text = capsys.readouterr().out
    assert "3 venda(s)." in text and "R$ 20,00" in text and "pedido 900" in text


def test_retry_error_sale_and_unknown_key(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = key_of(data_dir, 1)
    assert cli(data_dir, "retry", key[-10:]) == 0
    assert state_of(data_dir, 1).state == "nova"
    assert state_of(data_dir, 1).error_title is None
    assert cli(data_dir, "retry", "9999999999") == 2
    assert "Venda não encontrada" in capsys.readouterr().err


def test_ignore_refuses_a_sent_sale(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(data_dir, "ignore", key_of(data_dir, 2)) == 2
    assert "cancele a nota no PDV" in capsys.readouterr().err
    assert state_of(data_dir, 2).state == "enviada"
    assert cli(data_dir, "ignore", key_of(data_dir, 3)) == 0
    assert state_of(data_dir, 3).state == "ignorada"


def test_move_records_intent_and_checks_deposit(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = key_of(data_dir, 2)
    assert cli(data_dir, "move", key, "--deposit", "77") == 2
    assert "Depósito desconhecido" in capsys.readouterr().err
    assert cli(data_dir, "move", key, "--deposit", "2") == 0
    assert "vai para o 2" in capsys.readouterr().out
    sale = state_of(data_dir, 2)
    assert sale.deposit_override_id == 2 and sale.stock_deposit_id == 1
    open_database(AppPaths(data_dir))
    try:
        assert LogEvent.select().where(LogEvent.sale_key == key).count() == 1
    finally:
        close_database()
