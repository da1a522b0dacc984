"""The NFC-e XML reader: one file's bytes → a classified `ReadResult` (sale, cancellation or
rejected with a Portuguese reason). Never raises; see docs/nfce-reader.md.

Files are classified by their root element (nfce.md §1), matched by local name. Wrappers
(`enviNFe`, SOAP envelopes, web-service messages) are looked into for the document they carry.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path
from typing import Any

from app.sources.document import Authorization, DocumentKind, ReadResult, SaleDocument
from app.sources.nfce_events import embedded_cancellation, read_event_file
from app.sources.nfce_fields import (
    NFE_NAMESPACE,
    Children,
    FieldError,
    local_name,
    namespace_of,
    optional_timestamp,
    tag_local_name,
    text,
)
from app.sources.nfce_key import access_key_check_digit, is_valid_access_key
from app.sources.nfce_note import (
    WARNING_AWAITING_AUTHORIZATION,
    WARNING_CONTINGENCY_PENDING,
    build_document,
    read_note,
    read_protocol,
)
from app.sources.nfce_reasons import (
    REASON_BATCH,
    REASON_DENIED,
    REASON_DUPLICATE,
    REASON_HOMOLOGATION,
    REASON_INTERNAL,
    REASON_INVALID_DOCUMENT,
    REASON_NOT_A_FILE,
    REASON_NOT_FISCAL,
    REASON_NOT_FOUND,
    REASON_OLD_CANCELLATION,
    REASON_PURCHASE,
    REASON_SAT,
    REASON_SEFAZ_REJECTED,
    REASON_TOO_LARGE,
    REASON_UNKNOWN_MODEL,
    REASON_UNREADABLE,
    REASON_VOIDED_RANGE,
    REASON_WRONG_NAMESPACE,
    with_detail,
)
from app.sources.xml_safety import MAX_FILE_BYTES, XmlRejected, parse_xml

__all__ = [
    "MAX_FILE_BYTES",
    "REASON_DUPLICATE",
    "WARNING_AWAITING_AUTHORIZATION",
    "access_key_check_digit",
    "is_valid_access_key",
    "read_document",
    "read_path",
]

log = logging.getLogger(__name__)

NFCE_MODEL = 65
NFE_MODEL = 55
AUTHORIZED_STATUS = frozenset({100, 150})
DENIED_STATUS = frozenset({110, 205, 301, 302, 303})
OLD_CANCELLATION_STATUS = frozenset({101, 151})

_SALE_ROOTS = frozenset({"nfeProc", "NFe"})
_EVENT_ROOTS = frozenset({"procEventoNFe", "retEvento", "retEnvEvento", "envEvento", "evento"})
_VOIDED_ROOTS = frozenset({"procInutNFe", "retInutNFe", "inutNFe"})
_SAT_ROOTS = frozenset({"CFe", "CFeCanc"})
_DOCUMENT_ROOTS = _SALE_ROOTS | _EVENT_ROOTS | _VOIDED_ROOTS | _SAT_ROOTS
_ACCEPTED_NAMESPACES = frozenset({NFE_NAMESPACE, ""})
# Wrappers (SOAP, enviNFe, nfeDadosMsg...) are shallow; no need to look deeper.
_WRAPPER_SEARCH_DEPTH = 6


def _rejected(reason: str, **kwargs: Any) -> ReadResult:
    return ReadResult(kind=DocumentKind.REJECTED, reason=reason, **kwargs)


def read_document(data: bytes, *, own_cnpjs: frozenset[str] = frozenset()) -> ReadResult:
    """Classify and read one file's bytes. Never raises: failures become rejections."""
    try:
        root = parse_xml(data)
        if own_cnpjs:
            # "12.345.678/0001-90" and "12345678000190" name the same store.
            own_cnpjs = frozenset(
                "".join(ch for ch in c if ch.isalnum()).upper() for c in own_cnpjs
            )
        return _read_root(root, own_cnpjs)
    except XmlRejected as exc:
        log.info("XML rejected: %s %s", exc.reason, exc.details)
        return _rejected(exc.reason)
    except FieldError as exc:
        log.info("invalid document: %s", exc)
        return _rejected(with_detail(REASON_INVALID_DOCUMENT, str(exc)))
    except Exception:
        log.exception("unexpected error reading an XML document")
        return _rejected(REASON_INTERNAL)


