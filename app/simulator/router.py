"""The API routes: (method, path template of the official spec) → handler."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.simulator.context import Ctx
from app.simulator.errors import method_not_allowed, not_found
from app.simulator.http import Request, Response
from app.simulator.resources import contacts, lookups, orders, products, stock

Handler = Callable[[Ctx, Request, dict[str, str]], Response]
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # as written in the OpenAPI document, e.g. "/produtos/{idProduto}"
    handler: Handler
    pattern: re.Pattern[str]

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS


def _route(method: str, template: str, handler: Handler) -> Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>\\d{1,18})", template)
    return Route(method, template, handler, re.compile(f"^{regex}/?$"))


ROUTES: tuple[Route, ...] = (
    _route("GET", "/produtos", products.list_products),
    _route("POST", "/produtos", products.create_product),
    _route("GET", "/produtos/{idProduto}", products.get_product),
    _route("PATCH", "/produtos/{idProduto}", products.patch_product),
    _route("PATCH", "/produtos/{idProduto}/situacoes", products.set_product_status),
    _route("GET", "/produtos/variacoes/{idProdutoPai}", products.get_variations),
    _route("GET", "/formas-pagamentos", lookups.list_formas),
    _route("GET", "/formas-pagamentos/{idFormaPagamento}", lookups.get_forma),
    _route("GET", "/depositos", lookups.list_depositos),
    _route("GET", "/depositos/{idDeposito}", lookups.get_deposito),
    _route("GET", "/situacoes/modulos", lookups.list_modules),
    _route("GET", "/situacoes/modulos/{idModuloSistema}", lookups.list_module_statuses),
    _route("GET", "/contatos/consumidor-final", contacts.consumer_final),
    _route("GET", "/contatos", contacts.list_contacts),
    _route("POST", "/contatos", contacts.create_contact),
    _route("GET", "/contatos/{idContato}", contacts.get_contact),
    _route("GET", "/pedidos/vendas", orders.list_orders),
    _route("POST", "/pedidos/vendas", orders.create_order),
    _route("GET", "/pedidos/vendas/{idPedidoVenda}", orders.get_order),
    _route(
        "PATCH", "/pedidos/vendas/{idPedidoVenda}/situacoes/{idSituacao}", orders.set_order_status
    ),
    _route(
        "POST", "/pedidos/vendas/{idPedidoVenda}/lancar-estoque/{idDeposito}", stock.launch_into
    ),
    _route("POST", "/pedidos/vendas/{idPedidoVenda}/lancar-estoque", stock.launch_default),
    _route("POST", "/pedidos/vendas/{idPedidoVenda}/estornar-estoque", stock.reverse),
    _route("GET", "/estoques/saldos/{idDeposito}", stock.balances_in_deposit),
    _route("GET", "/estoques/saldos", stock.balances_all),
    _route("POST", "/estoques", stock.create_movement),
)


def match(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route for this request; ApiError 404 for unknown paths, 405 for a wrong method."""
    path_known = False
    for route in ROUTES:
        found = route.pattern.match(path)
        if found is None:
            continue
        if route.method == method:
            return route, found.groupdict()
        path_known = True
    if path_known:
        raise method_not_allowed()
    raise not_found()
