"""An administrator works in a real Chromium: edits a diagram in the modeler, sees a validation
error marked on the lane it is about, fixes it and deploys version 2, while a running case stays
on version 1. Screenshots of every admin page go to test-artifacts/screenshots/admin-*.png."""

import json
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODELER_BUNDLE = ROOT / "web" / "static" / "vendor" / "bpmn-js" / "bpmn-modeler.production.min.js"
PASSWORD = "demo-pass-2026"
RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not MODELER_BUNDLE.exists(), reason="bpmn-js is not vendored (npm install && npm run vendor)"),
]


def _api(base: str, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
    request = urllib.request.Request(f"{base}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _token(base: str, username: str) -> str:
    return _api(base, "POST", "/api/v1/tokens", {"username": username, "password": PASSWORD})["token"]


def _page_errors(console) -> list[str]:  # noqa: ANN001
    """Script errors only: a missing favicon is not the admin pages' concern."""
    return [e for e in console.errors if "Failed to load resource" not in e]


def test_an_administrator_fixes_a_lane_and_deploys_version_2_while_a_running_case_stays_on_1(
        live_server, new_page, login, shot):
    server = live_server.url
    hr = _token(server, "hr_s01")
    running = _api(server, "POST", "/api/v1/processes/resignation/instances",
                   {"org": "S01C01", "data": RESIGNATION}, hr)
    assert running["version"] == 1

    page, console = new_page(1280, 900)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))  # a deploy asks first
    login(page, "admin")

    page.goto(f"{server}/admin/modeler?key=resignation")
    page.locator("#admin-root[data-ready='1']").wait_for()
    panel = page.locator("#properties")

    page.locator('.djs-element[data-element-id="street_review"]').click()
    assert panel.locator("select[data-prop=form]").input_value() == "resignation_street_review.json"
    panel.locator("input[data-prop=name]").fill("受理并审查")

    lane = page.locator('.djs-element[data-element-id="lane_street_leader"]')
    lane.click(position={"x": 12, "y": 40})
    assert panel.locator("select[data-prop=role]").input_value() == "street_leader"
    panel.locator("input[data-prop=name]").fill("不存在的角色")
    page.click("#btn-validate")
    page.locator("#status.error").wait_for()
    assert page.locator('.djs-element.cw-error[data-element-id="lane_street_leader"]').count() == 1
    assert "泳道 '不存在的角色' 不是已知角色" in page.locator(".cw-problem-overlay").inner_text()
    assert "lane_street_leader" in page.locator("#problems").inner_text()
    shot(page, "admin-modeler-problem")

    # Deploying a diagram with a problem checks it first and asks nothing.
    page.click("#btn-deploy")
    page.locator("#status.error", has_text="修正后再发布").wait_for()
    assert dialogs == []

    panel.locator("select[data-prop=role]").select_option("street_leader")
    page.click("#btn-validate")
    page.locator("#status.ok").wait_for()
    assert page.locator(".djs-element.cw-error").count() == 0 and page.locator(".cw-problem-overlay").count() == 0

    page.click("#btn-deploy")
    page.locator("#status", has_text="已部署 resignation 版本 2").wait_for()
    assert len(dialogs) == 1 and dialogs[0].startswith("发布此流程图为新版本？")
    shot(page, "admin-modeler-deployed")

    fresh = _api(server, "POST", "/api/v1/processes/resignation/instances",
                 {"org": "S01C01", "data": {**RESIGNATION, "worker_id": 2}}, hr)
    assert fresh["version"] == 2 and fresh["open_tasks"][0]["title"] == "受理并审查"
    assert _api(server, "GET", f"/api/v1/instances/{running['id']}", token=hr)["version"] == 1

    page.goto(f"{server}/admin/definitions")
    rows = page.locator("#process-resignation tbody tr")
    assert rows.count() == 2
    assert [rows.nth(i).locator("td.running").inner_text() for i in range(2)] == ["1", "1"]
    assert "系统管理员" in rows.nth(0).inner_text()  # who deployed it, by name
    shot(page, "admin-definitions")

    # On a phone the same pages work without sideways scrolling of the page itself.
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "admin-definitions-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.goto(f"{server}/admin/modeler?key=resignation")
    page.locator("#admin-root[data-ready='1']").wait_for()
    assert page.locator('.djs-element[data-element-id="street_review"]').count() == 1
    shot(page, "admin-modeler-phone")
    assert console.errors == [], console.errors


def test_screenshots_of_the_other_admin_pages(live_server, new_page, login, shot):
    server = live_server.url
    page, console = new_page(1400, 900)
    login(page, "admin")

    page.goto(f"{server}/admin/modeler")
    page.locator("#admin-root[data-ready='1']").wait_for()
    page.locator('.djs-element[data-element-id="task_1"]').click()
    page.locator("#properties select[data-prop=due-kind]").select_option("dueInWorkingDays")
    page.locator("#properties input[data-prop=due-value]").fill("5")
    xml = page.evaluate("window.cwflowModeler.saveXML().then(r => r.xml)")
    assert '<spiffworkflow:property name="dueInWorkingDays" value="5" />' in xml
    page.click("#btn-draft")
    page.locator("#status", has_text="草稿已保存").wait_for()
    assert "draft=" in page.url
    shot(page, "admin-modeler-new")
    page.set_input_files("#import-file", str(ROOT / "workflows" / "resignation.bpmn"))
    page.locator("#status", has_text="已导入 resignation.bpmn").wait_for()
    assert page.locator('.djs-element[data-element-id="street_review"]').count() == 1

    page.goto(f"{server}/admin/forms")
    shot(page, "admin-forms")
    page.goto(f"{server}/admin/forms/resignation_street_review.json")
    page.locator("#checks li").first.wait_for()
    page.fill("#schema-text", '{"type": "object", "title": "Review", "properties": {"ok": {"type": "boolean"}}}')
    page.locator("#checks li.warning").first.wait_for()
    assert "中文标题" in page.locator("#checks").inner_text()
    assert page.locator("#preview input[type=checkbox]").count() == 1
    shot(page, "admin-form-editor")

    page.goto(f"{server}/admin/users")
    shot(page, "admin-users")
    page.get_by_role("link", name="hr_s01").click()
    shot(page, "admin-user")
    page.goto(f"{server}/admin/orgs")
    shot(page, "admin-orgs")
    page.goto(f"{server}/admin/tokens")
    page.fill("#label", "演示：人事系统同步")
    page.locator("#mint-token button[type=submit]").click()
    assert page.locator("#minted-token").inner_text().strip()
    shot(page, "admin-tokens")
    assert not _page_errors(console), console.errors


def test_an_english_administrator_gets_the_modeler_scripts_in_english(live_server, new_page, login):
    """The modeler's own scripts speak the page's language; the validator's problems stay Chinese."""
    server = live_server.url
    page, console = new_page(1400, 900)
    login(page, "admin")
    with page.expect_navigation():
        page.click("button[name=locale][value=en]")
    page.goto(f"{server}/admin/modeler")
    page.locator("#admin-root[data-ready='1']").wait_for()
    assert page.locator("#properties h2").inner_text() == "Properties"
    page.locator('.djs-element[data-element-id="task_1"]').click()
    assert page.locator("#properties select[data-prop=form] option").first.inner_text() == "— choose a form —"
    page.click("#btn-validate")
    page.locator("#status.error", has_text="1 problem(s) found, marked in the diagram.").wait_for()
    problem = page.locator("#problems li").first.inner_text()
    assert problem.startswith("Line ") and "task_1: 用户任务未指定表单（属性 formJsonSchemaFilename）" in problem
    assert not _page_errors(console), console.errors
