"""The engine cycle and its background thread, with an in-memory Bling."""

from __future__ import annotations

import time
from collections.abc import Callable

import peewee

from app.bling.errors import BlingNotConnectedError, BlingUnreachableError
from app.config import AppPaths
from app.store.models import LogEvent, Sale
from app.sync.engine import NOT_CONNECTED, UNREACHABLE, SyncEngine
from app.sync.progress import ProgressEvent, Stage
from tests.sync.test_outbox_fakes import FakeBling, make_sale, reload


class FreshCatalog:
    """A catalogue that is never stale (the catalogue pull has its own tests)."""

    def __init__(self, api: object) -> None:
        self.api = api

    def is_stale(self, now: object = None) -> bool:
        return False

    def lookup_unknown(self, codes: object, gtins: object) -> int:
        return 0


def engine(
    paths: AppPaths, provider: Callable[[], object], events: list[ProgressEvent] | None = None
) -> SyncEngine:
    from app.store.models import StoreLocation

    StoreLocation.insert(cnpj="11111111000111", deposit_id=1).on_conflict_ignore().execute()
    return SyncEngine(
        provider,  # type: ignore[arg-type]
        paths=paths,
        on_progress=events.append if events is not None else None,
        catalog_factory=FreshCatalog,  # type: ignore[arg-type]
        interval=0.05,
    )


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_cycle_sends_ready_sales_and_reports_progress(
    db: peewee.Database, app_paths: AppPaths
) -> None:
    api = FakeBling()
    sales = [make_sale(n) for n in range(1, 4)]
    events: list[ProgressEvent] = []
    summary = engine(app_paths, lambda: api, events).run_cycle()
    assert summary.ok
    assert summary.outbox.sent == 3
    assert summary.states["enviada"] == 3 and summary.states["pronta"] == 0
    assert all(reload(s).stock_deposit_id == 1 for s in sales)
    send = [e for e in events if e.stage == Stage.SEND]
    assert {e.sale_key for e in send if e.sale_key} == {s.key for s in sales}
    assert send[-1].done == send[-1].total == 3
    assert events[0].stage == Stage.CYCLE and events[-1].stage == Stage.CYCLE


def test_not_connected_stops_cycle_without_touching_sales(
    db: peewee.Database, app_paths: AppPaths
) -> None:
    sale = make_sale(1)

    def provider() -> FakeBling:
        raise BlingNotConnectedError("O Ponte não está conectado ao Bling.")

    summary = engine(app_paths, provider).run_cycle()
    assert summary.error_kind == NOT_CONNECTED
    assert "ponte-bling login" in (summary.error or "")
    assert reload(sale).state == "pronta" and reload(sale).attempts == 0
    assert LogEvent.select().where(LogEvent.category == "engine").count() == 1


def test_unreachable_mid_cycle_leaves_sale_resumable(
    db: peewee.Database, app_paths: AppPaths
) -> None:
    api = FakeBling()
    sale = make_sale(1)
    api.fail("launch_stock", "before", BlingUnreachableError("Sem conexão com o Bling."))
    eng = engine(app_paths, lambda: api)
    summary = eng.run_cycle()
    assert summary.error_kind == UNREACHABLE
    assert reload(sale).state == "pedido_criado"
    assert eng.run_cycle().ok
    assert reload(sale).state == "enviada"
    assert len(api.orders_for(sale.numero_loja)) == 1


def test_background_thread_pause_resume_stop(db: peewee.Database, app_paths: AppPaths) -> None:
    api = FakeBling()
    first = make_sale(1)
    eng = engine(app_paths, lambda: api)
    eng.start()
    try:
        assert wait_for(lambda: reload(first).state == "enviada")
        eng.pause()
        time.sleep(0.2)  # let a cycle in flight end
        second = make_sale(2)
        time.sleep(0.3)
        assert reload(second).state == "pronta"  # paused: nothing sent
        eng.resume()
        assert wait_for(lambda: reload(second).state == "enviada")
    finally:
        eng.stop(timeout=5)
    assert not eng.running


def test_thread_waits_for_login_then_resumes(db: peewee.Database, app_paths: AppPaths) -> None:
    api = FakeBling()
    connected = False

    def provider() -> FakeBling:
        if not connected:
            raise BlingNotConnectedError("Conecte o Bling.")
        return api

    sale = make_sale(1)
    eng = engine(app_paths, provider)
    eng.start()
    try:
        assert wait_for(lambda: eng.waiting_for_login)
        assert Sale.get(Sale.key == sale.key).state == "pronta"
        connected = True
        eng.resume()
        assert wait_for(lambda: reload(sale).state == "enviada")
    finally:
        eng.stop(timeout=5)


def test_catalogue_hiccup_does_not_hold_up_resolved_sales(
    db: peewee.Database, app_paths: AppPaths
) -> None:
    from app.bling.errors import BlingTransientError

    class FailingCatalog(FreshCatalog):
        def is_stale(self, now: object = None) -> bool:
            return True

        def refresh(self, **_: object) -> None:
            raise BlingTransientError("Erro 503 ao ler produtos.")

    api = FakeBling()
    sale = make_sale(1)
    eng = engine(app_paths, lambda: api)
    eng.catalog_factory = FailingCatalog  # type: ignore[assignment]
    summary = eng.run_cycle()
    assert summary.ok and summary.catalog_error and "503" in summary.catalog_error
    assert reload(sale).state == "enviada"
