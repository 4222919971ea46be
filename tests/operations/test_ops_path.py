"""Predicted path (预计流程) and copying a case (抄送) by a user."""

from tests.helpers import complete
from tests.operations.ops_support import APPROVE, LI, REVIEW_OK, WANG, event_types, refused, resignation


def _path(user, case_id: int) -> dict:  # noqa: ANN001
    response = user.get(f"/api/v1/instances/{case_id}/path")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _steps(path: dict) -> dict[str, dict]:
    return {s["id"]: s for s in path["steps"]}


def test_the_path_ahead_of_a_new_case_with_who_acts(as_user):
    hr = as_user("hr_s01")
    case = resignation(hr, worker_id=WANG)
    path = _path(hr, case["id"])
    assert [c["id"] for c in path["current"]] == ["street_review"]
    steps = _steps(path)
    decision = steps["street_decision"]
    assert decision["certain"] and decision["role"] == "street_leader" and decision["org"] == "S01"
    assert not steps["handover"]["certain"]  # the notice may run out first and end the case without it
    assert "district_review" not in steps  # the worker is not elected: that branch is judged now
    assert not steps["exit_audit"]["certain"]
    gateways = {g["id"]: g for g in path["gateways"]}
    assert gateways["elected_gateway"]["decided"] and not gateways["street_return_gateway"]["decided"]


def test_an_elected_member_has_the_district_review_ahead_at_the_district(as_user):
    hr = as_user("hr_s01")
    case = resignation(hr, worker_id=LI)
    steps = _steps(_path(hr, case["id"]))
    assert steps["district_review"]["role"] == "district_civil_affairs" and steps["district_review"]["org"] == "D01"


def test_an_earlier_decision_does_not_predict_the_next_one(as_user):
    """After a return the old decision is still in the data; the path must not read it as the new one."""
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr, worker_id=WANG)
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", {"decision": "return", "comment": "补充材料"})
    path = _path(hr, case["id"])
    assert [c["id"] for c in path["current"]] == ["street_review"]
    assert not {g["id"]: g for g in path["gateways"]}["street_return_gateway"]["decided"]


def test_after_approval_only_the_handover_and_maybe_the_audit_remain(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr, worker_id=WANG)
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", APPROVE)
    path = _path(hr, case["id"])
    assert [c["id"] for c in path["current"]] == ["handover"]
    assert list(_steps(path)) == ["exit_audit"]
    assert _path(hr, case["id"])["status"] == "running"


def test_a_flag_a_script_sets_ahead_does_not_predict_the_end_of_a_dismissal(as_user):
    """`dismissal_decided` is False until the district approves; read as it is today, it would predict
    不予辞退 whatever the district decides, and the notice and the appeal would vanish from the path."""
    hr, secretary, leader = as_user("hr_s01"), as_user("sec_s01c01"), as_user("leader_s01")
    started = hr.post("/api/v1/processes/dismissal/instances", json={"org": "S01C01", "data": {
        "worker_id": WANG, "grounds": ["serious_breach"], "facts": "擅自带出低保材料并遗失"}})
    assert started.status_code == 201, started.get_json()
    case = started.get_json()
    complete(secretary, case["id"], "community_opinion", {"decision": "approve"})
    complete(hr, case["id"], "hr_check", {"decision": "approve", "protections": ["none"],
                                          "evidence": [{"ground": "serious_breach", "description": "调查笔录"}]})
    complete(leader, case["id"], "street_decision", {"decision": "approve", "meeting_date": "2026-11-25"})
    path = _path(hr, case["id"])
    assert [c["id"] for c in path["current"]] == ["district_review"]
    steps = _steps(path)
    assert {"notice", "appeal_registration", "handover"} <= set(steps)
    assert not steps["notice"]["certain"]  # the district may still refuse
    assert {e["id"] for e in path["ends"]} == {"dismissal_completed", "dismissal_revoked", "dismissal_rejected"}


def test_the_path_is_scoped(as_user):
    case = resignation(as_user("hr_s01"))
    refused(as_user("hr_s02").get(f"/api/v1/instances/{case['id']}/path"), 404, "instance_not_found")


def test_a_user_copies_a_case_once_to_each_colleague_in_scope(as_user):
    hr, leader, civil = as_user("hr_s01"), as_user("leader_s01"), as_user("civil_d01")
    case = resignation(hr)
    response = hr.post(f"/api/v1/instances/{case['id']}/cc", json={"users": ["leader_s01", "civil_d01"],
                                                                    "note": "请知悉"})
    assert response.status_code == 200 and sorted(response.get_json()["copied"]) == ["civil_d01", "leader_s01"]
    again = hr.post(f"/api/v1/instances/{case['id']}/cc", json={"users": ["leader_s01"]})
    assert again.get_json()["copied"] == []
    mine = civil.get("/api/v1/copies").get_json()
    assert mine["total"] == 1 and mine["items"][0]["note"] == "请知悉" and mine["items"][0]["copied_by"] == "hr_s01"
    assert any(n["kind"] == "cc" for n in civil.get("/api/v1/notifications").get_json()["items"])
    copy_id = mine["items"][0]["id"]
    refused(leader.post(f"/api/v1/copies/{copy_id}/read"), 404, "copy_not_found")
    assert civil.post(f"/api/v1/copies/{copy_id}/read").get_json()["read_at"]
    assert civil.get("/api/v1/copies?unread=true").get_json()["total"] == 0
    assert event_types(hr, case["id"]).count("case_copied") == 1


def test_a_case_is_copied_only_to_people_who_may_see_it(as_user):
    hr = as_user("hr_s01")
    case = resignation(hr)
    refused(hr.post(f"/api/v1/instances/{case['id']}/cc", json={"users": ["hr_s02"]}), 422, "cc_out_of_scope")
    refused(hr.post(f"/api/v1/instances/{case['id']}/cc", json={"users": ["nobody"]}), 422, "user_not_found")
    refused(as_user("hr_s02").post(f"/api/v1/instances/{case['id']}/cc", json={"users": ["hr_s02"]}), 404,
            "instance_not_found")
