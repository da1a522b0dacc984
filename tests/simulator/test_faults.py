"""Injected faults: latency, 5xx, dropped answers after a committed write, 429 bursts, token expiry."""

from __future__ import annotations

import time

import pytest
import requests

from app.simulator import Faults
from tests.fixtures.simulator import SimFactory
from tests.simulator.helpers import Api, order_body


def test_parse_fault_spec() -> None:
    faults = Faults.parse(
        "latency=0.2, error5xx=0.1,drop_after_commit=1,burst429=0.5,token_ttl_requests=3"
    )
    assert faults == Faults(0.2, 0.1, 1.0, 0.5, 3)
    assert Faults.parse("") == Faults()
    for bad, word in (
        ("latencia=1", "desconhecida"),
        ("error5xx=2", "proporção"),
        ("latency=abc", "número"),
        ("latency", "nome=valor"),
        ("token_ttl_requests=0", "1 ou mais"),
        ("token_ttl_requests=1.5", "inteiro"),
        ("burst429=-0.1", "negativo"),
    ):
        with pytest.raises(ValueError, match=word):
            Faults.parse(bad)


def test_latency(sim_factory: SimFactory) -> None:
    sim = sim_factory(faults=Faults(latency=0.3))
    api = Api(sim)
    start = time.monotonic()
    assert api.get("/depositos").status_code == 200
    assert time.monotonic() - start >= 0.3


def test_error5xx_answers_before_doing_anything(sim_factory: SimFactory) -> None:
    sim = sim_factory(faults=Faults(error5xx=1.0))
    api = Api(sim)
    statuses = set()
    for n in range(6):
        response = api.post("/pedidos/vendas", {"numeroLoja": f"N{n}"})
        statuses.add(response.status_code)
        assert response.json()["error"]["type"] == "SERVER_ERROR"
    assert statuses <= {500, 503} and statuses
    assert sim.state.orders_created == 0
    sim.set_faults(Faults())
    assert api.get("/depositos").status_code == 200


def test_error5xx_ratio_is_roughly_honoured(sim_factory: SimFactory) -> None:
    sim = sim_factory(faults=Faults(error5xx=0.3), random_seed=7)
    api = Api(sim)
    failures = sum(api.get("/depositos").status_code >= 500 for _ in range(100))
    assert 15 <= failures <= 45


def test_drop_after_commit_writes_then_hangs_up(sim_factory: SimFactory) -> None:
    sim = sim_factory()
    api = Api(sim)
    body = order_body(api, numero_loja="NFCE-DROP")
    sim.set_faults(Faults(drop_after_commit=1.0))
    with pytest.raises(requests.ConnectionError):
        api.post("/pedidos/vendas", body)
    # reads are never dropped, and the order exists: the client must search before resending
    fresh = Api(sim, api.token)
    found = fresh.data("/pedidos/vendas", **{"numerosLojas[]": ["NFCE-DROP"]})
    assert len(found) == 1
    assert sim.state.counters.dropped_connections == 1
    assert sim.state.orders_created == 1


def test_burst429_even_under_the_limit(sim_factory: SimFactory) -> None:
    sim = sim_factory(faults=Faults(burst429=1.0))
    api = Api(sim)
    response = api.get("/depositos")
    assert response.status_code == 429
    assert response.json()["error"]["period"] == "second"
    assert sim.state.too_many_requests == 1


def test_token_ttl_requests(sim_factory: SimFactory) -> None:
    sim = sim_factory(faults=Faults(token_ttl_requests=3))
    api = Api(sim)
    assert [api.get("/depositos").status_code for _ in range(4)] == [200, 200, 200, 401]
    assert api.get("/depositos").json()["error"]["type"] == "invalid_token"
    assert Api(sim).get("/depositos").status_code == 200  # a new token works again


def test_refused_requests_do_not_use_up_the_token(sim_factory: SimFactory) -> None:
    sim = sim_factory(faults=Faults(token_ttl_requests=2), requests_per_second=1)
    api = Api(sim)
    assert api.get("/depositos").status_code == 200
    assert api.get("/depositos").status_code == 429  # same second: refused, not counted
    sim.clock.advance(1)
    assert api.get("/depositos").status_code == 200
    sim.clock.advance(1)
    assert api.get("/depositos").status_code == 401
