"""Resolver: sale items → Bling product ids, tenders → formas, store → deposit. Never guesses.

Product precedence (decided here, see docs/catalog-and-mappings.md):
1. a manual link (`ProductLink`) the user made for the PDV code wins: it is an explicit choice;
2. exact SKU: `cProd` == Bling `codigo` (variations included). If a product with that SKU
   exists but cannot be sold (a parent with variations, inactive, or several active products
   share the code), the sale is held with that reason; the GTIN is NOT tried over it;
3. GTIN, only when no cached product has that SKU at all.

A sale that cannot be fully resolved is held (`retida`) with the exact reasons and released by
the next `resolve_pending` call once the mapping, link or catalogue fixes it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from app.documents import digits_only, format_cnpj
from app.store.events import log_event
from app.store.models import (
    Deposit,
    PaymentForm,
    PaymentMapping,
    Product,
    ProductLink,
    Sale,
    SaleItem,
    SalePayment,
    StoreLocation,
    database_proxy,
)
from app.store.settings import DEFAULT_DEPOSIT, get_setting
from app.sync.dbutil import tuples
from app.sync.suggestions import suggest_forma
from app.sync.tenders import brand_label, normalize_brand, normalize_tender, tender_label
from app.timeutil import utcnow

log = logging.getLogger(__name__)

RESOLVABLE_STATES = ("nova", "retida")
PRODUCTION = 1


@dataclass(frozen=True)
class Resolution:
    """The Bling id found for one thing, or why none could be used."""

    value: int | None
    reason: str | None = None
    unknown: bool = False  # not in the catalogue cache at all (worth a lookup)
    subject: str = ""  # for unknown items: "código X (descrição), GTIN Y"


@dataclass
class ResolveSummary:
    """What one resolve_pending call did."""

    examined: int = 0
    ready: list[str] = field(default_factory=list)  # keys that became "pronta"
    held: list[str] = field(default_factory=list)  # keys now "retida" (all of them)
    newly_held: list[str] = field(default_factory=list)  # held now, or held for a new reason
    unknown_codes: set[str] = field(default_factory=set)
    unknown_gtins: set[str] = field(default_factory=set)


def sale_counts_as_sale(sale: Sale) -> bool:
    """Authorised or issued in contingency, production environment, not being cancelled."""
    return (
        bool(sale.authorized or sale.contingency)
        and sale.environment == PRODUCTION
        and not sale.cancel_requested
    )


def _describe_item(code: str, description: str) -> str:
    desc = (description or "").strip()
    return f"código {code} ({desc})" if desc else f"código {code}"


def ensure_store(cnpj: str, name: str = "") -> StoreLocation:
    """The StoreLocation row of an emitter CNPJ (digits), created on first sight."""
    digits = digits_only(cnpj)
    store = StoreLocation.get_or_none(StoreLocation.cnpj == digits)
    if store is None:
        store = StoreLocation.create(cnpj=digits, name=name or "")
        log_event(
            "config",
            f"Nova loja encontrada nas vendas: CNPJ {format_cnpj(digits)} {name}".rstrip() + ".",
        )
    elif name and not store.name:
        store.name = name
        store.save()
    return store


def deposit_for(sale: Sale) -> int | None:
    """The deposit a sale's stock leaves from: per-sale override, else its store's deposit,
    else the default deposit setting, else None."""
    if sale.deposit_override_id is not None:
        return int(sale.deposit_override_id)
    store = StoreLocation.get_or_none(StoreLocation.cnpj == digits_only(sale.store_cnpj))
    if store is not None and store.deposit_id is not None:
        return int(store.deposit_id)
    default = get_setting(DEFAULT_DEPOSIT)
    return int(default) if default not in (None, "") else None


def unknown_items_reason(subjects: list[str]) -> str:
    """One sentence for every item the catalogue does not know."""
    head = "Produto não encontrado" if len(subjects) == 1 else "Produtos não encontrados"
    return (
        f"{head} no Bling: {'; '.join(subjects)}. Cadastre o SKU no Bling ou vincule o "
        "código a um produto."
    )


def unmapped_tenders_reason(subjects: list[str]) -> str:
    """One sentence for every tender of a sale that has no DE-PARA row yet."""
    head = (
        "Forma de pagamento sem DE-PARA"
        if len(subjects) == 1
        else "Formas de pagamento sem DE-PARA"
    )
    return (
        f"{head}: {'; '.join(subjects)}. Associe uma forma de pagamento do Bling em Pagamentos "
        "(ou ponte-bling payments suggest/accept/set)."
    )


class Resolver:
    """Resolution rules over a snapshot of the mappings and catalogue (one per pass)."""

    def __init__(self) -> None:
        self.mappings: dict[tuple[str, str], PaymentMapping] = {
            (m.tender_code, m.card_brand): m for m in PaymentMapping.select()
        }
        self.forms: dict[int, PaymentForm] = {f.id: f for f in PaymentForm.select()}
        self.deposits: dict[int, Deposit] = {d.id: d for d in Deposit.select()}
        self.links: dict[str, int] = {lk.code: int(lk.product_id) for lk in ProductLink.select()}
        self._by_code: dict[str, list[Product]] = {}
        self._by_gtin: dict[str, list[Product]] = {}
        self._by_id: dict[int, Product | None] = {}

    # --- products -------------------------------------------------------------------------

    def _products_by_code(self, code: str) -> list[Product]:
        if code not in self._by_code:
            self._by_code[code] = list(Product.select().where(Product.code == code))
        return self._by_code[code]

    def _products_by_gtin(self, gtin: str) -> list[Product]:
        if gtin not in self._by_gtin:
            self._by_gtin[gtin] = list(Product.select().where(Product.gtin == gtin))
        return self._by_gtin[gtin]

    def _product(self, product_id: int) -> Product | None:
        if product_id not in self._by_id:
            self._by_id[product_id] = Product.get_or_none(Product.id == product_id)
        return self._by_id[product_id]

    def product_for(self, code: str, gtin: str | None, description: str = "") -> Resolution:
        """Bling product id for a sold item (link, then SKU, then GTIN) or the reason why not."""
        code = (code or "").strip()
        gtin = (gtin or "").strip() or None
        what = _describe_item(code, description)
        linked = self.links.get(code)
        if linked is not None:
            product = self._product(linked)
            if product is None:
                return Resolution(
                    None,
                    f"O vínculo manual do {what} aponta para o produto {linked}, que não está no "
                    "catálogo do Bling sincronizado; refaça o vínculo ou sincronize o catálogo.",
                )
            return self._usable(
                [product], f"O vínculo manual do {what} aponta para o produto {linked}"
            )
        by_code = self._products_by_code(code) if code else []
        if by_code:
            return self._usable(by_code, f"O {what}")
        if gtin:
            by_gtin = self._products_by_gtin(gtin)
            if by_gtin:
                return self._usable(by_gtin, f"O GTIN {gtin} do {what}")
        subject = what + (f", GTIN {gtin}" if gtin else "")
        return Resolution(None, unknown_items_reason([subject]), unknown=True, subject=subject)

    @staticmethod
    def _usable(candidates: list[Product], subject: str) -> Resolution:
        sellable = [p for p in candidates if p.active and p.kind != "parent"]
        if len(sellable) == 1:
            return Resolution(int(sellable[0].id))
        if len(sellable) > 1:
            ids = ", ".join(str(p.id) for p in sellable)
            return Resolution(
                None,
                f"{subject} corresponde a {len(sellable)} produtos ativos no Bling (ids {ids}); "
                "vincule o código ao produto certo.",
            )
        parents = [p for p in candidates if p.active and p.kind == "parent"]
        if parents:
            p = parents[0]
            return Resolution(
                None,
                f"{subject} corresponde ao produto pai com variações {p.id} ({p.name}) no Bling; "
                "a venda precisa da variação: use no PDV o código da variação ou vincule o "
                "código a uma variação.",
            )
        p = candidates[0]
        return Resolution(
            None,
            f"{subject} corresponde ao produto {p.id} ({p.name}), inativo no Bling; "
            "reative-o no Bling ou vincule o código a outro produto.",
        )

    # --- tenders --------------------------------------------------------------------------

    def forma_for(self, tender_code: str, card_brand: str | None) -> Resolution:
        """Bling forma for a tender: the brand-specific DE-PARA row wins over the plain code."""
        try:
            code = normalize_tender(tender_code)
            brand = normalize_brand(card_brand)
        except ValueError:
            return Resolution(
                None, f"Forma de pagamento com código inválido na nota: {tender_code!r}."
            )
        rows = [self.mappings.get((code, brand))] if brand else []
        rows.append(self.mappings.get((code, "")))
        forma_id = next(
            (m.forma_id for m in rows if m is not None and m.forma_id is not None), None
        )
        what = tender_label(code) + (f", bandeira {brand_label(brand)}" if brand else "")
        if forma_id is None:
            return Resolution(None, unmapped_tenders_reason([what]), subject=what)
        form = self.forms.get(int(forma_id))
        if form is None or not form.active:
            state = "inativa" if form is not None else "inexistente no catálogo sincronizado"
            name = f" ({form.description})" if form is not None else ""
            return Resolution(
                None,
                f"A forma de pagamento do Bling {forma_id}{name} associada a {what} "
                f"está {state}; escolha outra em Pagamentos.",
            )
        return Resolution(int(form.id))

    # --- store → deposit ------------------------------------------------------------------

    def deposit_resolution(self, sale: Sale) -> Resolution:
        """The deposit of a sale, checked against the deposits cached from Bling."""
        store = ensure_store(sale.store_cnpj, sale.store_name or "")
        deposit_id = deposit_for(sale)
        who = f"Loja CNPJ {format_cnpj(store.cnpj)}" + (f" ({store.name})" if store.name else "")
        if deposit_id is None:
            return Resolution(
                None,
                f"{who} sem depósito definido: escolha o depósito da loja ou um depósito padrão.",
            )
        deposit = self.deposits.get(deposit_id)
        if deposit is None or not deposit.active:
            state = "inativo" if deposit is not None else "inexistente no catálogo sincronizado"
            return Resolution(
                None,
                f"O depósito {deposit_id} da venda ({who}) está {state} no Bling; "
                "escolha outro depósito.",
            )
        return Resolution(deposit_id)


def ensure_payment_rows(tenders: Iterable[tuple[str, str]]) -> int:
    """Create empty DE-PARA rows for tenders seen in sales (code plus brand, and the plain code
    too for brands) so the grid lists them; returns how many were created."""
    created = 0
    wanted: set[tuple[str, str]] = set()
    for raw_code, raw_brand in tenders:
        try:
            code, brand = normalize_tender(raw_code), normalize_brand(raw_brand)
        except ValueError:
            continue
        wanted.add((code, ""))
        if brand:
            wanted.add((code, brand))
    existing = {(m.tender_code, m.card_brand) for m in PaymentMapping.select()}
    for code, brand in sorted(wanted - existing):
        PaymentMapping.create(
            tender_code=code, card_brand=brand, suggested_forma_id=suggest_forma(code, brand)
        )
        created += 1
    return created


def _resolve_sale(
    sale: Sale, resolver: Resolver, summary: ResolveSummary, moment: datetime
) -> None:
    reasons: list[str] = []
    unknown: list[str] = []
    item_ids: dict[int, int] = {}  # line → product
    items = SaleItem.select().where(SaleItem.sale == sale).order_by(SaleItem.line)
    for item in items:
        res = resolver.product_for(item.code, item.gtin, item.description)
        if res.value is None:
            if res.unknown:
                unknown.append(res.subject)
                if item.code:
                    summary.unknown_codes.add(item.code.strip())
                if item.gtin:
                    summary.unknown_gtins.add(item.gtin.strip())
            else:
                reasons.append(res.reason or "")
        else:
            item_ids[item.line] = res.value
    if unknown:
        reasons.insert(0, unknown_items_reason(list(dict.fromkeys(unknown))))
    payment_ids: dict[int, int] = {}  # seq → forma
    payments = SalePayment.select().where(SalePayment.sale == sale).order_by(SalePayment.seq)
    unmapped: list[str] = []
    for payment in payments:
        res = resolver.forma_for(payment.tender_code, payment.card_brand)
        if res.value is None and res.subject:
            unmapped.append(res.subject)
        elif res.value is None:
            reasons.append(res.reason or "")
        else:
            payment_ids[payment.seq] = res.value
    if unmapped:
        reasons.append(unmapped_tenders_reason(list(dict.fromkeys(unmapped))))
    dep = resolver.deposit_resolution(sale)
    if dep.value is None:
        reasons.append(dep.reason or "")
    reasons = list(dict.fromkeys(reasons))  # same reason twice (two equal items) said once

    old_state = sale.state
    if not reasons:
        with database_proxy.atomic():
            for line, product_id in item_ids.items():
                SaleItem.update(bling_product_id=product_id).where(
                    (SaleItem.sale == sale) & (SaleItem.line == line)
                ).execute()
            for seq, forma_id in payment_ids.items():
                SalePayment.update(bling_forma_id=forma_id).where(
                    (SalePayment.sale == sale) & (SalePayment.seq == seq)
                ).execute()
            changed = (
                Sale.update(state="pronta", hold_reason=None, updated_at=moment)
                .where((Sale.key == sale.key) & (Sale.state == old_state))
                .execute()
            )
            if changed:
                verb = "liberada" if old_state == "retida" else "pronta para envio"
                log_event(
                    "sale",
                    f"Venda {verb}: produtos, formas de pagamento e depósito {dep.value} resolvidos.",
                    sale_key=sale.key,
                )
        if changed:
            summary.ready.append(sale.key)
        return

    hold_reason = " ".join(reasons)  # each reason is a full sentence
    summary.held.append(sale.key)
    if old_state == "retida" and sale.hold_reason == hold_reason:
        return
    with database_proxy.atomic():
        changed = (
            Sale.update(state="retida", hold_reason=hold_reason, updated_at=moment)
            .where((Sale.key == sale.key) & (Sale.state == old_state))
            .execute()
        )
        if changed:
            log_event("sale", f"Venda retida: {hold_reason}", level="warning", sale_key=sale.key)
    if changed:
        summary.newly_held.append(sale.key)


def resolve_pending(*, now: datetime | None = None) -> ResolveSummary:
    """Resolve every sale waiting in "nova" or "retida" that counts as a sale; fully resolved
    ones become "pronta", the others "retida" with the reasons. Unauthorised notes, homologation
    notes and sales with a cancellation requested are left untouched."""
    moment = now or utcnow()
    summary = ResolveSummary()
    waiting = (
        Sale.state.in_(RESOLVABLE_STATES)
        & ((Sale.authorized == True) | (Sale.contingency == True))  # noqa: E712
        & (Sale.environment == PRODUCTION)
        & (Sale.cancel_requested == False)  # noqa: E712
    )
    sales = [
        s
        for s in Sale.select().where(waiting).order_by(Sale.issued_at, Sale.key)
        if sale_counts_as_sale(s)
    ]
    if not sales:
        return summary
    tenders = {
        (code, brand or "")
        for code, brand in tuples(
            SalePayment.select(SalePayment.tender_code, SalePayment.card_brand)
            .join(Sale)
            .where(waiting)
            .distinct()
        )
    }
    ensure_payment_rows(tenders)
    resolver = Resolver()
    for sale in sales:
        summary.examined += 1
        _resolve_sale(sale, resolver, summary, moment)
    return summary
