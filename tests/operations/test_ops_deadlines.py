"""Deadlines: a reminder a working day before a task falls due and escalation to the role's leader
after it, each once, from the timer worker's pass; and the rate-limited manual urge (催办)."""

import json
from datetime import datetime

from cli.main import cwflow
from engine.core import clock
from engine.models import TaskDeadline
from engine.process import timers
from tests.helpers import complete, open_task
from tests.operations.ops_support import REVIEW_OK, event_types, notes, refused, resignation, task_post

# submitted Monday 2 Nov 2026: the decision (and the review) is due 2 Dec 23:59:59 (003 art. 38)
SUBMITTED = "2026-11-02"


def _tick(app, moment: str):  # noqa: ANN001, ANN202
    from web.extensions import db

    with app.app_context():
        return timers.tick(db.session, datetime.fromisoformat(moment))


def _case(as_user) -> dict:  # noqa: ANN001
    hr = as_user("hr_s01")
    with clock.frozen(datetime.fromisoformat("2026-11-02T10:00:00+08:00")):
        return resignation(hr, submitted_on=SUBMITTED)


def test_the_reminder_comes_one_working_day_before_and_only_once(app, as_user):
    case = _case(as_user)
    hr = as_user("hr_s01")
    with app.app_context():
        from web.extensions import db

        deadline = db.session.get(TaskDeadline, case["open_tasks"][0]["id"])
        assert deadline.remind_at == datetime.fromisoformat("2026-12-01T09:00:00+08:00")
    assert _tick(app, "2026-12-01T08:59:00+08:00").reminded == 0
    assert _tick(app, "2026-12-01T09:01:00+08:00").reminded == 1
    assert _tick(app, "2026-12-01T15:00:00+08:00").reminded == 0
    reminders = [n for n in notes(hr) if n["kind"] == "reminder"]
    assert len(reminders) == 1 and "受理审查" in reminders[0]["message"]
    assert "task_reminded" in event_types(hr, case["id"])


def test_an_overdue_task_is_escalated_to_the_leader_of_that_street_once(app, as_user):
    case = _case(as_user)
    hr, leader, other_leader = as_user("hr_s01"), as_user("leader_s01"), as_user("leader_s02")
    # the task is overdue from 23:59:59 of its due day; at 00:00 the notice takes effect and closes it
    report = _tick(app, "2026-12-02T23:59:59+08:00")
    assert report.escalated == 1 and report.reminded == 0  # the reminder is moot once overdue
    assert _tick(app, "2026-12-04T10:00:00+08:00").escalated == 0
    escalations = [n for n in notes(leader) if n["kind"] == "escalation"]
    assert len(escalations) == 1 and "超期" in escalations[0]["message"]
    assert [n for n in notes(other_leader) if n["kind"] == "escalation"] == []
    assert [n["kind"] for n in notes(hr) if n["kind"] == "overdue"] == ["overdue"]
    escalated = [e for e in as_user("hr_s01").get(f"/api/v1/instances/{case['id']}/events?per_page=100")
                 .get_json()["items"] if e["type"] == "task_escalated"][0]
    assert escalated["detail"]["to_role"] == "street_leader" and escalated["detail"]["to_org"] == "S01"


def test_a_task_done_in_time_is_neither_reminded_nor_escalated(app, as_user):
    case = _case(as_user)
    hr = as_user("hr_s01")
    complete(hr, case["id"], "street_review", REVIEW_OK)
    report = _tick(app, "2026-12-01T10:00:00+08:00")
    assert report.reminded == 1  # the decision (due the same day) is reminded, the finished review is not
    assert [n for n in notes(hr) if n["kind"] == "reminder"] == []


def test_due_dates_come_from_config_for_tasks_the_diagram_leaves_open(monkeypatch, app, as_user):
    monkeypatch.setenv("CWFLOW_OPS_TASK_DUE", json.dumps({"resignation": {"handover": {"dueInWorkingDays": 5}}}))
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    complete(hr, case["id"], "street_review", REVIEW_OK)
    done = complete(leader, case["id"], "street_decision", {"decision": "approve", "comment": "同意"})
    assert done["open_tasks"][0]["name"] == "handover" and done["open_tasks"][0]["due_at"]


def test_cli_tick_and_sweep_report_reminders(app, as_user):
    _case(as_user)
    runner = app.test_cli_runner()
    result = runner.invoke(cwflow, args=["deadlines", "sweep", "--at", "2026-12-01T10:00:00+08:00"])
    assert result.exit_code == 0 and json.loads(result.output)["reminded"] == 1
    result = runner.invoke(cwflow, args=["timers", "tick", "--at", "2026-12-02T23:59:59+08:00"])
    assert result.exit_code == 0, result.output
    assert '"escalated": 1' in result.output


# --- urge ---------------------------------------------------------------------------------------


def test_urging_a_waiting_task_notifies_those_it_waits_for_at_most_every_four_hours(app, as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    complete(hr, case["id"], "street_review", REVIEW_OK)
    decision = [t for t in hr.get(f"/api/v1/instances/{case['id']}").get_json()["open_tasks"]][0]
    with clock.frozen(datetime.fromisoformat("2026-11-10T09:00:00+08:00")):
        first = task_post(hr, decision, "urge", {"message": "当事人急需答复"})
        assert first.status_code == 201, first.get_json()
    assert any(n["kind"] == "urge" and "当事人急需答复" in n["message"] for n in notes(leader))
    with clock.frozen(datetime.fromisoformat("2026-11-10T12:59:00+08:00")):
        error = refused(task_post(hr, decision, "urge"), 429, "urge_too_frequent")
        assert error["details"]["retry_after_seconds"] == 61
    with clock.frozen(datetime.fromisoformat("2026-11-10T13:01:00+08:00")):
        assert task_post(hr, decision, "urge").status_code == 201
    assert event_types(hr, case["id"]).count("task_urged") == 2


def test_urge_is_for_waiting_tasks_in_scope(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    review = open_task(hr, case["id"], "street_review")
    refused(task_post(as_user("hr_s02"), review, "urge"), 404, "task_not_found")
    task_post(hr, review, "claim")
    refused(task_post(hr, review, "urge"), 409, "cannot_urge_own_task")
    complete(hr, case["id"], "street_review", REVIEW_OK)
    refused(task_post(leader, review, "urge"), 409, "task_not_open")
