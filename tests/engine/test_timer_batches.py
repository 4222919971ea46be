"""Timers fire in batches: one claim and one commit per batch, a savepoint per case, so one failing
or raced case stays alone; the worker drains full batches back to back and sweeps deadlines and
e-mail on its own interval."""

from datetime import datetime

import pytest
from sqlalchemy import func, select, update

from engine.collab import deadlines
from engine.core import clock
from engine.core.errors import EngineFailure
from engine.models import AuditEvent, Instance
from engine.process import timers
from engine.process.kernel import apply_due_timers
from tests.conftest import is_postgres
from tests.helpers import at_once_in_two_sessions, start

STARTED = "2026-03-02T10:00:00+08:00"
FIRST_DUE = datetime.fromisoformat("2026-03-27T09:00:00+08:00")
SECOND_DUE = datetime.fromisoformat("2026-04-02T00:00:00+08:00")  # once the last day of the notice is over
AFTER_FIRST = datetime.fromisoformat("2026-03-28T10:00:00+08:00")


def _start_cases(as_user, count: int) -> list[int]:  # noqa: ANN001
    """`count` resignation cases, one per new worker, each waiting for its first timer."""
    hr = as_user("hr_s01")
    ids = []
    for n in range(count):
        worker = hr.post("/api/v1/workers", json={"name": f"批量{n}", "org": "S01C01"}).get_json()
        with clock.frozen(datetime.fromisoformat(STARTED)):
            response = start(hr, "resignation", "S01C01", {"worker_id": worker["id"], "reason": "个人原因",
                                                           "submitted_on": "2026-03-02"}, business_key=f"B-{n}")
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    return ids


def _events(session, instance_id: int, type_: str) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.instance_id == instance_id, AuditEvent.type == type_))


def _reminders(session, instance_id: int) -> int:  # noqa: ANN001
    details = session.scalars(select(AuditEvent.detail).where(
        AuditEvent.instance_id == instance_id, AuditEvent.type == "notified"))
    return sum(1 for detail in details if detail["role"] == "street_leader")


def test_a_case_whose_step_fails_goes_to_error_alone_and_the_rest_of_its_batch_fires(app, as_user, monkeypatch):
    from web.extensions import db

    ids = _start_cases(as_user, 3)
    broken = ids[1]

    def step_then_fail(session, instance, **kwargs):  # noqa: ANN001, ANN202
        apply_due_timers(session, instance, **kwargs)  # its writes must be undone with it
        if instance.id == broken:
            raise EngineFailure("流程执行出错：测试")
        return True

    monkeypatch.setattr(timers, "apply_due_timers", step_then_fail)
    with app.app_context():
        report = timers.tick(db.session, AFTER_FIRST, batch=10)
        assert (report.fired, report.failed) == (2, 1)
        db.session.expire_all()
        failed = db.session.get(Instance, broken)
        assert failed.status == "error" and "测试" in failed.error
        assert failed.next_timer_at == FIRST_DUE
        assert _events(db.session, broken, "incident") == 1
        assert _events(db.session, broken, "timer_fired") == 0 and _reminders(db.session, broken) == 0
        for instance_id in (ids[0], ids[2]):
            fired = db.session.get(Instance, instance_id)
            assert fired.status == "running" and fired.next_timer_at == SECOND_DUE
            assert _events(db.session, instance_id, "timer_fired") == 1 and _reminders(db.session, instance_id) == 1
        assert timers.tick(db.session, AFTER_FIRST).fired == 0  # the case in error is not retried


def test_an_unexpected_error_in_one_case_is_its_incident_and_does_not_stop_the_others(app, as_user, monkeypatch,
                                                                                       caplog):
    """A bug met in one case (here an AttributeError out of the engine) must not crash the worker
    on every pass and hold up every timer due behind that case."""
    from web.extensions import db

    ids = _start_cases(as_user, 3)
    broken = ids[0]

    def step_then_break(session, instance, **kwargs):  # noqa: ANN001, ANN202
        apply_due_timers(session, instance, **kwargs)
        if instance.id == broken:
            raise AttributeError("no attribute 'task_spec' near id_number 110101199001011234")
        return True

    monkeypatch.setattr(timers, "apply_due_timers", step_then_break)
    with app.app_context():
        report = timers.tick(db.session, AFTER_FIRST, batch=10)
        assert (report.fired, report.failed) == (2, 1)
        db.session.expire_all()
        failed = db.session.get(Instance, broken)
        assert failed.status == "error" and "AttributeError" in failed.error
        assert _events(db.session, broken, "incident") == 1 and _events(db.session, broken, "timer_fired") == 0
        assert [db.session.get(Instance, i).next_timer_at for i in ids[1:]] == [SECOND_DUE, SECOND_DUE]
    # the traceback is logged for whoever fixes the bug, without the ID number in it
    assert "AttributeError" in caplog.text and "step_then_break" in caplog.text
    assert "110101199001011234" not in caplog.text


