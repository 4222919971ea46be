"""Two secondments (借调) worked through the pages by each role in turn, in a real Chromium: one the
district's social work department refuses, one it approves. Each role signs in, finds the step in
the inbox, opens it and decides; the case page then tells the story in names and words: the title,
who decided what and when, the outcome, what an approved case waits for, and on its start day the
worker seconded."""

import re

import pytest

pytestmark = pytest.mark.browser

REFUSED_KEY = "JD-2026-031"
APPROVED_KEY = "JD-2026-032"
WHEN = re.compile(r"2026-\d\d-\d\d \d\d:\d\d")


def _start(journey, live_server, shot, key: str, worker: str, unit: str, start: str, end: str) -> int:  # noqa: ANN001
    page = journey.as_user("hr_s01")
    page.goto(f"{live_server.url}/start/secondment")
    page.locator("#f-worker_id").select_option(label=f"{worker}（第一街道阳光社区）")
    page.fill("#f-business_key", key)
    page.fill("#f-borrowing_unit", unit)
    page.get_by_label("街道（苏木乡镇）").check()  # the only level the rule allows, already chosen
    page.fill("#f-reason", "基层治理专项工作材料整理")
    page.fill("#f-start_date", start)
    page.fill("#f-end_date", end)
    if key == APPROVED_KEY:
        shot(page, "secondment-start")
    page.get_by_role("button", name="发起").click()
    page.wait_for_url(re.compile(r".*/instances/\d+$"))
    assert page.locator("h1").inner_text() == f"{worker}的借调申请 · {key}"
    instance_id = int(page.url.rsplit("/", 1)[1])
    page.context.close()
    return instance_id


def _decide(label: str, comment: str):  # noqa: ANN202
    def fill(page) -> None:  # noqa: ANN001
        page.get_by_label(label, exact=True).check()
        page.fill("#f-comment", comment)
    return fill


def _case_page(journey, live_server, username: str, instance_id: int, width: int = 1280):  # noqa: ANN001, ANN202
    page = journey.as_user(username, width, 900 if width > 600 else 844)
    page.goto(f"{live_server.url}/instances/{instance_id}")
    page.locator("#diagram[data-ready=true]").wait_for()
    return page


def _steps(page, css: str) -> list[str]:  # noqa: ANN001
    return [text.strip() for text in page.locator(f".timeline > li.{css}").all_inner_texts()]


def test_a_secondment_refused_by_the_social_work_department(journey, live_server, shot):
    case = _start(journey, live_server, shot, REFUSED_KEY, "李建国", "第一街道综治中心", "2026-12-10", "2027-01-31")

    # The case page right after the start: the community's opinion is the current step, offered to
    # the community secretary of 阳光社区, and the street's review is predicted next.
    page = _case_page(journey, live_server, "hr_s01", case)
    current = _steps(page, "current")
    assert len(current) == 1 and current[0].startswith("社区意见 · 待办理 · 社区党组织书记 · 第一街道阳光社区")
    assert _steps(page, "next")[0].startswith("街道审核 · 下一步 · 街道领导")
    page.context.close()

    journey.work("sec_s01c01", REFUSED_KEY, "社区意见", _decide("同意", "同意借调，社区工作已安排他人承担"))
    journey.work("leader_s01", REFUSED_KEY, "街道审核", _decide("同意，报区级审批", "确属工作需要，报区级审批"))
    journey.work("swd_d01", REFUSED_KEY, "社会工作部审批", _decide("不批准", "综治中心可从街道机关内部调剂人员，不予借调"))

    page = _case_page(journey, live_server, "hr_s01", case)
    assert page.locator("h1").inner_text() == f"李建国的借调申请 · {REFUSED_KEY}"
    assert page.locator(".meta .outcome").inner_text() == "不予批准"
    assert "已办结" in page.locator(".meta").inner_text()
    done = _steps(page, "done")
    assert done[0].startswith("发起 · 第一街道人事 · ")
    assert done[1].startswith("社区意见 · 阳光社区书记 · 同意 · ") and "同意借调，社区工作已安排他人承担" in done[1]
    assert done[2].startswith("街道审核 · 第一街道分管领导 · 同意，报区级审批 · ")
    assert done[3].startswith("社会工作部审批 · 区委社会工作部 · 不批准 · ")
    assert "综治中心可从街道机关内部调剂人员，不予借调" in done[3]
    assert done[-1].startswith("已办结 · 不予批准 · ")
    assert all(WHEN.search(step) for step in done)  # every step says when
    assert _steps(page, "current") == [] and _steps(page, "next") == []
    timeline = page.locator(".timeline").inner_text()
    assert not re.search(r"hr_s01|sec_s01c01|leader_s01|swd_d01", timeline)  # names, never user names
    shot(page, "secondment-refused")

    # The worker was never seconded: the record still reads 在岗.
    page.goto(f"{live_server.url}/workers")
    row = page.locator("tr", has_text="李建国")
    assert "在岗" in row.inner_text()
    page.context.close()
    assert journey.errors == [], journey.errors


