"""Folder intake into the local store: dedupe by key, authorised copies, cancellations in any
order, files still being written, quarantine, homologation, cheap re-scans, log events."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import peewee
import pytest

from app.config import AppPaths
from app.sources.generator import (
    GeneratedFile,
    Note,
    cancellation_file_name,
    default_catalog,
    generate_notes,
    render_bare_nfe,
    render_cancellation,
    render_nfe_proc,
)
from app.sources.intake import Intake
from app.sources.store_writer import HOLD_AWAITING_AUTHORIZATION, Outcome
from app.store.models import (
    Cancellation,
    LogEvent,
    Sale,
    SaleItem,
    SalePayment,
    SourceFile,
    StoreLocation,
)
from app.store.settings import OWN_CNPJS, set_setting
from tests.conftest import SAMPLES_DIR

OLD = time.time() - 3600  # an mtime well past the settle and stable delays


def _notes(count: int, seed: int = 1, **options: object) -> list[GeneratedFile]:
    return list(generate_notes(default_catalog(), count, seed=seed, cancel_ratio=0, **options))  # type: ignore[arg-type]


def _put(folder: Path, name: str, content: bytes, mtime: float | None = OLD) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def _intake(app_paths: AppPaths, folder: Path, **options: object) -> Intake:
    options.setdefault("settle_seconds", 0)
    return Intake(app_paths, [folder], **options)  # type: ignore[arg-type]


def _cancel(note: Note, *, event_type: int = 110111, substitute: str | None = None) -> bytes:
    return render_cancellation(
        note.key,
        store_cnpj=note.store_cnpj,
        note_protocol=note.protocol,
        at=note.issued_at + timedelta(minutes=3),
        event_protocol="135260000123456",
        event_type=event_type,
        substitute_key=substitute,
    )


def _counts() -> tuple[int, ...]:
    return tuple(
        model.select().count()
        for model in (
            Sale,
            SaleItem,
            SalePayment,
            Cancellation,
            SourceFile,
            StoreLocation,
            LogEvent,
        )
    )


def test_generated_notes_become_sales_with_items_payments_and_stores(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    files = _notes(30)
    for index, generated in enumerate(files):
        sub = folder / ("2026-12" if index % 2 else "outros") / "fundo"
        _put(
            sub,
            generated.name.replace(".xml", ".XML") if index == 3 else generated.name,
            generated.content,
        )
    _put(folder, "leia-me.txt", b"not xml")

    summary = _intake(app_paths, folder).scan_once()

    assert summary.new_sales == 30 and summary.files_read == 30
    note = files[0].note
    assert note is not None
    sale = Sale.get(Sale.key == note.key)
    assert sale.state == "nova" and sale.authorized and not sale.contingency
    assert sale.numero_loja == note.key
    assert sale.total == note.total and sale.discount == note.discount
    assert sale.change == note.change
    assert sale.issued_at == note.issued_at and sale.issued_at_offset == "-03:00"
    assert sale.protocol == note.protocol
    assert sale.store_cnpj == note.store_cnpj
    items = list(sale.items.order_by(SaleItem.line))
    assert [i.code for i in items] == [line.entry.code for line in note.lines]
    assert [i.quantity for i in items] == [line.quantity for line in note.lines]
    payments = list(sale.payments.order_by(SalePayment.seq))
    assert [p.tender_code for p in payments] == [p.type for p in note.payments]
    assert sum((p.amount for p in payments), Decimal(0)) - sale.change == sale.total
    stores = {s.cnpj: s.name for s in StoreLocation.select()}
    assert stores[note.store_cnpj] == note.store_name
    assert all(s.deposit_id is None for s in StoreLocation.select())
    # Every decision is a log event with the file, key, result and time.
    event = LogEvent.get(LogEvent.sale_key == note.key)
    assert event.category == "intake" and event.file.endswith(files[0].name)
    assert json.loads(event.details)["resultado"] == "nova"
    assert event.at is not None
    assert LogEvent.select().where(LogEvent.category == "intake").count() == 30


def test_rescan_creates_nothing_and_does_not_reopen_files(
    db: peewee.SqliteDatabase,
    app_paths: AppPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "pdv"
    for generated in _notes(10):
        _put(folder, generated.name, generated.content)
    intake = _intake(app_paths, folder)
    intake.scan_once()
    before = _counts()

    import app.sources.intake as intake_module

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged file was read again")

    monkeypatch.setattr(intake_module, "read_document", no_reading)
    monkeypatch.setattr(intake_module, "read_path", no_reading)
    again = intake.scan_once()
    fresh_instance = _intake(app_paths, folder).scan_once()
    assert again.skipped == 10 and again.files_read == 0
    assert fresh_instance.skipped == 10
    assert _counts() == before


def test_a_process_that_never_saw_the_files_looks_them_up_instead_of_rereading(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    for generated in _notes(5):
        _put(folder, generated.name, generated.content)
    intake = _intake(app_paths, folder)
    intake.scan_once()
    intake.forget()  # as if another process had done the first scan
    before = _counts()
    summary = intake.scan_once()
    assert summary.skipped == 5 and summary.duplicates == 0
    assert _counts() == before


def test_same_note_in_two_files_is_one_sale(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    generated = _notes(1)[0]
    _put(folder, generated.name, generated.content)
    _put(folder / "copia", "NFe" + generated.key + ".xml", generated.content)

    summary = _intake(app_paths, folder).scan_once()

    assert summary.new_sales == 1 and summary.duplicates == 1
    assert Sale.select().count() == 1
    assert SaleItem.select().count() == len(generated.note.lines)  # type: ignore[union-attr]
    duplicate = SourceFile.get(SourceFile.reason.is_null(False))
    assert duplicate.key == generated.key and duplicate.status == "done"
    assert LogEvent.select().where(LogEvent.sale_key == generated.key).count() == 2


def test_contingency_then_authorised_copy_updates_one_row(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    files = _notes(6, seed=3, contingency_ratio=1.0)
    bare = next(f for f in files if f.kind == "contingency")
    copy = next(f for f in files if f.kind == "authorized_copy" and f.key == bare.key)
    _put(folder, bare.name, bare.content)
    intake = _intake(app_paths, folder)
    assert intake.scan_once().new_sales == 1
    sale = Sale.get(Sale.key == bare.key)
    assert sale.contingency and not sale.authorized and sale.state == "nova"
    # The engine may already have sent it: the copy still only updates.
    Sale.update(state="enviada", bling_order_id=77).where(Sale.key == bare.key).execute()

    _put(folder, copy.name, copy.content)
    summary = intake.scan_once()

    assert summary.updated == 1 and summary.new_sales == 0
    assert Sale.select().count() == 1
    sale = Sale.get(Sale.key == bare.key)
    assert sale.authorized and sale.protocol == copy.note.protocol  # type: ignore[union-attr]
    assert sale.state == "enviada" and sale.bling_order_id == 77
    assert SaleItem.select().count() == len(bare.note.lines)  # type: ignore[union-attr]


def test_unauthorised_note_is_held_until_its_authorised_copy(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    note = _notes(1, seed=4)[0].note
    assert note is not None
    _put(folder, f"{note.key}-nfe.xml", render_bare_nfe(note))
    intake = _intake(app_paths, folder)
    assert intake.scan_once().awaiting_authorization == 1
    sale = Sale.get(Sale.key == note.key)
    assert sale.state == "retida" and sale.hold_reason == HOLD_AWAITING_AUTHORIZATION
    assert not sale.authorized

    _put(folder, f"{note.key}-procNFe.xml", render_nfe_proc(note))
    assert intake.scan_once().updated == 1
    sale = Sale.get(Sale.key == note.key)
    assert sale.state == "nova" and sale.hold_reason is None and sale.authorized
    assert Sale.select().count() == 1


def test_authorised_copy_with_other_figures_replaces_an_unsent_sale_with_a_warning(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    note = _notes(1, seed=5)[0].note
    assert note is not None
    _put(folder, f"{note.key}-nfe.xml", render_bare_nfe(note))
    intake = _intake(app_paths, folder)
    intake.scan_once()
    changed = replace(note, lines=note.lines[:1], payments=())
    _put(folder, f"{note.key}-procNFe.xml", render_nfe_proc(changed))
    intake.scan_once()
    sale = Sale.get(Sale.key == note.key)
    assert sale.authorized and sale.total == changed.total
    assert SaleItem.select().count() == 1
    assert LogEvent.select().where(LogEvent.level == "warning").count() == 1


def test_copy_with_other_figures_of_a_sent_sale_only_warns(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    generated = _notes(1, seed=6)[0]
    note = generated.note
    assert note is not None
    _put(folder, generated.name, generated.content)
    intake = _intake(app_paths, folder)
    intake.scan_once()
    Sale.update(state="enviada").where(Sale.key == note.key).execute()
    edited = replace(note, lines=note.lines[:1], payments=())
    _put(folder, "editada.xml", render_nfe_proc(edited))
    summary = intake.scan_once()
    assert summary.duplicates == 1
    assert Sale.get(Sale.key == note.key).total == note.total
    warning = LogEvent.get(LogEvent.level == "warning")
    assert "valores diferentes" in warning.message and warning.file.endswith("editada.xml")


def test_cancellation_before_its_sale_is_applied_when_the_sale_arrives(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    generated = _notes(1, seed=7)[0]
    note = generated.note
    assert note is not None
    _put(folder, cancellation_file_name(note.key), _cancel(note))
    intake = _intake(app_paths, folder)
    assert intake.scan_once().cancellations == 1
    cancellation = Cancellation.get(Cancellation.key == note.key)
    assert not cancellation.applied and cancellation.event_type == 110111

    _put(folder, generated.name, generated.content)
    assert intake.scan_once().new_sales == 1
    assert Sale.get(Sale.key == note.key).cancel_requested
    assert Cancellation.get(Cancellation.key == note.key).applied
    assert LogEvent.select().where(LogEvent.sale_key == note.key).count() == 3


def test_cancellation_after_the_sale_in_the_same_scan(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    generated = _notes(1, seed=8)[0]
    note = generated.note
    assert note is not None
    _put(folder, generated.name, generated.content, mtime=OLD)
    _put(folder, cancellation_file_name(note.key), _cancel(note), mtime=OLD + 60)
    _put(folder, "copia-" + cancellation_file_name(note.key), _cancel(note), mtime=OLD + 90)
    summary = _intake(app_paths, folder).scan_once()
    assert summary.new_sales == 1 and summary.cancellations == 1 and summary.duplicates == 1
    assert Sale.get(Sale.key == note.key).cancel_requested
    assert Cancellation.get(Cancellation.key == note.key).applied
    assert Cancellation.select().count() == 1


def test_substitution_cancels_the_original_and_keeps_one_substitute(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    files = _notes(8, seed=9, contingency_ratio=0.5)
    original = next(f for f in files if f.kind == "sale").note
    substitute = next(f for f in files if f.kind == "contingency")
    substitute_copy = next(
        f for f in files if f.kind == "authorized_copy" and f.key == substitute.key
    )
    assert original is not None
    _put(folder, f"{original.key}-procNFe.xml", render_nfe_proc(original), OLD)
    _put(folder, substitute.name, substitute.content, OLD + 10)
    _put(
        folder,
        cancellation_file_name(original.key, 110112),
        _cancel(original, event_type=110112, substitute=substitute.key),
        OLD + 20,
    )
    _put(folder, substitute_copy.name, substitute_copy.content, OLD + 30)
    _put(folder / "reenviada", substitute_copy.name, substitute_copy.content, OLD + 40)

    summary = _intake(app_paths, folder).scan_once()

    assert Sale.get(Sale.key == original.key).cancel_requested
    assert Sale.select().where(Sale.key == substitute.key).count() == 1
    kept = Sale.get(Sale.key == substitute.key)
    assert kept.authorized and not kept.cancel_requested
    assert Cancellation.get(Cancellation.key == original.key).substitute_key == substitute.key
    assert summary.new_sales == 2 and summary.updated == 1 and summary.duplicates == 1


def test_file_being_written_waits_then_is_read(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    generated = _notes(1, seed=10)[0]
    now = [time.time()]
    intake = _intake(app_paths, folder, settle_seconds=2, stable_seconds=10, clock=lambda: now[0])
    path = _put(folder, generated.name, generated.content[:1500], mtime=now[0])

    young = intake.scan_once()  # just modified: not even opened
    assert young.waiting == 1 and young.files_read == 0 and intake.pending_retry
    assert SourceFile.select().count() == 0

    now[0] += 3  # settled but truncated: read, fails, still retried (not stable yet)
    partial = intake.scan_once()
    assert partial.waiting == 1 and partial.quarantined == 0
    record = SourceFile.get(SourceFile.path == str(path))
    assert record.status == "waiting" and record.attempts == 1
    assert Sale.select().count() == 0

    path.write_bytes(generated.content)  # the PDV finishes writing
    os.utime(path, (now[0], now[0]))
    now[0] += 3
    done = intake.scan_once()
    assert done.new_sales == 1
    record = SourceFile.get(SourceFile.path == str(path))
    assert record.status == "done" and record.kind == "sale" and record.key == generated.key
    assert not list(app_paths.quarantine.iterdir())


def test_stable_unreadable_file_is_quarantined_and_left_in_place(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    content = b"<?xml version='1.0'?><nfeProc><NFe><infNFe"
    path = _put(folder, "quebrado.xml", content)
    intake = _intake(app_paths, folder, stable_seconds=10, min_attempts=2)

    first = intake.scan_once()
    assert first.waiting == 1 and first.quarantined == 0  # one attempt is not enough
    second = intake.scan_once()
    assert second.quarantined == 1

    record = SourceFile.get(SourceFile.path == str(path))
    assert record.status == "quarantined" and record.attempts == 2 and record.reason
    assert path.read_bytes() == content  # never moved or changed
    copies = list(app_paths.quarantine.iterdir())
    assert len(copies) == 1 and copies[0].read_bytes() == content
    event = LogEvent.get(LogEvent.file == str(path), LogEvent.level == "warning")
    assert "quarentena" in event.message
    assert intake.scan_once().skipped == 1  # not retried again


def test_homologation_note_is_kept_as_ignored_with_its_reason(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    generated = _notes(1, seed=11, environment=2)[0]
    _put(folder, generated.name, generated.content)
    summary = _intake(app_paths, folder).scan_once()
    assert summary.ignored == 1
    sale = Sale.get(Sale.key == generated.key)
    assert sale.state == "ignorada" and "homologação" in (sale.hold_reason or "")
    assert sale.environment == 2
    assert StoreLocation.select().count() == 0  # a test emitter is not a store to map


def test_samples_read_in_place(db: peewee.SqliteDatabase, app_paths: AppPaths) -> None:
    listing_before = sorted((p.name, p.stat().st_mtime_ns) for p in SAMPLES_DIR.iterdir())
    summary = _intake(app_paths, SAMPLES_DIR).scan_once()
    assert sorted((p.name, p.stat().st_mtime_ns) for p in SAMPLES_DIR.iterdir()) == listing_before

    by_name = {Path(d.source).name: d for d in summary.decisions}
    assert by_name["fiscaut-v4__nfce-exemplo.xml"].outcome == Outcome.NEW_SALE
    assert by_name["br_invoices_pdf__cfe.xml"].outcome == Outcome.REJECTED
    assert by_name["my-expenses__nfce.xml"].outcome == Outcome.AWAITING_AUTHORIZATION
    purchase = by_name["nfelib__35180834128745000152550010000476491552806942-nfe.xml"]
    assert purchase.outcome == Outcome.REJECTED and "compra" in (purchase.reason or "")
    # #2 and #3 share a key: one sale, the other file a duplicate (or the cancellation).
    pair = {by_name["sped-da__nfce112_1.xml"].outcome, by_name["sped-da__nfce112_2.xml"].outcome}
    assert Outcome.IGNORED in pair
    assert (
        Sale.select().where(Sale.key == "41200323285089000185650010000013051817822496").count() == 1
    )
    # #4 (homologation) is cancelled by #5.
    assert Sale.get(Sale.key == "41160908380787000176650010000000811778821925").cancel_requested
    assert Sale.get(Sale.key == "35260467439638000102650120000119551462295426").total == Decimal(
        "155.37"
    )
    assert summary.new_sales == 4
    assert SourceFile.select().count() == len(list(SAMPLES_DIR.glob("*.xml")))
    assert LogEvent.select().where(LogEvent.category == "intake").count() >= 17


def test_own_cnpj_nfe_is_a_sale(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    set_setting(OWN_CNPJS, ["34128745000152"])
    name = "nfelib__35180834128745000152550010000476491552806942-nfe.xml"
    folder = tmp_path / "pdv"
    _put(folder, name, (SAMPLES_DIR / name).read_bytes())
    summary = _intake(app_paths, folder).scan_once()
    assert summary.new_sales == 1
    assert Sale.get().own_nfe


def test_missing_folder_is_reported_once_without_crashing(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    intake = Intake(app_paths, [tmp_path / "nao-existe"])
    first = intake.scan_once()
    second = intake.scan_once()
    assert first.missing_folders == [str(tmp_path / "nao-existe")]
    assert second.missing_folders == first.missing_folders
    events = list(LogEvent.select().where(LogEvent.level == "warning"))
    assert len(events) == 1 and "não encontrada" in events[0].message


def test_a_file_rewritten_in_place_is_read_again(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    """Some PDVs overwrite `<key>.xml` with the authorised version."""
    folder = tmp_path / "pdv"
    note = _notes(1, seed=12)[0].note
    assert note is not None
    path = _put(folder, f"{note.key}.xml", render_bare_nfe(note), OLD)
    intake = _intake(app_paths, folder)
    intake.scan_once()
    _put(folder, path.name, render_nfe_proc(note), OLD + 100)
    assert intake.scan_once().updated == 1
    assert Sale.get().authorized


def test_many_files_in_several_batches(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    files = list(
        generate_notes(default_catalog(), 120, seed=13, cancel_ratio=0.2, contingency_ratio=0.1)
    )
    for generated in files:
        _put(folder, generated.name, generated.content)
    progress: list[tuple[int, int]] = []
    summary = _intake(app_paths, folder, batch_size=25).scan_once(
        lambda done, total: progress.append((done, total))
    )
    cancelled = {f.cancels_key for f in files if f.kind == "cancellation"}
    assert summary.new_sales == 120
    assert summary.cancellations == len(cancelled)
    assert Sale.select().where(Sale.cancel_requested == True).count() == len(cancelled)  # noqa: E712
    assert Sale.select().where(Sale.authorized == False).count() == 0  # noqa: E712
    assert progress[0] == (0, len(files)) and progress[-1] == (len(files), len(files))
    assert len(progress) == 1 + -(-len(files) // 25)


def test_quarantine_never_touches_the_pdv_folder(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    _put(folder, "vazio.xml", b"")
    _put(folder, "binario.xml", bytes(range(256)) * 4)
    intake = _intake(app_paths, folder, stable_seconds=0, min_attempts=1)
    summary = intake.scan_once()
    assert summary.quarantined == 2
    assert sorted(p.name for p in folder.iterdir()) == ["binario.xml", "vazio.xml"]
    shutil.rmtree(folder)
    assert intake.scan_once().files_read == 0


def test_big_batches_are_read_by_worker_processes_with_the_same_result(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    folder = tmp_path / "pdv"
    files = list(
        generate_notes(default_catalog(), 80, seed=14, cancel_ratio=0.2, contingency_ratio=0.2)
    )
    for generated in files:
        _put(folder, generated.name, generated.content)
    _put(folder, "quebrado.xml", b"<nfeProc><NFe>")
    progress: list[tuple[int, int]] = []
    intake = _intake(
        app_paths, folder, workers=2, parallel_min_files=10, batch_size=16, min_attempts=1
    )
    summary = intake.scan_once(lambda done, total: progress.append((done, total)))

    cancelled = {f.cancels_key for f in files if f.kind == "cancellation"}
    assert Sale.select().count() == 80
    assert Sale.select().where(Sale.authorized == False).count() == 0  # noqa: E712
    assert Sale.select().where(Sale.cancel_requested == True).count() == len(cancelled)  # noqa: E712
    assert Cancellation.select().where(Cancellation.applied == False).count() == 0  # noqa: E712
    assert summary.new_sales == 80 and summary.quarantined == 1
    assert summary.files_read == len(files) + 1
    assert SourceFile.select().count() == len(files) + 1
    assert progress[-1] == (len(files) + 1, len(files) + 1)
    assert len(list(app_paths.quarantine.iterdir())) == 1
    assert intake.scan_once().skipped == len(files) + 1


def test_one_file_that_cannot_be_recorded_does_not_take_the_batch_with_it(
    db: peewee.SqliteDatabase,
    app_paths: AppPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.sources import store_writer

    folder = tmp_path / "pdv"
    files = _notes(6, seed=15)
    for generated in files:
        _put(folder, generated.name, generated.content)
    bad = files[2]
    original = store_writer.StoreWriter._insert_children

    def failing(self: store_writer.StoreWriter, sales: list[tuple[int, object]]) -> None:
        if any(getattr(doc, "key", None) == bad.key for _, doc in sales):
            raise RuntimeError("disco cheio")
        original(self, sales)  # type: ignore[arg-type]

    monkeypatch.setattr(store_writer.StoreWriter, "_insert_children", failing)
    intake = _intake(app_paths, folder)
    summary = intake.scan_once()
    assert summary.new_sales == 5 and summary.waiting == 1
    assert Sale.select().where(Sale.key == bad.key).count() == 0  # nothing half-written
    assert SaleItem.select().count() == sum(len(f.note.lines) for f in files if f is not bad)  # type: ignore[union-attr]

    monkeypatch.setattr(store_writer.StoreWriter, "_insert_children", original)
    retry = intake.scan_once()
    assert retry.new_sales == 1 and retry.skipped == 5
    assert Sale.select().count() == 6


def test_purchases_are_read_again_when_the_own_cnpjs_change(
    db: peewee.SqliteDatabase, app_paths: AppPaths, tmp_path: Path
) -> None:
    name = "nfelib__35180834128745000152550010000476491552806942-nfe.xml"
    folder = tmp_path / "pdv"
    _put(folder, name, (SAMPLES_DIR / name).read_bytes())
    intake = _intake(app_paths, folder)
    assert intake.scan_once().rejected == 1
    assert intake.scan_once().skipped == 1
    set_setting(OWN_CNPJS, ["34128745000152"])
    assert intake.scan_once().new_sales == 1
    assert Sale.get().own_nfe
    assert intake.scan_once().skipped == 1
