"""A sale's state machine (design §4): every transition is committed, with its log event,
before anything that depends on it happens.

Updates touch only the columns they change and check the state they start from
(compare-and-set), so a concurrent `ponte-bling sales ignore` or a UI action is never silently
overwritten by the engine.
"""

from __future__ import annotations

from typing import Any

from app.errors import PonteError
from app.store.events import log_event
from app.store.models import Deposit, Sale, database_proxy
from app.timeutil import utcnow

NOVA = "nova"
PRONTA = "pronta"
ENVIANDO = "enviando"
PEDIDO_CRIADO = "pedido_criado"
ENVIADA = "enviada"
RETIDA = "retida"
ERRO = "erro"
CANCELADA = "cancelada"
IGNORADA = "ignorada"

STATE_LABELS = {
    NOVA: "nova",
    PRONTA: "pronta para envio",
    ENVIANDO: "enviando",
    PEDIDO_CRIADO: "pedido criado",
    ENVIADA: "enviada",
    RETIDA: "retida",
    ERRO: "erro",
    CANCELADA: "cancelada",
    IGNORADA: "ignorada",
}

# Which state may follow which. Self-transitions record a change of bookkeeping (attempts,
# hold reason...) without changing the state.
ALLOWED: dict[str, frozenset[str]] = {
    NOVA: frozenset({PRONTA, RETIDA, ERRO, CANCELADA, IGNORADA}),
    PRONTA: frozenset({ENVIANDO, PEDIDO_CRIADO, NOVA, RETIDA, ERRO, CANCELADA, IGNORADA}),
    ENVIANDO: frozenset({PEDIDO_CRIADO, ERRO, CANCELADA}),
    PEDIDO_CRIADO: frozenset({ENVIADA, ERRO, CANCELADA}),
    ENVIADA: frozenset({PEDIDO_CRIADO, ERRO, CANCELADA}),
    RETIDA: frozenset({PRONTA, NOVA, ERRO, CANCELADA, IGNORADA}),
    ERRO: frozenset({NOVA, PEDIDO_CRIADO, CANCELADA, IGNORADA}),
    CANCELADA: frozenset(),
    IGNORADA: frozenset({CANCELADA}),
}

# States in which Bling may hold an order for the sale: never sent again blindly, never
# ignored by hand.
IN_BLING = frozenset({ENVIANDO, PEDIDO_CRIADO, ENVIADA})


class TransitionError(RuntimeError):
    """A transition the state machine does not allow (a bug, not a user error)."""


class StaleSaleError(RuntimeError):
    """The sale changed under us (another process moved it); reload and decide again."""


def update_sale(
    sale: Sale,
    message: str | None = None,
    *,
    level: str = "info",
    details: str = "",
    **fields: Any,
) -> None:
    """Commit bookkeeping columns of a sale without changing its state (compare-and-set),
    with an optional log event in the same transaction."""
    fields["updated_at"] = utcnow()
    with database_proxy.atomic():
        changed = (
            Sale.update(**fields)
            .where((Sale.key == sale.key) & (Sale.state == sale.state))
            .execute()
        )
        if changed != 1:
            raise StaleSaleError(sale.key)
        if message is not None:
            log_event("sale", message, level=level, sale_key=sale.key, details=details)
    for name, value in fields.items():
        setattr(sale, name, value)


def transition(
    sale: Sale,
    new_state: str,
    message: str,
    *,
    level: str = "info",
    details: str = "",
    **fields: Any,
) -> None:
    """Move sale to new_state with its log event, both in one committed transaction."""
    old_state = sale.state
    if new_state != old_state and new_state not in ALLOWED[old_state]:
        raise TransitionError(f"{sale.key}: {old_state} -> {new_state}")
    fields["state"] = new_state
    fields["updated_at"] = utcnow()
    with database_proxy.atomic():
        changed = (
            Sale.update(**fields)
            .where((Sale.key == sale.key) & (Sale.state == old_state))
            .execute()
        )
        if changed != 1:
            raise StaleSaleError(sale.key)
        log_event("sale", message, level=level, sale_key=sale.key, details=details)
    for name, value in fields.items():
        setattr(sale, name, value)


# --- what the user may do to a sale (command line and desktop app) ------------------------


class SaleActionError(PonteError):
    """A sale action the sale's state does not allow, or an unknown sale."""

    title = "Ação não permitida"


