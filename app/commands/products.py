"""`ponte-bling products link|unlink|links|search`: manual links PDV code → Bling product."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import peewee

from app.commands.context import CliContext
from app.store.models import Product
from app.sync.mappings import SYNC_FIRST, link_product, list_links, release_held, unlink_product
from app.sync.report import format_table

KIND_NAMES = {"simple": "simples", "parent": "pai (com variações)", "variation": "variação"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "products",
        help="vínculos manuais de códigos do PDV a produtos do Bling",
        description=(
            "Os itens vendidos são achados no Bling pelo código (SKU), depois pelo GTIN. "
            "Um vínculo manual vale acima dos dois. Produtos pai com variações não podem ser "
            "vendidos: vincule a uma variação."
        ),
    )
    actions = parser.add_subparsers(dest="products_action", metavar="AÇÃO", required=True)
    link_parser = actions.add_parser("link", help="vincula um código do PDV a um produto do Bling")
    link_parser.add_argument("code", metavar="CÓDIGO", help="código do produto no PDV (cProd)")
    link_parser.add_argument(
        "--product", type=int, required=True, metavar="ID", help="id do produto no Bling"
    )
    link_parser.set_defaults(func=_link)
    unlink_parser = actions.add_parser("unlink", help="remove o vínculo manual de um código")
    unlink_parser.add_argument("code", metavar="CÓDIGO")
    unlink_parser.set_defaults(func=_unlink)
    actions.add_parser("links", help="lista os vínculos manuais").set_defaults(func=_links)
    search_parser = actions.add_parser(
        "search", help="procura produtos no catálogo local por código, GTIN ou nome"
    )
    search_parser.add_argument("text", metavar="TEXTO")
    search_parser.set_defaults(func=_search)


def _link(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    product = link_product(args.code, args.product)
    print(f"Código {args.code.strip()} vinculado ao produto {product.id} ({product.name}).")
    released = release_held()
    if released:
        print(f"{len(released)} venda(s) liberada(s) para envio.")
    return 0


def _unlink(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    if not unlink_product(args.code):
        print(f"O código {args.code} não tem vínculo manual.", file=sys.stderr)
        return 1
    print(f"Vínculo manual do código {args.code} removido.")
    return 0


def _links(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    links = list_links()
    if not links:
        print("Nenhum vínculo manual.")
        return 0
    print(
        format_table(
            ["Código no PDV", "Produto no Bling", "Nome"],
            [
                [lk.code, lk.product_id, p.name if p is not None else "(fora do catálogo local)"]
                for lk, p in links
            ],
        )
    )
    return 0


def _search(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.db()
    if not Product.select().exists():
        print(f"Não há produtos no catálogo local. {SYNC_FIRST}", file=sys.stderr)
        return 1
    text = args.text.strip()
    found = list(
        Product.select()
        .where(
            (Product.code == text)
            | (Product.gtin == text)
            | peewee.fn.LOWER(Product.name).contains(text.lower())
            | Product.code.contains(text)
        )
        .order_by(Product.name, Product.id)
        .limit(50)
    )
    if not found:
        print(f"Nenhum produto do catálogo local corresponde a {text!r}.")
        return 0
    print(
        format_table(
            ["Id", "Código", "GTIN", "Nome", "Tipo", "Situação"],
            [
                [
                    p.id,
                    p.code or "",
                    p.gtin or "",
                    p.name,
                    KIND_NAMES.get(p.kind, p.kind),
                    "ativo" if p.active else "inativo",
                ]
                for p in found
            ],
        )
    )
    return 0
