"""Catalogue pull: Bling products (with the grade), formas, depósitos, consumer contact, statuses.

Costs as few requests as it can: products are listed in pages of 100 and only what changed
since the last good pull (minus a safety margin) is asked for; a full pass once a day notices
products that were deactivated or removed. List rows carry no GTIN, so GTINs are fetched only
for sale items whose SKU found nothing (`lookup_unknown`), in batches.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import peewee

from app.bling.errors import BlingError, BlingNotConnectedError, BlingTransientError
from app.bling.types import BlingProduct
from app.store.events import log_event
from app.store.models import (
    ApiUsage,
    Contact,
    Deposit,
    OrderStatus,
    PaymentForm,
    Product,
    SaleItem,
    SyncState,
    database_proxy,
)
from app.sync.dbutil import column, tuples
from app.sync.suggestions import refresh_open_suggestions
from app.timeutil import utcnow

if TYPE_CHECKING:
    from app.bling.api import BlingApi

log = logging.getLogger(__name__)

# SyncState kinds owned by the catalogue pull.
KIND_PRODUCTS = "produtos"
KIND_PAYMENT_FORMS = "formas_pagamento"
KIND_DEPOSITS = "depositos"
KIND_CONTACTS = "contatos"
KIND_STATUSES = "situacoes"
CATALOG_KINDS = (KIND_PRODUCTS, KIND_PAYMENT_FORMS, KIND_DEPOSITS, KIND_CONTACTS, KIND_STATUSES)
# Needed to resolve sales; the other two are needed only when sending.
ESSENTIAL_KINDS = (KIND_PRODUCTS, KIND_PAYMENT_FORMS, KIND_DEPOSITS)
OPTIONAL_KINDS = (KIND_CONTACTS, KIND_STATUSES)
KIND_LABELS = {
    KIND_PRODUCTS: "produtos",
    KIND_PAYMENT_FORMS: "formas de pagamento",
    KIND_DEPOSITS: "depósitos",
    KIND_CONTACTS: "contato consumidor final",
    KIND_STATUSES: "situações de pedido",
}

STALE_AFTER = timedelta(hours=1)
FULL_PASS_EVERY = timedelta(hours=24)
# Changes are asked for from the last good pull minus this margin: clocks and Bling's own
# commit delays must not make a change fall between two pulls.
CHANGE_MARGIN = timedelta(minutes=10)
# Bling refuses date filters wider than one year.
MAX_CHANGE_WINDOW = timedelta(days=360)
# A code or GTIN Bling did not know is not asked again before this. Short, because a held sale
# must go out soon after the store registers the SKU in Bling (the hourly incremental pull
# would be too late), and cheap: all missing codes travel in one request.
NEGATIVE_LOOKUP_TTL = timedelta(minutes=5)

# A secondary kind Bling refused is asked again after this, not on every cycle.
RETRY_REFUSED_AFTER = timedelta(minutes=10)

# tipoPagamento of card formas (credit, debit, store card): their brand is in the detail.
CARD_TYPES = frozenset({3, 4, 5})

ProgressCallback = Callable[[str, int, int | None], None]
"""progress(message in Portuguese, done, total or None)."""


@dataclass
class CatalogSummary:
    """What one refresh did."""

    full: bool = False
    products_received: int = 0
    products_deactivated: int = 0
    parents: int = 0
    variations: int = 0
    simple: int = 0
    payment_forms: int = 0
    deposits: int = 0
    statuses: int = 0
    consumer_contact_id: int | None = None
    # Requests this refresh cost: the client's usage count (ApiUsage) when it records one,
    # else the calls counted here (each page one).
    requests: int = 0
    kinds: list[str] = field(default_factory=list)  # kinds pulled successfully
    errors: dict[str, str] = field(default_factory=dict)  # kind → Portuguese error (non-fatal)


@dataclass(frozen=True)
class ProductCounts:
    parents: int
    variations: int
    simple: int
    inactive: int

    @property
    def sellable(self) -> int:
        """Variations plus simple products: what a PDV can sell."""
        return self.variations + self.simple


def product_counts() -> ProductCounts:
    """Active parents with variations, variations and simple products in the cache, apart."""
    rows: dict[str, int] = {
        kind: int(n)
        for kind, n in tuples(
            Product.select(Product.kind, peewee.fn.COUNT(Product.id))
            .where(Product.active == True)  # noqa: E712
            .group_by(Product.kind)
        )
    }
    inactive = Product.select().where(Product.active == False).count()  # noqa: E712
    return ProductCounts(
        parents=int(rows.get("parent", 0)),
        variations=int(rows.get("variation", 0)),
        simple=int(rows.get("simple", 0)),
        inactive=inactive,
    )


def sync_state(kind: str) -> SyncState:
    """The SyncState row of a kind, created empty if missing."""
    state = SyncState.get_or_none(SyncState.kind == kind)
    if state is None:
        state = SyncState.create(kind=kind)
    return state


def _details(state: SyncState) -> dict[str, Any]:
    try:
        value = json.loads(state.details or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _parse_moment(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _requests_recorded() -> int:
    """All Bling requests the client has counted in the local store (ApiUsage)."""
    total = ApiUsage.select(peewee.fn.SUM(ApiUsage.requests)).scalar()
    return int(total or 0)


def _failed_recently(state: SyncState | None, now: datetime, window: timedelta) -> bool:
    return (
        state is not None
        and state.last_error is not None
        and state.last_attempt_at is not None
        and now - state.last_attempt_at < window
    )


def store_products(products: Iterable[BlingProduct], synced_at: datetime) -> int:
    """Upsert products into the cache; a known GTIN is kept when the new row has none."""
    rows = [
        {
            Product.id: p.id,
            Product.code: (p.code or "").strip() or None,
            Product.gtin: (p.gtin or "").strip() or None,
            Product.name: p.name or "",
            Product.kind: p.kind,
            Product.parent_id: p.parent_id,
            Product.price: p.price,
            Product.unit: p.unit,
            Product.active: p.active,
            Product.synced_at: synced_at,
        }
        for p in products
    ]
    if not rows:
        return 0
    with database_proxy.atomic():
        for start in range(0, len(rows), 80):
            (
                Product.insert_many(rows[start : start + 80])
                .on_conflict(
                    conflict_target=[Product.id],
                    preserve=[
                        Product.code,
                        Product.name,
                        Product.kind,
                        Product.parent_id,
                        Product.price,
                        Product.unit,
                        Product.active,
                        Product.synced_at,
                    ],
                    update={Product.gtin: peewee.fn.COALESCE(peewee.EXCLUDED.gtin, Product.gtin)},
                )
                .execute()
            )
    return len(rows)


class CatalogSync:
    """Pulls Bling's catalogue into the local store and answers whether it is stale."""

    def __init__(
        self,
        api: BlingApi,
        *,
        clock: Callable[[], datetime] = utcnow,
        stale_after: timedelta = STALE_AFTER,
        full_every: timedelta = FULL_PASS_EVERY,
    ) -> None:
        self.api = api
        self.clock = clock
        self.stale_after = stale_after
        self.full_every = full_every
        self._not_found: dict[str, datetime] = {}  # "c:CODE" / "g:GTIN" → when Bling said no

    # --- Staleness ------------------------------------------------------------------------

    def is_stale(self, now: datetime | None = None) -> bool:
        """True when a kind was never pulled or products are older than `stale_after`."""
        now = now or self.clock()
        states = {s.kind: s for s in SyncState.select().where(SyncState.kind.in_(CATALOG_KINDS))}
        for kind in CATALOG_KINDS:
            state = states.get(kind)
            if state is None or state.last_success_at is None:
                if kind in OPTIONAL_KINDS and _failed_recently(state, now, RETRY_REFUSED_AFTER):
                    continue  # Bling refused it (e.g. a missing scope); do not ask every cycle
                return True
        for kind in ESSENTIAL_KINDS:
            if now - states[kind].last_success_at >= self.stale_after:
                return True
        return False

    def full_pass_due(self, now: datetime | None = None) -> bool:
        """True when the next products pull will be a full pass."""
        now = now or self.clock()
        state = SyncState.get_or_none(SyncState.kind == KIND_PRODUCTS)
        if state is None or state.last_success_at is None:
            return True
        last_full = _parse_moment(_details(state).get("last_full_at"))
        if last_full is None or now - last_full >= self.full_every:
            return True
        return bool(now - state.last_success_at > MAX_CHANGE_WINDOW)

    # --- Refresh --------------------------------------------------------------------------

    def refresh(
        self, *, full: bool = False, progress: ProgressCallback | None = None
    ) -> CatalogSummary:
        """Pull every kind that needs it. `BlingNotConnectedError` and transient errors are
        recorded in SyncState and re-raised; other Bling refusals are recorded and reported in
        the summary while the remaining kinds still run."""
        summary = CatalogSummary()
        usage_before = _requests_recorded()
        started = self.clock()
        summary.full = full or self.full_pass_due(started)
        report = progress or (lambda _m, _d, _t: None)

        report("Catálogo: lendo produtos do Bling", 0, None)
        self._run_kind(
            KIND_PRODUCTS, summary, lambda: self._pull_products(summary, started, report)
        )
        report("Catálogo: lendo formas de pagamento", 0, None)
        self._run_kind(
            KIND_PAYMENT_FORMS, summary, lambda: self._pull_payment_forms(summary, started)
        )
        report("Catálogo: lendo depósitos", 0, None)
        self._run_kind(KIND_DEPOSITS, summary, lambda: self._pull_deposits(summary, started))
        if summary.full or Contact.get_or_none(Contact.document == "") is None:
            report("Catálogo: lendo o contato consumidor final", 0, None)
            self._run_kind(KIND_CONTACTS, summary, lambda: self._pull_contact(summary))
        if summary.full or not OrderStatus.select().exists():
            report("Catálogo: lendo situações de pedido", 0, None)
            self._run_kind(KIND_STATUSES, summary, lambda: self._pull_statuses(summary, started))
        report("Catálogo atualizado", 1, 1)
        recorded = _requests_recorded() - usage_before
        if recorded > 0:  # the client's own count includes detail calls made inside the API
            summary.requests = recorded
        return summary

    def _run_kind(
        self,
        kind: str,
        summary: CatalogSummary,
        pull: Callable[[], tuple[int, dict[str, Any]]],
    ) -> None:
        started = self.clock()
        state = sync_state(kind)
        state.last_attempt_at = started
        state.save()
        label = KIND_LABELS[kind]
        try:
            count, details = pull()
        except BlingError as exc:
            message = f"{exc.title}: {exc.message}"
            SyncState.update(last_error=message).where(SyncState.kind == kind).execute()
            log_event(
                "catalog",
                f"Falha ao atualizar {label}: {message}",
                level="error",
                details=exc.details or repr(exc),
            )
            if isinstance(exc, BlingNotConnectedError | BlingTransientError):
                raise
            summary.errors[kind] = message
            return
        except Exception:
            SyncState.update(
                last_error=f"Erro inesperado ao atualizar {label}; veja o arquivo de log."
            ).where(SyncState.kind == kind).execute()
            log.exception("catalogue pull of %s failed", kind)
            raise
        merged = {**_details(state), **details}
        SyncState.update(
            last_success_at=started,
            count=count,
            last_error=None,
            details=json.dumps(merged, ensure_ascii=False),
        ).where(SyncState.kind == kind).execute()
        summary.kinds.append(kind)

    def _pull_products(
        self, summary: CatalogSummary, started: datetime, report: ProgressCallback
    ) -> tuple[int, dict[str, Any]]:
        full = summary.full
        state = sync_state(KIND_PRODUCTS)
        changed_since = None
        if not full and state.last_success_at is not None:
            changed_since = state.last_success_at - CHANGE_MARGIN

        parents: set[int] = set()
        parents_with_variations: set[int] = set()
        received = 0

        def take(pages: Iterable[list[BlingProduct]]) -> None:
            nonlocal received
            for page in pages:
                summary.requests += 1
                store_products(page, started)
                received += len(page)
                for p in page:
                    if p.kind == "parent":
                        parents.add(p.id)
                    elif p.parent_id is not None:
                        parents_with_variations.add(p.parent_id)
                report(f"Catálogo: {received} produtos lidos", received, None)

        take(self.api.iter_active_products(changed_since=changed_since, kind="T"))
        missing = parents - parents_with_variations
        if full and missing:
            # The general list did not bring the grade: the variations list costs one request
            # per 100 variations, far less than one call per parent.
            take(self.api.iter_active_products(changed_since=None, kind="V"))
            missing = parents - parents_with_variations
        if not full and missing:
            known = column(
                Product.select(Product.parent_id).where(Product.parent_id.in_(list(missing)))
            )
            missing -= known
        for parent_id in sorted(missing):
            summary.requests += 1
            variations = self.api.product_variations(parent_id)
            store_products(variations, started)
            received += len(variations)

        deactivated = 0
        if full:
            deactivated = (
                Product.update(active=False)
                .where((Product.synced_at < started) & (Product.active == True))  # noqa: E712
                .execute()
            )
        counts = product_counts()
        summary.products_received = received
        summary.products_deactivated = deactivated
        summary.parents, summary.variations, summary.simple = (
            counts.parents,
            counts.variations,
            counts.simple,
        )
        mode = "completa" if full else "incremental"
        message = (
            f"Catálogo de produtos atualizado (leitura {mode}): {received} recebidos; ativos: "
            f"{counts.parents} produtos pai com variações, {counts.variations} variações, "
            f"{counts.simple} produtos simples"
        )
        if deactivated:
            message += f"; {deactivated} produtos marcados como inativos"
        log_event("catalog", message + ".")
        details: dict[str, Any] = {
            "parents": counts.parents,
            "variations": counts.variations,
            "simple": counts.simple,
            "sellable": counts.sellable,
            "inactive": counts.inactive,
            "last_mode": "full" if full else "incremental",
            "last_received": received,
            "last_deactivated": deactivated,
        }
        if full:
            details["last_full_at"] = started.isoformat()
        return counts.parents + counts.variations + counts.simple, details

    def _pull_payment_forms(
        self, summary: CatalogSummary, started: datetime
    ) -> tuple[int, dict[str, Any]]:
        # A card forma's brand is only in its detail (one request each): read the details on
        # the full pass, or when a card forma appears that the cache does not know yet.
        forms = self.api.payment_forms(with_card_brands=summary.full)
        summary.requests += 1
        if not summary.full:
            known = column(PaymentForm.select(PaymentForm.id))
            if any(f.id not in known and f.payment_type in CARD_TYPES for f in forms):
                forms = self.api.payment_forms(with_card_brands=True)
                summary.requests += 1
        with database_proxy.atomic():
            for f in forms:
                PaymentForm.insert(
                    id=f.id,
                    description=f.description,
                    payment_type=f.payment_type,
                    active=f.active,
                    is_default=f.is_default,
                    card_brand=f.card_brand,
                    synced_at=started,
                ).on_conflict(
                    conflict_target=[PaymentForm.id],
                    preserve=[
                        PaymentForm.description,
                        PaymentForm.payment_type,
                        PaymentForm.active,
                        PaymentForm.is_default,
                        PaymentForm.synced_at,
                    ],
                    update={
                        PaymentForm.card_brand: peewee.fn.COALESCE(
                            peewee.EXCLUDED.card_brand, PaymentForm.card_brand
                        )
                    },
                ).execute()
            PaymentForm.update(active=False).where(PaymentForm.synced_at < started).execute()
        active = PaymentForm.select().where(PaymentForm.active == True).count()  # noqa: E712
        summary.payment_forms = active
        refresh_open_suggestions()  # stored for the DE-PARA grid; applied only on acceptance
        log_event("catalog", f"Formas de pagamento atualizadas: {active} ativas.")
        return active, {}

    def _pull_deposits(
        self, summary: CatalogSummary, started: datetime
    ) -> tuple[int, dict[str, Any]]:
        summary.requests += 1
        deposits = self.api.deposits()
        with database_proxy.atomic():
            for d in deposits:
                Deposit.insert(
                    id=d.id,
                    description=d.description,
                    active=d.active,
                    is_default=d.is_default,
                    synced_at=started,
                ).on_conflict_replace().execute()
            Deposit.update(active=False).where(Deposit.synced_at < started).execute()
        active = Deposit.select().where(Deposit.active == True).count()  # noqa: E712
        summary.deposits = active
        log_event("catalog", f"Depósitos atualizados: {active} ativos.")
        return active, {}

    def _pull_contact(self, summary: CatalogSummary) -> tuple[int, dict[str, Any]]:
        summary.requests += 1
        contact = self.api.final_consumer()
        Contact.insert(
            document="", contact_id=contact.id, name=contact.name
        ).on_conflict_replace().execute()
        summary.consumer_contact_id = contact.id
        log_event("catalog", f"Contato consumidor final: id {contact.id} ({contact.name}).")
        return 1, {"final_consumer_id": contact.id}

    def _pull_statuses(
        self, summary: CatalogSummary, started: datetime
    ) -> tuple[int, dict[str, Any]]:
        summary.requests += 1
        statuses = self.api.sales_order_statuses()
        with database_proxy.atomic():
            OrderStatus.delete().execute()
            for s in statuses:
                OrderStatus.create(id=s.id, name=s.name, value=s.value)
        summary.statuses = len(statuses)
        names = ", ".join(s.name for s in statuses)
        log_event("catalog", f"Situações de pedido de venda atualizadas: {names}.")
        return len(statuses), {}

    # --- Unknown items --------------------------------------------------------------------

    def _recently_missed(self, key: str, now: datetime) -> bool:
        when = self._not_found.get(key)
        return when is not None and now - when < NEGATIVE_LOOKUP_TTL

    def lookup_unknown(self, codes: Sequence[str], gtins: Sequence[str]) -> int:
        """Fetch just the products sale items are missing: by SKU first, then by GTIN only for
        items whose SKU found nothing. Returns the number of products stored."""
        now = self.clock()
        wanted_codes = sorted({c.strip() for c in codes if c and c.strip()})
        wanted_codes = [c for c in wanted_codes if not self._recently_missed(f"c:{c}", now)]
        stored = 0
        found_codes: set[str] = set()
        try:
            if wanted_codes:
                products = self.api.products_by_codes(wanted_codes)
                stored += store_products(products, now)
                found_codes = {p.code for p in products if p.code}
                for code in wanted_codes:
                    if code not in found_codes:
                        self._not_found[f"c:{code}"] = now
            wanted_gtins = self._gtins_still_needed(gtins, now)
            if wanted_gtins:
                products = self.api.products_by_gtins(wanted_gtins)
                stored += store_products(products, now)
                found_gtins = {p.gtin for p in products if p.gtin}
                for gtin in wanted_gtins:
                    if gtin not in found_gtins:
                        self._not_found[f"g:{gtin}"] = now
        except BlingError as exc:
            SyncState.update(last_error=f"{exc.title}: {exc.message}").where(
                SyncState.kind == KIND_PRODUCTS
            ).execute()
            raise
        if stored:
            log_event(
                "catalog",
                f"Produtos consultados no Bling por código/GTIN de itens vendidos: {stored} encontrados.",
            )
        return stored

    def _gtins_still_needed(self, gtins: Sequence[str], now: datetime) -> list[str]:
        """GTINs worth asking Bling: not cached on a product, not recently missed, and carried by
        at least one sale item whose code the cache does not know."""
        wanted = sorted({g.strip() for g in gtins if g and g.strip()})
        wanted = [g for g in wanted if not self._recently_missed(f"g:{g}", now)]
        if not wanted:
            return []
        cached = column(Product.select(Product.gtin).where(Product.gtin.in_(wanted)))
        wanted = [g for g in wanted if g not in cached]
        if not wanted:
            return []
        known_codes = Product.select(Product.code).where(Product.code.is_null(False))
        still_unmatched = column(
            SaleItem.select(SaleItem.gtin).where(
                SaleItem.gtin.in_(wanted) & SaleItem.code.not_in(known_codes)
            )
        )
        paired = column(SaleItem.select(SaleItem.gtin).where(SaleItem.gtin.in_(wanted)))
        # A GTIN no sale item carries (a caller's own list) is looked up as asked.
        return [g for g in wanted if g in still_unmatched or g not in paired]
