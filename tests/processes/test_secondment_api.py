"""Secondment (借调, docs/domain.md "Secondment") end to end through the REST API: every rule and path.

The clock is frozen on Monday 2 March 2026; the usual request borrows 王晓梅 from 9 March to 8 May.
"""


import pytest
from sqlalchemy import select

from tests.helpers import complete, open_task, open_task_names, refused, start, try_complete

WANG, LI = 1, 2  # S01C01, active
TODAY = "2026-03-02T10:00:00+08:00"
REQUEST = {"borrowing_unit": "第一街道综治中心", "borrowing_unit_level": "street", "reason": "创城迎检材料整理",
           "start_date": "2026-03-09", "end_date": "2026-05-08"}
APPROVE = {"decision": "approve", "comment": "同意"}
# a resignation whose leaving date, agreed with the worker, was yesterday: the contract ends as soon
# as the handover is done
LEFT_YESTERDAY = {"decision": "approve", "leaving_on": "2026-03-01", "worker_agrees": True, "comment": "同意"}
REJECT = {"decision": "reject", "comment": "社区人手不足"}


@pytest.fixture
def users(as_user):
    return {name: as_user(name) for name in ("hr_s01", "sec_s01c01", "leader_s01", "swd_d01", "org_d01",
                                             "civil_d01", "hr_s02")}


def request(users, worker_id: int = WANG, **overrides):
    return start(users["hr_s01"], "secondment", "S01C01", {"worker_id": worker_id, **REQUEST, **overrides})


def approve_request(users, case_id: int) -> dict:
    complete(users["sec_s01c01"], case_id, "community_opinion", APPROVE)
    complete(users["leader_s01"], case_id, "street_review", APPROVE)
    return complete(users["swd_d01"], case_id, "swd_approval", APPROVE)


def worker(users, worker_id: int = WANG) -> dict:
    return users["hr_s01"].get(f"/api/v1/workers/{worker_id}").get_json()


def instance(users, case_id: int) -> dict:
    return users["hr_s01"].get(f"/api/v1/instances/{case_id}").get_json()


def count_cases(users) -> int:
    return users["hr_s01"].get("/api/v1/instances?key=secondment").get_json()["total"]


def notifications(app, case_id: int) -> list[tuple[str, str]]:
    from engine.models import AuditEvent
    from web.extensions import db

    with app.app_context():
        return [(d["role"], d["org"]) for d in db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.instance_id == case_id, AuditEvent.type == "notified")
            .order_by(AuditEvent.id))]


def seconded_worker(users, at, tick, worker_id: int = WANG) -> int:
    """A secondment approved on 2 March and begun on 9 March; returns the case id."""
    with at("2026-03-02T10:00"):
        case = request(users, worker_id).get_json()
        approve_request(users, case["id"])
    tick("2026-03-09T08:00")
    return case["id"]


# --- the whole path ------------------------------------------------------------------------


def test_approved_secondment_seconds_the_worker_from_start_to_return(users, at, tick):
    with at("2026-03-02T10:00"):
        response = request(users)
        assert response.status_code == 201, response.get_json()
        case = response.get_json()
        assert open_task_names(case) == ["community_opinion"]
        assert case["open_tasks"][0]["org"] == "S01C01" and case["open_tasks"][0]["role"] == "community_secretary"
        assert case["data"]["latest_end_date"] == "2026-06-08"
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        after_street = complete(users["leader_s01"], case["id"], "street_review", APPROVE)
        assert open_task_names(after_street) == ["swd_approval"]
        assert after_street["open_tasks"][0]["org"] == "D01"
        approved = complete(users["swd_d01"], case["id"], "swd_approval", APPROVE)
    assert approved["status"] == "running" and approved["open_tasks"] == []
    assert worker(users)["status"] == "active"  # not before the start date

    tick("2026-03-08T23:00")
    assert worker(users)["status"] == "active"
    tick("2026-03-09T08:00")
    assert worker(users)["status"] == "seconded"
    period = instance(users, case["id"])["open_tasks"]
    assert [t["name"] for t in period] == ["secondment_period"] and period[0]["due_at"].startswith("2026-05-08")

    tick("2026-05-08T10:00")  # the end date asks for the return to be confirmed
    assert open_task_names(instance(users, case["id"])) == ["confirm_return"]
    with at("2026-05-09T09:00"):
        done = complete(users["hr_s01"], case["id"], "confirm_return", {"returned_on": "2026-05-09"})
    assert done["status"] == "completed" and done["outcome"] == "approved"
    assert worker(users)["status"] == "active"
    history = users["hr_s01"].get(f"/api/v1/workers/{WANG}/history").get_json()["items"]
    assert [(h["before"], h["after"]) for h in history if h["field"] == "status"] == [
        ("active", "seconded"), ("seconded", "active")]


