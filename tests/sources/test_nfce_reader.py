"""Reader behaviour on hand-built notes: layouts, wrappers, protocols, events, totals checks.

`nfce_xml()` builds a realistic NFC-e; other test modules import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from app.sources import nfce
from app.sources.document import DocumentKind
from app.sources.nfce import access_key_check_digit, read_document, read_path
from app.sources.nfce_reasons import (
    REASON_BATCH,
    REASON_DENIED,
    REASON_EVENT_NOT_CANCELLATION,
    REASON_EVENT_NOT_REGISTERED,
    REASON_EVENT_REQUEST_ONLY,
    REASON_HOMOLOGATION,
    REASON_INTERNAL,
    REASON_INVALID_DOCUMENT,
    REASON_NOT_A_FILE,
    REASON_NOT_FISCAL,
    REASON_NOT_FOUND,
    REASON_OLD_CANCELLATION,
    REASON_PURCHASE,
    REASON_SEFAZ_REJECTED,
    REASON_TOO_LARGE,
    REASON_VOIDED_RANGE,
)

D = Decimal
NS = "http://www.portalfiscal.inf.br/nfe"
CNPJ = "11222333000181"

DEFAULT_ITEMS = (
    '<det nItem="1"><prod><cProd>CAM-P-AZ</cProd><cEAN>7891234567895</cEAN>'
    "<xProd>CAMISETA P AZUL</xProd><NCM>61091000</NCM><CFOP>5102</CFOP><uCom>UN</uCom>"
    "<qCom>2.0000</qCom><vUnCom>39.9000000000</vUnCom><vProd>79.80</vProd>"
    "<cEANTrib>7891234567895</cEANTrib><uTrib>UN</uTrib><qTrib>2.0000</qTrib>"
    "<vUnTrib>39.90</vUnTrib><vDesc>4.80</vDesc><indTot>1</indTot></prod>"
    "<imposto><ICMS><ICMSSN102><orig>0</orig><CSOSN>102</CSOSN></ICMSSN102></ICMS>"
    "<IBSCBS><CST>000</CST></IBSCBS></imposto></det>"
    '<det nItem="2"><prod><cProd>QUEIJO</cProd><cEAN>SEM GTIN</cEAN><xProd>  QUEIJO MINAS  </xProd>'
    "<uCom>KG</uCom><qCom>0.3320</qCom><vUnCom>44.98</vUnCom><vProd>14.93</vProd>"
    "<vFrete>0.50</vFrete><vSeg>0.25</vSeg><vOutro>1.00</vOutro><indTot>1</indTot></prod></det>"
    '<det nItem="3"><prod><cProd>BRINDE</cProd><cEAN></cEAN><xProd>BRINDE</xProd><uCom>UN</uCom>'
    "<qCom>1</qCom><vUnCom>5.00</vUnCom><vProd>5.00</vProd><indTot>0</indTot></prod></det>"
)
# vProd 79.80 + 14.93 = 94.73; vDesc 4.80; other 1.75 → vNF 91.68
DEFAULT_TOTAL = (
    "<total><ICMSTot><vBC>0.00</vBC><vICMS>0.00</vICMS><vICMSDeson>0.00</vICMSDeson>"
    "<vProd>94.73</vProd><vFrete>0.50</vFrete><vSeg>0.25</vSeg><vDesc>4.80</vDesc>"
    "<vOutro>1.00</vOutro><vNF>91.68</vNF><vTotTrib>10.00</vTotTrib></ICMSTot>"
    "<IBSCBSTot><vBCIBSCBS>0.00</vBCIBSCBS></IBSCBSTot></total>"
)
DEFAULT_PAG = (
    "<pag><detPag><indPag>0</indPag><tPag>03</tPag><vPag>50.00</vPag>"
    "<card><tpIntegra>1</tpIntegra><CNPJ>01027058000191</CNPJ><tBand>1</tBand>"
    "<cAut>AB12CD</cAut></card></detPag>"
    "<detPag><tPag>01</tPag><vPag>50.00</vPag></detPag><vTroco>8.32</vTroco></pag>"
)


@dataclass
class Note:
    """Parameters of a synthetic note; `key` is derived unless given."""

    model: int = 65
    series: str = "1"
    number: int = 4321
    tp_emis: int = 1
    tp_amb: int = 1
    cnpj: str = CNPJ
    dh_emi: str = "<dhEmi>2026-04-15T18:09:32-03:00</dhEmi>"
    dest: str = "<dest><CPF>12345678909</CPF><xNome>FULANO</xNome><indIEDest>9</indIEDest></dest>"
    items: str = DEFAULT_ITEMS
    total: str = DEFAULT_TOTAL
    pag: str = DEFAULT_PAG
    inf_cpl: str = "Caixa 3 | Venda 998877"
    version: str = "4.00"
    key: str | None = None
    extra_inf: list[str] = field(default_factory=list)

    def access_key(self) -> str:
        if self.key is not None:
            return self.key
        body = (
            f"3526{'04'}{self.cnpj.zfill(14)}{self.model:02d}{int(self.series):03d}"
            f"{self.number:09d}{self.tp_emis}{'12345678'}"
        )
        return body + access_key_check_digit(body)


def nfe_xml(note: Note | None = None, *, ns: str = f' xmlns="{NS}"') -> str:
    note = note or Note()
    key = note.access_key()
    return (
        f'<NFe{ns}><infNFe versao="{note.version}" Id="NFe{key}"><ide><cUF>35</cUF>'
        f"<cNF>12345678</cNF><natOp>VENDA</natOp><mod>{note.model}</mod>"
        f"<serie>{note.series}</serie><nNF>{note.number}</nNF>{note.dh_emi}<tpNF>1</tpNF>"
        f"<idDest>1</idDest><cMunFG>3550308</cMunFG><tpImp>4</tpImp>"
        f"<tpEmis>{note.tp_emis}</tpEmis><cDV>{key[43]}</cDV><tpAmb>{note.tp_amb}</tpAmb>"
        f"<finNFe>1</finNFe><indFinal>1</indFinal><indPres>1</indPres></ide>"
        f"<emit><CNPJ>{note.cnpj}</CNPJ><xNome>LOJA MODELO LTDA</xNome><xFant>Loja Modelo</xFant>"
        f"<enderEmit><UF>SP</UF></enderEmit><IE>123</IE><CRT>1</CRT></emit>"
        f"{note.dest}{note.items}{note.total}<transp><modFrete>9</modFrete></transp>"
        f"{note.pag}<infAdic><infCpl>{note.inf_cpl}</infCpl></infAdic>"
        f"{''.join(note.extra_inf)}<infRespTec><CNPJ>1</CNPJ></infRespTec></infNFe>"
        f"<infNFeSupl><qrCode><![CDATA[https://x?p={key}|2|1]]></qrCode></infNFeSupl>"
        f"</NFe>"
    )


def prot_xml(key: str, *, c_stat: int = 100, tp_amb: int = 1, motivo: str = "Autorizado") -> str:
    return (
        f'<protNFe versao="4.00"><infProt><tpAmb>{tp_amb}</tpAmb><verAplic>SP</verAplic>'
        f"<chNFe>{key}</chNFe><dhRecbto>2026-04-15T18:09:35-03:00</dhRecbto>"
        f"<nProt>135260000000001</nProt><digVal>x</digVal><cStat>{c_stat}</cStat>"
        f"<xMotivo>{motivo}</xMotivo></infProt></protNFe>"
    )


def ret_evento_xml(key: str, *, c_stat: int = 135, tp_evento: int = 110111, tp_amb: int = 1) -> str:
    return (
        f'<retEvento versao="1.00"><infEvento><tpAmb>{tp_amb}</tpAmb><cOrgao>35</cOrgao>'
        f"<cStat>{c_stat}</cStat><xMotivo>Evento registrado e vinculado a NF-e</xMotivo>"
        f"<chNFe>{key}</chNFe><tpEvento>{tp_evento}</tpEvento><nSeqEvento>1</nSeqEvento>"
        f"<dhRegEvento>2026-04-15T18:20:00-03:00</dhRegEvento><nProt>135260000000099</nProt>"
        f"</infEvento></retEvento>"
    )


def evento_xml(key: str, *, tp_evento: int = 110111, tp_amb: int = 1, ref: str = "") -> str:
    ref_xml = f"<chNFeRef>{ref}</chNFeRef>" if ref else ""
    return (
        f'<evento versao="1.00"><infEvento Id="ID{tp_evento}{key}01"><cOrgao>35</cOrgao>'
        f"<tpAmb>{tp_amb}</tpAmb><CNPJ>{CNPJ}</CNPJ><chNFe>{key}</chNFe>"
        f"<dhEvento>2026-04-15T18:19:00-03:00</dhEvento><tpEvento>{tp_evento}</tpEvento>"
        f'<nSeqEvento>1</nSeqEvento><verEvento>1.00</verEvento><detEvento versao="1.00">'
        f"<descEvento>Cancelamento</descEvento><nProt>135260000000001</nProt>"
        f"<xJust>Cliente desistiu da compra</xJust>{ref_xml}</detEvento></infEvento></evento>"
    )


def nfe_proc_xml(note: Note | None = None, *, prot: str | None = None, extra: str = "") -> str:
    note = note or Note()
    key = note.access_key()
    prot = prot_xml(key) if prot is None else prot
    return f'<nfeProc versao="4.00" xmlns="{NS}">{nfe_xml(note, ns="")}{prot}{extra}</nfeProc>'


def read(text: str, **kwargs: frozenset[str]) -> nfce.ReadResult:
    return read_document(text.encode("utf-8"), **kwargs)


# ---- a complete authorised sale ------------------------------------------------------------


def test_authorised_sale_every_field() -> None:
    note = Note()
    result = read(nfe_proc_xml(note))
    assert result.kind == DocumentKind.SALE, result.reason
    doc = result.document
    assert doc is not None
    assert doc.key == note.access_key() and doc.key_valid
    assert (doc.model, doc.environment, doc.emission_mode) == (65, 1, 1)
    assert (doc.series, doc.number) == (1, 4321)
    assert doc.issued_at == datetime(2026, 4, 15, 18, 9, 32, tzinfo=timezone(timedelta(hours=-3)))
    assert (doc.store_cnpj, doc.store_name) == (CNPJ, "Loja Modelo")
    assert (doc.customer_document, doc.customer_name) == ("12345678909", "FULANO")
    first, second, gift = doc.items
    assert (first.line, first.code, first.gtin, first.description, first.unit) == (
        1,
        "CAM-P-AZ",
        "7891234567895",
        "CAMISETA P AZUL",
        "UN",
    )
    assert (first.quantity, first.unit_price, first.total, first.discount) == (
        D("2.0000"),
        D("39.9000000000"),
        D("79.80"),
        D("4.80"),
    )
    assert second.gtin is None and second.description == "QUEIJO MINAS"
    assert second.other == D("1.75")
    assert gift.gtin is None and gift.counts_in_total is False
    assert doc.totals.products == D("94.73")
    assert doc.totals.discount == D("4.80")
    assert doc.totals.other == D("1.75")
    assert doc.totals.total == D("91.68")
    card, cash = doc.payments
    assert (card.type, card.amount, card.card_brand, card.authorization_code) == (
        "03",
        D("50.00"),
        "01",
        "AB12CD",
    )
    assert (card.integration_type, card.acquirer_cnpj) == (1, "01027058000191")
    assert (cash.type, cash.amount, cash.card_brand) == ("01", D("50.00"), None)
    assert doc.change == D("8.32")
    assert doc.authorization.authorized and doc.authorization.status == 100
    assert doc.authorization.protocol == "135260000000001"
    assert doc.authorization.received_at is not None
    assert doc.additional_info == "Caixa 3 | Venda 998877"
    assert doc.layout_version == "4.00"
    assert doc.cancellation is None
    assert doc.counts_as_sale
    # indTot=0 line kept but not summed; payments − change = vNF: nothing to report.
    assert doc.warnings == ()


# ---- formatting noise ----------------------------------------------------------------------


def _variants() -> dict[str, bytes]:
    plain = nfe_proc_xml()
    prefixed = plain.replace(
        f'<nfeProc versao="4.00" xmlns="{NS}">', f'<nfe:nfeProc versao="4.00" xmlns:nfe="{NS}">'
    ).replace("</nfeProc>", "</nfe:nfeProc>")
    # Prefix every element of the NF-e namespace.
    import re

    prefixed = re.sub(r"<(/?)(?!nfe:)([A-Za-z]\w*)", r"<\1nfe:\2", prefixed)
    return {
        "plain": plain.encode(),
        "declaration+BOM+CRLF": (
            b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\r\n'
            + plain.replace("><", ">\r\n  <").encode()
        ),
        "leading whitespace": b"\n\n  " + plain.encode(),
        "no namespace": plain.replace(f' xmlns="{NS}"', "").encode(),
        "prefixed": prefixed.encode(),
        "extra namespaces": plain.replace(
            "<protNFe ",
            '<protNFe xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ',
        ).encode(),
        "latin-1": (
            '<?xml version="1.0" encoding="ISO-8859-1"?>'
            + plain.replace("CAMISETA P AZUL", "CAMISETA PÃO")
        ).encode("latin-1"),
        "utf-16": ('<?xml version="1.0" encoding="UTF-16"?>' + plain).encode("utf-16"),
        "comments": plain.replace("<ide>", "<!-- c --><ide><!-- d -->").encode(),
    }


@pytest.mark.parametrize("variant", sorted(_variants()))
def test_formatting_noise_is_tolerated(variant: str) -> None:
    result = read_document(_variants()[variant])
    assert result.kind == DocumentKind.SALE, result.reason
    doc = result.document
    assert doc is not None
    assert doc.totals.total == D("91.68")
    assert len(doc.items) == 3 and len(doc.payments) == 2
    assert doc.authorization.authorized
    assert doc.warnings == ()


def test_wrappers_are_looked_into() -> None:
    soap = (
        '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
        '<nfeResultMsg xmlns="http://www.portalfiscal.inf.br/nfe/wsdl/NFeAutorizacao4">'
        f"{nfe_proc_xml()}</nfeResultMsg></soap:Body></soap:Envelope>"
    )
    assert read(soap).kind == DocumentKind.SALE
    envi = f'<enviNFe xmlns="{NS}" versao="4.00"><idLote>1</idLote><indSinc>1</indSinc>{nfe_xml(ns="")}</enviNFe>'
    result = read(envi)
    assert result.kind == DocumentKind.SALE
    assert result.document is not None and not result.document.authorization.authorized
    two = envi.replace("</enviNFe>", nfe_xml(Note(number=2), ns="") + "</enviNFe>")
    batch = read(two)
    assert batch.kind == DocumentKind.REJECTED
    assert batch.reason is not None and batch.reason.startswith(REASON_BATCH)
    empty = f'<enviNFe xmlns="{NS}" versao="4.00"><idLote>1</idLote></enviNFe>'
    rejected = read(empty)
    assert rejected.reason is not None and rejected.reason.startswith(REASON_NOT_FISCAL)


# ---- protocols and authorisation -----------------------------------------------------------


def test_bare_note_waits_for_authorisation() -> None:
    result = read(nfe_xml())
    assert result.kind == DocumentKind.SALE
    doc = result.document
    assert doc is not None
    assert not doc.authorization.authorized and doc.authorization.status is None
    assert not doc.counts_as_sale
    assert nfce.WARNING_AWAITING_AUTHORIZATION in doc.warnings


def test_contingency_note_counts_at_once() -> None:
    result = read(nfe_xml(Note(tp_emis=9)))
    assert result.kind == DocumentKind.SALE
    doc = result.document
    assert doc is not None
    assert doc.contingency and not doc.authorization.authorized and doc.counts_as_sale
    assert nfce.WARNING_AWAITING_AUTHORIZATION not in doc.warnings
    assert any("contingência" in w for w in doc.warnings)


def test_authorised_copy_of_a_contingency_note() -> None:
    doc = read(nfe_proc_xml(Note(tp_emis=9))).document
    assert doc is not None
    assert doc.contingency and doc.authorization.authorized and doc.warnings == ()


def test_cstat_150_is_authorised() -> None:
    note = Note()
    doc = read(nfe_proc_xml(note, prot=prot_xml(note.access_key(), c_stat=150))).document
    assert doc is not None and doc.authorization.authorized


def test_protocol_of_another_key_is_not_an_authorisation() -> None:
    note = Note()
    other = Note(number=999).access_key()
    result = read(nfe_proc_xml(note, prot=prot_xml(other)))
    assert result.kind == DocumentKind.SALE
    doc = result.document
    assert doc is not None
    assert doc.authorization.status == 100 and not doc.authorization.authorized
    assert not doc.counts_as_sale
    assert any("outra chave" in w for w in doc.warnings)
    assert nfce.WARNING_AWAITING_AUTHORIZATION in doc.warnings


def test_empty_protocol_is_pending() -> None:
    result = read(nfe_proc_xml(prot='<protNFe versao="4.00"><infProt/></protNFe>'))
    assert result.kind == DocumentKind.SALE
    assert result.document is not None and not result.document.authorization.authorized


@pytest.mark.parametrize(
    ("c_stat", "reason"),
    [
        (110, REASON_DENIED),
        (301, REASON_DENIED),
        (302, REASON_DENIED),
        (303, REASON_DENIED),
        (101, REASON_OLD_CANCELLATION),
        (204, REASON_SEFAZ_REJECTED),
        (539, REASON_SEFAZ_REJECTED),
    ],
)
def test_protocol_other_than_authorised_is_rejected(c_stat: int, reason: str) -> None:
    note = Note()
    motivo = "Rejeicao: motivo qualquer"
    result = read(
        nfe_proc_xml(note, prot=prot_xml(note.access_key(), c_stat=c_stat, motivo=motivo))
    )
    assert result.kind == DocumentKind.REJECTED
    assert result.reason == f"{reason}: cStat {c_stat} – {motivo}"
    assert result.document is not None  # figures kept


def test_homologation_in_either_place() -> None:
    note = Note()
    for xml in (
        nfe_proc_xml(Note(tp_amb=2)),
        nfe_proc_xml(note, prot=prot_xml(note.access_key(), tp_amb=2)),
    ):
        result = read(xml)
        assert result.kind == DocumentKind.REJECTED
        assert result.reason == REASON_HOMOLOGATION
        assert result.document is not None and result.document.environment == 2
        assert result.document.totals.total == D("91.68")


def test_portal_download_wrapper() -> None:
    body = nfe_xml(ns="")
    xml = (
        f'<nfeProc xmlns="{NS}"><dhInc>2026-04-15T18:10:00-03:00</dhInc>'
        f"<nProt>135260000000777</nProt>{body}</nfeProc>"
    )
    result = read(xml)
    assert result.kind == DocumentKind.SALE
    doc = result.document
    assert doc is not None
    assert doc.authorization.authorized and doc.authorization.status is None
    assert doc.authorization.protocol == "135260000000777"
    assert any("portal" in w for w in doc.warnings)


def test_model_55_purchase_and_own() -> None:
    note = Note(model=55)
    purchase = read(nfe_proc_xml(note))
    assert purchase.kind == DocumentKind.REJECTED and purchase.reason == REASON_PURCHASE
    assert purchase.document is not None
    own = read(nfe_proc_xml(note), own_cnpjs=frozenset({CNPJ}))
    assert own.kind == DocumentKind.SALE
    assert own.document is not None
    assert any("modelo 55" in w for w in own.document.warnings)


# ---- layouts -------------------------------------------------------------------------------


def test_layout_310_legacy_payments() -> None:
    pag = (
        "<pag><tPag>03</tPag><vPag>50.00</vPag><card><CNPJ>01027058000191</CNPJ>"
        "<tBand>02</tBand><cAut>777</cAut></card></pag><pag><tPag>1</tPag><vPag>41.68</vPag></pag>"
    )
    doc = read(nfe_proc_xml(Note(pag=pag, version="3.10"))).document
    assert doc is not None
    assert doc.layout_version == "3.10"
    assert [(p.type, p.amount, p.card_brand) for p in doc.payments] == [
        ("03", D("50.00"), "02"),
        ("01", D("41.68"), None),
    ]
    assert doc.change == D("0")
    assert doc.warnings == ()


def test_layout_200_date_only() -> None:
    doc = read(nfe_proc_xml(Note(dh_emi="<dEmi>2012-05-04</dEmi>", version="2.00"))).document
    assert doc is not None
    assert doc.issued_at == datetime(2012, 5, 4, 0, 0, tzinfo=timezone(timedelta(hours=-3)))
    assert any("dEmi" in w for w in doc.warnings)


def test_offsets_are_kept() -> None:
    for raw, hours in (("-02:00", -2), ("-05:00", -5), ("+00:00", 0)):
        doc = read(nfe_xml(Note(dh_emi=f"<dhEmi>2018-01-25T20:20:27{raw}</dhEmi>"))).document
        assert doc is not None
        assert doc.issued_at.utcoffset() == timedelta(hours=hours)
    naive = read(nfe_xml(Note(dh_emi="<dhEmi>2018-01-25T20:20:27</dhEmi>"))).document
    assert naive is not None and naive.issued_at.utcoffset() == timedelta(hours=-3)
    assert any("fuso" in w for w in naive.warnings)


def test_zero_padded_series() -> None:
    note = Note(series="001")
    doc = read(nfe_xml(note)).document
    assert doc is not None and doc.series == 1 and doc.key_valid


def test_no_consumer_and_trade_name_fallback() -> None:
    xml = nfe_xml(Note(dest="")).replace("<xFant>Loja Modelo</xFant>", "")
    doc = read(xml).document
    assert doc is not None
    assert doc.customer_document is None and doc.customer_name is None
    assert doc.store_name == "LOJA MODELO LTDA"


def test_key_check_digit_mismatch_is_reported() -> None:
    good = Note().access_key()
    bad = good[:43] + str((int(good[43]) + 1) % 10)
    result = read(nfe_proc_xml(Note(key=bad)))
    doc = result.document
    assert doc is not None and doc.key == bad and not doc.key_valid
    assert any("Dígito verificador" in w for w in doc.warnings)


# ---- totals checks -------------------------------------------------------------------------


def test_total_mismatches_are_warnings() -> None:
    total = DEFAULT_TOTAL.replace("<vProd>94.73</vProd>", "<vProd>94.70</vProd>").replace(
        "<vDesc>4.80</vDesc>", "<vDesc>4.00</vDesc>"
    )
    pag = DEFAULT_PAG.replace("<vTroco>8.32</vTroco>", "")
    result = read(nfe_proc_xml(Note(total=total, pag=pag)))
    assert result.kind == DocumentKind.SALE
    doc = result.document
    assert doc is not None
    text = " | ".join(doc.warnings)
    assert "Soma dos itens (R$ 94,73)" in text
    assert "Soma dos descontos dos itens (R$ 4,80)" in text
    assert "Produtos − descontos + outros (R$ 92,45)" in text
    assert "Pagamentos (R$ 100,00) menos troco (R$ 0,00)" in text


def test_no_payment_group() -> None:
    doc = read(nfe_proc_xml(Note(pag=""))).document
    assert doc is not None and doc.payments == ()
    assert any("sem forma de pagamento" in w for w in doc.warnings)


def test_tender_90_without_amount() -> None:
    pag = "<pag><detPag><tPag>90</tPag></detPag></pag>"
    doc = read(nfe_proc_xml(Note(pag=pag))).document
    assert doc is not None
    assert [(p.type, p.amount) for p in doc.payments] == [("90", D("0"))]
    assert not any("Pagamentos" in w for w in doc.warnings)


# ---- invalid values ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["NaN", "1e9", "1_000.00", "12,50", "Infinity", "", "abc"])
def test_bad_money_is_a_rejection_not_a_guess(value: str) -> None:
    total = DEFAULT_TOTAL.replace("<vNF>91.68</vNF>", f"<vNF>{value}</vNF>")
    result = read(nfe_proc_xml(Note(total=total)))
    assert result.kind == DocumentKind.REJECTED
    assert result.reason is not None and result.reason.startswith(REASON_INVALID_DOCUMENT)
    assert "vNF" in result.reason


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<emit><CNPJ>11222333000181</CNPJ>", "<emit>"),
        ("<nNF>4321</nNF>", ""),
        ("<dhEmi>2026-04-15T18:09:32-03:00</dhEmi>", "<dhEmi>ontem</dhEmi>"),
        ("<tpAmb>1</tpAmb>", ""),
        ("<cProd>CAM-P-AZ</cProd>", ""),
        ("<qCom>2.0000</qCom>", ""),
        ('Id="NFe', 'Id="X'),
    ],
)
def test_missing_or_invalid_required_field(old: str, new: str) -> None:
    xml = nfe_proc_xml()
    assert old in xml
    result = read(xml.replace(old, new, 1))
    assert result.kind == DocumentKind.REJECTED
    assert result.reason is not None and result.reason.startswith(REASON_INVALID_DOCUMENT)


def test_unexpected_errors_never_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(_: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(nfce, "read_note", explode)
    result = read(nfe_proc_xml())
    assert result.kind == DocumentKind.REJECTED and result.reason == REASON_INTERNAL


# ---- cancellation events -------------------------------------------------------------------


def _proc_evento(key: str, **kwargs: int) -> str:
    tp_evento = kwargs.get("tp_evento", 110111)
    return (
        f'<procEventoNFe versao="1.00" xmlns="{NS}">'
        f"{evento_xml(key, tp_evento=tp_evento, tp_amb=kwargs.get('tp_amb', 1))}"
        f"{ret_evento_xml(key, c_stat=kwargs.get('c_stat', 135), tp_evento=tp_evento, tp_amb=kwargs.get('tp_amb', 1))}"
        "</procEventoNFe>"
    )


def test_cancellation_event() -> None:
    key = Note().access_key()
    result = read(_proc_evento(key))
    assert result.kind == DocumentKind.CANCELLATION
    assert result.key == key
    info = result.cancellation
    assert info is not None
    assert (info.key, info.event_type, info.protocol) == (key, 110111, "135260000000099")
    assert info.reason == "Cliente desistiu da compra"
    assert info.registered_at is not None and info.substitute_key is None


def test_late_cancellation_155() -> None:
    assert read(_proc_evento(Note().access_key(), c_stat=155)).kind == DocumentKind.CANCELLATION


def test_cancellation_by_substitution() -> None:
    key = Note().access_key()
    substitute = Note(number=5000, tp_emis=9).access_key()
    xml = (
        f'<procEventoNFe versao="1.00" xmlns="{NS}">'
        f"{evento_xml(key, tp_evento=110112, ref=substitute)}"
        f"{ret_evento_xml(key, tp_evento=110112)}</procEventoNFe>"
    )
    result = read(xml)
    assert result.kind == DocumentKind.CANCELLATION
    assert result.cancellation is not None
    assert result.cancellation.event_type == 110112
    assert result.cancellation.substitute_key == substitute


def test_event_not_registered_or_not_a_cancellation() -> None:
    key = Note().access_key()
    for xml, reason in (
        (_proc_evento(key, c_stat=573), REASON_EVENT_NOT_REGISTERED),
        (_proc_evento(key, c_stat=136), REASON_EVENT_NOT_REGISTERED),
        (_proc_evento(key, tp_evento=110110), REASON_EVENT_NOT_CANCELLATION),
    ):
        result = read(xml)
        assert result.kind == DocumentKind.REJECTED
        assert result.reason is not None and result.reason.startswith(reason), result.reason


def test_event_answer_of_another_key() -> None:
    key = Note().access_key()
    other = Note(number=77).access_key()
    xml = f'<procEventoNFe xmlns="{NS}">{evento_xml(key)}{ret_evento_xml(other)}</procEventoNFe>'
    result = read(xml)
    assert result.kind == DocumentKind.REJECTED
    assert result.reason is not None and "outra chave" in result.reason


def test_event_request_alone_proves_nothing() -> None:
    key = Note().access_key()
    xml = f'<envEvento xmlns="{NS}" versao="1.00"><idLote>1</idLote>{evento_xml(key)}</envEvento>'
    result = read(xml)
    assert result.kind == DocumentKind.REJECTED and result.reason == REASON_EVENT_REQUEST_ONLY


def test_bare_answers() -> None:
    key = Note().access_key()
    ret = ret_evento_xml(key).replace("<retEvento ", f'<retEvento xmlns="{NS}" ')
    assert read(ret).kind == DocumentKind.CANCELLATION
    env = f'<retEnvEvento xmlns="{NS}"><cStat>128</cStat>{ret_evento_xml(key)}</retEnvEvento>'
    result = read(env)
    assert result.kind == DocumentKind.CANCELLATION
    assert result.cancellation is not None and result.cancellation.key == key


def test_homologation_event_is_rejected_but_read() -> None:
    key = Note().access_key()
    result = read(_proc_evento(key, tp_amb=2))
    assert result.kind == DocumentKind.REJECTED and result.reason == REASON_HOMOLOGATION
    assert result.cancellation is not None and result.cancellation.key == key


def test_embedded_cancellation_of_another_key_is_ignored() -> None:
    other = Note(number=77).access_key()
    result = read(nfe_proc_xml(extra=ret_evento_xml(other)))
    doc = result.document
    assert result.kind == DocumentKind.SALE and doc is not None
    assert doc.cancellation is None
    assert any("outra chave" in w for w in doc.warnings)


def test_embedded_proc_evento_carries_the_justification() -> None:
    note = Note()
    key = note.access_key()
    inner = f"<procEventoNFe>{evento_xml(key)}{ret_evento_xml(key)}</procEventoNFe>"
    doc = read(nfe_proc_xml(note, extra=inner)).document
    assert doc is not None and doc.cancellation is not None
    assert doc.cancellation.reason == "Cliente desistiu da compra"


def test_embedded_unregistered_event_does_not_cancel() -> None:
    key = Note().access_key()
    doc = read(nfe_proc_xml(extra=ret_evento_xml(key, c_stat=573))).document
    assert doc is not None and doc.cancellation is None
    assert any("ignorado" in w for w in doc.warnings)


# ---- other roots ---------------------------------------------------------------------------


def test_voided_range() -> None:
    xml = f'<procInutNFe xmlns="{NS}" versao="4.00"><inutNFe><infInut/></inutNFe></procInutNFe>'
    assert read(xml).reason == REASON_VOIDED_RANGE


def test_other_xml_is_not_fiscal() -> None:
    result = read("<html><body><p>oi</p></body></html>")
    assert result.kind == DocumentKind.REJECTED
    assert result.reason == f"{REASON_NOT_FISCAL}: raiz <html>"


# ---- read_path -----------------------------------------------------------------------------


def test_read_path_cases(tmp_path: Path) -> None:
    assert read_path(tmp_path / "nada.xml").reason == REASON_NOT_FOUND
    assert read_path(tmp_path).reason == REASON_NOT_A_FILE
    good = tmp_path / "venda.xml"
    good.write_text(nfe_proc_xml(), encoding="utf-8")
    assert read_path(good).kind == DocumentKind.SALE
    big = tmp_path / "grande.xml"
    with big.open("wb") as handle:
        handle.truncate(nfce.MAX_FILE_BYTES + 1)  # sparse: size says too large, nothing read
    assert read_path(big).reason == REASON_TOO_LARGE


def test_read_path_never_reads_past_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cresce.xml"
    path.write_bytes(b"<a>" + b"x" * (nfce.MAX_FILE_BYTES + 10) + b"</a>")
    real_stat = Path.stat

    class SmallStat:
        st_size = 10
        st_mode = real_stat(path).st_mode

    def fake_stat(self: Path, **kwargs: object) -> object:
        return SmallStat() if self == path else real_stat(self)

    # The file "grew" between stat() and read(): the cap still holds.
    monkeypatch.setattr(Path, "stat", fake_stat)
    assert read_path(path).reason == REASON_TOO_LARGE
