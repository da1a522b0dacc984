"""Sales orders: totals with Decimal, validation errors like Bling's, search, status."""

from __future__ import annotations

import json
from decimal import Decimal

from app.bling import codes
from app.simulator import RunningSimulator
from tests.conftest import SHARED_DIR
from tests.fixtures.simulator import SimFactory
from tests.simulator.helpers import Api, create_order, line_total, order_body


def test_create_and_read_back(sim: RunningSimulator) -> None:
    api = Api(sim)
    body = order_body(api, [("CAM-BAS-P-BR", "2"), ("CAS-CAJ", "0.355")], numero_loja="NFCE-A1")
    body["observacoes"] = "Venda PDV"
    body["observacoesInternas"] = "chave 3526..."
    response = api.post("/pedidos/vendas", body)
    assert response.status_code == 201
    assert response.json() == {"data": {"id": response.json()["data"]["id"], "alertas": []}}
    order_id = response.json()["data"]["id"]
    detail = api.data(f"/pedidos/vendas/{order_id}")
    expected = line_total("2", "49.90") + line_total("0.355", "89.90")
    assert Decimal(str(detail["total"])) == expected == Decimal("131.71")
    assert Decimal(str(detail["totalProdutos"])) == expected
    assert detail["numeroLoja"] == "NFCE-A1"
    assert detail["observacoes"] == "Venda PDV" and detail["observacoesInternas"] == "chave 3526..."
    assert detail["situacao"]["id"] == 6  # Em aberto
    assert detail["contato"]["id"] == api.consumer_id()
    assert [i["codigo"] for i in detail["itens"]] == ["CAM-BAS-P-BR", "CAS-CAJ"]
    assert detail["itens"][1]["quantidade"] == 0.355
    assert detail["parcelas"][0]["formaPagamento"]["id"] == api.forma("Dinheiro")["id"]
    second = create_order(api, order_body(api, numero_loja="NFCE-A2"))
    assert api.data(f"/pedidos/vendas/{second}")["numero"] == detail["numero"] + 1
    assert sim.state.orders_created == 2


def test_order_does_not_move_stock_by_itself(sim: RunningSimulator) -> None:
    api = Api(sim)
    product = api.product("BON-ABA")
    before = api.data("/estoques/saldos", **{"idsProdutos[]": [product["id"]]})
    create_order(api, order_body(api, [("BON-ABA", "3")]))
    after = api.data("/estoques/saldos", **{"idsProdutos[]": [product["id"]]})
    assert before == after


def test_totals_with_item_percent_discount_and_order_discounts(sim: RunningSimulator) -> None:
    api = Api(sim)
    body = order_body(api, [("TEN-CAS-40", "1"), ("DES-AER", "3")])
    body["itens"][0]["desconto"] = 10  # percent: 229.90 → 206.91
    body["itens"][1]["desconto"] = 12.5  # 3 × 17.49 = 52.47 → 45.91125 → 45.91
    products_total = Decimal("206.91") + Decimal("45.91")
    body["desconto"] = {"valor": 5, "unidade": "PERCENTUAL"}  # 12.641 → 12.64
    body["outrasDespesas"] = 2.5
    body["transporte"] = {"frete": 10}
    total = products_total - Decimal("12.64") + Decimal("2.5") + Decimal("10")
    body["parcelas"][0]["valor"] = float(total)
    order_id = create_order(api, body)
    detail = api.data(f"/pedidos/vendas/{order_id}")
    assert Decimal(str(detail["totalProdutos"])) == products_total
    assert Decimal(str(detail["total"])) == total == Decimal("252.68")
    assert detail["desconto"] == {"valor": 5, "unidade": "PERCENTUAL"}
    real = order_body(api, [("BON-ABA", "1")])
    real["desconto"] = {"valor": 9.9, "unidade": "REAL"}
    real["parcelas"][0]["valor"] = 50.0
    assert api.post("/pedidos/vendas", real).status_code == 201


