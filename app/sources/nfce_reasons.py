"""Why a file is not taken as a sale: the Portuguese reasons shown to the user and logged.

They are constants so intake, the UI and tests can recognise them. Some get a detail appended
after a colon (the SEFAZ message, the root element found...).
"""

from __future__ import annotations

REASON_EMPTY = "arquivo vazio"
REASON_TOO_LARGE = "arquivo grande demais para ser uma NFC-e"
REASON_BINARY = "arquivo binário, não é XML"
REASON_NOT_XML = "não é um arquivo XML"
REASON_MALFORMED = "XML malformado ou incompleto"
REASON_DTD = "XML com DTD/DOCTYPE (entidades) recusado por segurança"
REASON_TOO_DEEP = "XML aninhado demais, recusado por segurança"
REASON_UNREADABLE = "não foi possível ler o arquivo"
REASON_NOT_FOUND = "arquivo não encontrado"
REASON_NOT_A_FILE = "não é um arquivo"

REASON_NOT_FISCAL = "não é um documento fiscal (NF-e/NFC-e)"
REASON_WRONG_NAMESPACE = "namespace desconhecido, não é um documento da NF-e/NFC-e"
REASON_SAT = "CF-e SAT ainda não suportado"
REASON_VOIDED_RANGE = "inutilização de numeração, não é venda"
REASON_BATCH = "lote com várias notas; o Ponte lê uma nota por arquivo"
REASON_INVALID_DOCUMENT = "nota com campo ausente ou inválido"
REASON_UNKNOWN_MODEL = "modelo de documento não suportado"

REASON_HOMOLOGATION = "ambiente de homologação (nota de teste, sem valor fiscal)"
REASON_PURCHASE = "NF-e modelo 55 de outro emitente (compra, não venda)"
REASON_DENIED = "uso denegado pela SEFAZ"
REASON_SEFAZ_REJECTED = "nota não autorizada pela SEFAZ"
REASON_OLD_CANCELLATION = "nota cancelada (serviço antigo de cancelamento)"

REASON_EVENT_NOT_CANCELLATION = "evento que não é cancelamento"
REASON_EVENT_NOT_REGISTERED = "cancelamento não registrado pela SEFAZ"
REASON_EVENT_REQUEST_ONLY = "pedido de evento sem a resposta da SEFAZ (não comprova o cancelamento)"

# Decided by intake, which knows what was read before.
REASON_DUPLICATE = "chave de acesso já lida em outro arquivo"

REASON_INTERNAL = "erro interno ao ler o arquivo (detalhes no log)"

# The file itself could not be opened (as opposed to a file read and refused).
IO_REASONS = (REASON_NOT_FOUND, REASON_NOT_A_FILE, REASON_UNREADABLE)


def is_io_reason(reason: str | None) -> bool:
    """True when the reason says the file could not be opened at all."""
    return reason is not None and any(
        reason == base or reason.startswith(base + ":") for base in IO_REASONS
    )


def with_detail(reason: str, detail: str | None) -> str:
    """`reason: detail`, or the bare reason when there is no detail."""
    detail = (detail or "").strip()
    return f"{reason}: {detail}" if detail else reason
