"""`ponte-bling login`: connect Ponte to the store's Bling account (OAuth2 in the browser)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import webbrowser
from typing import Any

from app.bling.login_flow import run_login
from app.bling.loopback import DEFAULT_REDIRECT_URI, parse_redirect_uri
from app.commands.context import CliContext
from app.credentials import ClientCredentials, CredentialStore
from app.errors import ConfigError
from app.timeutil import format_br_datetime


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "login",
        help="conectar o Ponte ao Bling (autorização no navegador)",
        description=(
            "Conecta o Ponte à conta do Bling. O client id e o client secret do aplicativo vêm "
            "de PONTE_CLIENT_ID/PONTE_CLIENT_SECRET ou são pedidos sem aparecer na tela."
        ),
    )
    parser.add_argument(
        "--redirect-uri",
        default=DEFAULT_REDIRECT_URI,
        help=f"endereço de retorno cadastrado no aplicativo do Bling (padrão: {DEFAULT_REDIRECT_URI})",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="não abrir o navegador: mostra o endereço de autorização na primeira linha",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="segundos de espera pela autorização (padrão: 300)",
    )
    parser.set_defaults(func=handle)


def _client_credentials(store: CredentialStore) -> ClientCredentials:
    client_id = os.environ.get("PONTE_CLIENT_ID", "").strip()
    secret = os.environ.get("PONTE_CLIENT_SECRET", "").strip()
    if not client_id or not secret:
        if not sys.stdin or not sys.stdin.isatty():
            saved = store.get_client()
            if saved is not None and not client_id and not secret:
                return saved
            raise ConfigError(
                "Informe o client id e o client secret do aplicativo do Bling nas variáveis "
                "PONTE_CLIENT_ID e PONTE_CLIENT_SECRET, ou rode o comando num terminal."
            )
        client_id = client_id or getpass.getpass("Client id do aplicativo do Bling: ").strip()
        secret = secret or getpass.getpass("Client secret do aplicativo do Bling: ").strip()
    if not client_id or not secret:
        raise ConfigError("O client id e o client secret do aplicativo do Bling são obrigatórios.")
    return ClientCredentials(client_id, secret)


def handle(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.timeout <= 0:
        raise ConfigError("--timeout precisa ser maior que zero.")
    parse_redirect_uri(args.redirect_uri)  # refuse a bad redirect before asking for secrets
    store = CredentialStore.for_url(ctx.bling_url)
    client = _client_credentials(store)

    def show(url: str) -> None:
        if args.no_browser:
            print(url, flush=True)
            print(
                "Abra o endereço acima no navegador e aprove o acesso do Ponte. Aguardando...",
                flush=True,
            )
            return
        print("Abrindo o navegador para autorizar o Ponte no Bling...", flush=True)
        if not webbrowser.open(url):
            print(f"Não foi possível abrir o navegador. Abra este endereço: {url}", flush=True)

    tokens = run_login(
        ctx.bling_url,
        client,
        redirect_uri=args.redirect_uri,
        credentials=store,
        show_url=show,
        timeout=args.timeout,
    )
    refresh = tokens.refresh_expires_at
    print(
        "Conectado ao Bling. O acesso é renovado automaticamente"
        + (f"; a autorização vale até {format_br_datetime(refresh)}." if refresh else "."),
        flush=True,
    )
    return 0
