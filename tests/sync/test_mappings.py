"""DE-PARA suggestions and acceptance, stores → deposits, product links, settings service."""

from __future__ import annotations

import os
from pathlib import Path

import peewee
import pytest

from app.documents import format_cnpj, is_valid_cnpj
from app.errors import ConfigError
from app.store.models import PaymentMapping, ProductLink, StoreLocation
from app.store.settings import DEFAULT_DEPOSIT, get_setting, set_setting
from app.sync.configuration import get_config, set_config, show_config
from app.sync.mappings import (
    CatalogEmptyError,
    MappingError,
    accept_suggestions,
    compute_suggestions,
    link_product,
    list_payment_rows,
    list_stores,
    set_payment_mapping,
    set_store_deposit,
)
from app.sync.resolver import resolve_pending
from app.sync.suggestions import suggest_forma
from app.sync.tenders import brand_in_text, normalize_brand, normalize_tender
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
def formas(db: peewee.SqliteDatabase) -> None:
    forma(1, "Dinheiro", 1)
    forma(3, "Cartão de Crédito", 3)
    forma(31, "Crédito Visa", 3, card_brand=1)
    forma(32, "Cartão Crédito Master", 3)  # brand known only from the description
    forma(4, "Débito Visa", 4, card_brand=1)
    forma(40, "Cartão de débito", 4, card_brand=99)  # Bling's generic card forma: brand Outros
    forma(41, "Débito Elo", 4)
    forma(17, "PIX", 17)
    forma(10, "VA Alelo", 10)
    forma(11, "VA Sodexo", 10)
    forma(99, "Inativa", 1, active=False)


def test_tender_and_brand_normalisation() -> None:
    assert normalize_tender("3") == "03" and normalize_tender(17) == "17"
    assert normalize_brand("1") == "01" and normalize_brand("Visa") == "01"
    assert normalize_brand(None) == "" and normalize_brand("") == ""
    assert brand_in_text("Cartão Crédito MASTER") == "02"
    assert brand_in_text("Crédito Visa ou Master") is None  # two brands: none
    assert brand_in_text("Cartão de crédito") is None
    with pytest.raises(ValueError):
        normalize_tender("abc")
    with pytest.raises(ValueError):
        normalize_brand("Marte")


def test_cnpj_helpers() -> None:
    assert is_valid_cnpj(STORE_A) and is_valid_cnpj("11.222.333/0001-81")
    assert not is_valid_cnpj("11222333000182") and not is_valid_cnpj("11111111111111")
    assert format_cnpj(STORE_B) == "45.997.418/0001-53"


def test_suggestions_by_type_and_brand(formas: None) -> None:
    assert suggest_forma("01") == 1  # the inactive cash forma is ignored
    assert suggest_forma("03") == 3  # the plain row gets the forma that names no brand
    assert suggest_forma("03", "01") == 31  # dadosCartao.bandeira
    assert suggest_forma("03", "02") == 32  # brand from the description
    assert suggest_forma("03", "06") is None  # no Elo credit forma: no guess
    assert suggest_forma("04") == 40  # brand 99 "Outros" suits the plain row
    assert suggest_forma("04", "99") == 40
    assert suggest_forma("04", "06") == 41
    assert suggest_forma("20") == 17  # static PIX may use the PIX forma
    assert suggest_forma("10") is None  # both voucher formas name a brand: none for "any brand"
    assert suggest_forma("10", "10") == 10 and suggest_forma("10", "23") == 11
    assert suggest_forma("05") is None


def test_suggestion_is_stored_but_applied_only_when_accepted(formas: None) -> None:
    deposit(5, "Centro")
    set_setting(DEFAULT_DEPOSIT, 5)
    product(100, "SKU-1")
    sale = make_sale(payments=[("03", "01")])
    resolve_pending()
    assert reload(sale).state == "retida"
    rows = {(r.tender_code, r.card_brand): r for r in list_payment_rows()}
    assert rows[("03", "01")].suggested_forma_id == 31 and rows[("03", "01")].forma_id is None
    assert rows[("03", "01")].waiting_sales == 1 and rows[("03", "")].waiting_sales == 1
    assert rows[("03", "01")].tender_name == "Cartão de crédito"
    assert rows[("03", "01")].brand_name == "Visa"
    assert compute_suggestions() == 2
    assert reload(sale).state == "retida"  # suggesting changes nothing
    assert accept_suggestions("03", "visa") == 1
    assert PaymentMapping.get(tender_code="03", card_brand="01").forma_id == 31
    assert PaymentMapping.get(tender_code="03", card_brand="").forma_id is None
    assert resolve_pending().ready == [sale.key]
    assert accept_suggestions() == 1  # the remaining unmapped row with a suggestion
    assert PaymentMapping.get(tender_code="03", card_brand="").forma_id == 3


def test_accept_never_applies_a_stale_suggestion(formas: None) -> None:
    PaymentMapping.create(tender_code="01", card_brand="", suggested_forma_id=99)
    assert accept_suggestions() == 0
    with pytest.raises(MappingError, match="Não há sugestão"):
        accept_suggestions("02")


