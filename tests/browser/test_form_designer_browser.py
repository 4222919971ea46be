"""Forms in a real Chromium: the district civil-affairs officer adds and removes post rows of a
recruitment plan in place and starts it; the administrator designs a form field by field, sees the
preview follow, saves and finds the new version. Screenshots at 1280 and 390 px in
test-artifacts/screenshots/designer-*.png."""

import pytest

pytestmark = pytest.mark.browser


def _page_errors(console) -> list[str]:  # noqa: ANN001
    """Script errors only: a missing favicon is not the forms' concern."""
    return [e for e in console.errors if "Failed to load resource" not in e]


def test_the_plan_form_adds_and_removes_post_rows_in_place(live_server, new_page, login, shot):
    page, console = new_page(1280, 900)
    login(page, "civil_d01")
    page.goto(f"{live_server.url}/start/recruitment")
    posts = page.locator('fieldset[data-repeat="posts"]')
    rows = posts.locator(":scope > .rows > .row")
    assert rows.count() == 1
    assert posts.locator(".help").last.inner_text() == "空行不提交。"

    rows.nth(0).get_by_role("button", name="删除招聘岗位第 1 行").click()
    assert posts.get_by_role("status").inner_text() == "招聘岗位至少需要 1 行，不能再删除。"
    assert rows.count() == 1

    posts.get_by_role("button", name="添加一行").click()
    posts.get_by_role("button", name="添加一行").click()
    assert rows.count() == 3
    assert posts.get_by_role("status").inner_text() == "已添加第 3 行。"
    assert page.locator('[name="posts.2.community"]').evaluate("node => node === document.activeElement")
    page.select_option('[name="posts.0.community"]', "S01C01")
    page.fill('[name="posts.0.count"]', "1")
    page.select_option('[name="posts.1.community"]', "S01C02")
    page.fill('[name="posts.1.count"]', "1")
    page.select_option('[name="posts.2.community"]', "S02C01")
    page.fill('[name="posts.2.count"]', "1")
    shot(page, "designer-plan-rows-1280")

    rows.nth(1).get_by_role("button", name="删除招聘岗位第 2 行").click()
    assert rows.count() == 2
    assert posts.get_by_role("status").inner_text() == "已删除一行，现有 2 行。"
    assert page.locator('[name="posts.1.community"]').input_value() == "S02C01"
    assert page.locator("#f-posts-1-community").count() == 1 and page.locator('label[for="f-posts-1-count"]').count() == 1
    assert rows.nth(1).locator(".row-no").inner_text() == "2"

    page.select_option("#f-org", "D01")
    page.fill("#f-title", "浏览器测试2027年社区工作者招聘")
    page.fill("#f-year", "2027")
    page.fill("#f-registration_opens", "2027-01-04")
    page.fill("#f-registration_closes", "2027-01-08")
    page.get_by_role("button", name="发起").click()
    page.wait_for_url("**/instances/**")
    body = page.locator("main").inner_text()
    assert "S01C01" in body and "S02C01" in body and "S01C02" not in body
    assert _page_errors(console) == []

    phone, phone_console = new_page(390, 844)
    login(phone, "civil_d01")
    phone.goto(f"{live_server.url}/start/recruitment")
    phone.get_by_role("button", name="添加一行").click()
    assert phone.locator('fieldset[data-repeat="posts"] > .rows > .row').count() == 2
    shot(phone, "designer-plan-rows-390")
    assert _page_errors(phone_console) == []
