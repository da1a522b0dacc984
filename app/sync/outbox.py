"""The sales outbox: resolved sales become Bling orders with a stock exit, exactly once.

Design §4 and §5. The rules that keep a sale from reaching Bling twice:

- A sale is committed as `enviando` BEFORE its order is POSTed. A sale found in `enviando`
  later (crash, timeout, 5xx, dropped connection) may already be in Bling, so it is first
  searched by `numeroLoja` (many keys per request) and adopted when found; only an absent one
  is POSTed again.
- A sale with a Bling order id is never POSTed again.
- Order creation and stock launch are separate steps: the order id is committed
  (`pedido_criado`) before the stock is launched, and `stock_launched` is committed before the
  optional final status is set. Each step is resumed where it stopped.
- Stock is never taken out twice. Launching an order whose stock is already out is refused by
  Bling (field codes 61/66): that answer means the earlier attempt (or the account itself, on a
  status change) did it, so it is adopted. The stock is always launched BEFORE Ponte changes the
  order's status, so an account that launches stock by itself on a status change finds the stock
  already out. Reversing stock that is not out (a retried reversal) is likewise adopted.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.bling.codes import (
    INVALID_PAYMENT_FORM,
    STOCK_ALREADY_LAUNCHED,
    STOCK_ALREADY_LAUNCHED_ALT,
    STOCK_NOT_LAUNCHED,
)
from app.bling.errors import (
    BlingApiError,
    BlingNotConnectedError,
    BlingNotFoundError,
    BlingRateLimitedError,
    BlingTransientError,
    BlingUnreachableError,
    FieldError,
)
from app.store.events import log_event
from app.store.models import Contact, OrderStatus, Sale, SaleItem, SalePayment, database_proxy
from app.store.settings import FINAL_STATUS, SALES_CHANNEL, get_setting
from app.sync.order_builder import OrderBuildError, build_order, sale_data_from_rows
from app.sync.progress import Reporter, Stage
from app.sync.transitions import (
    CANCELADA,
    ENVIADA,
    ENVIANDO,
    ERRO,
    PEDIDO_CRIADO,
    PRONTA,
    StaleSaleError,
    TransitionError,
    transition,
    update_sale,
)
from app.timeutil import format_br_datetime, utcnow

if TYPE_CHECKING:
    from app.bling.api import BlingApi

log = logging.getLogger(__name__)

CANCELLED_STATUS_NAME = "Cancelado"
ALREADY_LAUNCHED_CODES = frozenset({STOCK_ALREADY_LAUNCHED, STOCK_ALREADY_LAUNCHED_ALT})
# Consecutive temporary failures after which a pass stops: Bling is struggling, and hammering
# it would only add to the account's error count (300 errors in 10 s block the IP).
MAX_CONSECUTIVE_TRANSIENT = 3

REFUSAL_TITLES = {
    "create": "Pedido recusado pelo Bling",
    "launch": "Baixa de estoque recusada pelo Bling",
    "reverse": "Estorno de estoque recusado pelo Bling",
    "status": "Mudança de situação recusada pelo Bling",
    "contact": "Cliente recusado pelo Bling",
}
# A sale in `erro` with one of these titles failed while being undone (cancellation or move):
# it is not tried again every cycle, only after the user's "Tentar de novo".
UNDO_REFUSED_TITLES = frozenset({REFUSAL_TITLES["reverse"], REFUSAL_TITLES["status"]})

DepositFor = Callable[[Sale], "int | None"]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class RetryPolicy:
    """Growing delays between attempts of one sale after temporary failures."""

    base_seconds: float = 15.0
    factor: float = 2.0
    cap_seconds: float = 1800.0

    def delay(self, attempts: int, retry_after: float | None = None) -> timedelta:
        seconds = min(self.cap_seconds, self.base_seconds * self.factor ** max(0, attempts - 1))
        if retry_after is not None:
            seconds = max(seconds, retry_after)
        return timedelta(seconds=seconds)


@dataclass
class OutboxSummary:
    """What one outbox pass did (counts of sales)."""

    created: int = 0
    adopted: int = 0
    launched: int = 0
    sent: int = 0  # reached `enviada`
    cancelled: int = 0
    moved: int = 0
    deferred: int = 0
    failed: int = 0
    searched: int = 0  # sales looked up by numeroLoja
    stopped_reason: str | None = None
    messages: list[str] = field(default_factory=list)


class PassStopped(Exception):
    """Internal: too many temporary failures in a row; end this pass."""


def _field_codes(fields: Sequence[FieldError]) -> Iterator[FieldError]:
    for item in fields:
        yield item
        yield from _field_codes(item.collection)


def has_field_code(exc: BlingApiError, codes: frozenset[int]) -> bool:
    """Whether Bling's error carries one of these field codes (collections included)."""
    return any(f.code in codes for f in _field_codes(exc.fields))


