"""Formas de pagamento, depósitos and status modules: read-only account settings."""

from __future__ import annotations

from typing import Any

from app.simulator.context import Ctx, paginate
from app.simulator.errors import not_found
from app.simulator.http import Request, Response, data
from app.simulator.models import Deposit, PaymentForm

CARD_TYPES = (3, 4, 5)


def forma_row(forma: PaymentForm) -> dict[str, Any]:
    return {
        "id": forma.id,
        "descricao": forma.descricao,
        "tipoPagamento": forma.tipo_pagamento,
        "situacao": forma.situacao,
        "fixa": forma.tipo_pagamento == 1,
        "padrao": forma.padrao,
        "finalidade": forma.finalidade,
        "juros": 0,
        "multa": 0,
    }


def forma_detail(forma: PaymentForm) -> dict[str, Any]:
    out = forma_row(forma)
    out.update(
        {
            "condicao": "1x",
            "destino": 3 if forma.tipo_pagamento == 1 else 1,
            "utilizaDiasUteis": False,
            "taxas": {"aliquota": 0, "valor": 0, "prazo": 0},
        }
    )
    if forma.tipo_pagamento in CARD_TYPES and forma.bandeira is not None:
        out["dadosCartao"] = {
            "bandeira": forma.bandeira,
            "tipo": forma.card_kind,
            "cnpjCredenciadora": forma.cnpj_credenciadora,
            "autoLiquidacao": 0,
        }
    return out


def list_formas(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    q = req.query
    situacao = q.get_int("situacao")
    types = set(q.get_int_list("tiposPagamentos"))
    text = (q.get("descricao") or "").casefold()
    rows = [
        f
        for f in sorted(ctx.state.formas.values(), key=lambda f: f.id)
        if (situacao is None or f.situacao == situacao)
        and (not types or f.tipo_pagamento in types)
        and (not text or text in f.descricao.casefold())
    ]
    return data([forma_row(f) for f in paginate(q, rows)])


def get_forma(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    forma = ctx.state.formas.get(int(params["idFormaPagamento"]))
    if forma is None:
        raise not_found("Forma de pagamento não encontrada.")
    return data(forma_detail(forma))


def deposit_row(deposit: Deposit) -> dict[str, Any]:
    return {
        "id": deposit.id,
        "descricao": deposit.descricao,
        "situacao": deposit.situacao,
        "padrao": deposit.padrao,
        "desconsiderarSaldo": deposit.desconsiderar_saldo,
    }


def list_depositos(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    q = req.query
    situacao = q.get_int("situacao", 1)
    text = (q.get("descricao") or "").casefold()
    rows = [
        d
        for d in sorted(ctx.state.depositos.values(), key=lambda d: d.id)
        if d.situacao == situacao and (not text or text in d.descricao.casefold())
    ]
    return data([deposit_row(d) for d in paginate(q, rows)])


def get_deposito(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    deposit = ctx.state.depositos.get(int(params["idDeposito"]))
    if deposit is None:
        raise not_found("Depósito não encontrado.")
    return data(deposit_row(deposit))


def list_modules(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    return data(
        [
            {
                "id": m.id,
                "nome": m.nome,
                "descricao": m.descricao,
                "criarSituacoes": m.criar_situacoes,
            }
            for m in sorted(ctx.state.modules.values(), key=lambda m: m.id)
        ]
    )


def list_module_statuses(ctx: Ctx, req: Request, params: dict[str, str]) -> Response:
    module_id = int(params["idModuloSistema"])
    if module_id not in ctx.state.modules:
        raise not_found("Módulo não encontrado.")
    statuses = sorted(
        (s for s in ctx.state.statuses.values() if s.module_id == module_id), key=lambda s: s.id
    )
    return data(
        [{"id": s.id, "nome": s.nome, "idHerdado": s.id_herdado, "cor": s.cor} for s in statuses]
    )
