"""A completion that loses its save to another request on the same case (a timer worker's tick, a
cancel): a task that is gone is `409 task_not_open`; one still open is submitted once more on the
case as it is now; a case that keeps moving is `409 case_moved`. Needs real commits across
connections: PostgreSQL."""

import threading
from collections.abc import Callable

import pytest

from tests.conftest import PASSWORD, is_postgres

pytestmark = [pytest.mark.committed,
              pytest.mark.skipif(not is_postgres(), reason="parallel transactions need PostgreSQL")]

RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}
REVIEW = {"decision": "approve", "unfinished_business": False}


def _user(app, username: str):  # noqa: ANN001, ANN202
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    def call(method: str, url: str, body: dict | None = None):  # noqa: ANN202
        return getattr(client, method)(url, headers=headers, json=body)

    return call


def _in_a_thread(work: Callable[[], None]) -> None:
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=60)


def _timer_tick(app, case_id: int) -> Callable[[], None]:  # noqa: ANN001
    """The timer worker looking at the case: it saves the case's workflow, its task still open."""
    def tick() -> None:
        from sqlalchemy.orm import Session

        from engine.models import Instance
        from engine.process.kernel import apply_due_timers
        from web.extensions import db

        with app.app_context():
            session = Session(db.engine)
            apply_due_timers(session, session.get(Instance, case_id))
            session.commit()
            session.close()
    return tick


def _race_each_completion(monkeypatch, competitor: Callable[[], None], times: int) -> list[int]:
    """Let `competitor` save the case after each of the first `times` completions read it."""
    from engine import rules

    judge = rules.check_completion
    raced: list[int] = []

    def judge_then_lose_the_race(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        judge(*args, **kwargs)
        if len(raced) < times:
            raced.append(1)
            _in_a_thread(competitor)

    monkeypatch.setattr(rules, "check_completion", judge_then_lose_the_race)
    return raced


def _started(app):  # noqa: ANN001, ANN202
    hr = _user(app, "hr_s01")
    case = hr("post", "/api/v1/processes/resignation/instances", {"org": "S01C01", "data": RESIGNATION}).get_json()
    return hr, case["id"], case["open_tasks"][0]["id"]


def test_a_completion_that_loses_to_a_timer_tick_is_submitted_again(app, monkeypatch):
    hr, case_id, task_id = _started(app)
    raced = _race_each_completion(monkeypatch, _timer_tick(app, case_id), times=1)
    done = hr("post", f"/api/v1/tasks/{task_id}/complete", {"data": REVIEW})
    assert raced and done.status_code == 200, done.get_json()
    after = hr("get", f"/api/v1/instances/{case_id}").get_json()
    assert [t["name"] for t in after["open_tasks"]] == ["street_decision"]
    events = hr("get", f"/api/v1/instances/{case_id}/events").get_json()["items"]
    assert [e["type"] for e in events].count("task_completed") == 1


def test_a_completion_on_a_case_that_keeps_moving_is_told_to_try_again(app, monkeypatch):
    hr, case_id, task_id = _started(app)
    _race_each_completion(monkeypatch, _timer_tick(app, case_id), times=2)
    refused = hr("post", f"/api/v1/tasks/{task_id}/complete", {"data": REVIEW})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "case_moved"
    assert refused.get_json()["error"]["message"] == "案件刚被更新，请重试"
    assert hr("get", f"/api/v1/tasks/{task_id}").get_json()["status"] == "open"
    monkeypatch.undo()
    assert hr("post", f"/api/v1/tasks/{task_id}/complete", {"data": REVIEW}).status_code == 200


def test_a_completion_that_loses_to_a_cancel_is_told_the_task_is_gone(app, monkeypatch):
    hr, case_id, task_id = _started(app)
    leader = _user(app, "leader_s01")

    def cancel() -> None:
        assert leader("post", f"/api/v1/instances/{case_id}/cancel", {"reason": "本人撤回申请"}).status_code == 200

    _race_each_completion(monkeypatch, cancel, times=1)
    refused = hr("post", f"/api/v1/tasks/{task_id}/complete", {"data": REVIEW})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "task_not_open"
    assert hr("get", f"/api/v1/instances/{case_id}").get_json()["status"] == "cancelled"


def test_the_task_page_says_the_case_moved_and_keeps_the_task_open(app, monkeypatch):
    from tests.web.pagetools import Browser

    hr, case_id, task_id = _started(app)
    page_user = Browser(app.test_client(), "hr_s01")
    _race_each_completion(monkeypatch, _timer_tick(app, case_id), times=2)
    response = page_user.post(f"/tasks/{task_id}", {"decision": "approve", "unfinished_business": "false"},
                              page=f"/tasks/{task_id}")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "案件刚被更新，您填写的内容没有提交，请重试。" in page and "已被他人处理" not in page
    assert hr("get", f"/api/v1/tasks/{task_id}").get_json()["status"] == "open"
