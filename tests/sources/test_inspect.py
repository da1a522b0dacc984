"""`ponte-bling inspect`: JSON lines and the Portuguese human output, on the real samples."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.sources.document import DocumentKind
from app.sources.nfce import read_path
from app.sources.nfce_reasons import REASON_NOT_A_FILE, REASON_NOT_FOUND
from tests.sources.test_nfce_reader import nfe_proc_xml
from tests.sources.test_nfce_samples import EVENT_FILE, EXPECTED

REQUIRED_FIELDS = {
    "file",
    "kind",
    "reason",
    "key",
    "model",
    "environment",
    "number",
    "series",
    "issued_at",
    "store_cnpj",
    "customer_document",
    "total",
    "discount",
    "change",
    "items",
    "payments",
    "authorized",
    "cancelled",
    "cancels_key",
    "warnings",
}
ITEM_FIELDS = {"code", "gtin", "description", "quantity", "unit_price", "total", "discount"}
PAYMENT_FIELDS = {"type", "description", "amount", "card_brand", "authorization_code"}
TWO_DECIMALS = re.compile(r"^-?\d+\.\d{2}$")
AT_LEAST_TWO_DECIMALS = re.compile(r"^-?\d+\.\d{2,}$")


def _run(args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--data-dir", str(tmp_path / "data"), "inspect", *args])
    return code, capsys.readouterr().out


def _json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_json_on_every_sample(
    samples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted(samples_dir.glob("*.xml"))
    code, out = _run(["--json", *map(str, files)], tmp_path, capsys)
    assert code == 0
    lines = _json_lines(out)
    assert [line["file"] for line in lines] == [str(f) for f in files]
    for path, line in zip(files, lines, strict=True):
        assert set(line) >= REQUIRED_FIELDS, path.name
        result = read_path(path)
        assert line["kind"] == str(result.kind)
        assert line["reason"] == result.reason
        assert line["key"] == result.key
        assert line["warnings"] == list(result.warnings)
        doc = result.document
        if doc is None:
            assert line["items"] == [] and line["total"] is None
            continue
        assert line["model"] == doc.model and line["environment"] == doc.environment
        assert (line["number"], line["series"]) == (doc.number, doc.series)
        assert line["issued_at"] == doc.issued_at.isoformat()
        assert re.search(r"[+-]\d{2}:\d{2}$", line["issued_at"])
        assert line["store_cnpj"] == doc.store_cnpj
        assert line["customer_document"] == doc.customer_document
        for money_field in ("total", "discount", "change"):
            assert TWO_DECIMALS.match(line[money_field]), (money_field, line[money_field])
        assert Decimal(line["total"]) == doc.totals.total
        assert Decimal(line["discount"]) == doc.totals.discount
        assert Decimal(line["change"]) == doc.change
        assert line["authorized"] is doc.authorization.authorized
        assert line["cancelled"] is (doc.cancellation is not None)
        assert line["cancels_key"] is None
        assert len(line["items"]) == len(doc.items)
        for item_json, item in zip(line["items"], doc.items, strict=True):
            assert set(item_json) >= ITEM_FIELDS
            assert item_json["code"] == item.code and item_json["gtin"] == item.gtin
            assert TWO_DECIMALS.match(item_json["total"]) and TWO_DECIMALS.match(
                item_json["discount"]
            )
            assert AT_LEAST_TWO_DECIMALS.match(item_json["unit_price"])
            assert Decimal(item_json["unit_price"]) == item.unit_price  # never rounded away
            if item.unit_price == item.unit_price.quantize(Decimal("0.01")):
                assert TWO_DECIMALS.match(item_json["unit_price"])
            # Quantities exactly as written in the XML.
            assert Decimal(item_json["quantity"]) == item.quantity
            assert item_json["quantity"] == format(item.quantity, "f")
        assert len(line["payments"]) == len(doc.payments)
        for pay_json, payment in zip(line["payments"], doc.payments, strict=True):
            assert set(pay_json) >= PAYMENT_FIELDS
            assert pay_json["type"] == payment.type
            assert TWO_DECIMALS.match(pay_json["amount"])
            assert Decimal(pay_json["amount"]) == payment.amount
            assert pay_json["card_brand"] == payment.card_brand


def test_json_figures_stated(
    samples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [
        "fiscaut-v4__nfce-exemplo.xml",
        "sped-da__nfce112_1.xml",
        EVENT_FILE,
        "nfelib__35180834128745000152550010000476491552806942-nfe.xml",
        "br_invoices_pdf__cfe.xml",
    ]
    _, out = _run(["--json", *(str(samples_dir / n) for n in names)], tmp_path, capsys)
    sale, cancelled, event, purchase, sat = _json_lines(out)

    assert sale["kind"] == "sale" and sale["reason"] is None
    assert sale["total"] == "155.37" and sale["discount"] == "0.00" and sale["change"] == "0.00"
    assert sale["issued_at"] == "2026-04-15T18:09:32-03:00"
    assert sale["authorized"] is True and sale["cancelled"] is False
    assert sale["payments"] == [
        {
            "type": "04",
            "description": None,
            "amount": "155.37",
            "card_brand": "99",
            "authorization_code": "000372",
            "integration_type": 1,
            "acquirer_cnpj": "10440482000669",
        }
    ]
    cheese = sale["items"][3]
    assert (cheese["code"], cheese["quantity"], cheese["unit_price"], cheese["total"]) == (
        "2100",
        "0.2980",
        "74.98",  # vUnCom 74.9800000000: two decimals, same value
        "22.34",
    )

    assert cancelled["kind"] == "rejected" and cancelled["cancelled"] is True
    assert cancelled["total"] == "30.00" and len(cancelled["items"]) == 4

    assert event["cancels_key"] == "41160908380787000176650010000000811778821925"
    assert event["kind"] == "rejected"  # homologation event, but still read

    assert purchase["kind"] == "rejected" and "compra" in purchase["reason"]
    assert purchase["total"] == "879.68" and len(purchase["items"]) == 16  # figures kept

    assert (
        sat["kind"] == "rejected" and sat["reason"] == EXPECTED["br_invoices_pdf__cfe.xml"].reason
    )
    assert sat["items"] == [] and sat["total"] is None


def test_cancellation_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.sources.test_nfce_reader import NS, Note, evento_xml, ret_evento_xml

    key = Note().access_key()
    path = tmp_path / "cancel.xml"
    path.write_text(
        f'<procEventoNFe xmlns="{NS}">{evento_xml(key)}{ret_evento_xml(key)}</procEventoNFe>',
        encoding="utf-8",
    )
    code, out = _run(["--json", str(path)], tmp_path, capsys)
    (line,) = _json_lines(out)
    assert code == 0
    assert line["kind"] == str(DocumentKind.CANCELLATION)
    assert line["cancels_key"] == key and line["key"] == key
    assert line["cancellation"]["reason"] == "Cliente desistiu da compra"


def test_missing_files_and_directories(
    samples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = samples_dir / "fiscaut-v4__nfce-exemplo.xml"
    missing = tmp_path / "nao-existe.xml"
    code, out = _run(["--json", str(good), str(missing), str(tmp_path)], tmp_path, capsys)
    assert code == 1
    ok, gone, folder = _json_lines(out)
    assert ok["kind"] == "sale"
    assert (gone["kind"], gone["reason"]) == ("rejected", REASON_NOT_FOUND)
    assert (folder["kind"], folder["reason"]) == ("rejected", REASON_NOT_A_FILE)


def test_exit_code_zero_when_everything_was_read(
    samples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "quebrado.xml"
    broken.write_bytes(b"<nfeProc><NFe>")
    code, out = _run([str(broken), str(samples_dir / "br_invoices_pdf__cfe.xml")], tmp_path, capsys)
    assert code == 0
    assert "REJEITADO: XML malformado" in out
    assert "REJEITADO: CF-e SAT ainda não suportado" in out


def test_human_output_in_portuguese(
    samples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(
        [
            str(samples_dir / "fiscaut-v4__nfce-exemplo.xml"),
            str(samples_dir / "sped-da__NFCeProd1.xml"),
        ],
        tmp_path,
        capsys,
    )
    assert code == 0
    assert "VENDA autorizada pela SEFAZ (protocolo 135262540515626)" in out
    assert "3526 0467 4396 3800 0102 6501 2000 0119 5514 6229 5426" in out
    assert "NFC-e nº 11955, série 12" in out
    assert "15/04/2026 18:09" in out
    assert "CNPJ 67.439.638/0001-02" in out
    assert "MUSSARELA: 0,2980 KG × R$ 74,98 = R$ 22,34" in out
    assert "04 Cartão de débito: R$ 155,37, bandeira 99" in out
    assert "autorização 000372" in out
    assert "TOTAL R$ 155,37" in out
    assert "Avisos:" in out and "Pagamentos (R$ 0,94)" in out


def test_human_output_thousands_and_own_cnpj(
    samples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = samples_dir / "nfelib__35180834128745000152550010000476491552806942-nfe.xml"
    code, out = _run([str(path), "--cnpj-proprio", "34.128.745/0001-52"], tmp_path, capsys)
    assert code == 0
    assert "VENDA autorizada" in out
    assert "NF-e modelo 55" in out
    assert "TOTAL R$ 879,68" in out


def test_human_output_contingency_and_pending(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.sources.test_nfce_reader import Note, nfe_xml

    pending = tmp_path / "pendente.xml"
    pending.write_text(nfe_xml(), encoding="utf-8")
    offline = tmp_path / "offline.xml"
    offline.write_text(nfe_xml(Note(tp_emis=9)), encoding="utf-8")
    sold = tmp_path / "vendido.xml"
    sold.write_text(nfe_proc_xml(), encoding="utf-8")
    _, out = _run([str(pending), str(offline), str(sold)], tmp_path, capsys)
    assert "VENDA aguardando autorização da SEFAZ" in out
    assert "VENDA em contingência offline" in out
    assert "CPF 123.456.789-09 – FULANO" in out
    assert "Troco:       R$ 8,32" in out


def test_money_has_two_decimals_and_never_rounds_a_digit_away() -> None:
    from app.commands.inspect import money

    assert money(Decimal("10")) == "10.00"
    assert money(Decimal("17.9800000000")) == "17.98"
    assert money(Decimal("0.5")) == "0.50"
    assert money(Decimal("9.9011111")) == "9.9011111"
    assert money(Decimal("1E+3")) == "1000.00"
    assert money(Decimal("-2.10")) == "-2.10"
