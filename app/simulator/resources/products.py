"""GET/POST /produtos, detail, variations, status changes."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from app.simulator.context import Ctx, check_period, naive, paginate
from app.simulator.errors import ApiError, field_error, not_found, validation_error
from app.simulator.http import Request, Response, data, no_content
from app.simulator.models import Product

NS = "PRODUTOS"
_CRITERIA: dict[int, Callable[[Product], bool]] = {
    1: lambda p: p.situacao != "E",  # últimos incluídos (newest first)
    2: lambda p: p.situacao == "A",
    3: lambda p: p.situacao == "I",
    4: lambda p: p.situacao == "E",
    5: lambda p: True,
}
_KINDS: dict[str, Callable[[Product], bool]] = {
    "T": lambda p: True,
    "P": lambda p: p.tipo == "P",
    "S": lambda p: p.tipo == "S",
    "E": lambda p: p.formato == "E",
    "PS": lambda p: p.formato == "S" and p.parent_id is None and p.tipo == "P",
    "C": lambda p: p.is_parent,
    "V": lambda p: p.parent_id is not None,
}


def _stock_total(ctx: Ctx, product: Product) -> Decimal:
    state = ctx.state
    if product.is_parent:
        children = [c for c in state.products.values() if c.parent_id == product.id]
        return sum((_stock_total(ctx, c) for c in children), Decimal("0"))
    return sum(
        (
            state.balance(d.id, product.id)
            for d in state.depositos.values()
            if not d.desconsiderar_saldo
        ),
        Decimal("0"),
    )


def list_row(ctx: Ctx, product: Product, *, with_gtin: bool = False) -> dict[str, Any]:
    row: dict[str, Any] = {"id": product.id}
    if product.parent_id is not None:
        row["idProdutoPai"] = product.parent_id
    row.update(
        {
            "nome": product.nome,
            "codigo": product.codigo,
            "preco": product.preco,
            "precoCusto": Decimal("0"),
            "estoque": {"saldoVirtualTotal": _stock_total(ctx, product)},
            "tipo": product.tipo,
            "situacao": product.situacao,
            "formato": product.formato,
            "descricaoCurta": product.descricao_curta,
            "imagemURL": "",
        }
    )
    if with_gtin:
        row["gtin"] = product.gtin
    return row


def _detail_fields(ctx: Ctx, product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "nome": product.nome,
        "codigo": product.codigo,
        "preco": product.preco,
        "tipo": product.tipo,
        "situacao": product.situacao,
        "formato": product.formato,
        "descricaoCurta": product.descricao_curta,
        "imagemURL": "",
        "unidade": product.unidade,
        "pesoLiquido": 0,
        "pesoBruto": 0,
        "volumes": 0,
        "itensPorCaixa": 0,
        "gtin": product.gtin,
        "gtinEmbalagem": "",
        "tipoProducao": "P",
        "condicao": 0,
        "freteGratis": False,
        "marca": product.marca,
        "descricaoComplementar": "",
        "linkExterno": "",
        "observacoes": "",
        "descricaoEmbalagemDiscreta": "",
        "estoque": {
            "minimo": 0,
            "maximo": 0,
            "crossdocking": 0,
            "localizacao": "",
            "saldoVirtualTotal": _stock_total(ctx, product),
        },
        "tributacao": {"origem": 0, "ncm": "", "cest": ""},
    }


def _variation_block(product: Product) -> dict[str, Any]:
    return {
        "nome": product.variation_name,
        "ordem": product.variation_order,
        "produtoPai": {"id": product.parent_id, "cloneInfo": True},
    }


def product_detail(ctx: Ctx, product: Product) -> dict[str, Any]:
    """GET /produtos/{id}: parents carry `variacoes`, variations carry `variacao`."""
    out = _detail_fields(ctx, product)
    if product.parent_id is not None:
        out["variacao"] = _variation_block(product)
    if product.is_parent:
        out["variacoes"] = [_child_detail(ctx, child) for child in children_of(ctx, product.id)]
    return out


def _child_detail(ctx: Ctx, child: Product) -> dict[str, Any]:
    out = _detail_fields(ctx, child)
    out["variacao"] = _variation_block(child)
    return out


def children_of(ctx: Ctx, parent_id: int) -> list[Product]:
    children = [
        p for p in ctx.state.products.values() if p.parent_id == parent_id and p.situacao != "E"
    ]
    return sorted(children, key=lambda p: (p.variation_order, p.id))


def list_products(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    q = req.query
    criterio = q.get_int("criterio", 1)
    if criterio not in _CRITERIA:
        raise validation_error("Parâmetro inválido", "criterio deve ser 1, 2, 3, 4 ou 5.")
    tipo = q.get_choice("tipo", tuple(_KINDS), "T") or "T"
    codes = set(q.get_list("codigos"))
    gtins = set(q.get_list("gtins"))
    ids = set(q.get_int_list("idsProdutos"))
    name = (q.get("nome") or "").casefold()
    changed_from = q.get_datetime("dataAlteracaoInicial")
    changed_to = q.get_datetime("dataAlteracaoFinal")
    check_period(changed_from, changed_to, "dataAlteracaoInicial", "dataAlteracaoFinal")
    created_from = q.get_datetime("dataInclusaoInicial")
    created_to = q.get_datetime("dataInclusaoFinal")
    check_period(created_from, created_to, "dataInclusaoInicial", "dataInclusaoFinal")
    stock_filter = q.get_int("filtroSaldoEstoque")
    keep_criterio = _CRITERIA[criterio]
    keep_kind = _KINDS[tipo]

    def keep(p: Product) -> bool:
        if not keep_criterio(p) or not keep_kind(p):
            return False
        if codes and p.codigo not in codes:
            return False
        if gtins and p.gtin not in gtins:
            return False
        if ids and p.id not in ids:
            return False
        if name and name not in p.nome.casefold():
            return False
        changed = naive(p.changed_at)
        if changed_from and (changed is None or changed < changed_from):
            return False
        if changed_to and (changed is None or changed > changed_to):
            return False
        created = naive(p.created_at)
        if created_from and (created is None or created < created_from):
            return False
        if created_to and (created is None or created > created_to):
            return False
        if stock_filter is not None:
            total = _stock_total(ctx, p)
            wanted = {0: total == 0, 1: total > 0, 2: total < 0}.get(stock_filter, True)
            if not wanted:
                return False
        return True

    rows = [p for p in ctx.state.products.values() if keep(p)]
    # "últimos incluídos" lists newest first; the other criteria keep insertion order.
    rows.sort(key=lambda p: p.id, reverse=criterio == 1)
    page = paginate(q, rows)
    return data([list_row(ctx, p, with_gtin=bool(gtins)) for p in page])


def _get_product(ctx: Ctx, raw_id: str) -> Product:
    product = ctx.state.products.get(int(raw_id))
    if product is None or product.situacao == "E":
        raise not_found("Produto não encontrado.")
    return product


def get_product(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    return data(product_detail(ctx, _get_product(ctx, params["idProduto"])))


def get_variations(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    product = _get_product(ctx, params["idProdutoPai"])
    if not product.is_parent:
        raise not_found("O produto informado não possui variações.")
    return data(product_detail(ctx, product))


def _text(body: dict[str, Any], key: str, default: str = "") -> str:
    value = body.get(key, default)
    return str(value) if value is not None else default


def _price(value: Any, element: str) -> Decimal:
    try:
        price = Decimal(str(value if value is not None else 0))
    except InvalidOperation:
        raise validation_error(
            "Não foi possível salvar o produto",
            "Preço inválido.",
            [field_error(0, "Preço inválido.", element, NS)],
        ) from None
    return price


def _check_code_free(ctx: Ctx, code: str, element: str, own_id: int | None = None) -> None:
    if not code:
        return
    existing = ctx.state.product_by_code(code)
    if existing is not None and existing.id != own_id:
        message = f"O código {code} já está sendo utilizado por outro produto."
        raise validation_error(
            "Não foi possível salvar o produto",
            "O produto não pode ser salvo, pois ocorreram problemas em sua validação.",
            [field_error(1, message, element, NS)],
        )


def create_product(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    body = req.json(decimal=True)
    if not isinstance(body, dict):
        raise ApiError(
            400, "INVALID_REQUEST_BODY", "Corpo da requisição inválido", "Esperado um objeto JSON."
        )
    missing = [k for k in ("nome", "tipo", "formato") if not body.get(k)]
    if missing:
        raise ApiError(
            400,
            "MISSING_REQUIRED_FIELD_ERROR",
            "Campos obrigatórios não informados",
            "Informe: " + ", ".join(missing) + ".",
            [field_error(0, "Campo obrigatório não informado.", m, NS) for m in missing],
        )
    code = _text(body, "codigo")
    _check_code_free(ctx, code, "codigo")
    variations = body.get("variacoes") or []
    formato = _text(body, "formato")
    if variations and formato != "V":
        raise validation_error(
            "Não foi possível salvar o produto",
            "Produtos com variações devem ter formato V.",
            [field_error(0, "Produtos com variações devem ter formato V.", "formato", NS)],
        )
    seen_codes = {code} if code else set()
    for index, variation in enumerate(variations):
        vcode = _text(variation, "codigo")
        _check_code_free(ctx, vcode, f"variacoes[{index}].codigo")
        if vcode and vcode in seen_codes:
            raise validation_error(
                "Não foi possível salvar o produto",
                f"Código {vcode} repetido.",
                [field_error(1, f"Código {vcode} repetido.", f"variacoes[{index}].codigo", NS)],
            )
        seen_codes.add(vcode)
    now = ctx.now()
    state = ctx.state
    parent = Product(
        state.new_id(),
        _text(body, "nome"),
        code,
        _price(body.get("preco"), "preco"),
        tipo=_text(body, "tipo", "P"),
        situacao=_text(body, "situacao", "A") or "A",
        formato=formato,
        unidade=_text(body, "unidade", "UN") or "UN",
        gtin=_text(body, "gtin"),
        marca=_text(body, "marca"),
        descricao_curta=_text(body, "descricaoCurta"),
        created_at=now,
        changed_at=now,
    )
    state.products[parent.id] = parent
    saved = []
    for index, variation in enumerate(variations):
        block = variation.get("variacao") or {}
        child = Product(
            state.new_id(),
            _text(variation, "nome") or f"{parent.nome} {index + 1}",
            _text(variation, "codigo"),
            _price(variation.get("preco", body.get("preco")), f"variacoes[{index}].preco"),
            tipo=parent.tipo,
            situacao=_text(variation, "situacao", parent.situacao) or parent.situacao,
            formato=_text(variation, "formato", "S") or "S",
            unidade=_text(variation, "unidade", parent.unidade) or parent.unidade,
            gtin=_text(variation, "gtin"),
            marca=parent.marca,
            parent_id=parent.id,
            variation_name=str(block.get("nome") or ""),
            variation_order=int(block.get("ordem") or index + 1),
            created_at=now,
            changed_at=now,
        )
        state.products[child.id] = child
        saved.append({"id": child.id, "variations": {}, "warnings": []})
    result: dict[str, Any] = {"id": parent.id, "warnings": []}
    if saved:
        result["variations"] = {"saved": saved}
    return data(result, 201)


def patch_product(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    """PATCH /produtos/{id}: partial change of the simple fields the simulator keeps."""
    product = _get_product(ctx, params["idProduto"])
    body = req.json(decimal=True)
    if not isinstance(body, dict):
        raise ApiError(
            400, "INVALID_REQUEST_BODY", "Corpo da requisição inválido", "Esperado um objeto JSON."
        )
    if "codigo" in body:
        _check_code_free(ctx, _text(body, "codigo"), "codigo", product.id)
        product.codigo = _text(body, "codigo")
    if "preco" in body:
        product.preco = _price(body["preco"], "preco")
    for key, attr in (
        ("nome", "nome"),
        ("gtin", "gtin"),
        ("unidade", "unidade"),
        ("marca", "marca"),
        ("descricaoCurta", "descricao_curta"),
    ):
        if key in body:
            setattr(product, attr, _text(body, key))
    if body.get("situacao") in ("A", "I"):
        product.situacao = body["situacao"]
    product.changed_at = ctx.now()
    return data({"id": product.id, "warnings": []}, 200)


def set_product_status(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    """PATCH /produtos/{id}/situacoes {"situacao": "A"|"I"|"E"}."""
    product = _get_product(ctx, params["idProduto"])
    body = req.json()
    situacao = body.get("situacao") if isinstance(body, dict) else None
    if situacao not in ("A", "I", "E"):
        message = "Situação inválida. Use A, I ou E."
        raise validation_error(
            "Situação inválida", message, [field_error(0, message, "situacao", NS)]
        )
    product.situacao = situacao
    product.changed_at = ctx.now()
    if product.is_parent:
        for child in children_of(ctx, product.id):
            child.situacao = situacao
            child.changed_at = product.changed_at
    return no_content()
