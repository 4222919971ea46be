"""A `dueAt` expression that fails only at run time (a missing name, a division by zero, text that is
no date, a value of the wrong kind) is no 500 and no lost step: the step commits, the task opens
without a due date, and an `incident` audit event names the BPMN element for the administrator."""

from xml.sax.saxutils import escape

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, TaskRow
from engine.workflow import definitions
from engine.workflow.definitions import Upload
from tests.engine.test_validation import FORMS, TINY
from web.extensions import db

FAILING = ["no_such_name", "1 / 0", '"not a date"', '"2026-13-45"', "[1, 2]", '"2026-12-01T25:00:00"', "10**10**10"]


def _deploy(app, due_at: str) -> None:  # noqa: ANN001
    bpmn = TINY.replace('name="dueInDays" value="5"', f'name="dueAt" value="{escape(due_at, {chr(34): "&quot;"})}"')
    definitions._VERSIONS.clear()  # ids come back after the test's rollback on SQLite
    with app.app_context():
        definitions.deploy(db.session, Upload(bpmn.encode(), (), FORMS, source="tiny.bpmn"), actor="test")


@pytest.mark.parametrize("due_at", FAILING)
def test_a_failing_due_at_opens_the_task_without_a_due_date_and_records_an_incident(app, as_user, due_at,
                                                                                    without_static_check):
    # `10**10**10` is refused at upload now; the fixture stands for a diagram stored before that check
    _deploy(app, due_at)
    response = as_user("hr_s01").post("/api/v1/processes/tiny/instances", json={"org": "S01C01", "data": {}})
    assert response.status_code == 201, response.get_json()
    instance = response.get_json()
    with app.app_context():
        task = db.session.scalar(select(TaskRow).where(TaskRow.instance_id == instance["id"]))
        assert task is not None and task.status == "open" and task.name == "review" and task.due_at is None
        incidents = list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.instance_id == instance["id"], AuditEvent.type == "incident")))
    assert len(incidents) == 1
    assert incidents[0].task_id == task.id
    assert incidents[0].detail["error"] == "due_at_failed" and incidents[0].detail["element"] == "review"