def test_early_return_ends_the_secondment(users, at, tick):
    case_id = seconded_worker(users, at, tick)
    with at("2026-04-01T10:00"):
        done = complete(users["hr_s01"], case_id, "secondment_period",
                        {"decision": "return_early", "returned_on": "2026-04-01"})
    assert done["outcome"] == "approved" and worker(users)["status"] == "active"


def test_an_early_return_does_not_restart_the_three_months(users, at, tick):
    case_id = seconded_worker(users, at, tick)  # away from 9 March
    with at("2026-04-01T10:00"):
        complete(users["hr_s01"], case_id, "secondment_period", {"decision": "return_early", "returned_on": "2026-04-01"})
    with at("2026-04-01T11:00"):
        again = request(users, start_date="2026-04-02", end_date="2026-07-01")  # 91 days, the next day
        error = refused(again, 422, "secondment_window_exceeded")
        assert (error["details"]["used_days"], error["details"]["remaining_days"], error["details"]["requested_days"]) \
            == (23, 68, 91)  # 9–31 March away; 91 of 3 months from 2 April
        assert "已借调或已申请借调 23 天，尚余 68 天" in error["message"] and "任意12个月" in error["message"]
        assert error["details"]["fields"]["end_date"] == ["累计已借调 23 天，尚余 68 天"]
        assert request(users, start_date="2026-04-02", end_date="2026-06-08").status_code == 201  # 68 days fit


def test_the_window_is_a_policy(users, at, tick, monkeypatch):
    monkeypatch.setenv("CWFLOW_POLICY_SECONDMENT_WINDOW_MONTHS", "1")  # 9 March – 8 April holds the 23 days
    case_id = seconded_worker(users, at, tick)
    with at("2026-04-01T10:00"):
        complete(users["hr_s01"], case_id, "secondment_period", {"decision": "return_early", "returned_on": "2026-04-01"})
        assert request(users, start_date="2026-04-02", end_date="2026-07-01").status_code == 201


# --- who may borrow, and for how long --------------------------------------------------------


@pytest.mark.parametrize("level", ["district", "city", "province", "community"])
def test_only_the_street_may_borrow(users, at, level):
    before = count_cases(users)
    with at(TODAY):
        error = refused(request(users, borrowing_unit_level=level), 422, "secondment_unit_level")
    assert "borrowing_unit_level" in error["details"]["fields"]
    assert count_cases(users) == before


def test_secondment_longer_than_three_months_is_refused(users, at):
    before = count_cases(users)
    with at(TODAY):
        error = refused(request(users, end_date="2026-06-09"), 422, "secondment_too_long")
        assert error["details"]["latest_end_date"] == "2026-06-08"
        assert count_cases(users) == before
        assert request(users, end_date="2026-06-08").status_code == 201


def test_end_before_start_or_in_the_past_is_refused(users, at):
    with at(TODAY):
        response = request(users, start_date="2026-03-09", end_date="2026-03-08")
        assert response.status_code == 422 and "end_date" in response.get_json()["error"]["details"]["fields"]
        response = request(users, start_date="2026-01-05", end_date="2026-02-27")
        assert response.status_code == 422 and "end_date" in response.get_json()["error"]["details"]["fields"]


def test_extension_within_three_months_moves_the_end_date(users, at, tick):
    case_id = seconded_worker(users, at, tick)
    with at("2026-04-20T10:00"):
        after = complete(users["hr_s01"], case_id, "secondment_period",
                         {"decision": "extend", "new_end_date": "2026-06-08", "extension_reason": "迎检延期"})
        assert open_task_names(after) == ["street_review"]  # the extension is approved again
        complete(users["leader_s01"], case_id, "street_review", APPROVE)
        extended = complete(users["swd_d01"], case_id, "swd_approval", APPROVE)
    assert open_task_names(extended) == ["secondment_period"]
    assert extended["open_tasks"][0]["due_at"].startswith("2026-06-08")
    tick("2026-05-08T10:00")
    assert open_task_names(instance(users, case_id)) == ["secondment_period"]
    tick("2026-06-08T10:00")
    assert open_task_names(instance(users, case_id)) == ["confirm_return"]
    assert worker(users)["status"] == "seconded"


