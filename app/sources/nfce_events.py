"""Cancellation events (nfce.md §4): 110111 and 110112 (by substitution), effective only when
SEFAZ's `retEvento` says cStat 135 or 155. Read from `procEventoNFe`, a bare `retEvento` or
`retEnvEvento`, or a `retEvento`/`procEventoNFe` embedded in an `nfeProc`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.sources.document import CancellationInfo, DocumentKind, ReadResult
from app.sources.nfce_fields import (
    Fields,
    children,
    children_named,
    fields,
    first_child,
    local_name,
    optional_int_field,
    timestamp_field,
)
from app.sources.nfce_key import is_valid_access_key, is_well_formed_access_key
from app.sources.nfce_reasons import (
    REASON_BATCH,
    REASON_EVENT_NOT_CANCELLATION,
    REASON_EVENT_NOT_REGISTERED,
    REASON_EVENT_REQUEST_ONLY,
    REASON_HOMOLOGATION,
    REASON_INVALID_DOCUMENT,
    with_detail,
)

log = logging.getLogger(__name__)

CANCELLATION = 110111
CANCELLATION_BY_SUBSTITUTION = 110112
CANCELLATION_EVENTS = frozenset({CANCELLATION, CANCELLATION_BY_SUBSTITUTION})
EFFECTIVE_EVENT_STATUS = frozenset({135, 155})


@dataclass(frozen=True)
class EventRequest:
    """The `evento` the emitter signed (what it asked for)."""

    key: str | None
    event_type: int | None
    environment: int | None
    justification: str | None
    substitute_key: str | None
    requested_at: datetime | None


@dataclass(frozen=True)
class EventAnswer:
    """SEFAZ's `retEvento` (what was registered)."""

    key: str | None
    event_type: int | None
    environment: int | None
    status: int | None
    message: str | None
    protocol: str | None
    registered_at: datetime | None


def _info_element(element: Any) -> Any:
    """The `infEvento` of an evento/retEvento (or the element itself if it has none)."""
    inner = first_child(element, "infEvento")
    return inner if inner is not None else element


def read_request(evento: Any) -> EventRequest:
    info_element = _info_element(evento)
    info = fields(info_element)
    detail_element = first_child(info_element, "detEvento") if "detEvento" in info else None
    detail: Fields = fields(detail_element) if detail_element is not None else {}
    return EventRequest(
        key=info.get("chNFe") or None,
        event_type=optional_int_field(info, "tpEvento", "evento/infEvento"),
        environment=optional_int_field(info, "tpAmb", "evento/infEvento"),
        justification=detail.get("xJust") or None,
        substitute_key=detail.get("chNFeRef") or None,
        requested_at=timestamp_field(info, "dhEvento"),
    )


def read_answer(ret_evento: Any) -> EventAnswer:
    info = fields(_info_element(ret_evento))
    return EventAnswer(
        key=info.get("chNFe") or None,
        event_type=optional_int_field(info, "tpEvento", "retEvento/infEvento"),
        environment=optional_int_field(info, "tpAmb", "retEvento/infEvento"),
        status=optional_int_field(info, "cStat", "retEvento/infEvento"),
        message=info.get("xMotivo") or None,
        protocol=info.get("nProt") or None,
        registered_at=timestamp_field(info, "dhRegEvento"),
    )


def _cancellation(answer: EventAnswer, request: EventRequest | None) -> CancellationInfo:
    key = answer.key or (request.key if request else None) or ""
    event_type = answer.event_type or (request.event_type if request else None) or 0
    reason = (request.justification if request else None) or answer.message or ""
    return CancellationInfo(
        key=key,
        event_type=event_type,
        protocol=answer.protocol,
        registered_at=answer.registered_at,
        reason=reason,
        substitute_key=request.substitute_key if request else None,
    )


