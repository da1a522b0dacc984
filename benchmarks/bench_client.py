"""Throughput of the Bling client at Bling's real limit (3 requests/s), and 429s provoked.

Starts the simulator with its real per-second limit, then runs `--seconds` (default 60) worth of
mixed GETs (products, deposits, formas, consumer contact, stock balances, order search, product
detail, statuses) through the real client — throttle, token manager, retries — and prints the
requests/second achieved, the 429s the simulator answered and the ratio to the 3 req/s ceiling.
Target: ratio >= 0.95 with zero 429s.

    .venv/bin/python benchmarks/bench_client.py [--seconds 60] [--threads 1] [--latency 0]

Secrets stay in an in-memory keyring; nothing is written to the real one.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from keyring.backend import KeyringBackend

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.bling.api import BlingApi
from app.bling.auth import token_set_from_response
from app.bling.connect import open_api
from app.bling.throttle import MemoryUsage, RateLimits
from app.credentials import ClientCredentials, CredentialStore
from app.simulator import Faults, SimulatorConfig, start_simulator
from app.timeutil import utcnow

CEILING = 3.0


class _DictKeyring(KeyringBackend):
    priority = 0.01  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def _mixed_calls(api: BlingApi) -> list[Callable[[], object]]:
    client = api.client
    first = client.get("produtos", {"criterio": 2, "pagina": 1, "limite": 100})["data"]
    product_ids = [int(p["id"]) for p in first[:20]]
    deposit_id = int(client.get("depositos", {"situacao": 1})["data"][0]["id"])
    return [
        lambda: client.get("produtos", {"criterio": 2, "tipo": "T", "pagina": 1, "limite": 100}),
        lambda: client.get("depositos", {"situacao": 1, "pagina": 1, "limite": 100}),
        lambda: client.get("formas-pagamentos", {"situacao": 1, "pagina": 1, "limite": 100}),
        lambda: client.get("contatos/consumidor-final"),
        lambda: client.get(f"estoques/saldos/{deposit_id}", {"idsProdutos[]": product_ids}),
        lambda: client.get("pedidos/vendas", {"numerosLojas[]": [f"BENCH-{n}" for n in range(50)]}),
        lambda: client.get(f"produtos/{product_ids[0]}"),
        lambda: client.get("situacoes/modulos"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="duração (padrão: 60)")
    parser.add_argument("--threads", type=int, default=1, help="threads fazendo requisições")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="latência extra do simulador, em segundos"
    )
    args = parser.parse_args()

    config = SimulatorConfig(
        seed="demo",
        requests_per_second=3,  # Bling's real limit
        faults=Faults(latency=args.latency),
    )
    sim = start_simulator(config)
    try:
        store = CredentialStore(scope="bench", backend=_DictKeyring())
        store.save_client(ClientCredentials(config.client_id, config.client_secret))
        store.save_tokens(token_set_from_response(sim.issue_tokens(), utcnow()))
        with tempfile.TemporaryDirectory() as data_dir:
            api = open_api(
                sim.base_url,
                data_dir=Path(data_dir),
                credentials=store,
                usage=MemoryUsage(),
                limits=RateLimits(),  # Bling's: 3 requests in any second
            )
            calls = _mixed_calls(api)
            time.sleep(1.1)  # let the setup requests leave the window
            before_requests = api.client.stats.requests
            before_429 = sim.state.counters.too_many_requests
            deadline = time.monotonic() + args.seconds
            cycle = itertools.cycle(calls)
            lock = threading.Lock()
            failures: list[BaseException] = []

            def worker() -> None:
                while time.monotonic() < deadline:
                    with lock:
                        call = next(cycle)
                    try:
                        call()
                    except BaseException as exc:
                        failures.append(exc)
                        return

            started = time.monotonic()
            threads = [threading.Thread(target=worker) for _ in range(max(1, args.threads))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started
            done = api.client.stats.requests - before_requests
            too_many = sim.state.counters.too_many_requests - before_429
    finally:
        sim.stop()

    rate = done / elapsed
    print(f"duração: {elapsed:.1f} s, threads: {args.threads}, latência extra: {args.latency} s")
    print(f"requisições: {done}")
    print(f"requisições/s: {rate:.3f}")
    print(f"429 recebidos: {too_many}")
    print(f"razão ao teto de {CEILING:.0f} req/s: {rate / CEILING:.3f}")
    if failures:
        print(f"falhas: {failures[0]!r}")
        return 1
    ok = rate / CEILING >= 0.95 and too_many == 0
    print("meta (>= 0,95 e zero 429): " + ("atingida" if ok else "NÃO atingida"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
