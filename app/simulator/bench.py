"""Raw speed of the simulator itself: `python -m app.simulator.bench` prints the figures.

Limits are off; this measures the stand-in, not a Bling client (the client has its own
benchmark under benchmarks/).
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from app.simulator.config import SimulatorConfig
from app.simulator.server import RunningSimulator, start_simulator


def _session(sim: RunningSimulator, token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def _gets(sim: RunningSimulator, token: str, count: int) -> None:
    session = _session(sim, token)
    for _ in range(count):
        session.get(sim.base_url + "/depositos", timeout=10).raise_for_status()


def _order_body(session: requests.Session, base: str) -> dict[str, Any]:
    product = session.get(base + "/produtos", params={"codigos[]": "BON-ABA"}, timeout=10).json()[
        "data"
    ][0]
    forma = session.get(
        base + "/formas-pagamentos", params={"tiposPagamentos[]": 1}, timeout=10
    ).json()["data"][0]
    contact = session.get(base + "/contatos/consumidor-final", timeout=10).json()["data"]
    price = product["preco"]  # echoed back exactly as the simulator sent it
    return {
        "data": "2026-12-04",
        "dataSaida": "2026-12-04",
        "dataPrevista": "2026-12-04",
        "contato": {"id": contact["id"]},
        "itens": [
            {
                "produto": {"id": product["id"]},
                "descricao": product["nome"],
                "quantidade": 1,
                "valor": price,
            }
        ],
        "parcelas": [
            {
                "dataVencimento": "2026-12-04",
                "valor": price,
                "formaPagamento": {"id": forma["id"]},
            }
        ],
    }


def main(argv: list[str]) -> int:
    """Print requests/s for reads, a paged catalogue pull and order creation."""
    openapi = Path(argv[0]) if argv else None
    config = SimulatorConfig(seed="bench:5000", requests_per_second=0, ip_requests_limit=None)
    with start_simulator(config) as sim:
        token = sim.issue_tokens()["access_token"]
        started = time.perf_counter()
        _gets(sim, token, 500)
        elapsed = time.perf_counter() - started
        print(
            f"GET /depositos sequencial: {500 / elapsed:.0f} req/s ({elapsed / 500 * 1000:.2f} ms cada)"
        )
        started = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: _gets(sim, token, 100), range(4)))
        elapsed = time.perf_counter() - started
        print(f"GET /depositos com 4 threads: {400 / elapsed:.0f} req/s")
        session = _session(sim, token)
        pages = rows = 0
        started = time.perf_counter()
        while True:
            pages += 1
            batch = session.get(
                sim.base_url + "/produtos",
                params={"criterio": 2, "pagina": pages, "limite": 100},
                timeout=10,
            ).json()["data"]
            rows += len(batch)
            if len(batch) < 100:
                break
        elapsed = time.perf_counter() - started
        print(f"Catálogo de {rows} produtos ativos: {pages} requisições em {elapsed:.2f} s")
    config = SimulatorConfig(
        seed="demo", requests_per_second=0, ip_requests_limit=None, openapi_path=openapi
    )
    with start_simulator(config) as sim:
        session = _session(sim, sim.issue_tokens()["access_token"])
        body = _order_body(session, sim.base_url)
        started = time.perf_counter()
        for n in range(200):
            response = session.post(
                sim.base_url + "/pedidos/vendas", json={**body, "numeroLoja": f"B{n}"}, timeout=10
            )
            response.raise_for_status()
        elapsed = time.perf_counter() - started
        check = "com" if openapi else "sem"
        print(
            f"POST /pedidos/vendas {check} validação OpenAPI: {200 / elapsed:.0f} pedidos/s ({elapsed / 200 * 1000:.2f} ms cada)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
