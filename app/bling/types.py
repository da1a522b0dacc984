"""Typed values returned by and sent to Bling API v3. Money is Decimal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class BlingProduct:
    id: int
    code: str | None  # codigo (SKU)
    name: str
    kind: str  # "simple" | "parent" | "variation"  (formato S / V+no parent / has idProdutoPai)
    parent_id: int | None
    gtin: str | None  # only filled by detail/variation/gtin lookups (list rows have no gtin)
    price: Decimal | None
    unit: str | None
    active: bool  # situacao == "A"
    changed_at: datetime | None = None


@dataclass(frozen=True)
class BlingPaymentForm:
    id: int
    description: str
    payment_type: int  # tipoPagamento
    active: bool  # situacao == 1
    is_default: bool  # padrao == 1
    card_brand: int | None = None  # dadosCartao.bandeira, when known


@dataclass(frozen=True)
class BlingDeposit:
    id: int
    description: str
    active: bool
    is_default: bool


@dataclass(frozen=True)
class BlingContact:
    id: int
    name: str
    document: str | None


@dataclass(frozen=True)
class BlingOrderStatus:
    id: int
    name: str
    value: int | None


@dataclass(frozen=True)
class OrderItem:
    product_id: int
    code: str | None
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal  # valor
    discount_percent: Decimal = Decimal("0")  # itens[].desconto is a PERCENT in Bling


@dataclass(frozen=True)
class OrderInstallment:
    due_date: date
    amount: Decimal
    forma_id: int
    notes: str = ""
    authorization_code: str | None = None  # caut


@dataclass(frozen=True)
class NewSalesOrder:
    contact_id: int
    date: date  # sale date in São Paulo time
    numero_loja: str
    items: tuple[OrderItem, ...]
    installments: tuple[OrderInstallment, ...]
    discount: Decimal = Decimal("0")  # order-level discount in REAL
    other_expenses: Decimal = Decimal("0")  # outrasDespesas
    notes: str = ""  # observacoes
    internal_notes: str = ""  # observacoesInternas
    sales_channel_id: int | None = None  # loja.id


@dataclass(frozen=True)
class CreatedOrder:
    id: int
    alerts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SalesOrderSummary:
    id: int
    numero: int | None
    numero_loja: str | None
    date: date | None
    total: Decimal | None
    status_id: int | None
    contact_id: int | None


@dataclass(frozen=True)
class StockBalance:
    product_id: int
    physical_total: Decimal
    virtual_total: Decimal
    by_deposit: dict[int, Decimal] = field(default_factory=dict)  # deposit id → saldoFisico
