"""Synthetic NFC-e files for the demo mode, tests and benchmarks.

Produces realistic, schema-valid NFC-e XMLs (nfeProc 4.00 authorised with cStat 100) over a
given catalogue: correct access keys and check digits, several items (weighed items with
fractional quantities, variations' SKUs), card tenders with brand and authorisation code, cash
with change, item discounts adding up to the total discount, occasional cancellations (separate
procEventoNFe files) and optional offline contingency (a bare tpEmis 9 note first, its
authorised copy later). Deterministic for a given seed. The signature is a structurally valid
placeholder: nothing here is a real fiscal document.
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Protocol
from xml.sax.saxutils import escape

from app.documents import cnpj_with_check_digits, ean13, is_valid_cnpj
from app.sources.nfce import access_key_check_digit

NFE_NS = "http://www.portalfiscal.inf.br/nfe"
BRT = timezone(timedelta(hours=-3))
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Branches of one fictitious company (CNPJ base 11222333), check digits computed below.
DEFAULT_STORE_BASES = ("112223330001", "112223330002", "112223330003")

UF_CODE_SP = "35"
CITY_SP = "3550308"
HOMOLOGATION_ITEM = "NOTA FISCAL EMITIDA EM AMBIENTE DE HOMOLOGACAO - SEM VALOR FISCAL"

# Card brands (tBand) and fictitious acquirer CNPJ bases (check digits computed).
CARD_BRANDS = ("01", "02", "06", "03", "07")
ACQUIRER_BASES = ("445556660001", "778889990001")

FAKE_CERTIFICATE = base64.b64encode(b"PONTE-DEMO-CERTIFICADO-FICTICIO " * 12).decode("ascii")


DEFAULT_STORE_CNPJS = tuple(cnpj_with_check_digits(base) for base in DEFAULT_STORE_BASES)
ACQUIRER_CNPJS = tuple(cnpj_with_check_digits(base) for base in ACQUIRER_BASES)


# --- values -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogEntry:
    """One sellable SKU (a simple product or one variation of a parent)."""

    code: str  # SKU, becomes cProd
    description: str
    unit: str  # "UN", "KG", ...
    price: Decimal
    gtin: str | None = None
    ncm: str = "21069090"

    @property
    def weighed(self) -> bool:
        return self.unit.upper() == "KG"


@dataclass(frozen=True)
class NoteLine:
    entry: CatalogEntry
    quantity: Decimal
    gross: Decimal
    discount: Decimal


@dataclass(frozen=True)
class NotePayment:
    type: str
    amount: Decimal
    description: str | None = None
    card_brand: str | None = None
    authorization_code: str | None = None
    acquirer_cnpj: str | None = None


@dataclass(frozen=True)
class Note:
    """Everything a generated NFC-e states; tests compare what the reader finds with this."""

    key: str
    store_cnpj: str
    store_name: str
    series: int
    number: int
    code: str  # cNF
    issued_at: datetime
    emission_mode: int
    environment: int
    lines: tuple[NoteLine, ...]
    payments: tuple[NotePayment, ...]
    change: Decimal
    additional_info: str
    protocol: str

    @property
    def products_total(self) -> Decimal:
        return sum((line.gross for line in self.lines), ZERO)

    @property
    def discount(self) -> Decimal:
        return sum((line.discount for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.products_total - self.discount


@dataclass(frozen=True)
class GeneratedFile:
    """One file as a PDV would leave it on disk."""

    name: str
    content: bytes
    kind: str  # "sale" | "contingency" | "authorized_copy" | "cancellation"
    key: str
    note: Note | None = None  # for sale-like files
    cancels_key: str | None = None  # for cancellations
    substitute_key: str | None = None


@dataclass
class _Store:
    cnpj: str
    name: str
    next_number: int = 1


@dataclass
class _Pending:
    due: int  # emit after this many more notes
    file: GeneratedFile = field(compare=False)


class _CatalogLike(Protocol):
    # Read-only members, so frozen dataclasses match.
    @property
    def code(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def price(self) -> Decimal: ...


def catalog_from(entries: Iterable[_CatalogLike]) -> list[CatalogEntry]:
    """Adapt any catalogue of objects with code, description, unit, price (and optionally
    gtin, active) — e.g. the simulator's demo catalogue — skipping inactive entries."""
    adapted = []
    for entry in entries:
        if not getattr(entry, "active", True):
            continue
        gtin = getattr(entry, "gtin", None) or None
        adapted.append(
            CatalogEntry(entry.code, entry.description, entry.unit, Decimal(entry.price), gtin)
        )
    return adapted


