"""`ponte-bling inspect FILE... [--json]`: what Ponte reads from NFC-e XML files.

Exit code: 0 when every file could be opened and read (even if it was rejected, e.g. a test
note or a malformed XML); 1 when some file is missing, a directory or unreadable.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from app.commands.context import CliContext
from app.sources.document import CancellationInfo, DocumentKind, ReadResult, SaleDocument
from app.sources.nfce import read_path
from app.sources.nfce_reasons import is_io_reason
from app.sync.tenders import BRAND_NAMES, TENDER_NAMES
from app.timeutil import format_br_datetime, format_brl

_CENT = Decimal("0.01")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="mostra o que o Ponte lê de arquivos XML de NFC-e",
        description=(
            "Lê arquivos XML de NFC-e e mostra o que o Ponte entende de cada um: chave, itens, "
            "pagamentos, totais, situação e avisos. Não grava nada e não acessa a rede."
        ),
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="ARQUIVO", help="arquivo XML")
    parser.add_argument(
        "--json", action="store_true", help="uma linha JSON por arquivo (para scripts)"
    )
    parser.add_argument(
        "--cnpj-proprio",
        action="append",
        default=[],
        metavar="CNPJ",
        dest="own_cnpjs",
        help="CNPJ da própria loja: NF-e modelo 55 dele é lida como venda (pode repetir)",
    )
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace, ctx: CliContext) -> int:
    own = frozenset("".join(ch for ch in c if ch.isalnum()).upper() for c in args.own_cnpjs)
    out: TextIO = sys.stdout
    unreadable = False
    for index, path in enumerate(args.files):
        result = read_path(path, own_cnpjs=own)
        if result.kind == DocumentKind.REJECTED and is_io_reason(result.reason):
            unreadable = True
        if args.json:
            out.write(json.dumps(result_to_json(path, result), ensure_ascii=False) + "\n")
        else:
            if index:
                out.write("\n")
            out.write(format_result(path, result))
    out.flush()
    return 1 if unreadable else 0


# ---- JSON -----------------------------------------------------------------------------------


def money(value: Decimal) -> str:
    """Two decimals ("10" → "10.00", "17.9800000000" → "17.98"); a unit price with more
    significant digits keeps them ("9.9011111"): money is never rounded away."""
    if not value.is_finite():
        return str(value)
    cents = value.quantize(_CENT)
    return format(cents if cents == value else value.normalize(), "f")


def exact(value: Decimal) -> str:
    """The decimal as written in the XML, without exponent notation."""
    return format(value, "f")


def _cancellation_json(info: CancellationInfo) -> dict[str, Any]:
    return {
        "key": info.key,
        "event_type": info.event_type,
        "protocol": info.protocol,
        "registered_at": info.registered_at.isoformat() if info.registered_at else None,
        "reason": info.reason,
        "substitute_key": info.substitute_key,
    }


def _document_json(doc: SaleDocument) -> dict[str, Any]:
    return {
        "key": doc.key,
        "key_valid": doc.key_valid,
        "model": doc.model,
        "environment": doc.environment,
        "emission_mode": doc.emission_mode,
        "contingency": doc.contingency,
        "number": doc.number,
        "series": doc.series,
        "issued_at": doc.issued_at.isoformat(),
        "store_cnpj": doc.store_cnpj,
        "store_name": doc.store_name,
        "customer_document": doc.customer_document,
        "customer_name": doc.customer_name,
        "products": money(doc.totals.products),
        "discount": money(doc.totals.discount),
        "other": money(doc.totals.other),
        "total": money(doc.totals.total),
        "change": money(doc.change),
        "items": [
            {
                "line": item.line,
                "code": item.code,
                "gtin": item.gtin,
                "description": item.description,
                "unit": item.unit,
                "quantity": exact(item.quantity),
                "unit_price": money(item.unit_price),
                "total": money(item.total),
                "discount": money(item.discount),
                "other": money(item.other),
                "counts_in_total": item.counts_in_total,
            }
            for item in doc.items
        ],
        "payments": [
            {
                "type": payment.type,
                "description": payment.description,
                "amount": money(payment.amount),
                "card_brand": payment.card_brand,
                "authorization_code": payment.authorization_code,
                "integration_type": payment.integration_type,
                "acquirer_cnpj": payment.acquirer_cnpj,
            }
            for payment in doc.payments
        ],
        "authorized": doc.authorization.authorized,
        "authorization_status": doc.authorization.status,
        "protocol": doc.authorization.protocol,
        "counts_as_sale": doc.counts_as_sale,
        "additional_info": doc.additional_info,
        "layout_version": doc.layout_version,
        "cancelled": doc.cancellation is not None,
        "cancellation": _cancellation_json(doc.cancellation) if doc.cancellation else None,
    }


_EMPTY_DOCUMENT: dict[str, Any] = {
    "key_valid": None,
    "model": None,
    "environment": None,
    "emission_mode": None,
    "contingency": None,
    "number": None,
    "series": None,
    "issued_at": None,
    "store_cnpj": None,
    "store_name": None,
    "customer_document": None,
    "customer_name": None,
    "products": None,
    "discount": None,
    "other": None,
    "total": None,
    "change": None,
    "items": [],
    "payments": [],
    "authorized": False,
    "authorization_status": None,
    "protocol": None,
    "counts_as_sale": False,
    "additional_info": None,
    "layout_version": None,
    "cancelled": False,
    "cancellation": None,
}


def result_to_json(path: Path, result: ReadResult) -> dict[str, Any]:
    """One `inspect --json` line: every field always present (null when unknown)."""
    data: dict[str, Any] = {
        "file": str(path),
        "kind": str(result.kind),
        "reason": result.reason,
        "key": result.key,
    }
    if result.document is not None:
        data.update(_document_json(result.document))
    else:
        data.update(_EMPTY_DOCUMENT)
    cancellation = result.cancellation
    data["cancels_key"] = cancellation.key if cancellation else None
    if cancellation is not None and data["cancellation"] is None:
        data["cancellation"] = _cancellation_json(cancellation)
    data["warnings"] = list(result.warnings)
    return data


# ---- human output ---------------------------------------------------------------------------


def _format_document_id(value: str | None) -> str:
    if value is None:
        return "não identificado"
    if len(value) == 11 and value.isdigit():
        return f"CPF {value[:3]}.{value[3:6]}.{value[6:9]}-{value[9:]}"
    if len(value) == 14:
        return f"CNPJ {value[:2]}.{value[2:5]}.{value[5:8]}/{value[8:12]}-{value[12:]}"
    return value


def _format_key(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _quantity(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else exact(value)
    return text.replace(".", ",")


def _status_line(result: ReadResult) -> str:
    doc = result.document
    if result.kind == DocumentKind.REJECTED:
        return f"REJEITADO: {result.reason}"
    if result.kind == DocumentKind.CANCELLATION:
        return "CANCELAMENTO registrado pela SEFAZ"
    assert doc is not None
    if doc.cancellation is not None:
        return "VENDA CANCELADA (o cancelamento está no próprio arquivo)"
    if doc.authorization.authorized:
        protocol = doc.authorization.protocol or "sem número"
        return f"VENDA autorizada pela SEFAZ (protocolo {protocol})"
    if doc.contingency:
        return "VENDA em contingência offline (conta como venda; autorização pendente)"
    return "VENDA aguardando autorização da SEFAZ (ainda não conta)"


def _document_lines(doc: SaleDocument) -> list[str]:
    model = "NFC-e" if doc.model == 65 else f"NF-e modelo {doc.model}"
    environment = "produção" if doc.environment == 1 else "HOMOLOGAÇÃO (teste)"
    key_note = "" if doc.key_valid else "  (dígito verificador NÃO confere)"
    lines = [
        f"  Chave:       {_format_key(doc.key)}{key_note}",
        f"  Documento:   {model} nº {doc.number}, série {doc.series}, ambiente {environment}",
        f"  Emissão:     {format_br_datetime(doc.issued_at)} (horário de Brasília; "
        f"no XML {doc.issued_at.isoformat()})",
        f"  Loja:        {doc.store_name} ({_format_document_id(doc.store_cnpj)})",
        f"  Consumidor:  {_format_document_id(doc.customer_document)}"
        + (f" – {doc.customer_name}" if doc.customer_name else ""),
        f"  Itens ({len(doc.items)}):",
    ]
    for item in doc.items:
        gtin = f" GTIN {item.gtin}" if item.gtin else ""
        line = (
            f"    {item.line:>3}. [{item.code}]{gtin} {item.description}: "
            f"{_quantity(item.quantity)} {item.unit} × {format_brl(item.unit_price)} "
            f"= {format_brl(item.total)}"
        )
        if item.discount:
            line += f", desconto {format_brl(item.discount)}"
        if item.other:
            line += f", outros {format_brl(item.other)}"
        if not item.counts_in_total:
            line += " (não soma no total)"
        lines.append(line)
    lines.append(f"  Pagamentos ({len(doc.payments)}):")
    for payment in doc.payments:
        name = payment.description or TENDER_NAMES.get(payment.type, "código desconhecido")
        line = f"    {payment.type} {name}: {format_brl(payment.amount)}"
        if payment.card_brand:
            brand = BRAND_NAMES.get(payment.card_brand, "desconhecida")
            line += f", bandeira {payment.card_brand} {brand}"
        if payment.authorization_code:
            line += f", autorização {payment.authorization_code}"
        if payment.integration_type == 1:
            line += ", TEF/integrado"
        elif payment.integration_type == 2:
            line += ", maquininha não integrada"
        lines.append(line)
    totals = doc.totals
    lines.append(f"  Troco:       {format_brl(doc.change)}")
    lines.append(
        f"  Totais:      produtos {format_brl(totals.products)}, descontos "
        f"{format_brl(totals.discount)}, outros {format_brl(totals.other)}, "
        f"TOTAL {format_brl(totals.total)}"
    )
    if doc.cancellation is not None:
        lines.extend(_cancellation_lines(doc.cancellation))
    if doc.additional_info:
        info = " ".join(doc.additional_info.split())
        lines.append(f"  Inf. adic.:  {info[:200]}{'…' if len(info) > 200 else ''}")
    return lines


def _cancellation_lines(info: CancellationInfo) -> list[str]:
    kind = "por substituição (110112)" if info.event_type == 110112 else "(110111)"
    lines = [f"  Cancelamento {kind} da chave {_format_key(info.key)}"]
    if info.registered_at:
        lines.append(f"    registrado em {format_br_datetime(info.registered_at)}")
    if info.protocol:
        lines.append(f"    protocolo {info.protocol}")
    if info.reason:
        lines.append(f"    motivo: {info.reason}")
    if info.substitute_key:
        lines.append(f"    nota substituta: {_format_key(info.substitute_key)}")
    return lines


def format_result(path: Path, result: ReadResult) -> str:
    """The human (Portuguese) description of one file."""
    lines = [f"Arquivo: {path}", f"  Situação:    {_status_line(result)}"]
    if result.document is not None:
        lines.extend(_document_lines(result.document))
    elif result.cancellation is not None:
        lines.extend(_cancellation_lines(result.cancellation))
    elif result.key:
        lines.append(f"  Chave:       {_format_key(result.key)}")
    if result.warnings:
        lines.append("  Avisos:")
        lines.extend(f"    - {warning}" for warning in result.warnings)
    return "\n".join(lines) + "\n"