def _normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded.strip().casefold()


def explain_refusal(exc: BlingApiError, step: str) -> tuple[str, str]:
    """Bling's refusal turned into a title and an action the store manager can take."""
    fields = list(_field_codes(exc.fields))
    bling_text = "; ".join(f.msg for f in fields if f.msg) or exc.bling_message or exc.message
    elements = " ".join(f"{f.element or ''} {f.namespace or ''}" for f in fields).casefold()
    codes = {f.code for f in fields}
    retry_hint = "Depois use 'Tentar de novo' (ponte-bling sales retry CHAVE)."
    if INVALID_PAYMENT_FORM in codes or "formapagamento" in elements:
        action = (
            "Revise o DE-PARA de formas de pagamento (a forma usada não é aceita pelo Bling) "
            "e confira se ela está ativa no Bling."
        )
    elif "produto" in elements or "itens" in elements:
        action = (
            "Revise o vínculo dos produtos da venda (ponte-bling products link) e o cadastro "
            "deles no Bling (ativo, com estoque controlado)."
        )
    elif "contato" in elements:
        action = "Revise o cadastro do cliente (CPF/CNPJ) no Bling."
    elif "deposito" in elements or step == "launch":
        action = (
            "Revise o depósito da loja (ponte-bling stores set) e se o depósito está ativo "
            "no Bling."
        )
    elif "parcela" in elements or "valor" in elements or "desconto" in elements:
        action = "Confira os valores e as formas de pagamento da nota."
    else:
        action = "Corrija no Bling o cadastro indicado."
    return (
        REFUSAL_TITLES.get(step, "Recusado pelo Bling"),
        f"O Bling respondeu: {bling_text}. {action} {retry_hint}",
    )


def _order_id(sale: Sale) -> int:
    if sale.bling_order_id is None:
        raise RuntimeError(f"sale {sale.key} has no Bling order id")
    return int(sale.bling_order_id)