def test_a_database_error_gives_the_whole_batch_back_and_marks_no_case(app, as_user, monkeypatch):
    """The database failing is not the case's fault: nothing fired, nothing in error, all due again."""
    from sqlalchemy.exc import OperationalError

    from web.extensions import db

    ids = _start_cases(as_user, 3)

    def step_then_lose_the_database(session, instance, **kwargs):  # noqa: ANN001, ANN202
        apply_due_timers(session, instance, **kwargs)
        if instance.id == ids[1]:
            raise OperationalError("UPDATE instances", {}, Exception("server closed the connection"))
        return True

    monkeypatch.setattr(timers, "apply_due_timers", step_then_lose_the_database)
    with app.app_context():
        with pytest.raises(OperationalError):
            timers.tick(db.session, AFTER_FIRST, batch=10)
        db.session.expire_all()
        assert [db.session.get(Instance, i).status for i in ids] == ["running"] * 3
        assert [db.session.get(Instance, i).next_timer_at for i in ids] == [FIRST_DUE] * 3
        assert sum(_events(db.session, i, "timer_fired") + _events(db.session, i, "incident") for i in ids) == 0


def test_a_case_saved_by_someone_else_mid_batch_is_a_conflict_and_the_others_fire(app, as_user, monkeypatch):
    """The optimistic lock still guards each case of a batch: a late save elsewhere wins."""
    from web.extensions import db

    ids = _start_cases(as_user, 3)
    raced = ids[0]

    def saved_elsewhere_first(session, instance, **kwargs):  # noqa: ANN001, ANN202
        if instance.id == raced:
            session.execute(update(Instance).where(Instance.id == raced)
                            .values(lock_version=Instance.lock_version + 1)
                            .execution_options(synchronize_session=False))
        return apply_due_timers(session, instance, **kwargs)

    monkeypatch.setattr(timers, "apply_due_timers", saved_elsewhere_first)
    with app.app_context():
        report = timers.tick(db.session, AFTER_FIRST, batch=10)
        assert (report.fired, report.conflicts, report.failed) == (2, 1, 0)
        db.session.expire_all()
        assert db.session.get(Instance, raced).next_timer_at == FIRST_DUE
        assert _events(db.session, raced, "timer_fired") == 0 and _reminders(db.session, raced) == 0
        assert [_events(db.session, i, "timer_fired") for i in ids[1:]] == [1, 1]


class _FakeTime:
    """Sleeping moves a monotonic clock forward instead of waiting; stops the worker after `naps`."""

    def __init__(self, naps: int) -> None:
        self.now, self.naps, self.slept = 0.0, naps, []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def stop(self) -> bool:
        return len(self.slept) >= self.naps


def test_the_worker_fires_full_batches_back_to_back_and_sleeps_only_once_drained(app, as_user, monkeypatch):
    from web.extensions import db

    ids = _start_cases(as_user, 5)
    fake = _FakeTime(naps=1)
    monkeypatch.setattr(timers, "time", fake)
    with app.app_context(), clock.frozen(AFTER_FIRST):
        timers.run_worker(lambda: db.session, interval=7.0, batch=2, stop=fake.stop)
        assert fake.slept == [7.0]  # batches of 2, 2 and 1: a sleep only after the short one
        assert [_events(db.session, i, "timer_fired") for i in ids] == [1] * 5


def test_the_worker_sweeps_deadlines_on_its_own_interval_not_every_pass(app, monkeypatch):
    from web.extensions import db

    sweeps = []
    real_sweep = deadlines.sweep
    monkeypatch.setattr(deadlines, "sweep", lambda session, at: sweeps.append(at) or real_sweep(session, at))
    fake = _FakeTime(naps=5)
    monkeypatch.setattr(timers, "time", fake)
    with app.app_context(), clock.frozen(AFTER_FIRST):
        timers.run_worker(lambda: db.session, interval=4.0, sweep_interval=10.0, stop=fake.stop)
    assert len(fake.slept) == 5 and len(sweeps) == 2  # at 0 s and 12 s of five idle 4-second passes


@pytest.mark.committed
@pytest.mark.skipif(not is_postgres(), reason="FOR UPDATE SKIP LOCKED needs PostgreSQL")
def test_two_workers_claiming_small_batches_fire_each_case_exactly_once(app, as_user):
    from web.extensions import db

    ids = _start_cases(as_user, 16)
    reports = at_once_in_two_sessions(app, lambda session: timers.fire_due(session, AFTER_FIRST, batch=3))
    assert len(reports) == 2 and sum(r.fired for r in reports) == len(ids)
    assert sum(r.conflicts + r.failed for r in reports) == 0
    with app.app_context():
        assert [_events(db.session, i, "timer_fired") for i in ids] == [1] * len(ids)
        assert [_reminders(db.session, i) for i in ids] == [1] * len(ids)
