"""The approval operations in a real Chromium: the street leader returns a decision to the review, the
bell tells the street's HR, who reads the notice and transfers the redone review to a colleague, whose
bell rings in turn."""

import re

import pytest

pytestmark = pytest.mark.browser

KEY = "RES-BROWSER-OPS"


@pytest.fixture(scope="module")
def decision(live_server):  # noqa: ANN001, ANN201
    """A resignation reviewed by hr_s01 and waiting for the leader; a second HR officer in S01."""
    from sqlalchemy import select

    from cli.demo import DEMO_PASSWORD, ensure_user
    from engine.core.scope import load_actor
    from engine.models import TaskRow
    from engine.process import commands
    from web.extensions import db

    with live_server.app.app_context():
        ensure_user(db.session, "hr_s01b", "第一街道人事乙", DEMO_PASSWORD, [("street_hr", "S01")])
        db.session.commit()
        hr = load_actor(db.session, "hr_s01")
        instance, _ = commands.start_instance(
            db.session, hr, "resignation", org_code="S01C01", business_key=KEY,
            data={"worker_id": 1, "reason": "家庭原因，需回原籍照顾老人", "submitted_on": "2026-11-02"})
        review = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.status == "open"))
        commands.complete_task(db.session, hr, review.id,
                              {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"})
        task = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.status == "open"))
        found = (instance.id, task.id)
        db.session.remove()
    return found


def _bell(page) -> int:  # noqa: ANN001
    count = page.locator("#bell-count")
    return int(count.inner_text()) if count.count() else 0


def test_return_transfer_and_the_bell_in_the_browser(new_page, live_server, decision, login, shot):
    case_id, decision_id = decision

    # The leader sends the decision back to the review, with a reason, and is told where the case is.
    leader, leader_console = new_page()
    login(leader, "leader_s01")
    leader.goto(f"{live_server.url}/tasks/{decision_id}")
    leader.locator("#op-return summary").click()
    leader.select_option("#return-target", "street_review")
    leader.fill("#return-reason", "请补充工作交接清单")
    shot(leader, "ops-return-form")
    leader.once("dialog", lambda dialog: dialog.accept())
    leader.get_by_role("button", name="确认退回").click()
    leader.wait_for_url("**/inbox")
    assert "已退回：街道审批。案件现在在「受理审查」。" in leader.locator(".flashes").inner_text()
    shot(leader, "ops-return")

    # The street's HR sees the bell, reads the notice, and marks everything read.
    hr, hr_console = new_page()
    login(hr, "hr_s01")
    assert _bell(hr) >= 1
    hr.locator("a.bell").click()
    hr.wait_for_url("**/notifications")
    notice = hr.locator("li.notification.unread", has_text="请补充工作交接清单")
    assert notice.count() == 1 and "已退回" in notice.inner_text()
    shot(hr, "ops-bell")
    hr.get_by_role("button", name="全部标为已读").click()
    hr.wait_for_url("**/notifications")
    assert _bell(hr) == 0 and hr.locator("li.notification.unread").count() == 0

    # The review is back with hr_s01, who transfers it to a colleague.
    hr.goto(f"{live_server.url}/instances/{case_id}")
    trail = hr.locator("ol.trail").inner_text()
    assert "退回至「受理审查」" in trail and "请补充工作交接清单" in trail
    shot(hr, "ops-case")
    hr.locator("ul.steps").get_by_role("link", name="受理审查").first.click()
    hr.wait_for_url(re.compile(r".*/tasks/[0-9a-f-]{36}$"))
    hr.locator("#op-transfer summary").click()
    hr.select_option("#transfer-to", "hr_s01b")
    hr.fill("#transfer-comment", "本人出差，请代为审查")
    shot(hr, "ops-transfer-form")
    hr.get_by_role("button", name="确认转办").click()
    hr.wait_for_url("**/inbox")
    assert "已将「受理审查」转办给 第一街道人事乙。" in hr.locator(".flashes").inner_text()
    shot(hr, "ops-transfer")

    # The colleague's bell rings and the review is theirs.
    colleague, colleague_console = new_page()
    login(colleague, "hr_s01b")
    assert _bell(colleague) >= 1
    colleague.goto(f"{live_server.url}/inbox?box=mine")
    assert colleague.locator("table.tasks").get_by_text(KEY).count() == 1
    colleague.locator("a.bell").click()
    assert colleague.locator("li.notification", has_text="本人出差，请代为审查").count() == 1
    shot(colleague, "ops-bell-colleague")

    assert leader_console.errors == [] and hr_console.errors == [] and colleague_console.errors == []
