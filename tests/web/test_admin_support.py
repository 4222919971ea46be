"""Helpers the administration tests share (this module holds no tests of its own)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo-pass-2026"
RESIGNATION_BPMN = (ROOT / "workflows" / "resignation.bpmn").read_bytes()
RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}


def login(client, username: str = "admin") -> str:  # noqa: ANN001
    """Sign in through the login page; returns the CSRF token of the new session."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return csrf(client)


def csrf(client) -> str:  # noqa: ANN001
    """A CSRF token of the signed-in session, read from a page (the 403 page has one too)."""
    page = client.get("/admin/definitions").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post_json(client, url: str, body: dict, token: str | None):  # noqa: ANN001, ANN201
    headers = {"Accept": "application/json"}
    if token:
        headers["X-CSRFToken"] = token
    return client.post(url, json=body, headers=headers)


def renamed(bpmn: bytes, old: str = "受理审查", new: str = "受理并审查") -> bytes:
    changed = bpmn.replace(f'name="{old}"'.encode(), f'name="{new}"'.encode(), 1)
    assert changed != bpmn
    return changed


def lane_named(bpmn: bytes, lane_id: str, name: str) -> bytes:
    changed = re.sub(rf'(<bpmn:lane id="{lane_id}" name=")[^"]*(")'.encode(), rb"\g<1>" + name.encode() + rb"\g<2>", bpmn)
    assert changed != bpmn
    return changed


def test_the_log_and_the_admin_pages_name_what_printing_lacks(browser_as, monkeypatch, caplog):
    from web import create_app, host_check

    monkeypatch.setattr(host_check, "_weasyprint_loads", lambda: False)
    monkeypatch.setattr(host_check, "_has_cjk_font", lambda: False)
    host_check.missing_for_printing.cache_clear()
    try:
        with caplog.at_level("WARNING", logger="cwflow.host"):
            create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
        assert "审批表 PDF 不能生成，服务器缺少：WeasyPrint 或 Pango（apt-get install libpango-1.0-0 " \
               "libpangoft2-1.0-0）；中文字体（apt-get install fonts-noto-cjk）" in caplog.text
        page = browser_as("admin").html("/admin/users")
        assert 'id="printing-warning"' in page and "中文字体（apt-get install fonts-noto-cjk）" in page
    finally:
        monkeypatch.undo()
        host_check.missing_for_printing.cache_clear()
    assert 'id="printing-warning"' not in browser_as("admin").html("/admin/users")  # this host has both
