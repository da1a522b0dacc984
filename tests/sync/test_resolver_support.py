"""Row factories shared by the resolver, mappings, catalogue and command tests (no tests here)."""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, datetime
from decimal import Decimal
from logging.handlers import RotatingFileHandler

from app.store.models import Deposit, PaymentForm, Product, Sale, SaleItem, SalePayment

STORE_A = "11222333000181"  # valid check digits
STORE_B = "45997418000153"

_numbers = itertools.count(1)


def make_sale(
    *,
    store_cnpj: str = STORE_A,
    store_name: str = "Loja Centro",
    items: list[tuple[str, str | None, str]] | None = None,
    payments: list[tuple[str, str | None]] | None = None,
    authorized: bool = True,
    contingency: bool = False,
    environment: int = 1,
    state: str = "nova",
    cancel_requested: bool = False,
) -> Sale:
    """A sale with items (code, gtin, description) and payments (tPag, tBand)."""
    number = next(_numbers)
    key = f"3526031122233300018165001{number:09d}1{number:08d}"[:44].ljust(44, "0")
    sale = Sale.create(
        key=key,
        model=65,
        environment=environment,
        emission_mode=1,
        series=1,
        number=number,
        issued_at=datetime(2026, 3, 10, 15, 0, tzinfo=UTC),
        store_cnpj=store_cnpj,
        store_name=store_name,
        products_total=Decimal("10.00"),
        discount=Decimal("0"),
        other=Decimal("0"),
        total=Decimal("10.00"),
        change=Decimal("0"),
        authorized=authorized,
        contingency=contingency,
        state=state,
        cancel_requested=cancel_requested,
        numero_loja=f"PB{number}",
    )
    for line, (code, gtin, description) in enumerate(items or [("SKU-1", None, "Camiseta")], 1):
        SaleItem.create(
            sale=sale,
            line=line,
            code=code,
            gtin=gtin,
            description=description,
            quantity=Decimal("1"),
            unit_price=Decimal("10.00"),
            total=Decimal("10.00"),
            discount=Decimal("0"),
            other=Decimal("0"),
        )
    for seq, (tender, brand) in enumerate(payments or [("01", None)], 1):
        SalePayment.create(
            sale=sale, seq=seq, tender_code=tender, card_brand=brand, amount=Decimal("10.00")
        )
    return sale


def product(
    pid: int,
    code: str | None,
    *,
    kind: str = "simple",
    parent_id: int | None = None,
    gtin: str | None = None,
    active: bool = True,
    name: str | None = None,
) -> Product:
    return Product.create(
        id=pid,
        code=code,
        gtin=gtin,
        name=name or f"Produto {pid}",
        kind=kind,
        parent_id=parent_id,
        active=active,
    )


def forma(
    fid: int,
    description: str,
    payment_type: int,
    *,
    card_brand: int | None = None,
    active: bool = True,
    is_default: bool = False,
) -> PaymentForm:
    return PaymentForm.create(
        id=fid,
        description=description,
        payment_type=payment_type,
        card_brand=card_brand,
        active=active,
        is_default=is_default,
    )


def deposit(did: int, description: str, *, active: bool = True) -> Deposit:
    return Deposit.create(id=did, description=description, active=active)


def reload(sale: Sale) -> Sale:
    return Sale.get(Sale.key == sale.key)


def drop_file_log_handlers() -> None:
    """Forget the log file `app.cli.main` opened, so the next test's data dir gets its own
    (setup_logging keeps the first RotatingFileHandler of the process)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, RotatingFileHandler)]:
        root.removeHandler(handler)
        handler.close()
