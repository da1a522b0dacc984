"""Helpers for simulator tests: an authorised HTTP session and order bodies."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import requests

from app.simulator import RunningSimulator


class Api:
    """A requests session with a Bearer token, speaking relative paths."""

    def __init__(self, sim: RunningSimulator, token: str | None = None) -> None:
        self.sim = sim
        self.session = requests.Session()
        self.token = token or sim.issue_tokens()["access_token"]
        self.session.headers["Authorization"] = f"Bearer {self.token}"
        self.session.headers["enable-jwt"] = "1"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.sim.base_url + path, params=params or None, timeout=10)

    def post(self, path: str, body: Any = None) -> requests.Response:
        if body is None:
            return self.session.post(self.sim.base_url + path, timeout=10)
        return self.session.post(self.sim.base_url + path, json=body, timeout=10)

    def patch(self, path: str, body: Any = None) -> requests.Response:
        return self.session.patch(self.sim.base_url + path, json=body, timeout=10)

    def data(self, path: str, **params: Any) -> Any:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def product(self, code: str) -> dict[str, Any]:
        rows = self.data("/produtos", **{"codigos[]": [code]})
        assert len(rows) == 1, rows
        return rows[0]  # type: ignore[no-any-return]

    def forma(self, description: str) -> dict[str, Any]:
        rows = [f for f in self.data("/formas-pagamentos") if f["descricao"] == description]
        assert len(rows) == 1, description
        return rows[0]  # type: ignore[no-any-return]

    def deposit(self, description: str) -> dict[str, Any]:
        rows = [d for d in self.data("/depositos") if d["descricao"] == description]
        assert len(rows) == 1, description
        return rows[0]  # type: ignore[no-any-return]

    def consumer_id(self) -> int:
        return int(self.data("/contatos/consumidor-final")["id"])


def line_total(quantity: str, price: str, discount: str = "0") -> Decimal:
    value = Decimal(quantity) * Decimal(price) * (1 - Decimal(discount) / 100)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def order_body(
    api: Api,
    lines: list[tuple[str, str]] | None = None,
    *,
    numero_loja: str = "NFCE-0001",
    forma: str = "Dinheiro",
    paid: Decimal | None = None,
    day: str = "2026-12-04",
) -> dict[str, Any]:
    """A valid order for (code, quantity) lines at catalogue price, paid in one parcel."""
    lines = lines or [("CAM-BAS-P-BR", "2"), ("BON-ABA", "1")]
    items = []
    total = Decimal("0")
    for code, quantity in lines:
        product = api.product(code)
        price = Decimal(str(product["preco"]))
        total += line_total(quantity, str(price))
        items.append(
            {
                "produto": {"id": product["id"]},
                "codigo": code,
                "descricao": product["nome"],
                "unidade": "UN",
                "quantidade": float(quantity),
                "valor": float(price),
            }
        )
    return {
        "numeroLoja": numero_loja,
        "data": day,
        "dataSaida": day,
        "dataPrevista": day,
        "contato": {"id": api.consumer_id()},
        "itens": items,
        "parcelas": [
            {
                "dataVencimento": day,
                "valor": float(paid if paid is not None else total),
                "formaPagamento": {"id": api.forma(forma)["id"]},
            }
        ],
    }


def create_order(api: Api, body: dict[str, Any]) -> int:
    response = api.post("/pedidos/vendas", body)
    assert response.status_code == 201, response.text
    return int(response.json()["data"]["id"])
