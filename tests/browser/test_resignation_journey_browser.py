"""A resignation from start to the approval form in a real Chromium, the way the people doing it see it:
王晓梅's own resignation is returned to her by the street's HR (who is asked first, by name), she
reads who returned it, when and why, corrects the prefilled form on her phone and sends it again;
HR hands the review to a colleague without claiming it; the leader decides, withdraws the decision
(撤回我的决定), decides again; the handover ends the case and the approval form is a PDF.

Beside it: a dismissed confirmation submits nothing, and an opinion typed before the session expired
is there again after logging in."""

import re
from datetime import date

import pytest

pytestmark = pytest.mark.browser

REASON = "家庭原因，需回原籍照顾老人"
TITLE = "王晓梅的辞职申请"


def _start_as_worker(live_server, submitted_on: str = "2026-11-02") -> tuple[int, str]:  # noqa: ANN001
    """王晓梅 starts her own resignation; returns (case id, the open review's task id)."""
    return _start(live_server, "worker_s01c01", 1, submitted_on)


def _start_by_hr(live_server, name: str) -> tuple[int, str]:  # noqa: ANN001
    """The street's HR files the resignation of a new worker of 阳光社区 (one case per worker)."""
    from cli.demo_cases import _worker
    from web.extensions import db

    with live_server.app.app_context():
        worker_id = _worker(db.session, name, "S01C01", "hr_s01", gender="女", birth_date=date(1994, 6, 1),
                            education="本科")
        db.session.commit()
        db.session.remove()
    return _start(live_server, "hr_s01", worker_id, "2026-11-10")


def _start(live_server, username: str, worker_id: int, submitted_on: str) -> tuple[int, str]:  # noqa: ANN001
    from sqlalchemy import select

    from engine.core.scope import load_actor
    from engine.models import TaskRow
    from engine.process import commands
    from web.extensions import db

    with live_server.app.app_context():
        starter = load_actor(db.session, username)
        instance, _ = commands.start_instance(
            db.session, starter, "resignation", org_code="S01C01",
            data={"worker_id": worker_id, "reason": REASON, "submitted_on": submitted_on})
        review = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.status == "open"))
        found = (instance.id, review.id)
        db.session.remove()
    return found


@pytest.fixture(scope="module")
def colleague(live_server):  # noqa: ANN001, ANN201
    from cli.demo import DEMO_PASSWORD, ensure_user
    from web.extensions import db

    with live_server.app.app_context():
        ensure_user(db.session, "hr_s01b", "第一街道人事乙", DEMO_PASSWORD, [("street_hr", "S01")])
        db.session.commit()
        db.session.remove()
    return "hr_s01b"


def _answer(page, asked: list[str], accept: bool = True) -> None:  # noqa: ANN001
    """Answer the next confirmation, keeping what it asked."""
    def handle(dialog) -> None:  # noqa: ANN001
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()
    page.once("dialog", handle)


def _task_link(page, live_server, task_title: str) -> None:  # noqa: ANN001
    """From the inbox, open the task of this case by its title, as a person would."""
    page.goto(f"{live_server.url}/inbox")
    row = page.locator("table.tasks tr", has_text=TITLE).filter(has_text=task_title).first
    row.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r".*/tasks/[0-9a-f-]{36}$"))


def _header_shows_name(page, name: str) -> None:  # noqa: ANN001
    header = page.locator("header.top")
    assert page.locator("#who-name").inner_text() == name
    assert not re.search(r"\([a-z_0-9]+\)", header.inner_text()), header.inner_text()
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sticks out sideways
    box = header.bounding_box()
    assert box["width"] <= width


