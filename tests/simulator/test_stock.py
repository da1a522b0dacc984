"""Stock launch into a deposit, reversal, refusals and balances."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.bling import codes
from app.simulator import RunningSimulator
from tests.fixtures.simulator import SimFactory
from tests.simulator.helpers import Api, create_order, order_body


def _balances(api: Api, deposit_id: int, *product_ids: int) -> dict[int, Decimal]:
    rows = api.data(f"/estoques/saldos/{deposit_id}", **{"idsProdutos[]": list(product_ids)})
    return {r["produto"]["id"]: Decimal(str(r["saldoFisicoTotal"])) for r in rows}


def _field(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "VALIDATION_ERROR"
    return error["fields"][0]  # type: ignore[no-any-return]


def test_launch_lowers_that_deposit_and_reversal_restores(sim: RunningSimulator) -> None:
    api = Api(sim)
    shirt = api.product("CAM-BAS-G-PR")["id"]
    nuts = api.product("CAS-CAJ")["id"]
    centro = api.deposit("Loja Centro")["id"]
    shopping = api.deposit("Loja Shopping")["id"]
    order_id = create_order(api, order_body(api, [("CAM-BAS-G-PR", "2"), ("CAS-CAJ", "0.250")]))
    assert api.post(f"/pedidos/vendas/{order_id}/lancar-estoque/{centro}").status_code == 204
    assert _balances(api, centro, shirt, nuts) == {shirt: Decimal("98"), nuts: Decimal("99.75")}
    assert _balances(api, shopping, shirt, nuts) == {shirt: Decimal("100"), nuts: Decimal("100")}
    overall = api.data("/estoques/saldos", **{"idsProdutos[]": [shirt]})[0]
    assert Decimal(str(overall["saldoFisicoTotal"])) == Decimal("298")
    per_deposit = {d["id"]: d["saldoFisico"] for d in overall["depositos"]}
    assert per_deposit[centro] == 98 and per_deposit[shopping] == 100
    twice = api.post(f"/pedidos/vendas/{order_id}/lancar-estoque/{shopping}")
    assert _field(twice) == {
        "code": codes.STOCK_ALREADY_LAUNCHED,
        "msg": "O estoque deste pedido já foi lançado.",
        "element": "estoque",
        "namespace": "VENDAS",
    }
    assert _balances(api, shopping, shirt) == {shirt: Decimal("100")}
    assert api.post(f"/pedidos/vendas/{order_id}/estornar-estoque").status_code == 204
    assert _balances(api, centro, shirt, nuts) == {shirt: Decimal("100"), nuts: Decimal("100")}
    not_launched = api.post(f"/pedidos/vendas/{order_id}/estornar-estoque")
    assert _field(not_launched)["code"] == codes.STOCK_NOT_LAUNCHED
    # after a reversal the order can be launched again, into another deposit
    assert api.post(f"/pedidos/vendas/{order_id}/lancar-estoque/{shopping}").status_code == 204
    assert _balances(api, shopping, shirt) == {shirt: Decimal("98")}
    with sim.state.lock:
        moves = [
            (m.deposito_id, m.operacao, m.quantidade)
            for m in sim.state.movements
            if m.produto_id == shirt
        ]
    assert moves == [
        (centro, "S", Decimal("-2")),
        (centro, "E", Decimal("2")),
        (shopping, "S", Decimal("-2")),
    ]


def test_launch_into_default_deposit(sim: RunningSimulator) -> None:
    api = Api(sim)
    product = api.product("KIT-MEI")["id"]
    geral = api.deposit("Geral")["id"]
    order_id = create_order(api, order_body(api, [("KIT-MEI", "4")]))
    assert api.post(f"/pedidos/vendas/{order_id}/lancar-estoque").status_code == 204
    assert _balances(api, geral, product) == {product: Decimal("96")}
    assert sim.state.orders[order_id].stock_deposit_id == geral


def test_unknown_deposit_and_order(sim: RunningSimulator) -> None:
    api = Api(sim)
    order_id = create_order(api, order_body(api))
    assert api.post(f"/pedidos/vendas/{order_id}/lancar-estoque/123").status_code == 404
    old = next(iter(api.data("/depositos", situacao=0)))["id"]
    assert api.post(f"/pedidos/vendas/{order_id}/lancar-estoque/{old}").status_code == 400
    assert api.post("/pedidos/vendas/77/lancar-estoque").status_code == 404
    assert api.post("/pedidos/vendas/77/estornar-estoque").status_code == 404
    assert sim.state.orders[order_id].stock_deposit_id is None


def test_auto_launch_status_setting(sim_factory: SimFactory) -> None:
    sim = sim_factory(auto_launch_status="Atendido")
    api = Api(sim)
    product = api.product("CIN-COU")["id"]
    geral = api.deposit("Geral")["id"]
    order_id = create_order(api, order_body(api, [("CIN-COU", "1")]))
    assert api.patch(f"/pedidos/vendas/{order_id}/situacoes/15").status_code == 204
    assert _balances(api, geral, product) == {product: Decimal("100")}
    assert api.patch(f"/pedidos/vendas/{order_id}/situacoes/9").status_code == 204
    assert _balances(api, geral, product) == {product: Decimal("99")}
    twice = api.post(f"/pedidos/vendas/{order_id}/lancar-estoque/{geral}")
    assert _field(twice)["code"] == codes.STOCK_ALREADY_LAUNCHED
    # launched by hand first: the status change does not launch again (silently)
    other = create_order(api, order_body(api, [("CIN-COU", "1")], numero_loja="X2"))
    centro = api.deposit("Loja Centro")["id"]
    assert api.post(f"/pedidos/vendas/{other}/lancar-estoque/{centro}").status_code == 204
    assert api.patch(f"/pedidos/vendas/{other}/situacoes/9").status_code == 204
    assert _balances(api, geral, product) == {product: Decimal("99")}
    assert _balances(api, centro, product) == {product: Decimal("99")}


def test_balances_need_products_and_accept_codes(sim: RunningSimulator) -> None:
    api = Api(sim)
    centro = api.deposit("Loja Centro")["id"]
    assert api.get(f"/estoques/saldos/{centro}").status_code == 400
    rows = api.data(f"/estoques/saldos/{centro}", **{"codigos[]": ["BON-ABA"]})
    assert rows[0]["produto"]["codigo"] == "BON-ABA" and rows[0]["saldoFisicoTotal"] == 100
    assert api.get("/estoques/saldos/42", **{"idsProdutos[]": [1]}).status_code == 404


def test_manual_movement(sim: RunningSimulator) -> None:
    api = Api(sim)
    product = api.product("REL-DIG")["id"]
    centro = api.deposit("Loja Centro")["id"]
    body = {
        "produto": {"id": product},
        "deposito": {"id": centro},
        "operacao": "B",
        "quantidade": 7,
    }
    assert api.post("/estoques", body).status_code == 201
    assert _balances(api, centro, product) == {product: Decimal("7")}
    body.update(operacao="E", quantidade=3)
    assert api.post("/estoques", body).status_code == 201
    assert _balances(api, centro, product) == {product: Decimal("10")}
