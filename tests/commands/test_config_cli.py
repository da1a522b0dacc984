"""`ponte-bling config set|get` through app.cli.main."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.config import AppPaths


def run(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), *args])


def test_set_and_get(
    app_paths: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = app_paths.data_dir
    folder = tmp_path / "pdv"
    folder.mkdir()
    assert run(data, "config", "set", "xml-folders", str(folder), str(tmp_path / "falta")) == 0
    out = capsys.readouterr()
    assert f"xml-folders = {folder.resolve()}, {(tmp_path / 'falta').resolve()}" in out.out
    assert "não existe" in out.err
    assert run(data, "config", "set", "sync-interval", "45") == 0
    assert run(data, "config", "get", "sync-interval") == 0
    assert capsys.readouterr().out.strip().endswith("sync-interval = 45 segundos")
    assert run(data, "config", "get") == 0
    listing = capsys.readouterr().out
    for key in (
        "xml-folders",
        "sync-interval",
        "sales-channel",
        "final-status",
        "default-deposit",
        "own-cnpjs",
    ):
        assert f"{key} = " in listing
    assert "sales-channel = (vazio)" in listing


def test_errors_exit_non_zero_in_portuguese(
    app_paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    data = app_paths.data_dir
    assert run(data, "config", "set", "cor", "azul") == 2
    err = capsys.readouterr().err
    assert "Chave desconhecida" in err and "xml-folders" in err and "final-status" in err
    assert run(data, "config", "set", "sync-interval", "3") == 2
    assert "mínimo é 10" in capsys.readouterr().err
    assert run(data, "config", "get", "nada") == 2
    assert run(data, "config", "set", "default-deposit", "7") == 2
    assert "ponte-bling sync --once" in capsys.readouterr().err


def test_clearing_a_key(app_paths: AppPaths, capsys: pytest.CaptureFixture[str]) -> None:
    data = app_paths.data_dir
    assert run(data, "config", "set", "sales-channel", "77") == 0
    assert run(data, "config", "set", "sales-channel") == 0
    assert run(data, "config", "get", "sales-channel") == 0
    assert capsys.readouterr().out.strip().endswith("sales-channel = (vazio)")
