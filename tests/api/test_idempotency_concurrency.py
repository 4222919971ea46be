"""An Idempotency-Key under real parallel transactions: identical requests sent at once act once and
all get the one answer; a duplicate waits only while the first request's transaction is alive.

These need real commits across connections and real parallel transactions: PostgreSQL.
"""

import threading
import time

import pytest
from sqlalchemy import func, insert, select

from engine.core import clock
from engine.models import IdempotencyKey, Instance
from tests.conftest import PASSWORD, is_postgres
from tests.helpers import all_at_once
from web.extensions import db

pytestmark = [pytest.mark.committed,
              pytest.mark.skipif(not is_postgres(), reason="parallel transactions need PostgreSQL")]

START = "/api/v1/processes/resignation/instances"
BODY = {"org": "S01C01", "data": {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}}


def _headers(app, key: str) -> dict:  # noqa: ANN001
    token = app.test_client().post("/api/v1/tokens", json={"username": "hr_s01", "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {token['token']}", "Idempotency-Key": key}


def _instances(app) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Instance))


def test_identical_requests_sent_at_once_act_once_and_all_get_its_answer(app):
    headers = _headers(app, "same-moment")
    clients = [app.test_client() for _ in range(6)]
    responses = all_at_once(6, lambda index: clients[index].post(START, headers=headers, json=BODY), timeout=60)
    assert [r.status_code for r in responses] == [201] * 6, [r.get_json() for r in responses]
    assert len({r.get_json()["id"] for r in responses}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in responses) == 1
    assert _instances(app) == 1


def test_a_duplicate_waits_for_a_live_request_and_runs_when_it_dies(app):
    """A request still running holds its key; killed (its transaction aborted), it leaves nothing
    and the waiting duplicate does the work."""
    headers = _headers(app, "dies-while-held")
    with app.app_context():
        live = db.engine.connect()
        live.begin()
        live.execute(insert(IdempotencyKey).values(username="hr_s01", key="dies-while-held", fingerprint="0" * 64,
                                                   created_at=clock.now()))
    answers: list = []
    duplicate = threading.Thread(target=lambda: answers.append(app.test_client().post(START, headers=headers, json=BODY)))
    duplicate.start()
    time.sleep(1.0)
    assert duplicate.is_alive() and answers == []  # waiting: the first may still commit its work
    live.close()  # the first request's worker is gone: its transaction is rolled back
    duplicate.join(timeout=30)
    assert answers and answers[0].status_code == 201, answers and answers[0].get_json()
    assert _instances(app) == 1