class Outbox:
    """Sends resolved sales to Bling and resumes every unfinished step."""

    def __init__(
        self,
        api: BlingApi,
        *,
        deposit_for: DepositFor,
        clock: Clock = utcnow,
        retry: RetryPolicy | None = None,
        report: Reporter | None = None,
        search_batch: int = 100,
    ) -> None:
        self.api = api
        self.deposit_for = deposit_for
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.report = report or Reporter()
        self.search_batch = search_batch
        self._statuses_fetched = False
        self._missing_status_told: set[str] = set()
        self._absent: set[str] = set()  # sales searched this pass and not found in Bling
        self._consecutive_transient = 0
        self._step = ""

    # --- the pass --------------------------------------------------------------------------

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> OutboxSummary:
        """One pass: adopt uncertain sends, cancellations, new sends and resumes, moves."""
        summary = OutboxSummary()
        self._absent = set()
        self._consecutive_transient = 0
        try:
            self._adopt_uncertain(summary)
            self._cancellations(summary, should_stop)
            self._send(summary, should_stop)
            self._moves(summary, should_stop)
        except PassStopped:
            summary.stopped_reason = (
                "O Bling falhou várias vezes seguidas; as vendas pendentes serão tentadas de "
                "novo no próximo ciclo."
            )
        return summary

    def _due(self) -> Any:
        now = self.clock()
        return (Sale.next_attempt_at.is_null()) | (Sale.next_attempt_at <= now)

    def _adopt_uncertain(self, summary: OutboxSummary) -> None:
        """Search sales whose earlier POST may have reached Bling, many keys per request."""
        uncertain = list(
            Sale.select()
            .where((Sale.state == ENVIANDO) & self._due())
            .order_by(Sale.issued_at, Sale.key)
        )
        for start in range(0, len(uncertain), self.search_batch):
            chunk = uncertain[start : start + self.search_batch]
            self._step = "search"
            try:
                found = self.api.find_sales_orders_by_numero_loja([s.numero_loja for s in chunk])
            except (BlingNotConnectedError, BlingUnreachableError):
                raise
            except BlingTransientError as exc:
                # Without the search nobody in this chunk may be POSTed again; they stay in
                # `enviando` and are looked up next pass.
                log.warning("numeroLoja search failed: %r", exc)
                continue
            summary.searched += len(chunk)
            for sale in chunk:
                order = found.get(sale.numero_loja)
                if order is None:
                    self._absent.add(sale.key)
                    continue
                try:
                    transition(
                        sale,
                        PEDIDO_CRIADO,
                        f"Pedido {order.numero or order.id} encontrado no Bling (a tentativa "
                        "anterior chegou lá sem resposta); adotado, sem reenviar.",
                        bling_order_id=order.id,
                        attempts=0,
                        next_attempt_at=None,
                    )
                except StaleSaleError:
                    continue
                summary.adopted += 1

    def _cancellations(self, summary: OutboxSummary, should_stop: Callable[[], bool]) -> None:
        pending = list(
            Sale.select()
            .where(
                Sale.cancel_requested & ~Sale.cancel_done & (Sale.state != CANCELADA) & self._due()
            )
            .order_by(Sale.issued_at, Sale.key)
        )
        for done, sale in enumerate(pending):
            if should_stop():
                return
            if sale.state == ENVIANDO and sale.key not in self._absent:
                continue  # not searched yet (search failed): it may be in Bling
            if sale.state == ERRO and sale.error_title in UNDO_REFUSED_TITLES:
                continue  # Bling refused to undo it: waits for the user's "Tentar de novo"
            self.report(
                Stage.CANCEL, done, len(pending), f"Cancelando a venda {sale.number}", sale.key
            )
            self._guarded(sale, summary, self._cancel)

    def _send(self, summary: OutboxSummary, should_stop: Callable[[], bool]) -> None:
        query = (
            Sale.select()
            .where(
                ~Sale.cancel_requested
                & (
                    ((Sale.state == PRONTA) & self._due())
                    | ((Sale.state == PEDIDO_CRIADO) & self._due())
                    | ((Sale.state == ENVIANDO) & Sale.key.in_(sorted(self._absent) or [""]))
                )
            )
            .order_by(Sale.issued_at, Sale.key)
        )
        pending = list(query)
        total = len(pending)
        for done, sale in enumerate(pending):
            if should_stop():
                return
            self.report(Stage.SEND, done, total, f"Enviando a venda {sale.number}", sale.key)
            self._guarded(sale, summary, self._push)
        if total:
            self.report(Stage.SEND, total, total, f"{total} venda(s) processada(s)")

    def _moves(self, summary: OutboxSummary, should_stop: Callable[[], bool]) -> None:
        pending = list(
            Sale.select()
            .where(
                (Sale.state == ENVIADA)
                & ~Sale.cancel_requested
                & Sale.deposit_override_id.is_null(False)
                & Sale.stock_launched
                & (
                    Sale.stock_deposit_id.is_null()
                    | (Sale.stock_deposit_id != Sale.deposit_override_id)
                )
                & self._due()
            )
            .order_by(Sale.issued_at, Sale.key)
        )
        for done, sale in enumerate(pending):
            if should_stop():
                return
            self.report(
                Stage.MOVE,
                done,
                len(pending),
                f"Mudando o depósito da venda {sale.number}",
                sale.key,
            )
            self._guarded(sale, summary, self._move)

    # --- one sale, with the failure policy ---------------------------------------------------

    def _guarded(
        self, sale: Sale, summary: OutboxSummary, work: Callable[[Sale, OutboxSummary], None]
    ) -> None:
        self._step = ""
        try:
            work(sale, summary)
            self._consecutive_transient = 0
        except StaleSaleError:
            log.info("sale %s changed elsewhere; skipped this pass", sale.key)
        except TransitionError:
            # a bug, not the user's problem: keep the sale as it is and go on with the others
            log.exception("illegal transition for sale %s", sale.key)
        except (BlingNotConnectedError, BlingUnreachableError):
            raise
        except BlingRateLimitedError as exc:
            if exc.period != "second":
                raise
            self._defer(sale, exc, summary)
        except BlingTransientError as exc:
            self._defer(sale, exc, summary)
        except BlingApiError as exc:
            self._consecutive_transient = 0
            self._refuse(sale, exc, summary)
        except OrderBuildError as exc:
            self._consecutive_transient = 0
            self._fail(sale, exc.title, exc.message, summary)

    def _defer(self, sale: Sale, exc: BlingTransientError, summary: OutboxSummary) -> None:
        attempts = int(sale.attempts) + 1
        when = self.clock() + self.retry.delay(attempts, exc.retry_after)
        what = {
            "create": "ao criar o pedido",
            "launch": "ao baixar o estoque",
            "reverse": "ao estornar o estoque",
            "status": "ao mudar a situação do pedido",
            "contact": "ao buscar o cliente",
        }.get(self._step, "ao falar com o Bling")
        try:
            update_sale(
                sale,
                f"Falha temporária {what} ({exc.title}); nova tentativa a partir de "
                f"{format_br_datetime(when)} (tentativa {attempts}).",
                level="warning",
                details=repr(exc),
                attempts=attempts,
                next_attempt_at=when,
            )
        except StaleSaleError:
            return
        summary.deferred += 1
        self._consecutive_transient += 1
        if self._consecutive_transient >= MAX_CONSECUTIVE_TRANSIENT:
            raise PassStopped

    def _refuse(self, sale: Sale, exc: BlingApiError, summary: OutboxSummary) -> None:
        if isinstance(exc, BlingNotFoundError) and self._step in {"launch", "reverse", "status"}:
            title = "Pedido não encontrado no Bling"
            message = (
                f"O pedido {sale.bling_order_id} desta venda não existe mais no Bling "
                "(excluído?). Confira no Bling; para enviar a venda de novo, use "
                "'Tentar de novo'."
            )
        else:
            title, message = explain_refusal(exc, self._step)
        self._fail(sale, title, message, summary, details=repr(exc))

    def _fail(
        self, sale: Sale, title: str, message: str, summary: OutboxSummary, details: str = ""
    ) -> None:
        try:
            transition(
                sale,
                ERRO,
                f"{title}: {message}",
                level="error",
                details=details,
                error_title=title,
                error_message=message,
                next_attempt_at=None,
            )
        except StaleSaleError:
            return
        summary.failed += 1

    # --- the steps ---------------------------------------------------------------------------

    def _push(self, sale: Sale, summary: OutboxSummary) -> None:
        """pronta/enviando → pedido_criado → enviada, resuming where the sale stopped."""
        if sale.state == PRONTA and sale.bling_order_id is not None:
            transition(
                sale,
                PEDIDO_CRIADO,
                f"A venda já tem o pedido {sale.bling_order_id} no Bling; retomando a baixa de "
                "estoque, sem novo pedido.",
            )
        if sale.state in (PRONTA, ENVIANDO):
            self._create(sale, summary)
        if sale.state == PEDIDO_CRIADO:
            self._finish(sale, summary)

    def _create(self, sale: Sale, summary: OutboxSummary) -> None:
        data = sale_data_from_rows(
            sale,
            list(SaleItem.select().where(SaleItem.sale == sale)),
            list(SalePayment.select().where(SalePayment.sale == sale)),
        )
        self._step = "contact"
        contact_id = self._contact_for(data.customer_document, data.customer_name)
        channel = get_setting(SALES_CHANNEL)
        built = build_order(
            data,
            contact_id=contact_id,
            sales_channel_id=int(channel) if channel not in (None, "") else None,
        )
        if sale.state == PRONTA:
            with database_proxy.atomic():
                transition(sale, ENVIANDO, "Enviando o pedido ao Bling.")
                for warning in built.warnings:
                    log_event("sale", warning, level="warning", sale_key=sale.key)
        else:
            update_sale(
                sale,
                "O pedido não está no Bling (a tentativa anterior não chegou); enviando de novo.",
            )
        self._step = "create"
        created = self.api.create_sales_order(built.order)
        with database_proxy.atomic():
            transition(
                sale,
                PEDIDO_CRIADO,
                f"Pedido {created.id} criado no Bling.",
                bling_order_id=created.id,
                attempts=0,
                next_attempt_at=None,
            )
            for alert in created.alerts:
                log_event("sale", f"Aviso do Bling: {alert}", level="warning", sale_key=sale.key)
        summary.created += 1

    def _finish(self, sale: Sale, summary: OutboxSummary) -> None:
        """pedido_criado → stock launched in the target deposit → final status → enviada."""
        target = self._target_deposit(sale)
        override = sale.deposit_override_id
        if sale.stock_launched and override is not None and sale.stock_deposit_id != override:
            self._reverse(sale)  # a move under way: take the stock back first
        if not sale.stock_launched:
            if target is None:
                self._hold_for_deposit(sale)
                return
            self._launch(sale, target, summary)
        self._apply_final_status(sale)
        transition(
            sale,
            ENVIADA,
            f"Venda enviada: pedido {sale.bling_order_id}, estoque baixado no depósito "
            f"{sale.stock_deposit_id}.",
            attempts=0,
            next_attempt_at=None,
            hold_reason=None,
            error_title=None,
            error_message=None,
        )
        summary.sent += 1

    def _launch(self, sale: Sale, deposit_id: int, summary: OutboxSummary) -> None:
        self._step = "launch"
        order_id = _order_id(sale)
        try:
            self.api.launch_stock(order_id, deposit_id)
            message = f"Estoque baixado no depósito {deposit_id} (pedido {order_id})."
            level = "info"
        except BlingApiError as exc:
            if not has_field_code(exc, ALREADY_LAUNCHED_CODES):
                raise
            # Already out: our earlier attempt got through without an answer, or the account
            # launched it by itself. Launching again would be refused anyway; adopt it.
            message = (
                f"O Bling informou que o estoque do pedido {order_id} já tinha sido lançado "
                "(tentativa anterior ou configuração da conta); nada foi baixado de novo."
            )
            level = "warning"
        update_sale(
            sale,
            message,
            level=level,
            stock_launched=True,
            stock_deposit_id=deposit_id,
            hold_reason=None,
        )
        summary.launched += 1

    def _reverse(self, sale: Sale) -> None:
        self._step = "reverse"
        order_id = _order_id(sale)
        try:
            self.api.reverse_stock(order_id)
            message = f"Estoque do pedido {order_id} estornado (depósito {sale.stock_deposit_id})."
            level = "info"
        except BlingApiError as exc:
            if not has_field_code(exc, frozenset({STOCK_NOT_LAUNCHED})):
                raise
            if sale.stock_launched:
                message = (
                    f"O Bling informou que o estoque do pedido {order_id} já estava estornado; "
                    "nada foi devolvido de novo."
                )
                level = "warning"
            else:
                message = f"O pedido {order_id} não tinha estoque lançado; nada a estornar."
                level = "info"
        update_sale(sale, message, level=level, stock_launched=False)

    def _hold_for_deposit(self, sale: Sale) -> None:
        reason = (
            f"A loja {sale.store_cnpj} não tem depósito definido: defina o depósito da loja "
            "(ponte-bling stores set) ou um depósito padrão para baixar o estoque."
        )
        if sale.hold_reason != reason:
            update_sale(sale, reason, level="warning", hold_reason=reason)

    def _apply_final_status(self, sale: Sale) -> None:
        wanted = get_setting(FINAL_STATUS)
        if wanted in (None, ""):
            return
        self._step = "status"
        status_id = self._status_id(str(wanted))
        if status_id is None:
            if wanted not in self._missing_status_told:  # said once per pass, not per sale
                self._missing_status_told.add(str(wanted))
                log_event(
                    "engine",
                    f"Situação final '{wanted}' não existe no Bling; os pedidos ficam com a "
                    "situação padrão. Revise a configuração final-status.",
                    level="warning",
                )
            return
        self.api.set_order_status(_order_id(sale), status_id)

    def _cancel(self, sale: Sale, summary: OutboxSummary) -> None:
        if sale.bling_order_id is None:
            # Never reached Bling (an `enviando` sale here was searched and not found).
            transition(
                sale,
                CANCELADA,
                "Venda cancelada no PDV antes de ir para o Bling; não será enviada.",
                cancel_done=True,
                next_attempt_at=None,
            )
            summary.cancelled += 1
            return
        # Reverse even when Ponte never recorded a launch: a launch whose answer was lost, or
        # the account's own launch on a status change, may have taken the stock out. Bling
        # answers "not launched" otherwise, which costs one request on a rare path.
        self._reverse(sale)
        self._step = "status"
        status_id = self._status_id(CANCELLED_STATUS_NAME)
        order_id = _order_id(sale)
        if status_id is None:
            note = (
                f" A situação '{CANCELLED_STATUS_NAME}' não existe no Bling: cancele o pedido "
                f"{order_id} à mão."
            )
        else:
            self.api.set_order_status(order_id, status_id)
            note = f" Pedido {order_id} marcado como {CANCELLED_STATUS_NAME}."
        transition(
            sale,
            CANCELADA,
            "Venda cancelada no PDV: estoque estornado." + note,
            level="info" if status_id is not None else "warning",
            cancel_done=True,
            next_attempt_at=None,
        )
        summary.cancelled += 1

    def _move(self, sale: Sale, summary: OutboxSummary) -> None:
        target = sale.deposit_override_id
        # Persist the intent (state pedido_criado, stock still marked out in the old deposit)
        # before any request: a crash resumes through _finish, which reverses then relaunches.
        transition(
            sale,
            PEDIDO_CRIADO,
            f"Mudando o estoque do depósito {sale.stock_deposit_id} para o {target}.",
        )
        self._finish(sale, summary)
        summary.moved += 1

    # --- lookups (cached in the store) ------------------------------------------------------

    def _target_deposit(self, sale: Sale) -> int | None:
        if sale.deposit_override_id is not None:
            return int(sale.deposit_override_id)
        return self.deposit_for(sale)

    def _contact_for(self, document: str | None, name: str | None) -> int:
        digits = "".join(ch for ch in (document or "") if ch.isdigit())
        row = Contact.get_or_none(Contact.document == digits)
        if row is not None:
            return int(row.contact_id)
        if not digits:
            consumer = self.api.final_consumer()
            contact_id, contact_name = consumer.id, consumer.name
        else:
            found = self.api.contacts_by_document(digits)
            if found:
                contact_id, contact_name = found[0].id, found[0].name
            else:
                contact_name = name or f"Cliente {digits}"
                contact_id = self.api.create_contact(contact_name, digits)
        Contact.insert(
            document=digits, contact_id=contact_id, name=contact_name
        ).on_conflict_replace().execute()
        return int(contact_id)

    def _status_id(self, wanted: str) -> int | None:
        if wanted.strip().isdigit():
            return int(wanted)
        key = _normalize(wanted)
        for _ in range(2):
            for row in OrderStatus.select():
                if _normalize(row.name) == key:
                    return int(row.id)
            if self._statuses_fetched:
                return None
            self._statuses_fetched = True
            statuses = self.api.sales_order_statuses()
            with database_proxy.atomic():
                for status in statuses:
                    OrderStatus.insert(
                        id=status.id, name=status.name, value=status.value
                    ).on_conflict_replace().execute()
        return None