# --- default catalogue ------------------------------------------------------------------------


def default_catalog() -> list[CatalogEntry]:
    """A small shop catalogue: simple items, weighed items and a parent with variations."""
    entries: list[CatalogEntry] = []
    simple = [
        ("1001", "ARROZ TIPO 1 5KG", "24.90", "10063021"),
        ("1002", "FEIJAO CARIOCA 1KG", "8.49", "07133399"),
        ("1003", "CAFE TORRADO MOIDO 500G", "17.98", "09012100"),
        ("1004", "LEITE INTEGRAL 1L", "5.29", "04012010"),
        ("1005", "OLEO DE SOJA 900ML", "7.45", "15079011"),
        ("1006", "ACUCAR REFINADO 1KG", "4.99", "17019900"),
        ("1007", "MACARRAO ESPAGUETE 500G", "4.39", "19021900"),
        ("1008", "SABAO EM PO 1KG", "13.90", "34022000"),
        ("1009", "PAPEL HIGIENICO 12 ROLOS", "19.90", "48181000"),
        ("1010", "REFRIGERANTE COLA 2L", "9.99", "22021000"),
        ("1011", "BISCOITO RECHEADO 140G", "2.79", "19053100"),
        ("1012", "AGUA MINERAL 500ML", "1.99", "22011000"),
    ]
    for index, (code, name, price, ncm) in enumerate(simple):
        entries.append(
            CatalogEntry(code, name, "UN", Decimal(price), ean13(f"789100000{index:03d}"), ncm)
        )
    weighed = [
        ("2001", "BANANA PRATA KG", "6.98", "08039000"),
        ("2002", "TOMATE ITALIANO KG", "8.49", "07020000"),
        ("2003", "QUEIJO MUSSARELA KG", "49.90", "04061010"),
        ("2004", "PRESUNTO COZIDO KG", "39.80", "16024900"),
        ("2005", "CONTRA FILE KG", "69.90", "02013000"),
    ]
    for code, name, price, ncm in weighed:
        entries.append(CatalogEntry(code, name, "KG", Decimal(price), None, ncm))
    # A parent with variations: only the variations' SKUs are sold.
    for index, size in enumerate(("P", "M", "G", "GG")):
        entries.append(
            CatalogEntry(
                f"CAM-BAS-{size}",
                f"CAMISETA BASICA ALGODAO TAM {size}",
                "UN",
                Decimal("39.90"),
                ean13(f"789200000{index:03d}"),
                "61091000",
            )
        )
    for index, (color, size) in enumerate((("PRETO", "38"), ("PRETO", "40"), ("BRANCO", "38"))):
        entries.append(
            CatalogEntry(
                f"TEN-{color[:3]}-{size}",
                f"TENIS CASUAL {color} {size}",
                "UN",
                Decimal("149.90"),
                ean13(f"789300000{index:03d}"),
                "64041900",
            )
        )
    return entries


# --- rendering --------------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT)}"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _digest(*parts: str) -> bytes:
    return hashlib.sha1("|".join(parts).encode("ascii")).digest()


def _signature(reference: str, digest: bytes) -> str:
    digest_b64 = base64.b64encode(digest).decode("ascii")
    value = base64.b64encode(hashlib.sha512(digest).digest() * 4).decode("ascii")
    return (
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>'
        '<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
        '<SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>'
        f'<Reference URI="#{reference}"><Transforms>'
        '<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
        '<Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
        '</Transforms><DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>'
        f"<DigestValue>{digest_b64}</DigestValue></Reference></SignedInfo>"
        f"<SignatureValue>{value}</SignatureValue>"
        f"<KeyInfo><X509Data><X509Certificate>{FAKE_CERTIFICATE}</X509Certificate>"
        "</X509Data></KeyInfo></Signature>"
    )


