"""Manual import: a folder or a ZIP of XML files (e.g. the accountant's monthly batch).

Same rules as folder intake (dedupe by access key, cancellations, log events), with progress.
ZIPs are read in memory, never extracted: members with unsafe names (`..`, absolute paths)
are refused, every member's size is capped while it is decompressed, and so is the whole
batch (zip bombs). A member is recorded as `lote.zip!pasta/nota.xml`.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from app.config import AppPaths
from app.errors import PonteError
from app.sources.document import DocumentKind, ReadResult
from app.sources.intake import Intake, IntakeSummary, Loader, Progress, iter_xml_files
from app.sources.nfce import MAX_FILE_BYTES, read_document
from app.sources.nfce_reasons import REASON_TOO_LARGE, REASON_UNREADABLE, with_detail
from app.sources.store_writer import FileSeen

MAX_ZIP_TOTAL_BYTES = 2 * 1024**3  # decompressed bytes read from one ZIP
MAX_ZIP_MEMBERS = 500_000
MAX_RATIO = 200  # decompressed/compressed beyond this (on a large member) is a bomb

REASON_UNSAFE_NAME = "nome de arquivo inseguro dentro do ZIP (caminho absoluto ou com ..)"
REASON_ENCRYPTED = "arquivo protegido por senha dentro do ZIP"
REASON_BOMB = with_detail(REASON_TOO_LARGE, "taxa de compressão suspeita (possível bomba de ZIP)")
REASON_ZIP_LIMIT = "limite de tamanho do ZIP atingido; o restante não foi lido"


class ImportSourceError(PonteError):
    """A path given to `ponte-bling import` cannot be imported."""

    title = "Importação de XML"


@dataclass(frozen=True)
class ZipLimits:
    member_bytes: int = MAX_FILE_BYTES
    total_bytes: int = MAX_ZIP_TOTAL_BYTES
    members: int = MAX_ZIP_MEMBERS
    ratio: int = MAX_RATIO


def _importer(paths: AppPaths, folders: Sequence[Path]) -> Intake:
    # Files handed over by the user are complete: no waiting, quarantine at once.
    return Intake(paths, folders, settle_seconds=0, stable_seconds=0, min_attempts=1)


def import_paths(
    paths: AppPaths,
    sources: Sequence[Path],
    progress: Progress | None = None,
    limits: ZipLimits | None = None,
) -> IntakeSummary:
    """Import folders, ZIPs and single XML files; one summary for all."""
    for source in sources:
        if not source.exists():
            raise ImportSourceError(f"Não encontrei {source}. Confira o caminho e tente de novo.")
        if source.is_file() and not (
            zipfile.is_zipfile(source) or source.name.lower().endswith(".xml")
        ):
            raise ImportSourceError(
                f"{source} não é uma pasta, um arquivo ZIP nem um XML. "
                "Informe a pasta com os XML das notas ou o ZIP enviado pela contabilidade."
            )
    summary = IntakeSummary()
    for source in sources:
        if source.is_dir():
            summary.merge(import_folder(paths, source, progress))
        elif source.name.lower().endswith(".xml") and not zipfile.is_zipfile(source):
            summary.merge(_importer(paths, []).take_files([source], progress))
        else:
            summary.merge(import_zip(paths, source, progress, limits))
    return summary


def import_folder(paths: AppPaths, folder: Path, progress: Progress | None = None) -> IntakeSummary:
    """Every XML under folder (recursively)."""
    files = [Path(entry.path) for entry in iter_xml_files(folder)]
    return _importer(paths, [folder]).take_files(files, progress)


def is_unsafe_member(name: str) -> bool:
    """Absolute names, drive letters and `..` components (zip-slip)."""
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        return True
    return ".." in PurePosixPath(normalized).parts


def _member_mtime_ns(info: zipfile.ZipInfo) -> int:
    try:
        moment = datetime(*info.date_time, tzinfo=UTC)
    except ValueError:
        return 0
    return int(moment.timestamp()) * 1_000_000_000


class _Budget:
    def __init__(self, total: int) -> None:
        self.left = total


def _loader(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limits: ZipLimits,
    budget: _Budget,
    own_cnpjs: frozenset[str],
) -> Loader:
    def load() -> tuple[ReadResult, bytes | None]:
        if is_unsafe_member(info.filename):
            return ReadResult(kind=DocumentKind.REJECTED, reason=REASON_UNSAFE_NAME), None
        if info.flag_bits & 0x1:
            return ReadResult(kind=DocumentKind.REJECTED, reason=REASON_ENCRYPTED), None
        if info.file_size > 1024 * 1024 and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            return ReadResult(kind=DocumentKind.REJECTED, reason=REASON_BOMB), None
        if info.file_size > limits.member_bytes:
            return ReadResult(kind=DocumentKind.REJECTED, reason=REASON_TOO_LARGE), None
        if budget.left <= 0:
            return ReadResult(kind=DocumentKind.REJECTED, reason=REASON_ZIP_LIMIT), None
        try:
            with archive.open(info) as handle:
                # Never trust the declared size: stop decompressing past the cap.
                data = handle.read(min(limits.member_bytes, budget.left) + 1)
        except (OSError, zipfile.BadZipFile, RuntimeError, EOFError, ValueError) as exc:
            return (
                ReadResult(
                    kind=DocumentKind.REJECTED, reason=with_detail(REASON_UNREADABLE, str(exc))
                ),
                None,
            )
        budget.left -= len(data)
        if len(data) > limits.member_bytes or budget.left < 0:
            return ReadResult(kind=DocumentKind.REJECTED, reason=REASON_TOO_LARGE), None
        return read_document(data, own_cnpjs=own_cnpjs), data

    return load


def import_zip(
    paths: AppPaths,
    zip_path: Path,
    progress: Progress | None = None,
    limits: ZipLimits | None = None,
) -> IntakeSummary:
    """Every `*.xml` member of a ZIP (nested folders fine, other members ignored)."""
    limits = limits or ZipLimits()
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ImportSourceError(
            f"Não foi possível abrir o ZIP {zip_path}: o arquivo está danificado ou não é um ZIP.",
            details=repr(exc),
        ) from exc
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir() and info.filename.lower().endswith(".xml")
        ]
        if len(members) > limits.members:
            raise ImportSourceError(
                f"O ZIP {zip_path.name} tem {len(members)} arquivos XML, mais do que o limite de "
                f"{limits.members}. Divida o lote em partes menores."
            )
        base = os.path.abspath(zip_path)
        budget = _Budget(limits.total_bytes)
        importer = _importer(paths, [])
        own_cnpjs = importer.own_cnpjs()  # an NF-e 55 of the store's own CNPJ is a sale
        items = [
            (
                FileSeen(f"{base}!{info.filename}", info.file_size, _member_mtime_ns(info)),
                _loader(archive, info, limits, budget, own_cnpjs),
            )
            for info in members
        ]
        return importer.take_loaded(items, progress)
