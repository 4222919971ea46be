"""The inbox's four boxes as office staff know them: 待处理, 已处理, 我发起的 and 抄送我的, each
with its number on the tab, who started each case, when a task arrived, in the user's scope only."""

import re
from io import BytesIO

from openpyxl import load_workbook

from tests.helpers import complete
from tests.operations.ops_support import REVIEW_OK
from tests.web.pagetools import task_id_of


def tab_count(page: str, box: str) -> int:
    """The number a person reads on a tab (or on a view under 待处理 and 抄送我的)."""
    found = re.search(rf'data-(?:box|view)="{box}"[^>]*>[^<]*<span class="count[^"]*"[^>]*>(\d+)</span>', page)
    assert found, f"no tab {box}"
    return int(found.group(1))


def current_tab(page: str) -> str:
    return re.search(r'data-box="(\w+)" aria-current="page"', page).group(1)


def table_of(page: str) -> str:
    found = re.search(r"<table.*?</table>", page, re.S)
    return found.group(0) if found else ""


def row_of(page: str, text: str) -> str:
    end = page.index(text)
    return page[page.rindex("<tr", 0, end):page.index("</tr>", end)]


def add_colleague(app, username: str, display: str) -> None:  # noqa: ANN001
    from cli.demo import DEMO_PASSWORD, ensure_user
    from web.extensions import db

    with app.test_request_context():
        ensure_user(db.session, username, display, DEMO_PASSWORD, [("street_hr", "S01")])
        db.session.commit()


def add_worker(app, name: str, org_code: str) -> int:  # noqa: ANN001
    from datetime import date

    from engine.core import clock
    from engine.models import OrgUnit, Worker
    from web.extensions import db

    with app.test_request_context():
        org = db.session.get(OrgUnit, org_code)
        worker = Worker(name=name, gender="女", birth_date=date(1991, 4, 3), education="本科", org_code=org_code,
                        org_path=org.path, status="active", flags={}, data={},
                        contract={"type": "招聘", "start": "2023-01-01", "end": "2025-12-31"},
                        created_at=clock.now(), updated_at=clock.now())
        db.session.add(worker)
        db.session.commit()
        return worker.id


def sheet(response) -> list[tuple]:  # noqa: ANN001
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    return [tuple(r) for r in load_workbook(BytesIO(response.get_data()), read_only=True).active.iter_rows(values_only=True)]


def test_todo_counts_what_i_hold_and_may_claim_but_not_what_a_colleague_holds(browser_as, resignation, app):
    add_colleague(app, "hr_s01b", "人事专员周敏")
    resignation(1, "S01C01", "RES-FREE")
    mine = task_id_of(resignation(2, "S01C01", "RES-MINE"))
    theirs = task_id_of(resignation(add_worker(app, "陈芳", "S01C02"), "S01C02", "RES-THEIRS"))
    hr = browser_as("hr_s01")
    hr.post(f"/inbox/tasks/{mine}/claim", page="/inbox")
    browser_as("hr_s01b").post(f"/inbox/tasks/{theirs}/claim", page="/inbox")

    page = hr.html("/inbox")
    assert current_tab(page) == "todo"
    assert tab_count(page, "todo") == 2
    assert (tab_count(page, "mine"), tab_count(page, "open"), tab_count(page, "others")) == (1, 1, 1)
    listed = table_of(page)
    assert "RES-FREE" in listed and "RES-MINE" in listed and "RES-THEIRS" not in listed

    others = hr.html("/inbox?box=others")
    assert current_tab(others) == "todo" and "RES-THEIRS" in table_of(others)
    row = row_of(others, "RES-THEIRS")
    assert "由 人事专员周敏 认领" in row and "hr_s01b" not in row


def test_a_row_names_the_initiator_the_arrival_in_beijing_time_and_the_case(browser_as, resignation, app):
    add_colleague(app, "hr_s01b", "人事专员周敏")
    resignation(1, "S01C01", "RES-ROW", user="hr_s01b")
    page = browser_as("hr_s01").html("/inbox")
    heads = re.findall(r'<th scope="col">([^<]+)</th>', table_of(page))
    assert {"发起人", "到达时间", "期限"} <= set(heads)
    row = row_of(page, "RES-ROW")
    assert "王晓梅的辞职申请" in row and "人事专员周敏" in row and "hr_s01b" not in row
    # the suite's clock stands at 2026-11-25 10:00 in Beijing (02:00 UTC)
    assert re.search(r'data-label="到达时间">2026-11-25 10:\d\d<', row)


