"""`ponte-bling demo`: the whole flow against the built-in Bling simulator, in the terminal.

It starts the simulator with a demo store chain, connects through the real OAuth flow (the
simulator approves by itself), writes synthetic NFC-e files into a PDV folder, and runs the
same engine as `ponte-bling sync`: a first cycle holds the sales (no DE-PARA, stores without
deposit), then it accepts the payment suggestions, gives each store its deposit, and a second
cycle sends everything. Demo credentials are fake and live only in memory.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from app.bling.connect import open_api
from app.bling.login_flow import run_login
from app.commands.context import CliContext
from app.commands.sync import ProgressBar, format_summary
from app.config import AppPaths
from app.credentials import ClientCredentials, CredentialStore
from app.desktop import desktop_function, has_display
from app.documents import format_cnpj
from app.errors import ConfigError
from app.memory_keyring import MemoryKeyring
from app.simulator import SimulatorConfig, demo_catalog, start_simulator
from app.sources.generator import catalog_from, write_notes
from app.store.db import close_database, open_database
from app.store.models import Deposit, Sale, StoreLocation
from app.store.settings import XML_FOLDERS, set_setting
from app.sync import mappings
from app.sync.engine import SyncEngine
from app.timeutil import format_brl

STABLE_AFTER_SECONDS = 2.5

# The official spec sits in the shared reference folder beside a source checkout; the demo
# validates order bodies against it when it is there.
_SPEC_CANDIDATES = (
    Path(__file__).resolve().parents[3] / "shared" / "reference" / "bling-openapi.json",
    Path.cwd().parent / "shared" / "reference" / "bling-openapi.json",
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="demonstração completa contra o simulador do Bling",
        description=(
            "Sobe o simulador do Bling com uma rede de lojas de exemplo, conecta pelo fluxo "
            "OAuth, gera notas NFC-e de exemplo numa pasta do PDV e envia as vendas."
        ),
    )
    parser.add_argument("--sales", type=int, default=12, help="quantas notas gerar (padrão 12)")
    parser.add_argument("--openapi", type=Path, default=None, help="arquivo OpenAPI do Bling")
    parser.add_argument(
        "--headless",
        action="store_true",
        help="só no terminal, sem abrir a janela mesmo quando há tela",
    )
    parser.set_defaults(func=handle)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _spec(explicit: Path | None) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"Arquivo OpenAPI não encontrado: {explicit}")
        return explicit
    return next((p for p in _SPEC_CANDIDATES if p.is_file()), None)


def _approve_in_background(url: str) -> None:
    """Play the person clicking 'Autorizar': the simulator redirects to our loopback callback."""
    print("  Página de autorização:", url[:80] + "…")

    def follow() -> None:
        requests.get(url, timeout=30)

    threading.Thread(target=follow, daemon=True).start()


def handle(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.sales < 1:
        raise ConfigError("Use --sales com um número maior que zero.")
    demo_dir = ctx.paths.data_dir / "demo"
    if demo_dir.exists():
        shutil.rmtree(demo_dir)
    paths = AppPaths(demo_dir)
    paths.ensure()
    # The demo keeps its own database; the CLI context may have another open.
    close_database()
    open_database(paths)

    redirect = f"http://127.0.0.1:{_free_port()}/callback"
    spec = _spec(args.openapi)
    config = SimulatorConfig(
        seed="demo",
        auto_approve=True,
        redirect_uri=redirect,
        openapi_path=spec,
    )
    print("Ponte — demonstração contra o simulador do Bling")
    print(f"Dados da demonstração em {demo_dir}")
    with start_simulator(config) as sim:
        print(f"1. Simulador do Bling no ar: {sim.base_url}")
        if spec is None:
            print("   (sem o arquivo OpenAPI oficial: os pedidos não são validados pelo schema)")
        credentials = CredentialStore.for_url(sim.base_url, backend=MemoryKeyring())
        print("2. Conectando ao Bling (OAuth2, o simulador aprova sozinho)…")
        run_login(
            sim.base_url,
            ClientCredentials(config.client_id, config.client_secret),
            redirect_uri=redirect,
            credentials=credentials,
            show_url=_approve_in_background,
            timeout=60,
        )
        print("   Conectado.")

        xml_dir = demo_dir / "pdv-xml"
        files = write_notes(
            xml_dir,
            catalog_from(demo_catalog()),
            args.sales,
            seed=7,
            cancel_ratio=0.1,
        )
        set_setting(XML_FOLDERS, [str(xml_dir)])
        print(f"3. O PDV gravou {len(files)} arquivo(s) XML em {xml_dir}")
        # Intake leaves files alone while they may still be being written (recent mtime).
        time.sleep(STABLE_AFTER_SECONDS)

        bar = ProgressBar(sys.stderr)
        engine = SyncEngine(
            lambda: open_api(sim.base_url, data_dir=demo_dir, credentials=credentials),
            paths=paths,
            on_progress=bar,
        )
        print("4. Primeiro ciclo: lê as notas e baixa o catálogo do Bling")
        summary = engine.run_cycle()
        bar.close()
        print(_indent(format_summary(summary)))
        for sale in Sale.select().where(Sale.state == "retida").limit(2):
            print(f"   Retida {sale.number}: {sale.hold_reason}")

        print("5. O gerente faz o DE-PARA e escolhe o depósito de cada loja")
        mappings.compute_suggestions()
        accepted = mappings.accept_suggestions()
        print(f"   {accepted} sugestão(ões) de forma de pagamento aceita(s)")
        physical = [d for d in Deposit.select().order_by(Deposit.id) if not d.is_default]
        for store, deposit in zip(
            StoreLocation.select().order_by(StoreLocation.cnpj), physical, strict=False
        ):
            mappings.set_store_deposit(store.cnpj, deposit.id)
            print(f"   Loja {format_cnpj(store.cnpj)} → depósito {deposit.description}")

        print("6. Segundo ciclo: envia as vendas ao Bling")
        summary = engine.run_cycle()
        bar.close()
        print(_indent(format_summary(summary)))
        _show_orders(sim)
        if not args.headless and has_display():
            print("8. Abrindo a janela do Ponte (feche a janela ou use 'Sair do Ponte' na bandeja)")
            desktop_function("ui.demo_window", "show_demo_window")(paths, engine)
    close_database()
    return 0 if summary.ok else 1


def _indent(text: str) -> str:
    return "\n".join("   " + line for line in text.splitlines())


def _show_orders(sim: Any) -> None:
    orders = list(sim.state.orders.values())
    print(f"7. No Bling (simulador): {len(orders)} pedido(s) de venda")
    for order in orders[:5]:
        sale = Sale.get_or_none(Sale.bling_order_id == order.id)
        note = f"NFC-e {sale.number} da loja {format_cnpj(sale.store_cnpj)}" if sale else "?"
        print(f"   Pedido {order.id} ({note}): {format_brl(order.total)}")
    if len(orders) > 5:
        print(f"   … e mais {len(orders) - 5}")
    exits: dict[int, Decimal] = {}
    for movement in sim.state.movements:
        exits[movement.deposito_id] = (
            exits.get(movement.deposito_id, Decimal(0)) + movement.quantidade
        )
    for deposit_id, quantity in sorted(exits.items()):
        deposit = Deposit.get_or_none(Deposit.id == deposit_id)
        name = deposit.description if deposit else str(deposit_id)
        print(f"   Estoque do depósito {name}: {quantity.normalize():f} unidade(s) movimentadas")
