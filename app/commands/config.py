"""`ponte-bling config set|get KEY [VALUE...]`: settings from the command line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.commands.context import CliContext
from app.sync.configuration import CONFIG_KEYS, config_key, set_config, show_config


def register(subparsers: Any) -> None:
    keys = ", ".join(CONFIG_KEYS)
    parser = subparsers.add_parser(
        "config",
        help="lê e altera configurações",
        description=f"Lê e altera as configurações do Ponte. Chaves: {keys}.",
    )
    actions = parser.add_subparsers(dest="config_action", metavar="AÇÃO", required=True)
    set_parser = actions.add_parser(
        "set",
        help="altera uma configuração (sem valor: limpa)",
        description="Altera uma configuração. Sem VALOR (ou com um valor vazio) a chave é limpa. "
        + " ".join(f"{k.name}: {k.help}." for k in CONFIG_KEYS.values()),
    )
    set_parser.add_argument("key", metavar="CHAVE")
    set_parser.add_argument("values", metavar="VALOR", nargs="*")
    set_parser.set_defaults(func=_set)
    get_parser = actions.add_parser("get", help="mostra uma configuração (sem CHAVE: todas)")
    get_parser.add_argument("key", metavar="CHAVE", nargs="?")
    get_parser.set_defaults(func=_get)


def _set(args: argparse.Namespace, ctx: CliContext) -> int:
    config_key(args.key)  # unknown keys fail before the database is opened
    ctx.db()
    _, warnings = set_config(args.key, args.values)
    for warning in warnings:
        print(warning, file=sys.stderr)
    print(f"{args.key} = {show_config(args.key)}")
    return 0


def _get(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.key is not None:
        config_key(args.key)
    ctx.db()
    names = [args.key] if args.key is not None else list(CONFIG_KEYS)
    for name in names:
        print(f"{name} = {show_config(name)}")
    return 0
