"""The one hardened XML parser of cwflow: every uploaded BPMN or DMN goes through `parse_xml`.

Why: SpiffWorkflow parses with lxml's default parser, which resolves entities. An upload could
read local files, fetch URLs or expand an entity bomb. Here a document type declaration is refused
outright (before parsing, in whatever encoding the document claims, and again after parsing), the
parser never loads a DTD, resolves an entity or touches the network, and the size is capped.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

__all__ = ["XmlError", "UnsafeXmlError", "XmlSyntaxError", "parse_xml"]

DEFAULT_MAX_BYTES = 2_000_000

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# How "<?" starts in encodings without a byte order mark (XML 1.0, appendix F).
_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_FORBIDDEN_MARKUP = ("<!doctype", "<!entity")
DTD_REFUSED = "不允许 DOCTYPE 或 ENTITY 声明（可能是实体扩展攻击；不接受 DTD 和实体）"


class XmlError(ValueError):
    """An upload that is not acceptable XML; `code` names the problem for translation."""

    code = "xml"

    def __init__(self, message: str, *, source: str = "upload") -> None:
        super().__init__(message)
        self.message = message
        self.source = source


class UnsafeXmlError(XmlError):
    """The document is refused for safety: not bytes, too large, or declares a DTD/entities."""

    code = "unsafe_xml"


class XmlSyntaxError(XmlError):
    """The document is not well-formed XML; `line` is where the parser gave up."""

    code = "xml_syntax"

    def __init__(self, message: str, *, line: int | None = None, source: str = "upload") -> None:
        super().__init__(message, source=source)
        self.line = line


def _sniff_encoding(data: bytes) -> str:
    """The encoding a parser would read `data` in, so the DOCTYPE check sees the same text."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    for prefix, name in _PREFIXES:
        if data.startswith(prefix):
            return name
    declared = _DECLARED_ENCODING.match(data)
    return declared.group(1).decode("ascii") if declared else "utf-8"


def _refuse_dtd_in_raw(data: bytes, source: str) -> None:
    """Refuse a DOCTYPE/ENTITY declaration however the document encodes it (UTF-16, UTF-7 ...)."""
    encoding = _sniff_encoding(data)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UnsafeXmlError(f"{source}：不支持的字符编码 '{encoding}'", source=source) from None
    text = data.decode(encoding, errors="replace").lower()
    # Also look at the bytes as ASCII, in case the declared encoding hides the markup.
    raw = data.lower()
    for marker in _FORBIDDEN_MARKUP:
        if marker in text or marker.encode("ascii") in raw:
            raise UnsafeXmlError(
                f"{source}：{DTD_REFUSED}",
                source=source,
            )


def _parser() -> etree.XMLParser:
    """A fresh parser per call (lxml parsers are not thread-safe) that never resolves anything."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(data: bytes, *, source: str = "upload", max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse an uploaded XML document safely and return its root element.

    Raises `UnsafeXmlError` for anything refused on safety grounds and `XmlSyntaxError` (with
    `line`) for malformed XML. Nothing is ever read from disk or the network, and no entity is
    ever expanded, so entity bombs are refused before any work is done.
    """
    if isinstance(data, bytearray):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise UnsafeXmlError(
            f"{source}：XML 须以字节（bytes）提供，而不是 {type(data).__name__}", source=source
        )
    if len(data) > max_bytes:
        raise UnsafeXmlError(
            f"{source}：文件有 {len(data)} 字节，超过上限 {max_bytes} 字节",
            source=source,
        )
    _refuse_dtd_in_raw(data, source)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        detail = f"：{exc.msg}" if exc.msg else ""
        raise XmlSyntaxError(f"{source}：XML 格式不正确{detail}", line=line, source=source) from None
    except (ValueError, LookupError) as exc:  # e.g. an encoding lxml cannot convert
        raise XmlSyntaxError(f"{source}：无法读取 XML：{exc}", source=source) from None
    if root is None:
        raise XmlSyntaxError(f"{source}：文件为空", source=source)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXmlError(
            f"{source}：{DTD_REFUSED}",
            source=source,
        )
    return root
