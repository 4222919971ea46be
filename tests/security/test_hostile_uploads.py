"""Hostile XML through every upload path — engine.workflow.definitions.deploy, the admin upload
form, the modeler's validate and deploy — with entity bombs, external entities (file and http,
including the files of tests/fixtures/bpmn/hostile), XInclude and oversized bodies: refused
quickly with a clear answer, nothing read, fetched or stored, and the app still serving afterwards."""

import http.server
import io
import re
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.bpmn.xmlsafe import XmlError
from engine.models import Definition
from engine.workflow import definitions
from engine.workflow.definitions import DefinitionInvalid, Upload
from tests.conftest import PASSWORD
from tests.helpers import fixture_path
from web.extensions import db

ROOT = Path(__file__).resolve().parents[2]
SECRET = "cwflow-secret-marker-4711"
BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol9;'
                    b"</bpmn:definitions>")


@pytest.fixture
def secret_file(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.fixture
def http_server():
    """A local HTTP server that records every hit (an upload must never make one)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(SECRET.encode())

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def hostile_documents(secret_file: Path, url: str) -> dict[str, bytes]:
    bpmn = '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">{}</bpmn:definitions>'
    docs = {
        "billion laughs": BILLION_LAUGHS,
        "external file entity": (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY s SYSTEM "file://{secret_file}">]>'
                                 + bpmn.format("&s;")).encode(),
        "external http entity": (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY s SYSTEM "{url}/entity">]>'
                                 + bpmn.format("&s;")).encode(),
        "parameter entity": (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "{url}/dtd"> %p;]>'
                             + bpmn.format("")).encode(),
        "external DTD": f'<?xml version="1.0"?><!DOCTYPE d SYSTEM "{url}/dtd">{bpmn.format("")}'.encode(),
        "utf-16 doctype": ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY s SYSTEM '
                           f'"file://{secret_file}">]>' + bpmn.format("&s;")).encode("utf-16"),
        "xinclude": ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
                     f'xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file://{secret_file}" '
                     'parse="text"/></bpmn:definitions>').encode(),
    }
    hostile = fixture_path("bpmn/hostile")
    for path in sorted(hostile.rglob("*")):
        if path.is_file() and path.suffix in (".bpmn", ".dmn", ".xml"):
            docs[f"fixture {path.relative_to(hostile)}"] = path.read_bytes()
    return docs


def _definition_count(app) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Definition))


def _admin_page_client(client):  # noqa: ANN001
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token}).status_code == 302
    admin_page = client.get("/admin/definitions").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', admin_page).group(1)


def test_every_hostile_document_is_refused_on_every_upload_path(app, client, secret_file, http_server):
    url, hits = http_server
    before = _definition_count(app)
    csrf = _admin_page_client(client)
    docs = hostile_documents(secret_file, url)
    assert any(name.startswith("fixture") for name in docs)
    for name, data in docs.items():
        started = time.monotonic()
        with app.app_context(), pytest.raises((DefinitionInvalid, XmlError)):
            definitions.deploy(db.session, Upload(data, (), {}, source="hostile.bpmn"), actor="test")
        form = client.post("/admin/definitions/upload", data={"csrf_token": csrf, "bpmn": (io.BytesIO(data), "h.bpmn")},
                           content_type="multipart/form-data")
        assert form.status_code in (413, 422), (name, form.status_code)
        for path in ("/admin/modeler/validate", "/admin/modeler/deploy"):
            text = data.decode("utf-16" if name == "utf-16 doctype" else "utf-8", errors="replace")
            answer = client.post(path, json={"bpmn": text}, headers={"X-CSRFToken": csrf})
            assert answer.status_code < 500, (name, path, answer.status_code)
            assert answer.status_code in (200, 413, 422) and not (answer.get_json() or {}).get("ok"), (name, path)
            assert SECRET not in answer.get_data(as_text=True), (name, path)
        assert SECRET not in form.get_data(as_text=True), name
        assert time.monotonic() - started < 5, f"{name}: refusing took too long"
    assert hits == [], f"an upload made the server fetch {hits}"
    assert _definition_count(app) == before, "a hostile upload was stored"
    assert client.get("/healthz").status_code == 200


def test_an_oversized_diagram_is_refused_before_parsing(app, client):
    csrf = _admin_page_client(client)
    big = b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">' + b" " * 2_000_001
    with app.app_context(), pytest.raises((DefinitionInvalid, XmlError)):
        definitions.deploy(db.session, Upload(big + b"</bpmn:definitions>", (), {}), actor="test")
    response = client.post("/admin/definitions/upload", data={"csrf_token": csrf, "bpmn": (io.BytesIO(big), "b.bpmn")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


def test_a_request_body_over_the_limit_is_413_with_the_error_model_on_the_api(client):
    response = client.post("/api/v1/tokens", data=b"{" + b" " * (5 * 1024 * 1024) + b"}",
                           content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_after_a_run_of_hostile_uploads_a_good_diagram_still_deploys(app):
    bpmn = (ROOT / "bench/fixtures/bench_one_task.bpmn").read_bytes()
    forms = definitions.load_form_files(ROOT / "bench/fixtures")
    definitions._VERSIONS.clear()  # ids come back after rollbacks on SQLite
    with app.app_context():
        for _ in range(50):
            with pytest.raises((DefinitionInvalid, XmlError)):
                definitions.deploy(db.session, Upload(BILLION_LAUGHS, (), {}), actor="test")
        definition, created = definitions.deploy(db.session, Upload(bpmn, (), forms, source="b.bpmn"), actor="test")
        assert created and definition.key == "bench_one_task"