def _problem(answer: EventAnswer, request: EventRequest | None) -> str | None:
    """Why this pair does not prove a cancellation (None when it does)."""
    event_type = answer.event_type or (request.event_type if request else None)
    if event_type not in CANCELLATION_EVENTS:
        return with_detail(REASON_EVENT_NOT_CANCELLATION, f"tpEvento {event_type}")
    if answer.status not in EFFECTIVE_EVENT_STATUS:
        detail = f"cStat {answer.status}"
        if answer.message:
            detail += f" – {answer.message}"
        return with_detail(REASON_EVENT_NOT_REGISTERED, detail)
    if request is not None and request.key and answer.key and request.key != answer.key:
        return with_detail(REASON_EVENT_NOT_REGISTERED, "a resposta da SEFAZ é de outra chave")
    if (
        request is not None
        and request.event_type
        and answer.event_type
        and request.event_type != answer.event_type
    ):
        return with_detail(REASON_EVENT_NOT_REGISTERED, "a resposta da SEFAZ é de outro evento")
    key = answer.key or (request.key if request else None)
    if not key or not is_well_formed_access_key(key):
        return with_detail(REASON_INVALID_DOCUMENT, "chave do evento ausente ou malformada")
    return None


def embedded_cancellation(
    wrapper_children: list[Any], note_key: str
) -> tuple[CancellationInfo | None, list[str]]:
    """A registered cancellation carried inside an nfeProc, with warnings about ignored events."""
    warnings: list[str] = []
    for element in wrapper_children:
        name = local_name(element)
        request: EventRequest | None = None
        if name == "retEvento":
            answer = read_answer(element)
        elif name == "procEventoNFe":
            group = children(element)
            ret = group.get("retEvento")
            if ret is None:
                warnings.append("Evento embutido sem resposta da SEFAZ foi ignorado.")
                continue
            answer = read_answer(ret)
            evento = group.get("evento")
            request = read_request(evento) if evento is not None else None
        else:
            continue
        problem = _problem(answer, request)
        if problem is not None:
            warnings.append(f"Evento embutido ignorado: {problem}.")
            continue
        info = _cancellation(answer, request)
        if info.key != note_key:
            warnings.append(f"Cancelamento embutido é de outra chave ({info.key}) e foi ignorado.")
            continue
        return info, warnings
    return None, warnings


def read_event_file(root: Any) -> ReadResult:
    """Classify an event file: procEventoNFe, retEvento, retEnvEvento, envEvento or evento."""
    name = local_name(root)
    group = children(root)
    request: EventRequest | None = None
    answers: list[Any]
    if name == "procEventoNFe":
        evento = group.get("evento")
        request = read_request(evento) if evento is not None else None
        answers = children_named(root, "retEvento")
    elif name == "retEvento":
        answers = [root]
    elif name == "retEnvEvento":
        answers = children_named(root, "retEvento")
    elif name in ("envEvento", "evento"):
        eventos = [root] if name == "evento" else children_named(root, "evento")
        request = read_request(eventos[0]) if eventos else None
        answers = []
    else:  # pragma: no cover - the caller dispatches only the names above
        raise ValueError(name)

    if len(answers) > 1:
        return ReadResult(kind=DocumentKind.REJECTED, reason=REASON_BATCH)
    if not answers:
        key = request.key if request else None
        return ReadResult(kind=DocumentKind.REJECTED, reason=REASON_EVENT_REQUEST_ONLY, key=key)

    answer = read_answer(answers[0])
    key = answer.key or (request.key if request else None)
    problem = _problem(answer, request)
    if problem is not None:
        log.info("event not taken (%s): %s", key, problem)
        return ReadResult(kind=DocumentKind.REJECTED, reason=problem, key=key)

    info = _cancellation(answer, request)
    warnings: list[str] = []
    if not is_valid_access_key(info.key):
        warnings.append("Dígito verificador da chave cancelada não confere.")
    if info.event_type == CANCELLATION_BY_SUBSTITUTION and not info.substitute_key:
        warnings.append("Cancelamento por substituição sem a chave da nota substituta (chNFeRef).")
    environments = {answer.environment, request.environment if request else None}
    if 2 in environments:
        return ReadResult(
            kind=DocumentKind.REJECTED,
            reason=REASON_HOMOLOGATION,
            cancellation=info,
            key=info.key,
            warnings=tuple(warnings),
        )
    return ReadResult(
        kind=DocumentKind.CANCELLATION,
        cancellation=info,
        key=info.key,
        warnings=tuple(warnings),
    )
