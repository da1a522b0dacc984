"""The sync engine: one cycle = intake → catalogue → resolve → outbox, on an interval, in ONE
background thread (design §2). The desktop app and `ponte-bling sync` run this same engine;
progress goes out through a plain callback (the desktop app turns it into Qt signals).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import peewee
from filelock import FileLock, Timeout

from app.bling.errors import (
    BlingError,
    BlingNotConnectedError,
    BlingRateLimitedError,
    BlingTransientError,
    BlingUnreachableError,
)
from app.config import AppPaths
from app.errors import PonteError
from app.sources.intake import Intake
from app.store.events import log_event
from app.store.models import SALE_STATES, Sale, database_proxy
from app.store.settings import SYNC_INTERVAL, XML_FOLDERS, get_setting
from app.sync.catalog import CatalogSync
from app.sync.outbox import Outbox, OutboxSummary, RetryPolicy
from app.sync.progress import ProgressCallback, Reporter, Stage
from app.sync.resolver import deposit_for, resolve_pending
from app.timeutil import utcnow

if TYPE_CHECKING:
    from app.bling.api import BlingApi

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 60  # seconds between cycles when the sync-interval setting is absent
MIN_INTERVAL = 5

NOT_CONNECTED = "not_connected"
UNREACHABLE = "unreachable"
RATE_LIMITED = "rate_limited"
BLING_ERROR = "bling_error"
LOCAL_ERROR = "local_error"
BUSY = "busy"

# One engine per data dir across processes: the desktop app and `ponte-bling sync` must never
# send the same sales at once (exactly-once rests on one writer per sale).
ENGINE_LOCK_NAME = "engine.lock"
BUSY_MESSAGE = (
    "Outra cópia do Ponte (o aplicativo ou 'ponte-bling sync') já está sincronizando estes "
    "dados. Este ciclo foi pulado; feche a outra cópia ou espere ela terminar."
)


@dataclass
class CycleSummary:
    """What one cycle did, and why it stopped early if it did (Portuguese `error`)."""

    started_at: datetime
    finished_at: datetime | None = None
    files_read: int = 0
    new_sales: int = 0
    cancellations_read: int = 0
    catalog_refreshed: bool = False
    catalog_error: str | None = None
    products_looked_up: int = 0
    ready: int = 0
    held: int = 0
    outbox: OutboxSummary = field(default_factory=OutboxSummary)
    states: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    error_kind: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def sales_by_state() -> dict[str, int]:
    """Count of sales per state (every state of design §4, zero included)."""
    counts = dict.fromkeys(SALE_STATES, 0)
    query: Any = Sale.select(Sale.state, peewee.fn.COUNT(Sale.key)).group_by(Sale.state)
    for state, count in query.tuples():
        counts[str(state)] = int(count)
    return counts


class SyncEngine:
    """Runs cycles on demand (`run_cycle`) or on an interval in a background thread."""

    def __init__(
        self,
        api_provider: Callable[[], BlingApi],
        *,
        paths: AppPaths,
        on_progress: ProgressCallback | None = None,
        clock: Callable[[], datetime] = utcnow,
        retry: RetryPolicy | None = None,
        interval: float | None = None,
        catalog_factory: Callable[[BlingApi], CatalogSync] | None = None,
        intake_factory: Callable[[AppPaths], Intake] | None = None,
    ) -> None:
        self.api_provider = api_provider
        self.paths = paths
        self.report = Reporter(on_progress)
        self.clock = clock
        self.retry = retry
        self.fixed_interval = interval
        self.catalog_factory = catalog_factory or (lambda api: CatalogSync(api, clock=clock))
        self.intake_factory = intake_factory or Intake.from_settings
        self._intake_reader: Intake | None = None
        self._intake_folders: list[str] = []
        self._api: BlingApi | None = None
        self._catalog: CatalogSync | None = None
        self._lock = threading.Lock()  # one cycle at a time
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._paused = False
        self._waiting_for_login = False
        self._thread: threading.Thread | None = None
        self.last_summary: CycleSummary | None = None

    # --- one cycle ---------------------------------------------------------------------------

    def run_cycle(self) -> CycleSummary:
        """Intake, catalogue, resolve, send. Never raises for Bling trouble: the summary says."""
        with self._lock:
            summary = CycleSummary(started_at=self.clock())
            self.report(Stage.CYCLE, 0, 1, "Sincronização iniciada")
            process_lock = FileLock(str(self.paths.data_dir / ENGINE_LOCK_NAME))
            try:
                try:
                    process_lock.acquire(timeout=0)
                except Timeout:
                    summary.error, summary.error_kind = BUSY_MESSAGE, BUSY
                else:
                    try:
                        self._intake(summary)
                        self._with_bling(summary)
                    finally:
                        process_lock.release()
            finally:
                summary.finished_at = self.clock()
                summary.states = sales_by_state()
                self.last_summary = summary
            if summary.error:
                self.report(Stage.ERROR, 1, 1, summary.error)
            else:
                self.report(Stage.CYCLE, 1, 1, "Sincronização concluída")
            return summary

    def _intake(self, summary: CycleSummary) -> None:
        folders = [str(folder) for folder in get_setting(XML_FOLDERS) or []]
        if not folders:
            return
        if self._intake_reader is None or folders != self._intake_folders:
            # a new reader when the user changed the folders (the reader keeps its folders)
            self._intake_reader = self.intake_factory(self.paths)
            self._intake_folders = folders
        self.report(Stage.INTAKE, 0, 0, "Lendo as notas do PDV")
        result = self._intake_reader.scan_once(progress=self._intake_progress)
        summary.files_read = result.files_read
        summary.new_sales = result.new_sales
        summary.cancellations_read = result.cancellations

    def _intake_progress(self, done: int, total: int) -> None:
        self.report(Stage.INTAKE, done, total, f"Lendo as notas do PDV ({done} de {total})")

    def _catalog_progress(self, message: str, done: int, total: int | None) -> None:
        self.report(Stage.CATALOG, done, total or 0, message)

    def _with_bling(self, summary: CycleSummary) -> None:
        try:
            api = self._connect()
            catalog = self._catalog_for(api)
            if catalog.is_stale(self.clock()):
                try:
                    catalog.refresh(progress=self._catalog_progress)
                    summary.catalog_refreshed = True
                except (BlingNotConnectedError, BlingUnreachableError, BlingRateLimitedError):
                    raise
                except BlingTransientError as exc:
                    # A hiccup on a catalogue page must not hold up sales the cache already
                    # resolves; the pull is retried next cycle (its SyncState keeps the error).
                    summary.catalog_error = f"{exc.title}: {exc.message}"
                    log.warning("catalogue refresh failed: %r", exc)
            self.report(Stage.RESOLVE, 0, 0, "Conferindo produtos, pagamentos e lojas")
            resolved = resolve_pending(now=self.clock())
            if resolved.unknown_codes or resolved.unknown_gtins:
                found = catalog.lookup_unknown(
                    sorted(resolved.unknown_codes), sorted(resolved.unknown_gtins)
                )
                summary.products_looked_up = found
                if found:
                    resolved = resolve_pending(now=self.clock())
            summary.ready = len(resolved.ready)
            summary.held = len(resolved.held)
            outbox = Outbox(
                api,
                deposit_for=deposit_for,
                clock=self.clock,
                retry=self.retry,
                report=self.report,
            )
            summary.outbox = outbox.run(should_stop=self._should_stop)
        except BlingNotConnectedError as exc:
            self._api = None
            self._catalog = None
            summary.error_kind = NOT_CONNECTED
            # Most of the client's messages already say how to connect; say it only once.
            hint = "" if "login" in exc.message else " Conecte o Bling: ponte-bling login."
            summary.error = (
                f"{exc.message}{hint} Nenhuma venda foi marcada com erro; o envio continua "
                "depois da conexão."
            )
        except BlingUnreachableError as exc:
            summary.error_kind = UNREACHABLE
            summary.error = f"{exc.message} As vendas esperam e serão enviadas no próximo ciclo."
        except BlingRateLimitedError as exc:
            summary.error_kind = RATE_LIMITED
            summary.error = (
                f"{exc.message} O limite de requisições do Bling foi atingido; o envio "
                "continua quando o limite liberar."
            )
        except (BlingTransientError, BlingError) as exc:
            summary.error_kind = BLING_ERROR
            summary.error = f"{exc.title}: {exc.message}"
        except PonteError as exc:  # e.g. the keyring is locked: the user must act
            summary.error_kind = LOCAL_ERROR
            summary.error = f"{exc.title}: {exc.message}"
        if summary.error:
            log_event(
                "engine",
                summary.error,
                level="warning" if summary.error_kind != BLING_ERROR else "error",
            )

    def _connect(self) -> BlingApi:
        if self._api is None:
            self._api = self.api_provider()
        return self._api

    def _catalog_for(self, api: BlingApi) -> CatalogSync:
        if self._catalog is None or self._catalog.api is not api:
            self._catalog = self.catalog_factory(api)
        return self._catalog

    # --- the background thread ---------------------------------------------------------------

    def _should_stop(self) -> bool:
        return self._stop.is_set() or self._paused

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def waiting_for_login(self) -> bool:
        return self._waiting_for_login

    def interval(self) -> float:
        if self.fixed_interval is not None:
            return self.fixed_interval
        value = get_setting(SYNC_INTERVAL, DEFAULT_INTERVAL)
        try:
            return max(MIN_INTERVAL, float(value))
        except (TypeError, ValueError):
            return DEFAULT_INTERVAL

    def start(self) -> None:
        """Run cycles on the interval in one background thread (no-op when running)."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="ponte-engine", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Stop after the sale in flight (its state is always committed) and join."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def pause(self) -> None:
        """Stop sending after the sale in flight; cycles wait until resume()."""
        self._paused = True
        self.report(Stage.PAUSED, 0, 0, "Sincronização pausada")

    def resume(self) -> None:
        """Resume cycles (also after the user connected Bling again) and run one now."""
        self._paused = False
        self._waiting_for_login = False
        self._wake.set()

    def wake(self) -> None:
        """Run the next cycle now instead of waiting for the interval."""
        self._wake.set()

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                if self._paused or self._waiting_for_login:
                    self._wake.wait()
                    self._wake.clear()
                    continue
                try:
                    summary = self.run_cycle()
                except Exception:  # never let the thread die silently
                    log.exception("sync cycle failed")
                    self.report(
                        Stage.ERROR,
                        0,
                        0,
                        "Erro inesperado na sincronização; detalhes no arquivo de log.",
                    )
                else:
                    if summary.error_kind == NOT_CONNECTED:
                        self._waiting_for_login = True
                        self.report(Stage.PAUSED, 0, 0, summary.error or "")
                        continue
                self._wake.wait(self.interval())
                self._wake.clear()
        finally:
            if database_proxy.obj is not None:
                database_proxy.close()
