"""The outbox state machine against an in-memory Bling with failures at exact points."""

from __future__ import annotations

from decimal import Decimal

import peewee
import pytest

from app.bling.codes import INVALID_PAYMENT_FORM
from app.bling.errors import (
    BlingNotConnectedError,
    BlingTransientError,
    BlingValidationError,
    FieldError,
)
from app.store.models import LogEvent, Sale
from app.store.settings import FINAL_STATUS, set_setting
from app.sync.outbox import Outbox, RetryPolicy
from tests.sync.test_outbox_fakes import Clock, FakeBling, make_sale, reload, unknown


def outbox(api: FakeBling, clock: Clock | None = None, deposit: int = 1) -> Outbox:
    return Outbox(
        api,  # type: ignore[arg-type]
        deposit_for=lambda sale: deposit,
        clock=clock or Clock(),
        retry=RetryPolicy(base_seconds=10, cap_seconds=600),
    )


def assert_once(api: FakeBling, sale: Sale, deposit: int = 1, qty: str = "2") -> None:
    assert len(api.orders_for(sale.numero_loja)) == 1
    assert api.stock_out(sale.numero_loja) == {deposit: Decimal(qty)}
    row = reload(sale)
    assert row.state == "enviada"
    assert row.stock_launched and row.stock_deposit_id == deposit


def test_ready_sale_goes_out_with_two_requests_in_steady_state(db: peewee.Database) -> None:
    api = FakeBling()
    first, second = make_sale(1), make_sale(2)
    summary = outbox(api).run()
    assert summary.sent == 2 and summary.created == 2
    assert_once(api, first)
    assert_once(api, second)
    # the consumer-final contact is looked up once and cached; then 2 requests per sale
    assert api.calls["final_consumer"] == 1
    assert api.calls["create_sales_order"] == 2 and api.calls["launch_stock"] == 2
    assert api.calls["find_sales_orders_by_numero_loja"] == 0
    make_sale(3)
    before = sum(api.calls.values())
    outbox(api).run()
    assert sum(api.calls.values()) - before == 2
    states = [e.message for e in LogEvent.select().where(LogEvent.sale_key == first.key)]
    assert any("Enviando" in m for m in states) and any("criado" in m for m in states)
    assert any("Venda enviada" in m for m in states)


def test_order_committed_but_answer_lost_is_adopted_not_resent(db: peewee.Database) -> None:
    api = FakeBling()
    sale = make_sale(1)
    api.fail("create_sales_order", "after", unknown())
    clock = Clock()
    box = outbox(api, clock)
    box.run()
    row = reload(sale)
    assert row.state == "enviando" and row.attempts == 1 and row.next_attempt_at is not None
    box.run()  # not due yet: nothing happens
    assert api.calls["find_sales_orders_by_numero_loja"] == 0
    clock.advance(11)
    summary = box.run()
    assert summary.adopted == 1
    assert api.calls["create_sales_order"] == 1
    assert_once(api, sale)


def test_answer_lost_before_bling_did_it_is_searched_then_sent(db: peewee.Database) -> None:
    api = FakeBling()
    sale = make_sale(1)
    api.fail("create_sales_order", "before", BlingTransientError("503"))
    clock = Clock()
    box = outbox(api, clock)
    box.run()
    clock.advance(3600)
    box.run()
    assert api.calls["find_sales_orders_by_numero_loja"] == 1
    assert api.calls["create_sales_order"] == 2
    assert_once(api, sale)


def test_crash_after_post_then_fresh_outbox_resumes_once(db: peewee.Database) -> None:
    api = FakeBling()
    sale = make_sale(1)
    api.fail("create_sales_order", "after", RuntimeError("power cut"))
    with pytest.raises(RuntimeError):
        outbox(api).run()
    assert reload(sale).state == "enviando"
    outbox(api).run()  # a new process: no backoff was recorded, the search happens at once
    assert api.calls["create_sales_order"] == 1
    assert_once(api, sale)


def test_crash_between_create_and_launch_resumes_launch(db: peewee.Database) -> None:
    api = FakeBling()
    sale = make_sale(1)
    api.fail("launch_stock", "before", RuntimeError("power cut"))
    with pytest.raises(RuntimeError):
        outbox(api).run()
    assert reload(sale).state == "pedido_criado"
    outbox(api).run()
    assert api.calls["create_sales_order"] == 1
    assert api.calls["find_sales_orders_by_numero_loja"] == 0
    assert_once(api, sale)


