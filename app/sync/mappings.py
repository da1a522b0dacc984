"""Mappings the user owns: DE-PARA of tenders, suggestions, stores → deposits, product links.

Service functions shared by the command line and the desktop app. They work offline on the
local store; the catalogue cache (formas, depósitos, produtos) must have been pulled first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import peewee

from app.documents import digits_only, format_cnpj
from app.errors import ConfigError
from app.store.events import log_event
from app.store.models import (
    Deposit,
    PaymentForm,
    PaymentMapping,
    Product,
    ProductLink,
    Sale,
    SalePayment,
    StoreLocation,
)
from app.store.settings import DEFAULT_DEPOSIT, get_setting
from app.sync.dbutil import tuples
from app.sync.resolver import Resolver, ensure_payment_rows, resolve_pending
from app.sync.suggestions import suggest_forma
from app.sync.tenders import (
    BRAND_NAMES,
    TENDER_NAMES,
    brand_label,
    normalize_brand,
    normalize_tender,
    tender_label,
)
from app.timeutil import utcnow

SYNC_FIRST = "Sincronize o catálogo primeiro: ponte-bling sync --once"


class CatalogEmptyError(ConfigError):
    """The catalogue cache a command needs has never been pulled."""

    title = "Catálogo não sincronizado"


class MappingError(ConfigError):
    """A mapping the user asked for cannot be made (unknown id, parent product...)."""

    title = "Associação inválida"


def require_catalog(model: type[peewee.Model], what: str) -> None:
    """Raise CatalogEmptyError when the cached table is empty."""
    if not model.select().exists():
        raise CatalogEmptyError(f"Não há {what} no catálogo local. {SYNC_FIRST}")


# --- Stores and deposits ----------------------------------------------------------------------


@dataclass(frozen=True)
class StoreRow:
    cnpj: str  # digits
    cnpj_formatted: str
    name: str
    deposit_id: int | None  # the store's own deposit
    effective_deposit_id: int | None  # own deposit, else the default deposit
    deposit_description: str | None  # of the effective deposit
    uses_default: bool
    sales_count: int


def default_deposit_id() -> int | None:
    value = get_setting(DEFAULT_DEPOSIT)
    return int(value) if value not in (None, "") else None


def list_stores() -> list[StoreRow]:
    """Every store known from sales or configured by hand, with its deposit and sales count."""
    counts: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for cnpj, name, n in tuples(
        Sale.select(Sale.store_cnpj, Sale.store_name, peewee.fn.COUNT(Sale.key)).group_by(
            Sale.store_cnpj, Sale.store_name
        )
    ):
        digits = digits_only(cnpj)
        counts[digits] += int(n)
        names.setdefault(digits, name or "")
    stores = {s.cnpj: s for s in StoreLocation.select()}
    deposits = {d.id: d for d in Deposit.select()}
    default = default_deposit_id()
    rows = []
    for cnpj in sorted(set(stores) | set(counts)):
        store = stores.get(cnpj)
        own = int(store.deposit_id) if store is not None and store.deposit_id is not None else None
        effective = own if own is not None else default
        deposit = deposits.get(effective) if effective is not None else None
        rows.append(
            StoreRow(
                cnpj=cnpj,
                cnpj_formatted=format_cnpj(cnpj),
                name=(store.name if store is not None and store.name else names.get(cnpj, "")),
                deposit_id=own,
                effective_deposit_id=effective,
                deposit_description=deposit.description if deposit is not None else None,
                uses_default=own is None and default is not None,
                sales_count=counts.get(cnpj, 0),
            )
        )
    return rows


def active_deposit(deposit_id: int) -> Deposit:
    """The cached deposit with this id, or a MappingError listing the active ones."""
    require_catalog(Deposit, "depósitos")
    deposit = Deposit.get_or_none(Deposit.id == deposit_id)
    if deposit is None or not deposit.active:
        options = ", ".join(
            f"{d.id} ({d.description})"
            for d in Deposit.select().where(Deposit.active == True)  # noqa: E712
        )
        state = "está inativo" if deposit is not None else "não existe no catálogo do Bling"
        raise MappingError(f"O depósito {deposit_id} {state}. Depósitos ativos: {options}.")
    return deposit


def set_store_deposit(cnpj: str, deposit_id: int | None) -> StoreLocation:
    """Give a store (emitter CNPJ) its own deposit; None makes it use the default deposit."""
    digits = digits_only(cnpj)
    if len(digits) != 14:
        raise MappingError(f"CNPJ inválido: {cnpj!r}. Informe os 14 dígitos do CNPJ da loja.")
    description = ""
    if deposit_id is not None:
        description = active_deposit(deposit_id).description
    store = StoreLocation.get_or_none(StoreLocation.cnpj == digits)
    if store is None:
        store = StoreLocation.create(cnpj=digits)
    store.deposit_id = deposit_id
    store.save()
    if deposit_id is None:
        message = f"Loja CNPJ {format_cnpj(digits)} passa a usar o depósito padrão."
    else:
        message = (
            f"Loja CNPJ {format_cnpj(digits)} associada ao depósito {deposit_id} ({description})."
        )
    log_event("config", message)
    return store


def list_deposits() -> list[Deposit]:
    """Cached deposits, active first."""
    return list(Deposit.select().order_by(Deposit.active.desc(), Deposit.id))


# --- Payment DE-PARA --------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRow:
    tender_code: str
    tender_name: str
    card_brand: str  # "" = any brand
    brand_name: str
    forma_id: int | None
    forma_description: str | None
    suggested_forma_id: int | None
    suggested_description: str | None
    waiting_sales: int  # held sales this row would release


def _waiting_by_row() -> dict[tuple[str, str], set[str]]:
    """Held sales (keys) per DE-PARA row whose mapping would release one of their payments."""
    resolver = Resolver()
    waiting: dict[tuple[str, str], set[str]] = defaultdict(set)
    payments = tuples(
        SalePayment.select(Sale.key, SalePayment.tender_code, SalePayment.card_brand)
        .join(Sale)
        .where(Sale.state == "retida")
    )
    for sale_key, raw_code, raw_brand in payments:
        if resolver.forma_for(raw_code, raw_brand).value is not None:
            continue
        try:
            code, brand = normalize_tender(raw_code), normalize_brand(raw_brand)
        except ValueError:
            continue
        waiting[(code, "")].add(sale_key)
        if brand:
            waiting[(code, brand)].add(sale_key)
    return waiting


def list_payment_rows() -> list[PaymentRow]:
    """The DE-PARA grid: every row, with names, mapped forma, suggestion and waiting sales."""
    tenders = {
        (p.tender_code, p.card_brand or "")
        for p in SalePayment.select(SalePayment.tender_code, SalePayment.card_brand).distinct()
    }
    ensure_payment_rows(tenders)
    forms = {f.id: f for f in PaymentForm.select()}
    waiting = _waiting_by_row()
    rows = []
    for m in PaymentMapping.select().order_by(
        PaymentMapping.tender_code, PaymentMapping.card_brand
    ):
        form = forms.get(m.forma_id) if m.forma_id is not None else None
        suggestion = forms.get(m.suggested_forma_id) if m.suggested_forma_id is not None else None
        rows.append(
            PaymentRow(
                tender_code=m.tender_code,
                tender_name=TENDER_NAMES.get(m.tender_code, "Código desconhecido"),
                card_brand=m.card_brand,
                brand_name=BRAND_NAMES.get(m.card_brand, "") if m.card_brand else "",
                forma_id=int(m.forma_id) if m.forma_id is not None else None,
                forma_description=form.description if form is not None else None,
                suggested_forma_id=(
                    int(m.suggested_forma_id) if m.suggested_forma_id is not None else None
                ),
                suggested_description=suggestion.description if suggestion is not None else None,
                waiting_sales=len(waiting.get((m.tender_code, m.card_brand), ())),
            )
        )
    return rows


def active_payment_form(forma_id: int) -> PaymentForm:
    """The cached active forma with this id, or a MappingError listing the active ones."""
    require_catalog(PaymentForm, "formas de pagamento")
    form = PaymentForm.get_or_none(PaymentForm.id == forma_id)
    if form is None or not form.active:
        options = ", ".join(
            f"{f.id} ({f.description})"
            for f in PaymentForm.select().where(PaymentForm.active == True).order_by(PaymentForm.id)  # noqa: E712
        )
        state = "está inativa" if form is not None else "não existe no catálogo do Bling"
        raise MappingError(f"A forma de pagamento {forma_id} {state}. Formas ativas: {options}.")
    return form


def _parse_row_key(tender_code: str, card_brand: str | None) -> tuple[str, str]:
    try:
        code = normalize_tender(tender_code)
    except ValueError:
        raise MappingError(
            f"Código de pagamento inválido: {tender_code!r}. Use o código tPag da NFC-e, "
            "por exemplo 01 (dinheiro), 03 (crédito), 04 (débito), 17 (PIX)."
        ) from None
    try:
        brand = normalize_brand(card_brand)
    except ValueError:
        raise MappingError(
            f"Bandeira desconhecida: {card_brand!r}. Use o código tBand (01 Visa, 02 Mastercard, "
            "03 American Express, 06 Elo...) ou o nome da bandeira."
        ) from None
    return code, brand


def set_payment_mapping(
    tender_code: str, card_brand: str | None, forma_id: int | None
) -> PaymentMapping:
    """Map a tender (optionally one card brand) to a Bling forma; None clears the mapping."""
    code, brand = _parse_row_key(tender_code, card_brand)
    description = ""
    if forma_id is not None:
        description = active_payment_form(forma_id).description
    row = PaymentMapping.get_or_none(
        (PaymentMapping.tender_code == code) & (PaymentMapping.card_brand == brand)
    )
    if row is None:
        row = PaymentMapping.create(tender_code=code, card_brand=brand)
    row.forma_id = forma_id
    row.updated_at = utcnow()
    row.save()
    what = tender_label(code) + (f", bandeira {brand_label(brand)}" if brand else "")
    if forma_id is None:
        log_event("config", f"DE-PARA removido: {what}.")
    else:
        log_event("config", f"DE-PARA definido: {what} → forma {forma_id} ({description}).")
    return row


def compute_suggestions() -> int:
    """Recompute the suggestion of every DE-PARA row (tenders seen in sales included); returns
    how many rows have a suggestion. Suggestions are never applied here."""
    tenders = {
        (p.tender_code, p.card_brand or "")
        for p in SalePayment.select(SalePayment.tender_code, SalePayment.card_brand).distinct()
    }
    ensure_payment_rows(tenders)
    with_suggestion = 0
    for row in PaymentMapping.select():
        suggestion = suggest_forma(row.tender_code, row.card_brand)
        if suggestion != row.suggested_forma_id:
            row.suggested_forma_id = suggestion
            row.updated_at = utcnow()
            row.save()
        if suggestion is not None:
            with_suggestion += 1
    return with_suggestion


def accept_suggestions(tender_code: str | None = None, card_brand: str | None = None) -> int:
    """Apply suggestions: of every unmapped row, or of the one row named (even if mapped).
    Returns how many rows were mapped."""
    if tender_code is None:
        rows = list(
            PaymentMapping.select().where(
                PaymentMapping.forma_id.is_null() & PaymentMapping.suggested_forma_id.is_null(False)
            )
        )
    else:
        code, brand = _parse_row_key(tender_code, card_brand)
        row = PaymentMapping.get_or_none(
            (PaymentMapping.tender_code == code) & (PaymentMapping.card_brand == brand)
        )
        what = tender_label(code) + (f", bandeira {brand_label(brand)}" if brand else "")
        if row is None or row.suggested_forma_id is None:
            raise MappingError(
                f"Não há sugestão para {what}. Rode 'ponte-bling payments suggest' ou escolha "
                "a forma com 'ponte-bling payments set'."
            )
        rows = [row]
    accepted = 0
    for row in rows:
        form = PaymentForm.get_or_none(PaymentForm.id == row.suggested_forma_id)
        if form is None or not form.active:
            continue  # the suggestion went stale; never apply a forma Bling no longer has
        set_payment_mapping(row.tender_code, row.card_brand, int(form.id))
        accepted += 1
    return accepted


def list_payment_forms() -> list[PaymentForm]:
    """Cached formas, active first."""
    return list(PaymentForm.select().order_by(PaymentForm.active.desc(), PaymentForm.id))


# --- Product links ----------------------------------------------------------------------------


def link_product(code: str, product_id: int) -> Product:
    """Link a PDV product code to a Bling product (never a parent with variations)."""
    code = (code or "").strip()
    if not code:
        raise MappingError("Informe o código do produto no PDV (cProd).")
    require_catalog(Product, "produtos")
    product = Product.get_or_none(Product.id == product_id)
    if product is None:
        raise MappingError(
            f"O produto {product_id} não está no catálogo local do Bling. Confira o id ou "
            f"sincronize o catálogo: ponte-bling sync --once"
        )
    if product.kind == "parent":
        variations = ", ".join(
            f"{v.id} ({v.code or 'sem código'})"
            for v in Product.select()
            .where((Product.parent_id == product.id) & (Product.active == True))  # noqa: E712
            .order_by(Product.id)
            .limit(20)
        )
        hint = f" Variações: {variations}." if variations else ""
        raise MappingError(
            f"O produto {product_id} ({product.name}) é um produto pai com variações e não pode "
            f"ser vendido; vincule o código a uma variação.{hint}"
        )
    if not product.active:
        raise MappingError(
            f"O produto {product_id} ({product.name}) está inativo no Bling; reative-o no Bling "
            "ou escolha outro."
        )
    ProductLink.insert(
        code=code, product_id=product_id, created_at=utcnow()
    ).on_conflict_replace().execute()
    log_event(
        "config",
        f"Código {code} do PDV vinculado ao produto {product_id} ({product.name}) do Bling.",
    )
    return product


def unlink_product(code: str) -> bool:
    """Remove the manual link of a code; True when there was one."""
    removed = ProductLink.delete().where(ProductLink.code == code.strip()).execute()
    if removed:
        log_event("config", f"Vínculo manual do código {code.strip()} removido.")
    return bool(removed)


def list_links() -> list[tuple[ProductLink, Product | None]]:
    """Manual links with their cached product (None when it is not in the cache)."""
    products = {
        p.id: p
        for p in Product.select().where(Product.id.in_(ProductLink.select(ProductLink.product_id)))
    }
    return [
        (lk, products.get(lk.product_id)) for lk in ProductLink.select().order_by(ProductLink.code)
    ]


# --- After a change -----------------------------------------------------------------------


def release_held() -> list[str]:
    """Re-run the resolver right away (offline) so a fixed mapping releases its sales now;
    returns the keys that became ready."""
    return resolve_pending().ready
