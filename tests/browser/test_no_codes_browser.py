"""Every page a person reads speaks in names and words, never in the codes the system stores.

A crawler signs in as each demo role on the demo data (the demo cases at their several stages), follows
the navigation and every case, task, worker, notification, copy, user and administration page it can
reach, and reads each page as a person sees it: no login names, unit codes, process keys, snake_case
status, role or field codes, UUIDs, 'None'/'null'/'undefined', and no console errors. Business keys
such as DEMO-RES-RETURNED or CW-2026-0001 are what people write on paper, so they may show.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest

from cli.demo import ORGS, USERS

pytestmark = pytest.mark.browser

ROLES = ("hr_s01", "leader_s01", "sec_s01c01", "civil_d01", "org_d01", "swd_d01", "admin")
MAX_PAGES = 90

USERNAMES = re.compile(r"(?<![\w.@-])(?:" + "|".join(re.escape(u) for u, *_ in USERS if u != "admin")
                       + r")(?![\w-])")
ORG_CODES = re.compile(r"(?<![\w-])(?:" + "|".join(code for code, *_ in ORGS) + r")(?![\w-])")
PROCESS_KEYS = re.compile(r"(?<![\w-])(?:resignation|secondment|dismissal|recruitment|annual_assessment|"
                          r"contract_renewal|leave|transfer|retirement|elected_member)(?![\w-])")
WORDS = re.compile(r"(?<![\w-])(?:running|completed|cancelled|approved|rejected|withdrawn|open|error|active|"
                   r"probation|seconded|resigned|dismissed|approve|reject)(?![\w-])")
SNAKE = re.compile(r"(?<![\w-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EMPTY = re.compile(r"(?<![\w-])(?:None|null|undefined|NaN)(?![\w-])")
CHECKS = {"login name": USERNAMES, "unit code": ORG_CODES, "process key": PROCESS_KEYS, "status word": WORDS,
          "snake_case code": SNAKE, "UUID": UUID, "empty value": EMPTY}

# pages to read, and those a crawler must never press (downloads, signing out, the editors' drafts)
FOLLOW = re.compile(r"^/(?:inbox(?:/done)?|start(?:/[\w-]+)?|instances(?:/\d+)?|tasks/[0-9a-f-]{36}|workers(?:/\d+)?"
                    r"|copies|notifications|settings|recruitments/\d+(?:/scores|/selection)?"
                    r"|admin(?:/[\w-]+)*)/?$")


def findings(text: str) -> list[str]:
    """What a person should not read on this text: each code once, with the words around it."""
    found: dict[str, str] = {}
    for kind, pattern in CHECKS.items():
        for match in pattern.finditer(text):
            around = " ".join(text[max(0, match.start() - 25):match.end() + 25].split())
            found.setdefault(match.group(0), f"{kind} {match.group(0)!r} in “{around}”")
    return list(found.values())


def test_the_checks_catch_codes_and_let_peoples_words_pass():
    """The crawler's eye: it must see real codes and must not mistake ordinary text for one."""
    for code in ("hr_s01", "S01C01", "依据 resignation #1", "street_leader", "unfinished_business",
                 "6f1c2a9e-1b2c-4d5e-8f90-123456789abc", "None", "undefined", "状态 running"):
        assert findings(code), code
    for text in ("业务编号 CW-2026-0001", "DEMO-RES-RETURNED", "第一街道分管领导", "2026-11-25 10:00",
                 "示民〔2026〕1号", "审批表-3.pdf", "hr@example.org", "A4"):
        assert not findings(text), text


@pytest.fixture(scope="module")
def demo_cases(live_server):  # noqa: ANN001, ANN201
    """The demo's cases at their stages, as `cwflow demo` leaves them."""
    from cli.demo_cases import load_demo_cases
    from web.extensions import db

    with live_server.app.app_context():
        started = load_demo_cases(db.session)
        db.session.remove()
    return started


def _readable_text(page, path: str) -> str:  # noqa: ANN001
    """What a person reads: the page's text without the language switch and the scripts' sources. On
    the administration pages an identifier the administrator manages (a login name, a unit code, a
    process key, a form's file name) is set apart in <code> and left out; everywhere else nothing is."""
    return page.evaluate("""(admin) => {
        const body = document.body.cloneNode(true);
        body.querySelectorAll('script, style, template, form.locale, .skip').forEach(e => e.remove());
        if (admin) { body.querySelectorAll('main code').forEach(e => e.remove()); }
        return body.innerText; }""", path.startswith("/admin"))


def _links(page, base: str) -> list[str]:  # noqa: ANN001
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        parts = urlsplit(urljoin(base, href))
        if f"{parts.scheme}://{parts.netloc}" == base and FOLLOW.match(parts.path):
            found.append(parts.path + (f"?{parts.query}" if parts.query.startswith("box=") else ""))
    return found


def crawl(page, console, base: str) -> dict[str, list[str]]:  # noqa: ANN001
    """Every page reachable from the inbox, read once each: its problems by path."""
    queue, seen, problems, failed = ["/inbox"], set(), {}, []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        before, failed[:] = len(console.errors), []
        response = page.goto(base + path)
        page.wait_for_load_state("load")
        found = findings(_readable_text(page, path))
        if response is None or response.status >= 500:
            found.append(f"answered {response.status if response else 'nothing'}")
        found += [f"console: {error}" for error in console.errors[before:]] + [f"failed: {f}" for f in failed]
        if found:
            problems[path] = found
        if response is not None and response.status < 400:
            queue.extend(link for link in _links(page, base) if link not in seen)
    return {"pages": sorted(seen), **problems}


@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_speaks_in_names_and_words(new_page, live_server, demo_cases, login, username):
    page, console = new_page()
    login(page, username)
    report = crawl(page, console, live_server.url)
    pages = report.pop("pages")
    assert any(p.startswith("/instances/") for p in pages) or username in ("org_d01",), pages
    assert not report, "\n".join(f"{path}: {line}" for path, lines in report.items() for line in lines)
