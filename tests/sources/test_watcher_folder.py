"""The folder watcher picks up new files within seconds and stops cleanly."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import peewee
import pytest

from app.config import AppPaths
from app.sources.generator import (
    default_catalog,
    generate_notes,
    render_bare_nfe,
    render_nfe_proc,
    write_file,
)
from app.sources.intake import Intake, IntakeSummary
from app.sources.watcher import FolderWatcher, needs_polling
from app.store.models import Sale, SourceFile


def _wait_for(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def _sales(db: peewee.SqliteDatabase, where: str = "1") -> int:
    # Read through a fresh cursor: the watcher writes from its own thread/connection.
    return int(db.execute_sql(f"SELECT COUNT(*) FROM sale WHERE {where}").fetchone()[0])


@pytest.mark.parametrize("polling", [False, True], ids=["native", "polling"])
def test_watcher_takes_in_a_new_file_within_seconds(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path, polling: bool
) -> None:
    folder = tmp_path / "pdv"
    folder.mkdir()
    files = [f for f in generate_notes(default_catalog(), 2, seed=21, cancel_ratio=0)]
    write_file(folder, files[0])
    intake = Intake(app_paths, [folder], settle_seconds=0.3)
    summaries: list[IntakeSummary] = []
    got = threading.Event()

    def on_summary(summary: IntakeSummary) -> None:
        summaries.append(summary)
        got.set()

    watcher = FolderWatcher(
        intake, on_summary=on_summary, use_polling=polling, poll_seconds=0.5, debounce_seconds=0.1
    )
    watcher.start()
    try:
        assert watcher.running and watcher.polling == polling
        assert _wait_for(lambda: _sales(db) == 1, 5)  # the first scan at start
        started = time.monotonic()
        write_file(folder / "sub", files[1])
        assert _wait_for(lambda: _sales(db) == 2, 5)
        elapsed = time.monotonic() - started
        assert elapsed < 4
        assert got.is_set() and sum(s.new_sales for s in summaries) == 2
    finally:
        watcher.stop()
    assert not watcher.running
    assert Sale.select().count() == 2


def test_stop_without_folders_and_restart(
    app_paths: AppPaths, db: peewee.SqliteDatabase, tmp_path: Path
) -> None:
    watcher = FolderWatcher(Intake(app_paths, [tmp_path / "ausente"]))
    with watcher:
        assert watcher.running
    assert not watcher.running
    watcher.start()
    watcher.stop()
    assert not watcher.running


def test_network_shares_are_polled() -> None:
    assert needs_polling(Path("\\\\servidor\\pdv\\xml"))
    assert not needs_polling(Path("/home/loja/xml"))


def test_a_folder_that_appears_later_is_watched(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "unidade-de-rede"
    generated = next(iter(generate_notes(default_catalog(), 1, seed=22, cancel_ratio=0)))
    intake = Intake(app_paths, [folder], settle_seconds=0.2)
    watcher = FolderWatcher(intake, rescan_seconds=0.5, debounce_seconds=0.05)
    watcher.start()
    try:
        time.sleep(0.3)
        write_file(folder, generated)  # the share comes back with a file in it
        assert _wait_for(lambda: _sales(db) == 1, 5)
        assert _wait_for(lambda: str(folder) in watcher._observed, 3)
    finally:
        watcher.stop()
    assert not watcher.running


def test_watcher_takes_in_a_file_changed_in_place(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    """Some PDVs overwrite the bare note with its authorised nfeProc under the same name."""
    folder = tmp_path / "pdv"
    folder.mkdir()
    note = next(iter(generate_notes(default_catalog(), 1, seed=32, cancel_ratio=0))).note
    assert note is not None
    path = folder / f"{note.key}.xml"
    path.write_bytes(render_bare_nfe(note))
    intake = Intake(app_paths, [folder], settle_seconds=0.3)
    watcher = FolderWatcher(intake, debounce_seconds=0.1)
    with watcher:
        assert _wait_for(lambda: _sales(db, "state = 'retida'") == 1, 5)
        started = time.monotonic()
        path.write_bytes(render_nfe_proc(note))
        assert _wait_for(lambda: _sales(db, "state = 'nova' AND authorized") == 1, 5)
        assert time.monotonic() - started < 4
    assert Sale.select().count() == 1
    assert SourceFile.get(SourceFile.path == str(path)).status == "done"


def test_watcher_retries_a_file_written_slowly_and_never_quarantines_it(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    folder.mkdir()
    generated = next(iter(generate_notes(default_catalog(), 1, seed=33, cancel_ratio=0)))
    path = folder / generated.name
    intake = Intake(app_paths, [folder], settle_seconds=0.2, stable_seconds=1.0, min_attempts=2)
    watcher = FolderWatcher(intake, debounce_seconds=0.05)
    with watcher:
        with path.open("wb") as handle:
            handle.write(generated.content[: len(generated.content) // 2])
            handle.flush()
            # A PDV pausing mid-write: the half file is read (and fails) at least once.
            assert _wait_for(
                lambda: SourceFile.select().where(SourceFile.path == str(path)).count() == 1, 5
            )
            assert SourceFile.get(SourceFile.path == str(path)).status == "waiting"
            handle.write(generated.content[len(generated.content) // 2 :])
        assert _wait_for(lambda: _sales(db) == 1, 5)
    record = SourceFile.get(SourceFile.path == str(path))
    assert record.status == "done" and record.key == generated.key
    assert not app_paths.quarantine.exists() or not list(app_paths.quarantine.iterdir())
