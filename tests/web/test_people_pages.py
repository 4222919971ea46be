"""Pages speak in people's words: a case is called by its title, people by their names, a returned
or reopened step says who sent it back and why with the form filled again, and the case page shows
the approval timeline (done, now, next, and what a waiting case waits for)."""

import html
import re
from datetime import date, timedelta

from engine.core.words import case_title
from engine.models import Worker
from engine.records.workers import change_status
from tests.helpers import complete, open_task, said_at_some_minute
from tests.web.pagetools import task_id_of
from web.extensions import db

REVIEW_OK = {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"}
LEAVING_ON = (date.today() + timedelta(days=30)).isoformat()
CODES = ("hr_s01", "leader_s01", "resignation", "street_leader", "street_hr", "approval_variant",
         "latest_end_date", "protections_at_start", "S01C01", "· v1")


def text_of(page: str) -> str:
    """What a person reads: the page below the account header, without markup, scripts and pickers
    (a picker names accounts so that two people of one name can be told apart)."""
    page = page[page.find("</header>") + 1:]
    page = re.sub(r"<(script|select|template)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<div class="choices user-choices">.*?</div>', " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def assert_no_codes(text: str) -> None:
    assert [code for code in CODES if code in text] == []


def returned_case(resignation, as_user) -> tuple[dict, str]:  # noqa: ANN001
    case = resignation(1, "S01C01")
    complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
    decision = open_task(as_user("leader_s01"), case["id"], "street_decision")["id"]
    returned = as_user("leader_s01").post(f"/api/v1/tasks/{decision}/return",
                                          json={"target": "street_review", "reason": "请补充交接清单"})
    assert returned.status_code == 200, returned.get_json()
    return case, open_task(as_user("hr_s01"), case["id"], "street_review")["id"]


def test_a_case_is_called_by_its_title_in_the_api_and_every_list(browser_as, resignation, as_user):
    case = resignation(1, "S01C01")
    assert case["title"] == "王晓梅的辞职申请"
    task = open_task(as_user("hr_s01"), case["id"], "street_review")
    assert task["case_title"] == "王晓梅的辞职申请" and task["title"] == "受理审查"
    detail = as_user("hr_s01").get(f"/api/v1/tasks/{task['id']}").get_json()
    assert detail["case_title"] == "王晓梅的辞职申请" and detail["context"]["instance"]["title"] == "王晓梅的辞职申请"
    hr = browser_as("hr_s01")
    for url in ("/inbox", "/instances", f"/instances/{case['id']}", "/notifications"):
        text = text_of(hr.html(url))
        assert "王晓梅的辞职申请" in text, url
        assert_no_codes(text)
    assert "新待办：「受理审查」（王晓梅的辞职申请）" in text_of(hr.html("/notifications"))
    as_user("hr_s01").post(f"/api/v1/instances/{case['id']}/cc", json={"users": ["leader_s01"], "note": "请阅"})
    leader = browser_as("leader_s01")
    assert "第一街道人事 抄送给您：王晓梅的辞职申请" in text_of(leader.html("/notifications"))
    assert "王晓梅的辞职申请" in text_of(leader.html("/inbox?box=copied"))


def test_a_dismissal_and_a_campaign_get_their_own_titles(as_user):
    fired = as_user("hr_s01").post("/api/v1/processes/dismissal/instances", json={
        "org": "S01C01", "data": {"worker_id": 2, "grounds": ["serious_breach"], "facts": "多次旷工"}})
    assert fired.status_code == 201, fired.get_json()
    assert fired.get_json()["title"] == "对李建国的辞退"
    assert case_title("dismissal", "辞退审批", {}, "王晓梅") == "对王晓梅的辞退"
    assert case_title("secondment", "借调审批", {}, "王晓梅") == "王晓梅的借调申请"
    assert case_title("recruitment", "招聘", {"title": "2027年示范区社区工作者招聘"}, None) == "2027年示范区社区工作者招聘"
    assert case_title("resignation", "辞职审批", {}, None) == "辞职审批"


def test_the_case_page_names_people_and_labels_its_materials(browser_as, resignation):
    case = resignation(1, "S01C01")
    text = text_of(browser_as("hr_s01").html(f"/instances/{case['id']}"))
    assert "发起人：第一街道人事" in text and "人员 王晓梅" in text and "人员编号" not in text
    assert_no_codes(text)
    start = text_of(browser_as("hr_s01").html("/start"))
    assert "辞职审批" in start
    assert_no_codes(start)


def test_a_returned_step_says_who_returned_it_when_and_why_with_the_form_filled_again(
        browser_as, resignation, as_user):
    case, review = returned_case(resignation, as_user)
    page = browser_as("hr_s01").html(f"/tasks/{review}")
    text = text_of(page)
    assert said_at_some_minute("已退回 ：第一街道分管领导 于 2026-11-25 10:00 从「街道审批」退回到此环节，请重新办理。", text)
    assert "请补充交接清单" in text and "表单已填入此前提交的内容" in text
    assert re.search(r'<input[^>]*value="approve"[^>]*checked', page) or 'value="approve" selected' in page
    assert ">材料齐全</textarea>" in page
    assert_no_codes(text)
    notes = text_of(browser_as("hr_s01").html("/notifications"))
    assert "「王晓梅的辞职申请」已由第一街道分管领导从「街道审批」退回至「受理审查」：请补充交接清单" in notes


def test_a_decision_taken_back_comes_back_filled(browser_as, resignation):
    case = resignation(1, "S01C01")
    review = task_id_of(case)
    hr = browser_as("hr_s01")
    hr.post(f"/tasks/{review}", {"decision": "approve", "comment": "材料齐全"}, page=f"/tasks/{review}")
    hr.post(f"/tasks/{review}/withdraw", {"reason": "漏看一项"}, page=f"/tasks/{review}")
    page = hr.html(f"/tasks/{review}")
    assert "已撤回决定" in text_of(page) and "漏看一项" in page and ">材料齐全</textarea>" in page


def test_the_case_page_shows_the_approval_timeline(browser_as, resignation, as_user):
    case, _ = returned_case(resignation, as_user)
    page = browser_as("leader_s01").html(f"/instances/{case['id']}")
    timeline = text_of(page[page.index('id="timeline-title"'):page.index('id="diagram-title"')])
    assert said_at_some_minute("发起 · 第一街道人事 · 2026-11-25 10:00", timeline)
    assert said_at_some_minute("受理审查 · 第一街道人事 · 提请确认离职 · 2026-11-25 10:00 已退回重办 材料齐全", timeline)
    assert said_at_some_minute("街道审批 · 第一街道分管领导 · 退回至「受理审查」 · 2026-11-25 10:00", timeline)
    assert said_at_some_minute("受理审查 · 待办理 · 第一街道人事 · 自 2026-11-25 10:00 · 期限", timeline)
    assert "街道审批 · 下一步 · 街道领导 · 示范区第一街道" in timeline


def test_a_case_waiting_for_its_leaving_date_says_so_in_the_timeline(browser_as, resignation, as_user):
    case = resignation(1, "S01C01")
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", {"decision": "approve", "leaving_on": LEAVING_ON, "comment": "同意"})
    complete(hr, case["id"], "handover", {"handover_confirmed": True, "handed_over_to": "赵敏", "audit_required": False})
    page = browser_as("hr_s01").html(f"/instances/{case['id']}")
    timeline = text_of(page[page.index('id="timeline-title"'):page.index('id="diagram-title"')])
    assert f"待离职日生效 {LEAVING_ON}" in timeline
    assert said_at_some_minute("街道审批 · 第一街道分管领导 · 确认离职 · 2026-11-25 10:00 同意", timeline)


def test_the_worker_history_names_the_case_a_change_came_from(app, browser_as, resignation):
    case = resignation(1, "S01C01")
    with app.app_context():
        change_status(db.session, db.session.get(Worker, 1), "resigned", actor="hr_s01",
                      source=f"resignation #{case['id']}")
        db.session.commit()
    text = text_of(browser_as("hr_s01").html("/workers/1"))
    assert "依据" in text and "王晓梅的辞职申请" in text and "第一街道人事" in text
    assert_no_codes(text)


def test_the_users_list_names_roles_and_units(browser_as):
    page = browser_as("admin").html("/admin/users")
    rows = text_of(page[page.index("<tbody"):page.index("</tbody>")])
    assert "街道领导 · 示范区第一街道" in rows and "@S01" not in rows and "street_leader" not in rows
