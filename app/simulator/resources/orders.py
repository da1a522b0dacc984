"""Sales orders: creation with Bling's totals, search, detail, status changes."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from app.simulator.context import Ctx, check_period, naive, paginate
from app.simulator.errors import (
    ApiError,
    JsonObject,
    collection_error,
    field_error,
    not_found,
    validation_error,
)
from app.simulator.http import Request, Response, data, no_content, obj
from app.simulator.models import Installment, Order, OrderItem, Product
from app.simulator.resources.stock import launch_stock

NS = "VENDAS"
SAVE_FAILED = "Não foi possível salvar a venda"
SAVE_FAILED_DESCRIPTION = "A venda não pode ser salva, pois ocorreram problemas em sua validação."
INITIAL_STATUS = "Em aberto"

# Field codes. 12 and 49 are Bling's own (see bling-examples/error-validation-400.json); the
# others are the simulator's, chosen apart from Bling's known ones.
CODE_INVALID_PAYMENT_FORM = 12
CODE_INSTALLMENTS_INVALID = 49
CODE_ITEMS_INVALID = 50
CODE_UNKNOWN_PRODUCT = 51
CODE_PARENT_PRODUCT = 52
CODE_BAD_QUANTITY = 53
CODE_INSTALLMENTS_TOTAL = 54
CODE_UNKNOWN_CONTACT = 55
CODE_BAD_VALUE = 56
CODE_BAD_DATE = 57
CODE_BAD_STATUS = 58

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _missing(element: str, message: str) -> ApiError:
    return ApiError(
        400,
        "MISSING_REQUIRED_FIELD_ERROR",
        SAVE_FAILED,
        message,
        [field_error(0, message, element, NS)],
    )


def _invalid(fields: list[JsonObject]) -> ApiError:
    return validation_error(SAVE_FAILED, SAVE_FAILED_DESCRIPTION, fields)


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _amount(value: Any) -> Decimal | None:
    """An optional number: zero when absent, None when present but not a number."""
    return Decimal("0") if value is None else _decimal(value)


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _ref_id(value: Any) -> int | None:
    if isinstance(value, dict):
        raw = value.get("id")
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.isdigit():
            return int(raw)
    return None


def _resolve_product(ctx: Ctx, item: dict[str, Any]) -> Product | None:
    product_id = _ref_id(item.get("produto"))
    if product_id is not None:
        product = ctx.state.products.get(product_id)
        return product if product is not None and product.situacao != "E" else None
    code = item.get("codigo")
    if isinstance(code, str) and code:
        return ctx.state.product_by_code(code)
    return None


def _build_items(ctx: Ctx, raw_items: list[Any]) -> list[OrderItem]:
    problems: list[JsonObject] = []
    items: list[OrderItem] = []
    for index, raw in enumerate(raw_items, start=1):
        item = raw if isinstance(raw, dict) else {}
        product = _resolve_product(ctx, item)
        if product is None:
            problems.append(
                collection_error(
                    index, CODE_UNKNOWN_PRODUCT, "Produto não encontrado.", "produto", NS
                )
            )
            continue
        if product.is_parent:
            problems.append(
                collection_error(
                    index,
                    CODE_PARENT_PRODUCT,
                    "O produto possui variações; informe a variação vendida.",
                    "produto",
                    NS,
                )
            )
            continue
        quantity = _decimal(item.get("quantidade"))
        if quantity is None or quantity <= 0:
            problems.append(
                collection_error(index, CODE_BAD_QUANTITY, "Quantidade inválida.", "quantidade", NS)
            )
            continue
        price = _decimal(item.get("valor"))
        if price is None or price < 0:
            problems.append(
                collection_error(index, CODE_BAD_VALUE, "Valor unitário inválido.", "valor", NS)
            )
            continue
        discount = _amount(item.get("desconto"))
        if discount is None or discount < 0 or discount > HUNDRED:
            problems.append(
                collection_error(
                    index,
                    CODE_BAD_VALUE,
                    "Desconto do item inválido (percentual de 0 a 100).",
                    "desconto",
                    NS,
                )
            )
            continue
        total = round_money(quantity * price * (1 - discount / HUNDRED))
        items.append(
            OrderItem(
                id=ctx.state.new_id(),
                produto_id=product.id,
                codigo=str(item.get("codigo") or product.codigo),
                unidade=str(item.get("unidade") or product.unidade),
                quantidade=quantity,
                valor=price,
                desconto=discount,
                descricao=str(item.get("descricao") or product.nome),
                total=total,
                aliquota_ipi=_amount(item.get("aliquotaIPI")) or Decimal("0"),
                descricao_detalhada=str(item.get("descricaoDetalhada") or ""),
            )
        )
    if problems:
        raise _invalid(
            [
                field_error(
                    CODE_ITEMS_INVALID,
                    "Um ou mais itens da venda possuem erros de validação",
                    "itens",
                    NS,
                    problems,
                )
            ]
        )
    return items


def _build_installments(ctx: Ctx, raw_parcelas: list[Any], default_due: date) -> list[Installment]:
    problems: list[JsonObject] = []
    out: list[Installment] = []
    for index, raw in enumerate(raw_parcelas, start=1):
        parcela = raw if isinstance(raw, dict) else {}
        forma_id = _ref_id(parcela.get("formaPagamento"))
        if forma_id is None or forma_id not in ctx.state.formas:
            problems.append(
                collection_error(
                    index,
                    CODE_INVALID_PAYMENT_FORM,
                    "Id da forma de pagamento inválido.",
                    "formaPagamento",
                    NS,
                )
            )
            continue
        amount = _decimal(parcela.get("valor"))
        if amount is None or amount < 0:
            problems.append(
                collection_error(index, CODE_BAD_VALUE, "Valor da parcela inválido.", "valor", NS)
            )
            continue
        due = default_due
        if parcela.get("dataVencimento") is not None:
            parsed = _date(parcela.get("dataVencimento"))
            if parsed is None:
                problems.append(
                    collection_error(
                        index, CODE_BAD_DATE, "Data de vencimento inválida.", "dataVencimento", NS
                    )
                )
                continue
            due = parsed
        out.append(
            Installment(
                id=ctx.state.new_id(),
                data_vencimento=due,
                valor=amount,
                forma_id=forma_id,
                observacoes=str(parcela.get("observacoes") or ""),
                caut=str(parcela.get("caut") or ""),
            )
        )
    if problems:
        raise _invalid(
            [
                field_error(
                    CODE_INSTALLMENTS_INVALID,
                    "Uma ou mais parcelas da venda possuem erros de validação",
                    "parcelas",
                    NS,
                    problems,
                )
            ]
        )
    return out


def create_order(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    """POST /pedidos/vendas. The order does not move stock by itself."""
    body = req.json(decimal=True)
    if not isinstance(body, dict):
        raise ApiError(
            400, "INVALID_REQUEST_BODY", "Corpo da requisição inválido", "Esperado um objeto JSON."
        )
    state = ctx.state
    contact_id = _ref_id(body.get("contato"))
    if contact_id is None:
        raise _missing("contato", "O contato da venda é obrigatório.")
    contact = state.contacts.get(contact_id)
    if contact is None or contact.situacao == "E":
        raise _invalid(
            [field_error(CODE_UNKNOWN_CONTACT, "Contato não encontrado.", "contato", NS)]
        )
    if body.get("data") is None:
        raise _missing("data", "A data da venda é obrigatória.")
    sale_date = _date(body.get("data"))
    if sale_date is None:
        raise _invalid(
            [field_error(CODE_BAD_DATE, "Data da venda inválida (use AAAA-MM-DD).", "data", NS)]
        )
    dates = {}
    for key in ("dataSaida", "dataPrevista"):
        value = body.get(key)
        parsed = sale_date if value in (None, "") else _date(value)
        if parsed is None:
            raise _invalid([field_error(CODE_BAD_DATE, "Data inválida (use AAAA-MM-DD).", key, NS)])
        dates[key] = parsed
    raw_items = body.get("itens")
    if not isinstance(raw_items, list) or not raw_items:
        raise _missing("itens", "A venda precisa de ao menos um item.")
    raw_parcelas = body.get("parcelas")
    if not isinstance(raw_parcelas, list) or not raw_parcelas:
        raise _missing("parcelas", "A venda precisa de ao menos uma parcela.")
    items = _build_items(ctx, raw_items)
    parcelas = _build_installments(ctx, raw_parcelas, sale_date)

    total_products = sum((i.total for i in items), Decimal("0"))
    discount_block = obj(body.get("desconto"))
    discount_value = _amount(discount_block.get("valor"))
    unit = str(discount_block.get("unidade") or "REAL")
    if discount_value is None or discount_value < 0 or unit not in ("REAL", "PERCENTUAL"):
        raise _invalid([field_error(CODE_BAD_VALUE, "Desconto da venda inválido.", "desconto", NS)])
    discount = (
        round_money(total_products * discount_value / HUNDRED)
        if unit == "PERCENTUAL"
        else discount_value
    )
    other = _amount(body.get("outrasDespesas"))
    freight = _amount(obj(body.get("transporte")).get("frete"))
    if other is None or freight is None:
        element = "outrasDespesas" if other is None else "transporte"
        raise _invalid([field_error(CODE_BAD_VALUE, "Valor inválido.", element, NS)])
    total = total_products - discount + other + freight
    if total < 0:
        raise _invalid(
            [
                field_error(
                    CODE_BAD_VALUE, "O desconto é maior que o total da venda.", "desconto", NS
                )
            ]
        )
    paid = sum((p.valor for p in parcelas), Decimal("0"))
    if round_money(paid) != round_money(total):
        message = f"A soma das parcelas ({round_money(paid)}) difere do total da venda ({round_money(total)})."
        raise _invalid([field_error(CODE_INSTALLMENTS_TOTAL, message, "parcelas", NS)])

    numero_raw = body.get("numero")
    numero = state.next_order_number(
        numero_raw if isinstance(numero_raw, int) and numero_raw > 0 else None
    )
    initial = state.status_by_name(INITIAL_STATUS)
    now = ctx.now()
    order = Order(
        id=state.new_id(),
        numero=numero,
        numero_loja=str(body.get("numeroLoja") or ""),
        data=sale_date,
        data_saida=dates["dataSaida"],
        data_prevista=dates["dataPrevista"],
        contato_id=contact.id,
        situacao_id=initial.id if initial else 0,
        items=items,
        parcelas=parcelas,
        total_produtos=total_products,
        total=total,
        desconto_valor=discount_value,
        desconto_unidade=unit,
        outras_despesas=other,
        frete=freight,
        loja_id=_ref_id(body.get("loja")) or 0,
        observacoes=str(body.get("observacoes") or ""),
        observacoes_internas=str(body.get("observacoesInternas") or ""),
        numero_pedido_compra=str(body.get("numeroPedidoCompra") or ""),
        created_at=now,
        changed_at=now,
    )
    state.orders[order.id] = order
    state.counters.orders_created += 1
    return data({"id": order.id, "alertas": []}, 201)


def _contact_block(ctx: Ctx, order: Order) -> dict[str, Any]:
    contact = ctx.state.contacts.get(order.contato_id)
    return {
        "id": order.contato_id,
        "nome": contact.nome if contact else "",
        "tipoPessoa": contact.tipo if contact else "F",
        "numeroDocumento": contact.numero_documento if contact else "",
    }


def _status_block(ctx: Ctx, order: Order) -> dict[str, Any]:
    status = ctx.state.statuses.get(order.situacao_id)
    return {"id": order.situacao_id, "valor": status.valor if status else 0}


def order_row(ctx: Ctx, order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "numero": order.numero,
        "numeroLoja": order.numero_loja,
        "data": order.data.isoformat(),
        "dataSaida": order.data_saida.isoformat(),
        "dataPrevista": order.data_prevista.isoformat(),
        "totalProdutos": order.total_produtos,
        "total": order.total,
        "contato": _contact_block(ctx, order),
        "situacao": _status_block(ctx, order),
        "loja": {"id": order.loja_id},
    }


def order_detail(ctx: Ctx, order: Order) -> dict[str, Any]:
    out = order_row(ctx, order)
    out.update(
        {
            "numeroPedidoCompra": order.numero_pedido_compra,
            "outrasDespesas": order.outras_despesas,
            "observacoes": order.observacoes,
            "observacoesInternas": order.observacoes_internas,
            "desconto": {"valor": order.desconto_valor, "unidade": order.desconto_unidade},
            "categoria": {"id": 0},
            "tributacao": {"totalICMS": 0, "totalIPI": 0},
            "itens": [
                {
                    "id": i.id,
                    "codigo": i.codigo,
                    "unidade": i.unidade,
                    "quantidade": i.quantidade,
                    "desconto": i.desconto,
                    "valor": i.valor,
                    "aliquotaIPI": i.aliquota_ipi,
                    "descricao": i.descricao,
                    "descricaoDetalhada": i.descricao_detalhada,
                    "produto": {"id": i.produto_id},
                    "comissao": {"base": 0, "aliquota": 0, "valor": 0},
                }
                for i in order.items
            ],
            "parcelas": [
                {
                    "id": p.id,
                    "dataVencimento": p.data_vencimento.isoformat(),
                    "valor": p.valor,
                    "observacoes": p.observacoes,
                    "caut": p.caut,
                    "formaPagamento": {"id": p.forma_id},
                }
                for p in order.parcelas
            ],
            "transporte": {
                "fretePorConta": 0,
                "frete": order.frete,
                "quantidadeVolumes": 0,
                "pesoBruto": 0,
                "prazoEntrega": 0,
                "contato": {"id": 0, "nome": ""},
                "etiqueta": {
                    "nome": "",
                    "endereco": "",
                    "numero": "",
                    "complemento": "",
                    "municipio": "",
                    "uf": "",
                    "cep": "",
                    "bairro": "",
                    "nomePais": "",
                },
                "volumes": [],
            },
            "vendedor": {"id": 0},
            "intermediador": {"cnpj": "", "nomeUsuario": ""},
            "taxas": {"taxaComissao": 0, "custoFrete": 0, "valorBase": 0},
        }
    )
    return out


def _as_datetime(day: date | None, end: bool = False) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time.max if end else time.min)


def list_orders(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    q = req.query
    numeros_loja = set(q.get_list("numerosLojas"))
    statuses = set(q.get_int_list("idsSituacoes"))
    numero = q.get_int("numero")
    contact = q.get_int("idContato")
    store = q.get_int("idLoja")
    first = q.get_date("dataInicial")
    last = q.get_date("dataFinal")
    check_period(_as_datetime(first), _as_datetime(last), "dataInicial", "dataFinal")
    changed_from = q.get_datetime("dataAlteracaoInicial")
    changed_to = q.get_datetime("dataAlteracaoFinal")
    check_period(changed_from, changed_to, "dataAlteracaoInicial", "dataAlteracaoFinal")

    def keep(o: Order) -> bool:
        if numeros_loja and o.numero_loja not in numeros_loja:
            return False
        if statuses and o.situacao_id not in statuses:
            return False
        if numero is not None and o.numero != numero:
            return False
        if contact is not None and o.contato_id != contact:
            return False
        if store is not None and o.loja_id != store:
            return False
        if first is not None and o.data < first:
            return False
        if last is not None and o.data > last:
            return False
        changed = naive(o.changed_at)
        if changed_from is not None and (changed is None or changed < changed_from):
            return False
        return not (changed_to is not None and (changed is None or changed > changed_to))

    rows = sorted(
        (o for o in ctx.state.orders.values() if keep(o)), key=lambda o: o.id, reverse=True
    )
    return data([order_row(ctx, o) for o in paginate(q, rows)])


def get_order_or_404(ctx: Ctx, raw_id: str) -> Order:
    order = ctx.state.orders.get(int(raw_id))
    if order is None:
        raise not_found("Pedido de venda não encontrado.")
    return order


def get_order(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    return data(order_detail(ctx, get_order_or_404(ctx, params["idPedidoVenda"])))


def set_order_status(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    """PATCH /pedidos/vendas/{id}/situacoes/{idSituacao}; may launch stock by account setting."""
    order = get_order_or_404(ctx, params["idPedidoVenda"])
    status_id = int(params["idSituacao"])
    status = ctx.state.statuses.get(status_id)
    sales = ctx.state.sales_module()
    if status is None or sales is None or status.module_id != sales.id:
        message = "Situação inválida para pedidos de venda."
        raise validation_error(
            "Não foi possível alterar a situação",
            message,
            [field_error(CODE_BAD_STATUS, message, "situacao", NS)],
        )
    order.situacao_id = status.id
    order.changed_at = ctx.now()
    auto = ctx.config.auto_launch_status
    if auto and status.nome.casefold() == auto.casefold() and order.stock_deposit_id is None:
        deposit = ctx.state.default_deposit()
        if deposit is not None:
            launch_stock(ctx, order, deposit.id, note="Lançamento automático pela situação")
    return no_content()
