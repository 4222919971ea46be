"""Shared by the operation tests: users, a small deployable diagram with an approval round, helpers."""

from typing import Any

from tests.helpers import complete, refused, start  # noqa: F401 - refused is re-exported to the ops tests

APPROVE = {"decision": "approve", "comment": "同意"}
# a resignation whose leaving date (agreed with the worker) is already over on the suite's day:
# the contract ends as soon as the handover is done, instead of waiting for the leaving date
APPROVE_LEFT = {"decision": "approve", "leaving_on": "2026-11-24", "worker_agrees": True, "comment": "同意"}
REJECT = {"decision": "reject", "comment": "不同意"}
REVIEW_OK = {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"}
HANDOVER = {"handover_confirmed": True, "handed_over_to": "赵敏", "audit_required": False}
WANG, LI = 1, 2


def resignation(hr, worker_id: int = WANG, submitted_on: str = "2026-11-02", **extra: Any) -> dict:  # noqa: ANN001
    response = start(hr, "resignation", "S01C01",
                     {"worker_id": worker_id, "reason": "家庭原因", "submitted_on": submitted_on, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def to_decision(hr, case: dict) -> dict:  # noqa: ANN001
    return complete(hr, case["id"], "street_review", REVIEW_OK)


def add_user(app, username: str, role: str, org: str, email: str | None = None) -> None:  # noqa: ANN001
    from cli.demo import DEMO_PASSWORD, ensure_user
    from web.extensions import db

    with app.test_request_context():
        user = ensure_user(db.session, username, username, DEMO_PASSWORD, [(role, org)])
        if email is not None:
            user.email = email
        db.session.commit()


def set_email(app, username: str, email: str) -> None:  # noqa: ANN001
    from sqlalchemy import select

    from engine.models import User
    from web.extensions import db

    with app.app_context():
        db.session.scalar(select(User).where(User.username == username)).email = email
        db.session.commit()



def events(user, case_id: int) -> list[dict]:  # noqa: ANN001
    response = user.get(f"/api/v1/instances/{case_id}/events?per_page=100")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def event_types(user, case_id: int) -> list[str]:  # noqa: ANN001
    return [e["type"] for e in events(user, case_id)]


def notes(user, **query: Any) -> list[dict]:  # noqa: ANN001
    args = "&".join(f"{k}={v}" for k, v in query.items())
    response = user.get(f"/api/v1/notifications?per_page=100&{args}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def task_post(user, task: dict, action: str, body: dict | None = None):  # noqa: ANN001, ANN201
    return user.post(f"/api/v1/tasks/{task['id']}/{action}", json=body or {})


# --- a small diagram with an approval round -----------------------------------------------------

START_FORM = {"type": "object", "additionalProperties": False, "required": ["subject"],
              "properties": {"subject": {"type": "string", "title": "事项", "minLength": 1}}}
NOTE_FORM = {"type": "object", "additionalProperties": False,
             "properties": {"comment": {"type": "string", "title": "说明"}}}
VOTE_FORM = {
    "type": "object", "additionalProperties": False, "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "title": "审批决定", "oneOf": [
            {"const": "approve", "title": "同意"}, {"const": "reject", "title": "不同意"},
            {"const": "return", "title": "退回"}]},
        "comment": {"type": "string", "title": "意见"},
    },
}

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="{key}_definitions" targetNamespace="urn:cwflow:test:{key}">
  <bpmn:collaboration id="{key}_collaboration">
    <bpmn:participant id="{key}_pool" name="会签测试" processRef="{key}" />
  </bpmn:collaboration>
  <bpmn:process id="{key}" name="会签测试" isExecutable="true">
    <bpmn:laneSet id="{key}_lanes">
      <bpmn:lane id="lane_hr" name="street_hr">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>prepare</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>file_it</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>refused</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_leader" name="street_leader">
        <bpmn:flowNodeRef>countersign</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>decided</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="发起"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="prepare" name="准备材料">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="ops_note.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="countersign" name="领导会签">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="ops_vote.json" />
        {round}
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="decided" name="是否同意？" default="f_no">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="file_it" name="归档">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="ops_note.json" />
        {file_props}
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f_yes</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="done" name="办结"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="refused" name="不同意"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare" />
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="countersign" />
    <bpmn:sequenceFlow id="f3" sourceRef="countersign" targetRef="decided" />
    <bpmn:sequenceFlow id="f_yes" name="同意" sourceRef="decided" targetRef="file_it">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">ops_vote["decision"] == "approve"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="decided" targetRef="refused" />
    <bpmn:sequenceFlow id="f4" sourceRef="file_it" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def prop(name: str, value: str) -> str:
    return f'<spiffworkflow:property name="{name}" value="{value}" />'


def deploy_round(app, key: str, *, mode: str | None = None, approvers: str | None = None,  # noqa: ANN001
                 cc: str | None = None, file_props: str = "", extra: str = "") -> None:
    """Deploy the small diagram as process `key` with the given round properties on `countersign`."""
    round_props = "".join(prop(n, v) for n, v in (("approvalMode", mode), ("approvers", approvers), ("cc", cc))
                          if v) + extra
    bpmn = DIAGRAM.format(key=key, round=round_props, file_props=file_props).encode("utf-8")
    deploy(app, bpmn, {f"{key}_start.json": START_FORM, "ops_note.json": NOTE_FORM, "ops_vote.json": VOTE_FORM})


def deploy(app, bpmn: bytes, forms: dict) -> None:  # noqa: ANN001
    """Deploy a diagram inside the test's transaction. Its id is reused by the next test once this one
    rolls back, so the in-memory copy of that version is dropped."""
    from engine.workflow import definitions
    from engine.workflow.definitions import Upload
    from web.extensions import db

    with app.test_request_context():
        definition, _ = definitions.deploy(db.session, Upload(bpmn, (), forms, source="test.bpmn"), actor="test")
        db.session.commit()
        definitions._VERSIONS.pop(definition.id, None)


def start_round_case(hr, key: str) -> dict:  # noqa: ANN001
    response = start(hr, key, "S01", {"subject": "购置办公设备"})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    return complete(hr, case["id"], "prepare", {"comment": "材料已备"})


def consistent(app, case_id: int) -> None:  # noqa: ANN001
    """`cwflow check` finds the task index and timer column in step with the workflow."""
    from engine.models import Instance
    from engine.reads.consistency import check_instance
    from web.extensions import db

    with app.app_context():
        assert check_instance(db.session, db.session.get(Instance, case_id)) == []
