"""Choices in a real Chromium: the street's HR picks a worker who already has an open resignation on the
dismissal form and is warned before sending it; a colleague whose review notice was overtaken sees it
as handled, not waiting; the district reads the current step without a link it could not follow."""

import re

import pytest

pytestmark = pytest.mark.browser

KEY = "RES-BROWSER-CHOICES"
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def open_resignation(live_server):  # noqa: ANN001, ANN201
    """李建国's resignation, reviewed by hr_s01 while a second HR officer of S01 also had the notice."""
    from sqlalchemy import select

    from cli.demo import DEMO_PASSWORD, ensure_user
    from engine.core.scope import load_actor
    from engine.models import TaskRow
    from engine.process import commands
    from web.extensions import db

    with live_server.app.app_context():
        ensure_user(db.session, "hr_s01c", "第一街道人事丙", DEMO_PASSWORD, [("street_hr", "S01")])
        db.session.commit()
        hr = load_actor(db.session, "hr_s01")
        instance, _ = commands.start_instance(
            db.session, hr, "resignation", org_code="S01C01", business_key=KEY,
            data={"worker_id": 2, "reason": "家庭原因，需回原籍照顾老人", "submitted_on": "2026-11-02"})
        review = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.status == "open"))
        commands.complete_task(db.session, hr, review.id,
                              {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"})
        found = instance.id
        db.session.remove()
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_the_start_form_warns_of_an_open_exit_case_before_sending(new_page, live_server, open_resignation, login,
                                                                   shot, width):
    page, console = new_page(width, 900)
    login(page, "hr_s01")
    page.goto(f"{live_server.url}/start/dismissal")
    warning = page.locator("#worker-warning")
    assert warning.is_hidden()
    assert page.locator("#f-worker_id option", has_text="李建国（第一街道阳光社区）").count() == 1
    page.select_option("#f-worker_id", "2")
    assert warning.is_visible()
    assert re.match(rf"该工作者已有办理中的辞职案件 #{open_resignation}（业务编号 {KEY}）", warning.inner_text())
    shot(page, f"choices-start-warning-{width}")
    page.select_option("#f-worker_id", "1")
    assert warning.is_hidden()  # 王晓梅 has no open case
    page.goto(f"{live_server.url}/start/secondment")
    levels = page.locator("input[name=borrowing_unit_level]")
    assert levels.count() == 1 and levels.first.get_attribute("value") == "street" and levels.first.is_checked()
    assert console.errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_notice_a_colleague_handled_is_shown_as_handled(new_page, live_server, open_resignation, login, shot,
                                                         width):
    page, console = new_page(width, 900)
    login(page, "hr_s01c")
    assert page.locator("#bell-count").count() == 0  # nothing left for them to do
    page.goto(f"{live_server.url}/notifications")
    notice = page.locator("li.notification", has_text="受理审查")
    assert notice.count() == 1
    text = notice.inner_text()
    assert "已处理" in text and "第一街道人事 已办理此环节" in text and "未读" not in text
    shot(page, f"choices-notifications-{width}")
    page.goto(f"{live_server.url}/notifications?unread=1")
    assert page.locator("li.notification", has_text="受理审查").count() == 0
    assert console.errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_district_reads_the_current_step_without_a_dead_link(new_page, live_server, open_resignation, login,
                                                                shot, width):
    page, console = new_page(width, 900)
    login(page, "civil_d01")
    page.goto(f"{live_server.url}/instances/{open_resignation}")
    steps = page.locator("section.current-steps")
    assert steps.locator("a[href^='/tasks/']").count() == 0
    text = steps.inner_text()
    assert "街道审批" in text and "办理人：第一街道分管领导" in text and "自 2026-11-25" in text
    shot(page, f"choices-case-step-{width}")
    assert console.errors == []
