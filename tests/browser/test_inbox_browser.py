"""The inbox in a real Chromium as a street HR user reads it: four tabs with their numbers (待处理,
已处理, 我发起的, 抄送我的), cases by their titles and people by their names, on a desk and on a phone."""

import re

import pytest

pytestmark = pytest.mark.browser

REVIEW_OK = {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"}
USERNAME = re.compile(r"\b(hr|leader|sec|civil)_[sd]\d")


@pytest.fixture(scope="module")
def cases(live_server):  # noqa: ANN001, ANN201
    """As hr_s01: 王晓梅's resignation waiting for review, 李建国's reviewed (and copied back to
    hr_s01 by the street's leader); a resignation in the other street that must not show."""
    from sqlalchemy import select

    from engine.collab.copies import copy_by_user
    from engine.core.scope import load_actor
    from engine.models import Instance, TaskRow
    from engine.process import commands
    from web.extensions import db

    data = {"reason": "家庭原因，需回原籍照顾老人", "submitted_on": "2026-11-02"}
    with live_server.app.app_context():
        started = {}
        for user, worker_id, org, key in (("hr_s01", 1, "S01C01", "RES-INBOX-1"), ("hr_s01", 2, "S01C01", "RES-INBOX-2"),
                                          ("hr_s02", 4, "S02C01", "RES-INBOX-S02")):
            instance, _ = commands.start_instance(db.session, load_actor(db.session, user), "resignation", org_code=org,
                                                  business_key=key, data={**data, "worker_id": worker_id})
            started[key] = instance.id
        review = db.session.scalar(select(TaskRow.id).where(TaskRow.instance_id == started["RES-INBOX-2"],
                                                            TaskRow.status == "open"))
        commands.complete_task(db.session, load_actor(db.session, "hr_s01"), review, REVIEW_OK)
        copy_by_user(db.session, load_actor(db.session, "leader_s01"), db.session.get(Instance, started["RES-INBOX-2"]),
                     ["hr_s01"], "请阅知")
        db.session.remove()
    return started


def tab(page, box: str):  # noqa: ANN001, ANN201
    return page.locator(f'nav.inbox-tabs a[data-box="{box}"]')


def numbers(page) -> dict[str, str]:  # noqa: ANN001
    return {box: tab(page, box).inner_text().split()[-1] for box in ("todo", "done", "started", "copied")}


def rows(page) -> list[str]:  # noqa: ANN001
    return [text for text in page.locator("table.list tbody tr").all_inner_texts()]


def visit_every_tab(page, shot, width: int) -> None:  # noqa: ANN001
    """Switch through the four tabs by clicking them, checking what a person reads on each."""
    assert numbers(page) == {"todo": "1", "done": "1", "started": "2", "copied": "1"}
    assert tab(page, "todo").get_attribute("aria-current") == "page"
    [todo] = rows(page)
    assert "受理审查" in todo and "王晓梅的辞职申请" in todo and "第一街道人事" in todo
    assert "2026-11-25" in todo  # arrived today, Beijing time
    shot(page, f"inbox-todo-{width}")

    tab(page, "done").click()
    page.wait_for_url("**/inbox?box=done**")
    [done] = rows(page)
    assert "受理审查" in done and "李建国的辞职申请" in done and "办理中" in done
    shot(page, f"inbox-done-{width}")

    tab(page, "started").click()
    page.wait_for_url("**/inbox?box=started**")
    started = rows(page)
    assert len(started) == 2
    assert any("李建国的辞职申请" in row and "街道审批" in row for row in started)
    assert any("王晓梅的辞职申请" in row and "受理审查" in row for row in started)
    shot(page, f"inbox-started-{width}")

    tab(page, "copied").click()
    page.wait_for_url("**/inbox?box=copied**")
    [copied] = rows(page)
    assert "李建国的辞职申请" in copied and "第一街道分管领导" in copied and "请阅知" in copied and "未读" in copied
    shot(page, f"inbox-copied-{width}")

    text = page.locator("body").inner_text()
    assert "RES-INBOX-S02" not in text and "赵强" not in text
    assert not USERNAME.search(text), USERNAME.search(text)


def test_street_hr_switches_the_four_tabs_on_a_desk(new_page, live_server, cases, login, shot):
    page, console = new_page(1280, 900)
    login(page, "hr_s01")
    assert "/inbox" in page.url
    visit_every_tab(page, shot, 1280)
    assert console.errors == []


def test_the_tabs_read_well_on_a_phone_and_reading_a_copy_clears_its_number(new_page, live_server, cases, login,
                                                                              shot):
    page, console = new_page(390, 844)
    login(page, "hr_s01")
    visit_every_tab(page, shot, 390)
    # nothing sticks out sideways: each row is a card with its column names beside the values
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    card = page.locator("table.list tbody tr").first
    assert card.bounding_box()["width"] <= 390
    label = card.locator('td[data-label="抄送人"]').evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"抄送人"' and "第一街道分管领导" in card.inner_text()

    page.get_by_role("button", name="标为已读").click()
    page.wait_for_url("**/inbox?box=copied**")
    assert numbers(page)["copied"] == "0"
    assert "未读" not in rows(page)[0]
    assert console.errors == []
