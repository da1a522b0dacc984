"""Big batches (a first scan of years of files, an accountant's ZIP unpacked in a folder) are
read and written by worker processes, one per core: parsing is CPU-bound and Python threads
would share one core.

Each worker opens the same store and writes its own batches. That is safe because every batch
is one IMMEDIATE transaction that looks keys up only after taking SQLite's write lock: the same
access key can never be inserted twice, whatever the order the workers meet the files in.
Only small values travel back (file stat, attempts, the decision), never the parsed documents.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from app.config import AppPaths
from app.sources.intake import read_file
from app.sources.store_writer import Decision, FileSeen, StoreWriter

Chunk = Sequence[tuple[str, int]]  # (path, previous attempts)


@dataclass(frozen=True)
class WorkerSettings:
    data_dir: str
    own_cnpjs: frozenset[str]
    now: float
    stable_seconds: float
    min_attempts: int


@dataclass
class ChunkOutcome:
    files: int
    recorded: list[tuple[FileSeen, int, str | None, Decision]] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)


_settings: WorkerSettings | None = None
_writer: StoreWriter | None = None


def _start_worker(settings: WorkerSettings) -> None:
    global _settings, _writer
    from app.store.db import open_database

    # Warnings of a worker go to the same log file, opened only if something is written.
    paths = AppPaths(Path(settings.data_dir))
    root = logging.getLogger()
    handler = logging.FileHandler(paths.logs / "ponte.log", encoding="utf-8", delay=True)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [worker] %(message)s")
    )
    handler.setLevel(logging.WARNING)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    open_database(paths)
    _settings = settings
    _writer = StoreWriter()


def _take_chunk(chunk: Chunk) -> ChunkOutcome:
    assert _settings is not None and _writer is not None
    outcome = ChunkOutcome(files=len(chunk))
    takes = []
    for path, attempts in chunk:
        take = read_file(
            path,
            attempts,
            own_cnpjs=_settings.own_cnpjs,
            now=_settings.now,
            stable_seconds=_settings.stable_seconds,
            min_attempts=_settings.min_attempts,
        )
        if take is None:
            outcome.vanished.append(path)
        else:
            takes.append(take)
    for take, decision in zip(takes, _writer.write(takes), strict=True):
        reason = take.result.reason if take.result else None
        outcome.recorded.append((take.file, take.attempts, reason, decision))
    return outcome


def take_in_workers(
    settings: WorkerSettings, chunks: Sequence[Chunk], workers: int
) -> Iterator[ChunkOutcome]:
    """Read and record every chunk in `workers` processes; outcomes as chunks finish.

    A worker that dies (killed, out of memory) raises BrokenProcessPool here instead of
    hanging the scan (multiprocessing.Pool would wait forever); its chunk was not committed,
    so the caller reads the files it got no outcome for itself (`Intake._take_parallel`)."""
    context = multiprocessing.get_context("spawn")  # no fork: the caller may run threads
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(settings,)
    )
    try:
        futures = [pool.submit(_take_chunk, chunk) for chunk in chunks]
        for future in as_completed(futures):
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
