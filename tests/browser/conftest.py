"""A live server on its own SQLite file and Debian's Chromium driven by Playwright.

The server runs in a thread on a free 127.0.0.1 port with committed demo data, so it never touches
the shared test database. Without /usr/bin/chromium every browser test is skipped with the reason.
"""

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PASSWORD = "demo-pass-2026"


@dataclass
class LiveServer:
    app: object
    url: str


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from cli.demo import load_demo
    from cli.migrate import upgrade
    from cli.workflows import deploy_shipped
    from web import create_app
    from web.extensions import db

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    upgrade(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "browser-test-secret",
                      "SESSION_COOKIE_SECURE": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        load_demo(db.session)
        with app.test_request_context():
            deploy_shipped()
        db.session.remove()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise here
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed at /usr/bin/chromium (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class Console:
    """Every console error and uncaught page error of a browser context."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page) -> None:  # noqa: ANN001
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))


@pytest.fixture
def new_page(browser, live_server):  # noqa: ANN001, ANN201
    """`new_page(width, height)` → (page, console) in a fresh browser context (its own cookies)."""
    contexts = []

    def make(width: int = 1280, height: int = 900):  # noqa: ANN202
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        console = Console()
        console.watch(page)
        return page, console

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def login(live_server):  # noqa: ANN001, ANN201
    """`login(page, username)`: through the login form, landing in the inbox."""

    def sign_in(page, username: str) -> None:  # noqa: ANN001
        page.goto(f"{live_server.url}/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("form.login button[type=submit]")
        page.wait_for_url("**/inbox**")

    return sign_in


@pytest.fixture
def shot():  # noqa: ANN201
    """`shot(page, name)`: a full-page screenshot in test-artifacts/screenshots/NAME.png."""

    def take(page, name: str) -> None:  # noqa: ANN001
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def journey(new_page, login, live_server):  # noqa: ANN001, ANN201
    """Sign in as one role after another; every page's console errors are kept together."""

    class Journey:
        def __init__(self) -> None:
            self.errors: list[str] = []

        def as_user(self, username: str, width: int = 1280, height: int = 900):  # noqa: ANN202
            page, console = new_page(width, height)
            page.on("dialog", lambda dialog: dialog.accept())  # confirmations of returns, withdrawals, …
            console.errors = self.errors  # the console's listeners append to this one list
            login(page, username)
            return page

        def work(self, username: str, key: str, step: str, fill) -> None:  # noqa: ANN001
            """`username` opens `step` of case `key` from the inbox, fills it and submits it."""
            page = self.as_user(username)
            page.goto(f"{live_server.url}/inbox?box=open")
            page.locator("tr", has_text=key).get_by_role("link", name=step).click()
            page.wait_for_url("**/tasks/*")
            fill(page)
            page.get_by_role("button", name="提交").click()
            page.wait_for_url("**/inbox")
            assert f"已提交：{step}" in page.locator(".flash.success").inner_text()
            page.context.close()

    return Journey()
