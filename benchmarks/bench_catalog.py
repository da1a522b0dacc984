"""Requests the catalogue pull costs for a catalogue of N SKUs, at Bling's real limits.

Runs the simulator with seed "bench:N" (the demo store plus N generated simple products),
then, through the real client (3 req/s throttle): a first (full) pull, an incremental pull with
nothing changed, an incremental pull after 10 products changed, and a lookup of unknown SKUs
and GTINs. Requests are counted by the simulator.

    .venv/bin/python benchmarks/bench_catalog.py --products 5000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.bling.auth import token_set_from_response
from app.bling.connect import open_api
from app.bling.throttle import RateLimits
from app.config import AppPaths
from app.credentials import ClientCredentials, CredentialStore
from app.memory_keyring import MemoryKeyring
from app.simulator import RunningSimulator, SimulatorConfig, start_simulator
from app.store.db import close_database, open_database
from app.sync.catalog import CatalogSync
from app.timeutil import utcnow


def _measure(sim: RunningSimulator, step: Callable[[], object]) -> tuple[int, float]:
    before = sim.state.requests_total
    started = time.perf_counter()
    step()
    return sim.state.requests_total - before, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=2000, help="generated simple products")
    parser.add_argument("--rate", type=int, default=3, help="requests per second (0 = unlimited)")
    args = parser.parse_args()

    sim = start_simulator(
        SimulatorConfig(seed=f"bench:{args.products}", requests_per_second=args.rate)
    )
    with tempfile.TemporaryDirectory() as tmp:
        paths = AppPaths(Path(tmp) / "data")
        open_database(paths)
        store = CredentialStore.for_url(sim.base_url, backend=MemoryKeyring())
        store.save_client(ClientCredentials(sim.config.client_id, sim.config.client_secret))
        store.save_tokens(token_set_from_response(sim.issue_tokens(), utcnow()))
        limits = RateLimits(per_second=args.rate) if args.rate else None
        api = open_api(sim.base_url, data_dir=paths.data_dir, credentials=store, limits=limits)
        now = [utcnow()]

        def clock() -> datetime:
            return now[0]

        catalog = CatalogSync(api, clock=clock)
        full_requests, full_seconds = _measure(sim, catalog.refresh)
        with sim.state.lock:
            active = [p for p in sim.state.products.values() if p.situacao == "A"]
            skus = sum(1 for p in active if not p.is_parent)
            parents = sum(1 for p in active if p.is_parent)
            cards = sum(
                1
                for f in sim.state.formas.values()
                if f.situacao == 1 and f.tipo_pagamento in (3, 4, 5)
            )
        now[0] += timedelta(hours=1, minutes=5)
        idle_requests, _ = _measure(sim, catalog.refresh)
        with sim.state.lock:
            for product in active[:10]:
                product.nome += " (alterado)"
                product.changed_at = sim.clock.now()
        now[0] += timedelta(hours=1, minutes=5)
        changed_requests, _ = _measure(sim, catalog.refresh)
        unknown = [f"NAO-EXISTE-{i}" for i in range(50)]
        gtins = [f"78900000{i:05d}" for i in range(50)]
        lookup_requests, _ = _measure(sim, lambda: catalog.lookup_unknown(unknown, gtins))
        close_database()
    sim.stop()

    print(f"Catálogo: {skus} SKUs vendáveis ({parents} produtos pai), {cards} formas de cartão")
    print(f"Limite: {args.rate or 'sem limite'} req/s")
    print(
        f"Leitura completa:      {full_requests} requisições, "
        f"{full_requests / skus:.4f} req/SKU, {full_seconds:.1f} s"
    )
    print(f"Incremental sem mudança: {idle_requests} requisições")
    print(f"Incremental, 10 alterados: {changed_requests} requisições")
    print(f"Consulta de 50 SKUs + 50 GTINs desconhecidos: {lookup_requests} requisições")
    return 0


if __name__ == "__main__":
    sys.exit(main())
