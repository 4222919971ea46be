"""Dismissal (辞退, docs/domain.md "Dismissal") end to end through the REST API: every rule and path.

The clock is frozen on Monday 2 March 2026. 王晓梅 (S01C01) has served since 1 January 2023.
"""


import pytest

from tests.helpers import complete, open_task_names, refused, start, try_complete
from tests.operations.ops_support import add_user

WANG, LI = 1, 2
TODAY = "2026-03-02T10:00:00+08:00"
APPROVE = {"decision": "approve", "comment": "同意"}
REJECT = {"decision": "reject", "comment": "事实不清"}
FACTS = "2026年1月起多次拒不执行社区工作安排，造成居民投诉"


@pytest.fixture
def users(as_user):
    return {name: as_user(name) for name in ("hr_s01", "sec_s01c01", "leader_s01", "civil_d01", "hrss_d01",
                                             "hr_s02")}


def propose(users, grounds: list[str], worker_id: int = WANG):
    return start(users["hr_s01"], "dismissal", "S01C01", {"worker_id": worker_id, "grounds": grounds, "facts": FACTS})


def check(grounds: list[str], protections: list[str] | None = None, **extra) -> dict:
    evidence = [{"ground": g, "description": f"{g} 的书面材料", "document": "材料-1"} for g in grounds]
    return {"decision": "approve", "protections": protections or ["none"], "evidence": evidence, **extra}


def notice(mode: str = "immediate", **extra) -> dict:
    return {"delivered_on": "2026-03-02", "document_number": "一街辞〔2026〕1号", "union_notified_on": "2026-02-27",
            "notice_mode": mode, **extra}


def decide(users, case_id: int, grounds: list[str], **check_extra) -> dict:
    """Community opinion, HR check, street decision and district approval, all agreeing."""
    complete(users["sec_s01c01"], case_id, "community_opinion", APPROVE)
    complete(users["hr_s01"], case_id, "hr_check", check(grounds, **check_extra))
    complete(users["leader_s01"], case_id, "street_decision", {**APPROVE, "meeting_date": "2026-03-02"})
    return complete(users["civil_d01"], case_id, "district_review", APPROVE)


def worker(users, worker_id: int = WANG) -> dict:
    return users["hr_s01"].get(f"/api/v1/workers/{worker_id}").get_json()


def instance(users, case_id: int) -> dict:
    return users["hr_s01"].get(f"/api/v1/instances/{case_id}").get_json()


def count_cases(users) -> int:
    return users["hr_s01"].get("/api/v1/instances?key=dismissal").get_json()["total"]


def flag(users, worker_id: int = WANG, **flags) -> None:
    assert users["hr_s01"].patch(f"/api/v1/workers/{worker_id}", json={"flags": flags}).status_code == 200


HANDOVER = {"handover_confirmed": True, "handed_over_to": "赵敏", "audit_required": False}


# --- the whole path ------------------------------------------------------------------------


def test_fault_dismissal_ends_with_the_worker_dismissed(users, at, tick):
    with at(TODAY):
        response = propose(users, ["serious_breach"])
        assert response.status_code == 201, response.get_json()
        case = response.get_json()
        assert case["data"]["basis"] == "fault"
        assert open_task_names(case) == ["community_opinion"]
        decided = decide(users, case["id"], ["serious_breach"])
        assert open_task_names(decided) == ["notice"]
        after_notice = complete(users["hr_s01"], case["id"], "notice", notice())
    assert open_task_names(after_notice) == ["appeal_registration"]
    assert after_notice["open_tasks"][0]["due_at"].startswith("2026-03-17")
    tick("2026-03-17T23:00")  # the 15-day window is still open
    assert open_task_names(instance(users, case["id"])) == ["appeal_registration"]
    tick("2026-03-18T00:30")
    assert open_task_names(instance(users, case["id"])) == ["handover"]
    assert worker(users)["status"] == "active"  # not before the handover
    with at("2026-03-18T10:00"):
        done = complete(users["hr_s01"], case["id"], "handover", HANDOVER)
    assert done["status"] == "completed" and done["outcome"] == "approved"
    assert worker(users)["status"] == "dismissed"
    history = users["hr_s01"].get(f"/api/v1/workers/{WANG}/history").get_json()["items"]
    assert [(h["before"], h["after"]) for h in history if h["field"] == "status"] == [("active", "dismissed")]
    events = [e["type"] for e in users["hr_s01"].get(f"/api/v1/instances/{case['id']}/events").get_json()["items"]]
    assert events.count("task_completed") == 6 and events.count("timer_fired") >= 1


