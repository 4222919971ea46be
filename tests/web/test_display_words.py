"""What people read on the pages stays in their words: a done task carries no deadline alarm, a
dismissal's basis and a post's community are named, a bell quotes the decision as the form offered
it, the worker picker says 人员, 发起 shows only to those who can start, and a too-old date says
which day is the earliest."""

import re
from datetime import timedelta

from engine.core import clock
from tests.helpers import complete, open_task, start
from tests.processes.recruitment_support import start_campaign
from tests.web.pagetools import task_id_of

REVIEW_OK = {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"}


def _set_due(app, task: str, due_in: timedelta) -> None:  # noqa: ANN001
    from engine.models import TaskRow
    from web.extensions import db

    with app.app_context():
        db.session.get(TaskRow, task).due_at = clock.now() + due_in
        db.session.commit()


def test_a_done_task_shows_its_date_without_a_due_alarm(browser_as, resignation, as_user, app):
    case = resignation(1, "S01C01", "RES-DONE-DUE")
    review = task_id_of(case)
    complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
    hr = browser_as("hr_s01")
    for due_in in (timedelta(days=1), timedelta(days=-2)):
        _set_due(app, review, due_in)
        page = hr.html(f"/tasks/{review}")
        meta = re.search(r'<p class="meta">(.*?)</p>', page, re.S).group(1)
        assert "已办理" in meta and "即将到期" not in meta and "已超期" not in meta
        assert (clock.now() + due_in).astimezone(clock.CHINA_TZ).date().isoformat() in meta
        done_box = hr.html("/inbox?box=done")
        assert "RES-DONE-DUE" in done_box and "即将到期" not in done_box and "已超期" not in done_box


def test_an_open_task_still_warns_that_it_is_due_soon(browser_as, resignation, app):
    review = task_id_of(resignation(1, "S01C01", "RES-OPEN-DUE"))
    _set_due(app, review, timedelta(days=1))
    meta = re.search(r'<p class="meta">(.*?)</p>', browser_as("hr_s01").html(f"/tasks/{review}"), re.S).group(1)
    assert "即将到期" in meta


def test_a_dismissals_basis_reads_in_words_on_the_case_and_task_pages(browser_as, as_user):
    hr = as_user("hr_s01")
    case = start(hr, "dismissal", "S01C01", {"worker_id": 1, "grounds": ["serious_breach"],
                                             "facts": "多次拒不执行社区工作安排，造成居民投诉"}).get_json()
    task = open_task(as_user("sec_s01c01"), case["id"], "community_opinion")["id"]
    for page in (browser_as("hr_s01").html(f"/instances/{case['id']}"), browser_as("sec_s01c01").html(f"/tasks/{task}")):
        text = re.sub(r"<[^>]+>", " ", page)
        assert re.search(r"辞退依据\s+过失性辞退（劳动合同法第三十九条）", text), text[:3000]
        assert not re.search(r"辞退依据\s+fault", text)
        assert "严重违反规章制度" in text and "serious_breach" not in text


def test_a_recruitment_posts_communities_are_named(browser_as, as_user):
    case = start_campaign(as_user("civil_d01")).get_json()
    text = re.sub(r"<[^>]+>", " ", browser_as("civil_d01").html(f"/instances/{case['id']}"))
    assert re.search(r"招聘岗位 1 › 社区\s+第一街道阳光社区", text)
    assert "S01C01" not in text and "S02C01" not in text


def test_the_initiators_bell_quotes_the_decision_as_the_form_offered_it(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-BELL")
    complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
    complete(as_user("leader_s01"), case["id"], "street_decision", {"decision": "approve", "comment": "同意"})
    page = browser_as("hr_s01").html("/notifications")
    assert "「街道审批」确认离职（第一街道分管领导）" in page
    assert "「街道审批」同意（" not in page


def test_the_worker_picker_is_labelled_by_the_person_not_the_number(browser_as):
    hr = browser_as("hr_s01")
    for key in ("resignation", "secondment", "dismissal"):
        page = hr.html(f"/start/{key}")
        assert '<label for="f-worker_id">人员<span class="req"' in page, key
        assert "人员编号" not in page, key


def test_the_start_menu_shows_only_to_those_who_can_start(browser_as):
    secretary = browser_as("sec_s01c01")
    inbox = secretary.html("/inbox")
    assert 'href="/start"' not in inbox
    assert "您的角色不能发起任何流程。" in secretary.html("/start")
    assert 'href="/start"' in browser_as("hr_s01").html("/inbox")


def test_a_receipt_too_old_names_the_earliest_day(browser_as):
    earliest = (clock.today() - timedelta(days=30)).isoformat()
    too_old = (clock.today() - timedelta(days=40)).isoformat()
    hr = browser_as("hr_s01")
    response = hr.post("/start/resignation", {"org": "S01C01", "worker_id": "1", "reason": "家庭原因",
                                             "submitted_on": too_old}, page="/start/resignation")
    page = response.get_data(as_text=True)
    assert f"不能早于 30 天前（{earliest}）" in page
    assert "今天之前" not in page


def test_no_form_asks_two_fields_under_the_same_title():
    """A choice and its explanation under one title (审批意见 twice) read as one question asked twice."""
    import json
    from pathlib import Path

    def repeated(schema: dict) -> list[str]:
        props = schema.get("properties") or {}
        titles = [p.get("title") for p in props.values() if p.get("title")]
        found = [t for t in set(titles) if titles.count(t) > 1]
        for prop in props.values():
            inner = prop.get("items") if isinstance(prop.get("items"), dict) else prop
            found += repeated(inner) if inner.get("properties") else []
        return found

    forms = sorted((Path(__file__).parents[2] / "forms").glob("*.json"))
    assert forms
    assert {f.name: repeated(json.loads(f.read_text())) for f in forms if repeated(json.loads(f.read_text()))} == {}
    swd = json.loads((Path(__file__).parents[2] / "forms" / "secondment_swd_approval.json").read_text())
    assert swd["properties"]["decision"]["title"] == "审批结论" and swd["properties"]["comment"]["title"] == "审批意见"
