"""Request bodies against the official schemas, each spec relaxation, and answers that
validate against the official response schemas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.simulator import SPEC_RELAXATIONS, RunningSimulator
from app.simulator.openapi import SpecError, load_spec
from tests.conftest import OPENAPI_PATH, REPO_ROOT
from tests.simulator.helpers import Api, create_order, order_body


def _official() -> Any:
    return load_spec(OPENAPI_PATH, relaxed=False)


def test_spec_is_read_in_place_and_loaded_once() -> None:
    assert load_spec(OPENAPI_PATH) is load_spec(OPENAPI_PATH)
    assert not list(REPO_ROOT.glob("**/bling-openapi*.json"))
    with pytest.raises(SpecError, match="Não foi possível ler"):
        load_spec(Path("/nao/existe.json"))


def test_bad_body_is_refused_with_field_paths(sim: RunningSimulator) -> None:
    api = Api(sim)
    body = order_body(api)
    body["itens"][0]["quantidade"] = "duas"
    body["data"] = "04/12/2026"
    body["parcelas"][0]["formaPagamento"] = {}
    response = api.post("/pedidos/vendas", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "VALIDATION_ERROR"
    elements = {f["element"] for f in error["fields"]}
    assert elements == {"data", "itens[0].quantidade", "parcelas[0].formaPagamento.id"}
    assert all(f["namespace"] == "VENDAS" for f in error["fields"])
    assert sim.state.orders_created == 0


def test_missing_contact_under_schema_validation(sim: RunningSimulator) -> None:
    api = Api(sim)
    body = order_body(api)
    del body["contato"]
    error = api.post("/pedidos/vendas", body).json()["error"]
    assert error["type"] == "MISSING_REQUIRED_FIELD_ERROR"
    assert [f["element"] for f in error["fields"]] == ["contato"]


def test_read_only_fields_may_not_be_written(sim: RunningSimulator) -> None:
    api = Api(sim)
    body = order_body(api)
    body["total"] = 1
    error = api.post("/pedidos/vendas", body).json()["error"]
    assert [f["element"] for f in error["fields"]] == ["total"]


def test_relaxations_are_exactly_the_tested_ones() -> None:
    assert {(r.schema, r.required) for r in SPEC_RELAXATIONS} == {
        ("VendasItemDTO", "valorLista"),
        ("VendasParcelaDTO", "id"),
        ("ProdutosVariacaoDTO", "atributos"),
    }


def _official_problems(template: str, method: str, body: Any) -> set[str]:
    return {p.element for p in _official().request_problems(template, method, body)}


def test_relaxation_vendas_item_valor_lista(sim: RunningSimulator) -> None:
    api = Api(sim)
    body = order_body(api, [("BON-ABA", "1")])
    assert "valorLista" not in body["itens"][0]
    assert "itens[0].valorLista" in _official_problems("/pedidos/vendas", "post", body)
    assert api.post("/pedidos/vendas", body).status_code == 201


def test_relaxation_vendas_parcela_id(sim: RunningSimulator) -> None:
    api = Api(sim)
    body = order_body(api, [("BON-ABA", "1")])
    assert "id" not in body["parcelas"][0]
    assert "parcelas[0].id" in _official_problems("/pedidos/vendas", "post", body)
    assert api.post("/pedidos/vendas", body).status_code == 201


def test_item_id_needs_no_relaxation(sim: RunningSimulator) -> None:
    """VendasItemDTO requires its read-only `id`; the write validator already ignores it."""
    api = Api(sim)
    body = order_body(api, [("BON-ABA", "1")])
    assert "itens[0].id" not in _official_problems("/pedidos/vendas", "post", body)
    body["itens"][0]["id"] = 1
    assert "itens[0].id" in _official_problems("/pedidos/vendas", "post", body)


def test_relaxation_produtos_variacao_atributos(sim: RunningSimulator) -> None:
    api = Api(sim)
    body = {
        "nome": "Saia",
        "codigo": "SAI",
        "preco": 79.9,
        "tipo": "P",
        "situacao": "A",
        "formato": "V",
        "variacoes": [
            {
                "nome": "Saia P",
                "codigo": "SAI-P",
                "tipo": "P",
                "situacao": "A",
                "formato": "S",
                "variacao": {"nome": "Tamanho:P", "ordem": 1, "produtoPai": {"cloneInfo": True}},
            },
        ],
    }
    assert "variacoes[0].variacao.atributos" in _official_problems("/produtos", "post", body)
    assert api.post("/produtos", body).status_code == 201


# Answers against the official response schemas (read mode; the relaxed copy, since the
# relaxed `required` entries are defects on the read side too).

Call = Callable[[Api], tuple[str, str, int, Any]]


def _get(template: str, path: str, **params: Any) -> Call:
    def call(api: Api) -> tuple[str, str, int, Any]:
        response = api.get(path.format(**_ids(api)), **params)
        return template, "get", response.status_code, response.json()

    return call


def _ids(api: Api) -> dict[str, Any]:
    return {
        "parent": api.product("CAM-BAS")["id"],
        "child": api.product("CAM-BAS-M-BR")["id"],
        "simple": api.product("CAS-CAJ")["id"],
        "visa": api.forma("Crédito Visa")["id"],
        "cash": api.forma("Dinheiro")["id"],
        "centro": api.deposit("Loja Centro")["id"],
        "consumer": api.consumer_id(),
        "module": next(m for m in api.data("/situacoes/modulos") if m["nome"] == "Vendas")["id"],
    }


def _order_calls(api: Api) -> list[tuple[str, str, int, Any]]:
    body = order_body(api, [("CAM-BAS-M-BR", "1"), ("CAS-CAJ", "1.5")], numero_loja="RESP-1")
    body["desconto"] = {"valor": 1, "unidade": "REAL"}
    body["parcelas"][0]["valor"] -= 1
    created = api.post("/pedidos/vendas", body)
    order_id = created.json()["data"]["id"]
    detail = api.get(f"/pedidos/vendas/{order_id}")
    listing = api.get("/pedidos/vendas", **{"numerosLojas[]": ["RESP-1"]})
    return [
        ("/pedidos/vendas", "post", created.status_code, created.json()),
        ("/pedidos/vendas/{idPedidoVenda}", "get", detail.status_code, detail.json()),
        ("/pedidos/vendas", "get", listing.status_code, listing.json()),
    ]


def _write_calls(api: Api) -> list[tuple[str, str, int, Any]]:
    product = api.post(
        "/produtos",
        {"nome": "Novo", "codigo": "NOVO-1", "tipo": "P", "situacao": "A", "formato": "S"},
    )
    contact = api.post("/contatos", {"nome": "Cliente", "tipo": "F", "situacao": "A"})
    ids = _ids(api)
    stock = api.post(
        "/estoques",
        {
            "produto": {"id": ids["simple"]},
            "deposito": {"id": ids["centro"]},
            "operacao": "E",
            "quantidade": 1,
        },
    )
    patched = api.patch(f"/produtos/{ids['simple']}", {"preco": 90})
    return [
        ("/produtos", "post", product.status_code, product.json()),
        ("/contatos", "post", contact.status_code, contact.json()),
        ("/estoques", "post", stock.status_code, stock.json()),
        ("/produtos/{idProduto}", "patch", patched.status_code, patched.json()),
    ]


READS: list[Call] = [
    _get("/produtos", "/produtos", criterio=5),
    _get("/produtos", "/produtos", **{"gtins[]": ["7898765000020"]}),
    _get("/produtos/{idProduto}", "/produtos/{parent}"),
    _get("/produtos/{idProduto}", "/produtos/{child}"),
    _get("/produtos/{idProduto}", "/produtos/{simple}"),
    _get("/produtos/variacoes/{idProdutoPai}", "/produtos/variacoes/{parent}"),
    _get("/formas-pagamentos", "/formas-pagamentos"),
    _get("/formas-pagamentos/{idFormaPagamento}", "/formas-pagamentos/{visa}"),
    _get("/formas-pagamentos/{idFormaPagamento}", "/formas-pagamentos/{cash}"),
    _get("/depositos", "/depositos"),
    _get("/depositos/{idDeposito}", "/depositos/{centro}"),
    _get("/contatos/consumidor-final", "/contatos/consumidor-final"),
    _get("/contatos", "/contatos", criterio=1),
    _get("/contatos/{idContato}", "/contatos/{consumer}"),
    _get("/situacoes/modulos", "/situacoes/modulos"),
    _get("/situacoes/modulos/{idModuloSistema}", "/situacoes/modulos/{module}"),
    _get("/estoques/saldos", "/estoques/saldos", **{"idsProdutos[]": [1]}),
    _get(
        "/estoques/saldos/{idDeposito}",
        "/estoques/saldos/{centro}",
        **{"codigos[]": ["CAS-CAJ", "BON-ABA"]},
    ),
]


def test_answers_validate_against_official_response_schemas(sim: RunningSimulator) -> None:
    api = Api(sim)
    spec = load_spec(OPENAPI_PATH)
    results = [call(api) for call in READS] + _order_calls(api) + _write_calls(api)
    ids = _ids(api)
    balances = api.get("/estoques/saldos", **{"idsProdutos[]": [ids["child"], ids["simple"]]})
    results.append(("/estoques/saldos", "get", balances.status_code, balances.json()))
    checked = set()
    for template, method, status, body in results:
        assert status in (200, 201), (template, body)
        data = body["data"]
        assert data or data == [], template
        problems = spec.response_problems(template, method, status, body)
        assert problems == [], (template, method, problems)
        checked.add((template, method))
    assert len(checked) == 21


def test_error_bodies_match_the_error_schema(sim: RunningSimulator) -> None:
    api = Api(sim)
    spec = load_spec(OPENAPI_PATH)
    order_id = create_order(api, order_body(api))
    api.post(f"/pedidos/vendas/{order_id}/lancar-estoque")
    bodies = [
        api.get("/nada").json(),
        api.post(f"/pedidos/vendas/{order_id}/lancar-estoque").json(),
        api.post("/pedidos/vendas", {"data": "x"}).json(),
        api.get("/produtos", criterio=9).json(),
    ]
    for body in bodies:
        assert spec.schema_problems("Error", body["error"]) == [], body
