"""`ponte-bling stores list|set|deposits`: physical stores (emitter CNPJ) and their deposit."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.commands.context import CliContext
from app.store.models import Deposit
from app.sync.mappings import (
    SYNC_FIRST,
    list_deposits,
    list_stores,
    release_held,
    set_store_deposit,
)
from app.sync.report import format_table


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "stores",
        help="lojas (CNPJ emitente) e o depósito de onde sai o estoque",
        description="Cada loja física (CNPJ emitente das notas) baixa o estoque de um depósito do Bling.",
    )
    actions = parser.add_subparsers(dest="stores_action", metavar="AÇÃO", required=True)
    list_parser = actions.add_parser("list", help="lista as lojas, seus depósitos e vendas")
    list_parser.set_defaults(func=_list)
    set_parser = actions.add_parser("set", help="define o depósito de uma loja")
    set_parser.add_argument("cnpj", metavar="CNPJ")
    target = set_parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--deposit", type=int, metavar="ID", help="id do depósito no Bling")
    target.add_argument(
        "--default", action="store_true", help="a loja passa a usar o depósito padrão"
    )
    set_parser.set_defaults(func=_set)
    deposits_parser = actions.add_parser(
        "deposits", help="lista os depósitos do Bling (catálogo local)"
    )
    deposits_parser.set_defaults(func=_deposits)


def _deposit_text(deposit_id: int | None, description: str | None, uses_default: bool) -> str:
    if deposit_id is None:
        return "(sem depósito)"
    text = f"{deposit_id} {description or '(não sincronizado)'}"
    return f"{text} [padrão]" if uses_default else text


def _list(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    rows = list_stores()
    if not rows:
        print("Nenhuma loja conhecida ainda: as lojas aparecem quando as notas do PDV são lidas.")
        return 0
    if not Deposit.select().exists():
        print(f"Atenção: não há depósitos no catálogo local. {SYNC_FIRST}", file=sys.stderr)
    print(
        format_table(
            ["CNPJ", "Nome", "Depósito", "Vendas"],
            [
                [
                    r.cnpj_formatted,
                    r.name,
                    _deposit_text(r.effective_deposit_id, r.deposit_description, r.uses_default),
                    r.sales_count,
                ]
                for r in rows
            ],
        )
    )
    return 0


def _set(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    deposit_id = None if args.default else args.deposit
    store = set_store_deposit(args.cnpj, deposit_id)
    row = next(r for r in list_stores() if r.cnpj == store.cnpj)
    print(
        f"Loja {row.cnpj_formatted}: depósito "
        f"{_deposit_text(row.effective_deposit_id, row.deposit_description, row.uses_default)}."
    )
    _print_released(release_held())
    return 0


def _deposits(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    deposits = list_deposits()
    if not deposits:
        print(f"Não há depósitos no catálogo local. {SYNC_FIRST}", file=sys.stderr)
        return 1
    print(
        format_table(
            ["Id", "Descrição", "Situação"],
            [
                [
                    d.id,
                    d.description,
                    ("ativo" if d.active else "inativo")
                    + (", padrão do Bling" if d.is_default else ""),
                ]
                for d in deposits
            ],
        )
    )
    return 0


def _print_released(keys: list[str]) -> None:
    if keys:
        print(f"{len(keys)} venda(s) liberada(s) para envio.")
