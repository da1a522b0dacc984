"""Exact JSON in and out, the sales-order body, product kinds and Bling's error bodies."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from app.bling import jsonutil
from app.bling.api import _batches, format_datetime, product_from, sales_order_body
from app.bling.errormap import api_error, parse_fields
from app.bling.errors import (
    BlingForbiddenError,
    BlingNotFoundError,
    BlingValidationError,
    FieldError,
)
from app.bling.types import NewSalesOrder, OrderInstallment, OrderItem
from tests.conftest import SHARED_DIR

EXAMPLES = SHARED_DIR / "reference" / "bling-examples"


def test_decimals_go_out_as_exact_json_numbers() -> None:
    text = jsonutil.encode(
        {"valor": Decimal("0.1") + Decimal("0.2"), "q": [Decimal("1.500"), 2], "s": "0.3"}
    )
    assert text == '{"valor":0.3,"q":[1.500,2],"s":"0.3"}'
    with pytest.raises(TypeError):
        jsonutil.encode({"valor": 0.1})


def test_numbers_come_back_as_decimal() -> None:
    body = jsonutil.decode('{"preco": 49.90, "id": 15000000001, "q": 1e2}')
    assert body["preco"] == Decimal("49.90")
    assert isinstance(body["id"], int)
    assert jsonutil.to_decimal(body["id"]) == Decimal(15000000001)


def _order() -> NewSalesOrder:
    return NewSalesOrder(
        contact_id=15000000001,
        date=date(2026, 12, 4),
        numero_loja="PDV-35261204-0001",
        items=(
            OrderItem(
                product_id=15000000029,
                code="CAM-BAS-P-BR",
                description="Camiseta Básica P Branca",
                unit="UN",
                quantity=Decimal("1.5"),
                unit_price=Decimal("33.333"),
                discount_percent=Decimal("10.00"),
            ),
            OrderItem(
                product_id=15000000040,
                code=None,
                description="Meia",
                unit="PAR",
                quantity=Decimal("2.000"),
                unit_price=Decimal("10"),
            ),
        ),
        installments=(
            OrderInstallment(
                due_date=date(2026, 12, 4),
                amount=Decimal("64.995"),
                forma_id=15000000009,
                authorization_code="123456",
            ),
        ),
        discount=Decimal("0.1") + Decimal("0.2"),
        other_expenses=Decimal("0"),
        notes="NFC-e 1234",
        sales_channel_id=205000000,
    )


def test_sales_order_body_is_exact() -> None:
    text = jsonutil.encode(sales_order_body(_order()))
    body = json.loads(text, parse_float=Decimal)
    assert body["data"] == body["dataSaida"] == body["dataPrevista"] == "2026-12-04"
    assert body["numeroLoja"] == "PDV-35261204-0001"
    assert body["contato"] == {"id": 15000000001}
    first, second = body["itens"]
    assert first["produto"] == {"id": 15000000029}
    assert first["codigo"] == "CAM-BAS-P-BR"
    assert "codigo" not in second
    # Money with exactly two decimals; quantities and percents exact.
    assert '"valor":33.33,' in text
    assert '"quantidade":1.5,' in text
    assert '"quantidade":2,' in text
    assert '"desconto":10}' in text
    assert body["parcelas"] == [
        {
            "dataVencimento": "2026-12-04",
            "valor": Decimal("65.00"),
            "formaPagamento": {"id": 15000000009},
            "caut": "123456",
        }
    ]
    assert '"desconto":{"valor":0.30,"unidade":"REAL"}' in text
    assert '"outrasDespesas":0.00' in text
    assert body["observacoes"] == "NFC-e 1234"
    assert body["loja"] == {"id": 205000000}


def test_product_kinds() -> None:
    assert product_from({"id": 1, "formato": "V", "idProdutoPai": 0}).kind == "parent"
    variation = product_from({"id": 2, "formato": "S", "idProdutoPai": 1})
    assert (variation.kind, variation.parent_id) == ("variation", 1)
    assert product_from({"id": 3, "formato": "S"}).kind == "simple"
    assert product_from({"id": 4, "formato": "E"}).kind == "simple"
    nested = product_from({"id": 5, "formato": "S", "variacao": {"produtoPai": {"id": 9}}})
    assert nested.parent_id == 9
    example = json.loads((EXAMPLES / "produtos-get-by-id.json").read_text(), parse_float=Decimal)
    product = product_from(example["data"])
    assert (product.gtin, product.unit, product.price) == ("1234567890123", "UN", Decimal(1))


def test_query_batches_stay_under_the_url_budget() -> None:
    codes = [f"SKU-{n:06d}-LONG-CODE" for n in range(400)]
    batches = list(_batches("codigos[]", codes))
    assert sum(len(b) for b in batches) == 400
    assert len(batches) > 1
    for batch in batches:
        assert len("&".join(f"codigos%5B%5D={c}" for c in batch)) <= 1800


def test_datetimes_are_sent_in_sao_paulo_time() -> None:
    from datetime import UTC, datetime

    assert format_datetime(datetime(2026, 12, 4, 22, 30, tzinfo=UTC)) == "2026-12-04 19:30:00"


def test_validation_error_from_bling_example_has_actionable_message() -> None:
    body = json.loads((EXAMPLES / "error-validation-400.json").read_text())
    error = api_error(400, body, method="POST", path="pedidos/vendas")
    assert isinstance(error, BlingValidationError)
    assert error.error_type == "VALIDATION_ERROR"
    assert error.bling_message == "Não foi possível salvar a venda"
    assert error.description.startswith("A venda não pode ser salva")
    assert error.fields[0].code == 49
    inner = error.fields[0].collection[0]
    assert inner == FieldError(
        code=12,
        msg="Id da forma de pagamento inválido.",
        element="formaPagamento",
        namespace="VENDAS",
        index=1,
    )
    assert error.message.startswith(
        "A forma de pagamento configurada não existe mais no Bling. Revise o DE-PARA de pagamentos."
    )
    assert "Id da forma de pagamento inválido" in error.message
    assert error.title == "O Bling recusou os dados"


def test_other_error_statuses() -> None:
    not_found = api_error(
        404,
        {"error": {"type": "RESOURCE_NOT_FOUND", "message": "x", "description": "y"}},
        method="GET",
        path="pedidos/vendas/1",
    )
    assert isinstance(not_found, BlingNotFoundError)
    forbidden = api_error(
        403, {"error": {"type": "insufficient_scope"}}, method="GET", path="estoques/saldos"
    )
    assert isinstance(forbidden, BlingForbiddenError)
    assert "escopos" in forbidden.message
    plain = api_error(
        400,
        {"error": {"type": "VALIDATION_ERROR", "fields": [{"code": 3, "msg": "Nome vazio."}]}},
        method="POST",
        path="contatos",
    )
    assert plain.message == "O Bling recusou os dados: Nome vazio."
    assert parse_fields("junk") == ()