def _render_line(index: int, line: NoteLine, environment: int) -> str:
    entry = line.entry
    ean = entry.gtin or "SEM GTIN"
    description = HOMOLOGATION_ITEM if environment == 2 and index == 1 else entry.description
    quantity = f"{line.quantity:.4f}"
    unit_price = f"{entry.price:.10f}"
    discount = f"<vDesc>{_money(line.discount)}</vDesc>" if line.discount else ""
    return (
        f'<det nItem="{index}"><prod><cProd>{escape(entry.code)}</cProd><cEAN>{ean}</cEAN>'
        f"<xProd>{escape(description)}</xProd><NCM>{entry.ncm}</NCM><CFOP>5102</CFOP>"
        f"<uCom>{escape(entry.unit)}</uCom><qCom>{quantity}</qCom><vUnCom>{unit_price}</vUnCom>"
        f"<vProd>{_money(line.gross)}</vProd><cEANTrib>{ean}</cEANTrib>"
        f"<uTrib>{escape(entry.unit)}</uTrib><qTrib>{quantity}</qTrib>"
        f"<vUnTrib>{unit_price}</vUnTrib>{discount}<indTot>1</indTot></prod>"
        "<imposto><ICMS><ICMSSN102><orig>0</orig><CSOSN>102</CSOSN></ICMSSN102></ICMS>"
        "<PIS><PISNT><CST>07</CST></PISNT></PIS>"
        "<COFINS><COFINSNT><CST>07</CST></COFINSNT></COFINS></imposto></det>"
    )


def _render_payment(payment: NotePayment) -> str:
    parts = [f"<detPag><indPag>0</indPag><tPag>{payment.type}</tPag>"]
    if payment.description:
        parts.append(f"<xPag>{escape(payment.description)}</xPag>")
    parts.append(f"<vPag>{_money(payment.amount)}</vPag>")
    if payment.card_brand:
        parts.append(
            f"<card><tpIntegra>1</tpIntegra><CNPJ>{payment.acquirer_cnpj}</CNPJ>"
            f"<tBand>{payment.card_brand}</tBand><cAut>{payment.authorization_code}</cAut></card>"
        )
    elif payment.type == "17":
        parts.append("<card><tpIntegra>2</tpIntegra></card>")
    parts.append("</detPag>")
    return "".join(parts)


def render_nfe(note: Note) -> str:
    """The signed `NFe` element of a note (namespace declared on it)."""
    issued = _iso(note.issued_at)
    contingency = ""
    if note.emission_mode == 9:
        started = _iso(note.issued_at - timedelta(minutes=7))
        contingency = f"<dhCont>{started}</dhCont><xJust>Falha de comunicacao com a SEFAZ</xJust>"
    lines = "".join(
        _render_line(index, line, note.environment) for index, line in enumerate(note.lines, 1)
    )
    payments = "".join(_render_payment(payment) for payment in note.payments)
    change = f"<vTroco>{_money(note.change)}</vTroco>" if note.change else ""
    digest = _digest(note.key, "nfe")
    if note.emission_mode == 9:
        qr = (
            f"{note.key}|2|{note.environment}|{note.issued_at.day:02d}|{_money(note.total)}|"
            f"{digest.hex()}{digest.hex()[:16]}|1|{hashlib.sha1(note.key.encode()).hexdigest()}"
        )
    else:
        qr = f"{note.key}|2|{note.environment}|1|{hashlib.sha1(note.key.encode()).hexdigest()}"
    host = "https://www.nfce.fazenda.sp.gov.br"
    if note.environment == 2:
        host = "https://www.homologacao.nfce.fazenda.sp.gov.br"
    return (
        f'<NFe xmlns="{NFE_NS}"><infNFe Id="NFe{note.key}" versao="4.00"><ide>'
        f"<cUF>{note.key[:2]}</cUF><cNF>{note.code}</cNF><natOp>VENDA</natOp><mod>65</mod>"
        f"<serie>{note.series}</serie><nNF>{note.number}</nNF><dhEmi>{issued}</dhEmi>"
        f"<tpNF>1</tpNF><idDest>1</idDest><cMunFG>{CITY_SP}</cMunFG><tpImp>4</tpImp>"
        f"<tpEmis>{note.emission_mode}</tpEmis><cDV>{note.key[-1]}</cDV>"
        f"<tpAmb>{note.environment}</tpAmb><finNFe>1</finNFe><indFinal>1</indFinal>"
        "<indPres>1</indPres><indIntermed>0</indIntermed><procEmi>0</procEmi>"
        f"<verProc>PonteDemo 1.0</verProc>{contingency}</ide>"
        f"<emit><CNPJ>{note.store_cnpj}</CNPJ><xNome>{escape(note.store_name)} COMERCIO LTDA</xNome>"
        f"<xFant>{escape(note.store_name)}</xFant><enderEmit><xLgr>RUA DAS FLORES</xLgr>"
        "<nro>100</nro><xBairro>CENTRO</xBairro>"
        f"<cMun>{CITY_SP}</cMun><xMun>SAO PAULO</xMun><UF>SP</UF><CEP>01001000</CEP>"
        "<cPais>1058</cPais><xPais>BRASIL</xPais></enderEmit><IE>111222333444</IE>"
        "<CRT>1</CRT></emit>"
        f"{lines}<total><ICMSTot><vBC>0.00</vBC><vICMS>0.00</vICMS><vICMSDeson>0.00</vICMSDeson>"
        "<vFCP>0.00</vFCP><vBCST>0.00</vBCST><vST>0.00</vST><vFCPST>0.00</vFCPST>"
        f"<vFCPSTRet>0.00</vFCPSTRet><vProd>{_money(note.products_total)}</vProd>"
        f"<vFrete>0.00</vFrete><vSeg>0.00</vSeg><vDesc>{_money(note.discount)}</vDesc>"
        "<vII>0.00</vII><vIPI>0.00</vIPI><vIPIDevol>0.00</vIPIDevol><vPIS>0.00</vPIS>"
        f"<vCOFINS>0.00</vCOFINS><vOutro>0.00</vOutro><vNF>{_money(note.total)}</vNF>"
        "</ICMSTot></total><transp><modFrete>9</modFrete></transp>"
        f"<pag>{payments}{change}</pag>"
        f"<infAdic><infCpl>{escape(note.additional_info)}</infCpl></infAdic></infNFe>"
        f"<infNFeSupl><qrCode><![CDATA[{host}/qrcode?p="
        f"{qr}]]></qrCode><urlChave>https://www.nfce.fazenda.sp.gov.br/consulta</urlChave>"
        f"</infNFeSupl>{_signature('NFe' + note.key, digest)}</NFe>"
    )


