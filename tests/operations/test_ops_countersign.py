"""Countersign (会签, all), any-one-of (或签), approval by ratio, and added approvers (加签) before and
after a step — rows of one BPMN user task, which completes once the round's rule is met."""

import pytest

from tests.helpers import open_task, open_task_names
from tests.operations.ops_support import (
    APPROVE,
    REJECT,
    add_user,
    deploy_round,
    events,
    notes,
    refused,
    start_round_case,
    task_post,
)


@pytest.fixture
def leaders(app, as_user):
    add_user(app, "leader_s01b", "street_leader", "S01")
    add_user(app, "leader_s01c", "street_leader", "S01")
    return [as_user(name) for name in ("leader_s01", "leader_s01b", "leader_s01c")]


def _vote(user, case: dict, data: dict):  # noqa: ANN001, ANN202
    task = open_task(user, case["id"], "countersign")
    return task_post(user, task, "complete", {"data": data})


def _votes(user, case: dict) -> dict:  # noqa: ANN001
    task = [t for t in user.get(f"/api/v1/instances/{case['id']}").get_json()["open_tasks"]
            if t["name"] == "countersign"]
    task_id = task[0]["id"] if task else [e for e in events(user, case["id"]) if e["type"] == "vote_cast"][0]["task_id"]
    return user.get(f"/api/v1/tasks/{task_id}/votes").get_json()


def test_countersign_needs_every_holder_of_the_role(app, as_user, leaders):
    deploy_round(app, "opsall", mode="all")
    hr = as_user("hr_s01")
    case = start_round_case(hr, "opsall")
    assert [v["approver"] for v in _votes(hr, case)["items"]] == ["leader_s01", "leader_s01b", "leader_s01c"]
    for user in leaders[:2]:
        body = _vote(user, case, APPROVE).get_json()["instance"]
        assert open_task_names(body) == ["countersign"]
    refused(_vote(leaders[0], case, APPROVE), 409, "already_decided")
    done = _vote(leaders[2], case, {"decision": "approve", "comment": "同意购置"}).get_json()["instance"]
    assert open_task_names(done) == ["file_it"]
    votes = done["data"]["ops_vote_votes"]
    assert [v["status"] for v in votes] == ["approved"] * 3 and done["data"]["ops_vote"]["decision"] == "approve"
    types = [e["type"] for e in events(hr, case["id"])]
    assert types.count("vote_cast") == 3 and types.count("approval_round_opened") == 1


def test_one_rejection_decides_a_countersign(app, as_user, leaders):
    deploy_round(app, "opsall", mode="all")
    hr = as_user("hr_s01")
    case = start_round_case(hr, "opsall")
    _vote(leaders[0], case, APPROVE)
    done = _vote(leaders[1], case, REJECT).get_json()["instance"]
    assert done["status"] == "completed" and done["data"]["ops_vote"]["decision"] == "reject"
    assert [v["status"] for v in done["data"]["ops_vote_votes"]] == ["approved", "rejected", "skipped"]
    assert leaders[2].get("/api/v1/tasks").get_json()["total"] == 0


def test_any_one_of_the_approvers_decides(app, as_user, leaders):
    deploy_round(app, "opsany", mode="any")
    hr = as_user("hr_s01")
    case = start_round_case(hr, "opsany")
    assert all(u.get("/api/v1/tasks").get_json()["total"] == 1 for u in leaders)
    done = _vote(leaders[1], case, APPROVE).get_json()["instance"]
    assert open_task_names(done) == ["file_it"]
    assert all(u.get("/api/v1/tasks").get_json()["total"] == 0 for u in leaders)


@pytest.mark.parametrize(("decisions", "outcome"), [
    (["approve", "approve"], "file_it"),
    (["reject", "reject"], None),
])
def test_a_ratio_round_ends_when_the_share_is_reached_or_out_of_reach(app, as_user, leaders, decisions, outcome):
    deploy_round(app, "opsratio", mode="ratio:0.6")
    hr = as_user("hr_s01")
    case = start_round_case(hr, "opsratio")
    body = _vote(leaders[0], case, {"decision": decisions[0], "comment": "意见"}).get_json()["instance"]
    assert open_task_names(body) == ["countersign"]
    body = _vote(leaders[1], case, {"decision": decisions[1], "comment": "意见"}).get_json()["instance"]
    assert open_task_names(body) == ([outcome] if outcome else [])


def test_named_approvers_from_the_diagram(app, as_user, leaders):
    deploy_round(app, "opsnamed", mode="all", approvers="users:leader_s01,leader_s01c")
    hr = as_user("hr_s01")
    case = start_round_case(hr, "opsnamed")
    assert [v["approver"] for v in _votes(hr, case)["items"]] == ["leader_s01", "leader_s01c"]
    refused(_vote_by_id(leaders[1], hr, case), 403, "not_an_approver")


def _vote_by_id(user, hr, case):  # noqa: ANN001, ANN202
    task = [t for t in hr.get(f"/api/v1/instances/{case['id']}").get_json()["open_tasks"]][0]
    return task_post(user, task, "complete", {"data": APPROVE})


