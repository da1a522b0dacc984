"""Stock: launching and reversing an order's exit, balances, manual movements."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from app.bling.codes import STOCK_ALREADY_LAUNCHED, STOCK_NOT_LAUNCHED
from app.simulator.context import Ctx
from app.simulator.errors import ApiError, field_error, not_found, validation_error
from app.simulator.http import Request, Response, data, no_content, obj
from app.simulator.models import Deposit, Order, Product, StockMovement

NS_SALES = "VENDAS"
NS_STOCK = "ESTOQUES"


def _order(ctx: Ctx, raw_id: str) -> Order:
    order = ctx.state.orders.get(int(raw_id))
    if order is None:
        raise not_found("Pedido de venda não encontrado.")
    return order


def _deposit(ctx: Ctx, deposit_id: int) -> Deposit:
    deposit = ctx.state.depositos.get(deposit_id)
    if deposit is None:
        raise not_found("Depósito não encontrado.")
    if deposit.situacao != 1:
        message = "O depósito informado está inativo."
        raise validation_error(
            "Não foi possível lançar o estoque",
            message,
            [field_error(0, message, "deposito", NS_STOCK)],
        )
    return deposit


def _moves_stock(product: Product | None) -> bool:
    return product is not None and product.tipo != "S" and not product.is_parent


def _move(
    ctx: Ctx,
    deposit_id: int,
    product_id: int,
    quantity: Decimal,
    operation: str,
    order_id: int | None,
    note: str,
) -> None:
    state = ctx.state
    key = (deposit_id, product_id)
    state.balances[key] = state.balances.get(key, Decimal("0")) + quantity
    state.movements.append(
        StockMovement(
            len(state.movements) + 1,
            product_id,
            deposit_id,
            quantity,
            operation,
            order_id,
            ctx.now(),
            note,
        )
    )
    product = state.products.get(product_id)
    if product is not None:
        product.changed_at = ctx.now()


def _move_items(ctx: Ctx, order: Order, deposit_id: int, operation: str, note: str) -> None:
    """Every stock-moving item of the order out of ("S") or back into ("E") the deposit."""
    sign = -1 if operation == "S" else 1
    for item in order.items:
        if _moves_stock(ctx.state.products.get(item.produto_id)):
            _move(
                ctx, deposit_id, item.produto_id, sign * item.quantidade, operation, order.id, note
            )


def launch_stock(ctx: Ctx, order: Order, deposit_id: int, note: str = "") -> None:
    """Lower the deposit's balance by each item's quantity; refused if already launched."""
    if order.stock_deposit_id is not None:
        message = "O estoque deste pedido já foi lançado."
        raise validation_error(
            "Não foi possível lançar o estoque",
            message,
            [field_error(STOCK_ALREADY_LAUNCHED, message, "estoque", NS_SALES)],
        )
    _move_items(ctx, order, deposit_id, "S", note or f"Pedido de venda nº {order.numero}")
    order.stock_deposit_id = deposit_id
    order.changed_at = ctx.now()


def launch_into(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    order = _order(ctx, params["idPedidoVenda"])
    deposit = _deposit(ctx, int(params["idDeposito"]))
    launch_stock(ctx, order, deposit.id)
    return no_content()


def launch_default(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    order = _order(ctx, params["idPedidoVenda"])
    deposit = ctx.state.default_deposit()
    if deposit is None:
        message = "A conta não possui depósito padrão."
        raise validation_error(
            "Não foi possível lançar o estoque",
            message,
            [field_error(0, message, "deposito", NS_STOCK)],
        )
    launch_stock(ctx, order, deposit.id)
    return no_content()


def reverse(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    order = _order(ctx, params["idPedidoVenda"])
    deposit_id = order.stock_deposit_id
    if deposit_id is None:
        message = "O estoque deste pedido não foi lançado."
        raise validation_error(
            "Não foi possível estornar o estoque",
            message,
            [field_error(STOCK_NOT_LAUNCHED, message, "estoque", NS_SALES)],
        )
    _move_items(ctx, order, deposit_id, "E", f"Estorno do pedido de venda nº {order.numero}")
    order.stock_deposit_id = None
    order.changed_at = ctx.now()
    return no_content()


def _products_from_query(ctx: Ctx, req: Request) -> list[Product]:
    ids = req.query.get_int_list("idsProdutos")
    codes = req.query.get_list("codigos")
    if not ids and not codes:
        message = "Informe idsProdutos[] ou codigos[]."
        raise ApiError(
            400,
            "VALIDATION_ERROR",
            "Parâmetros obrigatórios não informados",
            message,
            [field_error(0, message, "idsProdutos", NS_STOCK)],
        )
    found: dict[int, Product] = {}
    for product_id in ids:
        product = ctx.state.products.get(product_id)
        if product is not None and product.situacao != "E":
            found[product.id] = product
    for code in codes:
        product = ctx.state.product_by_code(code)
        if product is not None:
            found[product.id] = product
    return list(found.values())


def _stock_filter(req: Request, total: Decimal) -> bool:
    wanted = req.query.get_int("filtroSaldoEstoque")
    if wanted is None:
        return True
    return {0: total == 0, 1: total > 0, 2: total < 0}.get(wanted, True)


def balances_in_deposit(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    deposit_id = int(params["idDeposito"])
    if deposit_id not in ctx.state.depositos:
        raise not_found("Depósito não encontrado.")
    rows: list[dict[str, Any]] = []
    for product in _products_from_query(ctx, req):
        balance = ctx.state.balance(deposit_id, product.id)
        if _stock_filter(req, balance):
            rows.append(
                {
                    "produto": {"id": product.id, "codigo": product.codigo},
                    "saldoFisicoTotal": balance,
                    "saldoVirtualTotal": balance,
                }
            )
    return data(rows)


def balances_all(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    deposits = sorted(ctx.state.depositos.values(), key=lambda d: d.id)
    rows: list[dict[str, Any]] = []
    for product in _products_from_query(ctx, req):
        per_deposit = [(d, ctx.state.balance(d.id, product.id)) for d in deposits]
        total = sum((b for d, b in per_deposit if not d.desconsiderar_saldo), Decimal("0"))
        if not _stock_filter(req, total):
            continue
        rows.append(
            {
                "produto": {"id": product.id, "codigo": product.codigo},
                "saldoFisicoTotal": total,
                "saldoVirtualTotal": total,
                "depositos": [
                    {"id": d.id, "saldoFisico": b, "saldoVirtual": b}
                    for d, b in per_deposit
                    if (d.id, product.id) in ctx.state.balances
                ],
            }
        )
    return data(rows)


def create_movement(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    """POST /estoques: manual entry (E), exit (S) or balance (B) in one deposit."""
    body = req.json(decimal=True)
    if not isinstance(body, dict):
        raise ApiError(
            400, "INVALID_REQUEST_BODY", "Corpo da requisição inválido", "Esperado um objeto JSON."
        )
    product_ref = obj(body.get("produto"))
    deposit_ref = obj(body.get("deposito"))
    product = ctx.state.products.get(int(product_ref.get("id") or 0))
    if product is None and product_ref.get("codigo"):
        product = ctx.state.product_by_code(str(product_ref["codigo"]))
    if product is None or not _moves_stock(product):
        message = "Produto não encontrado ou sem controle de estoque."
        raise validation_error(
            "Não foi possível salvar o estoque",
            message,
            [field_error(0, message, "produto", NS_STOCK)],
        )
    deposit = _deposit(ctx, int(deposit_ref.get("id") or 0))
    operation = body.get("operacao")
    try:
        quantity = Decimal(str(body.get("quantidade")))
    except InvalidOperation:
        quantity = Decimal("-1")
    if operation not in ("E", "S", "B") or quantity < 0:
        message = "Informe operacao (E, S ou B) e uma quantidade válida."
        raise validation_error(
            "Não foi possível salvar o estoque",
            message,
            [field_error(0, message, "operacao", NS_STOCK)],
        )
    note = str(body.get("observacoes") or "")
    if operation == "B":
        delta = quantity - ctx.state.balance(deposit.id, product.id)
    else:
        delta = quantity if operation == "E" else -quantity
    _move(ctx, deposit.id, product.id, delta, operation, None, note)
    return data({"id": ctx.state.movements[-1].id}, 201)
