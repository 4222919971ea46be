"""An applicant on a phone registers on the public recruitment page: they read what is done with
their ID number and agree before giving it, get digit keypads, type the ID number's final X with
the page's key, and are told honestly when the pre-check found something against them."""

import pytest

pytestmark = pytest.mark.browser

TITLE = "示范区社区工作者公开招聘（手机报名）"
ID_ENDING_IN_X = "11010119960308007X"  # a valid check digit: male, born 1996-03-08


@pytest.fixture(scope="module")
def campaign(live_server):  # noqa: ANN001, ANN201
    """A campaign whose registration is open today, driven through the engine's commands."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from engine.core.scope import load_actor
    from engine.models import TaskRow
    from engine.process import commands
    from web.extensions import db

    today = date.today()
    plan = {"title": TITLE, "year": today.year, "posts": [{"community": "S01C02", "count": 1}],
            "registration_opens": (today - timedelta(days=1)).isoformat(),
            "registration_closes": (today + timedelta(days=5)).isoformat()}
    steps = (("swd_d01", "approve_plan", {"decision": "approve", "comment": "同意"}),
             ("org_d01", "file_plan", {"filing_number": "组备〔2026〕11号", "filed_on": today.isoformat()}),
             ("civil_d01", "publish_notice", {"notice_number": "示民〔2026〕11号",
                                              "published_on": today.isoformat(), "channel": "区政府网站"}))
    with live_server.app.app_context():
        instance, _ = commands.start_instance(db.session, load_actor(db.session, "civil_d01"), "recruitment",
                                             org_code="D01", data=plan)
        for user, name, data in steps:
            task = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.name == name,
                                                           TaskRow.status == "open"))
            commands.complete_task(db.session, load_actor(db.session, user), task.id, data)
        db.session.remove()
    return instance.id


def test_the_form_on_a_wide_screen_shows_the_notice_before_the_form(new_page, live_server, campaign, shot):
    page, console = new_page(1280, 900)
    page.goto(f"{live_server.url}/recruitment/{campaign}")
    notice = page.get_by_role("heading", name="个人信息处理告知")
    assert notice.is_visible()
    assert notice.bounding_box()["y"] < page.locator("#f-id_number").bounding_box()["y"]
    shot(page, "public-apply-consent-1280")
    assert console.errors == [], console.errors


def test_an_applicant_on_a_phone_consents_uses_the_keypads_and_is_told_what_happens_next(
        new_page, live_server, campaign, shot):
    page, console = new_page(390, 844)
    page.goto(f"{live_server.url}/recruitment/{campaign}")
    notice = page.locator("#privacy-notice")
    for said in ("本次招聘的组织单位：示范区", "居民身份证号码属于敏感个人信息", "保存期限", "申请查阅、更正或删除"):
        assert said in notice.inner_text(), said
    assert notice.bounding_box()["y"] < page.locator("#f-id_number").bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    id_field, phone = page.locator("#f-id_number"), page.locator("#f-phone")
    assert id_field.get_attribute("inputmode") == "numeric" and id_field.get_attribute("maxlength") == "18"
    assert phone.get_attribute("type") == "tel" and phone.get_attribute("autocomplete") == "tel"

    page.locator("#f-name").fill("高志远")
    page.get_by_label("男", exact=True).check()
    page.locator("#f-birth_date").fill("1996-03-08")
    id_field.fill(ID_ENDING_IN_X[:-1])
    page.get_by_role("button", name="输入 X").click()  # the digit keypad has no X
    assert id_field.input_value() == ID_ENDING_IN_X
    phone.fill("13912345678")
    page.locator("#f-education").select_option("高中")
    page.get_by_label("第一街道和平社区（1 人）").check()
    page.get_by_label("本地户籍或在本地居住").check()
    shot(page, "public-apply-consent-390")

    page.get_by_role("button", name="提交报名").click()  # consent not ticked
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "个人信息处理同意：请阅读《个人信息处理告知》并勾选同意后再提交报名" in summary.inner_text()
    assert page.locator("#f-pi_consent-error").is_visible()
    assert page.locator("#f-name").input_value() == "高志远"  # what was typed is kept

    page.get_by_label("我已阅读上述告知").check()
    page.get_by_label("男", exact=True).check()
    page.get_by_role("button", name="提交报名").click()
    heading = page.get_by_role("heading", level=1)
    heading.wait_for()
    assert heading.inner_text() == "已收到您的报名"
    assert "报名成功" not in page.content()
    findings = page.locator("#precheck-findings").inner_text()
    assert "初步核验发现" in findings and "学历高中" in findings and "资格审查时将由工作人员复核" in findings
    assert page.locator("#application-no").inner_text().startswith(f"ZP{campaign}-")
    shot(page, "public-applied-precheck-390")
    assert console.errors == [], console.errors
