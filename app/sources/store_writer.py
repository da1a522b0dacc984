"""What intake writes into the local store for each file it read (the mapping rules of issue 3).

A batch of files is written in one transaction (cheap), and every file's writes are always
inside one transaction: if a batch fails, it is rolled back and each file is written again in a
transaction of its own, so one bad file cannot take others with it nor be half-written.

Rules: one `Sale` per access key; a later authorised copy of a contingency or not-yet-authorised
note updates that sale; copies with other figures only warn once the sale has gone on; test
environment notes are kept as `ignorada`; cancellations are kept even before their sale and
applied when it arrives; every decision is a log event (file, key, result, reason).
"""

from __future__ import annotations

import functools
import json
import logging
import operator
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import peewee

from app.sources.document import CancellationInfo, DocumentKind, ReadResult, SaleDocument
from app.sources.nfce import REASON_DUPLICATE
from app.sources.nfce_reasons import (
    REASON_BINARY,
    REASON_DENIED,
    REASON_DTD,
    REASON_EMPTY,
    REASON_HOMOLOGATION,
    REASON_INTERNAL,
    REASON_MALFORMED,
    REASON_NOT_XML,
    REASON_OLD_CANCELLATION,
    REASON_SEFAZ_REJECTED,
    REASON_TOO_DEEP,
    REASON_TOO_LARGE,
    REASON_UNREADABLE,
)
from app.store.fields import AwareDateTimeField, DecimalTextField
from app.store.models import (
    BaseModel,
    Cancellation,
    LogEvent,
    Sale,
    SaleItem,
    SalePayment,
    SourceFile,
    StoreLocation,
    database_proxy,
)
from app.timeutil import format_brl, utcnow

log = logging.getLogger("ponte.events")

CATEGORY = "intake"
HOLD_AWAITING_AUTHORIZATION = (
    "Aguardando a autorização da SEFAZ: a nota foi lida sem protocolo e só será enviada "
    "quando o arquivo autorizado (nfeProc) chegar."
)
SENT_STATES = frozenset({"enviando", "pedido_criado", "enviada", "cancelada"})
# A file with these reasons could not be read at all: it may still be being written (retry),
# or it is damaged/hostile (quarantine once stable).
UNREADABLE_REASONS = (
    REASON_EMPTY,
    REASON_MALFORMED,
    REASON_UNREADABLE,
    REASON_NOT_XML,
    REASON_BINARY,
    REASON_TOO_LARGE,
    REASON_DTD,
    REASON_TOO_DEEP,
    REASON_INTERNAL,
)
_REFUSED_BY_SEFAZ = (REASON_DENIED, REASON_SEFAZ_REJECTED, REASON_OLD_CANCELLATION)
_CHUNK = 400  # SQL variables per IN (...) lookup
_STORED = -1  # id placeholder of a sale already in the database (looked up by key)


class Outcome(StrEnum):
    """What intake decided for one file (values are stored in the log details)."""

    NEW_SALE = "nova"
    AWAITING_AUTHORIZATION = "aguardando_autorizacao"
    UPDATED = "atualizada"
    DUPLICATE = "duplicada"
    CANCELLATION = "cancelamento"
    IGNORED = "ignorada"
    REJECTED = "rejeitada"
    WAITING = "aguardando"
    QUARANTINED = "quarentena"


@dataclass(frozen=True)
class FileSeen:
    """One file as intake saw it: its recorded source and the stat used to notice changes."""

    source: str  # a path, or "lote.zip!pasta/nota.xml"
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Take:
    """A file to record: its read result, or None when it was not read (still being written)."""

    file: FileSeen
    result: ReadResult | None
    attempts: int = 1
    quarantine: bool = False  # unreadable and stable: give up on it


@dataclass(frozen=True)
class Decision:
    source: str
    outcome: Outcome
    key: str | None = None
    reason: str | None = None
    message: str = ""
    level: str = "info"


