"""Typed calls to Bling API v3.

Every method goes through `BlingClient` (throttle, token refresh, retries, typed errors).
List methods page with `limite=100` until a short page. Lookups by many keys (`codigos[]`,
`gtins[]`, `numerosLojas[]`, `idsProdutos[]`) put as many keys in one request as fit in a URL of
about 1,800 characters, to spend as few of the account's 3 requests/s as possible.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from app.bling.client import BlingClient, Params
from app.bling.errormap import describe_fields, parse_fields
from app.bling.errors import BlingProtocolError
from app.bling.jsonutil import money, to_decimal
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
from app.timeutil import SAO_PAULO

log = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_QUERY_CHARS = 1800  # keep every URL well under the ~2,000 characters proxies accept
CARD_PAYMENT_TYPES = frozenset({3, 4, 5})  # credit, debit, store card: brand lives in the detail
SALES_MODULE_NAME = "Vendas"


class BlingApi:
    """Typed Bling API v3 operations used by Ponte."""

    def __init__(self, client: BlingClient) -> None:
        self.client = client

    # Catalogue
    def iter_active_products(
        self, *, changed_since: datetime | None = None, kind: str = "T"
    ) -> Iterator[list[BlingProduct]]:
        """Pages of active products (criterio=2), optionally changed since a moment.

        `kind` is Bling's `tipo`: T all, PS simple, C parents (with variations), V variations.
        """
        params: dict[str, Any] = {"criterio": 2, "tipo": kind}
        if changed_since is not None:
            params["dataAlteracaoInicial"] = format_datetime(changed_since)
        for page in self._pages("produtos", params):
            yield [product_from(row) for row in page]

    def products_by_codes(self, codes: Sequence[str]) -> list[BlingProduct]:
        """Products whose codigo is one of codes (codigos[]; batched), active or not."""
        wanted = _unique(c for c in codes if c)
        found: dict[int, BlingProduct] = {}
        for batch in _batches("codigos[]", wanted):
            for page in self._pages("produtos", {"criterio": 5, "codigos[]": batch}):
                for row in page:
                    product = product_from(row)
                    if product.code in batch:
                        found[product.id] = product
        return list(found.values())

    def products_by_gtins(self, gtins: Sequence[str]) -> list[BlingProduct]:
        """Products whose GTIN is one of gtins (gtins[]; batched); gtin filled.

        List rows do not carry the GTIN in Bling's schema, so when a batch holds several
        GTINs and a row comes back without one, its detail is read to learn which it is.
        """
        wanted = _unique(g for g in gtins if g)
        found: dict[int, BlingProduct] = {}
        for batch in _batches("gtins[]", wanted):
            for page in self._pages("produtos", {"criterio": 5, "gtins[]": batch}):
                for row in page:
                    product = product_from(row)
                    if product.gtin is None:
                        if len(batch) == 1:
                            product = _with_gtin(product, batch[0])
                        else:
                            product = self.product(product.id)
                    if product.gtin in batch:
                        found[product.id] = product
        return list(found.values())

    def product(self, product_id: int) -> BlingProduct:
        """One product with its detail (gtin, unit)."""
        body = self.client.get(f"produtos/{int(product_id)}")
        return product_from(_data(body, dict))

    def product_variations(self, parent_id: int) -> list[BlingProduct]:
        """The variations of a parent product, gtin filled."""
        body = self.client.get(f"produtos/variacoes/{int(parent_id)}")
        parent = _data(body, dict)
        rows = parent.get("variacoes") or []
        result = []
        for row in rows:
            if isinstance(row, dict):
                child = product_from(row)
                if child.parent_id is None or child.kind != "variation":
                    child = _as_variation(child, int(parent_id))
                result.append(child)
        return result

    def payment_forms(self, *, with_card_brands: bool = True) -> list[BlingPaymentForm]:
        """Active formas de pagamento; for card forms the brand comes from their detail."""
        forms: list[BlingPaymentForm] = []
        for page in self._pages("formas-pagamentos", {"situacao": 1}):
            for row in page:
                form = payment_form_from(row)
                if (
                    with_card_brands
                    and form.card_brand is None
                    and form.payment_type in CARD_PAYMENT_TYPES
                ):
                    detail = _data(self.client.get(f"formas-pagamentos/{form.id}"), dict)
                    form = payment_form_from({**row, **detail})
                forms.append(form)
        return forms

    def deposits(self) -> list[BlingDeposit]:
        """Active depósitos."""
        result = []
        for page in self._pages("depositos", {"situacao": 1}):
            for row in page:
                result.append(
                    BlingDeposit(
                        id=int(row["id"]),
                        description=str(row.get("descricao") or ""),
                        active=_int(row.get("situacao"), 1) == 1,
                        is_default=bool(row.get("padrao")),
                    )
                )
        return result

    def final_consumer(self) -> BlingContact:
        """The built-in 'Consumidor Final' contact."""
        return contact_from(_data(self.client.get("contatos/consumidor-final"), dict))

    def contacts_by_document(self, document: str) -> list[BlingContact]:
        """Contacts with this CPF/CNPJ (digits only)."""
        digits = only_digits(document)
        if not digits:
            return []
        result = []
        for page in self._pages("contatos", {"numeroDocumento": digits, "criterio": 1}):
            for row in page:
                contact = contact_from(row)
                if contact.document == digits:
                    result.append(contact)
        return result

    def create_contact(self, name: str, document: str) -> int:
        """Create a contact (tipo F for CPF, J for CNPJ); returns its id."""
        digits = only_digits(document)
        body = {
            "nome": name.strip()[:120] or digits,
            "tipo": "J" if len(digits) == 14 else "F",
            "situacao": "A",
            "numeroDocumento": digits,
        }
        created = _data(self.client.post("contatos", body), dict)
        return int(created["id"])

    def sales_order_statuses(self) -> list[BlingOrderStatus]:
        """The statuses of the 'Vendas' module (to find 'Cancelado' by name)."""
        modules = _data(self.client.get("situacoes/modulos"), list)
        module = next(
            (
                m
                for m in modules
                if isinstance(m, dict)
                and str(m.get("nome", "")).strip().casefold() == SALES_MODULE_NAME.casefold()
            ),
            None,
        )
        if module is None:
            raise BlingProtocolError(
                "O Bling não informou o módulo de Vendas nas situações.",
                details=f"modules: {[m.get('nome') for m in modules if isinstance(m, dict)]}",
            )
        rows = _data(self.client.get(f"situacoes/modulos/{int(module['id'])}"), list)
        return [
            BlingOrderStatus(
                id=int(row["id"]),
                name=str(row.get("nome") or ""),
                value=_int_or_none(row.get("valor")),
            )
            for row in rows
            if isinstance(row, dict)
        ]

    # Sales orders
    def create_sales_order(self, order: NewSalesOrder) -> CreatedOrder:
        """POST /pedidos/vendas. Never retried blindly by the client."""
        created = _data(self.client.post("pedidos/vendas", sales_order_body(order)), dict)
        alerts = tuple(describe_fields([f]) or f.msg for f in parse_fields(created.get("alertas")))
        if alerts:
            log.warning("order %s created with alerts: %s", order.numero_loja, alerts)
        return CreatedOrder(id=int(created["id"]), alerts=alerts)

    def get_sales_order(self, order_id: int) -> SalesOrderSummary:
        """GET /pedidos/vendas/{id}."""
        return order_summary_from(_data(self.client.get(f"pedidos/vendas/{int(order_id)}"), dict))

    def find_sales_orders_by_numero_loja(
        self, numeros_loja: Sequence[str]
    ) -> dict[str, SalesOrderSummary]:
        """Search by numerosLojas[] (many per request); exact numeroLoja → order.

        When Bling holds several orders with the same numeroLoja, the oldest (lowest id) wins,
        so repeated searches always adopt the same one.
        """
        wanted = _unique(n for n in numeros_loja if n)
        found: dict[str, SalesOrderSummary] = {}
        for batch in _batches("numerosLojas[]", wanted):
            for page in self._pages("pedidos/vendas", {"numerosLojas[]": batch}):
                for row in page:
                    summary = order_summary_from(row)
                    key = summary.numero_loja
                    if key is None or key not in batch:
                        continue
                    if key not in found or summary.id < found[key].id:
                        found[key] = summary
        return found

    def launch_stock(self, order_id: int, deposit_id: int) -> None:
        """POST /pedidos/vendas/{id}/lancar-estoque/{idDeposito}."""
        self.client.post(f"pedidos/vendas/{int(order_id)}/lancar-estoque/{int(deposit_id)}")

    def reverse_stock(self, order_id: int) -> None:
        """POST /pedidos/vendas/{id}/estornar-estoque."""
        self.client.post(f"pedidos/vendas/{int(order_id)}/estornar-estoque")

    def set_order_status(self, order_id: int, status_id: int) -> None:
        """PATCH /pedidos/vendas/{id}/situacoes/{idSituacao}."""
        self.client.patch(f"pedidos/vendas/{int(order_id)}/situacoes/{int(status_id)}")

    def stock_balances(self, deposit_id: int, product_ids: Sequence[int]) -> dict[int, Decimal]:
        """Physical balance per product in one deposit."""
        result: dict[int, Decimal] = {}
        ids = [str(int(i)) for i in _unique(str(p) for p in product_ids)]
        for batch in _batches("idsProdutos[]", ids):
            body = self.client.get(f"estoques/saldos/{int(deposit_id)}", {"idsProdutos[]": batch})
            for row in _data(body, list):
                product_id = _nested_id(row, "produto")
                if product_id is None:
                    continue
                deposit_rows = row.get("depositos")
                value = None
                if isinstance(deposit_rows, list):
                    for dep in deposit_rows:
                        if isinstance(dep, dict) and _int_or_none(dep.get("id")) == deposit_id:
                            value = to_decimal(dep.get("saldoFisico"))
                if value is None:
                    value = to_decimal(row.get("saldoFisicoTotal")) or Decimal("0")
                result[product_id] = value
        return result

    def stock_balances_all(self, product_ids: Sequence[int]) -> list[StockBalance]:
        """Balances per product over all deposits."""
        result: list[StockBalance] = []
        ids = [str(int(i)) for i in _unique(str(p) for p in product_ids)]
        for batch in _batches("idsProdutos[]", ids):
            body = self.client.get("estoques/saldos", {"idsProdutos[]": batch})
            for row in _data(body, list):
                product_id = _nested_id(row, "produto")
                if product_id is None:
                    continue
                by_deposit: dict[int, Decimal] = {}
                for dep in row.get("depositos") or []:
                    if isinstance(dep, dict) and _int_or_none(dep.get("id")) is not None:
                        by_deposit[int(dep["id"])] = to_decimal(dep.get("saldoFisico")) or Decimal(
                            "0"
                        )
                result.append(
                    StockBalance(
                        product_id=product_id,
                        physical_total=to_decimal(row.get("saldoFisicoTotal")) or Decimal("0"),
                        virtual_total=to_decimal(row.get("saldoVirtualTotal")) or Decimal("0"),
                        by_deposit=by_deposit,
                    )
                )
        return result

    # Paging
    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        page = 1
        while True:
            query: Params = {**params, "pagina": page, "limite": PAGE_SIZE}
            rows = _data(self.client.get(path, query), list)
            items = [r for r in rows if isinstance(r, dict)]
            yield items
            if len(rows) < PAGE_SIZE:
                return
            page += 1


# --- Mapping Bling JSON to our types ------------------------------------------------------


def product_from(row: dict[str, Any]) -> BlingProduct:
    """A product row (list, detail or variation) as BlingProduct."""
    parent_id = _int_or_none(row.get("idProdutoPai"))
    if not parent_id:
        variation = row.get("variacao")
        nested = variation.get("produtoPai") if isinstance(variation, dict) else None
        parent_id = _int_or_none(nested.get("id")) if isinstance(nested, dict) else None
    parent_id = parent_id or None
    formato = str(row.get("formato") or "S").upper()
    if parent_id:
        kind = "variation"
    elif formato == "V":
        kind = "parent"
    else:
        kind = "simple"
    gtin = str(row.get("gtin") or "").strip() or None
    code = str(row.get("codigo") or "").strip() or None
    return BlingProduct(
        id=int(row["id"]),
        code=code,
        name=str(row.get("nome") or ""),
        kind=kind,
        parent_id=parent_id,
        gtin=gtin,
        price=to_decimal(row.get("preco")),
        unit=str(row.get("unidade") or "").strip() or None,
        active=str(row.get("situacao") or "A").upper() == "A",
        changed_at=_parse_bling_datetime(row.get("dataAlteracao")),
    )


def _with_gtin(product: BlingProduct, gtin: str) -> BlingProduct:
    return replace(product, gtin=gtin)


def _as_variation(product: BlingProduct, parent_id: int) -> BlingProduct:
    return replace(product, kind="variation", parent_id=parent_id)


def payment_form_from(row: dict[str, Any]) -> BlingPaymentForm:
    card = row.get("dadosCartao")
    brand = _int_or_none(card.get("bandeira")) if isinstance(card, dict) else None
    return BlingPaymentForm(
        id=int(row["id"]),
        description=str(row.get("descricao") or ""),
        payment_type=_int(row.get("tipoPagamento"), 99),
        active=_int(row.get("situacao"), 1) == 1,
        is_default=_int(row.get("padrao"), 0) == 1,
        card_brand=brand,
    )


def contact_from(row: dict[str, Any]) -> BlingContact:
    document = only_digits(str(row.get("numeroDocumento") or "")) or None
    return BlingContact(id=int(row["id"]), name=str(row.get("nome") or ""), document=document)


def order_summary_from(row: dict[str, Any]) -> SalesOrderSummary:
    raw_date = row.get("data")
    parsed_date: date | None = None
    if isinstance(raw_date, str) and raw_date[:10] and raw_date[:4] != "0000":
        try:
            parsed_date = date.fromisoformat(raw_date[:10])
        except ValueError:
            parsed_date = None
    numero_loja = row.get("numeroLoja")
    return SalesOrderSummary(
        id=int(row["id"]),
        numero=_int_or_none(row.get("numero")),
        numero_loja=str(numero_loja) if numero_loja not in (None, "") else None,
        date=parsed_date,
        total=to_decimal(row.get("total")),
        status_id=_nested_id(row, "situacao"),
        contact_id=_nested_id(row, "contato"),
    )


def sales_order_body(order: NewSalesOrder) -> dict[str, Any]:
    """The exact JSON body of POST /pedidos/vendas (Decimals stay exact; money 2 decimals)."""
    day = order.date.isoformat()
    body: dict[str, Any] = {
        "numeroLoja": order.numero_loja,
        "data": day,
        "dataSaida": day,
        "dataPrevista": day,
        "contato": {"id": order.contact_id},
        "itens": [
            {
                "produto": {"id": item.product_id},
                **({"codigo": item.code} if item.code else {}),
                "descricao": item.description,
                "unidade": item.unit,
                "quantidade": _exact(item.quantity),
                "valor": money(item.unit_price),
                "desconto": _exact(item.discount_percent),
            }
            for item in order.items
        ],
        "parcelas": [
            {
                "dataVencimento": inst.due_date.isoformat(),
                "valor": money(inst.amount),
                "formaPagamento": {"id": inst.forma_id},
                **({"observacoes": inst.notes} if inst.notes else {}),
                **({"caut": inst.authorization_code} if inst.authorization_code else {}),
            }
            for inst in order.installments
        ],
        "desconto": {"valor": money(order.discount), "unidade": "REAL"},
        "outrasDespesas": money(order.other_expenses),
    }
    if order.notes:
        body["observacoes"] = order.notes
    if order.internal_notes:
        body["observacoesInternas"] = order.internal_notes
    if order.sales_channel_id:
        body["loja"] = {"id": order.sales_channel_id}
    return body


def format_datetime(moment: datetime) -> str:
    """Bling's `YYYY-MM-DD HH:MM:SS`, in São Paulo time (naive input is taken as São Paulo)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SAO_PAULO)
    return moment.astimezone(SAO_PAULO).strftime("%Y-%m-%d %H:%M:%S")


