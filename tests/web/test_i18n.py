"""Languages: Chinese by default, English on request, and an English text for every page message."""

from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from config.roles import ROLES
from engine.core import words

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# The staff and public pages (tests/web/test_admin_i18n.py checks the administrators' pages).
TEMPLATES = ["base.html", "macros", "inbox", "tasks", "start", "instances", "workers", "public", "errors", "auth"]
MODULES = ["web/auth_views.py", *(f"web/views/{name}.py" for name in (
    "pages", "inbox", "tasks", "start", "instances", "workers", "public", "schema_form", "case_context"))]


def _messages() -> set[str]:
    found: set[str] = set()
    for entry in TEMPLATES:
        path = ROOT / "web" / "templates" / entry
        for file in [path] if path.is_file() else sorted(path.rglob("*.html")):
            for _, message, _, _ in extract_from_file("jinja2", str(file), options={"extensions": "jinja2.ext.i18n"}):
                found.add(message if isinstance(message, str) else message[0])
    for module in MODULES:
        for _, message, _, _ in extract_from_file("python", str(ROOT / module),
                                                  keywords={"_": None, "_l": None, "gettext": None}):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_page_message_and_role_name_has_an_english_text():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    english = {message.id: message.string for message in catalog if message.id and message.string}
    shown = (words.STATUS_WORDS, words.OUTCOME_WORDS, words.TASK_STATUS_WORDS, words.WORKER_STATUS_WORDS,
             words.EVENT_WORDS)  # the pages translate the engine's words (web/views/pages.py)
    wanted = _messages() | {role.name_zh for role in ROLES} | {word for vocabulary in shown for word in vocabulary.values()}
    assert sorted(wanted - set(english)) == []


def test_pages_are_chinese_by_default_and_english_after_switching(browser_as):
    hr = browser_as("hr_s01")
    page = hr.html("/inbox")
    assert 'lang="zh-CN"' in page and "待办任务" in page and "街道人事" in page
    response = hr.post("/locale", {"locale": "en", "next": "/inbox"}, page="/inbox")
    assert response.status_code == 302 and response.location == "/inbox"
    page = hr.html("/inbox")
    assert 'lang="en"' in page and "<h1>Inbox</h1>" in page and "Street HR" in page and "Sign out" in page
    hr.post("/locale", {"locale": "zh_CN"}, page="/inbox")
    assert "待办任务" in hr.html("/inbox")


def test_the_language_switch_refuses_foreign_redirects_and_needs_a_token(browser_as):
    visitor = browser_as()
    response = visitor.post("/locale", {"locale": "en", "next": "https://evil.example/"}, page="/login")
    assert response.location == "/"
    assert visitor.post("/locale", {"locale": "en"}, token=False).status_code == 400