def test_launch_answer_lost_is_not_launched_twice(db: peewee.Database) -> None:
    api = FakeBling()
    sale = make_sale(1)
    api.fail("launch_stock", "after", unknown())
    clock = Clock()
    box = outbox(api, clock)
    box.run()
    assert reload(sale).state == "pedido_criado" and not reload(sale).stock_launched
    clock.advance(60)
    box.run()
    assert api.calls["launch_stock"] == 2  # the second was refused as "already launched"
    assert_once(api, sale)


def test_account_that_launches_on_status_change_never_doubles(db: peewee.Database) -> None:
    api = FakeBling(auto_launch_status=9, default_deposit=1)
    set_setting(FINAL_STATUS, "atendido")
    sale = make_sale(1)
    outbox(api, deposit=2).run()
    # launched by Ponte in the store's deposit 2 first; the status change launches nothing more
    assert_once(api, sale, deposit=2)
    assert api.orders_for(sale.numero_loja)[0].status_id == 9


def test_status_change_retried_after_launch_does_not_relaunch(db: peewee.Database) -> None:
    api = FakeBling(auto_launch_status=9)
    set_setting(FINAL_STATUS, "Atendido")
    sale = make_sale(1)
    api.fail("set_order_status", "after", unknown())
    clock = Clock()
    box = outbox(api, clock)
    box.run()
    row = reload(sale)
    assert row.state == "pedido_criado" and row.stock_launched
    clock.advance(60)
    box.run()
    assert api.calls["launch_stock"] == 1
    assert_once(api, sale)


def test_growing_persisted_delays_then_success(db: peewee.Database) -> None:
    api = FakeBling()
    sale = make_sale(1)
    for _ in range(3):
        api.fail("launch_stock", "before", BlingTransientError("500"))
    clock = Clock()
    box = outbox(api, clock)
    delays = []
    for _ in range(3):
        box.run()
        row = reload(sale)
        delays.append((row.next_attempt_at - clock.now).total_seconds())
        clock.now = row.next_attempt_at
    assert delays == [10, 20, 40]
    assert reload(sale).attempts == 3
    box.run()
    assert_once(api, sale)
    assert reload(sale).attempts == 0


def test_validation_error_stops_sale_with_action_and_retry_resumes(db: peewee.Database) -> None:
    from app.sync.transitions import retry_sale

    api = FakeBling()
    sale = make_sale(1)
    api.fail(
        "create_sales_order",
        "before",
        BlingValidationError(
            "recusado",
            status=400,
            fields=(
                FieldError(
                    None,
                    "",
                    element="parcelas",
                    collection=(
                        FieldError(
                            INVALID_PAYMENT_FORM, "Forma inválida", element="formaPagamento"
                        ),
                    ),
                ),
            ),
        ),
    )
    box = outbox(api)
    box.run()
    row = reload(sale)
    assert row.state == "erro"
    assert "DE-PARA" in (row.error_message or "") and "Forma inválida" in (row.error_message or "")
    retry_sale(sale.key)
    assert reload(sale).state == "nova"
    Sale.update(state="pronta").where(Sale.key == sale.key).execute()  # the resolver's job
    box.run()
    assert_once(api, sale)


def test_not_connected_pauses_without_failing_sales(db: peewee.Database) -> None:
    api = FakeBling()
    sale = make_sale(1)
    api.fail("final_consumer", "before", BlingNotConnectedError("reconecte"))
    with pytest.raises(BlingNotConnectedError):
        outbox(api).run()
    row = reload(sale)
    assert row.state == "pronta" and row.attempts == 0 and row.error_title is None


def test_uncertain_sales_are_searched_in_one_batch(db: peewee.Database) -> None:
    api = FakeBling()
    sales = [make_sale(n) for n in range(1, 6)]
    for _ in sales:
        api.fail("create_sales_order", "after", unknown())
    clock = Clock()
    box = outbox(api, clock)
    box.run()  # stops after 3 failures in a row: two sales were not even tried
    clock.advance(3600)
    box.run()
    clock.advance(3600)
    box.run()
    assert all(len(s) >= 1 for s in api.searches)
    assert api.calls["find_sales_orders_by_numero_loja"] <= 2
    assert max(len(s) for s in api.searches) >= 3
    for sale in sales:
        assert_once(api, sale)