def render_nfe_proc(note: Note, *, received_at: datetime | None = None) -> bytes:
    """An authorised nfeProc (NFe + protNFe cStat 100) for the note."""
    received = received_at or note.issued_at + timedelta(seconds=2)
    digest = base64.b64encode(_digest(note.key, "nfe")).decode("ascii")
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<nfeProc xmlns="{NFE_NS}" versao="4.00">{render_nfe(note)}'
        f'<protNFe versao="4.00"><infProt><tpAmb>{note.environment}</tpAmb>'
        f"<verAplic>SP_NFCE_PL_009_V400</verAplic><chNFe>{note.key}</chNFe>"
        f"<dhRecbto>{_iso(received)}</dhRecbto><nProt>{note.protocol}</nProt>"
        f"<digVal>{digest}</digVal><cStat>100</cStat>"
        "<xMotivo>Autorizado o uso da NF-e</xMotivo></infProt></protNFe></nfeProc>"
    )
    return text.encode("utf-8")


def render_bare_nfe(note: Note) -> bytes:
    """The signed note alone, as a PDV keeps it before SEFAZ's protocol (e.g. contingency)."""
    return ('<?xml version="1.0" encoding="UTF-8"?>' + render_nfe(note)).encode("utf-8")


def render_cancellation(
    key: str,
    *,
    store_cnpj: str,
    note_protocol: str,
    at: datetime,
    event_protocol: str,
    environment: int = 1,
    event_type: int = 110111,
    substitute_key: str | None = None,
    reason: str = "Cancelamento a pedido do cliente",
) -> bytes:
    """A registered cancellation (procEventoNFe, retEvento cStat 135) of the note `key`."""
    event_id = f"ID{event_type}{key}01"
    if event_type == 110112:
        if substitute_key is None:
            raise ValueError("a 110112 cancellation needs the substitute key")
        detail = (
            "<descEvento>Cancelamento por substituicao</descEvento>"
            f"<cOrgaoAutor>{key[:2]}</cOrgaoAutor><tpAutor>1</tpAutor>"
            f"<verAplic>PonteDemo 1.0</verAplic><nProt>{note_protocol}</nProt>"
            f"<xJust>{escape(reason)}</xJust><chNFeRef>{substitute_key}</chNFeRef>"
        )
        title = "Cancelamento por substituicao"
    else:
        detail = (
            f"<descEvento>Cancelamento</descEvento><nProt>{note_protocol}</nProt>"
            f"<xJust>{escape(reason)}</xJust>"
        )
        title = "Cancelamento"
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<procEventoNFe xmlns="{NFE_NS}" versao="1.00"><evento versao="1.00">'
        f'<infEvento Id="{event_id}"><cOrgao>{key[:2]}</cOrgao><tpAmb>{environment}</tpAmb>'
        f"<CNPJ>{store_cnpj}</CNPJ><chNFe>{key}</chNFe><dhEvento>{_iso(at)}</dhEvento>"
        f"<tpEvento>{event_type}</tpEvento><nSeqEvento>1</nSeqEvento><verEvento>1.00</verEvento>"
        f'<detEvento versao="1.00">{detail}</detEvento></infEvento>'
        f"{_signature(event_id, _digest(event_id))}</evento>"
        f'<retEvento versao="1.00"><infEvento><tpAmb>{environment}</tpAmb>'
        f"<verAplic>SP_EVENTOS_PL_100</verAplic><cOrgao>{key[:2]}</cOrgao><cStat>135</cStat>"
        "<xMotivo>Evento registrado e vinculado a NF-e</xMotivo>"
        f"<chNFe>{key}</chNFe><tpEvento>{event_type}</tpEvento><xEvento>{title}</xEvento>"
        f"<nSeqEvento>1</nSeqEvento><dhRegEvento>{_iso(at + timedelta(seconds=1))}</dhRegEvento>"
        f"<nProt>{event_protocol}</nProt></infEvento></retEvento></procEventoNFe>"
    )
    return text.encode("utf-8")


