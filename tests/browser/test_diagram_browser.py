"""The case diagram on any screen: 放大 / 缩小 / 适应窗口 change what the frame shows, and every screen
starts at a scale whose labels read (the whole diagram when it fits so, else scrolled sideways to the
step the case waits at) instead of a tiny fitted picture."""

import pytest

pytestmark = pytest.mark.browser

READABLE_TEXT_PX = 9  # a step's label, rendered, is at least this tall


@pytest.fixture(scope="module")
def case_at_decision(live_server):  # noqa: ANN001, ANN201
    """A resignation reviewed by street HR, waiting for the street leader's decision."""
    from sqlalchemy import select

    from engine.core.scope import load_actor
    from engine.models import TaskRow
    from engine.process import commands
    from web.extensions import db

    with live_server.app.app_context():
        hr = load_actor(db.session, "hr_s01")
        instance, _ = commands.start_instance(
            db.session, hr, "resignation", org_code="S01C01",
            data={"worker_id": 1, "reason": "家庭原因", "submitted_on": "2026-11-20"})
        review = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.status == "open"))
        commands.complete_task(db.session, hr, review.id,
                              {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"})
        case_id = instance.id
        db.session.remove()
    return case_id


def _state(page) -> dict:  # noqa: ANN001
    return page.evaluate("""() => {
        const holder = document.getElementById('diagram'), frame = holder.querySelector('.canvas-scroll');
        const label = holder.querySelector('.djs-element[data-element-id="street_decision"] text');
        const step = holder.querySelector('.djs-element[data-element-id="street_decision"]').getBoundingClientRect();
        const seen = frame.getBoundingClientRect();
        return {viewbox: holder.dataset.viewbox, scale: Number(holder.dataset.scale),
                scrolls: frame.scrollWidth > frame.clientWidth + 1, label: label.getBoundingClientRect().height,
                stepShown: step.left >= seen.left - 1 && step.right <= seen.right + 1};
    }""")


def _open(page, live_server, case_id: int) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/instances/{case_id}")
    page.locator("#diagram[data-ready=true]").wait_for()


def test_the_zoom_buttons_change_what_the_frame_shows(new_page, live_server, login, shot, case_at_decision):
    page, console = new_page(1280, 900)
    login(page, "hr_s01")
    _open(page, live_server, case_at_decision)
    toolbar = page.get_by_role("toolbar", name="流程图缩放")
    first = _state(page)
    assert first["label"] >= READABLE_TEXT_PX and first["stepShown"], first  # readable, at the current step
    shot(page, "diagram-1280")

    toolbar.get_by_role("button", name="放大").click()
    bigger = _state(page)
    assert bigger["scale"] > first["scale"] and bigger["viewbox"] != first["viewbox"]
    assert bigger["label"] > first["label"]

    toolbar.get_by_role("button", name="缩小").click()
    toolbar.get_by_role("button", name="缩小").click()
    smaller = _state(page)
    assert smaller["scale"] < first["scale"] and smaller["viewbox"] != bigger["viewbox"]

    toolbar.get_by_role("button", name="适应窗口").click()
    fitted = _state(page)
    assert not fitted["scrolls"] and fitted["viewbox"] != smaller["viewbox"]
    assert console.errors == []


def test_on_a_phone_the_diagram_reads_and_scrolls_sideways_to_the_current_step(new_page, live_server, login, shot,
                                                                             case_at_decision):
    page, console = new_page(390, 844)
    login(page, "hr_s01")
    _open(page, live_server, case_at_decision)
    state = _state(page)
    assert state["scale"] >= 0.85 and state["label"] >= READABLE_TEXT_PX, state
    assert state["scrolls"] and state["stepShown"], state  # wider than the phone, opened at 街道审批
    page.locator("#diagram").scroll_into_view_if_needed()
    shot(page, "diagram-390")

    page.get_by_role("button", name="适应窗口").click()
    assert _state(page)["scale"] < state["scale"]
    page.get_by_role("button", name="放大").click()
    assert console.errors == []
