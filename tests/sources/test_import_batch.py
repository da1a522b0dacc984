"""Manual import of a folder or a ZIP (the accountant's monthly batch), and the CLI commands."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import peewee
import pytest

from app.cli import main
from app.config import AppPaths
from app.sources.batch_import import (
    REASON_BOMB,
    REASON_UNSAFE_NAME,
    REASON_ZIP_LIMIT,
    ImportSourceError,
    ZipLimits,
    import_paths,
    import_zip,
    is_unsafe_member,
)
from app.sources.generator import GeneratedFile, default_catalog, generate_notes, write_notes
from app.sources.nfce_reasons import REASON_TOO_LARGE
from app.sources.store_writer import Outcome
from app.store.db import close_database
from app.store.models import Cancellation, LogEvent, Sale, SourceFile
from app.store.settings import XML_FOLDERS, set_setting


def _files(count: int, seed: int = 31) -> list[GeneratedFile]:
    return list(generate_notes(default_catalog(), count, seed=seed, cancel_ratio=0.2))


def _zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_zip_with_nested_folders_is_imported_with_progress(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    files = _files(20)
    members = {f"2026/12/dia{i % 3}/{f.name}": f.content for i, f in enumerate(files)}
    members["LEIA-ME.txt"] = b"lote de novembro"
    members["danfe/nota.pdf"] = b"%PDF-1.4"
    archive = _zip(tmp_path / "lote-dezembro.zip", members)
    progress: list[tuple[int, int]] = []

    summary = import_zip(app_paths, archive, lambda d, t: progress.append((d, t)))

    cancellations = {f.cancels_key for f in files if f.kind == "cancellation"}
    assert summary.new_sales == 20 and summary.cancellations == len(cancellations)
    assert progress[-1] == (len(files), len(files))
    first = files[0]
    record = SourceFile.get(SourceFile.key == first.key, SourceFile.kind == "sale")
    assert record.path == f"{archive.resolve()}!2026/12/dia0/{first.name}"
    assert Sale.get(Sale.key == first.key).source_file == record.path
    assert LogEvent.select().where(LogEvent.file == record.path).count() == 1

    again = import_zip(app_paths, archive)
    assert again.skipped == len(files) and again.files_read == 0
    assert Sale.select().count() == 20


def test_malicious_member_names_are_refused(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    good, evil, absolute = _files(3, seed=32)[:3]
    archive = _zip(
        tmp_path / "lote.zip",
        {
            good.name: good.content,
            f"../../{evil.name}": evil.content,
            f"/etc/{absolute.name}": absolute.content,
        },
    )
    summary = import_zip(app_paths, archive)
    assert summary.new_sales == 1
    unsafe = [d for d in summary.decisions if d.reason == REASON_UNSAFE_NAME]
    assert len(unsafe) == 2 and all(d.outcome == Outcome.REJECTED for d in unsafe)
    assert not (tmp_path.parent / evil.name).exists()
    assert Sale.select().count() == 1
    assert is_unsafe_member("C:\\Windows\\nota.xml") and is_unsafe_member("a/../../b.xml")
    assert not is_unsafe_member("pasta/sub/nota.xml")


def test_zip_bomb_and_oversized_members_are_refused_without_inflating_them(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    good = _files(1, seed=33)[0]
    bomb = b"<?xml version='1.0'?><a>" + b" " * (30 * 1024 * 1024) + b"</a>"
    archive = _zip(tmp_path / "bomba.zip", {"bomba.xml": bomb, good.name: good.content})
    assert archive.stat().st_size < 200_000  # 30 MB squeezed into a few KB

    summary = import_zip(app_paths, archive)

    assert {d.reason for d in summary.decisions} == {REASON_BOMB, None}
    assert summary.new_sales == 1 and summary.quarantined == 1
    assert not list(app_paths.quarantine.iterdir())  # a bomb is not copied aside

    # A member that lies about its size is cut off while it is decompressed.
    small_limits = ZipLimits(member_bytes=2000, total_bytes=10_000)
    archive2 = _zip(tmp_path / "grande.zip", {"grande.xml": good.content})
    result = import_zip(app_paths, archive2, limits=small_limits)
    assert result.decisions[0].reason == REASON_TOO_LARGE


def test_total_budget_stops_a_huge_batch(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    files = [f for f in _files(10, seed=34) if f.kind == "sale"]
    archive = _zip(tmp_path / "lote.zip", {f.name: f.content for f in files})
    limit = sum(len(f.content) for f in files[:3]) + 10
    summary = import_zip(app_paths, archive, limits=ZipLimits(total_bytes=limit))
    assert summary.new_sales == 3
    assert summary.quarantined == 1  # cut off in the middle of the member
    limited = [d for d in summary.decisions if d.reason == REASON_ZIP_LIMIT]
    assert len(limited) == len(files) - 4


def test_import_paths_checks_its_inputs(
    app_paths: AppPaths, db: peewee.SqliteDatabase, tmp_path: Path
) -> None:
    with pytest.raises(ImportSourceError) as missing:
        import_paths(app_paths, [tmp_path / "nada"])
    assert "Não encontrei" in missing.value.message
    text = tmp_path / "planilha.csv"
    text.write_text("a;b")
    with pytest.raises(ImportSourceError):
        import_paths(app_paths, [text])
    broken = tmp_path / "quebrado.zip"
    broken.write_bytes(b"PK\x03\x04 nada")
    with pytest.raises(ImportSourceError):
        import_paths(app_paths, [broken])


def test_import_folder_zip_and_single_file_together(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    write_notes(tmp_path / "pasta", None, 5, seed=35, cancel_ratio=0, by_month=True)
    extra = _files(2, seed=36)
    archive = _zip(tmp_path / "lote.zip", {extra[0].name: extra[0].content})
    single = tmp_path / extra[1].name
    single.write_bytes(extra[1].content)
    summary = import_paths(app_paths, [tmp_path / "pasta", archive, single])
    assert summary.new_sales == 7


def test_cli_import_prints_a_portuguese_summary_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "dados"
    files = _files(6, seed=37)
    cancelled = sum(1 for f in files if f.kind == "cancellation")
    archive = _zip(tmp_path / "lote.zip", {f.name: f.content for f in files})
    try:
        assert main(["--data-dir", str(data), "import", str(archive)]) == 0
        out = capsys.readouterr().out
        assert "Vendas novas: 6" in out
        if cancelled:
            assert f"Cancelamentos: {cancelled}" in out
        assert main(["--data-dir", str(data), "import", str(archive), "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["summary"]["skipped"] == len(files)
        assert main(["--data-dir", str(data), "import", str(tmp_path / "nada.zip")]) == 2
        assert "Não encontrei" in capsys.readouterr().err
    finally:
        close_database()


def test_cli_intake_scans_configured_folders(
    app_paths: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "pdv"
    write_notes(folder, None, 4, seed=38, cancel_ratio=0)
    import os
    import time

    old = time.time() - 60
    for path in folder.iterdir():
        os.utime(path, (old, old))
    data = str(app_paths.data_dir)
    try:
        assert main(["--data-dir", data, "intake"]) == 2
        assert "Nenhuma pasta de XML configurada" in capsys.readouterr().err
        set_setting(XML_FOLDERS, [str(folder), str(tmp_path / "sumiu")])
        assert main(["--data-dir", data, "intake", "--json"]) == 0
        captured = capsys.readouterr()
        report = json.loads(captured.out)
        assert report["summary"]["new_sales"] == 4
        assert report["missing_folders"] == [str(tmp_path / "sumiu")]
        assert "não foi encontrada" in captured.err
        assert Cancellation.select().count() == 0
    finally:
        close_database()


def test_zip_member_nfe_of_the_own_cnpj_is_a_sale_like_in_a_folder(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path, samples_dir: Path
) -> None:
    name = "nfelib__35180834128745000152550010000476491552806942-nfe.xml"
    archive = _zip(tmp_path / "lote.zip", {f"2018-08/{name}": (samples_dir / name).read_bytes()})
    assert import_zip(app_paths, archive).rejected == 1  # a purchase from another emitter

    from app.store.settings import OWN_CNPJS

    set_setting(OWN_CNPJS, ["34128745000152"])
    other = _zip(tmp_path / "lote-2.zip", {name: (samples_dir / name).read_bytes()})
    summary = import_zip(app_paths, other)
    assert summary.new_sales == 1
    sale = Sale.get()
    assert sale.own_nfe and sale.key == "35180834128745000152550010000476491552806942"