def test_done_lists_what_i_completed_and_counts_it(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-DONE-BOX")
    resignation(2, "S01C01", "RES-STILL-OPEN")
    complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
    hr = browser_as("hr_s01")
    page = hr.html("/inbox?box=done")
    assert current_tab(page) == "done" and tab_count(page, "done") == 1 and tab_count(page, "todo") == 1
    listed = table_of(page)
    assert "RES-DONE-BOX" in listed and "RES-STILL-OPEN" not in listed
    row = row_of(page, "RES-DONE-BOX")
    assert "受理审查" in row and "第一街道人事" in row and "办理中" in row and "hr_s01" not in row
    leader = browser_as("leader_s01").html("/inbox?box=done")
    assert tab_count(leader, "done") == 0 and "RES-DONE-BOX" not in leader


def test_started_lists_my_cases_with_the_step_they_are_at(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-STARTED-1")
    resignation(2, "S01C01", "RES-STARTED-2")
    complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
    hr = browser_as("hr_s01")
    page = hr.html("/inbox?box=started")
    assert current_tab(page) == "started" and tab_count(page, "started") == 2
    assert re.search(r'data-label="当前环节">街道审批', row_of(page, "RES-STARTED-1"))
    assert "受理审查" in row_of(page, "RES-STARTED-2") and "李建国的辞职申请" in row_of(page, "RES-STARTED-2")
    assert "办理中" in row_of(page, "RES-STARTED-2")
    searched = hr.html("/inbox?box=started&q=李建国")
    assert tab_count(searched, "started") == 1 and "RES-STARTED-1" not in table_of(searched)
    leader = browser_as("leader_s01").html("/inbox?box=started")
    assert tab_count(leader, "started") == 0 and "您还没有发起过案件。" in leader


def test_copied_shows_the_unread_number_on_its_tab_until_it_is_read(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-COPIED")
    assert as_user("hr_s01").post(f"/api/v1/instances/{case['id']}/cc",
                                  json={"users": ["leader_s01"], "note": "请阅"}).status_code in (200, 201)
    leader = browser_as("leader_s01")
    page = leader.html("/inbox?box=copied")
    assert current_tab(page) == "copied" and tab_count(page, "copied") == 1
    row = row_of(page, "RES-COPIED")
    assert "王晓梅的辞职申请" in row and "未读" in row and "请阅" in row and "第一街道人事" in row
    assert "hr_s01" not in row
    copy_id = re.search(r'action="/copies/(\d+)/read"', row).group(1)
    leader.post(f"/copies/{copy_id}/read", {"next": "/inbox?box=copied"}, page="/inbox")
    after = leader.html("/inbox?box=copied")
    assert tab_count(after, "copied") == 0 and "RES-COPIED" in table_of(after)  # read, still listed
    assert "RES-COPIED" not in leader.html("/inbox?box=copied&unread=1")


def test_a_user_of_another_street_sees_nothing_of_it_in_any_box(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-S01-ONLY")
    as_user("hr_s01").post(f"/api/v1/instances/{case['id']}/cc", json={"users": ["leader_s01"]})
    other = browser_as("hr_s02")
    for box in ("todo", "mine", "open", "others", "done", "started", "copied"):
        page = other.html(f"/inbox?box={box}")
        assert "RES-S01-ONLY" not in page and "王晓梅" not in page, box
        assert all(tab_count(page, tab) == 0 for tab in ("todo", "done", "started", "copied")), box
        assert not any("RES-S01-ONLY" in str(cell) for row in sheet(other.get(f"/inbox/export.xlsx?box={box}"))
                       for cell in row), box


def test_the_earlier_inbox_addresses_still_lead_to_their_box(browser_as, resignation):
    resignation(1, "S01C01", "RES-OLD-URL")
    hr = browser_as("hr_s01")
    assert hr.get("/inbox/done").location == "/inbox?box=done"
    assert hr.get("/copies").location == "/inbox?box=copied"
    assert hr.get("/copies?unread=1").location == "/inbox?box=copied&unread=1"
    for box in ("mine", "open", "others", "nonsense", ""):
        page = hr.html(f"/inbox?box={box}")
        assert current_tab(page) == "todo", box
    assert "RES-OLD-URL" in table_of(hr.html("/inbox?box=open"))
    assert 'data-view="open" aria-current="true"' in hr.html("/inbox?box=open")


def test_each_box_exports_what_it_lists_with_its_filters(browser_as, resignation, as_user):
    first = resignation(1, "S01C01", "RES-XB-1")
    resignation(2, "S01C01", "RES-XB-2")
    complete(as_user("hr_s01"), first["id"], "street_review", REVIEW_OK)
    as_user("hr_s01").post(f"/api/v1/instances/{first['id']}/cc", json={"users": ["leader_s01"]})
    hr = browser_as("hr_s01")
    assert 'href="/inbox/export.xlsx?box=done"' in hr.html("/inbox?box=done")
    done = sheet(hr.get("/inbox/export.xlsx?box=done"))
    assert [r[2] for r in done[1:]] == ["RES-XB-1"] and "第一街道人事" in done[1]
    started = sheet(hr.get("/inbox/export.xlsx?box=started&q=RES-XB-2"))
    assert [r[3] for r in started[1:]] == ["RES-XB-2"]
    todo = sheet(hr.get("/inbox/export.xlsx?box=todo"))
    assert {r[2] for r in todo[1:]} == {"RES-XB-2"}
    copied = sheet(browser_as("leader_s01").get("/inbox/export.xlsx?box=copied"))
    assert len(copied) == 2 and "王晓梅的辞职申请" in copied[1] and "未读" in copied[1]


def test_the_stage_filter_narrows_every_box(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-STAGE-1")
    resignation(2, "S01C01", "RES-STAGE-2")
    complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
    hr = browser_as("hr_s01")
    at_review = hr.html("/inbox?box=started&stage=street_review")
    assert "RES-STAGE-2" in table_of(at_review) and "RES-STAGE-1" not in table_of(at_review)
    assert tab_count(at_review, "started") == 1 and tab_count(at_review, "done") == 1
    assert tab_count(hr.html("/inbox?box=done&stage=handover"), "done") == 0
