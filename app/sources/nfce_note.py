"""One NF-e/NFC-e note (`NFe/infNFe`) read into a `SaleDocument`, with its consistency warnings.

Layout 4.00 fully; 3.10 where the fields exist (one `pag` per tender, no `detPag`, no `vTroco`);
2.00 `dEmi`. Unknown groups (IBS/CBS, infRespTec...) are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.sources.document import (
    Authorization,
    CancellationInfo,
    Item,
    Payment,
    SaleDocument,
    Totals,
)
from app.sources.nfce_fields import (
    FieldError,
    Fields,
    decimal_field,
    field,
    fields,
    first_child,
    int_field,
    optional_int_field,
    parse_date_only,
    parse_timestamp,
    tag_local_name,
    timestamp_field,
    two_digit_code,
)
from app.sources.nfce_key import (
    access_key_check_digit,
    is_well_formed_access_key,
    split_access_key,
)
from app.timeutil import format_brl

_ZERO = Decimal("0")
NO_GTIN = "SEM GTIN"
NO_PAYMENT = "90"

WARNING_AWAITING_AUTHORIZATION = "aguardando autorização da SEFAZ"
WARNING_CONTINGENCY_PENDING = (
    "emitida em contingência offline: conta como venda; a autorização da SEFAZ virá depois"
)


@dataclass(frozen=True)
class ParsedNote:
    """What was read from the note before the authorisation is attached."""

    key: str
    key_valid: bool
    model: int
    environment: int  # ide/tpAmb only
    emission_mode: int
    series: int
    number: int
    issued_at: datetime
    store_cnpj: str
    store_name: str
    customer_document: str | None
    customer_name: str | None
    items: tuple[Item, ...]
    totals: Totals
    payments: tuple[Payment, ...]
    change: Decimal
    additional_info: str
    layout_version: str
    warnings: tuple[str, ...]


def _note_key(inf: Any) -> str:
    raw = (inf.get("Id") or "").strip()
    key = raw[3:] if raw[:3].upper() == "NFE" else raw
    if not is_well_formed_access_key(key):
        raise FieldError("infNFe/@Id", f"chave de acesso ausente ou malformada {raw[:60]!r}")
    return key


def _issue_time(ide: Fields, warnings: list[str]) -> datetime:
    raw = field(ide, "dhEmi")
    if raw is not None:
        moment, assumed = parse_timestamp(raw)
        if assumed:
            warnings.append("Data de emissão sem fuso horário: considerado -03:00.")
        return moment
    raw_date = field(ide, "dEmi")
    if raw_date is not None:
        warnings.append(
            "Layout antigo: só a data de emissão (dEmi); hora considerada 00:00 -03:00."
        )
        return parse_date_only(raw_date)
    raise FieldError("ide/dhEmi", "ausente")


def _read_item(det: Any, index: int) -> Item:
    path = f"det[{index}]/prod"
    prod_element = first_child(det, "prod")
    if prod_element is None:
        raise FieldError(path, "ausente")
    prod = fields(prod_element)
    raw_line = (det.get("nItem") or "").strip()
    line = int(raw_line) if raw_line.isdigit() and len(raw_line) < 6 else index
    gtin = prod.get("cEAN") or None
    if gtin is not None and gtin.upper() == NO_GTIN:
        gtin = None
    other = (
        decimal_field(prod, "vOutro", path)
        + decimal_field(prod, "vFrete", path)
        + decimal_field(prod, "vSeg", path)
    )
    code = prod.get("cProd")
    if not code:
        raise FieldError(f"{path}/cProd", "ausente")
    return Item(
        line=line,
        code=code,
        gtin=gtin,
        description=prod.get("xProd") or "",
        unit=prod.get("uCom") or "",
        quantity=decimal_field(prod, "qCom", path, default=None),
        unit_price=decimal_field(prod, "vUnCom", path, default=None),
        total=decimal_field(prod, "vProd", path, default=None),
        discount=decimal_field(prod, "vDesc", path),
        other=other,
        counts_in_total=int_field(prod, "indTot", path, default=1) == 1,
    )


def _read_payment(group: Fields, card_element: Any | None, path: str) -> Payment:
    card = fields(card_element) if card_element is not None else {}
    raw_tender = group.get("tPag")
    if not raw_tender:
        raise FieldError(f"{path}/tPag", "ausente")
    tender = two_digit_code(raw_tender)
    assert tender is not None
    return Payment(
        type=tender,
        amount=decimal_field(group, "vPag", path),
        description=group.get("xPag") or None,
        card_brand=two_digit_code(card.get("tBand") or None),
        authorization_code=card.get("cAut") or None,
        integration_type=optional_int_field(card, "tpIntegra", f"{path}/card"),
        acquirer_cnpj=card.get("CNPJ") or None,
    )


def _payment_group(element: Any) -> tuple[Fields, list[Any], Any | None]:
    """One pass over a `pag` or `detPag`: its values, its `detPag` children, its first `card`."""
    group: Fields = {}
    details: list[Any] = []
    card: Any | None = None
    for child in element:
        name = tag_local_name(child.tag)
        if name == "detPag":
            details.append(child)
        elif name == "card" and card is None:
            card = child
        if name and name not in group:
            value = child.text
            group[name] = value.strip() if value else ""
    return group, details, card


def _read_payments(pags: list[Any]) -> tuple[tuple[Payment, ...], Decimal]:
    """Every tender and the change; 4.00 `pag/detPag*` + `vTroco`, or 3.10 `pag*` with `tPag`."""
    payments: list[Payment] = []
    change = _ZERO
    for pag_index, pag in enumerate(pags, start=1):
        group, details, card = _payment_group(pag)
        if details:
            for index, det_pag in enumerate(details, start=1):
                det_group, _, det_card = _payment_group(det_pag)
                payments.append(_read_payment(det_group, det_card, f"pag/detPag[{index}]"))
        elif "tPag" in group:
            payments.append(_read_payment(group, card, f"pag[{pag_index}]"))
        change += decimal_field(group, "vTroco", "pag")
    return tuple(payments), change


def _key_warnings(
    key: str,
    expected: str,
    ide: Fields,
    model: int,
    series: int,
    number: int,
    emission_mode: int,
    issuer: str,
) -> list[str]:
    warnings: list[str] = []
    if expected != key[43]:
        warnings.append(
            f"Dígito verificador da chave de acesso não confere (calculado {expected}, "
            f"na chave {key[43]}): chave não validada."
        )
    key_fields = split_access_key(key)
    mismatches: list[str] = []
    if key_fields.model != model:
        mismatches.append(f"modelo {key_fields.model} ≠ {model}")
    if key_fields.series != series:
        mismatches.append(f"série {key_fields.series} ≠ {series}")
    if key_fields.number != number:
        mismatches.append(f"número {key_fields.number} ≠ {number}")
    if key_fields.emission_mode != emission_mode:
        mismatches.append(f"tpEmis {key_fields.emission_mode} ≠ {emission_mode}")
    code = field(ide, "cNF")
    if code is not None and code.zfill(8) != key_fields.code:
        mismatches.append(f"cNF {key_fields.code} ≠ {code}")
    uf = field(ide, "cUF")
    if uf is not None and uf != key_fields.uf:
        mismatches.append(f"cUF {key_fields.uf} ≠ {uf}")
    if issuer.zfill(14) != key_fields.issuer:
        mismatches.append(f"emitente {key_fields.issuer} ≠ {issuer}")
    check_digit = field(ide, "cDV")
    if check_digit is not None and check_digit != key_fields.check_digit:
        mismatches.append(f"cDV {key_fields.check_digit} ≠ {check_digit}")
    if mismatches:
        warnings.append("Chave de acesso não confere com a nota: " + "; ".join(mismatches) + ".")
    return warnings


def _totals_warnings(
    items: tuple[Item, ...],
    totals: Totals,
    icms: Fields,
    payments: tuple[Payment, ...],
    change: Decimal,
) -> list[str]:
    warnings: list[str] = []
    item_products = sum((i.total for i in items if i.counts_in_total), _ZERO)
    if item_products != totals.products:
        warnings.append(
            f"Soma dos itens ({format_brl(item_products)}) difere do total de produtos "
            f"da nota ({format_brl(totals.products)})."
        )
    item_discounts = sum((i.discount for i in items), _ZERO)
    if item_discounts != totals.discount:
        warnings.append(
            f"Soma dos descontos dos itens ({format_brl(item_discounts)}) difere do desconto "
            f"total da nota ({format_brl(totals.discount)})."
        )
    taxes = sum(
        (
            decimal_field(icms, name, "ICMSTot")
            for name in ("vST", "vFCPST", "vII", "vIPI", "vIPIDevol")
        ),
        _ZERO,
    )
    expected_total = (
        totals.products
        - totals.discount
        + totals.other
        + taxes
        - decimal_field(icms, "vICMSDeson", "ICMSTot")
    )
    if expected_total != totals.total:
        warnings.append(
            f"Produtos − descontos + outros ({format_brl(expected_total)}) difere do valor "
            f"da nota ({format_brl(totals.total)})."
        )
    if not payments:
        warnings.append("Nota sem forma de pagamento.")
    elif not all(p.type == NO_PAYMENT for p in payments):
        paid = sum((p.amount for p in payments), _ZERO)
        if paid - change != totals.total:
            warnings.append(
                f"Pagamentos ({format_brl(paid)}) menos troco ({format_brl(change)}) não fecham "
                f"com o valor da nota ({format_brl(totals.total)})."
            )
    return warnings


def read_note(nfe: Any) -> ParsedNote:
    """Read `NFe` (raises FieldError on a missing or invalid required field)."""
    inf = first_child(nfe, "infNFe")
    if inf is None:
        raise FieldError("NFe/infNFe", "ausente")
    key = _note_key(inf)
    single: dict[str, Any] = {}
    dets: list[Any] = []
    pags: list[Any] = []
    for child in inf:
        name = tag_local_name(child.tag)
        if name == "det":
            dets.append(child)
        elif name == "pag":
            pags.append(child)
        elif name and name not in single:
            single[name] = child

    warnings: list[str] = []
    ide_element = single.get("ide")
    emit_element = single.get("emit")
    total_element = single.get("total")
    if ide_element is None or emit_element is None or total_element is None:
        missing = [n for n in ("ide", "emit", "total") if single.get(n) is None]
        raise FieldError("infNFe/" + ",".join(missing), "ausente")
    ide = fields(ide_element)
    emit = fields(emit_element)
    model = int_field(ide, "mod", "ide")
    series = int_field(ide, "serie", "ide")
    number = int_field(ide, "nNF", "ide")
    emission_mode = int_field(ide, "tpEmis", "ide", default=1)
    environment = int_field(ide, "tpAmb", "ide")
    issued_at = _issue_time(ide, warnings)

    store_cnpj = emit.get("CNPJ") or emit.get("CPF")
    if not store_cnpj:
        raise FieldError("emit/CNPJ", "ausente")
    store_name = emit.get("xFant") or emit.get("xNome") or ""

    dest_element = single.get("dest")
    dest = fields(dest_element) if dest_element is not None else {}
    customer_document = dest.get("CPF") or dest.get("CNPJ") or None
    customer_name = dest.get("xNome") or None

    items = tuple(_read_item(det, index) for index, det in enumerate(dets, start=1))
    if not items:
        warnings.append("Nota sem itens.")

    icms_element = first_child(total_element, "ICMSTot")
    if icms_element is None:
        raise FieldError("total/ICMSTot", "ausente")
    icms = fields(icms_element)
    totals = Totals(
        products=decimal_field(icms, "vProd", "ICMSTot", default=None),
        discount=decimal_field(icms, "vDesc", "ICMSTot"),
        other=(
            decimal_field(icms, "vOutro", "ICMSTot")
            + decimal_field(icms, "vFrete", "ICMSTot")
            + decimal_field(icms, "vSeg", "ICMSTot")
        ),
        total=decimal_field(icms, "vNF", "ICMSTot", default=None),
    )
    payments, change = _read_payments(pags)

    adic_element = single.get("infAdic")
    info_element = first_child(adic_element, "infCpl") if adic_element is not None else None
    additional_info = (info_element.text or "").strip() if info_element is not None else ""

    expected = access_key_check_digit(key[:43])
    warnings.extend(
        _key_warnings(key, expected, ide, model, series, number, emission_mode, store_cnpj)
    )
    warnings.extend(_totals_warnings(items, totals, icms, payments, change))
    return ParsedNote(
        key=key,
        key_valid=expected == key[43],
        model=model,
        environment=environment,
        emission_mode=emission_mode,
        series=series,
        number=number,
        issued_at=issued_at,
        store_cnpj=store_cnpj,
        store_name=store_name,
        customer_document=customer_document,
        customer_name=customer_name,
        items=items,
        totals=totals,
        payments=payments,
        change=change,
        additional_info=additional_info,
        layout_version=(inf.get("versao") or "").strip(),
        warnings=tuple(warnings),
    )


def read_protocol(prot_nfe: Any, key: str) -> tuple[Authorization, int | None, list[str]]:
    """The authorisation from `protNFe/infProt`, its tpAmb, and warnings.

    Authorised only when cStat is 100/150 and the protocol's chNFe is the note's key.
    """
    inf_element = first_child(prot_nfe, "infProt")
    info = fields(inf_element) if inf_element is not None else {}
    status = optional_int_field(info, "cStat", "infProt")
    environment = optional_int_field(info, "tpAmb", "infProt")
    protocol_key = info.get("chNFe") or None
    warnings: list[str] = []
    authorized = status in (100, 150)
    if authorized and protocol_key != key:
        authorized = False
        warnings.append(
            f"O protocolo de autorização é de outra chave ({protocol_key or 'sem chave'}): "
            "não vale como autorização desta nota."
        )
    if status is None:
        warnings.append("Protocolo da SEFAZ vazio ou sem cStat.")
    authorization = Authorization(
        status=status,
        protocol=info.get("nProt") or None,
        authorized=authorized,
        received_at=timestamp_field(info, "dhRecbto"),
        message=info.get("xMotivo") or None,
    )
    return authorization, environment, warnings


def build_document(
    note: ParsedNote,
    authorization: Authorization,
    protocol_environment: int | None,
    cancellation: CancellationInfo | None,
    extra_warnings: list[str],
) -> SaleDocument:
    environment = 2 if 2 in (note.environment, protocol_environment) else note.environment
    return SaleDocument(
        key=note.key,
        key_valid=note.key_valid,
        model=note.model,
        environment=environment,
        emission_mode=note.emission_mode,
        series=note.series,
        number=note.number,
        issued_at=note.issued_at,
        store_cnpj=note.store_cnpj,
        store_name=note.store_name,
        customer_document=note.customer_document,
        customer_name=note.customer_name,
        items=note.items,
        totals=note.totals,
        payments=note.payments,
        change=note.change,
        authorization=authorization,
        additional_info=note.additional_info,
        layout_version=note.layout_version,
        cancellation=cancellation,
        warnings=note.warnings + tuple(extra_warnings),
    )
