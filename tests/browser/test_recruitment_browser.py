"""A recruitment campaign in a real Chromium, as its people would work it: after registration closes
the district's civil-affairs officer finds the applications from the case page, is told how many are
left when closing the review too early, reviews them in the workspace, closes the step; the panel then
types the written scores. Screenshots at 1280 px and 390 px; no console errors."""

from datetime import date, datetime

import pytest

pytestmark = pytest.mark.browser

PLAN = {"title": "浏览器测试2026年社区工作者招聘", "year": 2026,
        "posts": [{"community": "S01C01", "count": 1}, {"community": "S02C01", "count": 1}],
        "registration_opens": "2026-09-07", "registration_closes": "2026-09-11"}
PEOPLE = (("孙一", "S01C01", 1), ("周二", "S01C01", 2), ("吴三", "S02C01", 3))
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(birth: date, seq: int, gender: str) -> str:
    body = f"110101{birth:%Y%m%d}{seq * 2 + (1 if gender == '男' else 0):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def _at(moment: str):  # noqa: ANN202
    from engine.core import clock

    return clock.frozen(datetime.fromisoformat(moment))


@pytest.fixture(scope="module")
def campaign(live_server):  # noqa: ANN001, ANN201
    """A district campaign whose registration has closed: three applicants, the review step open."""
    from sqlalchemy import select

    from engine.core.scope import load_actor
    from engine.models import TaskRow
    from engine.process import commands, timers
    from engine.recruitment import applications
    from web.extensions import db

    def complete(username: str, instance_id: int, name: str, data: dict) -> None:
        task = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance_id, TaskRow.name == name,
                                                       TaskRow.status == "open"))
        commands.complete_task(db.session, load_actor(db.session, username), task.id, data)

    with live_server.app.app_context():
        with _at("2026-09-01T09:00:00+08:00"):
            instance, _ = commands.start_instance(db.session, load_actor(db.session, "civil_d01"), "recruitment",
                                                  org_code="D01", data=PLAN)
            complete("swd_d01", instance.id, "approve_plan", {"decision": "approve", "comment": "同意"})
            complete("org_d01", instance.id, "file_plan", {"filing_number": "组备〔2026〕9号", "filed_on": "2026-09-01"})
            complete("civil_d01", instance.id, "publish_notice",
                     {"notice_number": "示民〔2026〕9号", "published_on": "2026-09-02", "channel": "区政府网站"})
        with _at("2026-09-08T10:00:00+08:00"):
            for name, post, seq in PEOPLE:
                birth, gender = date(1995, 3, seq), "女" if seq % 2 else "男"
                applications.submit(db.session, instance.id, {
                    "name": name, "gender": gender, "birth_date": birth, "id_number": _id_number(birth, seq, gender),
                    "education": "本科", "phone": "13800000000", "post": post, "local_residence": True})
        timers.tick(db.session, datetime.fromisoformat("2026-09-12T00:00:01+08:00"))
        review = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance.id,
                                                         TaskRow.name == "close_qualification_review"))
        found = (instance.id, review.id)
        db.session.remove()
    return found


def test_review_and_scores_in_the_browser(new_page, live_server, campaign, login, shot):
    case_id, review_task = campaign
    base = live_server.url

    # From the case page to the workspace: every applicant by name, posts by their communities' names.
    civil, civil_console = new_page()
    login(civil, "civil_d01")
    civil.goto(f"{base}/instances/{case_id}")
    civil.locator("#workspace-link").click()
    civil.wait_for_url(f"**/recruitments/{case_id}")
    table = civil.locator("#applications")
    for name, _post, _seq in PEOPLE:
        assert name in table.inner_text()
    assert "第一街道阳光社区" in table.inner_text() and "第二街道幸福社区" in table.inner_text()
    assert "S01C01" not in table.inner_text()
    assert "已报名，等待资格审查 3" in civil.locator("#status-counts").inner_text()
    shot(civil, "recruitment-workspace-1280")

    # Closing the review too early says how many are left, not that someone else took the task.
    civil.goto(f"{base}/tasks/{review_task}")
    civil.get_by_label("确认全部报名已审查").check()
    civil.get_by_role("button", name="提交").click()
    notice = civil.locator("#notice").inner_text()
    assert "还有 3 份报名未审查，请先在招聘工作台完成审查" in notice
    assert "他人处理" not in notice

    # Two approved at once, the third rejected with a reason the applicant can read.
    civil.locator("#workspace-link").click()
    civil.get_by_label("选择 孙一").check()
    civil.get_by_label("选择 吴三").check()
    civil.get_by_label("通过", exact=True).check()
    civil.get_by_role("button", name="提交审查").click()
    assert "已审查 2 份报名（通过）" in civil.locator(".flashes").inner_text()
    civil.get_by_label("选择 周二").check()
    civil.get_by_label("不通过", exact=True).check()
    civil.fill("#review-reason", "学历证书未能提供原件")
    civil.get_by_role("button", name="提交审查").click()
    assert "已审查 1 份报名（不通过）" in civil.locator(".flashes").inner_text()
    assert "学历证书未能提供原件" in civil.locator("#applications").inner_text()
    assert "资格审查通过 2" in civil.locator("#status-counts").inner_text()

    # Now the step closes.
    civil.goto(f"{base}/tasks/{review_task}")
    civil.get_by_label("确认全部报名已审查").check()
    civil.get_by_role("button", name="提交").click()
    civil.wait_for_url("**/inbox")
    assert "已提交" in civil.locator(".flashes").inner_text()
    assert civil_console.errors == []

    # The panel types the written scores; one is absent.
    panel, panel_console = new_page()
    login(panel, "panel_d01")
    panel.goto(f"{base}/recruitments/{case_id}/scores")
    assert "周二" not in panel.locator("#score-table").inner_text()  # rejected: no score to enter
    panel.get_by_label("孙一", exact=True).fill("86.5")
    panel.get_by_label("吴三 缺考").check()
    panel.get_by_role("button", name="保存成绩").click()
    assert "已录入 2 人的笔试成绩" in panel.locator(".flashes").inner_text()
    assert panel.get_by_label("孙一", exact=True).input_value() == "86.50"
    shot(panel, "recruitment-scores-1280")
    assert panel_console.errors == []

    # On a phone.
    phone, phone_console = new_page(390, 844)
    login(phone, "civil_d01")
    phone.goto(f"{base}/recruitments/{case_id}")
    assert "孙一" in phone.locator("#applications").inner_text()
    shot(phone, "recruitment-workspace-390")
    phone.goto(f"{base}/recruitments/{case_id}/scores")
    shot(phone, "recruitment-scores-390")
    assert phone_console.errors == []
