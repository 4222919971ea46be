"""The user's own pages of the approval operations: the bell and the notifications list, cases copied
to me (抄送), the out-of-office proxy (代理人) in my settings, the Excel exports of the lists, and an
English text for every message these pages show."""

import re
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from openpyxl import load_workbook

from tests.helpers import complete, open_task
from tests.operations.ops_support import REVIEW_OK
from tests.web.pagetools import task_id_of
from tests.web.test_ops_pages import flashes, follow

ROOT = Path(__file__).resolve().parents[2]


def bell(page: str) -> str:
    found = re.search(r'<span class="bell-count" id="bell-count">([^<]+)</span>', page)
    return found.group(1) if found else "0"


# -- the bell and the notifications ------------------------------------------------------------------

def test_the_bell_counts_unread_notifications_which_are_read_one_by_one_or_all(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-BELL")
    hr = browser_as("hr_s01")
    assert bell(hr.html("/inbox")) == "1"  # the new review is a task notice for the street's HR
    hr.post("/notifications/read-all", page="/notifications")
    assert bell(hr.html("/inbox")) == "0" and 'aria-label="通知（0 条未读）"' in hr.html("/inbox")
    complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
    decision = open_task(as_user("leader_s01"), case["id"], "street_decision")["id"]
    as_user("leader_s01").post(f"/api/v1/tasks/{decision}/return", json={"target": "street_review",
                                                                         "reason": "请补充交接清单"})
    as_user("leader_s01").post(f"/api/v1/instances/{case['id']}/cc", json={"users": ["hr_s01"], "note": "请阅"})
    unread = int(bell(hr.html("/inbox")))  # the return (and the review it reopens) and the copy
    assert unread >= 2

    page = hr.html("/notifications")
    assert "已退回" in page and "请补充交接清单" in page and "抄送" in page and "请阅" in page
    assert page.count('class="notification unread') == unread
    ids = re.findall(r'action="/notifications/(\d+)/read"', page)
    assert len(ids) == unread
    assert browser_as("hr_s02").post(f"/notifications/{ids[0]}/read", page="/inbox").status_code == 404
    read = hr.post(f"/notifications/{ids[0]}/read", {"next": "/notifications?unread=1"}, page="/notifications")
    assert read.location == "/notifications?unread=1"
    assert bell(hr.html("/notifications?unread=1")) == str(unread - 1)

    opened = hr.post(f"/notifications/{ids[-1]}/open", page="/notifications")
    assert opened.location.startswith("/tasks/") or opened.location == f"/instances/{case['id']}"
    all_read = hr.post("/notifications/read-all", page="/notifications")
    assert f"已将 {unread - 2} 条通知标为已读。" in follow(hr, all_read)
    assert bell(hr.html("/inbox")) == "0" and "没有未读通知。" in hr.html("/notifications?unread=1")
    assert hr.post("/notifications/read-all", token=False).status_code == 400


def test_a_notification_leads_to_the_open_task_it_is_about(browser_as, resignation, as_user):
    case = resignation(1, "S01C01")
    complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
    decision = open_task(as_user("leader_s01"), case["id"], "street_decision")["id"]
    leader = browser_as("leader_s01")
    page = leader.html("/notifications")
    note = re.search(r'action="/notifications/(\d+)/open"', page).group(1)
    opened = leader.post(f"/notifications/{note}/open", page="/notifications")
    assert opened.location == f"/tasks/{decision}"


# -- copied to me (抄送) ------------------------------------------------------------------------------

def test_a_case_is_copied_once_to_colleagues_who_see_it_and_listed_for_them(browser_as, resignation):
    case = resignation(1, "S01C01", "RES-CC")
    url = f"/instances/{case['id']}"
    hr = browser_as("hr_s01")
    form = re.search(r'<details class="op" id="op-cc">.*?</details>', hr.html(url), re.S).group(0)
    assert 'value="leader_s01"' in form and 'value="civil_d01"' in form and "hr_s02" not in form

    nobody = hr.post(f"{url}/cc", {}, page=url)
    assert "请选择抄送对象。" in flashes(follow(hr, nobody))
    outside = hr.post(f"{url}/cc", {"users": ["leader_s01", "hr_s02"]}, page=url)
    assert any(f.startswith("抄送对象不在本案件的组织范围内") for f in flashes(follow(hr, outside)))
    done = hr.post(f"{url}/cc", {"users": ["leader_s01", "civil_d01"], "note": "请知悉"}, page=url)
    page = follow(hr, done)
    assert "已抄送给：第一街道分管领导、区民政局。" in page and "已抄送：第一街道分管领导" in page
    again = hr.post(f"{url}/cc", {"users": ["leader_s01"]}, page=url)
    assert "所选人员已收到过本案件的抄送，没有重复发送。" in follow(hr, again)
    assert "抄送给：第一街道分管领导" in hr.html(url)

    leader = browser_as("leader_s01")
    copies = leader.html("/inbox?box=copied")
    assert "RES-CC" in copies and "请知悉" in copies and "未读" in copies and "抄送我的" in copies
    copy_id = re.search(r'action="/copies/(\d+)/open"', copies).group(1)
    assert browser_as("civil_d01").post(f"/copies/{copy_id}/open", page="/inbox").status_code == 404
    opened = leader.post(f"/copies/{copy_id}/open", page="/inbox")
    assert opened.location == url
    assert "RES-CC" not in leader.html("/inbox?box=copied&unread=1")
    assert "RES-CC" not in browser_as("hr_s02").html("/inbox?box=copied")
    assert browser_as("hr_s02").post(f"{url}/cc", {"users": ["hr_s02"]}, page="/inbox").status_code == 404


# -- my settings: the out-of-office proxy (代理人) -----------------------------------------------------

def test_a_leader_names_a_proxy_who_then_decides_on_their_behalf(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-PROXY")
    complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
    decision = open_task(as_user("leader_s01"), case["id"], "street_decision")["id"]
    leader = browser_as("leader_s01")
    page = leader.html("/settings")
    options = re.search(r'<select id="proxy-proxy".*?</select>', page, re.S).group(0)
    assert 'value="civil_d01"' in options and "hr_s02" not in options and "leader_s02" not in options
    today, later = date.today(), date.today() + timedelta(days=5)

    outside = leader.post("/settings/proxies", {"proxy": "leader_s02", "starts_on": today.isoformat(),
                                                "ends_on": later.isoformat()}, page="/settings")
    assert outside.status_code == 200 and "代理人不在本人的组织范围内，不能代理" in outside.get_data(as_text=True)
    backwards = leader.post("/settings/proxies", {"proxy": "civil_d01", "starts_on": later.isoformat(),
                                                  "ends_on": today.isoformat()}, page="/settings")
    text = backwards.get_data(as_text=True)
    assert 'id="proxy-ends_on-error">应不早于开始日期<' in text and 'value="civil_d01" selected' in text
    no_date = leader.post("/settings/proxies", {"proxy": "civil_d01", "starts_on": "", "ends_on": "x"},
                          page="/settings")
    assert 'id="proxy-starts_on-error">请填写日期<' in no_date.get_data(as_text=True)

    saved = leader.post("/settings/proxies", {"proxy": "civil_d01", "starts_on": today.isoformat(),
                                              "ends_on": later.isoformat(), "process_key": "resignation",
                                              "reason": "外出学习"}, page="/settings")
    page = follow(leader, saved)
    assert f"已设置代理人：civil_d01，{today.isoformat()} 至 {later.isoformat()}。" in page and "外出学习" in page

    civil = browser_as("civil_d01")
    task_page = civil.html(f"/tasks/{decision}")
    assert "您正作为代理人代 第一街道分管领导 办理此任务" in task_page and 'class="task-submit"' in task_page
    assert civil.post(f"/tasks/{decision}", {"decision": "approve", "comment": "代为审批"},
                      page=f"/tasks/{decision}").status_code == 302
    trail = civil.html(f"/instances/{case['id']}")
    assert '<span class="on-behalf">区民政局 代 第一街道分管领导' in trail

    proxy_id = re.search(r'action="/settings/proxies/(\d+)/revoke"', leader.html("/settings")).group(1)
    assert browser_as("hr_s02").post(f"/settings/proxies/{proxy_id}/revoke", page="/settings").status_code == 404
    revoked = leader.post(f"/settings/proxies/{proxy_id}/revoke", page="/settings")
    page = follow(leader, revoked)
    assert "已撤销代理：leader_s01 → civil_d01。" in page and "已撤销" in page
    assert leader.post("/settings/proxies", {"proxy": "civil_d01"}, token=False).status_code == 400


# -- Excel exports of the lists --------------------------------------------------------------------

def _sheet(response) -> list[tuple]:  # noqa: ANN001
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(BytesIO(response.get_data()), read_only=True)
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


def test_the_inbox_and_the_case_list_export_to_excel_with_their_filters_in_scope(browser_as, resignation):
    resignation(1, "S01C01", "RES-XL-1")
    resignation(2, "S01C01", "RES-XL-2")
    resignation(4, "S02C01", "RES-XL-S02")
    hr = browser_as("hr_s01")
    assert 'href="/inbox/export.xlsx?box=open"' in hr.html("/inbox?box=open")
    rows = _sheet(hr.get("/inbox/export.xlsx?box=open"))
    assert rows[0][:6] == ("案件", "案件标题", "业务编号", "人员", "流程", "步骤")
    assert {row[1] for row in rows[1:]} >= {"王晓梅的辞职申请", "李建国的辞职申请"}
    assert {row[4] for row in rows[1:]} == {"辞职审批"} and {row[6] for row in rows[1:]} == {"街道人事"}
    keys = {row[2] for row in rows[1:]}
    assert {"RES-XL-1", "RES-XL-2"} <= keys and "RES-XL-S02" not in keys
    only = _sheet(hr.get("/inbox/export.xlsx?box=open&q=RES-XL-2"))
    assert [row[2] for row in only[1:]] == ["RES-XL-2"]

    assert 'href="/instances/export.xlsx?q=RES-XL-1"' in hr.html("/instances?q=RES-XL-1")
    cases = _sheet(hr.get("/instances/export.xlsx?q=RES-XL"))
    assert cases[0][:6] == ("案件", "标题", "流程", "业务编号", "组织单位", "人员")
    assert sorted(row[3] for row in cases[1:]) == ["RES-XL-1", "RES-XL-2"]
    assert {row[5] for row in cases[1:]} == {"王晓梅", "李建国"}
    assert {row[1] for row in cases[1:]} == {"王晓梅的辞职申请", "李建国的辞职申请"}
    words = {cell for row in cases[1:] for cell in row[2:9]}
    assert {"辞职审批", "第一街道阳光社区", "办理中", "第一街道人事"} <= words
    assert not words & {"resignation", "running", "S01C01", "hr_s01"}
    codes = re.compile(r"\b(?:[A-Z]\d{2}(?:C\d{2})?|[a-z]+_[a-z0-9_]+|resignation|running|open)\b|[0-9a-f]{8}-[0-9a-f]{4}-")
    cells = [cell for sheet in (rows, cases) for row in sheet for cell in row if isinstance(cell, str)]
    assert [cell for cell in cells if codes.search(cell)] == []  # every cell, headings included
    assert browser_as().get("/instances/export.xlsx").status_code == 302  # to the login page


def test_the_inbox_export_keeps_the_box(browser_as, resignation):
    case = resignation(1, "S01C01", "RES-XL-MINE")
    hr = browser_as("hr_s01")
    hr.post(f"/inbox/tasks/{task_id_of(case)}/claim", page="/inbox")
    assert [r[2] for r in _sheet(hr.get("/inbox/export.xlsx?box=mine"))[1:]] == ["RES-XL-MINE"]
    assert "RES-XL-MINE" not in {r[2] for r in _sheet(hr.get("/inbox/export.xlsx?box=open"))[1:]}


# -- languages ---------------------------------------------------------------------------------------

def test_every_message_of_the_operation_pages_has_an_english_text(browser_as):
    found: set[str] = set()
    for file in sorted((ROOT / "web" / "templates" / "ops").glob("*.html")):
        for _, message, _, _ in extract_from_file("jinja2", str(file), options={"extensions": "jinja2.ext.i18n"}):
            found.add(message if isinstance(message, str) else message[0])
    for name in ("ops_pages", "me_pages"):
        for _, message, _, _ in extract_from_file("python", str(ROOT / "web" / "views" / f"{name}.py"),
                                                  keywords={"_": None, "_l": None, "gettext": None}):
            found.add(message if isinstance(message, str) else message[0])
    with (ROOT / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        english = {m.id for m in read_po(handle) if m.id and m.string}
    assert sorted(found - english) == []

    hr = browser_as("hr_s01")
    hr.post("/locale", {"locale": "en", "next": "/settings"}, page="/settings")
    page = hr.html("/settings")
    assert "<h1>My settings</h1>" in page and "Copied to me" in page and "Notifications (0 unread)" in page
