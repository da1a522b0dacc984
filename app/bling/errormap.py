"""Bling error bodies → typed errors with a Portuguese title and an actionable message.

This is the one boundary where Bling's answers become `app.bling.errors` types (maestral's
`errorhandling.py` style). Bling's own `type`, `message`, `description` and `fields` travel
along on the error for the log and the sync log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.bling import codes
from app.bling.errors import (
    BlingApiError,
    BlingError,
    BlingForbiddenError,
    BlingNotFoundError,
    BlingValidationError,
    FieldError,
)


def parse_fields(raw: Any) -> tuple[FieldError, ...]:
    """Bling's `fields` (or a `collection`) as FieldError values; junk entries are skipped."""
    if not isinstance(raw, list):
        return ()
    result: list[FieldError] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        result.append(
            FieldError(
                code=_int_or_none(item.get("code")),
                msg=str(item.get("msg") or ""),
                element=_str_or_none(item.get("element")),
                namespace=_str_or_none(item.get("namespace")),
                index=_int_or_none(item.get("index")),
                collection=parse_fields(item.get("collection")),
            )
        )
    return tuple(result)


def flatten(fields: Iterable[FieldError]) -> list[FieldError]:
    """Every field error, collections included (depth first)."""
    out: list[FieldError] = []
    for item in fields:
        out.append(item)
        out.extend(flatten(item.collection))
    return out


# (element, code) → what a store manager should do. Element alone (code None) as fallback.
_ACTIONABLE: dict[tuple[str | None, int | None], str] = {
    ("formaPagamento", codes.INVALID_PAYMENT_FORM): (
        "A forma de pagamento configurada não existe mais no Bling. Revise o DE-PARA de pagamentos."
    ),
    ("formaPagamento", None): (
        "O Bling recusou a forma de pagamento da venda. Revise o DE-PARA de pagamentos."
    ),
    ("produto", None): (
        "Um produto da venda não existe mais no Bling ou está inativo. "
        "Atualize o catálogo e revise o vínculo do produto."
    ),
    ("contato", None): (
        "O cliente (contato) da venda não foi aceito pelo Bling. "
        "Verifique o cadastro do contato no Bling."
    ),
    ("deposito", None): (
        "O depósito configurado para a loja não existe mais no Bling. "
        "Revise a associação loja → depósito."
    ),
    (None, codes.STOCK_ALREADY_LAUNCHED): "O estoque deste pedido já foi lançado no Bling.",
    (None, codes.STOCK_ALREADY_LAUNCHED_ALT): "O estoque deste pedido já foi lançado no Bling.",
    (None, codes.STOCK_NOT_LAUNCHED): "O estoque deste pedido não estava lançado no Bling.",
}


def actionable_message(fields: Iterable[FieldError]) -> str | None:
    """The first message a store manager can act on, from the innermost matching field."""
    items = flatten(fields)
    for item in reversed(items):  # innermost (collection) entries are the most specific
        for key in ((item.element, item.code), (item.element, None), (None, item.code)):
            if key in _ACTIONABLE:
                return _ACTIONABLE[key]
    return None


def describe_fields(fields: Iterable[FieldError]) -> str:
    """Bling's own field messages, innermost first, as one Portuguese sentence."""
    messages: list[str] = []
    for item in flatten(fields):
        if item.collection:
            continue  # the summary line ("uma ou mais parcelas...") adds nothing
        text = item.msg.strip().rstrip(".")
        if item.index is not None and item.element:
            text = f"{text} ({item.element} nº {item.index})"
        if text and text not in messages:
            messages.append(text)
    return "; ".join(messages)


def api_error(status: int, body: Any, *, method: str, path: str) -> BlingError:
    """The typed error for a 4xx answer other than 401/429 (body already parsed, may be junk)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    error_type = str(error.get("type") or "")
    bling_message = str(error.get("message") or "")
    description = str(error.get("description") or "")
    fields = parse_fields(error.get("fields"))
    details = f"{method} {path} → {status} {error_type}: {bling_message} | {description} | {fields}"
    own_words = describe_fields(fields) or description or bling_message

    if status == 404:
        return BlingNotFoundError(
            "O registro procurado não existe (mais) no Bling."
            + (f" Resposta do Bling: {description or bling_message}." if own_words else ""),
            status=status,
            error_type=error_type,
            bling_message=bling_message,
            description=description,
            fields=fields,
            details=details,
        )
    if status == 403:
        return BlingForbiddenError(
            "O aplicativo do Bling não tem permissão para esta operação. No Bling, confira os "
            "escopos do aplicativo (Central de Extensões → Área do Integrador) e conecte de novo.",
            status=status,
            error_type=error_type,
            bling_message=bling_message,
            description=description,
            fields=fields,
            details=details,
        )
    advice = actionable_message(fields)
    if advice:
        message = advice + (f" (Bling: {own_words}.)" if own_words else "")
    elif own_words:
        message = f"O Bling recusou os dados: {own_words}."
    else:
        message = f"O Bling recusou a requisição (HTTP {status})."
    cls: type[BlingApiError] = BlingValidationError if status in (400, 422) else BlingApiError
    return cls(
        message,
        status=status,
        error_type=error_type,
        bling_message=bling_message,
        description=description,
        fields=fields,
        details=details,
    )


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
