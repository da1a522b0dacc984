"""`ponte-bling payments list|set|suggest|accept|formas`: the DE-PARA of PDV tenders → Bling formas."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.commands.context import CliContext
from app.store.models import PaymentForm
from app.sync.mappings import (
    SYNC_FIRST,
    PaymentRow,
    accept_suggestions,
    compute_suggestions,
    list_payment_forms,
    list_payment_rows,
    release_held,
    require_catalog,
    set_payment_mapping,
)
from app.sync.report import format_table
from app.sync.tenders import TENDER_NAMES, brand_label, tender_label


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "payments",
        help="DE-PARA: formas de pagamento do PDV → formas de pagamento do Bling",
        description=(
            "As formas de pagamento não são sincronizadas sozinhas: cada forma da NFC-e (tPag, "
            "e a bandeira do cartão quando houver) precisa de uma forma de pagamento do Bling. "
            "Vendas com forma sem DE-PARA ficam retidas até a associação."
        ),
    )
    actions = parser.add_subparsers(dest="payments_action", metavar="AÇÃO", required=True)
    actions.add_parser("list", help="mostra a tabela DE-PARA").set_defaults(func=_list)
    set_parser = actions.add_parser("set", help="associa uma forma do PDV a uma forma do Bling")
    set_parser.add_argument("code", metavar="CÓDIGO", help="código tPag da NFC-e (ex.: 03)")
    set_parser.add_argument("--brand", metavar="BANDEIRA", help="bandeira (código tBand ou nome)")
    target = set_parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--forma", type=int, metavar="ID", help="id da forma de pagamento no Bling")
    target.add_argument("--clear", action="store_true", help="remove a associação")
    set_parser.set_defaults(func=_set)
    actions.add_parser("suggest", help="calcula sugestões (não aplica nada)").set_defaults(
        func=_suggest
    )
    accept_parser = actions.add_parser(
        "accept", help="aplica as sugestões (todas as linhas sem forma, ou a linha indicada)"
    )
    accept_parser.add_argument("code", metavar="CÓDIGO", nargs="?")
    accept_parser.add_argument("--brand", metavar="BANDEIRA")
    accept_parser.set_defaults(func=_accept)
    actions.add_parser(
        "formas", help="lista as formas de pagamento do Bling (catálogo local)"
    ).set_defaults(func=_formas)


def _forma_text(forma_id: int | None, description: str | None) -> str:
    if forma_id is None:
        return "—"
    return f"{forma_id} {description or '(não sincronizada)'}"


def _print_grid(rows: list[PaymentRow]) -> None:
    print(
        format_table(
            ["Código", "Forma no PDV", "Bandeira", "Forma no Bling", "Sugestão", "Vendas retidas"],
            [
                [
                    r.tender_code,
                    r.tender_name,
                    brand_label(r.card_brand) if r.card_brand else "(todas)",
                    _forma_text(r.forma_id, r.forma_description),
                    _forma_text(r.suggested_forma_id, r.suggested_description)
                    if r.suggested_forma_id is not None
                    else "",
                    r.waiting_sales,
                ]
                for r in rows
            ],
        )
    )


def _list(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    if not PaymentForm.select().exists():
        print(
            f"Atenção: não há formas de pagamento no catálogo local. {SYNC_FIRST}", file=sys.stderr
        )
    rows = list_payment_rows()
    if not rows:
        print("Nenhuma forma de pagamento das vendas ainda. Formas conhecidas da NFC-e:")
        for code, name in TENDER_NAMES.items():
            print(f"  {code} {name}")
        return 0
    _print_grid(rows)
    return 0


def _set(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    row = set_payment_mapping(args.code, args.brand, None if args.clear else args.forma)
    what = tender_label(row.tender_code) + (
        f", bandeira {brand_label(row.card_brand)}" if row.card_brand else ""
    )
    if row.forma_id is None:
        print(f"DE-PARA removido: {what}.")
    else:
        form = PaymentForm.get_or_none(PaymentForm.id == row.forma_id)
        print(f"DE-PARA: {what} → {_forma_text(row.forma_id, form.description if form else None)}.")
    _print_released(release_held())
    return 0


def _suggest(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    require_catalog(PaymentForm, "formas de pagamento")
    found = compute_suggestions()
    _print_grid(list_payment_rows())
    print(
        f"{found} linha(s) com sugestão. Nada foi aplicado: confira e use "
        "'ponte-bling payments accept' (todas) ou 'ponte-bling payments accept CÓDIGO [--brand B]'."
    )
    return 0


def _accept(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    require_catalog(PaymentForm, "formas de pagamento")
    if args.code is None and args.brand:
        print("Informe o CÓDIGO junto com --brand.", file=sys.stderr)
        return 2
    accepted = accept_suggestions(args.code, args.brand)
    print(f"{accepted} sugestão(ões) aplicada(s).")
    _print_released(release_held())
    return 0


def _formas(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    forms = list_payment_forms()
    if not forms:
        print(f"Não há formas de pagamento no catálogo local. {SYNC_FIRST}", file=sys.stderr)
        return 1
    print(
        format_table(
            ["Id", "Descrição", "Tipo", "Situação"],
            [
                [
                    f.id,
                    f.description,
                    tender_label(f"{f.payment_type:02d}"),
                    ("ativa" if f.active else "inativa") + (", padrão" if f.is_default else ""),
                ]
                for f in forms
            ],
        )
    )
    return 0


def _print_released(keys: list[str]) -> None:
    if keys:
        print(f"{len(keys)} venda(s) liberada(s) para envio.")
