"""Resolver rules on fabricated rows: items, tenders (DE-PARA), store → deposit, holds."""

from __future__ import annotations

import peewee
import pytest

from app.store.models import (
    LogEvent,
    PaymentMapping,
    ProductLink,
    Sale,
    SaleItem,
    SalePayment,
    StoreLocation,
)
from app.store.settings import DEFAULT_DEPOSIT, set_setting
from app.sync.resolver import deposit_for, resolve_pending
from tests.sync.test_resolver_support import (
    STORE_A,
    STORE_B,
    deposit,
    forma,
    make_sale,
    product,
    reload,
)


@pytest.fixture
def catalog(db: peewee.SqliteDatabase) -> None:
    """A small catalogue: a simple product, a parent with two variations, cash mapped, a
    deposit as the default."""
    product(100, "SKU-1", gtin="7890000000001")
    product(200, "CAM", kind="parent", name="Camiseta")
    product(201, "CAM-P", kind="variation", parent_id=200, gtin="7890000000201")
    product(202, "CAM-M", kind="variation", parent_id=200)
    forma(1, "Dinheiro", 1)
    forma(3, "Cartão de crédito", 3)
    forma(31, "Crédito Visa", 3, card_brand=1)
    deposit(10, "Loja Centro")
    deposit(20, "Loja Shopping")
    PaymentMapping.create(tender_code="01", card_brand="", forma_id=1)
    set_setting(DEFAULT_DEPOSIT, 10)


def _events(sale: Sale) -> list[str]:
    return [
        e.message
        for e in LogEvent.select().where(LogEvent.sale_key == sale.key).order_by(LogEvent.id)
    ]


def test_exact_sku_resolves_and_fills_ids(catalog: None) -> None:
    sale = make_sale(items=[("SKU-1", None, "Caneca"), ("CAM-P", None, "Camiseta P")])
    summary = resolve_pending()
    assert summary.ready == [sale.key]
    sale = reload(sale)
    assert sale.state == "pronta" and sale.hold_reason is None
    ids = [
        i.bling_product_id
        for i in SaleItem.select().where(SaleItem.sale == sale).order_by(SaleItem.line)
    ]
    assert ids == [100, 201]
    assert SalePayment.get(SalePayment.sale == sale).bling_forma_id == 1
    assert any("pronta" in m for m in _events(sale))


def test_sku_of_a_parent_holds_even_when_gtin_matches_a_variation(catalog: None) -> None:
    sale = make_sale(items=[("CAM", "7890000000201", "Camiseta")])
    summary = resolve_pending()
    sale = reload(sale)
    assert sale.state == "retida"
    assert "produto pai com variações 200" in sale.hold_reason
    assert "código CAM (Camiseta)" in sale.hold_reason
    assert summary.unknown_codes == set()  # known, just not sellable: no lookup
    assert SaleItem.get(SaleItem.sale == sale).bling_product_id is None


def test_inactive_product_holds(catalog: None) -> None:
    product(300, "OLD", active=False, name="Produto antigo")
    sale = make_sale(items=[("OLD", None, "Antigo")])
    resolve_pending()
    sale = reload(sale)
    assert sale.state == "retida"
    assert "inativo no Bling" in sale.hold_reason and "300" in sale.hold_reason


def test_duplicate_active_sku_is_never_guessed(catalog: None) -> None:
    product(401, "DUP")
    product(402, "DUP")
    sale = make_sale(items=[("DUP", None, "Duplicado")])
    resolve_pending()
    sale = reload(sale)
    assert sale.state == "retida"
    assert "2 produtos ativos" in sale.hold_reason and "401, 402" in sale.hold_reason


def test_gtin_is_the_fallback_when_no_product_has_the_sku(catalog: None) -> None:
    sale = make_sale(items=[("PDV-77", "7890000000201", "Camiseta P")])
    resolve_pending()
    assert reload(sale).state == "pronta"
    assert SaleItem.get(SaleItem.sale == sale).bling_product_id == 201


def test_unknown_item_holds_and_reports_codes_and_gtins(catalog: None) -> None:
    sale = make_sale(items=[("NOVO-1", "7891111111111", "Boné azul"), ("NOVO-2", None, "Meia")])
    summary = resolve_pending()
    sale = reload(sale)
    assert sale.state == "retida"
    assert sale.hold_reason == (
        "Produtos não encontrados no Bling: código NOVO-1 (Boné azul), GTIN 7891111111111; "
        "código NOVO-2 (Meia). Cadastre o SKU no Bling ou vincule o código a um produto."
    )
    assert summary.unknown_codes == {"NOVO-1", "NOVO-2"}
    assert summary.unknown_gtins == {"7891111111111"}
    assert summary.held == [sale.key] and summary.newly_held == [sale.key]


def test_manual_link_wins_over_the_sku(catalog: None) -> None:
    ProductLink.create(code="SKU-1", product_id=202)
    sale = make_sale(items=[("SKU-1", None, "Camiseta M no PDV")])
    resolve_pending()
    assert reload(sale).state == "pronta"
    assert SaleItem.get(SaleItem.sale == sale).bling_product_id == 202


def test_manual_link_to_parent_or_missing_product_holds(catalog: None) -> None:
    ProductLink.create(code="X1", product_id=200)
    ProductLink.create(code="X2", product_id=999)
    sale = make_sale(items=[("X1", None, "a"), ("X2", None, "b")])
    resolve_pending()
    reason = reload(sale).hold_reason
    assert "vínculo manual do código X1 (a)" in reason and "produto pai" in reason
    assert "produto 999, que não está no catálogo" in reason