def test_extension_beyond_three_months_in_total_is_refused(users, at, tick):
    case_id = seconded_worker(users, at, tick)
    with at("2026-04-20T10:00"):
        error = refused(try_complete(users["hr_s01"], case_id, "secondment_period",
                                     {"decision": "extend", "new_end_date": "2026-06-09", "extension_reason": "迎检"}),
                        422, "secondment_too_long")
    assert "new_end_date" in error["details"]["fields"]
    assert open_task_names(instance(users, case_id)) == ["secondment_period"]


def test_refused_extension_keeps_the_original_end_date(users, at, tick):
    case_id = seconded_worker(users, at, tick)
    with at("2026-04-20T10:00"):
        complete(users["hr_s01"], case_id, "secondment_period",
                 {"decision": "extend", "new_end_date": "2026-05-30", "extension_reason": "迎检延期"})
        back = complete(users["leader_s01"], case_id, "street_review", REJECT)
    assert open_task_names(back) == ["secondment_period"]
    assert back["open_tasks"][0]["due_at"].startswith("2026-05-08")
    tick("2026-05-08T10:00")
    assert open_task_names(instance(users, case_id)) == ["confirm_return"]


def test_extension_not_approved_by_the_end_date_means_return(users, at, tick):
    case_id = seconded_worker(users, at, tick)
    with at("2026-05-06T10:00"):
        complete(users["hr_s01"], case_id, "secondment_period",
                 {"decision": "extend", "new_end_date": "2026-05-30", "extension_reason": "迎检延期"})
    tick("2026-05-09T08:00")  # the end date (8 May) has passed unapproved
    assert open_task_names(instance(users, case_id)) == ["confirm_return"]


# --- the quota of one community ---------------------------------------------------------------