def only_digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


# --- Small helpers ------------------------------------------------------------------------


def _exact(value: Decimal) -> Decimal:
    """A quantity/percent as sent: exact, without exponent or trailing zeros."""
    normalized = value.normalize()
    if normalized == normalized.to_integral():
        return normalized.quantize(Decimal(1))
    return normalized


def _data(body: Any, kind: type) -> Any:
    if isinstance(body, dict) and "data" in body:
        data = body["data"]
        if isinstance(data, kind):
            return data
        if data is None and kind is list:
            return []
    raise BlingProtocolError(
        "O Bling respondeu sem os dados esperados.",
        details=f"expected data {kind.__name__}, got {str(body)[:300]}",
    )


def _batches(param: str, values: list[str]) -> Iterator[list[str]]:
    """Split values so each request's repeated `param=value` part stays under the URL budget."""
    batch: list[str] = []
    size = 0
    per_key = len(quote(param, safe="")) + 2  # "&" and "="
    for value in values:
        cost = per_key + len(quote(value, safe=""))
        if batch and (size + cost > MAX_QUERY_CHARS or len(batch) >= PAGE_SIZE):
            yield batch
            batch, size = [], 0
        batch.append(value)
        size += cost
    if batch:
        yield batch


def _unique(values: Any) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(str(value), None)
    return list(seen)


def _int(value: Any, default: int) -> int:
    parsed = _int_or_none(value)
    return default if parsed is None else parsed


def _int_or_none(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _nested_id(row: dict[str, Any], key: str) -> int | None:
    nested = row.get(key)
    return _int_or_none(nested.get("id")) if isinstance(nested, dict) else None


def _parse_bling_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value or value.startswith("0000"):
        return None
    try:
        moment = datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SAO_PAULO)
