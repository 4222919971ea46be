"""On a 390 px phone a long unbroken business key wraps inside its cell or heading: the inbox, the
case list, the case page and the task page stay as wide as the screen, with no sideways scrolling."""

import pytest

pytestmark = pytest.mark.browser

LONG_KEY = "RES-" + "2026SHEQUGONGZUOZHECIZHISHENQINGBIANHAO" * 2


@pytest.fixture(scope="module")
def long_case(live_server):  # noqa: ANN001, ANN201
    """王晓梅's resignation filed under a business key longer than a phone is wide."""
    from sqlalchemy import select

    from engine.core.scope import load_actor
    from engine.models import TaskRow
    from engine.process import commands
    from web.extensions import db

    with live_server.app.app_context():
        instance, _ = commands.start_instance(
            db.session, load_actor(db.session, "hr_s01"), "resignation", org_code="S01C01", business_key=LONG_KEY,
            data={"worker_id": 1, "reason": "家庭原因，需回原籍照顾老人", "submitted_on": "2026-11-20"})
        task = db.session.scalar(select(TaskRow.id).where(TaskRow.instance_id == instance.id,
                                                          TaskRow.status == "open"))
        db.session.remove()
    return instance.id, task


def test_a_long_business_key_does_not_widen_the_page_on_a_phone(live_server, new_page, login, shot, long_case):
    instance_id, task = long_case
    page, console = new_page(390, 844)
    login(page, "hr_s01")
    for path, name in (("/inbox", "inbox"), ("/instances", "instances"), (f"/instances/{instance_id}", "case"),
                       (f"/tasks/{task}", "task")):
        page.goto(f"{live_server.url}{path}")
        assert LONG_KEY in page.content(), path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 391, f"{path} is {width} px wide"
        shot(page, f"phone-wrap-{name}-390")
    page, desk_console = new_page(1280, 900)
    login(page, "hr_s01")
    page.goto(f"{live_server.url}/instances/{instance_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1281
    shot(page, "phone-wrap-case-1280")
    assert console.errors == [] and desk_console.errors == []
