"""Two people completing the same task at once: exactly one wins, the others get 409;
and one business key started many times at once makes one case.

These need real commits across connections and real parallel transactions: PostgreSQL.
"""

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, is_postgres
from tests.helpers import all_at_once

pytestmark = [pytest.mark.committed,
              pytest.mark.skipif(not is_postgres(), reason="parallel transactions need PostgreSQL")]

RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}


def _token(app, username: str) -> str:  # noqa: ANN001
    client = app.test_client()
    return client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD}).get_json()["token"]


def _parallel(app, count: int, call) -> list:  # noqa: ANN001
    """Run `call(client)` from `count` threads released together, each with its own test client;
    returns the responses."""
    clients = [app.test_client() for _ in range(count)]
    return all_at_once(count, lambda index: call(clients[index]), timeout=60)


def test_concurrent_completions_of_one_task_give_one_success_and_409s(app):
    token = _token(app, "hr_s01")
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    case = client.post("/api/v1/processes/resignation/instances", headers=headers,
                       json={"org": "S01C01", "data": RESIGNATION}).get_json()
    task_id = case["open_tasks"][0]["id"]
    data = {"decision": "approve", "unfinished_business": False}

    responses = _parallel(app, 8, lambda c: c.post(f"/api/v1/tasks/{task_id}/complete", headers=headers,
                                                   json={"data": data}))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 7, statuses

    after = client.get(f"/api/v1/instances/{case['id']}", headers=headers).get_json()
    assert after["status"] == "running"
    assert [t["name"] for t in after["open_tasks"]] == ["street_decision"]
    events = client.get(f"/api/v1/instances/{case['id']}/events", headers=headers).get_json()["items"]
    assert [e["type"] for e in events].count("task_completed") == 1

    from engine.reads.consistency import check_all
    from web.extensions import db

    with app.app_context():
        assert check_all(db.session) == []


def test_concurrent_starts_with_one_business_key_make_one_instance(app):
    token = _token(app, "hr_s01")
    headers = {"Authorization": f"Bearer {token}"}
    body = {"org": "S01C01", "business_key": "RACE-1", "data": RESIGNATION}
    responses = _parallel(app, 6, lambda c: c.post("/api/v1/processes/resignation/instances",
                                                   headers=headers, json=body))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1 and all(s in (200, 201) for s in statuses), statuses
    assert len({r.get_json()["id"] for r in responses}) == 1

    from engine.models import Instance
    from web.extensions import db

    with app.app_context():
        assert len(db.session.scalars(select(Instance).where(Instance.business_key == "RACE-1")).all()) == 1


def test_five_people_claiming_one_task_at_once_leave_one_holder(app, monkeypatch):
    import threading

    from cli.demo import ensure_user
    from engine.process import commands
    from web.extensions import db

    colleagues = [f"hr_s01_{n}" for n in range(4)]
    with app.app_context():
        for username in colleagues:
            ensure_user(db.session, username, "第一街道人事", PASSWORD, [("street_hr", "S01")])
        db.session.commit()
    claimants = ["hr_s01", *colleagues]
    headers = [{"Authorization": f"Bearer {_token(app, username)}"} for username in claimants]
    client = app.test_client()
    case = client.post("/api/v1/processes/resignation/instances", headers=headers[0],
                       json={"org": "S01C01", "data": RESIGNATION}).get_json()
    task_id = case["open_tasks"][0]["id"]

    barrier = threading.Barrier(5, timeout=2)
    look_for_delegation = commands.pending_delegation

    def look_then_wait(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        found = look_for_delegation(*args, **kwargs)
        try:
            barrier.wait()  # every claimant has read the task unclaimed before any writes
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(commands, "pending_delegation", look_then_wait)
    clients = [app.test_client() for _ in claimants]
    responses = all_at_once(5, lambda i: clients[i].post(f"/api/v1/tasks/{task_id}/claim", headers=headers[i]),
                            timeout=60)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 4, statuses
    assert {r.get_json()["error"]["code"] for r in responses if r.status_code == 409} == {"task_already_claimed"}
    (winner,) = [i for i, r in enumerate(responses) if r.status_code == 200]
    task = client.get(f"/api/v1/tasks/{task_id}", headers=headers[winner]).get_json()
    assert task["assignee"] == claimants[winner]
    data = {"decision": "approve", "unfinished_business": False}
    loser = (winner + 1) % 5
    refused = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers[loser], json={"data": data})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "task_claimed_by_other"
    done = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers[winner], json={"data": data})
    assert done.status_code == 200, done.get_json()