def test_brand_specific_row_wins_over_plain_code(catalog: None) -> None:
    PaymentMapping.create(tender_code="03", card_brand="", forma_id=3)
    PaymentMapping.create(tender_code="03", card_brand="01", forma_id=31)
    visa = make_sale(payments=[("03", "01")])
    master = make_sale(payments=[("03", "02")])
    no_brand = make_sale(payments=[("03", None)])
    resolve_pending()
    forms = {
        s.key: SalePayment.get(SalePayment.sale == s).bling_forma_id
        for s in (visa, master, no_brand)
    }
    assert forms == {visa.key: 31, master.key: 3, no_brand.key: 3}


def test_unmapped_tender_holds_with_code_and_brand_then_releases_itself(catalog: None) -> None:
    sale = make_sale(payments=[("03", "02")])
    resolve_pending()
    sale = reload(sale)
    assert sale.state == "retida"
    assert "03 Cartão de crédito, bandeira 02 Mastercard" in sale.hold_reason
    # Rows exist for the grid (brand row and plain row); the suggestion is NOT applied.
    rows = {(m.tender_code, m.card_brand): m for m in PaymentMapping.select()}
    assert ("03", "02") in rows and ("03", "") in rows
    assert rows[("03", "")].suggested_forma_id == 3 and rows[("03", "")].forma_id is None
    again = resolve_pending()
    assert reload(sale).state == "retida" and again.newly_held == []
    assert sum("retida" in m for m in _events(sale)) == 1  # not logged twice for the same reason

    PaymentMapping.update(forma_id=3).where(
        (PaymentMapping.tender_code == "03") & (PaymentMapping.card_brand == "")
    ).execute()
    released = resolve_pending()
    assert released.ready == [sale.key]
    assert reload(sale).state == "pronta"
    assert any("liberada" in m for m in _events(sale))


def test_mapping_to_inactive_forma_holds(catalog: None) -> None:
    forma(5, "Cheque antigo", 2, active=False)
    PaymentMapping.create(tender_code="02", card_brand="", forma_id=5)
    sale = make_sale(payments=[("02", None)])
    resolve_pending()
    assert "Cheque antigo" in reload(sale).hold_reason and "inativa" in reload(sale).hold_reason


def test_store_deposit_default_and_override(catalog: None) -> None:
    a = make_sale(store_cnpj=STORE_A)
    b = make_sale(store_cnpj=STORE_B, store_name="Loja Shopping")
    resolve_pending()
    assert {s.cnpj for s in StoreLocation.select()} == {STORE_A, STORE_B}
    assert deposit_for(reload(a)) == 10 and deposit_for(reload(b)) == 10
    StoreLocation.update(deposit_id=20).where(StoreLocation.cnpj == STORE_B).execute()
    assert deposit_for(reload(b)) == 20
    Sale.update(deposit_override_id=10).where(Sale.key == b.key).execute()
    assert deposit_for(reload(b)) == 10


def test_store_without_deposit_holds_with_formatted_cnpj(catalog: None) -> None:
    set_setting(DEFAULT_DEPOSIT, None)
    sale = make_sale(store_cnpj=STORE_B, store_name="Loja Shopping")
    resolve_pending()
    sale = reload(sale)
    assert sale.state == "retida"
    assert "Loja CNPJ 45.997.418/0001-53 (Loja Shopping) sem depósito" in sale.hold_reason
    assert deposit_for(sale) is None
    StoreLocation.update(deposit_id=20).where(StoreLocation.cnpj == STORE_B).execute()
    resolve_pending()
    assert reload(sale).state == "pronta"


def test_inactive_deposit_holds(catalog: None) -> None:
    deposit(30, "Fechado", active=False)
    set_setting(DEFAULT_DEPOSIT, 30)
    sale = make_sale()
    resolve_pending()
    assert "depósito 30" in reload(sale).hold_reason and "inativo" in reload(sale).hold_reason


def test_only_real_sales_are_resolved(catalog: None) -> None:
    unauthorized = make_sale(authorized=False)
    contingency = make_sale(authorized=False, contingency=True)
    homologation = make_sale(environment=2)
    cancelling = make_sale(cancel_requested=True)
    already_sent = make_sale(state="enviada")
    summary = resolve_pending()
    assert summary.ready == [contingency.key]
    assert reload(unauthorized).state == "nova"
    assert reload(homologation).state == "nova"
    assert reload(cancelling).state == "nova"
    assert reload(already_sent).state == "enviada"
    assert _events(unauthorized) == []


def test_all_reasons_are_listed_together(catalog: None) -> None:
    set_setting(DEFAULT_DEPOSIT, None)
    sale = make_sale(items=[("NOPE", None, "Sumido")], payments=[("17", None)])
    resolve_pending()
    reason = reload(sale).hold_reason
    assert "código NOPE" in reason and "17 PIX dinâmico" in reason and "sem depósito" in reason


def test_several_unmapped_tenders_are_named_in_one_sentence(catalog: None) -> None:
    sale = make_sale(payments=[("03", "06"), ("17", None)])
    resolve_pending()
    reason = reload(sale).hold_reason
    assert reason.startswith(
        "Formas de pagamento sem DE-PARA: 03 Cartão de crédito, bandeira 06 Elo; 17 PIX dinâmico."
    )
    assert reason.count("Associe") == 1
