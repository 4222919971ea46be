"""Pages in a real Chromium: a street HR user works a resignation review end to end, a user of
another street cannot open that task, and an applicant registers on the public recruitment page."""

import re

import pytest

pytestmark = pytest.mark.browser

S01_KEY = "RES-BROWSER-S01"
S02_KEY = "RES-BROWSER-S02"


@pytest.fixture(scope="module")
def cases(live_server):  # noqa: ANN001, ANN201
    """One resignation in each street, started through the engine, with the open task of each."""
    from sqlalchemy import select

    from engine.core.scope import load_actor
    from engine.models import TaskRow
    from engine.process import commands
    from web.extensions import db

    started = {}
    with live_server.app.app_context():
        for user, worker_id, org, key in (("hr_s01", 1, "S01C01", S01_KEY), ("hr_s02", 4, "S02C01", S02_KEY)):
            actor = load_actor(db.session, user)
            instance, _ = commands.start_instance(
                db.session, actor, "resignation", org_code=org, business_key=key,
                data={"worker_id": worker_id, "reason": "家庭原因，需回原籍照顾老人", "submitted_on": "2026-11-02"})
            task = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.status == "open"))
            started[key] = (instance.id, task.id)
        db.session.remove()
    return started


def test_street_hr_reviews_a_resignation_in_the_browser(new_page, live_server, cases, login, shot):
    page, console = new_page()
    page.goto(f"{live_server.url}/login")
    shot(page, "login")
    login(page, "hr_s01")

    # Only S01's work is in the inbox; the review stands out as due within the policy window.
    page.goto(f"{live_server.url}/inbox?box=open")
    assert page.locator("table.tasks").get_by_text(S01_KEY).count() == 1
    assert page.get_by_text(S02_KEY).count() == 0
    header = page.locator("header.top").inner_text()
    assert "第一街道人事" in header and "街道人事" in header and "示范区第一街道" in header
    shot(page, "inbox")

    page.locator("tr", has_text=S01_KEY).get_by_role("link", name="受理审查").click()
    page.wait_for_url(f"**/tasks/{cases[S01_KEY][1]}")
    page.locator("#diagram[data-ready=true]").wait_for()
    assert "cw-current" in page.locator('[data-element-id="street_review"]').first.get_attribute("class")
    shot(page, "task")

    # Submitting the empty form keeps us on the page with the error beside the field.
    page.get_by_role("button", name="提交").click()
    error = page.locator("#f-decision-error")
    error.wait_for()
    assert "请从列表中选择一项" in error.inner_text()
    assert page.locator(".error-summary").is_visible()
    page.fill("#f-comment", "材料齐全，无未办结公务")
    page.get_by_role("button", name="提交").click()
    assert page.locator("#f-comment").input_value() == "材料齐全，无未办结公务"  # kept after the refusal
    shot(page, "task-errors")

    page.get_by_label("提请确认离职", exact=True).check()
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/inbox")
    flash = page.locator(".flash.success")
    assert "已提交" in flash.inner_text()

    # The case moved on: the street leader's decision is now the current step on the diagram.
    flash.get_by_role("link").click()
    page.wait_for_url(f"**/instances/{cases[S01_KEY][0]}")
    page.locator("#diagram[data-ready=true]").wait_for()
    assert "cw-current" in page.locator('[data-element-id="street_decision"]').first.get_attribute("class")
    assert "cw-done" in page.locator('[data-element-id="street_review"]').first.get_attribute("class")
    assert page.locator(".current-steps").get_by_text("街道审批").count() == 1
    assert page.locator(".trail").get_by_text("材料齐全，无未办结公务").count() == 1
    shot(page, "instance")

    for path, name in (("/inbox/done", "inbox-done"), ("/start", "start"), ("/start/resignation", "start-form"),
                       ("/instances", "instances"), ("/workers", "workers"), ("/workers/1", "worker")):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        shot(page, name)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/inbox?box=open")
    shot(page, "inbox-phone")
    page.goto(f"{live_server.url}/instances/{cases[S01_KEY][0]}")
    page.locator("#diagram[data-ready=true]").wait_for()
    shot(page, "instance-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling

    assert console.errors == [], console.errors


def test_a_user_of_another_street_gets_not_found_for_that_task(new_page, live_server, cases, login, shot):
    page, console = new_page()
    login(page, "hr_s02")
    response = page.goto(f"{live_server.url}/tasks/{cases[S01_KEY][1]}")
    assert response.status == 404
    assert page.get_by_role("heading", name="未找到").is_visible()
    assert S01_KEY not in page.content()
    shot(page, "not-found")
    # Their own street's case is there.
    page.goto(f"{live_server.url}/inbox?box=open")
    assert page.get_by_text(S02_KEY).count() == 1
    assert re.search(S01_KEY, page.content()) is None
    assert [e for e in console.errors if "404" not in e] == []


@pytest.fixture(scope="module")
def campaign(live_server):  # noqa: ANN001, ANN201
    """A recruitment campaign whose registration window is open today (driven through the engine)."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from engine.core.scope import load_actor
    from engine.models import TaskRow
    from engine.process import commands
    from web.extensions import db

    today = date.today()
    plan = {"title": "示范区社区工作者公开招聘（浏览器测试）", "year": today.year,
            "posts": [{"community": "S01C01", "count": 2}],
            "registration_opens": (today - timedelta(days=1)).isoformat(),
            "registration_closes": (today + timedelta(days=5)).isoformat()}
    steps = (("swd_d01", "approve_plan", {"decision": "approve", "comment": "同意"}),
             ("org_d01", "file_plan", {"filing_number": "组备〔2026〕9号", "filed_on": today.isoformat()}),
             ("civil_d01", "publish_notice", {"notice_number": "示民〔2026〕9号", "published_on": today.isoformat(),
                                              "channel": "区政府网站"}))
    with live_server.app.app_context():
        instance, _ = commands.start_instance(db.session, load_actor(db.session, "civil_d01"), "recruitment",
                                             org_code="D01", data=plan)
        for user, name, data in steps:
            task = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.name == name,
                                                           TaskRow.status == "open"))
            commands.complete_task(db.session, load_actor(db.session, user), task.id, data)
        db.session.remove()
    return instance.id


def test_an_applicant_registers_on_the_public_page(new_page, live_server, campaign, shot):
    page, console = new_page(390, 844)
    page.goto(f"{live_server.url}/recruitment/{campaign}")
    assert page.get_by_role("heading", name="示范区社区工作者公开招聘（浏览器测试）").is_visible()
    shot(page, "public-apply-phone")
    page.locator("#f-name").fill("陈静")
    page.get_by_label("女", exact=True).check()
    page.locator("#f-birth_date").fill("1996-03-08")
    page.locator("#f-id_number").fill("110101199603080029")
    page.locator("#f-education").select_option("本科")
    page.get_by_label("第一街道阳光社区（2 人）").check()
    page.get_by_label("本地户籍或在本地居住").check()
    page.get_by_label("我已阅读上述告知").check()
    page.get_by_role("button", name="提交报名").click()
    page.get_by_role("heading", name="报名成功").wait_for()
    number = page.locator("#application-no").inner_text()
    shot(page, "public-applied")
    page.get_by_role("link", name="查询报名状态").click()
    page.locator("#f-application_no").fill(number)
    page.locator("#f-id_number").fill("110101199603080029")
    page.get_by_role("button", name="查询").click()
    assert "已报名，等待资格审查" in page.locator("#application-status").inner_text()
    shot(page, "public-status")
    assert console.errors == [], console.errors