def test_no_fault_dismissal_needs_notice_and_severance_then_waits_out_the_notice(users, at, tick):
    with at(TODAY):
        case = propose(users, ["incompetent"]).get_json()
        assert case["data"]["basis"] == "no_fault"
        decide(users, case["id"], ["incompetent"])
        refused(try_complete(users["hr_s01"], case["id"], "notice", notice()), 422, "dismissal_notice_required")
        error = refused(try_complete(users["hr_s01"], case["id"], "notice", notice("notice_period", severance_months=3)),
                        422, "severance_below_statutory")
        assert error["details"]["minimum"] == 3.5  # 2023-01-01 to 2026-04-01: 3 years and 3 months
        complete(users["hr_s01"], case["id"], "notice", notice("notice_period", severance_months=3.5))
    tick("2026-03-18T00:30")
    with at("2026-03-18T10:00"):
        waiting = complete(users["hr_s01"], case["id"], "handover", HANDOVER)
    assert waiting["status"] == "running" and worker(users)["status"] == "active"  # 30 days' notice
    tick("2026-03-31T12:00")
    assert worker(users)["status"] == "active"
    tick("2026-04-01T00:30")
    assert instance(users, case["id"])["outcome"] == "approved" and worker(users)["status"] == "dismissed"


def test_pay_in_lieu_of_notice_ends_the_contract_after_the_handover(users, at, tick):
    with at(TODAY):
        case = propose(users, ["incompetent"]).get_json()
        decide(users, case["id"], ["incompetent"])
        complete(users["hr_s01"], case["id"], "notice", notice("pay_in_lieu", severance_months=3.5))
    tick("2026-03-18T00:30")
    with at("2026-03-18T10:00"):
        after = complete(users["hr_s01"], case["id"], "handover", {**HANDOVER, "audit_required": True})
        assert open_task_names(after) == ["exit_audit"]
        done = complete(users["hr_s01"], case["id"], "exit_audit",
                        {"audit_finished": True, "report_number": "审〔2026〕5号", "findings": "未发现问题"})
    assert done["outcome"] == "approved" and worker(users)["status"] == "dismissed"


# --- protections (003 art. 41; 劳动合同法 art. 42) --------------------------------------------


@pytest.mark.parametrize("flags", [{"work_injury_disability": True}, {"medical_period_until": "2026-06-30"},
                                   {"pregnancy_or_nursing_until": "2027-01-31"}])
def test_protected_worker_may_not_be_dismissed_on_no_fault_grounds(users, at, flags):
    flag(users, **flags)
    before = count_cases(users)
    with at(TODAY):
        error = refused(propose(users, ["incompetent", "assessment_failed_twice"]), 422, "dismissal_protected")
    assert len(error["details"]["protections"]) == 1
    assert count_cases(users) == before


def test_a_protection_that_has_ended_no_longer_bars(users, at):
    flag(users, medical_period_until="2026-02-28")
    with at(TODAY):
        assert propose(users, ["incompetent"]).status_code == 201


def test_near_retirement_with_long_service_is_protected(users, at):
    response = users["hr_s01"].post("/api/v1/workers", json={
        "name": "孙国强", "gender": "男", "birth_date": "1967-05-01", "org": "S01C01", "status": "active",
        "contract": {"type": "招聘", "start": "2024-01-01", "end": "2026-12-31"}, "data": {"entry_date": "2005-04-01"}})
    with at(TODAY):
        error = refused(propose(users, ["incompetent"], response.get_json()["id"]), 422, "dismissal_protected")
    assert error["details"]["protections"] == ["near_retirement"]


