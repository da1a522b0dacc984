"""Catalogue pull against the simulator over loopback HTTP (seed "demo")."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from app.bling.api import BlingApi
from app.simulator import RunningSimulator
from app.simulator.models import Product as SimProduct
from app.store.models import Contact, Deposit, OrderStatus, PaymentForm, Product, SyncState
from app.sync.catalog import CatalogSync
from app.timeutil import utcnow
from tests.sync.test_resolver_support import make_sale


def _sim_counts(sim: RunningSimulator) -> tuple[int, int, int]:
    with sim.state.lock:
        active = [p for p in sim.state.products.values() if p.situacao == "A"]
        parents = sum(1 for p in active if p.is_parent)
        variations = sum(1 for p in active if p.parent_id is not None)
        simple = len(active) - parents - variations
    return parents, variations, simple


def test_full_pull_matches_the_account(connected_api: BlingApi, sim: RunningSimulator) -> None:
    before = sim.state.requests_total
    summary = CatalogSync(connected_api).refresh()
    used = sim.state.requests_total - before
    parents, variations, simple = _sim_counts(sim)
    assert parents > 0 and variations > 0 and simple > 0
    assert (summary.parents, summary.variations, summary.simple) == (parents, variations, simple)
    details = json.loads(SyncState.get(SyncState.kind == "produtos").details)
    assert (details["parents"], details["variations"], details["simple"]) == (
        parents,
        variations,
        simple,
    )
    # the demo's inactive product is not cached as active
    with sim.state.lock:
        inactive = [p.id for p in sim.state.products.values() if p.situacao == "I"]
    assert inactive and all(
        Product.get_or_none(Product.id == i) is None or not Product.get_by_id(i).active
        for i in inactive
    )
    with sim.state.lock:
        formas = sum(1 for f in sim.state.formas.values() if f.situacao == 1)
        deposits = sum(1 for d in sim.state.depositos.values() if d.situacao == 1)
        consumer = sim.state.consumer_final_id
    assert PaymentForm.select().where(PaymentForm.active == True).count() == formas  # noqa: E712
    assert Deposit.select().where(Deposit.active == True).count() == deposits  # noqa: E712
    assert Contact.get(Contact.document == "").contact_id == consumer
    assert OrderStatus.select().where(OrderStatus.name == "Cancelado").exists()
    assert PaymentForm.select().where(PaymentForm.card_brand.is_null(False)).exists()
    for kind in ("produtos", "formas_pagamento", "depositos", "contatos", "situacoes"):
        state = SyncState.get(SyncState.kind == kind)
        assert state.last_success_at is not None and state.last_error is None and state.count > 0
    # No per-parent calls: the list brings the grade (variations with idProdutoPai). Cost =
    # product pages + formas list + one detail per card forma (brand) + deposits + consumer
    # contact + statuses (modules, then the Vendas module).
    with sim.state.lock:
        total = sum(1 for p in sim.state.products.values() if p.situacao == "A")
        cards = sum(
            1
            for f in sim.state.formas.values()
            if f.situacao == 1 and f.tipo_pagamento in (3, 4, 5)
        )
    expected = total // 100 + 1 + 1 + cards + 1 + 1 + 2
    assert used == expected == summary.requests, (used, expected, summary.requests)


def test_incremental_then_full_pass_notices_deactivation(
    connected_api: BlingApi, sim: RunningSimulator
) -> None:
    clock_now = [utcnow()]
    sync = CatalogSync(connected_api, clock=lambda: clock_now[0])
    sync.refresh()
    with sim.state.lock:
        simple = next(
            p
            for p in sim.state.products.values()
            if p.situacao == "A" and p.formato == "S" and p.parent_id is None
        )
        simple.situacao = "I"
        simple.changed_at = sim.clock.now()
        renamed = next(
            p for p in sim.state.products.values() if p.situacao == "A" and p.parent_id is not None
        )
        renamed.nome = "Camiseta renomeada"
        renamed.changed_at = sim.clock.now()
        new = SimProduct(
            sim.state.new_id(),
            "Produto novo",
            "NOVO-42",
            Decimal("5.00"),
            gtin="7891234567895",
            created_at=sim.clock.now(),
            changed_at=sim.clock.now(),
        )
        sim.state.products[new.id] = new
    clock_now[0] += timedelta(hours=2)
    before = sim.state.requests_total
    summary = sync.refresh()
    assert not summary.full
    assert summary.products_received == 2  # the renamed variation and the new product
    assert Product.get_by_id(renamed.id).name == "Camiseta renomeada"
    assert Product.get_by_id(new.id).code == "NOVO-42"
    assert Product.get_by_id(simple.id).active  # incremental cannot see a deactivation ...
    assert sim.state.requests_total - before == summary.requests <= 4

    clock_now[0] += timedelta(hours=25)
    summary = sync.refresh()
    assert summary.full and summary.products_deactivated == 1
    assert not Product.get_by_id(simple.id).active  # ... the daily full pass does


def test_lookup_unknown_by_code_then_gtin(connected_api: BlingApi, sim: RunningSimulator) -> None:
    with sim.state.lock:
        with_gtin = [
            p
            for p in sim.state.products.values()
            if p.gtin and p.situacao == "A" and not p.is_parent
        ]
    target = with_gtin[0]
    make_sale(items=[("PDV-ONLY-CODE", target.gtin, "Item do PDV")])
    sync = CatalogSync(connected_api)
    before = sim.state.requests_total
    stored = sync.lookup_unknown(["PDV-ONLY-CODE"], [target.gtin])
    assert stored == 1
    assert Product.get_by_id(target.id).gtin == target.gtin
    assert sim.state.requests_total - before == 2  # one codes[] page, one gtins[] page