def third_worker(users) -> int:
    response = users["hr_s01"].post("/api/v1/workers", json={
        "name": "周敏", "gender": "女", "birth_date": "1992-04-01", "education": "本科", "org": "S01C01",
        "status": "active", "contract": {"type": "招聘", "start": "2024-01-01", "end": "2026-12-31"}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_third_concurrent_secondment_in_a_community_is_refused(users, at):
    zhou = third_worker(users)
    with at(TODAY):
        for worker_id in (WANG, LI):
            approve_request(users, request(users, worker_id).get_json()["id"])
        before = count_cases(users)
        error = refused(request(users, zhou, start_date="2026-05-01", end_date="2026-05-20"), 422, "secondment_quota")
        assert error["details"] == {"fields": {"start_date": ["该期间借调人数已满"]}, "limit": 2, "concurrent": 2}
        assert count_cases(users) == before
        assert request(users, zhou, start_date="2026-05-09", end_date="2026-06-30").status_code == 201


def test_quota_is_judged_again_when_the_request_is_approved(users, at):
    zhou = third_worker(users)
    with at(TODAY):
        third = request(users, zhou).get_json()
        complete(users["sec_s01c01"], third["id"], "community_opinion", APPROVE)
        complete(users["leader_s01"], third["id"], "street_review", APPROVE)
        for worker_id in (WANG, LI):
            approve_request(users, request(users, worker_id).get_json()["id"])
        refused(try_complete(users["swd_d01"], third["id"], "swd_approval", APPROVE), 422, "secondment_quota")
        assert open_task_names(instance(users, third["id"])) == ["swd_approval"]
        done = complete(users["swd_d01"], third["id"], "swd_approval", {"decision": "reject", "comment": "名额已满"})
    assert done["outcome"] == "rejected" and worker(users, zhou)["status"] == "active"


def test_an_approval_over_the_quota_is_a_422_naming_the_rule_and_the_start_date(users, at):
    zhou = third_worker(users)
    with at(TODAY):
        approve_request(users, request(users, WANG).get_json()["id"])
        li, third = request(users, LI).get_json(), request(users, zhou).get_json()  # filing counts only approved places
        for case in (li, third):
            complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
            complete(users["leader_s01"], case["id"], "street_review", APPROVE)
        complete(users["swd_d01"], li["id"], "swd_approval", APPROVE)
        error = refused(try_complete(users["swd_d01"], third["id"], "swd_approval", APPROVE), 422, "secondment_quota")
    assert error["message"].startswith("同一社区同一时期被借调不得超过2人，该期间已有2人被借调")
    assert error["details"] == {"fields": {"start_date": ["该期间借调人数已满"]}, "limit": 2, "concurrent": 2}


def test_a_worker_not_returned_after_the_end_date_still_counts(users, at, tick):
    zhou = third_worker(users)
    seconded_worker(users, at, tick, WANG)
    with at(TODAY):
        approve_request(users, request(users, LI, start_date="2026-05-11", end_date="2026-06-30").get_json()["id"])
    tick("2026-05-08T10:00")  # 王晓梅's end date passes without a confirmed return
    with at("2026-05-11T10:00"):
        refused(request(users, zhou, start_date="2026-05-12", end_date="2026-05-30"), 422, "secondment_quota")


# --- approvals and escalation (lapses: test_secondment_lapse.py) ---------------------------------


def test_rejection_by_the_social_work_department_ends_the_request(users, at):
    with at(TODAY):
        case = request(users).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", REJECT)  # an opinion, not a veto
        complete(users["leader_s01"], case["id"], "street_review", APPROVE)
        done = complete(users["swd_d01"], case["id"], "swd_approval", REJECT)
    assert done["status"] == "completed" and done["outcome"] == "rejected"
    assert worker(users)["status"] == "active"


def test_ordos_variant_needs_both_district_departments(users, at, monkeypatch):
    monkeypatch.setenv("CWFLOW_POLICY_SECONDMENT_APPROVAL_VARIANT", '"ordos"')
    with at(TODAY):
        refused_case = request(users).get_json()
        complete(users["sec_s01c01"], refused_case["id"], "community_opinion", APPROVE)
        both = complete(users["leader_s01"], refused_case["id"], "street_review", APPROVE)
        assert open_task_names(both) == ["civil_approval", "org_approval"]
        complete(users["org_d01"], refused_case["id"], "org_approval", REJECT)
        done = complete(users["civil_d01"], refused_case["id"], "civil_approval", APPROVE)
        assert done["outcome"] == "rejected"

        case = request(users, LI).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        complete(users["leader_s01"], case["id"], "street_review", APPROVE)
        complete(users["civil_d01"], case["id"], "civil_approval", APPROVE)
        approved = complete(users["org_d01"], case["id"], "org_approval", APPROVE)
    assert approved["status"] == "running" and approved["open_tasks"] == []
    assert "swd_approval" not in [t["name"] for t in users["swd_d01"].get("/api/v1/tasks").get_json()["items"]]


def test_overdue_return_is_escalated_once(app, users, at, tick):
    case_id = seconded_worker(users, at, tick)
    tick("2026-05-08T10:00")
    tick("2026-05-10T10:00")
    assert notifications(app, case_id) == []
    tick("2026-05-11T10:00")  # three days after the end date (policy)
    assert notifications(app, case_id) == [("street_leader", "S01"), ("social_work_dept", "D01")]
    tick("2026-05-20T10:00")
    assert len(notifications(app, case_id)) == 2
    assert open_task_names(instance(users, case_id)) == ["confirm_return"]
    assert worker(users)["status"] == "seconded"


# --- the worker record ------------------------------------------------------------------------


def test_worker_on_probation_may_not_be_seconded(users, at):
    response = users["hr_s01"].post("/api/v1/workers", json={"name": "吴琳", "org": "S01C01", "status": "probation"})
    with at(TODAY):
        refused(request(users, response.get_json()["id"]), 422, "worker_not_active")


def test_second_open_case_for_the_same_worker_is_refused(users, at):
    with at(TODAY):
        assert request(users).status_code == 201
        refused(request(users, start_date="2026-05-10", end_date="2026-05-30"), 409, "secondment_in_progress")


def test_approval_is_refused_when_the_worker_left_meanwhile(users, at):
    with at(TODAY):
        case = request(users).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        resignation = start(users["hr_s01"], "resignation", "S01C01",
                            {"worker_id": WANG, "reason": "家庭原因", "submitted_on": "2026-02-27"}).get_json()
        complete(users["hr_s01"], resignation["id"], "street_review",
                 {"decision": "approve", "unfinished_business": False})
        complete(users["leader_s01"], resignation["id"], "street_decision", LEFT_YESTERDAY)
        complete(users["hr_s01"], resignation["id"], "handover",
                 {"handover_confirmed": True, "handed_over_to": "赵敏", "audit_required": False})
        assert worker(users)["status"] == "resigned"
        refused(try_complete(users["leader_s01"], case["id"], "street_review", APPROVE), 422, "worker_not_active")


def test_request_is_filed_at_the_workers_community_and_in_scope(users, at):
    with at(TODAY):
        response = start(users["hr_s01"], "secondment", "S01C02", {"worker_id": WANG, **REQUEST})
        assert response.status_code == 422 and "org" in response.get_json()["error"]["details"]["fields"]
        response = start(users["hr_s02"], "secondment", "S02C01", {"worker_id": WANG, **REQUEST})
        refused(response, 422, "worker_not_found")
        other_street = start(users["hr_s02"], "secondment", "S01C01", {"worker_id": WANG, **REQUEST})
        assert other_street.status_code == 422


def test_return_is_not_recorded_over_a_status_another_process_set(users, at, tick):
    case_id = seconded_worker(users, at, tick)
    with at("2026-03-10T10:00"):  # the resignation rules let a seconded worker resign
        resignation = start(users["hr_s01"], "resignation", "S01C01",
                            {"worker_id": WANG, "reason": "家庭原因", "submitted_on": "2026-03-10"}).get_json()
        complete(users["hr_s01"], resignation["id"], "street_review",
                 {"decision": "approve", "unfinished_business": False})
        complete(users["leader_s01"], resignation["id"], "street_decision", APPROVE)
        complete(users["hr_s01"], resignation["id"], "handover",
                 {"handover_confirmed": True, "handed_over_to": "赵敏", "audit_required": False})
    tick("2026-05-08T10:00")
    with at("2026-05-09T10:00"):
        error = refused(try_complete(users["hr_s01"], case_id, "confirm_return", {"returned_on": "2026-05-09"}),
                        422, "worker_not_seconded")
        assert error["details"]["status"] == "resigned"
        cancelled = users["leader_s01"].post(f"/api/v1/instances/{case_id}/cancel", json={"reason": "人员已辞职"})
    assert cancelled.status_code == 200 and worker(users)["status"] == "resigned"


# --- returns (退回) ----------------------------------------------------------------------------


def test_a_running_secondment_cannot_be_sent_back_past_its_start(users, at, tick):
    case_id = seconded_worker(users, at, tick)
    task = open_task(users["hr_s01"], case_id, "secondment_period")
    assert users["hr_s01"].get(f"/api/v1/tasks/{task['id']}/return-targets").get_json()["items"] == []
    with at("2026-03-10T10:00"):
        refused(users["hr_s01"].post(f"/api/v1/tasks/{task['id']}/return",
                                     json={"target": "community_opinion", "reason": "重新审批"}),
                422, "return_target_not_allowed")
    assert worker(users)["status"] == "seconded"


def test_a_request_corrected_after_a_return_is_judged_again_when_resubmitted(users, at):
    with at(TODAY):
        case = request(users).get_json()
        task = open_task(users["sec_s01c01"], case["id"], "community_opinion")
        returned = users["sec_s01c01"].post(f"/api/v1/tasks/{task['id']}/return",
                                            json={"target": "initiator", "reason": "请核实借调期限"})
        assert returned.status_code == 200, returned.get_json()
        (resubmit,) = returned.get_json()["open_tasks"]
        again = users["hr_s01"].post(f"/api/v1/tasks/{resubmit['id']}/complete",
                                     json={"data": {"end_date": "2026-08-31"}})  # past the 3 months
        error = refused(again, 422, "secondment_too_long")
        assert error["details"]["fields"] == {"end_date": ["最晚 2026-06-08"]}
        assert instance(users, case["id"])["open_tasks"][0]["id"] == resubmit["id"]  # still with its initiator
        fixed = users["hr_s01"].post(f"/api/v1/tasks/{resubmit['id']}/complete", json={"data": {"end_date": "2026-06-08"}})
        assert fixed.status_code == 200, fixed.get_json()
    assert open_task_names(instance(users, case["id"])) == ["community_opinion"]


def test_a_worker_who_resigned_before_the_start_date_is_not_made_seconded(users, at, tick):
    with at(TODAY):
        case = request(users).get_json()
        approve_request(users, case["id"])
        resignation = start(users["hr_s01"], "resignation", "S01C01",
                            {"worker_id": WANG, "reason": "家庭原因", "submitted_on": "2026-02-27"}).get_json()
        complete(users["hr_s01"], resignation["id"], "street_review",
                 {"decision": "approve", "unfinished_business": False})
        complete(users["leader_s01"], resignation["id"], "street_decision", LEFT_YESTERDAY)
        complete(users["hr_s01"], resignation["id"], "handover",
                 {"handover_confirmed": True, "handed_over_to": "赵敏", "audit_required": False})
    tick("2026-03-09T10:00")
    assert worker(users)["status"] == "resigned"
    events = users["hr_s01"].get(f"/api/v1/instances/{case['id']}/events").get_json()["items"]
    assert "worker_status_kept" in [e["type"] for e in events]
