"""Transfer (转办), delegate (委派) and hand back, and the out-of-office proxy (代理人)."""

from datetime import date, timedelta

from tests.helpers import complete, open_task
from tests.operations.ops_support import (
    APPROVE,
    add_user,
    events,
    notes,
    refused,
    resignation,
    task_post,
    to_decision,
)

TODAY = date.today()


# --- transfer -----------------------------------------------------------------------------------


def test_a_claimed_task_is_transferred_to_a_colleague_with_the_same_role(app, as_user):
    add_user(app, "hr_s01b", "street_hr", "S01")
    hr, colleague = as_user("hr_s01"), as_user("hr_s01b")
    case = resignation(hr)
    review = open_task(hr, case["id"], "street_review")
    assert task_post(hr, review, "claim").status_code == 200
    response = task_post(hr, review, "transfer", {"to": "hr_s01b", "comment": "本人出差，请代为审查"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["assignee"] == "hr_s01b"
    moved = [e for e in events(hr, case["id"]) if e["type"] == "task_transferred"][0]
    assert moved["detail"]["to"] == "hr_s01b" and moved["detail"]["comment"] == "本人出差，请代为审查"
    assert any(n["kind"] == "transferred" for n in notes(colleague))
    refused(task_post(hr, review, "complete", {"data": {"decision": "approve", "unfinished_business": False}}),
            403, "task_claimed_by_other")
    complete(colleague, case["id"], "street_review", {"decision": "approve", "unfinished_business": False})


def test_transfer_only_to_someone_holding_the_role_in_scope(as_user):
    hr = as_user("hr_s01")
    case = resignation(hr)
    review = open_task(hr, case["id"], "street_review")
    task_post(hr, review, "claim")
    refused(task_post(hr, review, "transfer", {"to": "hr_s02"}), 422, "transfer_target_not_eligible")
    refused(task_post(hr, review, "transfer", {"to": "leader_s01"}), 422, "transfer_target_not_eligible")
    refused(task_post(hr, review, "transfer", {"to": "nobody"}), 422, "user_not_found")
    refused(task_post(hr, review, "transfer", {"to": "hr_s01"}), 422, "transfer_to_self")
    refused(task_post(as_user("hr_s02"), review, "transfer", {"to": "hr_s01"}), 404, "task_not_found")


def test_an_unclaimed_task_is_transferred_without_claiming_it_first(app, as_user):
    add_user(app, "hr_s01b", "street_hr", "S01")
    hr, colleague = as_user("hr_s01"), as_user("hr_s01b")
    case = resignation(hr)
    review = open_task(hr, case["id"], "street_review")
    response = task_post(hr, review, "transfer", {"to": "hr_s01b", "comment": "请代为审查"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["assignee"] == "hr_s01b"
    assert [e["type"] for e in events(hr, case["id"])].count("task_claimed") == 0
    refused(task_post(hr, review, "transfer", {"to": "hr_s01"}), 403, "task_claimed_by_other")
    complete(colleague, case["id"], "street_review", {"decision": "approve", "unfinished_business": False})


# --- delegate -----------------------------------------------------------------------------------


def test_a_delegated_task_is_worked_by_the_delegate_and_decided_by_the_delegator(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    response = task_post(leader, decision, "delegate", {"to": "hr_s01", "comment": "请核实交接清单后给出意见"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "pending"

    # the delegate sees the task although it is not offered to their role
    assert decision["id"] in [t["id"] for t in hr.get("/api/v1/tasks").get_json()["items"]]
    assert hr.get(f"/api/v1/tasks/{decision['id']}").status_code == 200
    refused(task_post(hr, decision, "complete", {"data": APPROVE}), 409, "task_delegated_to_you")
    refused(task_post(leader, decision, "complete", {"data": APPROVE}), 409, "task_delegated")
    refused(task_post(leader, decision, "unclaim"), 409, "task_delegated")

    refused(task_post(hr, decision, "resolve", {"comment": " "}), 422, "comment_required")
    back = task_post(hr, decision, "resolve", {"comment": "交接清单已核实，无遗漏"})
    assert back.status_code == 200 and back.get_json()["status"] == "resolved"
    assert decision["id"] not in [t["id"] for t in hr.get("/api/v1/tasks").get_json()["items"]]
    assert any(n["kind"] == "delegation_resolved" for n in notes(leader))
    complete(leader, case["id"], "street_decision", APPROVE)
    types = [e["type"] for e in events(hr, case["id"])]
    assert types.index("task_delegated") < types.index("task_delegation_resolved") < len(types)
    resolved = [e for e in events(hr, case["id"]) if e["type"] == "task_delegation_resolved"][0]
    assert resolved["actor"] == "hr_s01" and resolved["detail"]["comment"] == "交接清单已核实，无遗漏"


def test_delegation_stays_inside_the_task_scope(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    refused(task_post(leader, decision, "delegate", {"to": "hr_s02"}), 422, "delegate_out_of_scope")
    refused(task_post(as_user("sec_s01c01"), decision, "resolve", {"comment": "x"}), 404, "task_not_found")


# --- proxy --------------------------------------------------------------------------------------


def _proxy(user, proxy: str, **extra):  # noqa: ANN001, ANN202
    body = {"proxy": proxy, "starts_on": TODAY.isoformat(), "ends_on": (TODAY + timedelta(days=7)).isoformat(),
            "reason": "外出学习", **extra}
    return user.post("/api/v1/proxies", json=body)


def test_a_proxy_sees_and_decides_the_leaders_tasks_on_their_behalf(app, as_user):
    add_user(app, "leader_s01b", "street_leader", "S01")
    add_user(app, "hr_s01b", "street_hr", "S01")  # not the reviewer: one person never does both steps
    hr, leader, deputy, stand_in = as_user("hr_s01"), as_user("leader_s01"), as_user("leader_s01b"), as_user("hr_s01b")
    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    assert task_post(leader, decision, "claim").status_code == 200  # claimed, then the leader leaves
    refused(task_post(stand_in, decision, "complete", {"data": APPROVE}), 404, "task_not_found")

    response = _proxy(leader, "hr_s01b")
    assert response.status_code == 201, response.get_json()
    assert decision["id"] in [t["id"] for t in stand_in.get("/api/v1/tasks").get_json()["items"]]
    refused(task_post(deputy, decision, "complete", {"data": APPROVE}), 403, "task_claimed_by_other")
    done = task_post(stand_in, decision, "complete", {"data": APPROVE})
    assert done.status_code == 200, done.get_json()

    row = hr.get(f"/api/v1/tasks/{decision['id']}").get_json()
    assert row["completed_by"] == "hr_s01b" and row["on_behalf_of"] == "leader_s01"
    completed = [e for e in events(hr, case["id"]) if e["type"] == "task_completed"][-1]
    assert completed["actor"] == "hr_s01b" and completed["detail"]["on_behalf_of"] == "leader_s01"


def test_a_proxy_acts_only_in_the_named_dates_and_process(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    later = _proxy(leader, "hr_s01", starts_on=(TODAY + timedelta(days=3)).isoformat())
    other_process = _proxy(leader, "hr_s01", process_key="secondment")
    assert later.status_code == 201 and other_process.status_code == 201
    decision = open_task(leader, case["id"], "street_decision")
    assert decision["id"] not in [t["id"] for t in hr.get("/api/v1/tasks").get_json()["items"]]
    refused(task_post(hr, decision, "complete", {"data": APPROVE}), 404, "task_not_found")
    mine = leader.get("/api/v1/proxies").get_json()
    assert mine["total"] == 2
    revoked = leader.post(f"/api/v1/proxies/{later.get_json()['id']}/revoke")
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]


def test_a_proxy_must_be_someone_who_sees_the_principals_units(as_user):
    leader = as_user("leader_s01")
    refused(_proxy(leader, "hr_s02"), 422, "proxy_out_of_scope")
    refused(_proxy(leader, "leader_s01"), 422, "proxy_is_self")
    refused(_proxy(leader, "hr_s01", principal="leader_s02"), 403, "not_allowed")
    bad = _proxy(leader, "hr_s01", ends_on=(TODAY - timedelta(days=1)).isoformat())
    assert bad.status_code == 422 and "ends_on" in bad.get_json()["error"]["details"]["fields"]


def test_task_notices_reach_the_proxy_too(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    assert _proxy(leader, "hr_s01").status_code == 201
    case = resignation(hr)
    to_decision(hr, case)
    assert any(n["kind"] == "task" and "街道审批" in n["message"] for n in notes(hr))
