"""`ponte-bling sync --once` end to end against the simulator, and its exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.config import AppPaths
from app.simulator import RunningSimulator
from app.store.db import close_database, open_database
from app.store.models import Sale
from app.store.settings import XML_FOLDERS, set_setting
from tests.sync.test_e2e_support import map_stores, map_tenders, note_catalog


def run(data_dir: Path, url: str, *args: str) -> int:
    try:
        return main(["--data-dir", str(data_dir), "--bling-url", url, "sync", *args])
    finally:
        close_database()


def test_not_connected_exits_with_the_reason(
    tmp_path: Path, memory_keyring: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(tmp_path / "data", "http://127.0.0.1:9/Api/v3", "--once")
    assert code == 3
    err = capsys.readouterr().err
    assert "ponte-bling login" in err


def test_sync_once_sends_sales_and_prints_summary_by_state(
    sim: RunningSimulator,
    api_factory: Any,
    app_paths: AppPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import app.bling.connect as connect
    from app.sources.generator import write_notes
    from tests.fixtures.bling import FAST_RETRY, limits_for

    api_factory(sim)  # saves the simulator's tokens in the (memory) keyring
    real_open = connect.open_api

    def open_fast(url: str, **kwargs: Any) -> Any:  # the test simulator has no rate limit
        return real_open(url, limits=limits_for(sim), retry=FAST_RETRY, **kwargs)

    monkeypatch.setattr(connect, "open_api", open_fast)
    folder = tmp_path / "pdv"
    write_notes(folder, note_catalog(), 5, seed=2, cancel_ratio=0.0)
    set_setting(XML_FOLDERS, [str(folder)])
    import os
    import time

    old = time.time() - 60  # written a minute ago: intake does not wait for them to settle
    for path in folder.iterdir():
        os.utime(path, (old, old))
    close_database()

    assert run(app_paths.data_dir, sim.base_url, "--once") == 0
    out = capsys.readouterr().out
    assert "Vendas por situação:" in out and "retida" in out

    open_database(app_paths)
    map_stores()
    map_tenders()
    close_database()

    assert run(app_paths.data_dir, sim.base_url, "--once") == 0
    out = capsys.readouterr().out
    assert "5 enviada(s)" in out
    line = next(x for x in out.splitlines() if x.strip().startswith("enviada"))
    assert line.split()[-1] == "5"
    open_database(app_paths)
    assert Sale.select().where(Sale.state == "enviada").count() == 5
    assert sim.state.orders_created == 5


def test_a_second_process_on_the_same_data_dir_skips_the_cycle(
    tmp_path: Path, memory_keyring: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two engines on one data dir would both send the same sales: the second one waits."""
    import subprocess
    import sys

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock; "
            "lock = FileLock(sys.argv[1]); lock.acquire(); print('held', flush=True); "
            "time.sleep(30)",
            str(data_dir / "engine.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code = run(data_dir, "http://127.0.0.1:9/Api/v3", "--once")
    finally:
        holder.kill()
        holder.wait()
    assert code == 6
    assert "Outra cópia do Ponte" in capsys.readouterr().err
    # Once the other process is gone the lock is free again (not connected here: exit 3).
    assert run(data_dir, "http://127.0.0.1:9/Api/v3", "--once") == 3
