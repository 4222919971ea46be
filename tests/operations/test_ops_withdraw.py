"""Withdraw (撤回): the initiator before anyone decided; an approver their own decision while the next
step is untouched. Both can be switched off per process."""

from datetime import datetime

from sqlalchemy import select

from engine.core import clock
from engine.models import AuditEvent, Instance
from engine.process import timers
from tests.helpers import complete, open_task, open_task_names
from tests.operations.ops_support import (
    APPROVE,
    APPROVE_LEFT,
    HANDOVER,
    REVIEW_OK,
    consistent,
    event_types,
    events,
    refused,
    resignation,
    task_post,
    to_decision,
)


def _notified(session, instance_id: int) -> list[str]:  # noqa: ANN001
    """The roles the diagram's notify() reached, one `notified` audit event each."""
    return [d["role"] for d in session.scalars(select(AuditEvent.detail).where(
        AuditEvent.instance_id == instance_id, AuditEvent.type == "notified"))]


def test_the_initiator_withdraws_a_case_nobody_has_decided_on(app, as_user):
    hr = as_user("hr_s01")
    case = resignation(hr)
    response = hr.post(f"/api/v1/instances/{case['id']}/withdraw", json={"reason": "本人撤回辞职申请"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "cancelled" and body["outcome"] == "withdrawn" and body["open_tasks"] == []
    withdrawn = [e for e in events(hr, case["id"]) if e["type"] == "instance_withdrawn"]
    assert withdrawn[0]["detail"]["comment"] == "本人撤回辞职申请"
    assert hr.get("/api/v1/tasks").get_json()["total"] == 0
    refused(hr.post(f"/api/v1/instances/{case['id']}/withdraw", json={}), 409, "instance_not_running")


def test_the_initiator_cannot_withdraw_once_someone_decided(as_user):
    hr = as_user("hr_s01")
    case = resignation(hr)
    to_decision(hr, case)
    refused(hr.post(f"/api/v1/instances/{case['id']}/withdraw", json={}), 409, "already_decided")


def test_only_the_initiator_withdraws_a_case(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    refused(leader.post(f"/api/v1/instances/{case['id']}/withdraw", json={}), 403, "not_initiator")
    refused(as_user("hr_s02").post(f"/api/v1/instances/{case['id']}/withdraw", json={}), 404, "instance_not_found")


def test_withdrawal_can_be_switched_off_per_process(monkeypatch, as_user):
    monkeypatch.setenv("CWFLOW_OPS_WITHDRAW",
                       '{"*": {"initiator": true, "approver": true}, "resignation": {"initiator": false, "approver": false}}')
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    refused(hr.post(f"/api/v1/instances/{case['id']}/withdraw", json={}), 403, "withdraw_disabled")
    to_decision(hr, case)
    review = [e for e in events(hr, case["id"]) if e["type"] == "task_completed"][0]
    refused(hr.post(f"/api/v1/tasks/{review['task_id']}/withdraw", json={}), 403, "withdraw_disabled")
    assert open_task(leader, case["id"], "street_decision")


def test_an_approver_takes_back_a_decision_while_the_next_step_is_untouched(app, as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    after = to_decision(hr, case)
    review_id = [e for e in events(hr, case["id"]) if e["type"] == "task_completed"][0]["task_id"]
    assert open_task_names(after) == ["street_decision"]
    response = hr.post(f"/api/v1/tasks/{review_id}/withdraw", json={"reason": "审查意见写错了"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert open_task_names(body) == ["street_review"]
    assert body["open_tasks"][0]["id"] == review_id and body["open_tasks"][0]["assignee"] == "hr_s01"
    assert "resignation_street_review" not in body["data"]
    assert leader.get("/api/v1/tasks").get_json()["total"] == 0
    assert "task_withdrawn" in event_types(hr, case["id"])
    consistent(app, case["id"])
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", APPROVE_LEFT)
    assert complete(hr, case["id"], "handover", HANDOVER)["outcome"] == "approved"


def test_a_decision_cannot_be_withdrawn_once_the_next_step_was_taken_up(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    review_id = [e for e in events(hr, case["id"]) if e["type"] == "task_completed"][0]["task_id"]
    decision = open_task(leader, case["id"], "street_decision")
    assert task_post(leader, decision, "claim").status_code == 200
    refused(hr.post(f"/api/v1/tasks/{review_id}/withdraw", json={}), 409, "next_step_acted")
    complete(leader, case["id"], "street_decision", APPROVE)
    refused(hr.post(f"/api/v1/tasks/{review_id}/withdraw", json={}), 409, "next_step_acted")


def test_only_the_person_who_decided_withdraws_the_decision(app, as_user):
    from tests.operations.ops_support import add_user

    add_user(app, "hr_s01b", "street_hr", "S01")
    hr, colleague = as_user("hr_s01"), as_user("hr_s01b")
    case = resignation(hr)
    to_decision(hr, case)
    review_id = [e for e in events(hr, case["id"]) if e["type"] == "task_completed"][0]["task_id"]
    refused(colleague.post(f"/api/v1/tasks/{review_id}/withdraw", json={}), 403, "not_your_decision")
    refused(as_user("hr_s02").post(f"/api/v1/tasks/{review_id}/withdraw", json={}), 404, "task_not_found")


def test_withdraw_after_the_stage_ended_reopens_it_with_its_deadlines_kept(app, as_user):
    """The leader approved, which ended the street stage (a subprocess with two boundary timers) and
    opened the handover; withdrawing re-enters the stage: the overdue timer keeps its first moment
    and the reminder that already fired does not fire again."""
    from web.extensions import db

    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    with clock.frozen(datetime.fromisoformat("2026-11-02T10:00:00+08:00")):
        case = resignation(hr, submitted_on="2026-11-02")
    to_decision(hr, case)
    with app.app_context():
        timers.tick(db.session, datetime.fromisoformat("2026-11-27T10:00:00+08:00"))  # reminder fired
        overdue_at = db.session.get(Instance, case["id"]).next_timer_at
    after = complete(leader, case["id"], "street_decision", APPROVE)
    assert open_task_names(after) == ["handover"]
    with app.app_context():
        assert db.session.get(Instance, case["id"]).next_timer_at is None  # the stage's timers ended with it
    decision_id = [e for e in events(hr, case["id"]) if e["type"] == "task_completed"][-1]["task_id"]
    body = leader.post(f"/api/v1/tasks/{decision_id}/withdraw", json={"reason": "需再研究"}).get_json()
    assert open_task_names(body) == ["street_decision"] and body["open_tasks"][0]["assignee"] == "leader_s01"
    consistent(app, case["id"])
    with app.app_context():
        assert db.session.get(Instance, case["id"]).next_timer_at == overdue_at
        timers.tick(db.session, datetime.fromisoformat("2026-11-28T10:00:00+08:00"))
        leader_notes = _notified(db.session, case["id"]).count("street_leader")
        assert leader_notes == 1
        timers.tick(db.session, datetime.fromisoformat("2026-12-03T00:30:00+08:00"))  # the notice has run
        civil = _notified(db.session, case["id"]).count("district_civil_affairs")
        assert civil == 1
        assert db.session.get(Instance, case["id"]).outcome == "notice_effective"


def test_the_handover_is_withdrawn_while_the_audit_waits_but_not_once_the_case_ended(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    complete(leader, case["id"], "street_decision", APPROVE_LEFT)
    complete(hr, case["id"], "handover", {**HANDOVER, "audit_required": True})
    handover_id = [e for e in events(hr, case["id"]) if e["type"] == "task_completed"][-1]["task_id"]
    # the exit audit is still open and untouched, but the case is not finished: withdrawing is allowed here
    body = hr.post(f"/api/v1/tasks/{handover_id}/withdraw", json={}).get_json()
    assert open_task_names(body) == ["handover"]
    done = complete(hr, case["id"], "handover", HANDOVER)
    assert done["status"] == "completed"
    refused(hr.post(f"/api/v1/tasks/{handover_id}/withdraw", json={}), 409, "instance_not_running")


EFFECT_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="opseff_defs" targetNamespace="urn:cwflow:test:opseff">
  <bpmn:process id="opseff" name="档案变更测试" isExecutable="true">
    <bpmn:laneSet id="opseff_lanes">
      <bpmn:lane id="lane_hr" name="street_hr">
        <bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>first</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>change</bpmn:flowNodeRef><bpmn:flowNodeRef>second</bpmn:flowNodeRef><bpmn:flowNodeRef>e</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="first" name="第一步"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="ops_note.json" /></spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="change" name="变更档案" scriptFormat="python"><bpmn:incoming>b</bpmn:incoming>
      <bpmn:outgoing>c</bpmn:outgoing><bpmn:script>set_worker_status(worker_id, "seconded")</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="second" name="第二步"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="ops_note.json" /></spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>c</bpmn:incoming><bpmn:outgoing>d</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>d</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="first" />
    <bpmn:sequenceFlow id="b" sourceRef="first" targetRef="change" />
    <bpmn:sequenceFlow id="c" sourceRef="change" targetRef="second" />
    <bpmn:sequenceFlow id="d" sourceRef="second" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_decision_whose_step_changed_the_worker_record_cannot_be_withdrawn(app, as_user):
    from tests.helpers import start
    from tests.operations.ops_support import NOTE_FORM, deploy

    start_form = {"type": "object", "additionalProperties": False, "required": ["worker_id"],
                  "properties": {"worker_id": {"type": "integer"}}}
    deploy(app, EFFECT_DIAGRAM.encode(), {"opseff_start.json": start_form, "ops_note.json": NOTE_FORM})
    hr = as_user("hr_s01")
    case = start(hr, "opseff", "S01C01", {"worker_id": 1}).get_json()
    complete(hr, case["id"], "first", {"comment": "ok"})
    assert hr.get("/api/v1/workers/1").get_json()["status"] == "seconded"
    first_id = [e for e in events(hr, case["id"]) if e["type"] == "task_completed"][0]["task_id"]
    refused(hr.post(f"/api/v1/tasks/{first_id}/withdraw", json={}), 409, "effects_applied")
