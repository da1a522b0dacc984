"""The synthetic NFC-e generator: schema-valid files, nfelib parses them, the figures add up."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import nfelib
import pytest
from lxml import etree
from nfelib.nfe.bindings.v4_0.proc_nfe_v4_00 import NfeProc
from xsdata.formats.dataclass.parsers import XmlParser

from app.documents import cnpj_with_check_digits, is_valid_cnpj
from app.sources.document import DocumentKind
from app.sources.generator import (
    DEFAULT_STORE_CNPJS,
    CatalogEntry,
    GeneratedFile,
    catalog_from,
    default_catalog,
    generate_notes,
    render_cancellation,
    write_notes,
)
from app.sources.nfce import is_valid_access_key, read_document

NFELIB_DIR = Path(nfelib.__file__).parent
NS = {"n": "http://www.portalfiscal.inf.br/nfe"}


@pytest.fixture(scope="module")
def files() -> list[GeneratedFile]:
    return list(
        generate_notes(default_catalog(), 150, seed=7, cancel_ratio=0.1, contingency_ratio=0.1)
    )


@pytest.fixture(scope="module")
def schemas() -> dict[str, etree.XMLSchema]:
    def load(relative: str) -> etree.XMLSchema:
        return etree.XMLSchema(etree.parse(str(NFELIB_DIR / relative)))

    return {
        "proc": load("nfe/schemas/v4_0/procNFe_v4.00.xsd"),
        "nfe": load("nfe/schemas/v4_0/nfe_v4.00.xsd"),
        "cancel": load("nfe_evento_cancel/schemas/v1_0/procEventoCancNFe_v1.00.xsd"),
    }


def _d(root: etree._Element, path: str) -> Decimal:
    return Decimal(root.findtext(path, namespaces=NS))


def test_every_file_is_valid_against_the_official_schemas(
    files: list[GeneratedFile], schemas: dict[str, etree.XMLSchema]
) -> None:
    kinds = {f.kind for f in files}
    assert kinds == {"sale", "contingency", "authorized_copy", "cancellation"}
    for generated in files:
        schema = {
            "sale": "proc",
            "authorized_copy": "proc",
            "contingency": "nfe",
            "cancellation": "cancel",
        }[generated.kind]
        document = etree.fromstring(generated.content)
        assert schemas[schema].validate(document), (generated.name, schemas[schema].error_log)


def test_nfelib_parses_sales_and_the_totals_add_up(files: list[GeneratedFile]) -> None:
    parser = XmlParser()
    sales = [f for f in files if f.kind in ("sale", "authorized_copy")]
    assert len(sales) >= 100
    saw_change = saw_discount = saw_card = saw_fraction = False
    for generated in sales:
        proc = parser.from_bytes(generated.content, NfeProc)
        inf = proc.NFe.infNFe
        totals = inf.total.ICMSTot
        key = inf.Id[3:]
        assert key == proc.protNFe.infProt.chNFe == generated.key
        assert is_valid_access_key(key)
        assert proc.protNFe.infProt.cStat == "100"
        assert inf.ide.dhEmi.endswith("-03:00")
        assert is_valid_cnpj(inf.emit.CNPJ)
        assert key[6:20] == inf.emit.CNPJ
        items_gross = sum(Decimal(d.prod.vProd) for d in inf.det)
        items_discount = sum(Decimal(d.prod.vDesc or "0") for d in inf.det)
        assert items_gross == Decimal(totals.vProd)
        assert items_discount == Decimal(totals.vDesc)
        assert Decimal(totals.vNF) == Decimal(totals.vProd) - Decimal(totals.vDesc)
        paid = sum(Decimal(p.vPag) for p in inf.pag.detPag)
        change = Decimal(inf.pag.vTroco or "0")
        assert paid - change == Decimal(totals.vNF), generated.name
        saw_change |= change > 0
        saw_discount |= items_discount > 0
        saw_fraction |= any("." in d.prod.qCom.rstrip("0").rstrip(".") for d in inf.det)
        for payment in inf.pag.detPag:
            if payment.tPag in ("03", "04"):
                assert payment.card.tBand and payment.card.cAut
                saw_card = True
    assert saw_change and saw_discount and saw_card and saw_fraction


def test_the_reader_finds_what_was_generated(files: list[GeneratedFile]) -> None:
    for generated in files:
        result = read_document(generated.content)
        if generated.kind == "cancellation":
            assert result.kind == DocumentKind.CANCELLATION
            assert result.cancellation is not None
            assert result.cancellation.key == generated.cancels_key
            continue
        assert result.kind == DocumentKind.SALE, (generated.name, result.reason)
        note, document = generated.note, result.document
        assert note is not None and document is not None
        assert document.key == note.key and document.key_valid
        assert document.totals.total == note.total
        assert len(document.items) == len(note.lines)
        assert [i.code for i in document.items] == [line.entry.code for line in note.lines]
        assert sum(p.amount for p in document.payments) - document.change == note.total
        assert document.authorization.authorized == (generated.kind != "contingency")
        assert document.emission_mode == (9 if generated.kind != "sale" else 1)


def test_cancellations_and_authorised_copies_follow_their_sale(files: list[GeneratedFile]) -> None:
    seen: dict[str, str] = {}
    for generated in files:
        if generated.kind == "cancellation":
            assert seen.get(generated.key) == "sale"
            assert generated.name == f"110111{generated.key}01-procEventoNFe.xml"
        elif generated.kind == "authorized_copy":
            assert seen.get(generated.key) == "contingency"
        seen[generated.key] = generated.kind
    sales = [f for f in files if f.kind in ("sale", "contingency")]
    assert len(sales) == 150
    assert len({f.key for f in sales}) == 150


def test_same_seed_same_files_other_seed_other_files() -> None:
    catalog = default_catalog()
    first = [f.content for f in generate_notes(catalog, 20, seed=3)]
    again = [f.content for f in generate_notes(catalog, 20, seed=3)]
    other = [f.content for f in generate_notes(catalog, 20, seed=4)]
    assert first == again
    assert first != other


def test_given_catalogue_and_stores_are_used() -> None:
    catalog = [
        CatalogEntry("VAR-AZUL-P", "BLUSA AZUL P", "UN", Decimal("59.90"), "7891234567895"),
        CatalogEntry("QUEIJO", "QUEIJO MINAS KG", "KG", Decimal("42.00")),
    ]
    stores = [cnpj_with_check_digits("998877660001"), cnpj_with_check_digits("998877660002")]
    files = list(generate_notes(catalog, 40, seed=1, store_cnpjs=stores, cancel_ratio=0))
    codes = {line.entry.code for f in files if f.note for line in f.note.lines}
    assert codes == {"VAR-AZUL-P", "QUEIJO"}
    assert {f.note.store_cnpj for f in files if f.note} == set(stores)
    weighed = [line for f in files if f.note for line in f.note.lines if line.entry.weighed]
    assert any(line.quantity != line.quantity.to_integral_value() for line in weighed)


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        list(generate_notes(default_catalog(), 1, store_cnpjs=["11222333000100"]))
    with pytest.raises(ValueError):
        list(generate_notes([], 1))
    assert is_valid_cnpj(DEFAULT_STORE_CNPJS[0])
    assert not is_valid_cnpj("11222333000100")


def test_substitution_cancellation_names_the_substitute(
    schemas: dict[str, etree.XMLSchema],
) -> None:
    note = next(iter(generate_notes(default_catalog(), 1, seed=2))).note
    assert note is not None
    substitute = "35261211222333000181650010000000021000000025"
    content = render_cancellation(
        note.key,
        store_cnpj=note.store_cnpj,
        note_protocol=note.protocol,
        at=note.issued_at + timedelta(minutes=5),
        event_protocol="135260000000999",
        event_type=110112,
        substitute_key=substitute,
    )
    result = read_document(content)
    assert result.kind == DocumentKind.CANCELLATION
    assert result.cancellation is not None
    assert result.cancellation.event_type == 110112
    assert result.cancellation.substitute_key == substitute


def test_write_notes_writes_complete_files(tmp_path: Path) -> None:
    paths = write_notes(tmp_path, None, 12, seed=5, cancel_ratio=0.5, by_month=True)
    assert len(paths) >= 12
    assert all(p.suffix == ".xml" and p.stat().st_size > 1000 for p in paths)
    assert not list(tmp_path.rglob("*.part"))
    assert (tmp_path / "eventos").is_dir()
    root = etree.parse(str(paths[0])).getroot()
    assert _d(root, ".//n:ICMSTot/n:vNF") > 0


def test_simulator_demo_catalogue_can_feed_the_generator() -> None:
    from app.simulator.seed import demo_catalog

    demo = demo_catalog()
    catalog = catalog_from(demo)
    active = [e for e in demo if e.active]
    assert [e.code for e in catalog] == [e.code for e in active]
    files = list(generate_notes(catalog, 10, seed=1, cancel_ratio=0))
    for generated in files:
        assert read_document(generated.content).kind == DocumentKind.SALE
        assert generated.note is not None
        assert {line.entry.code for line in generated.note.lines} <= {e.code for e in active}


def test_a_day_of_generated_sales_looks_like_a_real_shop() -> None:
    """Several items, variations' SKUs, split tenders, cards with brand, cash with change,
    discounts, and only occasional cancellations (default ratio)."""
    files = list(generate_notes(default_catalog(), 400, seed=11))
    sales = [f.note for f in files if f.kind == "sale" and f.note is not None]
    cancellations = [f for f in files if f.kind == "cancellation"]
    assert len(sales) == 400
    line_counts = [len(note.lines) for note in sales]
    assert max(line_counts) >= 6 and sum(n >= 3 for n in line_counts) > len(sales) // 3
    codes = {line.entry.code for note in sales for line in note.lines}
    assert any(code.startswith("CAM-BAS-") for code in codes)  # variations, never the parent
    assert any(code.startswith("TEN-") for code in codes)
    tenders = {payment.type for note in sales for payment in note.payments}
    assert {"01", "03", "04", "17"} <= tenders
    split = [note for note in sales if len(note.payments) >= 2]
    assert len(split) >= 10 and any({p.type for p in n.payments} >= {"01"} for n in split)
    cards = [p for note in sales for p in note.payments if p.type in ("03", "04")]
    assert cards and all(p.card_brand and p.authorization_code for p in cards)
    assert len({p.card_brand for p in cards}) >= 3
    assert sum(note.change > 0 for note in sales) >= 20
    assert sum(any(line.discount for line in note.lines) for note in sales) >= 40
    assert 0 < len(cancellations) < len(sales) * 0.06