def cancellation_file_name(key: str, event_type: int = 110111) -> str:
    return f"{event_type}{key}01-procEventoNFe.xml"


# --- building notes ---------------------------------------------------------------------------


def build_key(
    *,
    uf: str,
    issued_at: datetime,
    cnpj: str,
    series: int,
    number: int,
    emission_mode: int,
    code: str,
    model: int = 65,
) -> str:
    """The 44-digit access key (nfce.md §3) with its check digit."""
    first43 = f"{uf}{issued_at:%y%m}{cnpj}{model:02d}{series:03d}{number:09d}{emission_mode}{code}"
    return first43 + access_key_check_digit(first43)


class NoteFactory:
    """Builds random but consistent notes; one instance per generated stream."""

    def __init__(
        self,
        catalog: Sequence[CatalogEntry],
        *,
        seed: int,
        store_cnpjs: Sequence[str],
        store_names: Sequence[str] | None = None,
        start: datetime,
        environment: int = 1,
        series: int = 1,
        first_number: int = 1,
    ) -> None:
        if not catalog:
            raise ValueError("the catalogue is empty")
        if not store_cnpjs:
            raise ValueError("at least one store CNPJ is needed")
        for cnpj in store_cnpjs:
            if not is_valid_cnpj(cnpj):
                raise ValueError(f"invalid CNPJ: {cnpj}")
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self.catalog = list(catalog)
        self.rng = random.Random(seed)
        names = list(store_names or [])
        self.stores = [
            _Store(cnpj, names[i] if i < len(names) else f"LOJA DEMO {i + 1}", first_number)
            for i, cnpj in enumerate(store_cnpjs)
        ]
        self.clock = start
        self.environment = environment
        self.series = series
        self.protocol_seq = self.rng.randint(1, 10**6)

    def next_protocol(self) -> str:
        self.protocol_seq += 1
        return f"135{self.clock:%y}{self.protocol_seq:010d}"

    def _lines(self) -> list[NoteLine]:
        rng = self.rng
        count = rng.choices((1, 2, 3, 4, 5, 6, 8), weights=(14, 20, 20, 16, 12, 10, 8))[0]
        entries = rng.sample(self.catalog, min(count, len(self.catalog)))
        lines = []
        for entry in entries:
            if entry.weighed:
                quantity = Decimal(rng.randint(80, 2500)).scaleb(-3)
            else:
                quantity = Decimal(rng.choices((1, 2, 3, 4), weights=(70, 18, 8, 4))[0])
            gross = (quantity * entry.price).quantize(CENT, ROUND_HALF_UP)
            if gross <= ZERO:
                gross = CENT
            lines.append(NoteLine(entry, quantity, gross, ZERO))
        return self._discounts(lines)

    def _discounts(self, lines: list[NoteLine]) -> list[NoteLine]:
        """Sometimes a ticket discount spread over the lines (remainder on the largest line)."""
        rng = self.rng
        roll = rng.random()
        gross = sum((line.gross for line in lines), ZERO)
        if roll > 0.3 or gross < Decimal("2.00"):
            return lines
        if roll < 0.1:
            # One item discounted on its own.
            index = rng.randrange(len(lines))
            line = lines[index]
            amount = (line.gross * Decimal(rng.choice((5, 10, 15))) / 100).quantize(CENT)
            if amount > ZERO:
                lines[index] = NoteLine(line.entry, line.quantity, line.gross, amount)
            return lines
        total = (gross * Decimal(rng.choice((3, 5, 10))) / 100).quantize(CENT)
        if total <= ZERO:
            return lines
        shares = [
            (line.gross * total / gross).quantize(CENT, rounding="ROUND_DOWN") for line in lines
        ]
        largest = max(range(len(lines)), key=lambda i: lines[i].gross)
        shares[largest] += total - sum(shares, ZERO)
        return [
            NoteLine(line.entry, line.quantity, line.gross, share)
            for line, share in zip(lines, shares, strict=True)
        ]

    def _card(self, tender: str, amount: Decimal) -> NotePayment:
        rng = self.rng
        return NotePayment(
            tender,
            amount,
            card_brand=rng.choice(CARD_BRANDS),
            authorization_code=f"{rng.randint(0, 999999):06d}",
            acquirer_cnpj=rng.choice(ACQUIRER_CNPJS),
        )

    def _cash(self, amount: Decimal) -> tuple[NotePayment, Decimal]:
        rng = self.rng
        if rng.random() < 0.4:
            return NotePayment("01", amount), ZERO
        step = Decimal(rng.choice((1, 5, 10, 20, 50)))
        tendered = (amount / step).to_integral_value(rounding="ROUND_CEILING") * step
        if tendered == amount and rng.random() < 0.5:
            tendered += step
        return NotePayment("01", tendered), tendered - amount

    def _payments(self, total: Decimal) -> tuple[tuple[NotePayment, ...], Decimal]:
        rng = self.rng
        pattern = rng.choices(
            ("cash", "credit", "debit", "pix", "split", "voucher", "other"),
            weights=(25, 25, 20, 15, 10, 3, 2),
        )[0]
        if pattern == "cash":
            cash, change = self._cash(total)
            return (cash,), change
        if pattern in ("credit", "debit"):
            return (self._card("03" if pattern == "credit" else "04", total),), ZERO
        if pattern == "pix":
            return (NotePayment("17", total),), ZERO
        if pattern == "voucher":
            return (self._card("10", total),), ZERO
        if pattern == "other":
            return (NotePayment("99", total, description="Crediario da loja"),), ZERO
        if total < Decimal("0.02"):
            return (NotePayment("01", total),), ZERO
        card_part = (total * Decimal(rng.randint(20, 80)) / 100).quantize(CENT)
        card_part = min(max(card_part, CENT), total - CENT)
        rest = total - card_part
        card = self._card(rng.choice(("03", "04")), card_part)
        if rng.random() < 0.5:
            cash, change = self._cash(rest)
            return (card, cash), change
        return (card, NotePayment("17", rest)), ZERO

    def note(self, *, emission_mode: int = 1, store: _Store | None = None) -> Note:
        rng = self.rng
        self.clock += timedelta(seconds=rng.randint(15, 240))
        store = store or rng.choice(self.stores)
        number = store.next_number
        store.next_number += 1
        code = f"{rng.randint(10_000_000, 99_999_999)}"
        if int(code) == number:  # SEFAZ rejects cNF equal to nNF
            code = f"{int(code) + 1}"
        key = build_key(
            uf=UF_CODE_SP,
            issued_at=self.clock,
            cnpj=store.cnpj,
            series=self.series,
            number=number,
            emission_mode=emission_mode,
            code=code,
        )
        lines = tuple(self._lines())
        total = sum((line.gross - line.discount for line in lines), ZERO)
        payments, change = self._payments(total)
        info = f"Caixa {rng.randint(1, 4):02d} | Operador {rng.randint(1, 12):03d} | Venda {number}"
        return Note(
            key=key,
            store_cnpj=store.cnpj,
            store_name=store.name,
            series=self.series,
            number=number,
            code=code,
            issued_at=self.clock,
            emission_mode=emission_mode,
            environment=self.environment,
            lines=lines,
            payments=payments,
            change=change,
            additional_info=info,
            protocol=self.next_protocol(),
        )


