"""Wrong passwords sent at the same moment: each attempt takes its number before its password is
checked, so no more than the policy number are ever checked before the account locks. Needs
PostgreSQL (SQLite lets one writer at a time through anyway)."""

import threading

import pytest

from tests.conftest import PASSWORD, is_postgres
from tests.helpers import all_at_once

pytestmark = [pytest.mark.committed,
              pytest.mark.skipif(not is_postgres(), reason="parallel transactions need PostgreSQL")]


def test_wrong_passwords_at_once_are_checked_no_more_than_the_policy_allows(app, monkeypatch):
    from web import auth

    checked: list[str] = []
    barrier = threading.Barrier(10, timeout=2)
    check = auth.check_password_hash

    def check_then_wait(hashed: str, password: str) -> bool:
        checked.append(password)
        try:
            barrier.wait()  # without the count taken first all ten get here before any is counted
        except threading.BrokenBarrierError:
            pass
        return check(hashed, password)

    monkeypatch.setattr(auth, "check_password_hash", check_then_wait)
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_MAX_FAILURES", 1000)  # the account's count alone
    limit = app.config["LOGIN_MAX_FAILURES"]

    def guess(index: int) -> int:
        return app.test_client().post("/api/v1/tokens", json={"username": "leader_s02",
                                                                "password": f"guess-{index}"}).status_code

    statuses = []
    for _ in range(3):
        statuses += all_at_once(10, guess)
    assert len(checked) == limit, checked
    assert sorted(statuses) == [401] * limit + [429] * (30 - limit)
    right = app.test_client().post("/api/v1/tokens", json={"username": "leader_s02", "password": PASSWORD})
    assert right.status_code == 429
    assert right.get_json()["error"]["code"] == "too_many_attempts"
