"""`ponte-bling`: the command line. Each subcommand lives in app/commands/<name>.py."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.commands.context import CliContext
from app.config import DEFAULT_BLING_URL, AppPaths, default_data_dir
from app.errors import PonteError
from app.logging_setup import setup_logging

log = logging.getLogger(__name__)

# Modules under app.commands, each with register(subparsers). A missing module is skipped so
# the command line keeps working while a subcommand is being built.
COMMAND_MODULES = (
    "demo",
    "simulator",
    "login",
    "status",
    "inspect",
    "intake",
    "sync",
    "config",
    "stores",
    "payments",
    "products",
    "sales",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="ponte-bling",
        description="Ponte: envia as vendas do PDV (NFC-e) para o Bling como pedidos de venda.",
    )
    parser.add_argument("--version", action="version", version=f"ponte-bling {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="pasta dos dados do Ponte (padrão: a pasta de dados do usuário)",
    )
    parser.add_argument(
        "--bling-url",
        default=DEFAULT_BLING_URL,
        help=f"endereço da API do Bling (padrão: {DEFAULT_BLING_URL})",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log detalhado")
    subparsers = parser.add_subparsers(dest="command", metavar="COMANDO")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"app.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"app.commands.{name}":
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `ponte-bling`; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = AppPaths(args.data_dir or default_data_dir())
    ctx = CliContext(paths=paths, bling_url=args.bling_url.rstrip("/"), verbose=args.verbose)
    handler = getattr(args, "func", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        log_file = setup_logging(paths.logs, verbose=args.verbose)
    except OSError as exc:
        print(
            f"Pasta de dados inválida: não foi possível usar {paths.data_dir} ({exc.strerror}).",
            file=sys.stderr,
        )
        return 2
    try:
        return int(handler(args, ctx))
    except PonteError as exc:
        log.error("%s: %s | %s", exc.title, exc.message, exc.details)
        print(f"{exc.title}: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrompido.", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error in %s", args.command)
        print(
            f"Erro inesperado. Os detalhes foram gravados em {log_file}; envie esse arquivo ao suporte.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