def is_unreadable(result: ReadResult) -> bool:
    """True when the file could not be read as XML at all (as opposed to a readable
    document refused by policy)."""
    reason = result.reason or ""
    return result.kind == DocumentKind.REJECTED and reason.startswith(UNREADABLE_REASONS)


def _offset_text(moment: datetime) -> str:
    offset = moment.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _note_label(document: SaleDocument) -> str:
    model = "NFC-e" if document.model == 65 else "NF-e"
    return f"{model} nº {document.number} série {document.series}"


def _figures(document: SaleDocument) -> tuple[Any, ...]:
    """What must agree between two copies of the same note."""
    return (
        document.totals.total,
        document.totals.products,
        document.totals.discount,
        document.change,
        tuple((i.code, i.quantity, i.total, i.discount) for i in document.items),
        tuple((p.type, p.amount) for p in document.payments),
    )


def _figure_columns(document: SaleDocument, source: str) -> dict[str, Any]:
    """The sale columns an authorised copy with other figures replaces."""
    return {
        "products_total": document.totals.products,
        "discount": document.totals.discount,
        "other": document.totals.other,
        "total": document.totals.total,
        "change": document.change,
        "source_file": source,
    }


def _stored_figures(key: str) -> tuple[Any, ...]:
    sale = Sale.get(Sale.key == key)
    items = SaleItem.select().where(SaleItem.sale == sale).order_by(SaleItem.line)
    payments = SalePayment.select().where(SalePayment.sale == sale).order_by(SalePayment.seq)
    return (
        sale.total,
        sale.products_total,
        sale.discount,
        sale.change,
        tuple((i.code, i.quantity, i.total, i.discount) for i in items),
        tuple((p.tender_code, p.amount) for p in payments),
    )


def _warnings_json(document: SaleDocument) -> str:
    # Most notes have no warning: skip the encoder for them.
    if not document.warnings:
        return "[]"
    return json.dumps(list(document.warnings), ensure_ascii=False)


@functools.lru_cache(maxsize=512)
def _details_json(outcome: Outcome, reason: str | None) -> str:
    """The log event's details; a handful of distinct values, so encoded once each."""
    details = {"resultado": str(outcome)}
    if reason:
        details["motivo"] = reason
    return json.dumps(details, ensure_ascii=False)


# --- bulk rows --------------------------------------------------------------------------------


class _UtcText:
    """AwareDateTimeField's text form, remembering the last value (one `now` per batch)."""

    def __init__(self) -> None:
        self.last: tuple[datetime, str] | None = None
        self.field = AwareDateTimeField()  # built once: a peewee Field costs a few µs

    def __call__(self, value: datetime) -> str:
        if self.last is not None and self.last[0] is value:
            return self.last[1]
        text = str(self.field.db_value(value))
        self.last = (value, text)
        return text


class _Table:
    """A prepared INSERT for one model, with peewee's Python-side defaults applied and values
    stored exactly as the model's fields store them (Decimal as text, UTC ISO datetimes).
    Built for speed: intake writes hundreds of rows per batch."""

    def __init__(self, model: type[BaseModel], conflict: str = "") -> None:
        meta = model._meta
        fields = [f for f in meta.sorted_fields if not isinstance(f, peewee.AutoField)]
        columns = ", ".join(f'"{f.column_name}"' for f in fields)
        marks = ", ".join("?" for _ in fields)
        self.sql = f'INSERT INTO "{meta.table_name}" ({columns}) VALUES ({marks}) {conflict}'
        self.names = frozenset(f.name for f in fields)
        self.getter = operator.itemgetter(*(f.name for f in fields))
        self.defaults: dict[str, Any] = {}  # plain defaults (None when the field has none)
        self.factories: list[tuple[str, Callable[[], Any]]] = []  # callable defaults
        self.converts: list[tuple[int, Callable[[Any], Any]]] = []  # by column position
        for index, f in enumerate(fields):
            if callable(f.default):
                self.factories.append((f.name, f.default))
            else:
                self.defaults[f.name] = f.default
            if isinstance(f, DecimalTextField):
                self.converts.append((index, str))
            elif isinstance(f, AwareDateTimeField):
                self.converts.append((index, _UtcText()))
            elif not isinstance(
                f,
                (
                    peewee.IntegerField,
                    peewee.BooleanField,
                    peewee.CharField,
                    peewee.TextField,
                    peewee.ForeignKeyField,
                ),
            ):
                self.converts.append((index, f.db_value))

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        # One C-level itemgetter over the whole row, then only the few columns to convert:
        # a Python loop over every column cost more than the INSERT itself.
        if not self.names <= values.keys():
            full = dict(self.defaults)
            for name, factory in self.factories:
                if name not in values:
                    full[name] = factory()
            full.update(values)
            values = full
        out = list(self.getter(values))
        for index, convert in self.converts:
            value = out[index]
            if value is not None:
                out[index] = convert(value)
        return tuple(out)


