"""`ponte-bling` with no subcommand: the desktop app where there is a display, help elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import app.cli as cli
from app.desktop import has_display


def test_without_a_display_it_prints_help(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert not has_display()
    assert cli.main([]) == 0
    assert "uso: ponte-bling" in capsys.readouterr().out


def test_with_a_display_it_runs_the_desktop_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":99")
    assert has_display()
    calls: list[tuple[Any, ...]] = []

    def fake_desktop_function(module: str, name: str) -> Any:
        assert (module, name) == ("ui.app", "run_desktop")
        return lambda paths, url: calls.append((paths.data_dir, url)) or 0

    monkeypatch.setattr(cli, "desktop_function", fake_desktop_function)
    assert cli.main(["--data-dir", str(tmp_path), "--bling-url", "http://127.0.0.1:9/Api/v3"]) == 0
    assert calls == [(tmp_path, "http://127.0.0.1:9/Api/v3")]


def test_the_desktop_entry_point_exists() -> None:
    from ui.app import run_desktop
    from ui.demo_window import show_demo_window

    assert callable(run_desktop) and callable(show_demo_window)