def test_set_payment_mapping_validates_forma(formas: None) -> None:
    row = set_payment_mapping("3", "2", 32)
    assert (row.tender_code, row.card_brand, row.forma_id) == ("03", "02", 32)
    with pytest.raises(MappingError, match="inativa"):
        set_payment_mapping("01", None, 99)
    with pytest.raises(MappingError, match="não existe"):
        set_payment_mapping("01", None, 12345)
    with pytest.raises(MappingError, match="Código de pagamento inválido"):
        set_payment_mapping("x", None, 1)
    assert set_payment_mapping("03", "02", None).forma_id is None


def test_empty_catalogue_says_sync_first(db: peewee.SqliteDatabase) -> None:
    with pytest.raises(CatalogEmptyError, match="ponte-bling sync --once"):
        set_payment_mapping("01", None, 1)
    with pytest.raises(CatalogEmptyError, match="ponte-bling sync --once"):
        set_store_deposit(STORE_A, 1)
    with pytest.raises(CatalogEmptyError, match="ponte-bling sync --once"):
        link_product("A", 1)


def test_stores_list_and_set(db: peewee.SqliteDatabase) -> None:
    deposit(5, "Centro")
    deposit(6, "Shopping")
    deposit(7, "Fechado", active=False)
    make_sale(store_cnpj=STORE_A)
    make_sale(store_cnpj=STORE_A)
    make_sale(store_cnpj=STORE_B, store_name="Loja Shopping")
    set_setting(DEFAULT_DEPOSIT, 5)
    store = set_store_deposit("45.997.418/0001-53", 6)
    assert store.cnpj == STORE_B
    rows = {r.cnpj: r for r in list_stores()}
    assert rows[STORE_A].sales_count == 2 and rows[STORE_A].uses_default
    assert rows[STORE_A].effective_deposit_id == 5 and rows[STORE_A].deposit_description == "Centro"
    assert rows[STORE_B].deposit_id == 6 and not rows[STORE_B].uses_default
    assert rows[STORE_B].name == "Loja Shopping"
    with pytest.raises(MappingError, match="inativo"):
        set_store_deposit(STORE_A, 7)
    with pytest.raises(MappingError, match="CNPJ inválido"):
        set_store_deposit("123", 5)
    set_store_deposit(STORE_B, None)
    assert StoreLocation.get_by_id(STORE_B).deposit_id is None


def test_link_product_rules(db: peewee.SqliteDatabase) -> None:
    product(1, "PAI", kind="parent", name="Camiseta")
    product(2, "PAI-P", kind="variation", parent_id=1)
    product(3, "OLD", active=False)
    with pytest.raises(MappingError, match=r"produto pai.*Variações: 2 \(PAI-P\)"):
        link_product("X", 1)
    with pytest.raises(MappingError, match="inativo"):
        link_product("X", 3)
    with pytest.raises(MappingError, match="não está no catálogo"):
        link_product("X", 404)
    link_product(" X ", 2)
    assert ProductLink.get_by_id("X").product_id == 2


def test_config_service(db: peewee.SqliteDatabase, tmp_path: Path) -> None:
    existing = tmp_path / "xml"
    existing.mkdir()
    value, warnings = set_config(
        "xml-folders", [f"{existing}{os.pathsep}{tmp_path / 'nao-existe'}"]
    )
    assert value == [str(existing.resolve()), str((tmp_path / "nao-existe").resolve())]
    assert len(warnings) == 1 and "não existe" in warnings[0]
    assert get_config("xml-folders") == value
    with_comma = tmp_path / "Loja 1, Centro"
    assert set_config("xml-folders", [str(with_comma)])[0] == [str(with_comma.resolve())]
    assert set_config("sync-interval", ["30"])[0] == 30
    with pytest.raises(ConfigError, match="mínimo"):
        set_config("sync-interval", ["5"])
    with pytest.raises(ConfigError, match="inteiro"):
        set_config("sync-interval", ["abc"])
    assert set_config("sales-channel", ["204"])[0] == 204
    assert set_config("sales-channel", [""])[0] is None and get_setting("sales-channel") is None
    assert set_config("final-status", ["Atendido"])[1]  # statuses not synced yet: a warning
    with pytest.raises(ConfigError, match="Chaves válidas: xml-folders"):
        set_config("nope", ["1"])
    with pytest.raises(CatalogEmptyError):
        set_config("default-deposit", ["5"])
    deposit(5, "Centro")
    assert set_config("default-deposit", ["5"])[0] == 5
    assert show_config("default-deposit") == "5 (Centro)"
    assert set_config("own-cnpjs", ["11.222.333/0001-81", STORE_B])[0] == [STORE_A, STORE_B]
    with pytest.raises(ConfigError, match="CNPJ inválido"):
        set_config("own-cnpjs", ["11222333000182"])


def test_final_status_checked_against_synced_statuses(db: peewee.SqliteDatabase) -> None:
    from app.store.models import OrderStatus

    OrderStatus.create(id=9, name="Atendido", value=1)
    assert set_config("final-status", ["atendido"]) == ("Atendido", [])
    with pytest.raises(ConfigError, match="Situações disponíveis: Atendido"):
        set_config("final-status", ["Entregue"])
