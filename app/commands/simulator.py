"""`ponte-bling simulator`: serve the Bling API v3 stand-in on loopback until Ctrl+C."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.commands.context import CliContext
from app.errors import ConfigError
from app.simulator import Faults, SimulatorConfig, SpecError, start_simulator
from app.simulator.seed import parse_seed


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulator",
        help="simulador local do Bling API v3 (para testes e demonstração)",
        description="Serve um simulador da API v3 do Bling em 127.0.0.1 até Ctrl+C.",
    )
    defaults = SimulatorConfig()
    parser.add_argument(
        "--port", type=int, default=8750, help="porta em 127.0.0.1 (padrão: 8750; 0 = livre)"
    )
    parser.add_argument("--client-id", default=defaults.client_id, help="client id do aplicativo")
    parser.add_argument(
        "--client-secret", default=defaults.client_secret, help="client secret do aplicativo"
    )
    parser.add_argument(
        "--redirect-uri",
        default=defaults.redirect_uri,
        help="link de redirecionamento do aplicativo",
    )
    parser.add_argument(
        "--auto-approve", action="store_true", help="autoriza sem mostrar a página de consentimento"
    )
    parser.add_argument(
        "--seed", default=None, help="dados iniciais: 'demo' ou 'bench:N' (padrão: conta vazia)"
    )
    parser.add_argument(
        "--openapi", type=Path, default=None, help="OpenAPI oficial do Bling para validar os corpos"
    )
    parser.add_argument(
        "--faults", default="", help="falhas injetadas, ex.: latency=0.2,error5xx=0.1"
    )
    parser.add_argument(
        "--rate",
        type=int,
        default=defaults.requests_per_second,
        help="requisições por segundo (0 = sem limite)",
    )
    parser.add_argument(
        "--daily",
        type=int,
        default=defaults.requests_per_day,
        help="requisições por dia (0 = sem limite)",
    )
    parser.add_argument(
        "--token-ttl",
        type=int,
        default=defaults.access_token_ttl,
        help="validade do access token em segundos",
    )
    parser.add_argument(
        "--auto-launch-status",
        default=None,
        help="situação que lança o estoque sozinha (ex.: Atendido)",
    )
    parser.set_defaults(func=handle)


def build_config(args: argparse.Namespace) -> SimulatorConfig:
    """SimulatorConfig from the command line; ConfigError (Portuguese) on bad input."""
    try:
        faults = Faults.parse(args.faults or "")
    except ValueError as exc:
        raise ConfigError(f"--faults inválido: {exc}") from None
    try:
        parse_seed(args.seed)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if not 0 <= args.port <= 65535:
        raise ConfigError("--port deve estar entre 0 e 65535.")
    redirect = urlsplit(args.redirect_uri)
    if redirect.scheme not in ("http", "https") or not redirect.hostname:
        raise ConfigError(
            f"--redirect-uri inválido: '{args.redirect_uri}'. Use o endereço completo cadastrado "
            "no aplicativo, por exemplo http://127.0.0.1:8765/callback."
        )
    if args.rate < 0 or args.daily < 0 or args.token_ttl < 1:
        raise ConfigError(
            "--rate e --daily não podem ser negativos e --token-ttl deve ser maior que zero."
        )
    return SimulatorConfig(
        port=args.port,
        client_id=args.client_id,
        client_secret=args.client_secret,
        redirect_uri=args.redirect_uri,
        auto_approve=args.auto_approve,
        seed=args.seed,
        openapi_path=args.openapi,
        faults=faults,
        requests_per_second=args.rate,
        requests_per_day=args.daily,
        access_token_ttl=args.token_ttl,
        auto_launch_status=args.auto_launch_status,
    )


def handle(args: argparse.Namespace, ctx: CliContext) -> int:
    config = build_config(args)
    try:
        simulator = start_simulator(config)
    except SpecError as exc:
        raise ConfigError(f"--openapi: {exc}") from None
    except OSError as exc:
        raise ConfigError(
            f"Não foi possível abrir a porta {config.port} em 127.0.0.1 ({exc.strerror}). Escolha outra com --port."
        ) from None
    print(f"Simulador do Bling em {simulator.base_url}", flush=True)
    print(f"Use: ponte-bling --bling-url {simulator.base_url} …", flush=True)
    print(
        f"Aplicativo: client id '{config.client_id}', redirecionamento {config.redirect_uri}"
        + (" (autorização automática)" if config.auto_approve else ""),
        flush=True,
    )
    print(
        f"Dados: {config.seed or 'conta vazia'}; validação OpenAPI: "
        f"{'sim' if config.openapi_path else 'não'}; falhas: {config.faults.describe()}; "
        f"limite: {config.requests_per_second or 'sem limite'}/s",
        flush=True,
    )
    print("Ctrl+C para encerrar.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("Simulador encerrado.", flush=True)
    finally:
        simulator.stop()
    return 0