_SALES = _Table(Sale)


def _columns_sql(model: type[BaseModel], names: Sequence[str]) -> str:
    """INSERT for the named fields; every other column of the model must be nullable."""
    meta = model._meta
    fields = [meta.fields[name] for name in names]
    others = [f for f in meta.sorted_fields if f.name not in names]
    if any(not (f.null or isinstance(f, peewee.AutoField)) for f in others):
        raise RuntimeError(f"{model.__name__}: a NOT NULL column is left out of the insert")
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    marks = ", ".join("?" for _ in fields)
    return f'INSERT INTO "{meta.table_name}" ({columns}) VALUES ({marks})'


_ITEMS_SQL = _columns_sql(
    SaleItem,
    (
        "sale",
        "line",
        "code",
        "gtin",
        "description",
        "unit",
        "quantity",
        "unit_price",
        "total",
        "discount",
        "other",
        "counts_in_total",
    ),
)
_PAYMENTS_SQL = _columns_sql(
    SalePayment,
    (
        "sale",
        "seq",
        "tender_code",
        "description",
        "amount",
        "card_brand",
        "authorization_code",
        "integration_type",
    ),
)
_EVENTS = _Table(LogEvent)
_SOURCES = _Table(
    SourceFile,
    'ON CONFLICT ("path") DO UPDATE SET "size"=excluded."size", "mtime_ns"=excluded."mtime_ns", '
    '"status"=excluded."status", "kind"=excluded."kind", "key"=excluded."key", '
    '"reason"=excluded."reason", "attempts"=excluded."attempts", "last_seen"=excluded."last_seen"',
)
_STORES = _Table(
    StoreLocation,
    'ON CONFLICT ("cnpj") DO UPDATE SET "name"=excluded."name" WHERE excluded."name" != \'\'',
)


@dataclass
class _SaleState:
    """A sale known in this batch: stored (id set) or about to be inserted (row set)."""

    id: int | None
    authorized: bool
    contingency: bool
    state: str
    hold_reason: str | None
    cancel_requested: bool
    document: SaleDocument | None = None  # for rows inserted in this batch
    row: dict[str, Any] | None = None


@dataclass
class _CancelState:
    id: int | None
    applied: bool
    row: dict[str, Any] | None = None


