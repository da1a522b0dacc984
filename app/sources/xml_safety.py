"""Parse untrusted XML bytes with lxml, refusing what could hurt: DTDs and entities (billion
laughs, external entities reaching files or the network), oversized input, excessive nesting.

Everything refused raises `XmlRejected` with a Portuguese reason from `nfce_reasons`.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from lxml import etree

from app.sources.nfce_reasons import (
    REASON_BINARY,
    REASON_DTD,
    REASON_EMPTY,
    REASON_MALFORMED,
    REASON_NOT_XML,
    REASON_TOO_DEEP,
    REASON_TOO_LARGE,
    with_detail,
)

# An NFC-e is a few KB; a 990-item NF-e stays under 1 MB.
MAX_FILE_BYTES = 2 * 1024 * 1024
# A real NF-e nests about 10 levels (Signature ~8, imposto ~7); wrappers add a few.
MAX_DEPTH = 64

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_WHITESPACE = b" \t\r\n"
# One pass over the bytes for any of the markers (a note's qrCode CDATA already holds "<!").
_DTD_MARKERS = re.compile(rb"<!(?:DOCTYPE|ENTITY|doctype)")

# True when some element sits deeper than MAX_DEPTH: evaluated once, in C.
_TOO_DEEP = etree.XPath("boolean(/*" + "/*" * MAX_DEPTH + ")")

_local = threading.local()


class XmlRejected(Exception):
    """The bytes are not acceptable XML; `reason` is Portuguese, `details` go to the log."""

    def __init__(self, reason: str, details: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


def _parser() -> Any:
    # lxml parsers must not be shared between threads: one per thread.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            attribute_defaults=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            strip_cdata=True,
            collect_ids=False,
            recover=False,
        )
        _local.parser = parser
    return parser


def _describe_non_xml(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return with_detail(REASON_BINARY, "parece um ZIP (use a importação de ZIP)")
    if head.startswith(b"%PDF"):
        return with_detail(REASON_BINARY, "parece um PDF (DANFE), não o XML")
    sample = head[:512]
    if b"\x00" in sample:
        return REASON_BINARY
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is still text.
        try:
            sample[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return REASON_BINARY
    return REASON_NOT_XML


def parse_xml(data: bytes) -> Any:
    """The root element of `data`, parsed safely; raises XmlRejected."""
    if len(data) > MAX_FILE_BYTES:
        raise XmlRejected(REASON_TOO_LARGE, f"{len(data)} bytes > {MAX_FILE_BYTES}")
    if not data.startswith(_UTF16_BOMS):
        # A UTF-8 BOM or stray whitespace before the declaration is common and harmless.
        if data.startswith(_UTF8_BOM):
            data = data[len(_UTF8_BOM) :]
        data = data.lstrip(_WHITESPACE)
        if not data:
            raise XmlRejected(REASON_EMPTY)
        if not data.startswith(b"<"):
            raise XmlRejected(_describe_non_xml(data))
        # Refused before parsing: nothing of a DTD is ever processed.
        if _DTD_MARKERS.search(data):
            raise XmlRejected(REASON_DTD)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        if "depth" in message.lower():
            raise XmlRejected(REASON_TOO_DEEP, message) from exc
        line = getattr(exc, "lineno", None)
        detail = f"linha {line}" if line else None
        raise XmlRejected(with_detail(REASON_MALFORMED, detail), message) from exc
    except (ValueError, TypeError) as exc:  # e.g. bytes lxml refuses outright
        raise XmlRejected(REASON_MALFORMED, repr(exc)) from exc
    docinfo = root.getroottree().docinfo
    # Catches DTDs the byte scan could not see (UTF-16 input).
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise XmlRejected(REASON_DTD)
    if _TOO_DEEP(root):
        raise XmlRejected(REASON_TOO_DEEP, f"deeper than {MAX_DEPTH}")
    return root
