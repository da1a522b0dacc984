"""Catalogue pull rules with a scripted in-memory Bling (the simulator tests are apart)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import peewee
import pytest

from app.bling.errors import BlingForbiddenError, BlingNotConnectedError, BlingUnreachableError
from app.bling.types import (
    BlingContact,
    BlingDeposit,
    BlingOrderStatus,
    BlingPaymentForm,
    BlingProduct,
)
from app.store.models import (
    Contact,
    Deposit,
    LogEvent,
    OrderStatus,
    PaymentForm,
    Product,
    SyncState,
)
from app.sync.catalog import CHANGE_MARGIN, CatalogSync
from tests.sync.test_resolver_support import make_sale


def p(
    pid: int,
    code: str | None,
    kind: str = "simple",
    parent: int | None = None,
    gtin: str | None = None,
) -> BlingProduct:
    return BlingProduct(
        id=pid,
        code=code,
        name=f"P{pid}",
        kind=kind,
        parent_id=parent,
        gtin=gtin,
        price=Decimal("9.90"),
        unit="UN",
        active=True,
    )


class FakeBling:
    """Just enough of BlingApi, with every call recorded."""

    def __init__(self) -> None:
        self.products: list[BlingProduct] = [
            p(1, "S-1"),
            p(2, "S-2"),
            p(10, "CAM", "parent"),
            p(11, "CAM-P", "variation", 10),
            p(12, "CAM-M", "variation", 10),
        ]
        self.list_includes_variations = True
        self.variation_endpoint: dict[int, list[BlingProduct]] = {}
        self.lookup: list[BlingProduct] = []
        self.calls: list[tuple[str, Any]] = []
        self.fail: dict[str, Exception] = {}
        self.forms = [
            BlingPaymentForm(1, "Dinheiro", 1, True, True),
            BlingPaymentForm(2, "Crédito Visa", 3, True, False, card_brand=1),
        ]

    def _maybe_fail(self, name: str) -> None:
        if name in self.fail:
            raise self.fail[name]

    def iter_active_products(
        self, *, changed_since: datetime | None = None, kind: str = "T"
    ) -> Iterator[list[BlingProduct]]:
        self.calls.append(("products", (changed_since, kind)))
        self._maybe_fail("products")
        if kind == "T":
            rows = [
                x for x in self.products if self.list_includes_variations or x.kind != "variation"
            ]
        elif kind == "V":
            rows = (
                [x for x in self.products if x.kind == "variation"]
                if self.list_includes_variations
                else []
            )
        else:
            rows = []
        for start in range(0, max(len(rows), 1), 2):  # pages of 2 to exercise paging
            yield rows[start : start + 2]

    def product_variations(self, parent_id: int) -> list[BlingProduct]:
        self.calls.append(("variations", parent_id))
        return self.variation_endpoint.get(parent_id, [])

    def products_by_codes(self, codes: Sequence[str]) -> list[BlingProduct]:
        self.calls.append(("codes", list(codes)))
        return [x for x in self.lookup if x.code in codes]

    def products_by_gtins(self, gtins: Sequence[str]) -> list[BlingProduct]:
        self.calls.append(("gtins", list(gtins)))
        return [x for x in self.lookup if x.gtin in gtins]

    def payment_forms(self, *, with_card_brands: bool = True) -> list[BlingPaymentForm]:
        self.calls.append(("forms", with_card_brands))
        self._maybe_fail("forms")
        if with_card_brands:
            return list(self.forms)
        return [
            BlingPaymentForm(f.id, f.description, f.payment_type, f.active, f.is_default)
            for f in self.forms
        ]

    def deposits(self) -> list[BlingDeposit]:
        self.calls.append(("deposits", None))
        self._maybe_fail("deposits")
        return [
            BlingDeposit(100, "Loja Centro", True, True),
            BlingDeposit(200, "Loja Shopping", True, False),
        ]

    def final_consumer(self) -> BlingContact:
        self.calls.append(("contact", None))
        return BlingContact(900, "Consumidor Final", None)

    def sales_order_statuses(self) -> list[BlingOrderStatus]:
        self.calls.append(("statuses", None))
        self._maybe_fail("statuses")
        return [
            BlingOrderStatus(6, "Em aberto", 0),
            BlingOrderStatus(9, "Atendido", 1),
            BlingOrderStatus(12, "Cancelado", 2),
        ]

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def fake(db: peewee.SqliteDatabase) -> FakeBling:
    return FakeBling()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def details(kind: str) -> dict[str, Any]:
    return json.loads(SyncState.get(SyncState.kind == kind).details)


def test_first_pull_is_full_and_fills_every_kind(fake: FakeBling, clock: Clock) -> None:
    sync = CatalogSync(fake, clock=clock)  # type: ignore[arg-type]
    assert sync.is_stale()
    summary = sync.refresh()
    assert summary.full
    assert (summary.parents, summary.variations, summary.simple) == (1, 2, 2)
    assert "variations" not in fake.names()  # the list brought the grade: no per-parent calls
    assert Product.get_by_id(11).kind == "variation" and Product.get_by_id(11).parent_id == 10
    assert {f.id: f.card_brand for f in PaymentForm.select()} == {1: None, 2: 1}
    assert [d.id for d in Deposit.select().order_by(Deposit.id)] == [100, 200]
    assert Contact.get(Contact.document == "").contact_id == 900
    assert [s.name for s in OrderStatus.select().order_by(OrderStatus.id)] == [
        "Em aberto",
        "Atendido",
        "Cancelado",
    ]
    state = SyncState.get(SyncState.kind == "produtos")
    assert state.count == 5 and state.last_success_at == clock.now and state.last_error is None
    assert details("produtos")["parents"] == 1
    assert details("produtos")["variations"] == 2
    assert details("produtos")["simple"] == 2
    for kind, count in (
        ("formas_pagamento", 2),
        ("depositos", 2),
        ("contatos", 1),
        ("situacoes", 3),
    ):
        assert SyncState.get(SyncState.kind == kind).count == count
    assert not sync.is_stale()
    assert LogEvent.select().where(LogEvent.category == "catalog").count() >= 5
    # pages of 2 over 5 rows = 3 product requests + forms + deposits + contact + statuses
    assert summary.requests == 3 + 4


def test_incremental_pull_asks_only_for_changes(fake: FakeBling, clock: Clock) -> None:
    sync = CatalogSync(fake, clock=clock)  # type: ignore[arg-type]
    sync.refresh()
    first = clock.now
    clock.now += timedelta(minutes=30)
    assert not sync.is_stale()
    clock.now += timedelta(minutes=31)
    assert sync.is_stale()
    fake.calls.clear()
    fake.products = [p(3, "S-3")]  # only the changed product comes back
    summary = sync.refresh()
    assert not summary.full
    assert fake.calls[0] == ("products", (first - CHANGE_MARGIN, "T"))
    assert "contact" not in fake.names() and "statuses" not in fake.names()
    assert ("forms", False) in fake.calls  # brands are only re-read on the full pass
    assert PaymentForm.get_by_id(2).card_brand == 1  # kept from the full pass
    assert Product.get_by_id(3).active and Product.get_by_id(1).active  # nothing deactivated
    assert summary.simple == 3


def test_daily_full_pass_marks_missing_products_inactive(fake: FakeBling, clock: Clock) -> None:
    sync = CatalogSync(fake, clock=clock)  # type: ignore[arg-type]
    sync.refresh()
    clock.now += timedelta(hours=25)
    fake.products = [x for x in fake.products if x.id not in (2, 12)]
    summary = sync.refresh()
    assert summary.full and summary.products_deactivated == 2
    assert not Product.get_by_id(2).active and not Product.get_by_id(12).active
    assert details("produtos")["simple"] == 1 and details("produtos")["variations"] == 1
    assert details("produtos")["inactive"] == 2


def test_full_pass_uses_variation_list_then_per_parent_calls(fake: FakeBling, clock: Clock) -> None:
    fake.list_includes_variations = False
    fake.variation_endpoint[10] = [
        p(11, "CAM-P", "variation", 10, gtin="7890000000011"),
        p(12, "CAM-M", "variation", 10, gtin="7890000000012"),
    ]
    sync = CatalogSync(fake, clock=clock)  # type: ignore[arg-type]
    summary = sync.refresh()
    kinds = [c[1][1] for c in fake.calls if c[0] == "products"]
    assert kinds == ["T", "V"]
    assert ("variations", 10) in fake.calls
    assert summary.variations == 2
    assert Product.get_by_id(11).gtin == "7890000000011"


def test_incremental_fetches_variations_only_of_new_parents(fake: FakeBling, clock: Clock) -> None:
    sync = CatalogSync(fake, clock=clock)  # type: ignore[arg-type]
    sync.refresh()
    clock.now += timedelta(hours=2)
    fake.calls.clear()
    fake.products = [p(10, "CAM", "parent"), p(20, "BONE", "parent")]  # both changed
    fake.list_includes_variations = False
    fake.variation_endpoint[20] = [p(21, "BONE-U", "variation", 20)]
    sync.refresh()
    assert [c for c in fake.calls if c[0] == "variations"] == [("variations", 20)]
    assert Product.get_by_id(21).parent_id == 20


def test_known_gtin_survives_list_rows_without_gtin(fake: FakeBling, clock: Clock) -> None:
    sync = CatalogSync(fake, clock=clock)  # type: ignore[arg-type]
    sync.refresh()
    Product.update(gtin="7890000000001").where(Product.id == 1).execute()
    clock.now += timedelta(hours=2)
    sync.refresh()
    assert Product.get_by_id(1).gtin == "7890000000001"


def test_not_connected_is_recorded_and_propagates(fake: FakeBling, clock: Clock) -> None:
    fake.fail["products"] = BlingNotConnectedError("Autorização expirada.")
    sync = CatalogSync(fake, clock=clock)  # type: ignore[arg-type]
    with pytest.raises(BlingNotConnectedError):
        sync.refresh()
    state = SyncState.get(SyncState.kind == "produtos")
    assert state.last_success_at is None and "Autorização expirada" in state.last_error
    assert state.last_attempt_at == clock.now


def test_transient_error_is_recorded_and_reraised(fake: FakeBling, clock: Clock) -> None:
    sync = CatalogSync(fake, clock=clock)  # type: ignore[arg-type]
    sync.refresh()
    clock.now += timedelta(hours=2)
    fake.fail["deposits"] = BlingUnreachableError("Sem resposta.")
    with pytest.raises(BlingUnreachableError):
        sync.refresh()
    deposits = SyncState.get(SyncState.kind == "depositos")
    assert "Sem resposta" in deposits.last_error
    assert deposits.last_success_at == clock.now - timedelta(hours=2)  # last good one kept
    assert SyncState.get(SyncState.kind == "produtos").last_error is None


def test_refused_kind_is_reported_and_others_still_run(fake: FakeBling, clock: Clock) -> None:
    fake.fail["statuses"] = BlingForbiddenError("Escopo sem permissão.", status=403)
    sync = CatalogSync(fake, clock=clock)  # type: ignore[arg-type]
    summary = sync.refresh()
    assert "situacoes" in summary.errors and "Escopo" in summary.errors["situacoes"]
    assert SyncState.get(SyncState.kind == "depositos").last_success_at == clock.now
    # refused recently: not stale because of it (no request every cycle) ...
    assert not sync.is_stale()
    # ... but asked again later
    clock.now += timedelta(minutes=11)
    assert sync.is_stale()


def test_lookup_unknown_codes_first_then_gtins_of_unmatched_items(
    fake: FakeBling, clock: Clock
) -> None:
    fake.lookup = [p(50, "NEW-1"), p(60, "X-9", gtin="7891000000060")]
    make_sale(items=[("NEW-1", "7891000000050", "Novo"), ("PDV-9", "7891000000060", "Outro")])
    sync = CatalogSync(fake, clock=clock)  # type: ignore[arg-type]
    stored = sync.lookup_unknown(["NEW-1", "PDV-9"], ["7891000000050", "7891000000060"])
    assert stored == 2
    # NEW-1 was found by SKU, so its GTIN is not asked for
    assert fake.calls == [("codes", ["NEW-1", "PDV-9"]), ("gtins", ["7891000000060"])]
    assert Product.get_by_id(60).gtin == "7891000000060"
    # Asking again for what Bling did not know costs nothing for a while
    fake.calls.clear()
    assert sync.lookup_unknown(["PDV-9"], []) == 0
    assert fake.calls == []


def test_forced_full_pass_reports_progress(fake: FakeBling, clock: Clock) -> None:
    sync = CatalogSync(fake, clock=clock)  # type: ignore[arg-type]
    sync.refresh()
    clock.now += timedelta(minutes=5)
    assert not sync.full_pass_due()
    seen: list[tuple[str, int, int | None]] = []
    fake.calls.clear()
    summary = sync.refresh(full=True, progress=lambda m, d, t: seen.append((m, d, t)))
    assert summary.full
    assert ("Catálogo: 5 produtos lidos", 5, None) in seen
    assert seen[-1] == ("Catálogo atualizado", 1, 1)
    assert ("forms", True) in fake.calls and "statuses" in fake.names()  # full: brands, statuses
    assert details("produtos")["last_full_at"] == clock.now.isoformat()


def test_pulling_formas_fills_open_suggestions_without_applying_them(
    fake: FakeBling, clock: Clock
) -> None:
    from app.store.models import PaymentMapping

    PaymentMapping.create(tender_code="03", card_brand="01")  # seen in a sale before any pull
    PaymentMapping.create(tender_code="01", card_brand="", forma_id=1)
    CatalogSync(fake, clock=clock).refresh()  # type: ignore[arg-type]
    visa = PaymentMapping.get(tender_code="03", card_brand="01")
    assert visa.suggested_forma_id == 2 and visa.forma_id is None
