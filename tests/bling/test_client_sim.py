"""The Bling client against the simulator over real loopback HTTP."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import keyring
import pytest
from keyring.backends import fail

from app.bling.api import BlingApi
from app.bling.auth import BlingAuthorizationError, OAuthClient, TokenManager
from app.bling.client import BlingClient
from app.bling.connect import open_api
from app.bling.errors import (
    BlingNotConnectedError,
    BlingNotFoundError,
    BlingOutcomeUnknownError,
    BlingRateLimitedError,
    BlingUnreachableError,
    BlingValidationError,
)
from app.bling.throttle import RateLimits
from app.bling.types import NewSalesOrder, OrderInstallment, OrderItem
from app.config import AppPaths
from app.credentials import ClientCredentials, CredentialStore, TokenSet
from app.errors import KeyringUnavailableError
from app.simulator import Faults, RunningSimulator
from app.timeutil import utcnow
from tests.fixtures.bling import FAST_RETRY, ApiFactory, store_sim_tokens
from tests.fixtures.keyring import MemoryKeyring
from tests.fixtures.simulator import SimFactory


def expiring(tokens: TokenSet, seconds: float) -> TokenSet:
    """The same pair, six hours old, expiring in `seconds`."""
    now = utcnow()
    return replace(
        tokens,
        obtained_at=now - timedelta(hours=6),
        access_expires_at=now + timedelta(seconds=seconds),
    )


def _token_manager(api: BlingApi) -> TokenManager:
    tokens = api.client.tokens
    assert isinstance(tokens, TokenManager)
    return tokens


def _order(api: BlingApi, numero_loja: str, *, forma_id: int | None = None) -> NewSalesOrder:
    consumer = api.final_consumer()
    product = next(
        p for page in api.iter_active_products(kind="PS") for p in page if p.price is not None
    )
    forma = forma_id or next(f.id for f in api.payment_forms(with_card_brands=False))
    price = product.price or Decimal("10")
    quantity = Decimal("2")
    return NewSalesOrder(
        contact_id=consumer.id,
        date=date(2026, 12, 4),
        numero_loja=numero_loja,
        items=(
            OrderItem(
                product_id=product.id,
                code=product.code,
                description=product.name,
                unit=product.unit or "UN",
                quantity=quantity,
                unit_price=price,
            ),
        ),
        installments=(
            OrderInstallment(due_date=date(2026, 12, 4), amount=price * quantity, forma_id=forma),
        ),
    )


def test_pagination_over_several_pages(sim_factory: SimFactory, api_factory: ApiFactory) -> None:
    sim = sim_factory(extra_products=230)
    api = api_factory(sim)
    pages = list(api.iter_active_products())
    assert len(pages) >= 3
    assert all(len(page) == 100 for page in pages[:-1])
    assert len(pages[-1]) < 100
    ids = [p.id for page in pages for p in page]
    assert len(ids) == len(set(ids))
    with sim.state.lock:
        active = {p.id for p in sim.state.products.values() if p.situacao == "A"}
    assert set(ids) == active
    kinds = {p.kind for page in pages for p in page}
    assert kinds == {"simple", "parent", "variation"}


def test_lookups_by_code_gtin_and_variations(connected_api: BlingApi) -> None:
    products = [p for page in connected_api.iter_active_products() for p in page]
    parent = next(p for p in products if p.kind == "parent")
    variations = connected_api.product_variations(parent.id)
    assert variations and all(v.parent_id == parent.id for v in variations)
    assert all(v.kind == "variation" for v in variations)
    with_gtin = [v for v in variations if v.gtin]
    assert with_gtin
    by_gtin = connected_api.products_by_gtins([v.gtin for v in with_gtin if v.gtin] + ["0000"])
    assert {p.id for p in by_gtin} == {v.id for v in with_gtin}
    assert all(p.gtin for p in by_gtin)
    codes = [p.code for p in products if p.code][:5]
    by_code = connected_api.products_by_codes([*codes, "NAO-EXISTE"])
    assert sorted(p.code or "" for p in by_code) == sorted(codes)


def test_proactive_refresh_rotates_and_the_old_refresh_token_dies(
    sim: RunningSimulator, api_factory: ApiFactory
) -> None:
    api = api_factory(sim)
    store = _token_manager(api).credentials
    before = store.get_tokens()
    assert before is not None
    # JWTs are longer than one Windows credential: they were chunked in the keyring.
    assert len(before.access_token) > 1280
    store.save_tokens(expiring(before, 60))
    api.deposits()
    after = store.get_tokens()
    assert after is not None
    assert after.refresh_token != before.refresh_token
    assert after.access_token != before.access_token
    assert len(sim.state.counters.token_calls) == 1
    assert sim.state.counters.unauthorized == 0
    client = store.get_client()
    assert client is not None
    with pytest.raises(BlingAuthorizationError) as info:
        OAuthClient(sim.base_url, client).refresh(before.refresh_token)
    assert info.value.code == "invalid_grant"


def test_401_refreshes_once_and_replays(sim: RunningSimulator, api_factory: ApiFactory) -> None:
    api = api_factory(sim)
    sim.expire_access_tokens()
    assert api.deposits()
    assert sim.state.counters.unauthorized == 1
    assert len(sim.state.counters.token_calls) == 1
    assert api.client.stats.unauthorized == 1


def test_token_ttl_fault_refreshes_after_n_requests(
    sim_factory: SimFactory, api_factory: ApiFactory
) -> None:
    sim = sim_factory(faults=Faults(token_ttl_requests=3))
    api = api_factory(sim)
    for _ in range(7):
        api.deposits()
    assert len(sim.state.counters.token_calls) == 2


@pytest.mark.parametrize("separate_managers", [False, True])
def test_two_threads_refreshing_at_once_make_one_token_call(
    sim: RunningSimulator,
    api_factory: ApiFactory,
    app_paths: AppPaths,
    separate_managers: bool,
) -> None:
    api = api_factory(sim)
    store = _token_manager(api).credentials
    tokens = store.get_tokens()
    assert tokens is not None
    store.save_tokens(expiring(tokens, 30))
    # Two managers over the same data dir stand in for two processes (file lock).
    other = (
        open_api(
            sim.base_url,
            data_dir=app_paths.data_dir,
            credentials=CredentialStore.for_url(sim.base_url),
            limits=RateLimits(per_second=0),
        )
        if separate_managers
        else api
    )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def call(which: BlingApi) -> None:
        try:
            barrier.wait()
            which.deposits()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(a,)) for a in (api, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert errors == []
    assert len(sim.state.counters.token_calls) == 1
    assert sim.state.counters.unauthorized == 0


def test_invalid_grant_means_reconnect_without_a_loop(
    sim: RunningSimulator, api_factory: ApiFactory, app_paths: AppPaths
) -> None:
    api = api_factory(sim)
    sim.revoke_all_tokens()
    with pytest.raises(BlingNotConnectedError) as info:
        api.deposits()
    assert "login" in info.value.message
    assert len(sim.state.counters.token_calls) == 1
    requests_before = sim.state.counters.requests_total
    for _ in range(5):
        with pytest.raises(BlingNotConnectedError):
            api.deposits()
    assert sim.state.counters.requests_total == requests_before
    assert len(sim.state.counters.token_calls) == 1
    store = CredentialStore.for_url(sim.base_url)
    assert store.reconnect_reason() == "invalid_grant"
    # Another process (a fresh open_api) learns it from the keyring, without any request.
    with pytest.raises(BlingNotConnectedError):
        open_api(sim.base_url, data_dir=app_paths.data_dir)
    assert sim.state.counters.requests_total == requests_before
    # After a new login the same (long-lived) api resumes by itself.
    store_sim_tokens(sim)
    assert api.deposits()
    assert len(sim.state.counters.token_calls) == 1


def test_burst_429_backs_off_and_succeeds(sim_factory: SimFactory, api_factory: ApiFactory) -> None:
    sim = sim_factory(faults=Faults(burst429=0.3), random_seed=4)
    api = api_factory(sim)
    for _ in range(12):
        assert api.deposits()
    assert sim.state.counters.too_many_requests > 0
    assert api.client.stats.too_many_requests == sim.state.counters.too_many_requests


def test_real_limit_429_when_the_client_is_not_throttled(
    sim_factory: SimFactory, api_factory: ApiFactory
) -> None:
    sim = sim_factory(requests_per_second=3)
    api = api_factory(sim, limits=RateLimits(per_second=0))
    for _ in range(8):
        assert api.deposits()
    assert sim.state.counters.too_many_requests > 0  # the server pushed back...
    assert api.client.stats.too_many_requests == sim.state.counters.too_many_requests


def test_throttled_client_never_gets_429_at_the_real_limit(
    sim_factory: SimFactory, api_factory: ApiFactory
) -> None:
    sim = sim_factory(requests_per_second=3)
    api = api_factory(sim)  # Bling's 3 req/s
    for _ in range(10):
        api.deposits()
    assert sim.state.counters.too_many_requests == 0
    assert sim.state.counters.api_requests == 10


def test_daily_429_stops_until_midnight(sim_factory: SimFactory, api_factory: ApiFactory) -> None:
    sim = sim_factory(requests_per_day=3)
    api = api_factory(sim)
    for _ in range(3):
        api.deposits()
    with pytest.raises(BlingRateLimitedError) as info:
        api.deposits()
    assert info.value.period == "day"
    before = sim.state.counters.requests_total
    with pytest.raises(BlingRateLimitedError):
        api.deposits()
    assert sim.state.counters.requests_total == before  # no request until São Paulo midnight


def test_gets_are_retried_on_5xx(sim_factory: SimFactory, api_factory: ApiFactory) -> None:
    sim = sim_factory(faults=Faults(error5xx=0.4), random_seed=3)
    api = api_factory(sim)
    for _ in range(10):
        assert len(api.deposits()) == 3
    assert sim.state.counters.errors_5xx_injected > 0
    assert api.client.stats.retries >= sim.state.counters.errors_5xx_injected


def test_post_is_never_retried_blindly_after_a_dropped_answer(
    sim_factory: SimFactory, api_factory: ApiFactory
) -> None:
    sim = sim_factory()
    api = api_factory(sim)
    order = _order(api, "PONTE-DROP-1")
    sim.set_faults(Faults(drop_after_commit=1.0))
    with pytest.raises(BlingOutcomeUnknownError) as info:
        api.create_sales_order(order)
    assert "confere no Bling" in info.value.message
    sim.set_faults(Faults())
    found = api.find_sales_orders_by_numero_loja(["PONTE-DROP-1", "PONTE-OUTRO"])
    assert list(found) == ["PONTE-DROP-1"]
    assert sim.state.counters.orders_created == 1
    assert sim.state.counters.dropped_connections == 1


def test_post_5xx_is_outcome_unknown_and_sent_once(
    sim_factory: SimFactory, api_factory: ApiFactory
) -> None:
    sim = sim_factory()
    api = api_factory(sim)
    order = _order(api, "PONTE-5XX-1")
    sim.set_faults(Faults(error5xx=1.0))
    before = sim.state.counters.requests_total
    with pytest.raises(BlingOutcomeUnknownError):
        api.create_sales_order(order)
    assert sim.state.counters.requests_total == before + 1
    sim.set_faults(Faults())
    assert api.find_sales_orders_by_numero_loja(["PONTE-5XX-1"]) == {}


def test_order_round_trip_stock_and_status(connected_api: BlingApi) -> None:
    api = connected_api
    order = _order(api, "PONTE-OK-1")
    created = api.create_sales_order(order)
    summary = api.get_sales_order(created.id)
    assert summary.numero_loja == "PONTE-OK-1"
    assert summary.total == order.installments[0].amount
    assert summary.contact_id == order.contact_id
    deposit = next(d for d in api.deposits() if not d.is_default)
    product_id = order.items[0].product_id
    before = api.stock_balances(deposit.id, [product_id])[product_id]
    api.launch_stock(created.id, deposit.id)
    after = api.stock_balances(deposit.id, [product_id])[product_id]
    assert after == before - order.items[0].quantity
    all_balances = api.stock_balances_all([product_id])
    assert all_balances[0].by_deposit[deposit.id] == after
    with pytest.raises(BlingValidationError):
        api.launch_stock(created.id, deposit.id)  # twice is refused, like Bling
    api.reverse_stock(created.id)
    assert api.stock_balances(deposit.id, [product_id])[product_id] == before
    cancelled = next(s for s in api.sales_order_statuses() if s.name == "Cancelado")
    api.set_order_status(created.id, cancelled.id)
    assert api.get_sales_order(created.id).status_id == cancelled.id
    many = [f"PONTE-NAO-{n:04d}" for n in range(150)] + ["PONTE-OK-1"]
    assert api.find_sales_orders_by_numero_loja(many)["PONTE-OK-1"].id == created.id


def test_contacts(connected_api: BlingApi) -> None:
    assert connected_api.contacts_by_document("123.456.789-09") == []
    new_id = connected_api.create_contact("Maria da Silva", "123.456.789-09")
    found = connected_api.contacts_by_document("12345678909")
    assert [c.id for c in found] == [new_id]
    assert found[0].document == "12345678909"


def test_typed_errors(connected_api: BlingApi) -> None:
    with pytest.raises(BlingNotFoundError) as not_found:
        connected_api.get_sales_order(999)
    assert not_found.value.status == 404
    assert not_found.value.error_type == "RESOURCE_NOT_FOUND"
    order = _order(connected_api, "PONTE-ERR-1", forma_id=424242)
    with pytest.raises(BlingValidationError) as invalid:
        connected_api.create_sales_order(order)
    error = invalid.value
    assert error.status == 400
    assert error.error_type == "VALIDATION_ERROR"
    assert error.fields
    assert "DE-PARA de pagamentos" in error.message
    assert error.title == "O Bling recusou os dados"


def test_simulator_down(sim_factory: SimFactory, api_factory: ApiFactory) -> None:
    sim = sim_factory()
    api = api_factory(sim)
    order = _order(api, "PONTE-DOWN-1")
    api.deposits()  # leaves a pooled keep-alive connection that stop() must hang up
    sim.stop()
    with pytest.raises(BlingUnreachableError) as info:
        api.deposits()
    assert sim.base_url in info.value.message
    assert api.client.stats.retries >= 1
    # A write that never left is not "outcome unknown": nothing reached Bling.
    with pytest.raises(BlingUnreachableError):
        api.create_sales_order(order)


def test_wrong_url(app_paths: AppPaths, memory_keyring: MemoryKeyring) -> None:
    url = "http://127.0.0.1:9/Api/v3"  # discard port: nothing listens there
    store = CredentialStore.for_url(url)
    store.save_client(ClientCredentials("ponte-demo", "ponte-demo-secret"))
    now = utcnow()
    store.save_tokens(
        TokenSet("a" * 40, "r" * 40, now + timedelta(hours=6), now + timedelta(days=30), now)
    )
    api = open_api(url, data_dir=app_paths.data_dir, retry=FAST_RETRY)
    with pytest.raises(BlingUnreachableError) as info:
        api.deposits()
    assert url in info.value.message
    assert info.value.title == "Sem conexão com o Bling"


def test_not_connected_and_keyring_missing(
    app_paths: AppPaths, memory_keyring: MemoryKeyring
) -> None:
    with pytest.raises(BlingNotConnectedError) as info:
        open_api("http://127.0.0.1:9/Api/v3", data_dir=app_paths.data_dir)
    assert "ponte-bling login" in info.value.message
    keyring.set_keyring(fail.Keyring())  # memory_keyring's teardown restores the guard
    with pytest.raises(KeyringUnavailableError):
        open_api("http://127.0.0.1:9/Api/v3", data_dir=app_paths.data_dir)


def test_usage_is_counted_in_the_local_store(
    sim: RunningSimulator, api_factory: ApiFactory
) -> None:
    from app.bling.throttle import sao_paulo_today
    from app.bling.usage import requests_on

    api = api_factory(sim)
    before = requests_on(sao_paulo_today())
    api.deposits()
    api.final_consumer()
    assert requests_on(sao_paulo_today()) == before + 2


def test_client_works_without_a_database(
    sim: RunningSimulator, memory_keyring: MemoryKeyring, tmp_path: object
) -> None:
    from pathlib import Path

    from app.bling.throttle import MemoryUsage

    store = store_sim_tokens(sim)
    usage = MemoryUsage()
    api = open_api(
        sim.base_url,
        data_dir=Path(str(tmp_path)) / "nodb",
        credentials=store,
        usage=usage,
        limits=RateLimits(per_second=0),
    )
    api.deposits()
    assert isinstance(api.client, BlingClient)
    assert api.client.throttle.used_today() == 1