def find_sale(key: str) -> Sale:
    """The sale with this access key (or a unique ending of it, at least 6 digits)."""
    digits = "".join(ch for ch in key if ch.isdigit())
    sale = Sale.get_or_none(Sale.key == digits)
    if sale is not None:
        return sale
    if len(digits) >= 6:
        matches = list(Sale.select().where(Sale.key.endswith(digits)).limit(2))
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise SaleActionError(
                f"Mais de uma venda termina em {digits}; informe a chave de acesso completa.",
                title="Venda ambígua",
            )
    raise SaleActionError(
        f"Nenhuma venda com a chave {key}. Veja as chaves com: ponte-bling sales list",
        title="Venda não encontrada",
    )


def _changed_meanwhile() -> SaleActionError:
    return SaleActionError(
        "A venda acabou de mudar de situação (o envio está em andamento). Tente de novo em "
        "alguns segundos.",
        title="Venda em processamento",
    )


def retry_sale(key: str) -> Sale:
    """Send again a sale Bling refused (erro), re-resolve a held one, or drop a wait."""
    try:
        return _retry(find_sale(key))
    except StaleSaleError:
        raise _changed_meanwhile() from None


def _retry(sale: Sale) -> Sale:
    if sale.state == ERRO:
        if sale.bling_order_id is not None:
            target, what = PEDIDO_CRIADO, f"retomando o pedido {sale.bling_order_id}"
        else:
            target, what = NOVA, "a venda será conferida e enviada de novo"
        transition(
            sale,
            target,
            f"Nova tentativa pedida pelo usuário: {what}.",
            error_title=None,
            error_message=None,
            attempts=0,
            next_attempt_at=None,
        )
    elif sale.state == RETIDA:
        transition(sale, NOVA, "Nova conferência pedida pelo usuário.", next_attempt_at=None)
    elif sale.state in (PRONTA, ENVIANDO, PEDIDO_CRIADO) and sale.next_attempt_at is not None:
        update_sale(
            sale, "Nova tentativa antecipada pelo usuário.", attempts=0, next_attempt_at=None
        )
    else:
        raise SaleActionError(
            f"A venda está '{STATE_LABELS.get(sale.state, sale.state)}': não há o que tentar "
            "de novo."
        )
    return sale


def ignore_sale(key: str) -> Sale:
    """Never send this sale (it has not reached Bling)."""
    try:
        return _ignore(find_sale(key))
    except StaleSaleError:
        raise _changed_meanwhile() from None


def _ignore(sale: Sale) -> Sale:
    if sale.state in IN_BLING or sale.bling_order_id is not None:
        raise SaleActionError(
            "A venda já foi enviada ao Bling (ou pode ter sido); ela não pode ser ignorada. "
            "Para desfazê-la, cancele a nota no PDV."
        )
    if sale.state not in ALLOWED or IGNORADA not in ALLOWED[sale.state]:
        raise SaleActionError(
            f"A venda está '{STATE_LABELS.get(sale.state, sale.state)}' e não pode ser ignorada."
        )
    transition(sale, IGNORADA, "Venda ignorada pelo usuário: não será enviada ao Bling.")
    return sale


def move_sale(key: str, deposit_id: int) -> Sale:
    """Take this sale's stock from another deposit. A sent sale is moved by the engine
    (reverse, then launch in the new deposit); an unsent one just leaves from there."""
    try:
        return _move(find_sale(key), deposit_id)
    except StaleSaleError:
        raise _changed_meanwhile() from None


def _move(sale: Sale, deposit_id: int) -> Sale:
    if sale.state in (CANCELADA, IGNORADA):
        raise SaleActionError(
            f"A venda está '{STATE_LABELS[sale.state]}': não há estoque a mudar de depósito."
        )
    if Deposit.select().exists() and Deposit.get_or_none(Deposit.id == deposit_id) is None:
        raise SaleActionError(
            f"O depósito {deposit_id} não existe no Bling (ou o catálogo não foi atualizado). "
            "Veja os depósitos com: ponte-bling stores list",
            title="Depósito desconhecido",
        )
    if sale.deposit_override_id == deposit_id:
        return sale
    if sale.stock_launched and sale.stock_deposit_id != deposit_id:
        message = (
            f"Depósito da venda alterado para {deposit_id}: o estoque será estornado do "
            f"depósito {sale.stock_deposit_id} e lançado no {deposit_id} no próximo ciclo."
        )
    else:
        message = f"Depósito da venda alterado para {deposit_id}."
    update_sale(sale, message, deposit_override_id=deposit_id, next_attempt_at=None)
    return sale
