"""A small in-memory Bling for outbox unit tests: exact control over where a request fails.

The end-to-end tests use the real simulator over HTTP; this fake exists to put a failure at an
exact point (after the write committed, before it...) and to count every call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.bling.codes import STOCK_ALREADY_LAUNCHED, STOCK_NOT_LAUNCHED
from app.bling.errors import BlingOutcomeUnknownError, BlingValidationError, FieldError
from app.bling.types import (
    BlingContact,
    BlingOrderStatus,
    CreatedOrder,
    NewSalesOrder,
    SalesOrderSummary,
)
from app.store.models import Sale, SaleItem, SalePayment

STATUSES = [
    BlingOrderStatus(6, "Em aberto", 0),
    BlingOrderStatus(9, "Atendido", 1),
    BlingOrderStatus(12, "Cancelado", 2),
]


@dataclass
class FakeOrder:
    id: int
    order: NewSalesOrder
    status_id: int = 6
    launched_in: int | None = None


@dataclass
class FakeBling:
    """Implements the BlingApi methods the outbox uses."""

    orders: dict[int, FakeOrder] = field(default_factory=dict)
    moves: list[tuple[int, int, Decimal]] = field(default_factory=list)  # order, deposit, qty
    calls: Counter[str] = field(default_factory=Counter)
    # method name → list of failures to apply on the next calls, in order. A failure is
    # ("before", exc) — raise without doing anything — or ("after", exc) — do it, then raise.
    failures: dict[str, list[tuple[str, Exception]]] = field(default_factory=dict)
    auto_launch_status: int | None = None
    default_deposit: int = 1
    next_id: int = 1000
    searches: list[list[str]] = field(default_factory=list)

    def fail(self, method: str, when: str, exc: Exception) -> None:
        self.failures.setdefault(method, []).append((when, exc))

    def _call(self, method: str, action: Callable[[], object]) -> object:
        self.calls[method] += 1
        pending = self.failures.get(method)
        if pending:
            when, exc = pending.pop(0)
            if when == "before":
                raise exc
            action()
            raise exc
        return action()

    # --- catalogue-ish ---------------------------------------------------------------
    def final_consumer(self) -> BlingContact:
        return self._call("final_consumer", lambda: BlingContact(77, "Consumidor Final", None))  # type: ignore[return-value]

    def contacts_by_document(self, document: str) -> list[BlingContact]:
        return self._call("contacts_by_document", lambda: [])  # type: ignore[return-value]

    def create_contact(self, name: str, document: str) -> int:
        return self._call("create_contact", lambda: 88)  # type: ignore[return-value]

    def sales_order_statuses(self) -> list[BlingOrderStatus]:
        return self._call("sales_order_statuses", lambda: list(STATUSES))  # type: ignore[return-value]

    # --- orders ----------------------------------------------------------------------
    def create_sales_order(self, order: NewSalesOrder) -> CreatedOrder:
        def action() -> CreatedOrder:
            self.next_id += 1
            self.orders[self.next_id] = FakeOrder(self.next_id, order)
            return CreatedOrder(self.next_id)

        return self._call("create_sales_order", action)  # type: ignore[return-value]

    def find_sales_orders_by_numero_loja(
        self, numeros_loja: Sequence[str]
    ) -> dict[str, SalesOrderSummary]:
        def action() -> dict[str, SalesOrderSummary]:
            self.searches.append(list(numeros_loja))
            return {
                o.order.numero_loja: SalesOrderSummary(
                    o.id, o.id, o.order.numero_loja, None, None, o.status_id, None
                )
                for o in self.orders.values()
                if o.order.numero_loja in numeros_loja
            }

        return self._call("find_sales_orders_by_numero_loja", action)  # type: ignore[return-value]

    def _launch(self, order_id: int, deposit_id: int) -> None:
        order = self.orders[order_id]
        if order.launched_in is not None:
            raise BlingValidationError(
                "estoque já lançado",
                status=400,
                error_type="VALIDATION_ERROR",
                fields=(FieldError(STOCK_ALREADY_LAUNCHED, "O estoque já foi lançado"),),
            )
        order.launched_in = deposit_id
        for item in order.order.items:
            self.moves.append((order_id, deposit_id, -item.quantity))

    def launch_stock(self, order_id: int, deposit_id: int) -> None:
        self._call("launch_stock", lambda: self._launch(order_id, deposit_id))

    def reverse_stock(self, order_id: int) -> None:
        def action() -> None:
            order = self.orders[order_id]
            if order.launched_in is None:
                raise BlingValidationError(
                    "nada lançado",
                    status=400,
                    error_type="VALIDATION_ERROR",
                    fields=(FieldError(STOCK_NOT_LAUNCHED, "Estoque não lançado"),),
                )
            for item in order.order.items:
                self.moves.append((order_id, order.launched_in, item.quantity))
            order.launched_in = None

        self._call("reverse_stock", action)

    def set_order_status(self, order_id: int, status_id: int) -> None:
        def action() -> None:
            order = self.orders[order_id]
            order.status_id = status_id
            if status_id == self.auto_launch_status and order.launched_in is None:
                self._launch(order_id, self.default_deposit)

        self._call("set_order_status", action)

    # --- helpers for assertions ------------------------------------------------------
    def stock_out(self, numero_loja: str) -> dict[int, Decimal]:
        """Net quantity out per deposit for the orders of one sale."""
        out: dict[int, Decimal] = {}
        for order_id, deposit, qty in self.moves:
            if self.orders[order_id].order.numero_loja == numero_loja:
                out[deposit] = out.get(deposit, Decimal(0)) - qty
        return {d: q for d, q in out.items() if q}

    def orders_for(self, numero_loja: str) -> list[FakeOrder]:
        return [o for o in self.orders.values() if o.order.numero_loja == numero_loja]


def unknown(message: str = "sem resposta") -> BlingOutcomeUnknownError:
    return BlingOutcomeUnknownError(message)


class Clock:
    """A settable clock for persisted retry delays."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_sale(
    n: int,
    *,
    state: str = "pronta",
    store: str = "11111111000111",
    items: Sequence[tuple[str, str, str, int]] = (("SKU-1", "2", "10.00", 501),),
    payments: Sequence[tuple[str, str, int | None]] = (("01", "20.00", 301),),
    total: str = "20.00",
    document: str | None = None,
) -> Sale:
    key = f"35261211111111000111650010{n:09d}1{n:08d}"[:43]
    key = key + "0"
    sale = Sale.create(
        key=key,
        model=65,
        environment=1,
        emission_mode=1,
        series=1,
        number=n,
        issued_at=datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
        store_cnpj=store,
        customer_document=document,
        products_total=Decimal(total),
        discount=Decimal("0"),
        other=Decimal("0"),
        total=Decimal(total),
        change=Decimal("0"),
        authorized=True,
        state=state,
        numero_loja=key,
    )
    for line, (code, qty, price, product_id) in enumerate(items, start=1):
        SaleItem.create(
            sale=sale,
            line=line,
            code=code,
            description=f"Produto {code}",
            quantity=Decimal(qty),
            unit_price=Decimal(price),
            total=Decimal(qty) * Decimal(price),
            discount=Decimal("0"),
            other=Decimal("0"),
            bling_product_id=product_id,
        )
    for seq, (tender, amount, forma) in enumerate(payments, start=1):
        SalePayment.create(
            sale=sale, seq=seq, tender_code=tender, amount=Decimal(amount), bling_forma_id=forma
        )
    return sale


def reload(sale: Sale) -> Sale:
    return Sale.get(Sale.key == sale.key)
