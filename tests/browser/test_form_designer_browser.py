"""Forms in a real Chromium: the district civil-affairs officer adds and removes post rows of a
recruitment plan in place and starts it; the administrator designs a form field by field, sees the
preview follow, saves and finds the new version. Screenshots at 1280 and 390 px in
test-artifacts/screenshots/designer-*.png."""

import json

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
    assert "第一街道阳光社区" in body and "第二街道幸福社区" in body and "第一街道和平社区" not in body
    assert _page_errors(console) == []

    phone, phone_console = new_page(390, 844)
    login(phone, "civil_d01")
    phone.goto(f"{live_server.url}/start/recruitment")
    phone.get_by_role("button", name="添加一行").click()
    assert phone.locator('fieldset[data-repeat="posts"] > .rows > .row').count() == 2
    shot(phone, "designer-plan-rows-390")
    assert _page_errors(phone_console) == []


def _preview_labels(page) -> list[str]:  # noqa: ANN001
    return page.locator("#preview .schema-form > .field").evaluate_all(
        "nodes => nodes.map(n => (n.querySelector(':scope > legend, :scope > label') || n).textContent.trim())")


def test_an_administrator_designs_a_field_sees_the_preview_follow_and_saves_a_version(live_server, new_page, login, shot):
    page, console = new_page(1280, 900)
    login(page, "admin")
    page.goto(f"{live_server.url}/admin/forms/handover_check.json?new=1")
    page.locator("#preview .schema-form").wait_for()
    assert _preview_labels(page) == ["审批意见*（必填）", "说明"]

    page.get_by_role("button", name="添加字段").click()
    card = page.locator(".designer-field").nth(2)
    card.get_by_label("标题").fill("交接情况")
    card.get_by_label("类型").select_option(label="单选")
    card = page.locator(".designer-field").nth(2)
    card.get_by_label("选项文字").nth(0).fill("已全部交接")
    card.get_by_label("选项文字").nth(1).fill("部分交接")
    card.get_by_role("button", name="添加选项").click()
    card.get_by_label("选项文字").nth(2).fill("未交接")
    card.get_by_label("保存的值").nth(2).fill("none")
    card.get_by_label("必填").check()
    assert page.get_by_role("status").filter(has_text="已设为必填").inner_text() == "“交接情况”已设为必填。"
    page.locator("#preview legend", has_text="交接情况").wait_for()
    assert page.locator("#preview fieldset.radio").last.locator("label").all_inner_texts() == \
        ["已全部交接", "部分交接", "未交接"]

    card.get_by_role("button", name="上移字段“交接情况”").click()
    page.get_by_role("button", name="上移字段“交接情况”").click()
    assert page.get_by_role("status").filter(has_text="移到").inner_text() == "已将“交接情况”移到第 1 位。"
    page.locator("#preview .schema-form > .field:first-child", has_text="交接情况").wait_for()
    assert _preview_labels(page) == ["交接情况*（必填）", "审批意见*（必填）", "说明"]
    first = page.locator(".designer-field").first
    first.get_by_label("字段名").fill("交接")
    first.get_by_label("字段名").press("Tab")
    assert first.locator(".designer-key-error").inner_text() == "字段名须以英文字母或下划线开头，只含英文字母、数字和下划线。"
    first.get_by_label("字段名").fill("handover")
    first.get_by_label("字段名").press("Tab")
    assert first.locator(".designer-key-error").inner_text() == ""
    page.get_by_role("button", name="删除字段“说明”").click()
    page.locator("#preview .schema-form > .field", has_text="说明").wait_for(state="detached")
    assert _preview_labels(page) == ["交接情况*（必填）", "审批意见*（必填）"]
    schema = json.loads(page.locator("#schema-text").input_value())
    assert list(schema["properties"]) == ["handover", "decision"] and schema["required"] == ["decision", "handover"]
    assert schema["properties"]["handover"]["oneOf"][2] == {"const": "none", "title": "未交接"}
    shot(page, "designer-form-1280")

    good = page.locator("#schema-text").input_value()
    lines = good.split("\n")
    broken_at = next(i for i, line in enumerate(lines) if line.startswith('  "title"'))
    lines[broken_at] = lines[broken_at].rstrip(",")
    page.fill("#schema-text", "\n".join(lines))
    page.locator("#checks li.error").wait_for()
    assert page.locator("#checks li.error").inner_text() == f"第 {broken_at + 2} 行第 3 列：缺少逗号"
    assert page.locator("#designer-notice").is_visible() and page.locator("#designer-title").is_disabled()
    page.fill("#schema-text", good)
    page.locator("#checks li.error").wait_for(state="detached")
    assert page.locator("#designer-title").is_enabled()

    page.fill("#note", "增加交接情况")
    page.get_by_role("button", name="保存为新版本").click()
    page.locator("#form-status.ok").wait_for()
    assert page.locator("#form-status").inner_text().startswith("已保存为版本 1，")
    page.get_by_role("link", name="打开版本 1").click()
    page.wait_for_url("**version=1")
    assert "已保存版本 1" in page.locator("h1").inner_text()
    assert page.locator("table.grid tbody tr").first.locator("td").nth(1).inner_text() == "增加交接情况"
    assert page.locator(".designer-field").first.get_by_label("标题").input_value() == "交接情况"
    page.locator("#preview .schema-form").wait_for()
    assert _page_errors(console) == []

    phone, phone_console = new_page(390, 844)
    login(phone, "admin")
    phone.goto(f"{live_server.url}/admin/forms/handover_check.json")
    phone.locator("#preview .schema-form").wait_for()
    assert phone.locator(".designer-field").first.get_by_label("标题").is_visible()
    shot(phone, "designer-form-390")
    assert _page_errors(phone_console) == []


