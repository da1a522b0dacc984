"""The order built from a sale: totals to the cent, instalments, dates, notes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest

from app.sync.order_builder import (
    ItemData,
    OrderBuildError,
    PaymentData,
    SaleData,
    build_order,
)


def bling_total(order: object) -> D:
    """The total Bling computes for an order (the simulator's rule)."""
    lines = sum(
        (
            (i.quantity * i.unit_price * (1 - i.discount_percent / 100)).quantize(
                D("0.01"), rounding=ROUND_HALF_UP
            )
            for i in order.items  # type: ignore[attr-defined]
        ),
        D("0"),
    )
    return lines - order.discount + order.other_expenses  # type: ignore[attr-defined]


def sale(
    items: list[tuple[str, str, str]],
    payments: list[tuple[str, str]],
    *,
    total: str,
    other: str = "0",
    change: str = "0",
    issued_at: datetime | None = None,
    document: str | None = None,
) -> SaleData:
    return SaleData(
        key="35260348231687000100650020000158291400522052",
        numero_loja="35260348231687000100650020000158291400522052",
        model=65,
        number=15829,
        series=2,
        issued_at=issued_at or datetime(2026, 3, 10, 15, 0, tzinfo=UTC),
        total=D(total),
        other=D(other),
        change=D(change),
        customer_document=document,
        items=tuple(
            ItemData(
                line=n,
                product_id=1000 + n,
                code=code,
                description=f"Produto {code}",
                unit="UN",
                quantity=D(q),
                unit_price=D(v),
            )
            for n, (code, q, v) in enumerate(items, start=1)
        ),
        payments=tuple(
            PaymentData(seq=n, tender_code=t, amount=D(a), forma_id=500 + n)
            for n, (t, a) in enumerate(payments, start=1)
        ),
    )


def test_discounts_become_one_order_discount_and_total_matches_vnf() -> None:
    # 3.333 travels as 3.33: 3 × 3.33 = 9.99; 1.5 kg × 12.99 = 19.485 → 19.49 (half up);
    # gross 29.48, vNF 27.00
    s = sale([("A", "3", "3.333"), ("B", "1.5", "12.99")], [("01", "27.00")], total="27.00")
    built = build_order(s, contact_id=7)
    order = built.order
    assert all(i.discount_percent == 0 for i in order.items)
    assert order.discount == D("2.48")
    assert order.other_expenses == D("0")
    assert bling_total(order) == D("27.00")
    assert sum(p.amount for p in order.installments) == D("27.00")
    assert built.warnings == ()
    assert order.items[1].quantity == D("1.5")  # exact, not rounded
    assert order.items[0].unit_price == D("3.33")


def test_other_expenses_and_taxes_above_lines_never_give_negative_discount() -> None:
    s = sale([("A", "1", "10.00")], [("01", "12.50")], total="12.50", other="1.00")
    order = build_order(s, contact_id=1).order
    assert order.discount == D("0")
    assert order.other_expenses == D("2.50")
    assert bling_total(order) == D("12.50")


def test_change_comes_off_the_cash_instalment() -> None:
    s = sale(
        [("A", "2", "10.00")],
        [("03", "5.00"), ("01", "20.00")],
        total="20.00",
        change="5.00",
    )
    built = build_order(s, contact_id=1)
    amounts = [p.amount for p in built.order.installments]
    assert amounts == [D("5.00"), D("15.00")]
    assert built.warnings == ()


def test_payments_not_adding_up_put_difference_on_cash_with_warning() -> None:
    # like sample nfe-api__testNFCeAutorizadoXML: payments 13.99 for a vNF of 11.79
    s = sale([("A", "1", "13.99")], [("03", "4.50"), ("01", "9.49")], total="11.79")
    built = build_order(s, contact_id=1)
    amounts = [p.amount for p in built.order.installments]
    assert amounts == [D("4.50"), D("7.29")]
    assert sum(amounts) == D("11.79")
    assert len(built.warnings) == 1 and "diferença" in built.warnings[0]


def test_payments_short_of_total_without_cash_go_on_last_instalment() -> None:
    # like sample sped-da__NFCeProd1: a single 0.94 payment for a vNF of 9.90
    s = sale([("A", "1", "9.90")], [("19", "0.94")], total="9.90")
    built = build_order(s, contact_id=1)
    assert [p.amount for p in built.order.installments] == [D("9.90")]
    assert built.warnings


def test_instalment_that_would_be_zero_is_dropped() -> None:
    s = sale([("A", "1", "10.00")], [("03", "10.00"), ("01", "4.00")], total="10.00", change="4.00")
    built = build_order(s, contact_id=1)
    assert [(p.forma_id, p.amount) for p in built.order.installments] == [(501, D("10.00"))]


def test_card_authorisation_code_date_notes_and_channel() -> None:
    s = SaleData(
        **{
            **sale([("A", "1", "5.00")], [("04", "5.00")], total="5.00").__dict__,
            "payments": (
                PaymentData(
                    seq=1,
                    tender_code="04",
                    amount=D("5.00"),
                    forma_id=9,
                    description="Débito",
                    card_brand="02",
                    authorization_code="123456",
                ),
            ),
            # 01:30 UTC is still the previous day in São Paulo
            "issued_at": datetime(2026, 3, 11, 1, 30, tzinfo=UTC),
        }
    )
    order = build_order(s, contact_id=3, sales_channel_id=204).order
    assert order.date == date(2026, 3, 10)
    assert order.installments[0].due_date == date(2026, 3, 10)
    assert order.installments[0].authorization_code == "123456"
    assert order.installments[0].notes == "Débito - bandeira Mastercard"
    plain = build_order(sale([("A", "1", "5.00")], [("17", "5.00")], total="5.00"), contact_id=1)
    assert plain.order.installments[0].notes == "PIX dinâmico"
    assert order.sales_channel_id == 204
    assert order.contact_id == 3
    assert order.numero_loja == s.numero_loja
    assert "15829" in order.notes and "série 2" in order.notes and s.key in order.notes


def test_unresolved_item_or_tender_refuses_to_build() -> None:
    s = sale([("A", "1", "5.00")], [("01", "5.00")], total="5.00")
    no_product = SaleData(
        **{**s.__dict__, "items": (ItemData(1, None, "X9", "x", "UN", D("1"), D("5")),)}
    )
    with pytest.raises(OrderBuildError, match="X9"):
        build_order(no_product, contact_id=1)
    no_forma = SaleData(**{**s.__dict__, "payments": (PaymentData(1, "17", D("5"), None),)})
    with pytest.raises(OrderBuildError, match="17"):
        build_order(no_forma, contact_id=1)


def test_many_generated_notes_land_on_vnf_to_the_cent() -> None:
    """Notes built with the NFC-e's own arithmetic (not the builder's): vProd = q × vUnCom
    rounded, per-line vDesc and vOutro, vUnCom with up to 10 decimals, KG quantities with 3
    decimals, several tenders, cash with change. Bling's total must be vNF in every one."""
    import random

    rng = random.Random(20261204)
    cent = D("0.01")
    for _ in range(3000):
        items, gross, line_discounts, other = [], D(0), D(0), D(0)
        for n in range(rng.randint(1, 8)):
            if rng.random() < 0.4:
                quantity = D(rng.randint(1, 9999)).scaleb(-3)  # weighed, e.g. 1.536 KG
            else:
                quantity = D(rng.randint(1, 12))
            unit_price = D(rng.randint(1, 99_999_999)).scaleb(-rng.choice((2, 3, 4, 10)))
            v_prod = (quantity * unit_price).quantize(cent, rounding=ROUND_HALF_UP)
            if v_prod <= 0:
                continue
            discount = D(rng.randint(0, int(v_prod * 30))) / 100 if rng.random() < 0.3 else D(0)
            gross += v_prod
            line_discounts += discount
            if rng.random() < 0.05:
                other += D(rng.randint(1, 500)) / 100
            items.append((f"C{n}", str(quantity), str(unit_price)))
        if not items:
            continue
        v_nf = gross - line_discounts + other
        if v_nf <= 0:
            continue
        card = (v_nf * D(rng.randint(0, 100)) / 100).quantize(cent)
        change = D(rng.randint(0, 5000)) / 100 if rng.random() < 0.5 else D(0)
        payments = [("03", str(card))] if card else []
        payments.append(("01", str(v_nf - card + change)))
        s = sale(items, payments, total=str(v_nf), other=str(other), change=str(change))
        built = build_order(s, contact_id=1)
        order = built.order
        assert bling_total(order) == v_nf, (items, v_nf)
        assert sum(p.amount for p in order.installments) == v_nf
        assert order.discount >= 0 and order.other_expenses >= 0
        assert all(p.amount > 0 for p in order.installments)
        assert all(i.unit_price == i.unit_price.quantize(cent) for i in order.items)
        assert built.warnings == ()
        if card and v_nf - card > 0:  # cash instalment is what stayed in the drawer
            assert order.installments[-1].amount == v_nf - card
