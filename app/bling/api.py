"""Typed calls to Bling API v3 (contract; implemented by the foundation work).

Every method goes through `BlingClient` (throttle, token refresh, retries, typed errors).
List methods page with `limite=100` until a short page.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal

from app.bling.client import BlingClient
from app.bling.types import (
    BlingContact,
    BlingDeposit,
    BlingOrderStatus,
    BlingPaymentForm,
    BlingProduct,
    CreatedOrder,
    NewSalesOrder,
    SalesOrderSummary,
    StockBalance,
)


class BlingApi:
    """Typed Bling API v3 operations used by Ponte."""

    def __init__(self, client: BlingClient) -> None:
        self.client = client

    # Catalogue
    def iter_active_products(
        self, *, changed_since: datetime | None = None, kind: str = "T"
    ) -> Iterator[list[BlingProduct]]:
        """Pages of active products (criterio=2), optionally changed since a moment."""
        raise NotImplementedError

    def products_by_codes(self, codes: Sequence[str]) -> list[BlingProduct]:
        """Products whose codigo is one of codes (codigos[]; batched)."""
        raise NotImplementedError

    def products_by_gtins(self, gtins: Sequence[str]) -> list[BlingProduct]:
        """Products whose GTIN is one of gtins (gtins[]; batched); gtin filled."""
        raise NotImplementedError

    def product_variations(self, parent_id: int) -> list[BlingProduct]:
        """The variations of a parent product, gtin filled."""
        raise NotImplementedError

    def payment_forms(self) -> list[BlingPaymentForm]:
        """Active formas de pagamento."""
        raise NotImplementedError

    def deposits(self) -> list[BlingDeposit]:
        """Active depósitos."""
        raise NotImplementedError

    def final_consumer(self) -> BlingContact:
        """The built-in 'Consumidor Final' contact."""
        raise NotImplementedError

    def contacts_by_document(self, document: str) -> list[BlingContact]:
        """Contacts with this CPF/CNPJ (digits only)."""
        raise NotImplementedError

    def create_contact(self, name: str, document: str) -> int:
        """Create a contact (tipo F for CPF, J for CNPJ); returns its id."""
        raise NotImplementedError

    def sales_order_statuses(self) -> list[BlingOrderStatus]:
        """The statuses of the 'Vendas' module (to find 'Cancelado' by name)."""
        raise NotImplementedError

    # Sales orders
    def create_sales_order(self, order: NewSalesOrder) -> CreatedOrder:
        """POST /pedidos/vendas. Never retried blindly by the client."""
        raise NotImplementedError

    def get_sales_order(self, order_id: int) -> SalesOrderSummary:
        """GET /pedidos/vendas/{id}."""
        raise NotImplementedError

    def find_sales_orders_by_numero_loja(
        self, numeros_loja: Sequence[str]
    ) -> dict[str, SalesOrderSummary]:
        """Search by numerosLojas[] (many per request); exact numeroLoja → order."""
        raise NotImplementedError

    def launch_stock(self, order_id: int, deposit_id: int) -> None:
        """POST /pedidos/vendas/{id}/lancar-estoque/{idDeposito}."""
        raise NotImplementedError

    def reverse_stock(self, order_id: int) -> None:
        """POST /pedidos/vendas/{id}/estornar-estoque."""
        raise NotImplementedError

    def set_order_status(self, order_id: int, status_id: int) -> None:
        """PATCH /pedidos/vendas/{id}/situacoes/{idSituacao}."""
        raise NotImplementedError

    def stock_balances(self, deposit_id: int, product_ids: Sequence[int]) -> dict[int, Decimal]:
        """Physical balance per product in one deposit."""
        raise NotImplementedError

    def stock_balances_all(self, product_ids: Sequence[int]) -> list[StockBalance]:
        """Balances per product over all deposits."""
        raise NotImplementedError
