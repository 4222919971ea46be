"""Timers: found by an indexed column, fired when due (also after a restart), never twice."""

from datetime import datetime

import pytest
from sqlalchemy import select

from cli.main import cwflow
from engine.core import clock
from engine.models import AuditEvent, Instance
from engine.process import timers
from tests.conftest import is_postgres
from tests.helpers import at_once_in_two_sessions, start

RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-03-02"}


def _start_at(as_user, moment: str, business_key: str | None = None, worker_id: int = 1) -> dict:  # noqa: ANN001
    hr = as_user("hr_s01")  # log in at the real time: a token minted in the past would be expired
    with clock.frozen(datetime.fromisoformat(moment)):
        response = start(hr, "resignation", "S01C01", {**RESIGNATION, "worker_id": worker_id},
                         business_key=business_key)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_next_due_time_is_kept_on_the_instance(app, as_user):
    from web.extensions import db

    case = _start_at(as_user, "2026-03-02T10:00:00+08:00")
    with app.app_context():
        instance = db.session.get(Instance, case["id"])
        assert instance.next_timer_at == datetime.fromisoformat("2026-03-27T09:00:00+08:00")


def test_nothing_is_due_before_its_time_and_a_due_timer_fires_once(app, as_user):
    from web.extensions import db

    case = _start_at(as_user, "2026-03-02T10:00:00+08:00")
    with app.app_context():
        assert timers.tick(db.session, datetime.fromisoformat("2026-03-27T08:59:00+08:00")).fired == 0
        assert timers.tick(db.session, datetime.fromisoformat("2026-03-27T09:01:00+08:00")).fired == 1
        assert timers.tick(db.session, datetime.fromisoformat("2026-03-27T09:02:00+08:00")).fired == 0
        instance = db.session.get(Instance, case["id"])
        assert instance.next_timer_at == datetime.fromisoformat("2026-04-02T00:00:00+08:00")


def test_a_timer_due_while_nothing_ran_fires_at_the_next_pass(app, as_user):
    """Timers are rows with a due time: a worker started long after (a restart) still fires them."""
    from web.extensions import db

    case = _start_at(as_user, "2026-03-02T10:00:00+08:00")
    with app.app_context():
        report = timers.tick(db.session, datetime.fromisoformat("2026-05-01T10:00:00+08:00"))
        assert report.fired == 1
        kinds = [d["role"] for d in db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.instance_id == case["id"], AuditEvent.type == "notified"))]
        # the reminder, then the notice that ran out: its street leader and the district are told
        assert sorted(kinds) == ["district_civil_affairs", "street_leader", "street_leader"]
        assert db.session.get(Instance, case["id"]).next_timer_at is None


def test_cli_tick_at_fires_what_is_due_at_that_moment(app, as_user):
    case = _start_at(as_user, "2026-03-02T10:00:00+08:00")
    result = app.test_cli_runner().invoke(cwflow, args=["timers", "tick", "--at", "2026-03-28T10:00:00+08:00"])
    assert result.exit_code == 0, result.output
    assert '"fired": 1' in result.output
    response = as_user("hr_s01").get(f"/api/v1/instances/{case['id']}/events")
    assert response.status_code == 200, response.get_json()
    events = response.get_json()["items"]
    assert "timer_fired" in [e["type"] for e in events]


@pytest.mark.committed
@pytest.mark.skipif(not is_postgres(), reason="FOR UPDATE SKIP LOCKED needs PostgreSQL")
def test_two_workers_never_fire_the_same_timer(app, as_user):
    from web.extensions import db

    hr = as_user("hr_s01")
    worker_ids = [hr.post("/api/v1/workers", json={"name": f"计时{n}", "org": "S01C01"}).get_json()["id"]
                  for n in range(12)]
    cases = [_start_at(as_user, "2026-03-02T10:00:00+08:00", business_key=f"T-{n}", worker_id=worker_id)
             for n, worker_id in enumerate(worker_ids)]
    moment = datetime.fromisoformat("2026-03-28T10:00:00+08:00")
    reports = at_once_in_two_sessions(app, lambda session: timers.tick(session, moment))
    assert sum(r.fired for r in reports) == len(cases)
    with app.app_context():
        for case in cases:
            reminders = [d for d in db.session.scalars(select(AuditEvent.detail).where(
                AuditEvent.instance_id == case["id"], AuditEvent.type == "notified")) if d["role"] == "street_leader"]
            assert len(reminders) == 1


def test_a_run_at_exactly_the_due_moment_fires_the_timer(app, as_user):
    """The worker picks a case due at or before the run; the timer must then fire in that same run,
    not record `timer_fired` and wait for the next one."""
    from web.extensions import db

    case = _start_at(as_user, "2026-03-02T10:00:00+08:00")
    due = datetime.fromisoformat("2026-03-27T09:00:00+08:00")
    with app.app_context():
        assert timers.tick(db.session, due).fired == 1
        instance = db.session.get(Instance, case["id"])
        # next: the notice runs out when its last day (1 April) is over
        assert instance.next_timer_at == datetime.fromisoformat("2026-04-02T00:00:00+08:00")
        trail = list(db.session.scalars(select(AuditEvent.type).where(AuditEvent.instance_id == case["id"])))
        assert trail.count("timer_fired") == 1 and "notified" in trail
        assert timers.tick(db.session, due).fired == 0  # and once only


def test_no_timer_fired_is_recorded_when_nothing_fired(app, as_user):
    """A case picked whose timer is not due after all (its due time in the index ahead of the
    diagram) is left as it is, with no `timer_fired` in its trail."""
    from web.extensions import db

    case = _start_at(as_user, "2026-03-02T10:00:00+08:00")
    with app.app_context():
        instance = db.session.get(Instance, case["id"])
        instance.next_timer_at = datetime.fromisoformat("2026-03-10T09:00:00+08:00")  # stale
        db.session.commit()
        assert timers.tick(db.session, datetime.fromisoformat("2026-03-10T09:00:00+08:00")).fired == 0
        events = list(db.session.scalars(select(AuditEvent.type).where(AuditEvent.instance_id == case["id"])))
        assert "timer_fired" not in events
        instance = db.session.get(Instance, case["id"])
        assert instance.next_timer_at == datetime.fromisoformat("2026-03-27T09:00:00+08:00")