def test_an_approver_added_before_decides_first(as_user):
    hr, leader, civil = as_user("hr_s01"), as_user("leader_s01"), as_user("civil_d01")
    from tests.operations.ops_support import resignation, to_decision

    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    response = task_post(leader, decision, "approvers", {"users": ["civil_d01"], "position": "before",
                                                         "comment": "请民政局先提意见"})
    assert response.status_code == 201, response.get_json()
    assert any(n["kind"] == "vote" for n in notes(civil))
    refused(task_post(leader, decision, "complete", {"data": APPROVE}), 409, "waiting_for_added_approvers")
    assert decision["id"] in [t["id"] for t in civil.get("/api/v1/tasks").get_json()["items"]]
    first = task_post(civil, decision, "complete", {"data": {"decision": "approve", "comment": "无异议"}})
    assert first.status_code == 200 and open_task_names(first.get_json()["instance"]) == ["street_decision"]
    done = task_post(leader, decision, "complete", {"data": APPROVE}).get_json()["instance"]
    assert open_task_names(done) == ["handover"]
    kinds = [e["type"] for e in events(hr, case["id"])]
    assert kinds.index("approvers_added") < kinds.index("vote_cast")


def test_an_approver_added_after_must_also_approve_and_cannot_refuse_a_resignation(as_user):
    hr, leader, civil = as_user("hr_s01"), as_user("leader_s01"), as_user("civil_d01")
    from tests.operations.ops_support import resignation, to_decision

    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    assert task_post(leader, decision, "approvers", {"users": ["civil_d01"], "position": "after"}).status_code == 201
    refused(task_post(civil, decision, "complete", {"data": APPROVE}), 409, "approval_not_your_turn")
    body = task_post(leader, decision, "complete", {"data": APPROVE}).get_json()["instance"]
    assert open_task_names(body) == ["street_decision"]
    refusal = task_post(civil, decision, "complete", {"data": {"decision": "reject", "comment": "两委换届期间暂缓"}})
    assert refusal.status_code == 422 and "decision" in refusal.get_json()["error"]["details"]["fields"]
    done = task_post(civil, decision, "complete", {"data": APPROVE})
    assert done.status_code == 200
    assert open_task_names(done.get_json()["instance"]) == ["handover"]


def test_added_approvers_are_in_scope_and_not_twice(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    from tests.operations.ops_support import resignation, to_decision

    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    refused(task_post(leader, decision, "approvers", {"users": ["leader_s02"], "position": "before"}), 422,
            "approver_out_of_scope")
    assert task_post(leader, decision, "approvers", {"users": ["civil_d01"], "position": "after"}).status_code == 201
    refused(task_post(leader, decision, "approvers", {"users": ["civil_d01"], "position": "before"}), 409,
            "approver_already_present")
    refused(task_post(hr, decision, "approvers", {"users": ["civil_d01"], "position": "before"}), 404,
            "task_not_found")


def test_a_countersigner_takes_back_a_vote_while_the_round_is_open(app, as_user, leaders):
    deploy_round(app, "opsall", mode="all")
    hr = as_user("hr_s01")
    case = start_round_case(hr, "opsall")
    _vote(leaders[0], case, APPROVE)
    task_id = _votes(hr, case)["items"][0]
    task = [t for t in hr.get(f"/api/v1/instances/{case['id']}").get_json()["open_tasks"]][0]
    assert task_id["status"] == "approved"
    response = leaders[0].post(f"/api/v1/tasks/{task['id']}/withdraw", json={"reason": "再考虑"})
    assert response.status_code == 200, response.get_json()
    assert _votes(hr, case)["items"][0]["status"] == "pending"
    assert "vote_withdrawn" in [e["type"] for e in events(hr, case["id"])]


def test_a_countersigner_transfers_their_vote_to_a_colleague(app, as_user, leaders):
    deploy_round(app, "opsnamed", mode="all", approvers="users:leader_s01,leader_s01b")
    hr = as_user("hr_s01")
    case = start_round_case(hr, "opsnamed")
    task = hr.get(f"/api/v1/instances/{case['id']}").get_json()["open_tasks"][0]
    moved = task_post(leaders[0], task, "transfer", {"to": "leader_s01c", "comment": "出差"})
    assert moved.status_code == 200, moved.get_json()
    assert [v["approver"] for v in _votes(hr, case)["items"]] == ["leader_s01c", "leader_s01b"]
    refused(task_post(leaders[2], task, "transfer", {"to": "leader_s01b"}), 409, "approver_already_present")


def test_a_step_property_copies_the_case_when_the_round_is_decided(app, as_user, leaders):
    deploy_round(app, "opscc", mode="any", cc="role:district_civil_affairs;users:hr_s01")
    hr, civil = as_user("hr_s01"), as_user("civil_d01")
    case = start_round_case(hr, "opscc")
    _vote(leaders[0], case, APPROVE)
    copies = civil.get("/api/v1/copies").get_json()["items"]
    assert [c["instance"]["id"] for c in copies] == [case["id"]] and copies[0]["copied_by"] == "leader_s01"
    assert civil.get(f"/api/v1/instances/{case['id']}").status_code == 200
