"""Cases judged at the same moment still keep the rules that count other cases. Needs PostgreSQL.

Two approvals in one community both read its secondments and then both write: without the
community lock each sees one place taken and both pass, three workers away at once. Two starts
for one worker both look for an open case: without the worker lock both find none.
"""

import threading
from datetime import date, timedelta

import pytest

from tests.conftest import PASSWORD, is_postgres

pytestmark = [pytest.mark.committed,
              pytest.mark.skipif(not is_postgres(), reason="parallel transactions need PostgreSQL")]

APPROVE = {"decision": "approve", "comment": "同意"}


def _client(app, username: str):  # noqa: ANN001, ANN202
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    def call(method: str, url: str, body: dict | None = None):  # noqa: ANN202
        return getattr(client, method)(url, headers=headers, json=body)

    return call


def _complete(user, case_id: int, name: str):  # noqa: ANN001, ANN202
    tasks = user("get", f"/api/v1/tasks?instance={case_id}").get_json()["items"]
    (task,) = [t for t in tasks if t["name"] == name]
    return user("post", f"/api/v1/tasks/{task['id']}/complete", {"data": APPROVE})


def test_simultaneous_approvals_cannot_exceed_the_quota(app, monkeypatch):
    from engine.rules import secondment

    hr, sec, leader, swd = (_client(app, u) for u in ("hr_s01", "sec_s01c01", "leader_s01", "swd_d01"))
    zhou = hr("post", "/api/v1/workers", {"name": "周敏", "org": "S01C01", "status": "active"}).get_json()["id"]
    period = {"start_date": (date.today() + timedelta(days=7)).isoformat(),
              "end_date": (date.today() + timedelta(days=37)).isoformat()}
    cases = []
    for worker_id in (1, 2, zhou):
        case = hr("post", "/api/v1/processes/secondment/instances", {"org": "S01C01", "data": {
            "worker_id": worker_id, "borrowing_unit": "综治中心", "borrowing_unit_level": "street", "reason": "迎检",
            **period}}).get_json()
        assert _complete(sec, case["id"], "community_opinion").status_code == 200
        assert _complete(leader, case["id"], "street_review").status_code == 200
        cases.append(case["id"])
    assert _complete(swd, cases[0], "swd_approval").status_code == 200  # one place of two taken

    barrier = threading.Barrier(2, timeout=2)
    read_quota = secondment.held_periods

    def read_then_wait(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        periods = read_quota(*args, **kwargs)
        try:
            barrier.wait()  # without the lock both approvals get here with the same count
        except threading.BrokenBarrierError:
            pass
        return periods

    monkeypatch.setattr(secondment, "held_periods", read_then_wait)
    results: dict[int, int] = {}

    def approve(case_id: int, user) -> None:  # noqa: ANN001
        results[case_id] = _complete(user, case_id, "swd_approval").status_code

    threads = [threading.Thread(target=approve, args=(case_id, _client(app, "swd_d01"))) for case_id in cases[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == [200, 422], results


def test_simultaneous_dismissals_of_one_worker_make_one_case(app, monkeypatch):
    from engine.rules import dismissal

    barrier = threading.Barrier(2, timeout=2)
    look_for_open_cases = dismissal.refuse_open_cases

    def look_then_wait(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        look_for_open_cases(*args, **kwargs)
        try:
            barrier.wait()  # without the lock both starts get here having found no open case
        except threading.BrokenBarrierError:
            pass

    monkeypatch.setattr(dismissal, "refuse_open_cases", look_then_wait)
    results: list[int] = []
    body = {"org": "S01C01", "data": {"worker_id": 1, "grounds": ["serious_breach"], "facts": "多次拒不执行工作安排"}}

    def propose(user) -> None:  # noqa: ANN001
        results.append(user("post", "/api/v1/processes/dismissal/instances", body).status_code)

    threads = [threading.Thread(target=propose, args=(_client(app, "hr_s01"),)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [201, 409], results
