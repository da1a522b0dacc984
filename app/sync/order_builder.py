"""Turn one resolved sale into the Bling sales order that carries it (pure, no I/O).

The order's total in Bling must equal the note's vNF to the cent. Bling computes each line as
round_half_up(quantidade × valor × (1 − desconto%/100), 2), so per-line percent discounts can
never reproduce the note's discounts exactly. Items therefore go at their gross unit price with
no line discount, and ONE order-level discount in REAL closes the gap:

    Σ round_half_up(q × v, 2) − desconto + outrasDespesas == vNF
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from app.bling.types import NewSalesOrder, OrderInstallment, OrderItem
from app.errors import PonteError
from app.store.models import Sale, SaleItem, SalePayment
from app.sync.tenders import BRAND_NAMES, TENDER_NAMES
from app.timeutil import format_brl, to_sao_paulo

CENT = Decimal("0.01")
ZERO = Decimal("0")
CASH_TENDER = "01"


class OrderBuildError(PonteError):
    """The sale cannot become a correct order (missing ids, no payments...)."""

    title = "Venda incompleta"


@dataclass(frozen=True)
class ItemData:
    line: int
    product_id: int | None
    code: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class PaymentData:
    seq: int
    tender_code: str
    amount: Decimal
    forma_id: int | None
    description: str | None = None
    card_brand: str | None = None
    authorization_code: str | None = None


@dataclass(frozen=True)
class SaleData:
    """The figures of one sale the order is built from (read from the store)."""

    key: str
    numero_loja: str
    model: int
    number: int
    series: int
    issued_at: datetime
    total: Decimal  # vNF
    other: Decimal  # vOutro (+ frete + seguro)
    change: Decimal  # vTroco
    items: tuple[ItemData, ...]
    payments: tuple[PaymentData, ...]
    customer_document: str | None = None
    customer_name: str | None = None


@dataclass(frozen=True)
class BuiltOrder:
    order: NewSalesOrder
    warnings: tuple[str, ...] = ()


def round_money(value: Decimal) -> Decimal:
    """Round half up to the cent, the way Bling rounds line totals."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Bling's total of a line sent with no line discount."""
    return round_money(quantity * unit_price)


def sent_unit_price(unit_price: Decimal) -> Decimal:
    """The unit price as it travels: Bling's `valor` carries cents (the client sends two
    decimals), so a vUnCom with more decimals (3.333) goes rounded. The order-level discount is
    computed from the price actually sent, so the order's total still equals vNF exactly."""
    return round_money(unit_price)


def sale_date(issued_at: datetime) -> date:
    """The sale's calendar date in São Paulo (what the store sees on its receipts)."""
    return to_sao_paulo(issued_at).date()


def order_notes(sale: SaleData) -> str:
    """Observations that let anyone find the fiscal note behind the order."""
    kind = "NF-e" if sale.model == 55 else "NFC-e"
    return (
        f"{kind} nº {sale.number} série {sale.series} - chave de acesso {sale.key}. "
        "Enviado pelo Ponte."
    )


def build_order(
    sale: SaleData, *, contact_id: int, sales_channel_id: int | None = None
) -> BuiltOrder:
    """The NewSalesOrder for a resolved sale, plus Portuguese warnings about adjustments."""
    if not sale.items:
        raise OrderBuildError(f"A venda {sale.number} não tem itens; nada a enviar.")
    missing = [item.code for item in sale.items if item.product_id is None]
    if missing:
        raise OrderBuildError(
            "Produtos sem vínculo com o Bling: " + ", ".join(sorted(set(missing))) + "."
        )
    items = tuple(
        OrderItem(
            product_id=int(item.product_id or 0),
            code=item.code,
            description=item.description,
            unit=item.unit or "UN",
            quantity=item.quantity,
            unit_price=sent_unit_price(item.unit_price),
        )
        for item in sale.items
    )
    gross = sum((line_total(i.quantity, i.unit_price) for i in items), ZERO)
    target = round_money(sale.total)
    other = round_money(sale.other)
    discount = gross + other - target
    if discount < 0:
        # The note charges more than its lines (taxes on an NF-e, rounding): carry the excess
        # as other expenses instead of a negative discount, which Bling does not accept.
        other -= discount
        discount = ZERO
    day = sale_date(sale.issued_at)
    installments, warnings = build_installments(sale, day, target)
    order = NewSalesOrder(
        contact_id=contact_id,
        date=day,
        numero_loja=sale.numero_loja,
        items=items,
        installments=installments,
        discount=discount,
        other_expenses=other,
        notes=order_notes(sale),
        sales_channel_id=sales_channel_id,
    )
    return BuiltOrder(order=order, warnings=tuple(warnings))


