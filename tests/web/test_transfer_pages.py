"""转办 without claiming first, as in the approval tools people know: a holder of the task's role hands
an open, unclaimed task to a colleague in one step; a colleague who claims it at the same moment
either wins (the transfer is refused, nothing written) or loses (the claim is refused)."""

import threading

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, is_postgres
from tests.helpers import all_at_once
from tests.operations.ops_support import add_user
from tests.web.pagetools import task_id_of
from tests.web.test_ops_pages import flashes, follow, task_status


def test_a_role_holder_transfers_an_unclaimed_review_from_its_page(browser_as, resignation, app):
    add_user(app, "hr_s01b", "street_hr", "S01")
    review = task_id_of(resignation(1, "S01C01", "RES-TRANSFER-UNCLAIMED"))
    hr = browser_as("hr_s01")
    page = hr.html(f"/tasks/{review}")
    assert "认领此任务后可转办给同事" not in page
    assert 'data-confirm="转办给 {to}？此任务将由对方办理，不再由您办理。"' in page
    assert '<option value="hr_s01b" data-confirm-label="hr_s01b">' in page

    done = hr.post(f"/tasks/{review}/transfer", {"to": "hr_s01b", "comment": "本人出差"}, page=f"/tasks/{review}")
    assert done.location == "/inbox"
    assert "已将「受理审查」转办给 hr_s01b。" in follow(hr, done)
    assert task_status(app, review) == ("open", "hr_s01b")
    colleague_page = browser_as("hr_s01b").html(f"/tasks/{review}")
    assert "您已认领此任务。" in colleague_page  # it is theirs now, to do or hand on


def test_a_transfer_after_a_colleague_claimed_is_refused_with_their_name(browser_as, resignation, app):
    add_user(app, "hr_s01b", "street_hr", "S01")
    add_user(app, "hr_s01c", "street_hr", "S01")
    review = task_id_of(resignation(1, "S01C01", "RES-TRANSFER-LATE"))
    hr = browser_as("hr_s01")
    hr.html(f"/tasks/{review}")  # the page was opened while nobody held the task
    browser_as("hr_s01b").post(f"/inbox/tasks/{review}/claim", page="/inbox")
    late = hr.post(f"/tasks/{review}/transfer", {"to": "hr_s01c"}, page=f"/tasks/{review}")
    assert any("已被他人认领" in f for f in flashes(follow(hr, late)))
    assert task_status(app, review) == ("open", "hr_s01b")


@pytest.mark.committed
@pytest.mark.skipif(not is_postgres(), reason="parallel transactions need PostgreSQL")
@pytest.mark.parametrize("other", ["claim", "transfer"])
def test_a_transfer_and_a_claim_or_transfer_at_once_leave_exactly_one_winner(app, monkeypatch, other):
    from engine.models import AuditEvent, TaskRow
    from engine.operations import handover
    from engine.process import commands
    from web.extensions import db

    for name in ("hr_s01b", "hr_s01c", "hr_s01d"):
        add_user(app, name, "street_hr", "S01")

    def token(username: str) -> dict:
        answer = app.test_client().post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
        return {"Authorization": f"Bearer {answer.get_json()['token']}"}

    transferer, claimant = token("hr_s01"), token("hr_s01b")
    case = app.test_client().post("/api/v1/processes/resignation/instances", headers=transferer, json={
        "org": "S01C01", "data": {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}}).get_json()
    task_id = case["open_tasks"][0]["id"]

    barrier = threading.Barrier(2, timeout=5)

    def waiting(found):  # noqa: ANN001, ANN202
        def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            result = found(*args, **kwargs)
            try:
                barrier.wait()  # both have read the task unclaimed before either writes
            except threading.BrokenBarrierError:
                pass
            return result
        return wrapper

    monkeypatch.setattr(handover, "eligible_user", waiting(handover.eligible_user))
    monkeypatch.setattr(commands, "pending_delegation", waiting(commands.pending_delegation))
    clients = [app.test_client(), app.test_client()]
    calls = [lambda c: c.post(f"/api/v1/tasks/{task_id}/transfer", headers=transferer,
                              json={"to": "hr_s01c", "comment": "请代办"}),
             lambda c: c.post(f"/api/v1/tasks/{task_id}/claim", headers=claimant) if other == "claim" else
             c.post(f"/api/v1/tasks/{task_id}/transfer", headers=claimant, json={"to": "hr_s01d"})]
    responses = all_at_once(2, lambda i: calls[i](clients[i]), timeout=60)

    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [200, 409], [r.get_json() for r in responses]
    loser = responses[statuses.index(409)].get_json()["error"]
    assert loser["code"] in ("task_already_claimed", "case_moved"), loser
    if loser["code"] == "task_already_claimed" and other == "transfer":
        # the loser is told who handed it on, never that they themselves took it
        assert loser["message"].startswith("任务已由 ") and "转办给" in loser["message"], loser
        assert "认领" not in loser["message"], loser
    with app.app_context():
        row = db.session.get(TaskRow, task_id)
        second = "hr_s01b" if other == "claim" else "hr_s01d"
        winner = "hr_s01c" if statuses[0] == 200 else second
        assert row.assignee == winner
        kinds = dict(db.session.execute(
            select(AuditEvent.type, func.count()).where(AuditEvent.instance_id == case["id"],
                                                        AuditEvent.type.in_(["task_transferred", "task_claimed"]))
            .group_by(AuditEvent.type)).all())
        assert kinds == ({"task_claimed": 1} if winner == "hr_s01b" else {"task_transferred": 1})