@dataclass
class _Batch:
    sales: dict[str, _SaleState] = field(default_factory=dict)
    cancellations: dict[str, _CancelState] = field(default_factory=dict)
    new_sales: list[str] = field(default_factory=list)  # keys, in order
    sources: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    stores: dict[str, str] = field(default_factory=dict)
    now: datetime = field(default_factory=utcnow)


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class StoreWriter:
    """Records intake decisions; one instance may be reused for many batches."""

    def __init__(self, db: peewee.Database | peewee.DatabaseProxy = database_proxy) -> None:
        # IMMEDIATE: take the write lock before the key lookups, so two intakes (engine and a
        # manual import) can never both insert the same key.
        self.db = db
        self._known_stores: dict[str, str] = {}

    def _cursor(self) -> sqlite3.Cursor:
        # Raw executemany for the hot inserts: peewee's per-row overhead is most of the cost.
        cursor: sqlite3.Cursor = self.db.cursor()
        return cursor

    # -- public ----------------------------------------------------------------------------

    def write(self, takes: Sequence[Take]) -> list[Decision]:
        """Record a batch of files; returns one decision per take, in order. Never raises for
        one bad file: a file that cannot be recorded is left `waiting` (retried next scan)."""
        if not takes:
            return []
        if len(takes) > 1:
            try:
                return self._commit(takes)
            except Exception:
                log.exception("batch of %d files failed; writing them one by one", len(takes))
        decisions = []
        for take in takes:
            try:
                decisions.extend(self._commit([take]))
            except Exception:
                log.exception("could not record %s", take.file.source)
                decisions.append(
                    Decision(
                        take.file.source,
                        Outcome.WAITING,
                        reason="erro ao gravar no banco local",
                        message="Erro ao gravar o arquivo no banco local; nova tentativa depois.",
                        level="error",
                    )
                )
        return decisions

    # -- batch -----------------------------------------------------------------------------

    def _commit(self, takes: Sequence[Take]) -> list[Decision]:
        batch = _Batch()
        with self.db.atomic("IMMEDIATE"):
            self._prefetch(batch, takes)
            decisions = [self._decide(batch, take) for take in takes]
            self._flush(batch)
        # Only once committed: a rolled-back batch must not hide a store row that is missing.
        self._known_stores.update(batch.stores)
        return decisions

    def _prefetch(self, batch: _Batch, takes: Sequence[Take]) -> None:
        keys: set[str] = set()
        for take in takes:
            result = take.result
            if result is None:
                continue
            if result.document is not None:
                keys.add(result.document.key)
                if result.document.cancellation is not None:
                    keys.add(result.document.cancellation.key)
            if result.cancellation is not None:
                keys.add(result.cancellation.key)
        cursor = self._cursor()
        # Raw lookups: building peewee queries for hundreds of keys costs more than running them.
        for chunk in _chunks(sorted(keys)):
            marks = ", ".join("?" for _ in chunk)
            cursor.execute(
                'SELECT "key", "authorized", "contingency", "state", "hold_reason", '
                f'"cancel_requested" FROM "sale" WHERE "key" IN ({marks})',
                chunk,
            )
            for key, authorized, contingency, state, hold_reason, cancel in cursor.fetchall():
                batch.sales[key] = _SaleState(
                    _STORED, bool(authorized), bool(contingency), state, hold_reason, bool(cancel)
                )
            cursor.execute(
                f'SELECT "key", "applied" FROM "cancellation" WHERE "key" IN ({marks})', chunk
            )
            for key, applied in cursor.fetchall():
                batch.cancellations[key] = _CancelState(_STORED, bool(applied))

    def _decide(self, batch: _Batch, take: Take) -> Decision:
        result = take.result
        if result is None or (is_unreadable(result) and not take.quarantine):
            decision = Decision(
                take.file.source,
                Outcome.WAITING,
                reason=result.reason if result else None,
                message="Arquivo ainda sendo gravado ou incompleto; nova tentativa em instantes.",
            )
            # Logged on the first failed read only, not at every retry.
            self._record(
                batch,
                take,
                decision,
                status="waiting",
                kind=None,
                log_it=result is not None and take.attempts == 1,
            )
            return decision
        if is_unreadable(result):
            decision = Decision(
                take.file.source,
                Outcome.QUARANTINED,
                key=result.key,
                reason=result.reason,
                message=f"Arquivo ilegível, posto em quarentena: {result.reason}.",
                level="warning",
            )
            self._record(batch, take, decision, status="quarantined", kind=result.kind)
            return decision
        if result.kind == DocumentKind.SALE and result.document is not None:
            decision = self._sale(batch, take, result.document)
        elif result.kind == DocumentKind.CANCELLATION and result.cancellation is not None:
            decision = self._cancellation(batch, take.file.source, result.cancellation)
        else:
            decision = self._rejected(batch, take, result)
        self._record(batch, take, decision, status="done", kind=result.kind)
        return decision

    # -- sales -----------------------------------------------------------------------------

    def _sale(self, batch: _Batch, take: Take, document: SaleDocument) -> Decision:
        source = take.file.source
        known = batch.sales.get(document.key)
        if known is None:
            decision = self._insert_sale(batch, source, document)
        else:
            decision = self._known_copy(batch, source, document, known)
        if document.cancellation is not None:
            cancel = self._cancellation(batch, source, document.cancellation)
            if cancel.outcome == Outcome.CANCELLATION:
                if decision.outcome == Outcome.DUPLICATE:
                    return cancel
                # The file carries both: the sale's decision is recorded, the cancellation logged.
                self._event(batch, cancel)
        return decision

    def _insert_sale(
        self,
        batch: _Batch,
        source: str,
        document: SaleDocument,
        *,
        state: str | None = None,
        hold_reason: str | None = None,
    ) -> Decision:
        pending_cancel = batch.cancellations.get(document.key)
        awaiting = state is None and not document.counts_as_sale
        if state is None:
            state = "retida" if awaiting else "nova"
            hold_reason = HOLD_AWAITING_AUTHORIZATION if awaiting else None
        cancel_requested = pending_cancel is not None
        row = {
            "key": document.key,
            "model": document.model,
            "environment": document.environment,
            "emission_mode": document.emission_mode,
            "series": document.series,
            "number": document.number,
            "issued_at": document.issued_at,
            "issued_at_offset": _offset_text(document.issued_at),
            "store_cnpj": document.store_cnpj,
            "store_name": document.store_name,
            "customer_document": document.customer_document,
            "customer_name": document.customer_name,
            "products_total": document.totals.products,
            "discount": document.totals.discount,
            "other": document.totals.other,
            "total": document.totals.total,
            "change": document.change,
            "authorized": document.authorization.authorized,
            "protocol": document.authorization.protocol,
            "contingency": document.contingency,
            "own_nfe": document.model == 55,
            "additional_info": document.additional_info,
            "warnings": _warnings_json(document),
            "source_file": source,
            "state": state,
            "hold_reason": hold_reason,
            "numero_loja": document.key,
            "cancel_requested": cancel_requested,
            "created_at": batch.now,
            "updated_at": batch.now,
        }
        batch.sales[document.key] = _SaleState(
            None,
            document.authorization.authorized,
            document.contingency,
            state,
            hold_reason,
            cancel_requested,
            document,
            row,
        )
        batch.new_sales.append(document.key)
        if (
            state != "ignorada"
            and document.store_cnpj
            and self._known_stores.get(document.store_cnpj) != document.store_name
        ):
            batch.stores[document.store_cnpj] = document.store_name
        label = _note_label(document)
        if pending_cancel is not None:
            self._apply_pending_cancellation(batch, document.key, pending_cancel, source)
        if state == "ignorada":
            return Decision(
                source,
                Outcome.IGNORED,
                document.key,
                hold_reason,
                f"{label} guardada como ignorada (não será enviada): {hold_reason}.",
            )
        if awaiting:
            return Decision(
                source,
                Outcome.AWAITING_AUTHORIZATION,
                document.key,
                None,
                f"{label} lida sem autorização da SEFAZ: fica retida até chegar o arquivo autorizado.",
            )
        extra = (
            " (contingência offline)"
            if document.contingency and not document.authorization.authorized
            else ""
        )
        return Decision(
            source,
            Outcome.NEW_SALE,
            document.key,
            None,
            f"Venda {label} importada{extra}: {format_brl(document.totals.total)}.",
        )

    def _known_copy(
        self, batch: _Batch, source: str, document: SaleDocument, known: _SaleState
    ) -> Decision:
        label = _note_label(document)
        if document.authorization.authorized and not known.authorized:
            return self._authorize(batch, source, document, known, label)
        differs = self._differs(document, known)
        if differs:
            return Decision(
                source,
                Outcome.DUPLICATE,
                document.key,
                REASON_DUPLICATE,
                f"Outra cópia da {label} com valores diferentes foi ignorada; confira os arquivos.",
                "warning",
            )
        return Decision(
            source,
            Outcome.DUPLICATE,
            document.key,
            REASON_DUPLICATE,
            f"Arquivo ignorado: {label} já foi lida em outro arquivo.",
        )

    def _differs(self, document: SaleDocument, known: _SaleState) -> bool:
        if known.document is not None:
            return _figures(known.document) != _figures(document)
        if known.id is None:
            return False
        return _stored_figures(document.key) != _figures(document)

    def _authorize(
        self,
        batch: _Batch,
        source: str,
        document: SaleDocument,
        known: _SaleState,
        label: str,
    ) -> Decision:
        """The authorised copy of a contingency or not-yet-authorised note: update, never add."""
        release = known.state == "retida" and known.hold_reason == HOLD_AWAITING_AUTHORIZATION
        changes: dict[str, Any] = {
            "authorized": True,
            "protocol": document.authorization.protocol,
            "warnings": _warnings_json(document),
            "updated_at": batch.now,
        }
        if release:
            changes["state"] = "nova"
            changes["hold_reason"] = None
        differs = self._differs(document, known)
        replace = differs and known.state in ("nova", "retida")
        level = "info"
        note = ""
        if differs and replace:
            note = " Os valores mudaram no arquivo autorizado e foram atualizados."
            level = "warning"
        elif differs:
            note = (
                " Atenção: o arquivo autorizado tem valores diferentes da venda já enviada; "
                "confira o pedido no Bling."
            )
            level = "warning"
        if known.row is not None:
            assert known.document is not None
            if replace:
                self._replace_pending(batch, known, document, source)
            known.row.update(changes)
            known.document = document
        else:
            if replace:
                self._replace_stored(document, source, changes)
            Sale.update(changes).where(Sale.key == document.key).execute()
        known.authorized = True
        if release:
            known.state = "nova"
            known.hold_reason = None
        return Decision(
            source,
            Outcome.UPDATED,
            document.key,
            None,
            f"Autorização da SEFAZ recebida para a {label} (protocolo "
            f"{document.authorization.protocol}).{note}",
            level,
        )

    def _replace_pending(
        self, batch: _Batch, known: _SaleState, document: SaleDocument, source: str
    ) -> None:
        assert known.row is not None
        known.row.update(_figure_columns(document, source))

    def _replace_stored(self, document: SaleDocument, source: str, changes: dict[str, Any]) -> None:
        row = self._cursor().execute('SELECT "id" FROM "sale" WHERE "key" = ?', (document.key,))
        sale_id = int(row.fetchone()[0])
        changes.update(_figure_columns(document, source))
        SaleItem.delete().where(SaleItem.sale == sale_id).execute()
        SalePayment.delete().where(SalePayment.sale == sale_id).execute()
        self._insert_children([(sale_id, document)])

    # -- cancellations ---------------------------------------------------------------------

    def _cancellation(
        self,
        batch: _Batch,
        source: str,
        info: CancellationInfo,
    ) -> Decision:
        known = batch.cancellations.get(info.key)
        substitute = ""
        if info.substitute_key:
            substitute = f" (substituída pela nota de chave {info.substitute_key})"
        if known is not None:
            decision = Decision(
                source,
                Outcome.DUPLICATE,
                info.key,
                REASON_DUPLICATE,
                "Cancelamento já registrado por outro arquivo.",
            )
        else:
            row = {
                "key": info.key,
                "event_type": info.event_type,
                "protocol": info.protocol,
                "registered_at": info.registered_at,
                "reason": info.reason,
                "substitute_key": info.substitute_key,
                "source_file": source,
                "received_at": batch.now,
                "applied": False,
            }
            state = _CancelState(None, False, row)
            batch.cancellations[info.key] = state
            sale = batch.sales.get(info.key)
            if sale is not None:
                self._apply_to_sale(batch, info.key, sale)
                state.applied = True
                row["applied"] = True
                message = (
                    f"Cancelamento da nota de chave {info.key} registrado{substitute}: "
                    "a venda será cancelada (não será enviada, ou será estornada no Bling)."
                )
            else:
                message = (
                    f"Cancelamento da nota de chave {info.key} guardado{substitute}: "
                    "será aplicado quando a venda chegar."
                )
            decision = Decision(source, Outcome.CANCELLATION, info.key, None, message)
        return decision

    def _apply_to_sale(self, batch: _Batch, key: str, sale: _SaleState) -> None:
        sale.cancel_requested = True
        if sale.row is not None:
            sale.row["cancel_requested"] = True
        else:
            Sale.update(cancel_requested=True, updated_at=batch.now).where(
                Sale.key == key
            ).execute()

    def _apply_pending_cancellation(
        self, batch: _Batch, key: str, cancel: _CancelState, source: str
    ) -> None:
        cancel.applied = True
        if cancel.row is not None:
            cancel.row["applied"] = True
        else:
            Cancellation.update(applied=True).where(Cancellation.key == key).execute()
        self._event(
            batch,
            Decision(
                source,
                Outcome.CANCELLATION,
                key,
                None,
                "Cancelamento recebido antes da venda aplicado agora: a venda não será enviada.",
            ),
        )

    # -- rejections ------------------------------------------------------------------------

    def _rejected(self, batch: _Batch, take: Take, result: ReadResult) -> Decision:
        source = take.file.source
        reason = result.reason or "arquivo recusado"
        document = result.document
        if document is not None and reason.startswith(REASON_HOMOLOGATION):
            if document.key in batch.sales:
                return Decision(
                    source,
                    Outcome.DUPLICATE,
                    document.key,
                    REASON_DUPLICATE,
                    f"Arquivo ignorado: {_note_label(document)} já foi lida em outro arquivo.",
                )
            decision = self._insert_sale(
                batch, source, document, state="ignorada", hold_reason=reason
            )
            if document.cancellation is not None:
                cancel = self._cancellation(batch, source, document.cancellation)
                if cancel.outcome == Outcome.CANCELLATION:
                    self._event(batch, cancel)
            return decision
        info = result.cancellation
        if info is not None and reason.startswith(REASON_HOMOLOGATION):
            known = batch.sales.get(info.key)
            if known is None or known.state == "ignorada":
                # A test cancellation of a test note (arrived or still to come): kept so the
                # note shows as cancelled. It never touches a production sale.
                cancel = self._cancellation(batch, source, info)
                return Decision(
                    source, Outcome.IGNORED, info.key, reason, f"{cancel.message} (nota de teste)"
                )
        if document is not None and reason.startswith(_REFUSED_BY_SEFAZ):
            known = batch.sales.get(document.key)
            if known is not None:
                return self._refused(batch, source, document, known, reason)
        return Decision(
            source,
            Outcome.REJECTED,
            result.key,
            reason,
            f"Arquivo recusado: {reason}.",
            "warning",
        )

    def _refused(
        self, batch: _Batch, source: str, document: SaleDocument, known: _SaleState, reason: str
    ) -> Decision:
        """SEFAZ refused a note we hold: an unsent sale must never go."""
        label = _note_label(document)
        if known.state in SENT_STATES or known.state == "ignorada":
            return Decision(
                source,
                Outcome.REJECTED,
                document.key,
                reason,
                f"A SEFAZ recusou a {label} ({reason}), mas a venda já seguiu; confira no Bling.",
                "warning",
            )
        changes = {"state": "ignorada", "hold_reason": reason, "updated_at": batch.now}
        if known.row is not None:
            known.row.update(changes)
        else:
            Sale.update(changes).where(Sale.key == document.key).execute()
        known.state = "ignorada"
        known.hold_reason = reason
        return Decision(
            source,
            Outcome.REJECTED,
            document.key,
            reason,
            f"A SEFAZ recusou a {label}: a venda não será enviada ({reason}).",
            "warning",
        )

    # -- recording -------------------------------------------------------------------------

    def _record(
        self,
        batch: _Batch,
        take: Take,
        decision: Decision,
        *,
        status: str,
        kind: str | None,
        log_it: bool = True,
    ) -> None:
        seen = take.file
        batch.sources.append(
            _SOURCES.row(
                {
                    "path": seen.source,
                    "size": seen.size,
                    "mtime_ns": seen.mtime_ns,
                    "status": status,
                    "kind": None if kind is None else str(kind),
                    "key": decision.key,
                    "reason": decision.reason,
                    "attempts": take.attempts,
                    "first_seen": batch.now,
                    "last_seen": batch.now,
                }
            )
        )
        if log_it:
            self._event(batch, decision)

    def _event(self, batch: _Batch, decision: Decision) -> None:
        batch.events.append(
            _EVENTS.row(
                {
                    "at": batch.now,
                    "level": decision.level,
                    "category": CATEGORY,
                    "sale_key": decision.key,
                    "file": decision.source,
                    "message": decision.message,
                    "details": _details_json(decision.outcome, decision.reason),
                }
            )
        )
        if log.isEnabledFor(logging.INFO):
            log.info("[intake] %s %s %s", decision.message, decision.key or "", decision.source)

    def _flush(self, batch: _Batch) -> None:
        cursor = self._cursor()
        if batch.new_sales:
            pending = [batch.sales[key].row for key in batch.new_sales]
            cursor.executemany(_SALES.sql, [_SALES.row(r) for r in pending if r is not None])
            ids: dict[str, int] = {}
            for chunk in _chunks(batch.new_sales):
                marks = ", ".join("?" for _ in chunk)
                cursor.execute(f'SELECT "key", "id" FROM "sale" WHERE "key" IN ({marks})', chunk)
                ids.update(cursor.fetchall())
            children = []
            for key in batch.new_sales:
                state = batch.sales[key]
                state.id = ids[key]
                state.row = None
                assert state.document is not None
                children.append((ids[key], state.document))
            self._insert_children(children)
        new_cancellations = [c.row for c in batch.cancellations.values() if c.row is not None]
        for row in new_cancellations:
            Cancellation.insert(row).execute()
        if batch.stores:
            rows = [
                _STORES.row({"cnpj": c, "name": n, "first_seen": batch.now})
                for c, n in batch.stores.items()
            ]
            cursor.executemany(_STORES.sql, rows)
        if batch.sources:
            cursor.executemany(_SOURCES.sql, batch.sources)
        if batch.events:
            cursor.executemany(_EVENTS.sql, batch.events)

    def _insert_children(self, sales: Sequence[tuple[int, SaleDocument]]) -> None:
        # Positional tuples in _ITEM_COLUMNS/_PAYMENT_COLUMNS order: the most numerous rows.
        items = [
            (
                sale_id,
                item.line,
                item.code,
                item.gtin,
                item.description,
                item.unit,
                str(item.quantity),
                str(item.unit_price),
                str(item.total),
                str(item.discount),
                str(item.other),
                item.counts_in_total,
            )
            for sale_id, document in sales
            for item in document.items
        ]
        payments = [
            (
                sale_id,
                seq,
                payment.type,
                payment.description,
                str(payment.amount),
                payment.card_brand,
                payment.authorization_code,
                payment.integration_type,
            )
            for sale_id, document in sales
            for seq, payment in enumerate(document.payments, 1)
        ]
        cursor = self._cursor()
        if items:
            cursor.executemany(_ITEMS_SQL, items)
        if payments:
            cursor.executemany(_PAYMENTS_SQL, payments)
