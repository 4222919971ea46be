"""Return (退回): to an earlier step of the same (sub)process or to the initiator; reason required;
the step is redone and the case continues from there; boundary timers are left as they were."""

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
    add_user,
    deploy_round,
    events,
    notes,
    prop,
    refused,
    resignation,
    start_round_case,
    task_post,
    to_decision,
)


def test_leader_returns_the_decision_to_the_review_which_is_redone_and_the_case_goes_on(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    response = task_post(leader, decision, "return", {"target": "street_review", "reason": "请补充交接清单"})
    assert response.status_code == 200, response.get_json()
    returned = response.get_json()
    assert open_task_names(returned) == ["street_review"]
    review = returned["open_tasks"][0]
    assert review["assignee"] == "hr_s01"  # back to the person who did the step
    assert "resignation_street_review" not in returned["data"]

    trail = events(hr, case["id"])
    back = [e for e in trail if e["type"] == "task_returned"][-1]
    assert back["actor"] == "leader_s01" and back["detail"]["comment"] == "请补充交接清单"
    assert back["detail"]["target"] == "street_review" and back["task_id"] == decision["id"]
    assert any(n["kind"] == "returned" and "请补充交接清单" in n["message"] for n in notes(hr))

    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", APPROVE_LEFT)
    done = complete(hr, case["id"], "handover", HANDOVER)
    assert done["status"] == "completed" and done["outcome"] == "approved"


def test_return_needs_a_reason(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    response = task_post(leader, decision, "return", {"target": "street_review", "reason": "  "})
    refused(response, 422, "comment_required")
    response = task_post(leader, decision, "return", {"target": "street_review"})
    assert response.status_code == 422 and "reason" in response.get_json()["error"]["details"]["fields"]
    assert open_task(leader, case["id"], "street_decision")["id"] == decision["id"]


def test_return_targets_are_earlier_steps_of_the_same_subprocess_and_the_initiator(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    targets = leader.get(f"/api/v1/tasks/{decision['id']}/return-targets").get_json()["items"]
    assert [(t["id"], t["kind"]) for t in targets] == [("initiator", "initiator"), ("street_review", "task")]
    complete(leader, case["id"], "street_decision", APPROVE)
    handover = open_task(hr, case["id"], "handover")
    targets = hr.get(f"/api/v1/tasks/{handover['id']}/return-targets").get_json()["items"]
    assert [t["id"] for t in targets] == ["initiator"]  # the review lies inside the finished subprocess
    refused(task_post(hr, handover, "return", {"target": "street_review", "reason": "x"}), 422,
            "return_target_not_allowed")


def test_only_someone_who_may_act_on_the_task_may_return_it(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    body = {"target": "street_review", "reason": "补充材料"}
    refused(task_post(as_user("leader_s02"), decision, "return", body), 404, "task_not_found")
    refused(task_post(hr, decision, "return", body), 404, "task_not_found")
    add_user_and_claim = task_post(leader, decision, "claim")
    assert add_user_and_claim.status_code == 200
    complete(leader, case["id"], "street_decision", APPROVE)
    refused(task_post(leader, decision, "return", body), 409, "task_not_open")


def test_a_task_claimed_by_a_colleague_cannot_be_returned_by_another(app, as_user):
    add_user(app, "leader_s01b", "street_leader", "S01")
    hr, leader, other = as_user("hr_s01"), as_user("leader_s01"), as_user("leader_s01b")
    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    assert task_post(leader, decision, "claim").status_code == 200
    refused(task_post(other, decision, "return", {"target": "street_review", "reason": "x"}), 403,
            "task_claimed_by_other")


def test_return_to_the_initiator_who_corrects_the_application_and_submits_it_again(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    returned = task_post(leader, decision, "return", {"target": "initiator", "reason": "辞职理由写得不清楚"}).get_json()
    assert [t["name"] for t in returned["open_tasks"]] == ["application_received"]
    resubmit = returned["open_tasks"][0]
    assert resubmit["role"] == "initiator" and resubmit["assignee"] == "hr_s01"
    assert returned["data"]["reason"] == "家庭原因" and "resignation_street_review" not in returned["data"]

    assert leader.get("/api/v1/tasks").get_json()["total"] == 0
    mine = hr.get("/api/v1/tasks").get_json()["items"]
    assert [t["id"] for t in mine] == [resubmit["id"]]
    detail = hr.get(f"/api/v1/tasks/{resubmit['id']}").get_json()
    assert set(detail["form"]["properties"]) >= {"worker_id", "reason", "submitted_on"}
    assert any(n["kind"] == "resubmit" for n in notes(hr))

    refused(task_post(hr, resubmit, "complete", {"data": {"worker_id": 2}}), 422, "field_immutable")
    refused(task_post(leader, resubmit, "complete", {"data": {}}), 404, "task_not_found")
    again = task_post(hr, resubmit, "complete", {"data": {"reason": "家庭原因：需回原籍照顾父母"}})
    assert again.status_code == 200, again.get_json()
    body = again.get_json()["instance"]
    assert open_task_names(body) == ["street_review"] and body["data"]["reason"] == "家庭原因：需回原籍照顾父母"
    types = [e["type"] for e in events(hr, case["id"])]
    assert types.index("task_returned") < types.index("instance_resubmitted")
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", APPROVE_LEFT)
    assert complete(hr, case["id"], "handover", HANDOVER)["outcome"] == "approved"


def test_a_second_return_to_the_initiator_reuses_the_resubmit_step(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    for round_no in range(2):
        to_decision(hr, case)
        decision = open_task(leader, case["id"], "street_decision")
        back = task_post(leader, decision, "return", {"target": "initiator", "reason": f"第{round_no + 1}次退回"})
        assert back.status_code == 200, back.get_json()
        resubmit = open_task(hr, case["id"], "application_received")
        assert task_post(hr, resubmit, "complete", {"data": {}}).status_code == 200
    assert open_task(hr, case["id"], "street_review")


def test_return_inside_the_stage_keeps_its_deadline_timers_and_a_fired_reminder_stays_fired(app, as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    from web.extensions import db

    with clock.frozen(datetime.fromisoformat("2026-11-02T10:00:00+08:00")):
        case = resignation(hr, submitted_on="2026-11-02")
    to_decision(hr, case)
    with app.app_context():
        before = db.session.get(Instance, case["id"]).next_timer_at
        timers.tick(db.session, datetime.fromisoformat("2026-11-27T10:00:00+08:00"))  # the reminder fires
        after_reminder = db.session.get(Instance, case["id"]).next_timer_at
    assert after_reminder > before
    decision = open_task(leader, case["id"], "street_decision")
    assert task_post(leader, decision, "return", {"target": "street_review", "reason": "补正"}).status_code == 200
    with app.app_context():
        instance = db.session.get(Instance, case["id"])
        assert instance.next_timer_at == after_reminder  # the overdue timer keeps its moment
        timers.tick(db.session, datetime.fromisoformat("2026-11-28T10:00:00+08:00"))
        reminders = [d["role"] for d in db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.instance_id == case["id"], AuditEvent.type == "notified"))].count("street_leader")
        assert reminders == 1


def test_the_number_of_returns_per_case_is_capped(monkeypatch, as_user):
    monkeypatch.setenv("CWFLOW_OPS_MAX_RETURNS", '{"*": 2}')
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    for _ in range(2):
        to_decision(hr, case)
        decision = open_task(leader, case["id"], "street_decision")
        assert task_post(leader, decision, "return", {"target": "street_review", "reason": "补正"}).status_code == 200
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    refused(task_post(leader, decision, "return", {"target": "street_review", "reason": "再补正"}), 409,
            "return_limit_reached")


def test_return_to_the_initiator_can_be_switched_off_per_process(monkeypatch, as_user):
    monkeypatch.setenv("CWFLOW_OPS_RETURN_TO_INITIATOR", '{"*": true, "resignation": false}')
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    targets = leader.get(f"/api/v1/tasks/{decision['id']}/return-targets").get_json()["items"]
    assert [t["id"] for t in targets] == ["street_review"]
    refused(task_post(leader, decision, "return", {"target": "initiator", "reason": "x"}), 422,
            "return_target_not_allowed")


def test_the_diagram_names_the_steps_a_task_may_return_to(app, as_user):
    deploy_round(app, "opsret", extra=prop("returnTargets", "prepare"))
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = start_round_case(hr, "opsret")
    task = open_task(leader, case["id"], "countersign")
    targets = leader.get(f"/api/v1/tasks/{task['id']}/return-targets").get_json()["items"]
    assert [t["id"] for t in targets] == ["prepare"]
    back = task_post(leader, task, "return", {"target": "prepare", "reason": "材料不全"}).get_json()
    assert open_task_names(back) == ["prepare"] and back["open_tasks"][0]["assignee"] == "hr_s01"


def test_a_case_returned_to_its_initiator_waits_on_no_timer_of_the_stage_it_left(app, as_user):
    """The stage's reminder and overdue timers went with the stage: nothing may wake the case
    (or a timer worker) for them while it waits for the initiator."""
    from web.extensions import db

    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    with app.app_context():
        assert db.session.get(Instance, case["id"]).next_timer_at is not None
    decision = open_task(leader, case["id"], "street_decision")
    assert task_post(leader, decision, "return", {"target": "initiator", "reason": "材料不全"}).status_code == 200
    with app.app_context():
        assert db.session.get(Instance, case["id"]).next_timer_at is None
