"""The administrators' pages in English: every admin text has an English entry, an administrator who
switches to English sees English navigation and headings on every admin page, and Chinese stays
the default."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# (page, its <h1> in English, its <h1> in Chinese)
ADMIN_PAGES = [
    ("/admin/definitions", "Process definitions", "流程定义"),
    ("/admin/modeler", "Modeler New process", "流程建模 新流程"),
    ("/admin/forms", "Forms", "表单"),
    ("/admin/users", "Users and roles", "用户与角色"),
    ("/admin/orgs", "Org units", "组织单位"),
    ("/admin/tokens", "API tokens", "接口令牌"),
    ("/admin/calendar", "Working-day calendar", "工作日历"),
]
ENGLISH_TABS = ["Process definitions", "Modeler", "Forms", "Users and roles", "Org units", "API tokens",
                "Working-day calendar"]


def _extracted(method: str, files: list[Path], **options) -> set[tuple[str, str | None]]:  # noqa: ANN003
    found = set()
    for file in files:
        for _, message, _, context in extract_from_file(method, str(file), **options):
            found.add((message if isinstance(message, str) else message[0], context))
    return found


def _admin_messages() -> set[tuple[str, str | None]]:
    """(message, context) of the admin templates, views and the admin scripts' `_('…')` texts."""
    web = ROOT / "web"
    return (
        _extracted("jinja2", sorted((web / "templates" / "admin").glob("*.html")),
                   options={"extensions": "jinja2.ext.i18n"})
        | _extracted("python", sorted((web / "views").glob("admin*.py")),
                     keywords={"_": None, "_l": None, "gettext": None})
        | _extracted("javascript", sorted((web / "static" / "admin").glob("*.js")))
    )


def test_every_admin_page_and_script_message_has_an_english_text():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    wanted = _admin_messages()
    assert len(wanted) > 200, "the extraction found the admin texts"
    missing = sorted(f"{context or ''}|{message}" for message, context in wanted
                     if not (catalog.get(message, context=context) and catalog.get(message, context=context).string))
    assert missing == []


class _Chrome(HTMLParser):
    """The text of the page's title, its <nav> elements and its h1/h2 headings, without <code>
    (identifiers such as process keys are the same in every language)."""

    WATCHED = {"title", "nav", "h1", "h2"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.code = 0
        self.texts: dict[str, list[str]] = {tag: [] for tag in self.WATCHED}
        self.current: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: ARG002
        if tag == "code":
            self.code += 1
        elif tag in self.WATCHED:
            self.open.append(tag)
            self.current[tag] = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self.code -= 1
        elif tag in self.WATCHED and tag in self.open:
            self.open.remove(tag)
            self.texts[tag].append(" ".join("".join(self.current.pop(tag)).split()))

    def handle_data(self, data: str) -> None:
        if not self.code:
            for tag in self.open:
                self.current[tag].append(data)


def _chrome(html: str) -> dict[str, list[str]]:
    parser = _Chrome()
    parser.feed(html)
    return parser.texts


def _process_names(app) -> set[str]:  # noqa: ANN001
    """Deployed process names: data, shown in the language they were written in."""
    from engine.models import Definition
    from web.extensions import db

    with app.app_context():
        return set(db.session.scalars(select(Definition.name)))


def _leftover_chinese(texts: list[str], data: set[str]) -> list[str]:
    def without_data(text: str) -> str:
        for value in data:
            text = text.replace(value, "")
        return text

    return [text for text in texts if CJK.search(without_data(text))]


@pytest.mark.parametrize(("url", "english", "chinese"), ADMIN_PAGES)
def test_an_english_administrator_sees_english_navigation_and_headings(browser_as, app, url, english, chinese):
    admin = browser_as("admin")
    assert chinese in _chrome(admin.html(url))["h1"][0], "Chinese by default"
    admin.post("/locale", {"locale": "en", "next": url}, page=url)
    page = admin.html(url)
    chrome = _chrome(page)
    assert 'lang="en"' in page and chrome["h1"][0].startswith(english)
    assert all(tab in " ".join(chrome["nav"]) for tab in ENGLISH_TABS)
    shown = chrome["title"] + chrome["nav"] + chrome["h1"] + chrome["h2"]
    assert _leftover_chinese(shown, _process_names(app)) == []


def _json_script(page: str, element_id: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.DOTALL)
    return json.loads(found.group(1))


def test_english_reaches_the_admin_scripts_messages_and_the_views_own_texts(browser_as):
    admin = browser_as("admin")
    assert _json_script(admin.html("/admin/modeler"), "admin-text") == {}, "the scripts' Chinese is the default"
    admin.post("/locale", {"locale": "en", "next": "/admin/modeler"}, page="/admin/modeler")
    english = admin.html("/admin/modeler")
    texts = _json_script(english, "admin-text")
    assert texts["校验通过，可以部署。"] == "Valid: ready to deploy."
    assert texts["发现 %(count)s 处问题，已在图中标出。"] == "%(count)s problem(s) found, marked in the diagram."
    roles = {role["key"]: role for role in _json_script(english, "modeler-config")["roles"]}
    assert roles["street_hr"]["label"] == "Street HR" and roles["street_hr"]["name"] == "街道人事", \
        "lanes are still named in Chinese"
    refused = admin.post("/admin/definitions/upload", {}, page="/admin/definitions")
    assert refused.status_code == 422 and "Choose a .bpmn file" in refused.get_data(as_text=True)
    detail = admin.html("/admin/forms/brand_new.json?new=1")
    assert "<small>new form (not saved yet)</small>" in detail


def test_a_refused_admin_form_explains_itself_in_english(browser_as):
    admin = browser_as("admin")
    admin.post("/locale", {"locale": "en", "next": "/admin/tokens"}, page="/admin/tokens")
    response = admin.post("/admin/tokens", {"label": "", "hours": "-1", "user_id": "x"}, page="/admin/tokens")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Give a purpose (at most 100 characters)", "Validity is 0 (no expiry) or a positive number",
                    "Choose an active user"):
        assert message in page
    assert "请填写用途" not in page