def test_a_resignation_returned_corrected_transferred_withdrawn_and_finished(
        new_page, live_server, login, shot, colleague):
    case_id, review_id = _start_as_worker(live_server)

    # The street's HR returns the case to 王晓梅 and is asked first, by name.
    hr, hr_console = new_page(1280, 900)
    login(hr, "hr_s01")
    _header_shows_name(hr, "第一街道人事")
    assert "第一街道 · 街道人事" in hr.locator("header.top .roles").inner_text() or \
        "街道" in hr.locator("header.top .roles").inner_text()
    hr.goto(f"{live_server.url}/tasks/{review_id}")
    hr.locator("#op-return summary").click()
    hr.select_option("#return-target", "initiator")
    hr.fill("#return-reason", "请写明离职后的工作交接安排")
    asked: list[str] = []
    _answer(hr, asked)
    hr.get_by_role("button", name="确认退回").click()
    hr.wait_for_url("**/inbox")
    assert asked == ["退回给 王晓梅（发起人）？退回理由将告知对方，此后的办理需要重做。"]
    assert "已退回" in hr.locator(".flashes").inner_text()
    shot(hr, "resignation-returned-1280")

    # 王晓梅, on her phone, reads who returned it, when and why; the form holds what she sent.
    worker, worker_console = new_page(390, 844)
    login(worker, "worker_s01c01")
    _header_shows_name(worker, "王晓梅")
    _task_link(worker, live_server, "")
    assert "办理人：发起人" in worker.locator(".page-head .meta").inner_text()
    banner = worker.locator("#returned").inner_text()
    assert "第一街道人事" in banner and "请写明离职后的工作交接安排" in banner
    assert re.search(r"2026-\d\d-\d\d \d\d:\d\d", banner)
    reason = worker.get_by_label("辞职理由")
    assert reason.input_value() == REASON
    shot(worker, "resignation-returned-390")
    reason.fill(REASON + "；工作已交接给同事赵敏")
    worker.get_by_role("button", name="提交").click()
    worker.wait_for_url("**/inbox")
    assert "已提交" in worker.locator(".flashes").inner_text()

    # HR hands the new review to a colleague straight away, without claiming it.
    _task_link(hr, live_server, "受理审查")
    assert hr.get_by_role("button", name="认领").count() == 1  # nobody holds it
    hr.locator("#op-transfer summary").click()
    hr.select_option("#transfer-to", colleague)
    hr.fill("#transfer-comment", "本人出差，请代为审查")
    asked = []
    _answer(hr, asked)
    hr.get_by_role("button", name="确认转办").click()
    hr.wait_for_url("**/inbox")
    assert asked == ["转办给 第一街道人事乙？此任务将由对方办理，不再由您办理。"]
    assert "已将「受理审查」转办给 第一街道人事乙。" in hr.locator(".flashes").inner_text()

    other, other_console = new_page(1280, 900)
    login(other, colleague)
    _task_link(other, live_server, "受理审查")
    assert "您已认领此任务。" in other.locator(".claim-bar").inner_text()
    other.get_by_label("提请确认离职").check()
    other.get_by_label("审查说明").fill("材料齐全，交接已安排")
    other.get_by_role("button", name="提交").click()
    other.wait_for_url("**/inbox")

    # The leader decides, takes the decision back, and decides again. The form offers no 退回补正.
    leader, leader_console = new_page(1280, 900)
    login(leader, "leader_s01")
    _task_link(leader, live_server, "街道审批")
    assert leader.locator("form.task-submit").get_by_text("退回补正").count() == 0
    decision_url = leader.url
    leader.get_by_label("确认离职").check()
    leader.get_by_label("审批意见").fill("同意")
    leader.get_by_role("button", name="提交").click()
    leader.wait_for_url("**/inbox")
    leader.goto(decision_url)
    asked = []
    _answer(leader, asked)
    leader.get_by_role("button", name="撤回我的决定").click()
    leader.wait_for_url(re.compile(r".*/(tasks/[0-9a-f-]{36}|inbox)$"))
    assert asked == ["撤回您在「街道审批」的决定？案件将回到此环节，由您重新办理。"]
    if "/inbox" in leader.url:
        _task_link(leader, live_server, "街道审批")
    assert "已撤回决定" in leader.locator("#returned").inner_text()
    shot(leader, "resignation-withdrawn-1280")
    leader.get_by_label("确认离职").check()
    leader.get_by_label("离职日期", exact=True).fill("2026-11-24")
    leader.get_by_label("本人同意另定离职日期").check()
    leader.get_by_label("审批意见").fill("同意，离职日期经本人同意")
    leader.get_by_role("button", name="提交").click()
    leader.wait_for_url("**/inbox")

    # The handover ends the case.
    _task_link(hr, live_server, "工作交接")
    hr.get_by_label("已完成公务交接").check()
    hr.get_by_label("交接接收人").fill("赵敏")
    hr.get_by_role("button", name="提交").click()
    hr.wait_for_url("**/inbox")

    # The case page reads as a story, and the approval form is a PDF.
    hr.goto(f"{live_server.url}/instances/{case_id}")
    assert TITLE in hr.locator("h1").inner_text()
    timeline = hr.locator("ol.timeline").inner_text()
    assert "发起 · 王晓梅" in timeline
    assert "受理审查 · 第一街道人事乙 · 提请确认离职" in timeline
    assert "街道审批 · 第一街道分管领导 · 确认离职" in timeline and "同意，离职日期经本人同意" in timeline
    assert "受理审查 · 第一街道人事 · 退回发起人" in timeline and "请写明离职后的工作交接安排" in timeline
    assert "街道审批 · 第一街道分管领导 · 撤回决定" in timeline
    undone = hr.locator("ol.timeline li.undone")
    assert [undone.nth(i).inner_text().split(" · ")[0] for i in range(undone.count())] == ["街道审批"]
    assert undone.first.locator(".tag").inner_text() == "已撤回"
    assert "已办结 · 确认离职" in timeline
    trail = hr.locator("ol.trail").inner_text()
    for said in ("请写明离职后的工作交接安排", "本人出差，请代为审查", "第一街道人事乙", "王晓梅"):
        assert said in trail, said
    assert not re.search(r"\b(hr_s01b?|leader_s01|worker_s01c01)\b", hr.locator("main").inner_text())
    shot(hr, "resignation-finished-1280")
    link = hr.get_by_role("link", name="打印审批表")
    pdf = hr.request.get(live_server.url + link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"].startswith("application/pdf") and pdf.body()[:5] == b"%PDF-"

    worker.goto(f"{live_server.url}/instances/{case_id}")
    assert TITLE in worker.locator("h1").inner_text()
    shot(worker, "resignation-finished-390")
    _header_shows_name(worker, "王晓梅")

    for console in (hr_console, worker_console, other_console, leader_console):
        assert console.errors == []


def test_a_dismissed_confirmation_sends_nothing(new_page, live_server, login, shot):
    case_id, review_id = _start_by_hr(live_server, "孙悦")
    hr, console = new_page(1280, 900)
    login(hr, "hr_s01")
    hr.goto(f"{live_server.url}/tasks/{review_id}")
    hr.locator("#op-return summary").click()

    # An empty reason: the form's own check speaks, and nobody is asked anything.
    asked: list[str] = []
    hr.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    hr.get_by_role("button", name="确认退回").click()
    assert asked == [] and hr.evaluate("document.querySelector('#return-reason').matches(':invalid')")

    hr.fill("#return-reason", "请补充材料")
    hr.get_by_role("button", name="确认退回").click()
    hr.wait_for_timeout(300)
    assert len(asked) == 1 and asked[0].startswith("退回给 第一街道人事（发起人）？")
    assert hr.url.endswith(f"/tasks/{review_id}") and hr.locator("#return-reason").input_value() == "请补充材料"
    hr.goto(f"{live_server.url}/instances/{case_id}")
    assert "退回" not in hr.locator("ol.trail").inner_text()
    assert "受理审查" in hr.locator("section.current-steps").inner_text()
    shot(hr, "resignation-confirm-dismissed-1280")
    assert console.errors == []


def test_an_opinion_typed_before_the_session_expired_is_kept(new_page, live_server, login, shot):
    _case_id, review_id = _start_by_hr(live_server, "周琳")
    hr, console = new_page(390, 844)
    login(hr, "hr_s01")
    hr.goto(f"{live_server.url}/tasks/{review_id}")
    hr.get_by_label("提请确认离职").check()
    hr.get_by_label("审查说明").fill("书面申请已核对，交接清单齐全")

    session_cookie = live_server.app.config["SESSION_COOKIE_NAME"]
    kept = [c for c in hr.context.cookies() if c["name"] != session_cookie]
    hr.context.clear_cookies()  # the session ran out while the person was typing
    hr.context.add_cookies(kept)
    hr.get_by_role("button", name="提交").click()
    hr.wait_for_url("**/login**")
    assert "登录已过期" in hr.locator(".flashes").inner_text()
    hr.fill("#username", "hr_s01")
    hr.fill("#password", "demo-pass-2026")
    hr.click("form.login button[type=submit]")
    hr.wait_for_url(f"**/tasks/{review_id}")
    assert hr.get_by_label("审查说明").input_value() == "书面申请已核对，交接清单齐全"
    assert hr.get_by_label("提请确认离职").is_checked()
    assert "已恢复" in hr.locator("#draft-restored").inner_text()
    shot(hr, "resignation-draft-restored-390")

    hr.get_by_role("button", name="提交").click()
    hr.wait_for_url("**/inbox")
    assert "已提交" in hr.locator(".flashes").inner_text()
    hr.goto(f"{live_server.url}/inbox")
    assert hr.evaluate(f"localStorage.getItem('cwflow-task-draft:{review_id}')") is None
    assert console.errors == []
