"""A retried request with the same Idempotency-Key replays the first answer."""

RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}


def _post(user, url: str, body: dict, key: str):  # noqa: ANN001
    return user.post(url, json=body, headers={"Idempotency-Key": key})


def test_retried_start_replays_the_first_answer(as_user):
    hr = as_user("hr_s01")
    body = {"org": "S01C01", "data": RESIGNATION}
    first = _post(hr, "/api/v1/processes/resignation/instances", body, "k-1")
    again = _post(hr, "/api/v1/processes/resignation/instances", body, "k-1")
    assert first.status_code == 201 and again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert hr.get("/api/v1/instances").get_json()["total"] == 1


def test_retried_completion_does_not_act_twice(as_user):
    hr = as_user("hr_s01")
    case = hr.post("/api/v1/processes/resignation/instances", json={"org": "S01C01", "data": RESIGNATION}).get_json()
    url = f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete"
    body = {"data": {"decision": "approve", "unfinished_business": False}}
    first, again = _post(hr, url, body, "c-1"), _post(hr, url, body, "c-1")
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    events = hr.get(f"/api/v1/instances/{case['id']}/events").get_json()["items"]
    assert [e["type"] for e in events].count("task_completed") == 1


def test_same_key_with_another_body_is_422(as_user):
    hr = as_user("hr_s01")
    _post(hr, "/api/v1/processes/resignation/instances", {"org": "S01C01", "data": RESIGNATION}, "k-2")
    other = _post(hr, "/api/v1/processes/resignation/instances",
                  {"org": "S01C01", "data": {**RESIGNATION, "reason": "另一个"}}, "k-2")
    assert other.status_code == 422
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"


def test_keys_belong_to_their_caller(as_user):
    body = {"org": "S01C01", "data": RESIGNATION}
    assert _post(as_user("hr_s01"), "/api/v1/processes/resignation/instances", body, "shared").status_code == 201
    worker = as_user("worker_s01c01")
    response = _post(worker, "/api/v1/processes/resignation/instances", body, "shared")
    assert response.status_code == 409  # the worker's own start: the case already runs (not a replay)
    assert "Idempotent-Replayed" not in response.headers


START = "/api/v1/processes/resignation/instances"


def test_a_claim_left_by_a_request_that_died_does_not_block_the_retry(app, as_user):
    """A claim committed without an answer (a worker killed mid-request under the old scheme) is
    given up: the retry runs and succeeds instead of getting 409 for ever."""
    from datetime import timedelta

    from engine.core import clock
    from engine.models import IdempotencyKey
    from web.extensions import db

    hr = as_user("hr_s01")
    with app.app_context():
        db.session.add(IdempotencyKey(username="hr_s01", key="died-1", fingerprint="0" * 64,
                                      created_at=clock.now() - timedelta(minutes=5)))
        db.session.commit()
    retry = _post(hr, START, {"org": "S01C01", "data": RESIGNATION}, "died-1")
    assert retry.status_code == 201, retry.get_json()
    assert "Idempotent-Replayed" not in retry.headers
    again = _post(hr, START, {"org": "S01C01", "data": RESIGNATION}, "died-1")
    assert again.status_code == 201 and again.get_json() == retry.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert hr.get("/api/v1/instances").get_json()["total"] == 1


def test_a_request_that_dies_after_its_work_leaves_neither_work_nor_key(as_user, monkeypatch):
    """The worker dies after the command ran but before the answer was sent: nothing of it is
    committed, so the retry does the work once and answers it."""
    import pytest

    import web.api.instances

    hr = as_user("hr_s01")

    def dies(_instance):  # noqa: ANN001, ANN202
        raise RuntimeError("worker killed")

    monkeypatch.setattr(web.api.instances, "instance_view", dies)
    with pytest.raises(RuntimeError):
        _post(hr, START, {"org": "S01C01", "data": RESIGNATION}, "died-2")
    monkeypatch.undo()
    assert hr.get("/api/v1/instances").get_json()["total"] == 0
    retry = _post(hr, START, {"org": "S01C01", "data": RESIGNATION}, "died-2")
    assert retry.status_code == 201, retry.get_json()
    assert "Idempotent-Replayed" not in retry.headers
    assert hr.get("/api/v1/instances").get_json()["total"] == 1


def test_a_refusal_is_replayed_exactly(as_user):
    hr = as_user("hr_s01")
    body = {"org": "S01C01", "data": {**RESIGNATION, "reason": ""}}
    first = _post(hr, START, body, "refused-1")
    again = _post(hr, START, body, "refused-1")
    assert first.status_code == 422 and again.status_code == 422
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_request_whose_commit_fails_is_answered_503_and_runs_again(as_user, monkeypatch):
    """The database drops at the one commit of the key, the work and the answer: the caller is told
    to retry, not 201, and the retry does the work once."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    hr = as_user("hr_s01")
    original = Session.commit

    def connection_lost(self):  # noqa: ANN001, ANN202
        monkeypatch.setattr(Session, "commit", original)
        raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection"))

    monkeypatch.setattr(Session, "commit", connection_lost)
    lost = _post(hr, START, {"org": "S01C01", "data": RESIGNATION}, "lost-1")
    assert lost.status_code == 503 and lost.get_json()["error"]["code"] == "database_unavailable"
    assert hr.get("/api/v1/instances").get_json()["total"] == 0
    retry = _post(hr, START, {"org": "S01C01", "data": RESIGNATION}, "lost-1")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers
    assert hr.get("/api/v1/instances").get_json()["total"] == 1