def build_installments(
    sale: SaleData, due: date, target: Decimal
) -> tuple[tuple[OrderInstallment, ...], list[str]]:
    """One instalment per tender, summing to the note's total to the cent."""
    payments = list(sale.payments)
    warnings: list[str] = []
    if target <= 0:
        return (), warnings
    if not payments:
        raise OrderBuildError(
            f"A venda {sale.number} não tem formas de pagamento na nota; não dá para montar "
            "as parcelas do pedido."
        )
    unmapped = [p.tender_code for p in payments if p.forma_id is None]
    if unmapped:
        raise OrderBuildError(
            "Formas de pagamento sem DE-PARA: " + ", ".join(sorted(set(unmapped))) + "."
        )
    amounts = [round_money(p.amount) for p in payments]
    cash = [i for i, p in enumerate(payments) if p.tender_code == CASH_TENDER]
    # The instalment that absorbs change and mismatches: the last cash tender, since change is
    # given back in cash; without cash, the last tender.
    anchor = cash[-1] if cash else len(payments) - 1
    change = round_money(sale.change)
    if change > 0:
        amounts[anchor] -= change
    difference = target - sum(amounts, ZERO)
    if difference != 0:
        # Real notes (hand-edited PDV exports, fixture quirks) sometimes carry payments that do
        # not add up to vNF. Bling refuses an order whose instalments differ from its total, and
        # the note's vNF is the fiscal truth, so the gap goes on the anchor instalment and the
        # user is told.
        amounts[anchor] += difference
        warnings.append(
            f"Os pagamentos da nota somam {format_brl(target - difference)}, mas o total é "
            f"{format_brl(target)}; a diferença de {format_brl(difference)} foi lançada na "
            "parcela " + ("em dinheiro." if cash else "da última forma de pagamento.")
        )
    kept = _drop_empty(list(zip(payments, amounts, strict=True)), anchor)
    installments = tuple(
        OrderInstallment(
            due_date=due,
            amount=amount,
            forma_id=int(payment.forma_id or 0),
            notes=_installment_notes(payment),
            authorization_code=payment.authorization_code or None,
        )
        for payment, amount in kept
    )
    return installments, warnings


def _drop_empty(
    pairs: list[tuple[PaymentData, Decimal]], anchor: int
) -> list[tuple[PaymentData, Decimal]]:
    """Remove zero or negative instalments (Bling refuses them), moving their value onto the
    anchor instalment (or, when the anchor itself is empty, onto the last other one)."""
    pairs = list(pairs)
    while len(pairs) > 1:
        bad = next((i for i, (_, amount) in enumerate(pairs) if amount <= 0), None)
        if bad is None:
            break
        receiver = anchor if anchor != bad else max(i for i in range(len(pairs)) if i != bad)
        payment, amount = pairs[receiver]
        pairs[receiver] = (payment, amount + pairs[bad][1])
        del pairs[bad]
        anchor = receiver if receiver < bad else receiver - 1
    return pairs


def _installment_notes(payment: PaymentData) -> str:
    """What the store reads on the instalment: 'Cartão de débito - bandeira Elo'."""
    name = TENDER_NAMES.get(payment.tender_code, f"tPag {payment.tender_code}")
    parts = [payment.description or name]
    if payment.card_brand:
        parts.append(f"bandeira {BRAND_NAMES.get(payment.card_brand, payment.card_brand)}")
    return " - ".join(parts)


def sale_data_from_rows(
    sale: Sale, items: Sequence[SaleItem], payments: Sequence[SalePayment]
) -> SaleData:
    """Build SaleData from store rows."""
    return SaleData(
        key=sale.key,
        numero_loja=sale.numero_loja,
        model=sale.model,
        number=sale.number,
        series=sale.series,
        issued_at=sale.issued_at,
        total=sale.total,
        other=sale.other or ZERO,
        change=sale.change or ZERO,
        customer_document=sale.customer_document,
        customer_name=sale.customer_name,
        items=tuple(
            ItemData(
                line=i.line,
                product_id=i.bling_product_id,
                code=i.code,
                description=i.description,
                unit=i.unit,
                quantity=i.quantity,
                unit_price=i.unit_price,
            )
            for i in sorted(items, key=lambda row: int(row.line))
        ),
        payments=tuple(
            PaymentData(
                seq=p.seq,
                tender_code=p.tender_code,
                amount=p.amount,
                forma_id=p.bling_forma_id,
                description=p.description,
                card_brand=p.card_brand,
                authorization_code=p.authorization_code,
            )
            for p in sorted(payments, key=lambda row: int(row.seq))
        ),
    )
