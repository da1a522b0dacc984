"""`ponte-bling`: the command line. Each subcommand lives in app/commands/<name>.py."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from app import __version__
from app.commands.context import CliContext
from app.config import DEFAULT_BLING_URL, AppPaths, default_data_dir
from app.desktop import desktop_function, has_display
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


# argparse's own words (usage, errors, -h) as the user reads them; argparse looks `_` up at call
# time, so replacing it before the parser is built translates help and errors alike.
_ARGPARSE_PT = {
    "usage: ": "uso: ",
    "positional arguments": "argumentos",
    "options": "opções",
    "show this help message and exit": "mostra esta ajuda e sai",
    "%(prog)s: error: %(message)s\n": "%(prog)s: erro: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "argumentos não reconhecidos: %s",
    "the following arguments are required: %s": "faltam os argumentos: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "opção inválida: %(value)r (escolha entre %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "valor inválido (%(type)s): %(value)r",
    "expected one argument": "falta o valor",
    "expected at least one argument": "falta pelo menos um valor",
    "expected at most one argument": "aceita no máximo um valor",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opção ambígua: %(option)s pode ser %(matches)s"
    ),
    "not allowed with argument %s": "não pode ser usado junto com %s",
    "one of the arguments %s is required": "um destes argumentos é obrigatório: %s",
    "ignored explicit argument %r": "valor ignorado: %r",
    "can't open '%(filename)s': %(error)s": "não foi possível abrir '%(filename)s': %(error)s",
}


def _argparse_pt(message: str) -> str:
    return _ARGPARSE_PT.get(message, message)


def _argparse_ngettext_pt(singular: str, plural: str, count: int) -> str:
    if singular == "expected %s argument":
        return "esperava %s valor" if count == 1 else "esperava %s valores"
    return singular if count == 1 else plural


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every available subcommand."""
    argparse._ = _argparse_pt  # type: ignore[attr-defined]
    argparse.ngettext = _argparse_ngettext_pt  # type: ignore[attr-defined]
    parser = argparse.ArgumentParser(
        prog="ponte-bling",
        description="Ponte: envia as vendas do PDV (NFC-e) para o Bling como pedidos de venda.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"ponte-bling {__version__}",
        help="mostra a versão e sai",
    )
    _add_global_options(parser, defaults=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMANDO")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"app.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"app.commands.{name}":
                continue
            raise
        module.register(subparsers)
    for subparser in _nested_parsers(parser):
        _add_global_options(subparser, defaults=False)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """--data-dir, --bling-url and -v, accepted before or after the subcommand.

    On subcommands the defaults are SUPPRESS so that a value given before the subcommand is
    not overwritten by the subcommand's own default.
    """

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default(None),
        help="pasta dos dados do Ponte (padrão: a pasta de dados do usuário)",
    )
    parser.add_argument(
        "--bling-url",
        type=_bling_url,
        default=default(DEFAULT_BLING_URL),
        help=f"endereço da API do Bling (padrão: {DEFAULT_BLING_URL})",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", default=default(False), help="log detalhado"
    )


def _bling_url(value: str) -> str:
    """An http(s) address with a host; anything else is refused before any request is made."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"endereço do Bling inválido: '{value}'. Use um endereço completo, por exemplo "
            f"{DEFAULT_BLING_URL}"
        )
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"endereço do Bling inválido: '{value}' (porta fora do intervalo 1-65535)."
        ) from None
    return value.strip().rstrip("/")


def _nested_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every subcommand parser below `parser`, at any depth (config set, sales retry, …)."""
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found.append(child)
                found.extend(_nested_parsers(child))
    return found


def _desktop(args: argparse.Namespace, ctx: CliContext) -> int:
    """`ponte-bling` with no subcommand: the desktop app (window + tray)."""
    return int(desktop_function("ui.app", "run_desktop")(ctx.paths, ctx.bling_url))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `ponte-bling`; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = AppPaths(args.data_dir or default_data_dir())
    ctx = CliContext(paths=paths, bling_url=args.bling_url.rstrip("/"), verbose=args.verbose)
    handler = getattr(args, "func", None)
    if handler is None:
        if not has_display():
            parser.print_help()
            return 0
        handler = _desktop
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
    except BrokenPipeError:
        # The reader of our output went away (`| head`): nothing failed on our side.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception:
        log.exception("unexpected error in %s", args.command)
        print(
            f"Erro inesperado. Os detalhes foram gravados em {log_file}; envie esse arquivo ao suporte.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
