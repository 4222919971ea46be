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
