"""`ponte-bling demo`: the whole flow against the built-in simulator, through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main


def test_demo_sends_every_sale_through_the_simulator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--data-dir", str(tmp_path), "demo", "--sales", "4"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Conectado." in out
    assert "O PDV gravou 4 arquivo(s) XML" in out
    # First cycle holds (no DE-PARA, no deposits); the second sends all four.
    assert "4 retida(s)" in out
    assert "4 enviada(s), 4 pedido(s) criado(s)" in out
    assert "No Bling (simulador): 4 pedido(s) de venda" in out
    assert "Estoque do depósito Loja" in out
    assert (tmp_path / "demo" / "ponte.sqlite3").is_file()


def test_demo_refuses_a_bad_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path), "demo", "--sales", "0"]) == 2
    assert "--sales" in capsys.readouterr().err
