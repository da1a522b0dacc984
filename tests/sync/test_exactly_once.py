"""Exactly once under faults, against the simulator: dropped connections after Bling committed,
5xx and 429 storms, token expiry mid-run, a crash between order and stock, an account that
launches stock by itself. The simulator must end with ONE order and ONE stock exit per sale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.bling.api import BlingApi
from app.config import AppPaths
from app.simulator import RunningSimulator
from app.store.db import close_database, open_database
from app.store.models import LogEvent, Sale
from app.store.settings import FINAL_STATUS, set_setting
from app.sync.engine import SyncEngine
from tests.sync.test_e2e_support import Shop

SALES = 12


def ready_shop(sim: RunningSimulator, api: BlingApi, paths: AppPaths, folder: Path) -> Shop:
    """Catalogue pulled, DE-PARA and deposits set, sales waiting in `pronta`... not sent yet."""
    shop = Shop(sim, api, paths, folder)
    shop.write_sales(SALES, seed=21)
    shop.cycle()
    shop.map_stores()
    shop.map_tenders()
    return shop


def run_until_sent(shop: Shop, cycles: int = 40) -> None:
    for _ in range(cycles):
        summary = shop.engine.run_cycle()
        if summary.states["enviada"] == SALES:
            return
    pytest.fail(f"not all sales sent after {cycles} cycles: {summary.states}")


@pytest.mark.parametrize(
    "faults",
    [
        {"drop_after_commit": 0.5},
        {"error5xx": 0.4},
        {"burst429": 0.4},
        {"token_ttl_requests": 9},
        {"drop_after_commit": 0.3, "error5xx": 0.2, "burst429": 0.2, "token_ttl_requests": 15},
    ],
    ids=["dropped-after-commit", "5xx", "429-burst", "token-expiry", "all-at-once"],
)
def test_one_order_and_one_stock_exit_per_sale_under_faults(
    sim_factory: Any,
    api_factory: Any,
    app_paths: AppPaths,
    tmp_path: Path,
    faults: dict[str, float],
) -> None:
    sim = sim_factory(random_seed=7)
    shop = ready_shop(sim, api_factory(sim), app_paths, tmp_path / "pdv")
    for name, value in faults.items():
        setattr(sim.config.faults, name, value)
    run_until_sent(shop)
    assert shop.assert_exactly_once() == SALES
    assert sim.state.orders_created == SALES
    counters = sim.state.counters
    if "drop_after_commit" in faults:
        assert counters.dropped_connections > 0
        messages = [e.message for e in LogEvent.select().where(LogEvent.category == "sale")]
        assert any("adotado, sem reenviar" in m or "já tinha sido lançado" in m for m in messages)
    if "error5xx" in faults:
        assert counters.errors_5xx_injected > 0
    if "burst429" in faults:
        assert counters.too_many_requests > 0
    if "token_ttl_requests" in faults:
        assert counters.unauthorized > 0


def restarted(shop: Shop, api_factory: Any, paths: AppPaths) -> SyncEngine:
    """What a new process builds after a crash: the store opened again from disk, a new Bling
    client, a new engine. Only what was committed survives."""
    close_database()
    open_database(paths)
    shop.api = api_factory(shop.sim)
    return shop.new_engine()


def test_crash_between_order_and_stock_then_a_new_process_resumes(
    sim: RunningSimulator, api_factory: Any, app_paths: AppPaths, tmp_path: Path
) -> None:
    connected_api = api_factory(sim)
    shop = ready_shop(sim, connected_api, app_paths, tmp_path / "pdv")
    real_create = connected_api.create_sales_order
    calls = 0

    def create_then_crash(order: Any) -> Any:
        nonlocal calls
        calls += 1
        created = real_create(order)
        if calls == 3:  # Bling has the order; the process dies before recording its id
            raise RuntimeError("queda de energia")
        return created

    connected_api.create_sales_order = create_then_crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        shop.engine.run_cycle()
    engine = restarted(shop, api_factory, app_paths)
    connected_api = shop.api
    states = {s.state for s in Sale.select()}
    assert "enviando" in states and sim.state.orders_created == 3

    real_launch = connected_api.launch_stock
    launches = 0

    def launch_then_crash(order_id: int, deposit_id: int) -> None:
        nonlocal launches
        launches += 1
        real_launch(order_id, deposit_id)
        if launches == 2:  # the stock left Bling's deposit; the answer never got recorded
            raise RuntimeError("queda de energia")

    connected_api.launch_stock = launch_then_crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        engine.run_cycle()
    shop.assert_exactly_once()  # so far no sale has a second order (the crashed POST adopted)

    summary = restarted(shop, api_factory, app_paths).run_cycle()
    assert summary.ok and summary.states["enviada"] == SALES, summary.states
    messages = [e.message for e in LogEvent.select().where(LogEvent.category == "sale")]
    assert sum("adotado, sem reenviar" in m for m in messages) == 1  # the crashed POST
    assert sum("já tinha sido lançado" in m for m in messages) == 1  # the crashed launch
    assert shop.assert_exactly_once() == SALES
    assert sim.state.orders_created == SALES


def test_account_that_launches_stock_on_status_change_never_takes_it_twice(
    sim_factory: Any, api_factory: Any, app_paths: AppPaths, tmp_path: Path
) -> None:
    sim = sim_factory(auto_launch_status="Atendido")
    shop = ready_shop(sim, api_factory(sim), app_paths, tmp_path / "pdv")
    set_setting(FINAL_STATUS, "Atendido")
    sim.config.faults.drop_after_commit = 0.3  # and answers get lost on the way
    run_until_sent(shop)
    assert shop.assert_exactly_once() == SALES
    with sim.state.lock:
        for sale in Sale.select():
            order = sim.state.orders[int(sale.bling_order_id)]
            assert sim.state.statuses[order.situacao_id].nome == "Atendido"
            # the exit is in the store's deposit, not the default one the account would use
            assert order.stock_deposit_id == sale.stock_deposit_id
    default = shop.deposit_id("Geral")
    assert {s.stock_deposit_id for s in Sale.select()} - {default}
