"""Sales through the engine against the simulator at Bling's REAL limits (3 req/s).

Generates N synthetic NFC-e sales over the demo catalogue, takes them in from a folder, warms the
catalogue (products, formas, depósitos, the consumer-final contact, statuses) and maps the
tenders and stores; then times ONE engine cycle that sends every sale (order POST + stock launch
in the store's deposit). Requests and 429 answers are counted by the simulator.

Prints requests per sale, sales/second, the ratio to the physical ceiling
(rate ÷ requests per sale) and the number of 429s. Targets: 2.0 requests per sale, ≥ 0.95 of
the ceiling, 0 × 429.

    .venv/bin/python benchmarks/bench_sales.py --count 1000     # ≈ 11 minutes
    .venv/bin/python benchmarks/bench_sales.py --count 200      # ≈ 2.5 minutes
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.bling.auth import token_set_from_response
from app.bling.connect import open_api
from app.bling.throttle import RateLimits
from app.config import AppPaths
from app.credentials import ClientCredentials, CredentialStore
from app.memory_keyring import MemoryKeyring
from app.simulator import SimulatorConfig, demo_catalog, start_simulator
from app.sources.generator import DEFAULT_STORE_CNPJS, write_notes
from app.sources.generator import CatalogEntry as NoteEntry
from app.sources.intake import Intake
from app.store.db import close_database, open_database
from app.store.models import Deposit, PaymentForm, PaymentMapping, Sale
from app.store.settings import DEFAULT_DEPOSIT, FINAL_STATUS, XML_FOLDERS, set_setting
from app.sync.catalog import CatalogSync
from app.sync.engine import SyncEngine
from app.sync.mappings import (
    accept_suggestions,
    compute_suggestions,
    set_payment_mapping,
    set_store_deposit,
)
from app.sync.progress import ProgressEvent, Stage
from app.sync.resolver import resolve_pending
from app.timeutil import utcnow

OPENAPI = Path(__file__).resolve().parent.parent.parent / "shared/reference/bling-openapi.json"


def _deposit(name: str) -> int:
    return int(Deposit.get(Deposit.description == name).id)


def _map_everything() -> None:
    set_setting(DEFAULT_DEPOSIT, _deposit("Geral"))
    set_store_deposit(DEFAULT_STORE_CNPJS[0], _deposit("Loja Centro"))
    set_store_deposit(DEFAULT_STORE_CNPJS[1], _deposit("Loja Shopping"))
    compute_suggestions()
    accept_suggestions()
    others = int(PaymentForm.get(PaymentForm.description == "Outros").id)
    for row in PaymentMapping.select().where(PaymentMapping.forma_id.is_null()):
        set_payment_mapping(row.tender_code, row.card_brand or None, others)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="synthetic sales to send")
    parser.add_argument("--rate", type=int, default=3, help="requests per second (Bling: 3)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument(
        "--final-status",
        default=None,
        help="also set this order status after the stock exit (one more request per sale)",
    )
    args = parser.parse_args()

    config = SimulatorConfig(seed="demo", requests_per_second=args.rate)
    if OPENAPI.is_file():
        config.openapi_path = OPENAPI
    sim = start_simulator(config)
    with tempfile.TemporaryDirectory() as tmp:
        paths = AppPaths(Path(tmp) / "data")
        open_database(paths)
        store = CredentialStore.for_url(sim.base_url, backend=MemoryKeyring())
        store.save_client(ClientCredentials(sim.config.client_id, sim.config.client_secret))
        store.save_tokens(token_set_from_response(sim.issue_tokens(), utcnow()))
        limits = RateLimits(per_second=args.rate) if args.rate else None
        api = open_api(sim.base_url, data_dir=paths.data_dir, credentials=store, limits=limits)

        # warm-up (not measured): catalogue, DE-PARA, deposits, intake, resolve
        warm_started = time.perf_counter()
        before_warm = sim.state.requests_total
        catalog = CatalogSync(api)
        catalog.refresh()
        folder = Path(tmp) / "pdv"
        notes = [
            NoteEntry(e.code, e.description, e.unit, e.price, gtin=e.gtin or None)
            for e in demo_catalog()
            if e.active
        ]
        write_notes(folder, notes, args.count, seed=args.seed, cancel_ratio=0.0)
        set_setting(XML_FOLDERS, [str(folder)])
        Intake.from_settings(paths, settle_seconds=0).scan_once()
        _map_everything()
        resolve_pending()
        if args.final_status:
            set_setting(FINAL_STATUS, args.final_status)
        ready = Sale.select().where(Sale.state == "pronta").count()
        warm_requests = sim.state.requests_total - before_warm
        warm_seconds = time.perf_counter() - warm_started

        bar = tqdm(total=ready, desc="Envio", unit="venda", file=sys.stderr)

        def progress(event: ProgressEvent) -> None:
            if event.stage == Stage.SEND:
                bar.n = event.done
                bar.refresh()

        engine = SyncEngine(
            lambda: api,
            paths=paths,
            on_progress=progress,
            intake_factory=lambda p: Intake.from_settings(p, settle_seconds=0),
        )
        requests_before = sim.state.requests_total
        too_many_before = sim.state.too_many_requests
        started = time.perf_counter()
        summary = engine.run_cycle()
        elapsed = time.perf_counter() - started
        bar.close()
        requests = sim.state.requests_total - requests_before
        too_many = sim.state.too_many_requests - too_many_before
        sent = Sale.select().where(Sale.state == "enviada").count()
        orders = sim.state.orders_created
        close_database()
    sim.stop()

    per_sale = requests / sent if sent else float("nan")
    rate = sent / elapsed if elapsed else float("nan")
    ceiling = args.rate / per_sale if sent and args.rate else float("nan")
    print(
        f"Aquecimento: {warm_requests} requisições em {warm_seconds:.1f} s ({ready} vendas prontas)"
    )
    print(f"Ciclo: {'ok' if summary.ok else summary.error}")
    print(f"Vendas enviadas:        {sent} de {args.count} (pedidos no Bling: {orders})")
    print(f"Requisições no envio:   {requests}")
    print(f"Requisições por venda:  {per_sale:.3f}")
    print(f"Tempo:                  {elapsed:.1f} s")
    print(f"Vendas por segundo:     {rate:.3f}")
    print(f"Teto físico:            {ceiling:.3f} vendas/s ({args.rate} req/s ÷ {per_sale:.3f})")
    print(f"Razão ao teto:          {rate / ceiling:.3f}")
    print(f"Respostas 429:          {too_many}")
    return 0 if summary.ok and sent == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