def test_a_secondment_approved_waits_for_its_start_day_then_the_worker_is_seconded(journey, live_server, shot):
    case = _start(journey, live_server, shot, APPROVED_KEY, "王晓梅", "第一街道综治中心", "2026-12-01", "2027-02-28")

    journey.work("sec_s01c01", APPROVED_KEY, "社区意见", _decide("同意", "同意"))

    # Half way: the street's review is current; who decided what so far reads in names.
    page = _case_page(journey, live_server, "leader_s01", case)
    assert _steps(page, "done")[1].startswith("社区意见 · 阳光社区书记 · 同意 · ")
    current = _steps(page, "current")
    assert current[0].startswith("街道审核 · 待办理 · 街道领导 · 示范区第一街道 · 自 2026-11-25")
    assert "期限" in current[0] and "2026-12-01" in current[0]  # due by the requested start day
    assert page.locator(".current-steps").get_by_role("link", name="办理").count() == 1
    shot(page, "secondment-under-review")
    page.context.close()

    journey.work("leader_s01", APPROVED_KEY, "街道审核", _decide("同意，报区级审批", "同意报批"))
    journey.work("swd_d01", APPROVED_KEY, "社会工作部审批", _decide("批准", "同意借调，期满按时返回"))

    for width, name in ((1280, "secondment-approved"), (390, "secondment-approved-phone")):
        page = _case_page(journey, live_server, "hr_s01", case, width)
        assert page.locator("h1").inner_text() == f"王晓梅的借调申请 · {APPROVED_KEY}"
        assert "办理中" in page.locator(".meta").inner_text()
        done = _steps(page, "done")
        assert [step.split(" · ")[:3] for step in done[1:]] == [
            ["社区意见", "阳光社区书记", "同意"], ["街道审核", "第一街道分管领导", "同意，报区级审批"],
            ["社会工作部审批", "区委社会工作部", "批准"]]
        assert "同意借调，期满按时返回" in done[3]
        waiting = page.locator(".timeline > li.waiting").inner_text()
        assert waiting == "等待借调开始日 2026-12-01"
        assert _steps(page, "next")[0] == "借调期间 · 下一步 · 街道人事 · 示范区第一街道"
        assert page.locator(".current-steps").inner_text().count("没有待办环节") == 1
        assert not re.search(r"hr_s01|sec_s01c01|leader_s01|swd_d01", page.locator(".timeline").inner_text())
        shot(page, name)
        if width == 390:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        page.context.close()

    # On the start day the timer worker (not a person) fires the wait: the worker reads 借调中 and the
    # case moves to the secondment period, with the street HR to act on it.
    _run_timers_on(live_server, "2026-12-01T08:30:00+08:00")
    page = journey.as_user("hr_s01")
    page.goto(f"{live_server.url}/workers")
    assert "借调中" in page.locator("tr", has_text="王晓梅").inner_text()
    page.goto(f"{live_server.url}/instances/{case}")
    assert _steps(page, "current")[0].startswith("借调期间 · 待办理 · 街道人事 · 示范区第一街道")
    assert page.locator(".timeline > li.waiting").count() == 0
    shot(page, "secondment-seconded")
    page.context.close()
    assert journey.errors == [], journey.errors


def _run_timers_on(live_server, moment: str) -> None:  # noqa: ANN001
    """What the timer worker does when `moment` comes (background workers are off in tests)."""
    from datetime import datetime

    from engine.core import clock
    from engine.process import timers
    from web.extensions import db

    with live_server.app.app_context(), clock.frozen(datetime.fromisoformat(moment)):
        timers.tick(db.session)
        db.session.remove()