def test_an_administrator_shows_a_field_only_for_some_answers_and_the_preview_follows(live_server, new_page, login,
                                                                                       shot):
    page, console = new_page(1280, 900)
    login(page, "admin")
    page.goto(f"{live_server.url}/admin/forms/refusal_reason.json?new=1")
    page.locator("#preview .schema-form").wait_for()

    page.get_by_role("button", name="添加字段").click()
    card = page.locator(".designer-field").nth(2)
    card.get_by_label("标题").fill("不同意的理由")
    card.get_by_label("必填").check()
    card.get_by_label("显示条件").select_option(label="仅当“审批意见”为所选项时显示")
    card = page.locator(".designer-field").nth(2)
    assert card.get_by_label("同意", exact=True).is_checked()  # a new condition starts with the first answer
    card.get_by_label("不同意", exact=True).check()
    card.get_by_label("同意", exact=True).uncheck()
    status = page.locator("#designer-status")
    assert status.inner_text() == "“不同意的理由”仅在“审批意见”为所选项时显示。"

    schema = json.loads(page.locator("#schema-text").input_value())
    assert schema["required"] == ["decision"]  # required only while shown
    assert schema["allOf"] == [{"if": {"properties": {"decision": {"const": "reject"}}, "required": ["decision"]},
                                "then": {"required": ["field_3"]}, "else": {"not": {"required": ["field_3"]}}}]

    # The preview is the staff form: the reason appears only once 不同意 is chosen, marked required.
    reason = page.locator('#preview [data-show-when="decision"]')
    reason.wait_for(state="attached")
    assert reason.is_hidden() and reason.locator("input").is_disabled()
    preview = page.locator("#preview")
    preview.get_by_label("不同意", exact=True).check()
    assert reason.is_visible() and reason.locator("input").is_enabled()
    assert reason.locator("label").text_content().strip() == "不同意的理由*（必填）"
    shot(page, "designer-condition-1280")
    preview.get_by_label("同意", exact=True).check()
    assert reason.is_hidden()

    # A field that has a condition keeps its place in the JSON when renamed, and dropping the
    # condition makes it an ordinary required field again.
    card = page.locator(".designer-field").nth(2)
    card.get_by_label("字段名").fill("reason")
    card.get_by_label("字段名").press("Tab")
    schema = json.loads(page.locator("#schema-text").input_value())
    assert schema["allOf"][0]["else"] == {"not": {"required": ["reason"]}}
    assert schema["allOf"][0]["then"] == {"required": ["reason"]}

    page.fill("#note", "不同意时填写理由")
    page.get_by_role("button", name="保存为新版本").click()
    page.locator("#form-status.ok").wait_for()
    page.get_by_role("link", name="打开版本 1").click()
    page.wait_for_url("**version=1")
    card = page.locator(".designer-field").nth(2)
    assert card.get_by_label("显示条件").locator("option:checked").inner_text() == "仅当“审批意见”为所选项时显示"
    assert card.get_by_label("不同意", exact=True).is_checked() and not card.get_by_label("同意", exact=True).is_checked()
    page.locator('#preview [data-show-when="decision"]').wait_for(state="hidden")

    card.get_by_label("显示条件").select_option(label="始终显示")
    schema = json.loads(page.locator("#schema-text").input_value())
    assert "allOf" not in schema and schema["required"] == ["decision", "reason"]
    page.locator('#preview [data-show-when]').wait_for(state="detached")

    # Drag and drop reorders as the buttons do: the reason's handle dropped on the top of the first card.
    page.set_viewport_size({"width": 1280, "height": 2000})  # both cards on screen, as a pointer needs them
    page.evaluate("window.scrollTo(0, 0)")
    first = page.locator(".designer-field").first
    page.locator('.designer-field[data-key="reason"] .designer-handle').drag_to(first, target_position={"x": 40, "y": 5})
    assert status.inner_text() == "已将“不同意的理由”移到第 1 位。"
    assert list(json.loads(page.locator("#schema-text").input_value())["properties"]) == ["reason", "decision", "comment"]
    page.locator("#preview .schema-form > .field:first-child", has_text="不同意的理由").wait_for()
    assert console.errors == [], console.errors

    phone, phone_console = new_page(390, 844)
    login(phone, "admin")
    phone.goto(f"{live_server.url}/admin/forms/refusal_reason.json")
    phone.locator('#preview [data-show-when="decision"]').wait_for(state="attached")
    phone.locator("#preview").get_by_label("不同意", exact=True).check()
    phone.locator('#preview [data-show-when="decision"]').wait_for(state="visible")
    shot(phone, "designer-condition-390")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    assert phone_console.errors == [], phone_console.errors


def test_editing_a_choice_keeps_where_the_diagram_returns(live_server, new_page, login):
    page, console = new_page(1280, 900)
    login(page, "admin")
    page.goto(f"{live_server.url}/admin/forms/resignation_street_decision.json")
    page.locator("#preview .schema-form").wait_for()
    card = page.locator(".designer-field").first
    card.get_by_label("选项文字").nth(0).fill("确认离职（同意）")
    schema = json.loads(page.locator("#schema-text").input_value())
    choices = schema["properties"]["decision"]["oneOf"]
    assert choices[0]["title"] == "确认离职（同意）"
    assert choices[2] == {"const": "return", "title": "退回补正", "x-return-to": "street_review"}
    assert _page_errors(console) == []
