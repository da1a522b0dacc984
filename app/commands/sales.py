"""`ponte-bling sales list|retry|ignore|move`: the sales queue from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any

from app.commands.context import CliContext
from app.errors import ConfigError
from app.store.models import SALE_STATES, Sale
from app.sync.transitions import STATE_LABELS, ignore_sale, move_sale, retry_sale
from app.timeutil import format_br_datetime, format_brl, to_sao_paulo

CENT = Decimal("0.01")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sales",
        help="lista as vendas e age sobre uma venda (tentar de novo, ignorar, mudar depósito)",
        description="A fila de vendas do PDV e o que aconteceu com cada uma no Bling.",
    )
    actions = parser.add_subparsers(dest="action", metavar="AÇÃO", required=True)

    listing = actions.add_parser("list", help="lista as vendas")
    listing.add_argument(
        "--state",
        choices=SALE_STATES,
        help="só as vendas nesta situação",
    )
    listing.add_argument("--json", action="store_true", help="saída em JSON (para scripts)")
    listing.add_argument("--limit", type=int, default=0, help="no máximo N vendas (0 = todas)")
    listing.set_defaults(func=handle_list)

    retry = actions.add_parser(
        "retry", help="tenta de novo uma venda com erro (ou confere de novo uma retida)"
    )
    retry.add_argument("key", metavar="CHAVE", help="chave de acesso (ou seu final)")
    retry.set_defaults(func=handle_retry)

    ignore = actions.add_parser("ignore", help="nunca enviar esta venda ao Bling")
    ignore.add_argument("key", metavar="CHAVE", help="chave de acesso (ou seu final)")
    ignore.set_defaults(func=handle_ignore)

    move = actions.add_parser(
        "move", help="baixa o estoque desta venda de outro depósito (estorna e lança de novo)"
    )
    move.add_argument("key", metavar="CHAVE", help="chave de acesso (ou seu final)")
    move.add_argument(
        "--deposit", type=int, required=True, metavar="ID", help="id do depósito no Bling"
    )
    move.set_defaults(func=handle_move)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT))


def sale_to_json(sale: Sale) -> dict[str, Any]:
    """One sale for `sales list --json`: money as strings, times ISO 8601 with offset."""
    return {
        "key": sale.key,
        "number": sale.number,
        "series": sale.series,
        "issued_at": to_sao_paulo(sale.issued_at).isoformat(),
        "store_cnpj": sale.store_cnpj,
        "total": _money(sale.total),
        "state": sale.state,
        "hold_reason": sale.hold_reason,
        "error_title": sale.error_title,
        "error_message": sale.error_message,
        "bling_order_id": sale.bling_order_id,
        "deposit_override_id": sale.deposit_override_id,
        "stock_deposit_id": sale.stock_deposit_id,
        "stock_launched": bool(sale.stock_launched),
        "cancel_requested": bool(sale.cancel_requested),
        "attempts": sale.attempts,
        "next_attempt_at": (
            to_sao_paulo(sale.next_attempt_at).isoformat() if sale.next_attempt_at else None
        ),
    }


def handle_list(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    query = Sale.select().order_by(Sale.issued_at.desc(), Sale.key)
    if args.state:
        query = query.where(Sale.state == args.state)
    if args.limit and args.limit > 0:
        query = query.limit(args.limit)
    sales = list(query)
    if args.json:
        json.dump([sale_to_json(s) for s in sales], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if not sales:
        print("Nenhuma venda" + (f" na situação {args.state}." if args.state else "."))
        return 0
    for sale in sales:
        reason = sale.error_message or sale.hold_reason or ""
        order = f"pedido {sale.bling_order_id}" if sale.bling_order_id else ""
        deposit = f"depósito {sale.stock_deposit_id}" if sale.stock_launched else ""
        print(
            f"{sale.key}  nº {sale.number:<7} {format_br_datetime(sale.issued_at)}  "
            f"{format_brl(sale.total):>13}  {STATE_LABELS.get(sale.state, sale.state):<17} "
            + "  ".join(part for part in (order, deposit, reason) if part)
        )
    print(f"{len(sales)} venda(s).")
    return 0


def handle_retry(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    sale = retry_sale(args.key)
    print(
        f"Venda {sale.number} ({sale.key}): {STATE_LABELS[sale.state]}. "
        "Será processada no próximo ciclo (ponte-bling sync --once)."
    )
    return 0


def handle_ignore(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    sale = ignore_sale(args.key)
    print(f"Venda {sale.number} ({sale.key}) ignorada: não será enviada ao Bling.")
    return 0


def handle_move(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    if args.deposit <= 0:
        raise ConfigError("Informe o id de um depósito do Bling (ponte-bling stores list).")
    sale = move_sale(args.key, args.deposit)
    if sale.stock_launched and sale.stock_deposit_id != args.deposit:
        print(
            f"Venda {sale.number}: o estoque sai do depósito {sale.stock_deposit_id} e vai para "
            f"o {args.deposit} no próximo ciclo (ponte-bling sync --once)."
        )
    else:
        print(f"Venda {sale.number}: o estoque sairá do depósito {args.deposit}.")
    return 0
