"""Folder intake: find the PDV's XML files, read the new and changed ones, record each decision.

A scan walks the configured folders (recursively, `*.xml` in any case) and compares each
file's size and mtime with what was recorded: unchanged files are skipped without being
opened, so a re-scan costs one stat per file. Files modified in the last moments are left for
the next scan (the PDV may still be writing them); a file that does not parse is retried while
it may still be changing and is quarantined only once it is stable and still unreadable. The
PDV's files are never moved, changed or deleted.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from app.config import AppPaths
from app.sources.document import ReadResult
from app.sources.nfce import MAX_FILE_BYTES, read_document, read_path
from app.sources.nfce_reasons import REASON_NOT_FOUND, REASON_PURCHASE, REASON_TOO_LARGE
from app.sources.store_writer import (
    Decision,
    FileSeen,
    Outcome,
    StoreWriter,
    Take,
    is_unreadable,
)
from app.store.events import log_event
from app.store.models import SourceFile
from app.store.settings import OWN_CNPJS, XML_FOLDERS, get_setting
from app.timeutil import utcnow

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (files done, files to read)
Loader = Callable[[], tuple[ReadResult, bytes | None]]

SETTLE_SECONDS = 2.0  # a file modified more recently than this may still be being written
STABLE_SECONDS = 10.0  # an unreadable file unchanged this long (and retried) is quarantined
MIN_ATTEMPTS = 2
BATCH_SIZE = 300  # files per transaction
_LOOKUP_CHUNK = 400
# Worker processes pay off only for big batches (spawning one costs about half a second).
PARALLEL_MIN_FILES = 2000
_STATUS_BY_OUTCOME = {Outcome.WAITING: "waiting", Outcome.QUARANTINED: "quarantined"}


_FIELDS: dict[Outcome, str] = {
    Outcome.NEW_SALE: "new_sales",
    Outcome.AWAITING_AUTHORIZATION: "awaiting_authorization",
    Outcome.UPDATED: "updated",
    Outcome.DUPLICATE: "duplicates",
    Outcome.CANCELLATION: "cancellations",
    Outcome.IGNORED: "ignored",
    Outcome.REJECTED: "rejected",
    Outcome.WAITING: "waiting",
    Outcome.QUARANTINED: "quarantined",
}
SUMMARY_LABELS: tuple[tuple[str, str], ...] = (
    ("new_sales", "Vendas novas"),
    ("awaiting_authorization", "Notas aguardando autorização da SEFAZ"),
    ("updated", "Vendas atualizadas (autorização recebida)"),
    ("cancellations", "Cancelamentos"),
    ("ignored", "Notas de homologação (ignoradas)"),
    ("duplicates", "Arquivos repetidos (nota já lida)"),
    ("rejected", "Arquivos recusados"),
    ("quarantined", "Arquivos em quarentena (ilegíveis)"),
    ("waiting", "Arquivos ainda sendo gravados (nova tentativa)"),
    ("skipped", "Arquivos sem alteração"),
)


@dataclass
class IntakeSummary:
    """Counts by result of one scan or import (Portuguese labels in `lines()`)."""

    new_sales: int = 0
    awaiting_authorization: int = 0
    updated: int = 0
    duplicates: int = 0
    cancellations: int = 0
    ignored: int = 0
    rejected: int = 0
    waiting: int = 0
    quarantined: int = 0
    skipped: int = 0  # unchanged since they were last read
    missing_folders: list[str] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    def add(self, decision: Decision) -> None:
        name = _FIELDS[decision.outcome]
        setattr(self, name, getattr(self, name) + 1)
        self.decisions.append(decision)

    def merge(self, other: IntakeSummary) -> None:
        for name, _label in SUMMARY_LABELS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.missing_folders.extend(other.missing_folders)
        self.decisions.extend(other.decisions)

    @property
    def files_read(self) -> int:
        """Files opened and decided on (not the ones skipped or left for later)."""
        return len(self.decisions)

    @property
    def changed(self) -> bool:
        """True when the store got something new (a sale, an update or a cancellation)."""
        return bool(
            self.new_sales or self.updated or self.cancellations or self.awaiting_authorization
        )

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name, _ in SUMMARY_LABELS}

    def lines(self) -> list[str]:
        """Non-zero counts as Portuguese lines."""
        out = [
            f"{label}: {getattr(self, name)}"
            for name, label in SUMMARY_LABELS
            if getattr(self, name)
        ]
        out.extend(f"Pasta não encontrada: {folder}" for folder in self.missing_folders)
        return out or ["Nenhum arquivo novo."]


@dataclass
class _Shared:
    """Per-database memory shared by every Intake in the process (engine, watcher, import)."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    known: dict[str, tuple[int, int, str, int]] = field(default_factory=dict)
    missing_reported: set[str] = field(default_factory=set)
    own_cnpjs: frozenset[str] | None = None  # as of the last scan