def test_cancellation_of_sent_sale_reverses_and_cancels(db: peewee.Database) -> None:
    api = FakeBling()
    sale = make_sale(1)
    box = outbox(api)
    box.run()
    Sale.update(cancel_requested=True).where(Sale.key == sale.key).execute()
    summary = box.run()
    assert summary.cancelled == 1
    row = reload(sale)
    assert row.state == "cancelada" and row.cancel_done and not row.stock_launched
    assert api.stock_out(sale.numero_loja) == {}
    assert api.orders_for(sale.numero_loja)[0].status_id == 12


def test_cancellation_of_unsent_sale_sends_nothing(db: peewee.Database) -> None:
    api = FakeBling()
    sale = make_sale(1)
    Sale.update(cancel_requested=True).where(Sale.key == sale.key).execute()
    outbox(api).run()
    assert reload(sale).state == "cancelada"
    assert sum(api.calls.values()) == 0


def test_cancellation_of_uncertain_sale_searches_first(db: peewee.Database) -> None:
    api = FakeBling()
    sale = make_sale(1)
    api.fail("create_sales_order", "after", unknown())
    clock = Clock()
    box = outbox(api, clock)
    box.run()
    Sale.update(cancel_requested=True).where(Sale.key == sale.key).execute()
    clock.advance(3600)
    box.run()
    row = reload(sale)
    assert row.state == "cancelada" and row.bling_order_id is not None
    assert api.orders_for(sale.numero_loja)[0].status_id == 12
    assert api.stock_out(sale.numero_loja) == {}
    assert api.calls["create_sales_order"] == 1


def test_move_reverses_and_launches_in_new_deposit(db: peewee.Database) -> None:
    from app.sync.transitions import move_sale

    api = FakeBling()
    sale = make_sale(1)
    box = outbox(api)
    box.run()
    move_sale(sale.key, 2)
    api.fail("launch_stock", "before", RuntimeError("power cut"))  # crash mid-move
    with pytest.raises(RuntimeError):
        box.run()
    assert api.stock_out(sale.numero_loja) == {}
    summary = outbox(api).run()
    assert summary.sent == 1
    assert_once(api, sale, deposit=2)


def test_cancellation_after_a_lost_launch_answer_still_returns_the_stock(
    db: peewee.Database,
) -> None:
    api = FakeBling()
    sale = make_sale(1)
    api.fail("launch_stock", "after", unknown())  # the stock left; Ponte never heard so
    clock = Clock()
    box = outbox(api, clock)
    box.run()
    assert not reload(sale).stock_launched and api.stock_out(sale.numero_loja) == {1: Decimal(2)}
    Sale.update(cancel_requested=True).where(Sale.key == sale.key).execute()
    clock.advance(3600)
    box.run()
    assert reload(sale).state == "cancelada"
    assert api.stock_out(sale.numero_loja) == {}
    assert api.calls["launch_stock"] == 1


def test_refused_undo_waits_for_the_user_instead_of_retrying_every_cycle(
    db: peewee.Database,
) -> None:
    from app.sync.transitions import retry_sale

    api = FakeBling()
    sale = make_sale(1)
    box = outbox(api)
    box.run()
    Sale.update(cancel_requested=True).where(Sale.key == sale.key).execute()
    api.fail(
        "set_order_status",
        "before",
        BlingValidationError("não", status=400, fields=(FieldError(None, "Situação inválida"),)),
    )
    box.run()
    row = reload(sale)
    assert row.state == "erro" and "situação" in (row.error_title or "").lower()
    calls = sum(api.calls.values())
    box.run()
    assert sum(api.calls.values()) == calls  # not hammered every cycle
    retry_sale(sale.key)
    box.run()
    assert reload(sale).state == "cancelada" and api.stock_out(sale.numero_loja) == {}


def test_product_refusal_is_translated_into_an_action() -> None:
    from app.sync.outbox import explain_refusal

    exc = BlingValidationError(
        "x",
        status=400,
        fields=(FieldError(None, "Produto 123 inativo", element="produto", namespace="VENDAS"),),
    )
    title, message = explain_refusal(exc, "create")
    assert title == "Pedido recusado pelo Bling"
    assert "Produto 123 inativo" in message and "products link" in message


def test_unknown_final_status_is_said_once_and_sales_still_go(db: peewee.Database) -> None:
    api = FakeBling()
    set_setting(FINAL_STATUS, "Faturado na loja")
    sales = [make_sale(n) for n in (1, 2, 3)]
    outbox(api).run()
    for sale in sales:
        assert_once(api, sale)
    warnings = LogEvent.select().where(LogEvent.message.contains("Faturado na loja"))
    assert warnings.count() == 1
    assert api.calls["sales_order_statuses"] == 1 and api.calls["set_order_status"] == 0