def read_path(path: Path, *, own_cnpjs: frozenset[str] = frozenset()) -> ReadResult:
    """Read a file, checking its size before reading it. Never raises."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return _rejected(REASON_NOT_A_FILE)
        if info.st_size > MAX_FILE_BYTES:
            return _rejected(REASON_TOO_LARGE)
        with path.open("rb") as handle:
            # The file may have grown since stat(): never read past the cap.
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return _rejected(REASON_NOT_FOUND)
    except OSError as exc:
        log.info("cannot read %s: %s", path, exc)
        return _rejected(with_detail(REASON_UNREADABLE, exc.strerror))
    except Exception:
        log.exception("unexpected error opening %s", path)
        return _rejected(REASON_UNREADABLE)
    return read_document(data, own_cnpjs=own_cnpjs)


def _read_root(root: Any, own_cnpjs: frozenset[str]) -> ReadResult:
    name = local_name(root)
    if name in _DOCUMENT_ROOTS:
        return _read_fiscal(root, own_cnpjs)
    documents = _find_documents(root)
    if not documents:
        return _rejected(with_detail(REASON_NOT_FISCAL, f"raiz <{name}>"))
    notes = [d for d in documents if local_name(d) in _SALE_ROOTS]
    if len(notes) > 1:
        return _rejected(with_detail(REASON_BATCH, f"{len(notes)} notas em <{name}>"))
    return _read_fiscal(notes[0] if notes else documents[0], own_cnpjs)


def _find_documents(root: Any) -> list[Any]:
    """Fiscal documents carried by a wrapper, without descending into a document found."""
    found: list[Any] = []
    stack = [(child, 1) for child in reversed(root)]
    while stack:
        element, depth = stack.pop()
        if local_name(element) in _DOCUMENT_ROOTS:
            found.append(element)
        elif depth < _WRAPPER_SEARCH_DEPTH:
            stack.extend((child, depth + 1) for child in reversed(element))
    return found


def _read_fiscal(element: Any, own_cnpjs: frozenset[str]) -> ReadResult:
    name = local_name(element)
    if name in _SAT_ROOTS:
        return _rejected(REASON_SAT)
    if namespace_of(element) not in _ACCEPTED_NAMESPACES:
        return _rejected(with_detail(REASON_WRONG_NAMESPACE, namespace_of(element)[:100]))
    if name in _VOIDED_ROOTS:
        return _rejected(REASON_VOIDED_RANGE)
    if name in _EVENT_ROOTS:
        return read_event_file(element)
    if name == "nfeProc":
        return _read_nfe_proc(element, own_cnpjs)
    return _read_sale(element, {}, [], own_cnpjs)


def _read_nfe_proc(proc: Any, own_cnpjs: frozenset[str]) -> ReadResult:
    group: Children = {}
    extra: list[Any] = []
    for child in proc:
        name = tag_local_name(child.tag)
        if name in ("retEvento", "procEventoNFe"):
            extra.append(child)
        if name and name not in group:
            group[name] = child
    nfe = group.get("NFe")
    if nfe is None:
        return _rejected(with_detail(REASON_NOT_FISCAL, "nfeProc sem a NFe"))
    return _read_sale(nfe, group, extra, own_cnpjs)


def _portal_authorization(group: Children) -> tuple[Authorization, list[str]]:
    """The non-standard `nfeProc` with `dhInc`, `nProt`, `NFe` (a portal download): a protocol
    number without cStat. Taken as authorised when nothing contradicts it (nfce.md §1)."""
    protocol = text(group, "nProt")
    if protocol is None or not protocol.isdigit():
        return Authorization(status=None, protocol=protocol, authorized=False), [
            "Arquivo de portal sem número de protocolo válido: autorização não comprovada."
        ]
    authorization = Authorization(
        status=None,
        protocol=protocol,
        authorized=True,
        received_at=optional_timestamp(group, "dhInc"),
    )
    return authorization, [
        "Arquivo baixado de portal (dhInc/nProt, sem cStat): considerado autorizado pelo "
        "número de protocolo."
    ]


def _read_sale(
    nfe: Any, group: Children, extra: list[Any], own_cnpjs: frozenset[str]
) -> ReadResult:
    """Read a note; `group` holds its `nfeProc`'s children (empty for a bare `NFe`)."""
    if namespace_of(nfe) not in _ACCEPTED_NAMESPACES:
        return _rejected(with_detail(REASON_WRONG_NAMESPACE, namespace_of(nfe)[:100]))
    note = read_note(nfe)
    warnings: list[str] = []
    protocol_environment: int | None = None
    prot_nfe = group.get("protNFe")
    if prot_nfe is not None:
        authorization, protocol_environment, protocol_warnings = read_protocol(prot_nfe, note.key)
        warnings.extend(protocol_warnings)
    elif "nProt" in group or "dhInc" in group:
        authorization, portal_warnings = _portal_authorization(group)
        warnings.extend(portal_warnings)
    else:
        authorization = Authorization(status=None, protocol=None, authorized=False)
    cancellation, event_warnings = embedded_cancellation(extra, note.key)
    warnings.extend(event_warnings)
    if cancellation is not None and not authorization.authorized:
        warnings.append("Cancelamento registrado para uma nota sem autorização neste arquivo.")

    if note.model not in (NFCE_MODEL, NFE_MODEL):
        document = build_document(note, authorization, protocol_environment, cancellation, warnings)
        return _rejected(
            with_detail(REASON_UNKNOWN_MODEL, f"modelo {note.model}"),
            document=document,
            key=note.key,
            warnings=document.warnings,
        )
    own_nfe = note.model == NFE_MODEL and note.store_cnpj in own_cnpjs
    if own_nfe:
        warnings.append("NF-e modelo 55 emitida pela própria loja: lida como venda.")
    pending = not authorization.authorized and authorization.status in (None, 100, 150)
    if pending:
        warnings.append(
            WARNING_CONTINGENCY_PENDING
            if note.emission_mode == 9
            else WARNING_AWAITING_AUTHORIZATION
        )
    document = build_document(note, authorization, protocol_environment, cancellation, warnings)
    reason = _policy_rejection(document, own_nfe)
    if reason is not None:
        log.info("document %s rejected: %s", document.key, reason)
        return _rejected(reason, document=document, key=document.key, warnings=document.warnings)
    return ReadResult(
        kind=DocumentKind.SALE, document=document, key=document.key, warnings=document.warnings
    )


def _policy_rejection(document: SaleDocument, own_nfe: bool) -> str | None:
    """Why a readable note is not a sale for Ponte (None when it is one)."""
    if document.model == NFE_MODEL and not own_nfe:
        return REASON_PURCHASE
    if document.environment == 2:
        return REASON_HOMOLOGATION
    status = document.authorization.status
    if status is None or status in AUTHORIZED_STATUS:
        return None
    detail = f"cStat {status}"
    if document.authorization.message:
        detail += f" – {document.authorization.message}"
    if status in DENIED_STATUS:
        return with_detail(REASON_DENIED, detail)
    if status in OLD_CANCELLATION_STATUS:
        return with_detail(REASON_OLD_CANCELLATION, detail)
    return with_detail(REASON_SEFAZ_REJECTED, detail)
