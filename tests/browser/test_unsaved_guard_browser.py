"""Unsaved edits in the admin modeler and the form editor: leaving asks first (and staying keeps the
edit); once saved, leaving asks nothing."""

import pytest

pytestmark = pytest.mark.browser


def _leave(page, live_server) -> list[str]:  # noqa: ANN001
    """Follow the header's 待办 link, refusing any question about leaving; returns what was asked."""
    asked: list[str] = []

    def stay(dialog) -> None:  # noqa: ANN001
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator("header.top").get_by_role("link", name="待办").click()
    page.wait_for_timeout(500)
    page.remove_listener("dialog", stay)
    return asked


def test_the_form_editor_asks_before_leaving_unsaved_edits(new_page, live_server, login):
    page, console = new_page(1280, 900)
    login(page, "admin")
    page.goto(f"{live_server.url}/admin/forms/resignation_street_review.json")
    page.locator("#preview .schema-form").wait_for()
    assert _leave(page, live_server) == [] and page.url.endswith("/inbox")

    page.goto(f"{live_server.url}/admin/forms/resignation_street_review.json")
    page.locator("#preview .schema-form").wait_for()
    page.locator(".designer-field").first.get_by_label("标题").fill("审查结论")
    assert _leave(page, live_server) == ["beforeunload"]
    assert "/admin/forms/" in page.url  # stayed, with the edit
    assert page.locator(".designer-field").first.get_by_label("标题").input_value() == "审查结论"

    page.fill("#note", "改标题")
    page.get_by_role("button", name="保存为新版本").click()
    page.locator("#form-status.ok").wait_for()
    assert _leave(page, live_server) == [] and page.url.endswith("/inbox")
    assert [e for e in console.errors if "favicon" not in e] == []


def test_the_modeler_asks_before_leaving_an_unsaved_diagram(new_page, live_server, login):
    page, console = new_page(1400, 900)
    login(page, "admin")
    page.goto(f"{live_server.url}/admin/modeler?key=resignation")
    page.locator("#admin-root[data-ready='1']").wait_for()
    page.evaluate("""() => {
        const modeler = window.cwflowModeler;
        const task = modeler.get('elementRegistry').get('street_review');
        modeler.get('modeling').updateLabel(task, '受理并审查');
    }""")
    assert page.locator("#dirty").is_visible()
    assert _leave(page, live_server) == ["beforeunload"]
    assert "/admin/modeler" in page.url

    page.click("#btn-draft")
    page.locator("#status.ok").wait_for()
    assert _leave(page, live_server) == [] and page.url.endswith("/inbox")
    assert [e for e in console.errors if "favicon" not in e] == []
