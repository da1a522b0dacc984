"""End to end: NFC-e files in a folder → Ponte → Bling orders and stock exits (simulator with
the demo seed and the official OpenAPI validation)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from app.bling.api import BlingApi
from app.config import AppPaths
from app.simulator import RunningSimulator
from app.store.models import Sale
from tests.sync.test_e2e_support import Shop


def test_synthetic_sales_flow_from_folder_to_bling(
    sim: RunningSimulator, connected_api: BlingApi, app_paths: AppPaths, tmp_path: Path
) -> None:
    shop = Shop(sim, connected_api, app_paths, tmp_path / "pdv")
    shop.write_sales(12, seed=3)
    first = shop.cycle()
    assert first.new_sales == 12 and first.catalog_refreshed
    # tenders unmapped and stores without deposit: every sale waits, nothing reaches Bling
    assert first.states["retida"] == 12 and sim.state.orders_created == 0
    held = Sale.select().first()
    assert "pagamento" in held.hold_reason.lower() or "depósito" in held.hold_reason.lower()

    deposits = shop.map_stores()
    shop.map_tenders()
    assert shop.sold() == {}
    second = shop.cycle()
    assert second.states["enviada"] == 12, second.states
    sold = shop.sold()
    assert shop.assert_exactly_once() == 12
    # balances through the public API: 100 seeded per product per deposit, minus what was sold
    balances = shop.balances(list(sold))
    for key, quantity in sold.items():
        assert balances[key] == 100 - quantity, key
    assert set(deposits.values()) & {d for d, _ in sold}


def sent_shop(
    sim: RunningSimulator, api: BlingApi, paths: AppPaths, folder: Path, count: int, seed: int
) -> Shop:
    shop = Shop(sim, api, paths, folder)
    shop.write_sales(count, seed=seed)
    shop.cycle()  # intake + catalogue: the DE-PARA rows and stores now exist
    shop.map_stores()
    shop.map_tenders()
    shop.cycle()
    return shop


def test_unmapped_tender_holds_sale_until_mapped_then_it_goes_by_itself(
    sim: RunningSimulator, connected_api: BlingApi, app_paths: AppPaths, tmp_path: Path
) -> None:
    from app.store.models import PaymentForm, PaymentMapping, SalePayment
    from app.sync.mappings import set_payment_mapping

    shop = Shop(sim, connected_api, app_paths, tmp_path / "pdv")
    shop.write_sales(20, seed=5)
    shop.cycle()
    shop.map_stores()
    shop.map_tenders()
    # the store manager has not decided where PIX goes yet
    set_payment_mapping("17", None, None)
    summary = shop.cycle()
    pix_sales = {p.sale.key for p in SalePayment.select().where(SalePayment.tender_code == "17")}
    assert pix_sales and summary.states["retida"] == len(pix_sales)
    for key in pix_sales:
        sale = Sale.get(Sale.key == key)
        assert sale.state == "retida" and "PIX" in (sale.hold_reason or "").upper()
        assert sim.state.orders_by_numero_loja(key) == []
    assert summary.states["enviada"] == 20 - len(pix_sales)

    pix = PaymentMapping.get(
        (PaymentMapping.tender_code == "17") & (PaymentMapping.card_brand == "")
    )

    set_payment_mapping("17", None, int(PaymentForm.get(PaymentForm.description == "PIX").id))
    assert pix.forma_id is None  # (the row read before mapping)
    final = shop.cycle()  # nothing else to do: the held sales go by themselves
    assert final.states["enviada"] == 20 and final.states["retida"] == 0
    assert shop.assert_exactly_once() == 20


def test_cancellation_after_sending_reverses_stock_and_cancels_order(
    sim: RunningSimulator, connected_api: BlingApi, app_paths: AppPaths, tmp_path: Path
) -> None:
    from datetime import timedelta

    from app.sources.generator import cancellation_file_name, render_cancellation

    shop = sent_shop(sim, connected_api, app_paths, tmp_path / "pdv", 4, seed=7)
    sale = Sale.select().where(Sale.state == "enviada").order_by(Sale.number).first()
    sold = shop.sold()
    before = shop.balances(list(sold))
    content = render_cancellation(
        sale.key,
        store_cnpj=sale.store_cnpj,
        note_protocol=sale.protocol or "135260000000001",
        at=sale.issued_at + timedelta(minutes=5),
        event_protocol="135260000009999",
    )
    (shop.folder / cancellation_file_name(sale.key)).write_bytes(content)
    summary = shop.cycle()
    assert summary.outbox.cancelled == 1
    row = Sale.get(Sale.key == sale.key)
    assert row.state == "cancelada" and row.cancel_done and not row.stock_launched
    order = sim.state.orders[int(row.bling_order_id)]
    assert sim.state.statuses[order.situacao_id].nome == "Cancelado"
    after = shop.balances(list(sold))
    from app.store.models import SaleItem

    returned = {}
    for item in SaleItem.select().where(SaleItem.sale == row):
        key = (int(row.stock_deposit_id), int(item.bling_product_id))
        returned[key] = returned.get(key, 0) + item.quantity
    for key in sold:
        assert after[key] == before[key] + returned.get(key, 0), key
    assert shop.assert_exactly_once() == 3


def test_move_changes_the_deposit_the_stock_left(
    sim: RunningSimulator, connected_api: BlingApi, app_paths: AppPaths, tmp_path: Path
) -> None:
    from app.store.models import SaleItem
    from app.sync.transitions import move_sale

    shop = sent_shop(sim, connected_api, app_paths, tmp_path / "pdv", 3, seed=11)
    sale = Sale.select().where(Sale.state == "enviada").order_by(Sale.number).first()
    old = int(sale.stock_deposit_id)
    new = next(
        shop.deposit_id(n)
        for n in ("Loja Centro", "Loja Shopping", "Geral")
        if shop.deposit_id(n) != old
    )
    products = [int(i.bling_product_id) for i in SaleItem.select().where(SaleItem.sale == sale)]
    keys = [(d, p) for d in (old, new) for p in products]
    before = shop.balances(keys)
    move_sale(sale.key, new)
    summary = shop.cycle()
    assert summary.outbox.moved == 1
    row = Sale.get(Sale.key == sale.key)
    assert row.state == "enviada" and row.stock_deposit_id == new
    after = shop.balances(keys)
    qty: dict[int, Decimal] = {}
    for item in SaleItem.select().where(SaleItem.sale == sale):
        pid = int(item.bling_product_id)
        qty[pid] = qty.get(pid, Decimal(0)) + item.quantity
    for pid, q in qty.items():
        assert after[(old, pid)] == before[(old, pid)] + q
        assert after[(new, pid)] == before[(new, pid)] - q
    assert sim.state.orders[int(row.bling_order_id)].stock_deposit_id == new
    assert shop.assert_exactly_once() == 3


def test_authorised_samples_reach_bling_with_their_exact_totals(
    sim: RunningSimulator,
    connected_api: BlingApi,
    app_paths: AppPaths,
    samples_dir: Path,
) -> None:
    from app.store.models import LogEvent, Product, SaleItem
    from app.sync.mappings import link_product

    # the PDV folder is the shared samples folder, read in place (intake never writes there)
    shop = Shop(sim, connected_api, app_paths, samples_dir)
    shop.cycle()
    assert sim.state.orders_created == 0
    # the samples' product codes do not exist in the demo account: link each to a product
    # (simple products that move stock: the demo's SRV-* service does not)
    simple = list(
        Product.select()
        .where((Product.kind == "simple") & Product.active & ~Product.code.startswith("SRV"))
        .order_by(Product.id)
    )
    codes = sorted({i.code for i in SaleItem.select().where(SaleItem.bling_product_id.is_null())})
    assert codes
    for n, code in enumerate(codes):
        link_product(code, int(simple[n % len(simple)].id))
    shop.map_tenders()
    shop.map_stores()
    summary = shop.cycle()
    sent = list(Sale.select().where(Sale.state == "enviada"))
    # sped-da NFCeProd1, fiscaut-v4, nfce-escrituracao and br_invoices_pdf (layout 3.10)
    assert sorted(str(s.total) for s in sent) == ["155.37", "25.00", "42.00", "9.90"], (
        summary.states
    )
    assert shop.assert_exactly_once() == 4
    # sped-da nfce112 (cancelled in the file) and nfe-api (cancelled by its event file): never
    # sent; the unauthorised my-expenses note waits for its protocol
    for key in (
        "41200323285089000185650010000013051817822496",
        "41160908380787000176650010000000811778821925",
    ):
        assert Sale.get(Sale.key == key).state == "cancelada"
        assert sim.state.orders_by_numero_loja(key) == []
    assert sim.state.orders_created == 4
    # NFCeProd1's single 0.94 payment for 9.90: sent with the gap on the instalment, and said
    prod1 = next(s for s in sent if str(s.total) == "9.90")
    warnings = LogEvent.select().where(
        (LogEvent.sale_key == prod1.key) & (LogEvent.level == "warning")
    )
    assert any("diferença" in w.message for w in warnings)
    order = sim.state.orders[int(prod1.bling_order_id)]
    assert [p.valor for p in order.parcelas] == [Decimal("9.90")]
    sold = shop.sold()
    balances = shop.balances(list(sold))
    for key, quantity in sold.items():
        assert balances[key] == 100 - quantity, key


def test_unknown_sku_holds_the_sale_until_bling_has_it_then_it_goes_by_itself(
    sim: RunningSimulator, connected_api: BlingApi, app_paths: AppPaths, tmp_path: Path
) -> None:
    from datetime import timedelta

    from app.sources.generator import CatalogEntry, write_notes
    from app.sync.catalog import NEGATIVE_LOOKUP_TTL
    from app.timeutil import utcnow
    from tests.sync.test_e2e_support import note_catalog

    now = [utcnow()]
    shop = Shop(sim, connected_api, app_paths, tmp_path / "pdv")
    shop.engine = shop.new_engine(clock=lambda: now[0])
    shop.write_sales(3, seed=8)
    new_item = CatalogEntry("PDV-QUEIJO", "Queijo minas (só no PDV)", "KG", Decimal("39.333"))
    write_notes(shop.folder, [new_item, *note_catalog()[:1]], 1, seed=9, cancel_ratio=0.0)
    shop.cycle()
    shop.map_stores()
    shop.map_tenders()
    summary = shop.cycle()
    held = Sale.get(Sale.state == "retida")
    assert "PDV-QUEIJO" in (held.hold_reason or "") and summary.states["enviada"] == 3
    assert sim.state.orders_by_numero_loja(held.numero_loja) == []

    # the store registers the SKU in Bling; the catalogue is fresh, so no full pull: the
    # held item's code is looked up by itself and the sale goes out on the next cycle
    connected_api.client.post(
        "produtos",
        {
            "nome": "Queijo minas",
            "codigo": "PDV-QUEIJO",
            "tipo": "P",
            "situacao": "A",
            "formato": "S",
            "preco": Decimal("39.33"),
            "unidade": "KG",
        },
    )
    soon = shop.cycle()  # Bling said no a moment ago: not asked again yet
    assert soon.products_looked_up == 0 and soon.states["retida"] == 1
    now[0] += NEGATIVE_LOOKUP_TTL + timedelta(seconds=1)
    final = shop.cycle()
    assert not final.catalog_refreshed and final.products_looked_up == 1
    assert final.states["enviada"] == 4 and final.states["retida"] == 0
    assert shop.assert_exactly_once() == 4
