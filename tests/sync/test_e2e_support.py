"""Shared set-up for the end-to-end and exactly-once tests: a store whose PDV writes NFC-e
files into a folder, one engine, and the simulator as Bling (no tests in this module)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.bling.api import BlingApi
from app.config import AppPaths
from app.simulator import RunningSimulator, demo_catalog
from app.sources.generator import DEFAULT_STORE_CNPJS, write_notes
from app.sources.generator import CatalogEntry as NoteEntry
from app.sources.intake import Intake
from app.store.models import Deposit, PaymentForm, PaymentMapping, Sale, SaleItem
from app.store.settings import DEFAULT_DEPOSIT, XML_FOLDERS, set_setting
from app.sync.engine import CycleSummary, SyncEngine
from app.sync.mappings import (
    accept_suggestions,
    compute_suggestions,
    set_payment_mapping,
    set_store_deposit,
)
from app.sync.outbox import RetryPolicy
from app.timeutil import utcnow

NO_WAIT = RetryPolicy(base_seconds=0, cap_seconds=0)


def note_catalog() -> list[NoteEntry]:
    """The simulator's demo SKUs (variations and simple products) for the note generator."""
    return [
        NoteEntry(e.code, e.description, e.unit, e.price, gtin=e.gtin or None)
        for e in demo_catalog()
        if e.active
    ]


def deposit_id(name: str) -> int:
    return int(Deposit.get(Deposit.description == name).id)


def map_stores() -> dict[str, int]:
    """Store 1 → Loja Centro, store 2 → Loja Shopping, the rest → default deposit Geral."""
    centre, mall = deposit_id("Loja Centro"), deposit_id("Loja Shopping")
    set_setting(DEFAULT_DEPOSIT, deposit_id("Geral"))
    set_store_deposit(DEFAULT_STORE_CNPJS[0], centre)
    set_store_deposit(DEFAULT_STORE_CNPJS[1], mall)
    return {DEFAULT_STORE_CNPJS[0]: centre, DEFAULT_STORE_CNPJS[1]: mall}


def map_tenders() -> None:
    """Accept every suggestion; tenders Bling has no forma for go to 'Outros'."""
    compute_suggestions()
    accept_suggestions()
    others = PaymentForm.get(PaymentForm.description == "Outros")
    for row in PaymentMapping.select().where(PaymentMapping.forma_id.is_null()):
        set_payment_mapping(row.tender_code, row.card_brand or None, int(others.id))


class Shop:
    """One installation: data dir, PDV folder, engine, talking to one simulator."""

    def __init__(
        self,
        simulator: RunningSimulator,
        api: BlingApi,
        paths: AppPaths,
        folder: Path,
        *,
        api_provider: Callable[[], BlingApi] | None = None,
    ) -> None:
        self.sim = simulator
        self.api = api
        self.paths = paths
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        set_setting(XML_FOLDERS, [str(folder)])
        self.engine = self.new_engine(api_provider)

    def new_engine(
        self,
        api_provider: Callable[[], BlingApi] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> SyncEngine:
        """A fresh engine (what a restarted process would build)."""
        return SyncEngine(
            api_provider or (lambda: self.api),
            paths=self.paths,
            clock=clock,
            retry=NO_WAIT,
            intake_factory=lambda p: Intake.from_settings(p, settle_seconds=0),
        )

    def write_sales(self, count: int, *, seed: int = 1, **options: Any) -> list[Path]:
        options.setdefault("cancel_ratio", 0.0)
        return write_notes(self.folder, note_catalog(), count, seed=seed, **options)

    def cycle(self) -> CycleSummary:
        summary = self.engine.run_cycle()
        assert summary.ok, summary.error
        return summary

    def deposit_id(self, name: str) -> int:
        return deposit_id(name)

    def map_stores(self) -> dict[str, int]:
        return map_stores()

    def map_tenders(self) -> None:
        map_tenders()

    def sold(self, states: tuple[str, ...] = ("enviada",)) -> dict[tuple[int, int], Decimal]:
        """Quantity per (deposit, product) of the sales in these states."""
        out: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for sale in Sale.select().where(Sale.state.in_(states)):
            for item in SaleItem.select().where(SaleItem.sale == sale):
                out[(int(sale.stock_deposit_id), int(item.bling_product_id))] += item.quantity
        return dict(out)

    def balances(self, keys: list[tuple[int, int]]) -> dict[tuple[int, int], Decimal]:
        """Balances read through Bling's public API (GET /estoques/saldos/{deposit})."""
        by_deposit: dict[int, list[int]] = defaultdict(list)
        for deposit, product in keys:
            by_deposit[deposit].append(product)
        out: dict[tuple[int, int], Decimal] = {}
        for deposit, products in by_deposit.items():
            found = self.api.stock_balances(deposit, products)
            for product in products:
                out[(deposit, product)] = found.get(product, Decimal(0))
        return out

    def assert_exactly_once(self) -> int:
        """Every sent sale has ONE order in Bling, of the note's total, and ONE stock exit of
        exactly its items in its deposit; cancelled sales have no net exit. Returns sent count."""
        state = self.sim.state
        sent = 0
        with state.lock:
            for sale in Sale.select():
                orders = state.orders_by_numero_loja(sale.numero_loja)
                if sale.state == "enviada":
                    sent += 1
                    assert len(orders) == 1, (sale.key, len(orders))
                    order = orders[0]
                    assert order.id == sale.bling_order_id
                    assert order.total == sale.total, (sale.key, order.total, sale.total)
                    assert sum(p.valor for p in order.parcelas) == sale.total
                    assert order.stock_deposit_id == sale.stock_deposit_id
                    exits = [m for m in state.movements if m.order_id == order.id]
                    net: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
                    for m in exits:
                        net[(m.deposito_id, m.produto_id)] += m.quantidade
                    wanted: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
                    for item in SaleItem.select().where(SaleItem.sale == sale):
                        wanted[(int(sale.stock_deposit_id), int(item.bling_product_id))] -= (
                            item.quantity
                        )
                    assert {k: v for k, v in net.items() if v} == dict(wanted), sale.key
                    if sale.deposit_override_id is None:  # never moved: one exit, no reversal
                        assert all(m.quantidade < 0 for m in exits), sale.key
                elif sale.state == "cancelada":
                    assert len(orders) <= 1
                    for order in orders:
                        assert (
                            sum(m.quantidade for m in state.movements if m.order_id == order.id)
                            == 0
                        )
                else:
                    assert len(orders) <= 1
        return sent