def long_serving(users, gender: str, born: str, **data) -> int:
    response = users["hr_s01"].post("/api/v1/workers", json={
        "name": "赵长青", "gender": gender, "birth_date": born, "org": "S01C01", "status": "active",
        "contract": {"type": "招聘", "start": "2024-01-01", "end": "2026-12-31"},
        "data": {"entry_date": "2005-04-01", **data}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_man_whose_retirement_the_reform_put_off_is_not_yet_near_it(users, at):
    """Born January 1971: 60 would fall in January 2031, the reform makes it 61 years 7 months
    (August 2032), so on 2 March 2026 he is more than five years away."""
    worker_id = long_serving(users, "男", "1971-01-01")
    with at(TODAY):
        assert propose(users, ["incompetent"], worker_id).status_code == 201


def test_women_community_workers_retire_at_55_not_50(users, at):
    """003 art. 20: 55 before the reform; born January 1976 she retires at 56 years 7 months."""
    worker_id = long_serving(users, "女", "1976-01-01")
    with at(TODAY):
        assert propose(users, ["incompetent"], worker_id).status_code == 201


def test_a_record_in_the_50_group_is_near_retirement(users, at):
    """Born January 1976 in the 50 group: 50 years 7 months, August 2026 — within five years."""
    worker_id = long_serving(users, "女", "1976-01-01", retirement_group="female_50")
    with at(TODAY):
        error = refused(propose(users, ["incompetent"], worker_id), 422, "dismissal_protected")
    assert error["details"]["protections"] == ["near_retirement"]


def test_near_retirement_begins_five_years_before_the_reformed_date(users, at):
    """Born September 1966: 60 years 6 months, 1 March 2027; protected from 1 March 2022."""
    worker_id = long_serving(users, "男", "1966-09-01")
    with at(TODAY):
        refused(propose(users, ["incompetent"], worker_id), 422, "dismissal_protected")


def test_protected_worker_dismissed_for_fault_goes_through_legal_review(users, at):
    flag(users, medical_period_until="2026-06-30")
    with at(TODAY):
        case = propose(users, ["criminal_liability"]).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        error = refused(try_complete(users["hr_s01"], case["id"], "hr_check", check(["criminal_liability"])),
                        422, "protections_incomplete")
        assert "protections" in error["details"]["fields"]
        after = complete(users["hr_s01"], case["id"], "hr_check", check(["criminal_liability"], ["medical_period"]))
        assert open_task_names(after) == ["legal_review"] and after["open_tasks"][0]["org"] == "D01"
        reviewed = complete(users["hrss_d01"], case["id"], "legal_review",
                            {**APPROVE, "legal_basis": "劳动合同法第39条第六项，判决书已生效"})
        assert open_task_names(reviewed) == ["street_decision"]
        complete(users["leader_s01"], case["id"], "street_decision", {**APPROVE, "meeting_date": "2026-03-02"})
        decided = complete(users["civil_d01"], case["id"], "district_review", APPROVE)
    assert open_task_names(decided) == ["notice"]


def test_an_hr_check_with_no_protection_says_none_and_goes_straight_to_the_decision(users, at):
    with at(TODAY):
        case = propose(users, ["incompetent"]).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        after = complete(users["hr_s01"], case["id"], "hr_check", check(["incompetent"], ["none"]))
    assert open_task_names(after) == ["street_decision"]  # no legal review without a protection


def test_an_hr_check_must_say_none_or_name_a_protection(users, at):
    with at(TODAY):
        case = propose(users, ["incompetent"]).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        empty = refused(try_complete(users["hr_s01"], case["id"], "hr_check", {**check(["incompetent"]), "protections": []}),
                        422, "validation_error")
        assert empty["details"]["fields"]["protections"] == ["至少需要 1 项"]
        mixed = refused(try_complete(users["hr_s01"], case["id"], "hr_check",
                                     check(["incompetent"], ["none", "medical_period"])), 422, "protections_conflict")
        assert mixed["details"]["fields"]["protections"] == ["「无」不能与其他情形同时勾选"]
        rejecting = {"decision": "reject", "comment": "依据不足", "protections": ["medical_period", "none"]}
        refused(try_complete(users["hr_s01"], case["id"], "hr_check", rejecting), 422, "protections_conflict")
    assert open_task_names(instance(users, case["id"])) == ["hr_check"]


def test_none_cannot_hide_a_protection_the_record_shows(users, at):
    flag(users, medical_period_until="2026-06-30")
    with at(TODAY):
        case = propose(users, ["criminal_liability"]).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        error = refused(try_complete(users["hr_s01"], case["id"], "hr_check", check(["criminal_liability"], ["none"])),
                        422, "protections_incomplete")
    assert "医疗期" in error["details"]["fields"]["protections"][0]


def test_protection_scope_all_bars_fault_grounds_too(users, at, monkeypatch):
    monkeypatch.setenv("CWFLOW_POLICY_DISMISSAL_PROTECTION_SCOPE", '"all"')
    flag(users, pregnancy_or_nursing_until="2027-01-31")
    with at(TODAY):
        refused(propose(users, ["serious_breach"]), 422, "dismissal_protected")


def test_protection_arising_during_the_case_stops_the_decision(users, at):
    with at(TODAY):
        case = propose(users, ["incompetent"]).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        complete(users["hr_s01"], case["id"], "hr_check", check(["incompetent"]))
        flag(users, pregnancy_or_nursing_until="2027-01-31")
        error = refused(try_complete(users["leader_s01"], case["id"], "street_decision",
                                     {**APPROVE, "meeting_date": "2026-03-02"}), 422, "dismissal_protected")
        assert error["details"]["protections"] == ["pregnancy_or_nursing"]
        done = complete(users["leader_s01"], case["id"], "street_decision",
                        {**REJECT, "meeting_date": "2026-03-02"})
    assert done["outcome"] == "rejected" and worker(users)["status"] == "active"


def test_protection_arising_before_the_notice_stops_the_notice(users, at):
    with at(TODAY):
        case = propose(users, ["serious_breach"]).get_json()
        decide(users, case["id"], ["serious_breach"])
        flag(users, medical_period_until="2026-04-30")
        refused(try_complete(users["hr_s01"], case["id"], "notice", notice()), 422, "dismissal_protected")


# --- grounds and their evidence -------------------------------------------------------------


def test_every_ground_needs_evidence(users, at):
    with at(TODAY):
        case = propose(users, ["serious_breach", "dereliction"]).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        error = refused(try_complete(users["hr_s01"], case["id"], "hr_check", check(["serious_breach"])),
                        422, "evidence_missing")
    assert "evidence" in error["details"]["fields"]


def test_absence_must_pass_the_thresholds_of_article_40(users, at):
    with at(TODAY):
        case = propose(users, ["absence"]).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        short = check(["absence"], absence={"consecutive_days": 15, "days_in_year": 30})
        refused(try_complete(users["hr_s01"], case["id"], "hr_check", short), 422, "dismissal_ground_unfounded")
        after = complete(users["hr_s01"], case["id"], "hr_check",
                         check(["absence"], absence={"consecutive_days": 16, "days_in_year": 16}))
    assert open_task_names(after) == ["street_decision"]


def test_assessment_ground_is_checked_against_the_record(users, at):
    hr = users["hr_s01"]
    assert hr.patch(f"/api/v1/workers/{WANG}", json={"data": {"assessments": {"2024": "不称职", "2025": "称职"}}}
                    ).status_code == 200
    failing = [{"year": 2024, "grade": "不称职"}, {"year": 2025, "grade": "不称职"}]
    with at(TODAY):
        case = propose(users, ["assessment_failed_twice"]).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        refused(try_complete(hr, case["id"], "hr_check", check(["assessment_failed_twice"], assessments=failing)),
                422, "assessments_mismatch")
        refused(try_complete(hr, case["id"], "hr_check", check(["assessment_failed_twice"])),
                422, "dismissal_ground_unfounded")
        hr.patch(f"/api/v1/workers/{WANG}", json={"data": {"assessments": {"2024": "不称职", "2025": "不称职"}}})
        after = complete(hr, case["id"], "hr_check", check(["assessment_failed_twice"]))
    assert open_task_names(after) == ["street_decision"]


def test_probation_ground_needs_a_worker_on_probation(users, at):
    with at(TODAY):
        refused(propose(users, ["probation_failed"]), 422, "dismissal_ground_unfounded")
        response = users["hr_s01"].post("/api/v1/workers", json={"name": "吴琳", "org": "S01C01", "status": "probation"})
        assert propose(users, ["probation_failed"], response.get_json()["id"]).status_code == 201


# --- notice, appeal ------------------------------------------------------------------------


def test_union_must_be_told_before_the_notice(users, at):
    with at(TODAY):
        case = propose(users, ["serious_breach"]).get_json()
        decide(users, case["id"], ["serious_breach"])
        error = refused(try_complete(users["hr_s01"], case["id"], "notice", notice(union_notified_on="2026-03-03")),
                        422, "union_not_notified")
    assert "union_notified_on" in error["details"]["fields"]


def test_upheld_complaint_revokes_the_dismissal(app, users, as_user, at):
    add_user(app, "civil_d01b", "district_civil_affairs", "D01")  # not the one who approved the dismissal
    with at(TODAY):
        case = propose(users, ["serious_breach"]).get_json()
        decide(users, case["id"], ["serious_breach"])
        complete(users["hr_s01"], case["id"], "notice", notice())
    with at("2026-03-10T10:00"):
        after = complete(users["hr_s01"], case["id"], "appeal_registration",
                         {"kind": "complaint", "received_on": "2026-03-10", "content": "事实认定有误"})
        assert open_task_names(after) == ["appeal_review_district"] and after["open_tasks"][0]["org"] == "D01"
        refused(try_complete(users["civil_d01"], case["id"], "appeal_review_district", {"decision": "approve"}),
                403, "same_person_twice")
        done = complete(as_user("civil_d01b"), case["id"], "appeal_review_district",
                        {"decision": "approve", "comment": "投诉系他人所为，撤销辞退"})
    assert done["outcome"] == "revoked" and worker(users)["status"] == "active"


def test_rejected_review_goes_on_to_the_handover(users, at):
    with at(TODAY):
        case = propose(users, ["serious_breach"]).get_json()
        decide(users, case["id"], ["serious_breach"])
        complete(users["hr_s01"], case["id"], "notice", notice())
    with at("2026-03-10T10:00"):
        after = complete(users["hr_s01"], case["id"], "appeal_registration",
                         {"kind": "review", "received_on": "2026-03-09", "content": "请求复核"})
        assert open_task_names(after) == ["appeal_review_street"]
        refused(try_complete(users["leader_s01"], case["id"], "appeal_review_street", {"decision": "reject"}),
                422, "validation_error")
        upheld = complete(users["leader_s01"], case["id"], "appeal_review_street",
                          {"decision": "reject", "comment": "事实清楚，维持原决定"})
    assert open_task_names(upheld) == ["handover"]


def test_appeal_outside_the_window_is_refused(users, at):
    with at(TODAY):
        case = propose(users, ["serious_breach"]).get_json()
        decide(users, case["id"], ["serious_breach"])
        complete(users["hr_s01"], case["id"], "notice", notice())
    with at("2026-03-16T10:00"):
        late = {"kind": "review", "received_on": "2026-03-01", "content": "请求复核"}
        refused(try_complete(users["hr_s01"], case["id"], "appeal_registration", late), 422, "appeal_window_closed")


# --- decisions, open cases, scope ------------------------------------------------------------


@pytest.mark.parametrize("stage", ["hr_check", "street_decision", "district_review"])
def test_rejection_at_any_stage_keeps_the_worker(users, at, stage):
    steps = [("sec_s01c01", "community_opinion", APPROVE),
             ("hr_s01", "hr_check", check(["serious_breach"])),
             ("leader_s01", "street_decision", {**APPROVE, "meeting_date": "2026-03-02"}),
             ("civil_d01", "district_review", APPROVE)]
    with at(TODAY):
        case = propose(users, ["serious_breach"]).get_json()
        for user, name, data in steps:
            if name == stage:
                reject = {"decision": "reject", "comment": "依据不足", "protections": ["none"]} if name == "hr_check" else REJECT
                extra = {"meeting_date": "2026-03-02"} if name == "street_decision" else {}
                done = complete(users[user], case["id"], name, {**reject, **extra})
                break
            complete(users[user], case["id"], name, data)
    assert done["status"] == "completed" and done["outcome"] == "rejected"
    assert worker(users)["status"] == "active"


def test_second_open_case_for_the_same_worker_is_refused(users, at):
    with at(TODAY):
        assert propose(users, ["serious_breach"]).status_code == 201
        refused(propose(users, ["dereliction"]), 409, "dismissal_in_progress")
        secondment = start(users["hr_s01"], "secondment", "S01C01", {
            "worker_id": LI, "borrowing_unit": "第一街道综治中心", "borrowing_unit_level": "street", "reason": "迎检",
            "start_date": "2026-03-09", "end_date": "2026-04-08"})
        assert secondment.status_code == 201
        refused(propose(users, ["serious_breach"], LI), 409, "secondment_in_progress")


def test_dismissed_worker_cannot_be_dismissed_again(users, at, tick):
    with at(TODAY):
        case = propose(users, ["serious_breach"]).get_json()
        decide(users, case["id"], ["serious_breach"])
        complete(users["hr_s01"], case["id"], "notice", notice())
    tick("2026-03-18T00:30")
    with at("2026-03-18T10:00"):
        complete(users["hr_s01"], case["id"], "handover", HANDOVER)
        refused(propose(users, ["serious_breach"]), 422, "worker_not_in_service")


def test_other_streets_cannot_see_or_act_on_the_case(users, at):
    with at(TODAY):
        case = propose(users, ["serious_breach"]).get_json()
        assert users["hr_s02"].get(f"/api/v1/instances/{case['id']}").status_code == 404
        refused(start(users["hr_s02"], "dismissal", "S02C01", {"worker_id": WANG, "grounds": ["serious_breach"],
                                                               "facts": FACTS}), 422, "worker_not_found")


def test_two_failing_grades_on_record_start_the_case_with_that_ground(users, at):
    hr = users["hr_s01"]
    hr.patch(f"/api/v1/workers/{WANG}", json={"data": {"assessments": {"2024": "不称职", "2025": "不称职"}}})
    with at(TODAY):
        case = propose(users, ["incompetent"]).get_json()
    assert "assessment_failed_twice" in case["data"]["grounds"]
    assert "incompetent" in case["data"]["grounds"]


def test_a_failed_probation_is_no_ground_once_probation_is_over(users, at):
    with at(TODAY):
        response = users["hr_s01"].post("/api/v1/workers", json={
            "name": "吴琳", "org": "S01C01", "status": "probation",
            "contract": {"type": "招聘", "start": "2025-01-01", "end": "2027-12-31", "probation_end": "2025-03-31"}})
        late = propose(users, ["probation_failed"], response.get_json()["id"])
    refused(late, 422, "probation_over")
    assert "2025-03-31" in late.get_json()["error"]["message"]


def test_a_period_in_days_that_ends_on_a_day_off_ends_on_the_next_working_day(users, at):
    """民法典 art. 203: five days from Monday 2 March end on Saturday 7 March, a day off, so the community's
    opinion is due on Monday 9 March."""
    with at("2026-03-02T10:00"):
        case = propose(users, ["serious_breach"]).get_json()
    opinion = next(t for t in case["open_tasks"] if t["name"] == "community_opinion")
    assert opinion["due_at"].startswith("2026-03-09T15:59:59")  # 23:59:59 Beijing time, in UTC
    assert not opinion["due_provisional"]
