"""Hostile XML: the one XML parser refuses DTDs, entities and oversized uploads, quickly, reading nothing."""

import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from lxml import etree

from engine.bpmn import xmlsafe
from engine.bpmn.xmlsafe import UnsafeXmlError, XmlError, XmlSyntaxError, parse_xml
from tests.helpers import fixture_path

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MINIMAL = f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="d"/>'

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p"><bpmn:documentation>&lol9;</bpmn:documentation></bpmn:process>
</bpmn:definitions>
"""


def external_entity(url: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY secret SYSTEM "{url}">]>\n'
        f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="d"><bpmn:documentation>&secret;</bpmn:documentation>'
        "</bpmn:definitions>"
    ).encode()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-MARKER")
    return path


@pytest.fixture
def http_server():
    """A local HTTP server that counts requests, to prove nothing is fetched."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"FETCHED-MARKER")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/evil.dtd", hits
    server.shutdown()
    server.server_close()


def test_a_plain_bpmn_document_parses_to_its_root():
    root = parse_xml(MINIMAL.encode())
    assert root.tag == f"{{{BPMN_NS}}}definitions"


def test_the_error_kinds_are_siblings_under_xml_error():
    assert issubclass(UnsafeXmlError, XmlError) and issubclass(XmlSyntaxError, XmlError)
    assert not issubclass(UnsafeXmlError, XmlSyntaxError) and not issubclass(XmlSyntaxError, UnsafeXmlError)


@pytest.mark.parametrize("data", [MINIMAL, None, 42, Path("/etc/passwd")])
def test_anything_but_bytes_is_refused(data):
    with pytest.raises(UnsafeXmlError, match=r"XML 须以字节（bytes）提供，而不是 \w+"):
        parse_xml(data)


def test_an_oversized_upload_is_refused_before_parsing():
    data = b"<a>" + b"x" * 2_000_001 + b"</a>"
    started = time.monotonic()
    with pytest.raises(UnsafeXmlError, match="文件有 2000008 字节，超过上限 2000000 字节") as caught:
        parse_xml(data, source="big.bpmn")
    assert time.monotonic() - started < 0.5
    assert caught.value.code == "unsafe_xml" and "big.bpmn" in str(caught.value)


def test_the_size_limit_can_be_lowered():
    with pytest.raises(UnsafeXmlError):
        parse_xml(MINIMAL.encode(), max_bytes=10)


def test_billion_laughs_is_refused_fast_without_expansion():
    started = time.monotonic()
    with pytest.raises(UnsafeXmlError, match="不允许 DOCTYPE 或 ENTITY 声明（可能是实体扩展攻击"):
        parse_xml(BILLION_LAUGHS)
    assert time.monotonic() - started < 0.2


def test_an_external_file_entity_is_refused_and_nothing_is_read(secret_file: Path):
    with pytest.raises(UnsafeXmlError) as caught:
        parse_xml(external_entity(secret_file.as_uri()))
    assert "TOP-SECRET" not in str(caught.value)
    with pytest.raises(UnsafeXmlError):
        parse_xml(external_entity("file:///etc/passwd"))


def test_an_http_entity_is_refused_and_nothing_is_fetched(http_server):
    url, hits = http_server
    with pytest.raises(UnsafeXmlError):
        parse_xml(external_entity(url))
    dtd = f'<?xml version="1.0"?><!DOCTYPE d SYSTEM "{url}"><d/>'.encode()
    with pytest.raises(UnsafeXmlError):
        parse_xml(dtd)
    assert hits == []


def test_the_parser_itself_never_resolves_entities_even_past_the_doctype_check(secret_file, http_server):
    """Defence in depth: the lxml parser used is configured to resolve and fetch nothing."""
    url, hits = http_server
    for document in (external_entity(secret_file.as_uri()), external_entity(url), BILLION_LAUGHS):
        try:
            root = etree.fromstring(document, xmlsafe._parser())
        except etree.XMLSyntaxError:
            continue  # libxml2 may also refuse the bomb outright; either way nothing expands
        text = etree.tostring(root, encoding="unicode")
        assert "TOP-SECRET" not in text and "FETCHED" not in text and "lollollol" not in text
    assert hits == []


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"],
)
def test_a_doctype_cannot_hide_in_another_unicode_encoding(encoding):
    declared = encoding.replace("-sig", "").replace("-le", "").replace("-be", "").upper()
    document = f'<?xml version="1.0" encoding="{declared}"?><!DOCTYPE d [<!ENTITY e "x">]><d>&e;</d>'
    with pytest.raises(UnsafeXmlError):
        parse_xml(document.encode(encoding))


def test_a_doctype_cannot_hide_in_utf7():
    document = b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE d +AFs-+ADw-!ENTITY e "x"+AD4-+AF0-+AD4-+ADw-d/+AD4-'
    with pytest.raises(UnsafeXmlError):
        parse_xml(document)


@pytest.mark.parametrize("marker", [b"<!doctype", b"<!DocType", b"<!ENTITY"])
def test_doctype_detection_ignores_case(marker):
    with pytest.raises(UnsafeXmlError):
        parse_xml(b'<?xml version="1.0"?>' + marker + b" d><d/>")


def test_a_utf16_document_without_doctype_parses():
    document = '<?xml version="1.0" encoding="UTF-16"?><d name="街道人事"/>'
    assert parse_xml(document.encode("utf-16")).get("name") == "街道人事"


def test_an_unknown_encoding_is_refused():
    with pytest.raises(UnsafeXmlError, match="不支持的字符编码 'x-no-such'"):
        parse_xml(b'<?xml version="1.0" encoding="x-no-such"?><d/>')


def test_xinclude_is_not_processed(secret_file):
    document = (
        f'<d xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="{secret_file.as_uri()}" parse="text"/></d>'
    ).encode()
    assert "TOP-SECRET" not in etree.tostring(parse_xml(document), encoding="unicode")


@pytest.mark.parametrize(
    ("data", "line"),
    [(b"", 1), (b"<a>", 1), (b"<a>\n<b>\n</a>", 3), (b"not xml at all", 1), (b"<a>&undefined;</a>", 1)],
)
def test_malformed_xml_is_a_syntax_error_with_a_line(data, line):
    with pytest.raises(XmlSyntaxError) as caught:
        parse_xml(data, source="bad.bpmn")
    assert caught.value.line == line
    assert caught.value.code == "xml_syntax" and str(caught.value).startswith("bad.bpmn：")


@pytest.mark.parametrize(
    "relative",
    ["xxe-local-file.bpmn", "xxe-network.bpmn", "billion-laughs.bpmn", "external-dtd.xml",
     "xxe-parameter-entity.dmn"],
)
def test_the_hostile_uploads_are_refused(relative):
    path = fixture_path(f"bpmn/hostile/{relative}")
    started = time.monotonic()
    with pytest.raises(UnsafeXmlError):
        parse_xml(path.read_bytes(), source=path.name)
    assert time.monotonic() - started < 0.2


def test_the_parser_survives_many_hostile_uploads_in_a_row():
    """The worker survives; nothing accumulates and each refusal stays fast."""
    started = time.monotonic()
    for _ in range(200):
        with pytest.raises(UnsafeXmlError):
            parse_xml(BILLION_LAUGHS)
    assert time.monotonic() - started < 2.0
    assert parse_xml(MINIMAL.encode()) is not None