def proc_file(note: Note, kind: str = "sale") -> GeneratedFile:
    """The authorised nfeProc of a note, named as PDVs usually name it."""
    return GeneratedFile(f"{note.key}-procNFe.xml", render_nfe_proc(note), kind, note.key, note)


def generate_notes(
    catalog: Sequence[CatalogEntry],
    count: int,
    *,
    seed: int = 0,
    store_cnpjs: Sequence[str] = DEFAULT_STORE_CNPJS,
    store_names: Sequence[str] | None = None,
    start: datetime | None = None,
    cancel_ratio: float = 0.02,
    contingency_ratio: float = 0.0,
    environment: int = 1,
    series: int = 1,
    first_number: int = 1,
) -> Iterator[GeneratedFile]:
    """`count` sales as files, plus their cancellation events and authorised copies.

    A contingency sale yields its bare tpEmis 9 note first and its authorised nfeProc a few
    notes later; a cancelled sale yields a procEventoNFe a few notes after the sale.
    """
    factory = NoteFactory(
        catalog,
        seed=seed,
        store_cnpjs=store_cnpjs,
        store_names=store_names,
        start=start or datetime(2026, 12, 1, 8, 0, tzinfo=BRT),
        environment=environment,
        series=series,
        first_number=first_number,
    )
    rng = factory.rng
    pending: list[_Pending] = []
    for _ in range(count):
        contingency = rng.random() < contingency_ratio
        note = factory.note(emission_mode=9 if contingency else 1)
        if contingency:
            yield GeneratedFile(
                f"{note.key}-nfe.xml", render_bare_nfe(note), "contingency", note.key, note
            )
            pending.append(_Pending(rng.randint(1, 20), proc_file(note, "authorized_copy")))
        else:
            yield proc_file(note)
            if rng.random() < cancel_ratio:
                at = note.issued_at + timedelta(minutes=rng.randint(1, 25))
                content = render_cancellation(
                    note.key,
                    store_cnpj=note.store_cnpj,
                    note_protocol=note.protocol,
                    at=at,
                    event_protocol=factory.next_protocol(),
                    environment=environment,
                )
                pending.append(
                    _Pending(
                        rng.randint(0, 10),
                        GeneratedFile(
                            cancellation_file_name(note.key),
                            content,
                            "cancellation",
                            note.key,
                            None,
                            cancels_key=note.key,
                        ),
                    )
                )
        still: list[_Pending] = []
        for item in pending:
            if item.due <= 0:
                yield item.file
            else:
                item.due -= 1
                still.append(item)
        pending = still
    for item in pending:
        yield item.file


