"""The server itself: loopback only, concurrent clients, context manager, state inspection."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests

from app.simulator import SimulatorConfig, start_simulator
from tests.fixtures.simulator import SimFactory
from tests.simulator.helpers import Api, order_body


def test_refuses_non_loopback_host() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        start_simulator(SimulatorConfig(host="0.0.0.0"))


def test_context_manager_stops_serving() -> None:
    with start_simulator(SimulatorConfig(seed="demo")) as sim:
        url = sim.base_url + "/depositos"
        assert requests.get(url, timeout=5).status_code == 401
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


def test_stop_hangs_up_keep_alive_connections() -> None:
    sim = start_simulator(SimulatorConfig(seed="demo"))
    url = sim.base_url + "/depositos"
    with requests.Session() as session:
        assert session.get(url, timeout=5).status_code == 401  # the pool now holds a connection
        sim.stop()
        with pytest.raises(requests.ConnectionError):
            session.get(url, timeout=2)


def test_concurrent_orders_get_unique_ids_numbers_and_consistent_stock(
    sim_factory: SimFactory,
) -> None:
    sim = sim_factory()
    api = Api(sim)
    centro = api.deposit("Loja Centro")["id"]
    product = api.product("SAC-ECO")["id"]
    bodies = [order_body(api, [("SAC-ECO", "1")], numero_loja=f"C-{n}") for n in range(24)]

    def send(body: dict[str, object]) -> int:
        worker = Api(sim, api.token)
        order_id = worker.post("/pedidos/vendas", body).json()["data"]["id"]
        assert worker.post(f"/pedidos/vendas/{order_id}/lancar-estoque/{centro}").status_code == 204
        return int(order_id)

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = list(pool.map(send, bodies))
    assert len(set(ids)) == 24
    with sim.state.lock:
        numbers = {sim.state.orders[i].numero for i in ids}
        balance = sim.state.balance(centro, product)
    assert len(numbers) == 24
    assert balance == Decimal("76")
    assert sim.state.orders_created == 24