_SHARED: dict[str, _Shared] = {}
_SHARED_LOCK = threading.Lock()


def _shared_for(paths: AppPaths) -> _Shared:
    key = str(paths.database)
    with _SHARED_LOCK:
        shared = _SHARED.get(key)
        if shared is None:
            shared = _SHARED[key] = _Shared()
        return shared


def default_workers() -> int:
    """Worker processes for big batches: one per core (at most 4); none in a frozen build,
    where child processes need the entry point's freeze_support()."""
    if getattr(sys, "frozen", False):
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def iter_xml_files(folder: Path) -> Iterator[os.DirEntry[str]]:
    """Every `*.xml` under folder (any case), recursively; unreadable subfolders are skipped."""
    stack = [str(folder)]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif entry.name.lower().endswith(".xml") and entry.is_file():
                            yield entry
                    except OSError:
                        continue
        except OSError as exc:
            log.warning("cannot list %s: %s", current, exc)


def copy_to_quarantine(paths: AppPaths, source: str, data: bytes | None = None) -> Path | None:
    """Keep a copy of an unreadable file in the data dir (the original stays where it is)."""
    try:
        paths.quarantine.mkdir(parents=True, exist_ok=True)
        name = source.replace("!", "_").replace("\\", "/").rsplit("/", 1)[-1]
        stamp = f"{utcnow():%Y%m%dT%H%M%S}"
        target = paths.quarantine / f"{stamp}-{name}"
        counter = 1
        while target.exists():
            target = paths.quarantine / f"{stamp}-{counter}-{name}"
            counter += 1
        if data is not None:
            target.write_bytes(data[:MAX_FILE_BYTES])
        else:
            if os.path.getsize(source) > MAX_FILE_BYTES:
                return None
            shutil.copyfile(source, target)
        return target
    except OSError as exc:
        log.warning("could not copy %s to quarantine: %s", source, exc)
        return None


def read_file(
    path: str,
    attempts: int,
    *,
    own_cnpjs: frozenset[str],
    now: float,
    stable_seconds: float,
    min_attempts: int,
) -> Take | None:
    """Read one file into a Take (None when it vanished). An unreadable file is marked for
    quarantine once it is stable (unchanged for stable_seconds) and was tried min_attempts."""
    result: ReadResult
    size = mtime_ns = 0
    try:
        # Plain os calls, sized by fstat: a buffered read(cap) would allocate the whole cap.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            stat = os.fstat(fd)
            size, mtime_ns = stat.st_size, stat.st_mtime_ns
            data = os.read(fd, size + 1) if size <= MAX_FILE_BYTES else None
        finally:
            os.close(fd)
        if data is None or len(data) > MAX_FILE_BYTES:
            result = read_path(Path(path))  # the reader's own size-cap verdict
        else:
            result = read_document(data, own_cnpjs=own_cnpjs)
    except OSError:
        result = read_path(Path(path), own_cnpjs=own_cnpjs)
    if (result.reason or "").startswith(REASON_NOT_FOUND):
        return None
    attempts += 1
    quarantine = False
    if is_unreadable(result):
        age = now - mtime_ns / 1e9
        quarantine = age >= stable_seconds and attempts >= min_attempts
    return Take(FileSeen(path, size, mtime_ns), result, attempts, quarantine)


