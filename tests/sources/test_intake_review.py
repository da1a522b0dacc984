"""A crash in the middle of a scan (kill -9) loses and duplicates nothing."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import peewee
import pytest

from app.config import AppPaths
from app.sources.generator import (
    default_catalog,
    generate_notes,
    write_files,
)
from app.sources.intake import Intake
from app.store.models import (
    Cancellation,
    LogEvent,
    Sale,
    SaleItem,
    SalePayment,
    SourceFile,
)

OLD = time.time() - 3600

# Runs a real scan in another process and kills it with SIGKILL while its third batch is
# being written (after two batches were committed, in the middle of a transaction).
_KILLED_SCAN = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from app.config import AppPaths
    from app.sources import store_writer
    from app.sources.intake import Intake
    from app.store.db import open_database

    paths = AppPaths(Path(sys.argv[1]))
    open_database(paths)
    original = store_writer.StoreWriter._insert_children
    calls = [0]

    def insert_then_die(self, sales):
        original(self, sales)
        calls[0] += 1
        if calls[0] == 3:
            os.kill(os.getpid(), signal.SIGKILL)

    store_writer.StoreWriter._insert_children = insert_then_die
    Intake(paths, [Path(sys.argv[2])], settle_seconds=0, workers=1, batch_size=10).scan_once()
    print("not killed")
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")
def test_kill_minus_9_mid_scan_then_rescan_loses_and_duplicates_nothing(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    generated = list(
        generate_notes(default_catalog(), 45, seed=31, cancel_ratio=0.1, contingency_ratio=0.1)
    )
    for path in write_files(folder, generated, by_month=True):
        os.utime(path, (OLD, OLD))
    sales = {g.key for g in generated if g.kind in ("sale", "contingency")}
    cancelled = {g.cancels_key for g in generated if g.kind == "cancellation"}
    assert len(sales) == 45 and cancelled

    process = subprocess.run(
        [sys.executable, "-c", _KILLED_SCAN, str(app_paths.data_dir), str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr
    recorded_before = SourceFile.select().count()
    assert 0 < recorded_before < len(generated)  # two batches committed, the third rolled back

    summary = Intake(app_paths, [folder], settle_seconds=0).scan_once()

    assert summary.skipped == recorded_before
    assert SourceFile.select().count() == len(generated)
    assert {s.key for s in Sale.select(Sale.key)} == sales
    assert Sale.select().count() == len(sales)  # no duplicate
    assert {c.key for c in Cancellation.select()} == cancelled
    assert Sale.select().where(Sale.cancel_requested).count() == len(cancelled)
    lines = sum(
        len(g.note.lines) for g in generated if g.kind in ("sale", "contingency") and g.note
    )
    payments = sum(
        len(g.note.payments) for g in generated if g.kind in ("sale", "contingency") and g.note
    )
    assert SaleItem.select().count() == lines
    assert SalePayment.select().count() == payments
    contingency = {g.key for g in generated if g.kind == "contingency"}
    assert Sale.select().where(Sale.key.in_(contingency), ~Sale.authorized).count() == 0
    # Every file has exactly one decision in the log: none lost, none from the rolled-back
    # batch written twice.
    events = LogEvent.select().where(LogEvent.category == "intake")
    assert events.count() == len(generated)
    assert {e.file for e in events} == {r.path for r in SourceFile.select()}


def test_worker_processes_that_break_never_hang_and_lose_nothing(
    db: peewee.SqliteDatabase,
    app_paths: AppPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker that cannot start (or dies) breaks the pool: the scan reads the rest inline."""
    import app.sources.parallel_intake as parallel

    folder = tmp_path / "pdv"
    generated = list(generate_notes(default_catalog(), 30, seed=34, cancel_ratio=0))
    for path in write_files(folder, generated):
        os.utime(path, (OLD, OLD))
    not_a_folder = tmp_path / "dados-quebrados"
    not_a_folder.write_text("um arquivo onde deveria haver uma pasta")
    real = parallel.take_in_workers
    used: list[str] = []

    def broken_workers(settings: parallel.WorkerSettings, chunks: object, workers: int) -> object:
        used.append(settings.data_dir)
        bad = dataclasses.replace(settings, data_dir=str(not_a_folder))
        return real(bad, chunks, workers)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "take_in_workers", broken_workers)
    intake = Intake(
        app_paths, [folder], settle_seconds=0, workers=2, parallel_min_files=1, batch_size=10
    )
    summary = intake.scan_once()

    assert used  # the worker path was taken
    assert summary.new_sales == 30 and summary.files_read == len(generated)
    assert Sale.select().count() == 30
    assert SourceFile.select().count() == len(generated)
