"""The whole simulated account in memory, guarded by one lock."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from decimal import Decimal

from app.simulator.clock import SimClock
from app.simulator.models import (
    BlockEvent,
    Contact,
    Counters,
    Deposit,
    Order,
    OrderStatus,
    PaymentForm,
    Product,
    StatusModule,
    StockMovement,
)

SALES_MODULE_NAME = "Vendas"


class SimulatorState:
    """Entities, stock and counters of one Bling account.

    Every read or write from outside the server should hold `lock` (an RLock).
    """

    def __init__(self, clock: SimClock | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock or SimClock()
        self.products: dict[int, Product] = {}
        self.formas: dict[int, PaymentForm] = {}
        self.depositos: dict[int, Deposit] = {}
        self.contacts: dict[int, Contact] = {}
        self.modules: dict[int, StatusModule] = {}
        self.statuses: dict[int, OrderStatus] = {}
        self.orders: dict[int, Order] = {}
        self.balances: dict[tuple[int, int], Decimal] = {}  # (deposit id, product id) → physical
        self.movements: list[StockMovement] = []
        self.counters = Counters()
        self.blocks: list[BlockEvent] = []
        self.consumer_final_id: int | None = None
        self._ids = itertools.count(15_000_000_001)
        self._order_numbers = itertools.count(1)

    # identifiers
    def new_id(self) -> int:
        """A fresh Bling-looking id (ids are unique across kinds, like big integers in Bling)."""
        return next(self._ids)

    def next_order_number(self, used: int | None = None) -> int:
        """The next sequential `numero`; a number chosen by the caller moves the sequence on."""
        if used is not None:
            highest = max((o.numero for o in self.orders.values()), default=0)
            if used >= highest:
                self._order_numbers = itertools.count(used + 1)
            return used
        return next(self._order_numbers)

    # lookups
    def default_deposit(self) -> Deposit | None:
        for deposit in self.depositos.values():
            if deposit.padrao and deposit.situacao == 1:
                return deposit
        return None

    def product_by_code(self, code: str) -> Product | None:
        for product in self.products.values():
            if product.codigo == code and product.situacao != "E":
                return product
        return None

    def sales_statuses(self) -> Iterator[OrderStatus]:
        module = self.sales_module()
        for status in self.statuses.values():
            if module is not None and status.module_id == module.id:
                yield status

    def sales_module(self) -> StatusModule | None:
        for module in self.modules.values():
            if module.nome == SALES_MODULE_NAME:
                return module
        return None

    def status_by_name(self, name: str) -> OrderStatus | None:
        for status in self.sales_statuses():
            if status.nome.casefold() == name.casefold():
                return status
        return None

    def balance(self, deposit_id: int, product_id: int) -> Decimal:
        return self.balances.get((deposit_id, product_id), Decimal("0"))

    def orders_by_numero_loja(self, numero_loja: str) -> list[Order]:
        """Test helper: every order with this numeroLoja (duplicates show up as more than one)."""
        return [o for o in self.orders.values() if o.numero_loja == numero_loja]

    @property
    def orders_created(self) -> int:
        return self.counters.orders_created

    @property
    def requests_total(self) -> int:
        return self.counters.requests_total

    @property
    def too_many_requests(self) -> int:
        return self.counters.too_many_requests

    @property
    def token_calls(self) -> list[float]:
        return self.counters.token_calls