def write_file(folder: Path, generated: GeneratedFile) -> Path:
    """Write one generated file atomically (temporary name, then rename)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / generated.name
    temporary = folder / (generated.name + ".part")
    temporary.write_bytes(generated.content)
    temporary.replace(target)
    return target


def write_files(
    folder: Path, files: Iterable[GeneratedFile], *, by_month: bool = False
) -> list[Path]:
    """Write generated files into folder (optionally sales in YYYY-MM subfolders and events in
    `eventos/`, as some PDVs do); returns the paths in writing order."""
    written = []
    for generated in files:
        target_folder = folder
        if by_month:
            if generated.note is not None:
                target_folder = folder / f"{generated.note.issued_at:%Y-%m}"
            else:
                target_folder = folder / "eventos"
        written.append(write_file(target_folder, generated))
    return written


def write_notes(
    folder: Path,
    catalog: Sequence[CatalogEntry] | None = None,
    count: int = 10,
    *,
    seed: int = 0,
    store_cnpjs: Sequence[str] = DEFAULT_STORE_CNPJS,
    start: datetime | None = None,
    cancel_ratio: float = 0.02,
    contingency_ratio: float = 0.0,
    environment: int = 1,
    by_month: bool = False,
) -> list[Path]:
    """Generate `count` sales (see generate_notes) and write them into folder; the paths."""
    files = generate_notes(
        catalog if catalog is not None else default_catalog(),
        count,
        seed=seed,
        store_cnpjs=store_cnpjs,
        start=start,
        cancel_ratio=cancel_ratio,
        contingency_ratio=contingency_ratio,
        environment=environment,
    )
    return write_files(folder, files, by_month=by_month)