def test_installments_must_add_up_to_the_total(sim: RunningSimulator) -> None:
    api = Api(sim)
    body = order_body(api, [("BON-ABA", "1")], paid=Decimal("59.89"))
    response = api.post("/pedidos/vendas", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "VALIDATION_ERROR"
    assert error["fields"][0]["element"] == "parcelas"
    split = order_body(api, [("BON-ABA", "1")])
    split["parcelas"] = [
        {
            "dataVencimento": "2026-12-04",
            "valor": 30,
            "formaPagamento": {"id": api.forma("PIX")["id"]},
        },
        {
            "dataVencimento": "2026-12-04",
            "valor": 29.9,
            "formaPagamento": {"id": api.forma("Crédito Visa")["id"]},
            "caut": "A1B2C3",
        },
    ]
    order_id = create_order(api, split)
    parcelas = api.data(f"/pedidos/vendas/{order_id}")["parcelas"]
    assert [p["caut"] for p in parcelas] == ["", "A1B2C3"]
    assert sim.state.orders_created == 1


def test_unknown_payment_form_like_bling(sim: RunningSimulator) -> None:
    api = Api(sim)
    body = order_body(api)
    body["parcelas"][0]["formaPagamento"]["id"] = 12345
    response = api.post("/pedidos/vendas", body)
    assert response.status_code == 400
    example = json.loads(
        (SHARED_DIR / "reference/bling-examples/error-validation-400.json").read_text()
    )
    assert response.json() == example
    assert example["error"]["fields"][0]["collection"][0]["code"] == codes.INVALID_PAYMENT_FORM


def test_missing_contact_and_unknown_references(sim_factory: SimFactory) -> None:
    sim = sim_factory(openapi_path=None)  # the simulator's own checks, without the schemas
    api = Api(sim)
    body = order_body(api)
    del body["contato"]
    missing = api.post("/pedidos/vendas", body)
    assert missing.status_code == 400
    assert missing.json()["error"]["type"] == "MISSING_REQUIRED_FIELD_ERROR"
    assert missing.json()["error"]["fields"][0]["element"] == "contato"
    body = order_body(api)
    body["contato"] = {"id": 1}
    assert api.post("/pedidos/vendas", body).json()["error"]["fields"][0]["element"] == "contato"
    body = order_body(api)
    body["itens"][1]["produto"]["id"] = 42
    unknown = api.post("/pedidos/vendas", body).json()["error"]
    assert unknown["fields"][0]["element"] == "itens"
    assert unknown["fields"][0]["collection"][0]["index"] == 2
    assert unknown["fields"][0]["collection"][0]["element"] == "produto"
    for key in ("itens", "parcelas", "data"):
        body = order_body(api)
        del body[key]
        response = api.post("/pedidos/vendas", body)
        assert response.status_code == 400
        assert response.json()["error"]["type"] == "MISSING_REQUIRED_FIELD_ERROR"
    assert sim.state.orders_created == 0


def test_items_by_code_and_parent_refused(sim: RunningSimulator) -> None:
    api = Api(sim)
    body = order_body(api, [("MEI-CUR-PR", "2")])
    del body["itens"][0]["produto"]
    order_id = create_order(api, body)
    detail = api.data(f"/pedidos/vendas/{order_id}")
    assert detail["itens"][0]["produto"]["id"] == api.product("MEI-CUR-PR")["id"]
    parent = order_body(api, [("MEI-CUR", "1")])
    response = api.post("/pedidos/vendas", parent)
    assert response.status_code == 400
    collection = response.json()["error"]["fields"][0]["collection"]
    assert collection[0]["element"] == "produto" and "variação" in collection[0]["msg"]


def test_search_by_many_numeros_loja_and_filters(sim: RunningSimulator) -> None:
    api = Api(sim)
    ids = {}
    for n, day in ((1, "2026-11-30"), (2, "2026-12-01"), (3, "2026-12-02")):
        ids[n] = create_order(api, order_body(api, numero_loja=f"NFCE-{n:04d}", day=day))
    found = api.data(
        "/pedidos/vendas", **{"numerosLojas[]": ["NFCE-0001", "NFCE-0003", "NFCE-9999"]}
    )
    assert {o["numeroLoja"]: o["id"] for o in found} == {"NFCE-0001": ids[1], "NFCE-0003": ids[3]}
    assert api.data("/pedidos/vendas", **{"numerosLojas[]": ["NFCE-00"]}) == []  # exact match only
    by_date = api.data("/pedidos/vendas", dataInicial="2026-12-01", dataFinal="2026-12-01")
    assert [o["id"] for o in by_date] == [ids[2]]
    numero = api.data(f"/pedidos/vendas/{ids[3]}")["numero"]
    assert [o["id"] for o in api.data("/pedidos/vendas", numero=numero)] == [ids[3]]
    assert api.patch(f"/pedidos/vendas/{ids[2]}/situacoes/12").status_code == 204
    cancelled = api.data("/pedidos/vendas", **{"idsSituacoes[]": [12]})
    assert [o["id"] for o in cancelled] == [ids[2]]
    assert cancelled[0]["situacao"] == {"id": 12, "valor": 2}
    wide = api.get("/pedidos/vendas", dataInicial="2024-01-01", dataFinal="2025-12-31")
    assert wide.status_code == 400
    assert len(api.data("/pedidos/vendas", limite=2)) == 2
    assert api.get("/pedidos/vendas/1").status_code == 404


def test_status_change_validates_status(sim: RunningSimulator) -> None:
    api = Api(sim)
    order_id = create_order(api, order_body(api))
    assert api.patch(f"/pedidos/vendas/{order_id}/situacoes/777").status_code == 400
    assert api.patch(f"/pedidos/vendas/{order_id}/situacoes/9").status_code == 204
    assert api.data(f"/pedidos/vendas/{order_id}")["situacao"]["id"] == 9
    assert api.patch("/pedidos/vendas/5/situacoes/9").status_code == 404


def test_malformed_and_empty_bodies(sim: RunningSimulator) -> None:
    api = Api(sim)
    url = sim.base_url + "/pedidos/vendas"
    broken = api.session.post(
        url, data=b"{nope", headers={"Content-Type": "application/json"}, timeout=5
    )
    assert broken.status_code == 400 and broken.json()["error"]["type"] == "INVALID_REQUEST_BODY"
    empty = api.session.post(url, data=b"", headers={"Content-Type": "application/json"}, timeout=5)
    assert empty.status_code == 400 and empty.json()["error"]["type"] == "EMPTY_REQUEST_BODY"
