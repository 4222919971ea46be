"""People's words in a real Chromium: a worker's resignation is returned by the street leader; the
street's HR finds it by its title, reads who returned it and why with the review filled as it was,
sends it on, and the case page's timeline says who did what, who acts now and what comes next."""

import re

import pytest

pytestmark = pytest.mark.browser

TITLE = "王晓梅的辞职申请"
CODES = ("hr_s01", "leader_s01", "resignation", "street_leader", "street_hr", "S01C01")


@pytest.fixture(scope="module")
def decision(live_server):  # noqa: ANN001, ANN201
    """王晓梅's resignation, started by herself and reviewed by hr_s01, waiting for the leader."""
    from sqlalchemy import select

    from engine.core.scope import load_actor
    from engine.models import TaskRow
    from engine.process import commands
    from web.extensions import db

    with live_server.app.app_context():
        worker, hr = load_actor(db.session, "worker_s01c01"), load_actor(db.session, "hr_s01")
        instance, _ = commands.start_instance(
            db.session, worker, "resignation", org_code="S01C01",
            data={"worker_id": 1, "reason": "家庭原因，需回原籍照顾老人", "submitted_on": "2026-11-20"})
        review = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.status == "open"))
        commands.complete_task(db.session, hr, review.id,
                              {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"})
        task = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.status == "open"))
        found = (instance.id, task.id)
        db.session.remove()
    return found


def _visible_text(page) -> str:  # noqa: ANN001
    """The main part of the page as a person reads it, without the user pickers of the side panels."""
    return page.evaluate("""() => {
        const main = document.querySelector('main').cloneNode(true);
        main.querySelectorAll('select, .user-choices, script').forEach(e => e.remove());
        return main.innerText; }""")


def test_a_returned_resignation_speaks_in_peoples_words(new_page, live_server, decision, login, shot):
    case_id, decision_id = decision

    leader, leader_console = new_page()
    login(leader, "leader_s01")
    assert leader.locator("table.tasks").get_by_text(TITLE).count() == 1
    leader.goto(f"{live_server.url}/tasks/{decision_id}")
    leader.locator("#op-return summary").click()
    leader.select_option("#return-target", "street_review")
    leader.fill("#return-reason", "请补充工作交接清单")
    leader.once("dialog", lambda dialog: dialog.accept())
    leader.get_by_role("button", name="确认退回").click()
    leader.wait_for_url("**/inbox")

    hr, hr_console = new_page()
    login(hr, "hr_s01")
    row = hr.locator("table.tasks tr", has_text=TITLE)
    assert row.count() == 1 and "受理审查" in row.inner_text()
    hr.locator("a.bell").click()
    hr.wait_for_url("**/notifications")
    notice = hr.locator("li.notification", has_text="请补充工作交接清单").inner_text()
    assert f"「{TITLE}」已由第一街道分管领导从「街道审批」退回至「受理审查」" in notice

    row_link = f"{live_server.url}/instances/{case_id}"
    hr.goto(row_link)
    hr.locator("ul.steps").get_by_role("link", name="受理审查").first.click()
    hr.wait_for_url(re.compile(r".*/tasks/[0-9a-f-]{36}$"))
    banner = hr.locator("#returned").inner_text()
    assert "已退回" in banner and "第一街道分管领导" in banner and "请补充工作交接清单" in banner
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", banner)
    assert hr.locator("form.task-submit input[name=decision][value=approve]").is_checked()
    assert hr.locator("#f-comment").input_value() == "材料齐全"
    shot(hr, "people-returned-task-1280")
    hr.set_viewport_size({"width": 390, "height": 844})
    shot(hr, "people-returned-task-390")
    hr.set_viewport_size({"width": 1280, "height": 900})
    hr.locator("#f-comment").fill("材料齐全，交接清单已补")
    hr.locator("form.task-submit button[type=submit]").first.click()
    hr.wait_for_url("**/inbox")

    hr.goto(row_link)
    assert hr.locator("h1").inner_text().startswith(TITLE)
    timeline = hr.locator("ol.timeline").inner_text()
    assert "发起 · 王晓梅" in timeline
    assert "受理审查 · 第一街道人事 · 提请确认离职" in timeline and "材料齐全，交接清单已补" in timeline
    assert "街道审批 · 待办理 · 街道领导 · 示范区第一街道" in timeline
    assert "工作交接" in timeline
    text = _visible_text(hr)
    assert [code for code in CODES if code in text] == []
    shot(hr, "people-case-1280")
    phone, phone_console = new_page(390, 844)
    login(phone, "leader_s01")
    phone.goto(row_link)
    assert phone.locator("ol.timeline").is_visible()
    shot(phone, "people-case-390")

    assert leader_console.errors == [] and hr_console.errors == [] and phone_console.errors == []