class Intake:
    """Takes the PDV's XML files in from one or more folders into the local store.

    The store must be open (`open_database`). Safe to call from several threads: scans of the
    same database run one at a time.
    """

    def __init__(
        self,
        paths: AppPaths,
        folders: Sequence[Path],
        *,
        own_cnpjs: Iterable[str] | None = None,
        settle_seconds: float = SETTLE_SECONDS,
        stable_seconds: float = STABLE_SECONDS,
        min_attempts: int = MIN_ATTEMPTS,
        batch_size: int = BATCH_SIZE,
        copy_quarantined: bool = True,
        clock: Callable[[], float] = time.time,
        workers: int | None = None,
        parallel_min_files: int = PARALLEL_MIN_FILES,
    ) -> None:
        self.paths = paths
        self.folders = [Path(os.path.abspath(folder)) for folder in folders]
        self._own_cnpjs = frozenset(own_cnpjs) if own_cnpjs is not None else None
        self.settle_seconds = settle_seconds
        self.stable_seconds = stable_seconds
        self.min_attempts = min_attempts
        self.batch_size = batch_size
        self.copy_quarantined = copy_quarantined
        self.clock = clock
        self.workers = default_workers() if workers is None else workers
        self.parallel_min_files = parallel_min_files
        self.writer = StoreWriter()
        self._shared = _shared_for(paths)
        self.pending_retry = False  # some file waits to be read again
        self._scan_cnpjs: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, paths: AppPaths, **options: Any) -> Intake:
        """An intake over the folders configured with `ponte-bling config set xml-folders`."""
        folders = [Path(folder) for folder in get_setting(XML_FOLDERS, []) or []]
        return cls(paths, folders, **options)

    def own_cnpjs(self) -> frozenset[str]:
        if self._own_cnpjs is not None:
            return self._own_cnpjs
        return frozenset(get_setting(OWN_CNPJS, []) or [])

    # -- scanning --------------------------------------------------------------------------

    def scan_once(self, progress: Progress | None = None) -> IntakeSummary:
        """Look at every folder once; read what is new or changed. Cheap when nothing changed."""
        with self._shared.lock:
            summary = IntakeSummary()
            found: list[tuple[str, int, int]] = []
            for folder in self.folders:
                if not folder.is_dir():
                    self._report_missing(folder, summary)
                    continue
                self._shared.missing_reported.discard(str(folder))
                for entry in iter_xml_files(folder):
                    try:
                        stat = entry.stat()
                    except OSError:
                        continue
                    found.append((entry.path, stat.st_size, stat.st_mtime_ns))
            self._take(found, summary, progress)
            return summary

    def take_files(self, files: Iterable[Path], progress: Progress | None = None) -> IntakeSummary:
        """Read the given files (e.g. a manual import of a folder): same rules as a scan."""
        with self._shared.lock:
            summary = IntakeSummary()
            found = []
            for path in files:
                try:
                    stat = path.stat()
                except OSError:
                    continue
                found.append((os.path.abspath(path), stat.st_size, stat.st_mtime_ns))
            self._take(found, summary, progress)
            return summary

    def take_loaded(
        self,
        items: Sequence[tuple[FileSeen, Loader]],
        progress: Progress | None = None,
    ) -> IntakeSummary:
        """Take files that are not plain paths (e.g. ZIP members). Each loader returns the read
        result and the bytes read. These files are complete: an unreadable one is quarantined
        at once. Members recorded before with the same size and date are skipped."""
        with self._shared.lock:
            summary = IntakeSummary()
            self._scan_cnpjs = self.own_cnpjs()
            known = self._shared.known
            self._lookup([(seen.source, seen.size, seen.mtime_ns) for seen, _ in items])
            to_read = []
            for seen, loader in items:
                record = known.get(seen.source)
                if (
                    record is not None
                    and record[:2] == (seen.size, seen.mtime_ns)
                    and record[2] != "waiting"
                ):
                    summary.skipped += 1
                else:
                    to_read.append((seen, loader, record[3] if record else 0))
            total = len(to_read)
            if progress is not None:
                progress(0, total)
            for start in range(0, total, self.batch_size):
                chunk = to_read[start : start + self.batch_size]
                takes = []
                blobs = {}
                for seen, loader, attempts in chunk:
                    result, data = loader()
                    blobs[seen.source] = data
                    takes.append(Take(seen, result, attempts + 1, quarantine=True))
                for take, decision in zip(takes, self.writer.write(takes), strict=True):
                    summary.add(decision)
                    reason = take.result.reason if take.result else None
                    self._remember(
                        take.file, take.attempts, decision, reason, blobs.get(take.file.source)
                    )
                if progress is not None:
                    progress(min(start + self.batch_size, total), total)
            return summary

    def _remember(
        self,
        seen: FileSeen,
        attempts: int,
        decision: Decision,
        reason: str | None,
        data: bytes | None = None,
    ) -> None:
        """Keep what was recorded; copy a quarantined file aside."""
        status = _STATUS_BY_OUTCOME.get(decision.outcome, "done")
        self._shared.known[seen.source] = (seen.size, seen.mtime_ns, status, attempts)
        if status == "waiting":
            self.pending_retry = True
        elif (
            status == "quarantined"
            and self.copy_quarantined
            and not (reason or "").startswith(REASON_TOO_LARGE)
        ):
            copy_to_quarantine(self.paths, seen.source, data)

    def _report_missing(self, folder: Path, summary: IntakeSummary) -> None:
        summary.missing_folders.append(str(folder))
        if str(folder) in self._shared.missing_reported:
            return
        self._shared.missing_reported.add(str(folder))
        log_event(
            "intake",
            f"Pasta de XML não encontrada: {folder}. Verifique se o caminho está certo e se a "
            "unidade de rede está conectada.",
            level="warning",
            file=str(folder),
        )

    def _take(
        self,
        found: list[tuple[str, int, int]],
        summary: IntakeSummary,
        progress: Progress | None,
    ) -> None:
        known = self._shared.known
        self._scan_cnpjs = self.own_cnpjs()
        self._recheck_purchases()
        candidates = []
        for path, size, mtime_ns in found:
            record = known.get(path)
            if (
                record is not None
                and record[0] == size
                and record[1] == mtime_ns
                and record[2] != "waiting"
            ):
                summary.skipped += 1
                continue
            candidates.append((path, size, mtime_ns))
        self._lookup(candidates)
        to_read: list[tuple[str, int, int, int]] = []  # path, size, mtime, previous attempts
        now = self.clock()
        self.pending_retry = False
        for path, size, mtime_ns in candidates:
            record = known.get(path)
            same = record is not None and record[0] == size and record[1] == mtime_ns
            if same and record is not None and record[2] != "waiting":
                summary.skipped += 1
                continue
            if now - mtime_ns / 1e9 < self.settle_seconds:
                # Probably still being written: leave it for the next scan.
                summary.waiting += 1
                self.pending_retry = True
                continue
            attempts = record[3] if same and record is not None else 0
            to_read.append((path, size, mtime_ns, attempts))
        # Oldest first: a contingency note before its authorised copy, a sale before its event.
        to_read.sort(key=lambda item: (item[2], item[0]))
        total = len(to_read)
        if progress is not None:
            progress(0, total)
        if self.workers > 1 and total >= self.parallel_min_files:
            to_read = self._take_parallel(to_read, summary, progress)
        self._take_inline(to_read, summary, progress, total)

    def _take_inline(
        self,
        to_read: list[tuple[str, int, int, int]],
        summary: IntakeSummary,
        progress: Progress | None,
        total: int,
    ) -> None:
        done = total - len(to_read)
        for start in range(0, len(to_read), self.batch_size):
            chunk = to_read[start : start + self.batch_size]
            takes = [take for item in chunk if (take := self._read(*item)) is not None]
            decisions = self.writer.write(takes)
            for take, decision in zip(takes, decisions, strict=True):
                summary.add(decision)
                reason = take.result.reason if take.result else None
                self._remember(take.file, take.attempts, decision, reason)
            done += len(chunk)
            if progress is not None:
                progress(done, total)

    def _take_parallel(
        self,
        to_read: list[tuple[str, int, int, int]],
        summary: IntakeSummary,
        progress: Progress | None,
    ) -> list[tuple[str, int, int, int]]:
        """Read and write in worker processes (a big first scan or import): both cores parse.
        Returns what is left to read inline: nothing, unless the workers could not run."""
        from app.sources.parallel_intake import WorkerSettings, take_in_workers

        settings = WorkerSettings(
            data_dir=str(self.paths.data_dir),
            own_cnpjs=self._scan_cnpjs,
            now=self.clock(),
            stable_seconds=self.stable_seconds,
            min_attempts=self.min_attempts,
        )
        chunks = [
            [(path, attempts) for path, _, _, attempts in to_read[i : i + self.batch_size]]
            for i in range(0, len(to_read), self.batch_size)
        ]
        finished: set[str] = set()
        done = 0
        try:
            for outcome in take_in_workers(settings, chunks, self.workers):
                for path in outcome.vanished:
                    self._shared.known.pop(path, None)
                    finished.add(path)
                for seen, attempts, reason, decision in outcome.recorded:
                    summary.add(decision)
                    self._remember(seen, attempts, decision, reason)
                    finished.add(seen.source)
                done += outcome.files
                if progress is not None:
                    progress(done, len(to_read))
        except Exception:
            # A worker died or could not start: its uncommitted chunk is simply read here.
            log.exception("worker processes failed; reading the rest in this process")
            return [item for item in to_read if item[0] not in finished]
        return []

    def _recheck_purchases(self) -> None:
        """When the store's own CNPJs change, NF-e refused as purchases are read again: one of
        them may now be the store's own sale."""
        previous = self._shared.own_cnpjs
        self._shared.own_cnpjs = self._scan_cnpjs
        if previous is None or previous == self._scan_cnpjs:
            return
        refused = SourceFile.select(SourceFile.path).where(
            SourceFile.reason.startswith(REASON_PURCHASE)
        )
        paths = [row.path for row in refused]
        if not paths:
            return
        SourceFile.update(status="waiting").where(SourceFile.path.in_(paths)).execute()
        for path in paths:
            self._shared.known.pop(path, None)

    def _lookup(self, candidates: list[tuple[str, int, int]]) -> None:
        """Fill the shared memory with the recorded state of files not seen yet in this
        process (another process, e.g. a manual import, may have read them)."""
        known = self._shared.known
        missing = [path for path, _, _ in candidates if path not in known]
        for start in range(0, len(missing), _LOOKUP_CHUNK):
            chunk = missing[start : start + _LOOKUP_CHUNK]
            rows: Iterable[tuple[str, int, int, str, int]] = cast(
                Any,
                SourceFile.select(
                    SourceFile.path,
                    SourceFile.size,
                    SourceFile.mtime_ns,
                    SourceFile.status,
                    SourceFile.attempts,
                )
                .where(SourceFile.path.in_(chunk))
                .tuples(),
            )
            for path, size, mtime_ns, status, attempts in rows:
                known[path] = (size, mtime_ns, status, attempts)

    def _read(self, path: str, size: int, mtime_ns: int, attempts: int) -> Take | None:
        take = read_file(
            path,
            attempts,
            own_cnpjs=self._scan_cnpjs,
            now=self.clock(),
            stable_seconds=self.stable_seconds,
            min_attempts=self.min_attempts,
        )
        if take is None:
            # Gone between listing and reading (renamed by the PDV): nothing to record.
            self._shared.known.pop(path, None)
        return take

    def forget(self) -> None:
        """Drop this process's memory of recorded files (they are looked up again)."""
        with self._shared.lock:
            self._shared.known.clear()
