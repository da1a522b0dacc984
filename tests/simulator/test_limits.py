"""Bling's request budget: 3 per second, the daily cap, the IP blocks."""

from __future__ import annotations

import json
import time

from app.simulator import RunningSimulator
from tests.conftest import SHARED_DIR
from tests.fixtures.simulator import SimFactory
from tests.simulator.helpers import Api


def _example(name: str) -> object:
    return json.loads((SHARED_DIR / "reference/bling-examples" / name).read_text())


def test_fourth_request_within_one_second_gets_429(sim_factory: SimFactory) -> None:
    sim = sim_factory(requests_per_second=3)
    api = Api(sim)
    start = time.monotonic()
    statuses = [api.get("/depositos").status_code for _ in range(4)]
    elapsed = time.monotonic() - start
    assert elapsed < 1.0  # the four requests really were inside one second
    assert statuses == [200, 200, 200, 429]
    refused = api.get("/depositos")
    assert refused.status_code == 429
    assert refused.json() == _example("too-many-requests-429-second.json")
    assert sim.state.too_many_requests == 2
    sim.clock.advance(1.0)
    assert api.get("/depositos").status_code == 200


def test_three_per_second_spaced_requests_never_get_429(sim_factory: SimFactory) -> None:
    sim = sim_factory(requests_per_second=3)
    api = Api(sim)
    statuses = []
    for _ in range(10):
        statuses.append(api.get("/depositos").status_code)
        sim.clock.advance(0.34)  # the simulator's clock drives its windows
    assert statuses == [200] * 10
    assert sim.state.too_many_requests == 0


def test_daily_cap_answers_the_day_variant(sim_factory: SimFactory) -> None:
    sim = sim_factory(requests_per_day=5)
    api = Api(sim)
    assert [api.get("/depositos").status_code for _ in range(5)] == [200] * 5
    refused = api.get("/depositos")
    assert refused.status_code == 429
    expected = _example("too-many-requests-429-day.json")
    expected["error"]["limit"] = 5  # type: ignore[index]
    assert refused.json() == expected
    sim.clock.advance(86_400)  # the next day in São Paulo (the old token expired meanwhile)
    assert Api(sim).get("/depositos").status_code == 200


def test_unauthenticated_calls_do_not_spend_the_budget(sim_factory: SimFactory) -> None:
    sim = sim_factory(requests_per_second=3)
    bad = Api(sim, token="invalido")
    assert [bad.get("/depositos").status_code for _ in range(5)] == [401] * 5
    good = Api(sim)
    assert good.get("/depositos").status_code == 200


def test_error_storm_blocks_the_ip(sim_factory: SimFactory) -> None:
    sim = sim_factory(ip_errors_limit=10, ip_block_seconds=600)
    api = Api(sim)
    for _ in range(11):
        assert api.get("/nao-existe").status_code == 404
    blocked = api.get("/depositos")
    assert blocked.status_code == 403
    assert [b.reason for b in sim.state.blocks] == ["errors"]
    sim.clock.advance(601)
    assert api.get("/depositos").status_code == 200


def test_request_flood_blocks_the_ip(sim_factory: SimFactory) -> None:
    sim = sim_factory(ip_requests_limit=15, ip_window=10)
    api = Api(sim)
    assert [api.get("/depositos").status_code for _ in range(15)] == [200] * 15
    assert api.get("/depositos").status_code == 403
    assert sim.state.counters.max_requests_in_window == 16
    assert [b.reason for b in sim.state.blocks] == ["requests"]


def test_counters_expose_high_water_marks(sim: RunningSimulator) -> None:
    api = Api(sim)
    for _ in range(3):
        api.get("/depositos")
    api.get("/nada")
    counters = sim.state.counters
    assert counters.max_requests_in_window == 4
    assert counters.max_errors_in_window == 1
    assert counters.api_requests == 4
    assert sim.state.requests_total == 4
    assert not sim.state.blocks
