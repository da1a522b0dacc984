"""The resolver over a catalogue pulled from the simulator's demo account."""

from __future__ import annotations

from app.bling.api import BlingApi
from app.simulator import RunningSimulator
from app.store.models import Deposit, PaymentMapping, SaleItem, SalePayment
from app.store.settings import DEFAULT_DEPOSIT, set_setting
from app.sync.catalog import CatalogSync
from app.sync.mappings import accept_suggestions, compute_suggestions
from app.sync.resolver import resolve_pending
from tests.sync.test_resolver_support import make_sale, reload


def test_demo_sales_resolve_after_accepting_suggestions(
    connected_api: BlingApi, sim: RunningSimulator
) -> None:
    catalog = CatalogSync(connected_api)
    catalog.refresh()
    with sim.state.lock:
        products = [p for p in sim.state.products.values() if p.situacao == "A"]
        variation = next(p for p in products if p.parent_id is not None)
        parent = next(p for p in products if p.is_parent)
        by_gtin = next(p for p in products if p.gtin and not p.is_parent and p.id != variation.id)
        visa_credit = [
            f
            for f in sim.state.formas.values()
            if f.tipo_pagamento == 3 and f.bandeira == 1 and f.situacao == 1
        ]
    set_setting(DEFAULT_DEPOSIT, Deposit.select().where(Deposit.active == True).first().id)  # noqa: E712

    good = make_sale(
        items=[(variation.codigo, None, variation.nome)], payments=[("03", "01"), ("01", None)]
    )
    grade = make_sale(
        items=[(parent.codigo, variation.gtin or None, parent.nome)], payments=[("01", None)]
    )
    barcode = make_sale(
        items=[("CODIGO-SO-DO-PDV", by_gtin.gtin, "Item pelo código de barras")],
        payments=[("01", None)],
    )

    first = resolve_pending()
    assert set(first.held) == {good.key, grade.key, barcode.key}
    assert "CODIGO-SO-DO-PDV" in first.unknown_codes and by_gtin.gtin in first.unknown_gtins

    compute_suggestions()
    visa_row = PaymentMapping.get(tender_code="03", card_brand="01")
    assert len(visa_credit) == 1 and visa_row.suggested_forma_id == visa_credit[0].id
    with sim.state.lock:
        generic = next(
            f.id for f in sim.state.formas.values() if f.descricao == "Cartão de crédito"
        )
    # the generic card forma carries Bling's brand 99 (Outros): it suits the plain 03 row
    assert PaymentMapping.get(tender_code="03", card_brand="").suggested_forma_id == generic
    assert accept_suggestions() >= 2  # cash and the Visa credit row at least
    assert catalog.lookup_unknown(sorted(first.unknown_codes), sorted(first.unknown_gtins)) == 1

    second = resolve_pending()
    assert set(second.ready) == {good.key, barcode.key}
    assert (
        reload(grade).state == "retida" and "produto pai com variações" in reload(grade).hold_reason
    )
    assert SaleItem.get(SaleItem.sale == good).bling_product_id == variation.id
    assert SaleItem.get(SaleItem.sale == barcode).bling_product_id == by_gtin.id
    formas = [
        p.bling_forma_id
        for p in SalePayment.select().where(SalePayment.sale == good).order_by(SalePayment.seq)
    ]
    assert None not in formas
