"""`cwflow check` finds each kind of half-written state the fault tests guard against."""

import pytest
from sqlalchemy import select, update

from cli.main import cwflow
from engine.models import AuditEvent, Instance, TaskRow
from tests.helpers import start
from web.extensions import db

RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}


@pytest.fixture
def case(as_user) -> dict:  # noqa: ANN001
    response = start(as_user("hr_s01"), "resignation", "S01C01", RESIGNATION)
    assert response.status_code == 201
    return response.get_json()


def _check(app) -> tuple[int, str]:  # noqa: ANN001
    result = app.test_cli_runner().invoke(cwflow, args=["check"])
    return result.exit_code, result.output


def _change(app, statement) -> None:  # noqa: ANN001
    with app.app_context():
        db.session.execute(statement)
        db.session.commit()


def test_a_healthy_database_has_no_difference(app, case):
    assert _check(app) == (0, "0 difference(s)\n")


def test_an_extra_open_row_is_reported(app, case):
    with app.app_context():
        row = db.session.get(TaskRow, case["open_tasks"][0]["id"])
        clone = TaskRow(**{c.key: getattr(row, c.key) for c in TaskRow.__table__.columns})
        clone.id = "00000000-0000-0000-0000-00000000abcd"
        db.session.add(clone)
        db.session.commit()
    status, output = _check(app)
    assert status == 1 and "open index row 00000000-0000-0000-0000-00000000abcd is not a ready task" in output


def test_a_wrong_timer_column_is_reported(app, case):
    _change(app, update(Instance).where(Instance.id == case["id"]).values(next_timer_at=None))
    status, output = _check(app)
    assert status == 1 and "next_timer_at None !=" in output


def test_a_finished_instance_with_an_open_row_or_a_timer_is_reported(app, case):
    from engine.core import clock

    _change(app, update(Instance).where(Instance.id == case["id"]).values(status="cancelled",
                                                                         next_timer_at=clock.now()))
    status, output = _check(app)
    assert status == 1
    assert "is not a ready task" in output and "finished instance still has next_timer_at" in output


def test_a_task_completed_twice_in_the_audit_trail_is_reported(app, as_user, case):
    from tests.helpers import complete

    complete(as_user("hr_s01"), case["id"], "street_review", {"decision": "approve", "unfinished_business": False})
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.type == "task_completed"))
        db.session.add(AuditEvent(at=event.at, actor=event.actor, type="task_completed",
                                  instance_id=event.instance_id, task_id=event.task_id, detail={}))
        db.session.commit()
    status, output = _check(app)
    assert status == 1 and "completed 2 times in the audit trail" in output


def test_a_state_that_no_longer_loads_is_reported_not_raised(app, case):
    _change(app, update(Instance).where(Instance.id == case["id"]).values(state=b"{not json"))
    status, output = _check(app)
    assert status == 1 and "saved state does not load" in output
