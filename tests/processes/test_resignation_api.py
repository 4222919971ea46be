"""Resignation (辞职, docs/domain.md "Resignation") end to end through the REST API, every path and bar.

A resignation is the worker's notice (劳动合同法 art. 37): the street fixes the leaving date and the
handover but cannot refuse; a bar of 003 art. 39 holds the case until it is lifted. The suite's
clock stands at 2026-11-25 10:00, so a notice received today runs out on 2026-12-25.
"""

from datetime import date, timedelta

import pytest

from tests.helpers import complete, open_task, open_task_names, refused, start, try_complete

WANG = 1  # 王晓梅, S01C01, active
LI = 2  # 李建国, S01C01, elected (两委)
ZHANG = 3  # 张丽, S01C02, under audit
ZHAO = 4  # 赵强, S02C01


def _start(hr, worker_id: int = WANG, org: str = "S01C01", **overrides):  # noqa: ANN001
    data = {"worker_id": worker_id, "reason": "家庭原因，需回原籍照顾老人",
            "submitted_on": overrides.pop("submitted_on", date.today().isoformat()), **overrides}
    return start(hr, "resignation", org, data)


def _worker(user, worker_id: int) -> dict:  # noqa: ANN001
    response = user.get(f"/api/v1/workers/{worker_id}")
    assert response.status_code == 200
    return response.get_json()


NOTICE_RUNS_OUT = (date.today() + timedelta(days=30)).isoformat()
# the contract ends when the leaving date is over: 00:00 of the next day, Beijing time
CONTRACT_ENDS = (date.today() + timedelta(days=31)).isoformat() + "T00:30"
APPROVE = {"decision": "approve", "leaving_on": NOTICE_RUNS_OUT, "comment": "同意"}
ELECTED_OK = {"decision": "approve", "comment": "同意"}
REVIEW_OK = {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"}
HANDOVER_NO_AUDIT = {"handover_confirmed": True, "handed_over_to": "赵敏", "audit_required": False}


def test_approved_resignation_ends_with_worker_resigned_once_the_leaving_date_is_over(as_user, tick):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    response = _start(hr)
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["status"] == "running"
    assert open_task_names(case) == ["street_review"]
    assert case["open_tasks"][0]["role"] == "street_hr" and case["open_tasks"][0]["org"] == "S01"
    assert case["open_tasks"][0]["due_at"].startswith(
        (date.today() + timedelta(days=30)).isoformat())

    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", APPROVE)
    waiting = complete(hr, case["id"], "handover", HANDOVER_NO_AUDIT)

    # handed over before the leaving date: the contract still runs until that day is over
    assert waiting["status"] == "running" and waiting["open_tasks"] == [] and waiting["outcome"] is None
    assert (waiting["leaving_on"], waiting["awaiting_leaving_date"], waiting["status_text"]) == (
        NOTICE_RUNS_OUT, True, "待离职日生效")
    assert _worker(hr, WANG)["status"] == "active"
    tick(f"{NOTICE_RUNS_OUT}T23:00")
    assert _worker(hr, WANG)["status"] == "active"
    tick(CONTRACT_ENDS)
    done = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert done["status"] == "completed" and done["outcome"] == "approved"
    assert done["awaiting_leaving_date"] is False and done["status_text"] is None
    assert _worker(hr, WANG)["status"] == "resigned"
    history = hr.get(f"/api/v1/workers/{WANG}/history").get_json()["items"]
    assert any(h["field"] == "status" and h["before"] == "active" and h["after"] == "resigned" for h in history)
    events = [e["type"] for e in hr.get(f"/api/v1/instances/{case['id']}/events").get_json()["items"]]
    assert events[0] == "instance_started" and events.count("task_completed") == 3


def test_exit_audit_is_done_when_the_handover_asks_for_it(as_user, tick):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", APPROVE)
    after_handover = complete(hr, case["id"], "handover", {**HANDOVER_NO_AUDIT, "audit_required": True})
    assert open_task_names(after_handover) == ["exit_audit"]
    assert _worker(hr, WANG)["status"] == "active"  # may not leave before the audit
    audited = complete(hr, case["id"], "exit_audit",
                       {"audit_finished": True, "report_number": "审计〔2026〕12号", "findings": "无问题"})
    assert audited["awaiting_leaving_date"] is True and _worker(hr, WANG)["status"] == "active"
    tick(CONTRACT_ENDS)
    assert hr.get(f"/api/v1/instances/{case['id']}").get_json()["outcome"] == "approved"
    assert _worker(hr, WANG)["status"] == "resigned"


def test_a_leaving_date_already_over_when_the_handover_is_done_ends_the_contract_at_once(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr, submitted_on=(date.today() - timedelta(days=30)).isoformat()).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    complete(leader, case["id"], "street_decision", {**APPROVE, "leaving_on": yesterday, "worker_agrees": True})
    done = complete(hr, case["id"], "handover", HANDOVER_NO_AUDIT)
    assert done["status"] == "completed" and done["outcome"] == "approved" and done["leaving_on"] == yesterday
    assert _worker(hr, WANG)["status"] == "resigned"


def test_the_street_cannot_refuse_a_resignation(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    task = open_task(leader, case["id"], "street_decision")
    response = try_complete(leader, case["id"], "street_decision", {"decision": "reject", "comment": "不同意"})
    assert response.status_code == 422
    assert "decision" in response.get_json()["error"]["details"]["fields"]
    after = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert after["status"] == "running" and after["outcome"] is None
    assert open_task(leader, case["id"], "street_decision")["id"] == task["id"]
    assert _worker(hr, WANG)["status"] == "active"


def test_street_review_cannot_propose_a_refusal_either(as_user):
    hr = as_user("hr_s01")
    case = _start(hr).get_json()
    response = try_complete(hr, case["id"], "street_review", {**REVIEW_OK, "decision": "reject"})
    assert response.status_code == 422
    assert "decision" in response.get_json()["error"]["details"]["fields"]


def test_the_leaving_date_is_the_day_the_notice_runs_out_unless_given(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    after = complete(leader, case["id"], "street_decision", {"decision": "approve"})
    assert after["data"]["resignation_street_decision"]["leaving_on"] == NOTICE_RUNS_OUT


def test_a_leaving_date_before_the_notice_runs_out_needs_the_workers_agreement(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    early = (date.today() + timedelta(days=10)).isoformat()
    error = refused(try_complete(leader, case["id"], "street_decision", {**APPROVE, "leaving_on": early}),
                    422, "leaving_date_not_allowed")
    assert NOTICE_RUNS_OUT in error["message"] and "leaving_on" in error["details"]["fields"]
    before_receipt = (date.today() - timedelta(days=1)).isoformat()
    refused(try_complete(leader, case["id"], "street_decision",
                         {**APPROVE, "leaving_on": before_receipt, "worker_agrees": True}), 422, "leaving_date_not_allowed")
    after = complete(leader, case["id"], "street_decision", {**APPROVE, "leaving_on": early, "worker_agrees": True})
    assert open_task_names(after) == ["handover"]


def test_a_bar_set_while_the_case_waits_for_the_leaving_date_holds_it_until_cleared(as_user, tick):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", APPROVE)
    complete(hr, case["id"], "handover", HANDOVER_NO_AUDIT)
    assert hr.patch(f"/api/v1/workers/{WANG}", json={"flags": {"under_audit": True}}).status_code == 200
    tick(CONTRACT_ENDS)
    held = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert held["status"] == "running" and held["open_tasks"] == []
    assert held["deferred"] is True and "正在接受审计" in held["deferred_reason"]
    assert _worker(hr, WANG)["status"] == "active"  # the status does not change while the bar stands

    assert hr.patch(f"/api/v1/workers/{WANG}", json={"flags": {"under_audit": False}}).status_code == 200
    done = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert done["status"] == "completed" and done["outcome"] == "approved" and done["deferred"] is False
    assert _worker(hr, WANG)["status"] == "resigned"
    events = [e["type"] for e in hr.get(f"/api/v1/instances/{case['id']}/events").get_json()["items"]]
    assert "case_resumed" in events


def test_a_cleared_bar_does_not_resume_while_another_still_stands(as_user, tick):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", APPROVE)
    hr.patch(f"/api/v1/workers/{WANG}", json={"flags": {"under_audit": True, "criminal_case_pending": True}})
    complete(hr, case["id"], "handover", HANDOVER_NO_AUDIT)
    tick(CONTRACT_ENDS)
    hr.patch(f"/api/v1/workers/{WANG}", json={"flags": {"under_audit": False}})
    held = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert held["status"] == "running" and held["deferred_bars"] == ["criminal_case_pending"]
    assert _worker(hr, WANG)["status"] == "active"
    hr.patch(f"/api/v1/workers/{WANG}", json={"flags": {"criminal_case_pending": False}})
    assert _worker(hr, WANG)["status"] == "resigned"


def test_the_street_defers_for_unfinished_business_and_the_case_goes_on_once_it_is_done(as_user, tick):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    after = complete(leader, case["id"], "street_decision", {"decision": "defer", "comment": "低保年审须本人办结"})
    assert after["deferred"] is True and "重要公务尚未处理完毕" in after["deferred_reason"]
    assert after["data"]["resignation_street_decision"]["leaving_on"] == NOTICE_RUNS_OUT
    assert _worker(hr, WANG)["flags"]["unfinished_business"] is True
    complete(hr, case["id"], "handover", HANDOVER_NO_AUDIT)
    tick(CONTRACT_ENDS)
    held = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert held["status"] == "running" and _worker(hr, WANG)["status"] == "active"
    hr.patch(f"/api/v1/workers/{WANG}", json={"flags": {"unfinished_business": False}, "reason": "低保年审已办结"})
    assert hr.get(f"/api/v1/instances/{case['id']}").get_json()["status"] == "completed"
    assert _worker(hr, WANG)["status"] == "resigned"


def test_leader_can_return_the_case_to_street_hr(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    returned = complete(leader, case["id"], "street_decision", {"decision": "return", "comment": "补充交接清单"})
    assert open_task_names(returned) == ["street_review"]
    complete(hr, case["id"], "street_review", REVIEW_OK)
    after = complete(leader, case["id"], "street_decision", APPROVE)
    assert open_task_names(after) == ["handover"]


def test_elected_member_needs_district_review(as_user):
    hr, leader, civil = as_user("hr_s01"), as_user("leader_s01"), as_user("civil_d01")
    case = _start(hr, LI).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    after = complete(leader, case["id"], "street_decision", APPROVE)
    assert open_task_names(after) == ["district_review"]
    assert after["open_tasks"][0]["org"] == "D01"
    done = complete(civil, case["id"], "district_review", {"decision": "reject", "comment": "须按选举程序先行辞去职务"})
    assert done["outcome"] == "rejected"
    assert _worker(hr, LI)["status"] == "active"


def test_elected_member_approved_by_the_district_resigns(as_user, tick):
    hr, leader, civil = as_user("hr_s01"), as_user("leader_s01"), as_user("civil_d01")
    case = _start(hr, LI).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", APPROVE)
    complete(civil, case["id"], "district_review", ELECTED_OK)
    complete(hr, case["id"], "handover", HANDOVER_NO_AUDIT)
    tick(CONTRACT_ENDS)
    done = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert done["outcome"] == "approved" and _worker(hr, LI)["status"] == "resigned"


@pytest.mark.parametrize("flag", ["under_audit", "under_discipline_review", "criminal_case_pending",
                                  "unfinished_business"])
def test_resignation_is_refused_while_a_bar_of_article_39_holds(as_user, flag):
    hr = as_user("hr_s01")
    assert hr.patch(f"/api/v1/workers/{WANG}", json={"flags": {flag: True}}).status_code == 200
    before = hr.get("/api/v1/instances?key=resignation").get_json()["total"]
    response = _start(hr)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "resignation_blocked"
    assert flag in error["details"]["bars"]
    assert hr.get("/api/v1/instances?key=resignation").get_json()["total"] == before


def test_a_second_open_resignation_for_the_same_worker_is_refused(as_user):
    hr = as_user("hr_s01")
    assert _start(hr).status_code == 201
    response = _start(hr)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "resignation_in_progress"


def test_a_resignation_is_refused_while_a_dismissal_of_the_worker_is_open(as_user):
    hr = as_user("hr_s01")
    dismissal = start(hr, "dismissal", "S01C01", {"worker_id": WANG, "grounds": ["serious_breach"],
                                                    "facts": "多次拒不执行社区工作安排"}, business_key="CT-2026-7")
    assert dismissal.status_code == 201
    error = refused(_start(hr), 409, "exit_case_open")
    assert error["details"]["instance_id"] == dismissal.get_json()["id"]
    assert error["details"]["business_key"] == "CT-2026-7"
    assert error["details"]["process_name"] == "辞退"
    assert "辞退" in error["message"] and "CT-2026-7" in error["message"]


def test_a_dismissal_is_refused_while_a_resignation_of_the_worker_is_open(as_user):
    hr = as_user("hr_s01")
    resignation = _start(hr).get_json()
    response = start(hr, "dismissal", "S01C01", {"worker_id": WANG, "grounds": ["serious_breach"],
                                                   "facts": "多次拒不执行社区工作安排"})
    error = refused(response, 409, "exit_case_open")
    assert error["details"]["instance_id"] == resignation["id"]
    assert error["details"]["process_name"] == "辞职" and "辞职" in error["message"]


@pytest.mark.parametrize(("days_ago", "code"), [(-1, "submitted_on_in_future"), (31, "submitted_on_too_old")])
def test_a_receipt_date_outside_the_notice_period_is_refused(as_user, days_ago, code):
    hr = as_user("hr_s01")
    response = _start(hr, submitted_on=(date.today() - timedelta(days=days_ago)).isoformat())
    error = refused(response, 422, code)
    assert "submitted_on" in error["details"]["fields"]
    assert _start(hr, submitted_on=(date.today() - timedelta(days=30)).isoformat()).status_code == 201


def test_worker_may_hand_in_their_own_application_but_not_anothers(as_user):
    worker = as_user("worker_s01c01")
    assert _start(worker, WANG).status_code == 201
    response = _start(worker, LI)
    assert response.status_code in (403, 422)


def test_case_must_be_filed_at_the_workers_community(as_user):
    response = _start(as_user("hr_s01"), WANG, org="S01C02")
    assert response.status_code == 422
    assert "org" in response.get_json()["error"]["details"]["fields"]


def _notified(app, case_id: int) -> list[tuple[str, str]]:  # noqa: ANN001
    from sqlalchemy import select

    from engine.models import AuditEvent
    from web.extensions import db

    with app.app_context():
        return [(d["role"], d["org"]) for d in db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.instance_id == case_id, AuditEvent.type == "notified")
            .order_by(AuditEvent.id))]


def test_reminder_before_the_due_date_then_the_notice_takes_effect_once_it_has_run(app, as_user, at, tick):
    hr = as_user("hr_s01")
    with at("2026-03-02T15:00"):
        case = _start(hr, submitted_on="2026-03-02").get_json()
    assert case["status"] == "running"

    tick("2026-03-20T10:00")
    assert _notified(app, case["id"]) == []
    tick("2026-03-27T10:00")  # five days before the last day (1 April): the reminder
    assert _notified(app, case["id"]) == [("street_leader", "S01")]
    tick("2026-03-28T10:00")
    assert _notified(app, case["id"]) == [("street_leader", "S01")]  # fires once
    tick("2026-04-01T23:00")  # the last day of the notice is not over yet
    assert _notified(app, case["id"]) == [("street_leader", "S01")]
    assert hr.get(f"/api/v1/instances/{case['id']}").get_json()["status"] == "running"

    tick("2026-04-02T00:30")  # the notice has run with no decision: it takes effect, escalated
    assert _notified(app, case["id"]) == [("street_leader", "S01"), ("street_leader", "S01"),
                                          ("district_civil_affairs", "D01")]
    assert _worker(hr, WANG)["status"] == "resigned"  # on time, whatever the handover
    lapsed = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert lapsed["status"] == "running" and lapsed["outcome"] == "notice_effective"
    assert lapsed["leaving_on"] == "2026-04-01" and lapsed["awaiting_leaving_date"] is False
    # the handover and the exit audit are still opened for the street, and recorded
    assert open_task_names(lapsed) == ["handover"] and lapsed["open_tasks"][0]["role"] == "street_hr"
    with at("2026-04-02T09:00"):  # a flag set on the record now holds nothing: the contract has ended
        assert hr.patch(f"/api/v1/workers/{WANG}", json={"flags": {"under_audit": True}}).status_code == 200
    assert hr.get(f"/api/v1/instances/{case['id']}").get_json()["deferred"] is False
    audit = complete(hr, case["id"], "handover", {**HANDOVER_NO_AUDIT, "audit_required": True})
    assert open_task_names(audit) == ["exit_audit"]
    done = complete(hr, case["id"], "exit_audit",
                    {"audit_finished": True, "report_number": "审计〔2026〕7号", "findings": "无问题"})
    assert done["status"] == "completed" and done["outcome"] == "notice_effective"
    assert done["data"]["resignation_handover"]["handed_over_to"] == "赵敏"
    history = hr.get(f"/api/v1/workers/{WANG}/history").get_json()["items"]
    assert [h["after"] for h in history if h["field"] == "status"] == ["resigned"]


def test_a_notice_that_runs_out_while_a_bar_stands_waits_for_the_bar(app, as_user, at, tick):
    hr = as_user("hr_s01")
    with at("2026-03-02T15:00"):
        case = _start(hr, submitted_on="2026-03-02").get_json()
    with at("2026-03-10T10:00"):
        assert hr.patch(f"/api/v1/workers/{WANG}", json={"flags": {"under_discipline_review": True}}).status_code == 200
    tick("2026-04-02T00:30")
    with at("2026-04-02T09:00"):
        held = hr.get(f"/api/v1/instances/{case['id']}").get_json()
        assert held["status"] == "running" and held["deferred"] is True
        assert _worker(hr, WANG)["status"] == "active"
        hr.patch(f"/api/v1/workers/{WANG}", json={"flags": {"under_discipline_review": False}})
        done = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert done["outcome"] == "notice_effective" and open_task_names(done) == ["handover"]
    assert _worker(hr, WANG)["status"] == "resigned"


def test_a_worker_in_probation_gives_three_days_notice(app, as_user, at, tick):
    hr = as_user("hr_s01")
    with at("2026-03-02T15:00"):
        created = hr.post("/api/v1/workers", json={"name": "周新", "org": "S01C01", "status": "probation"})
        assert created.status_code == 201, created.get_json()
        worker_id = created.get_json()["id"]
        case = _start(hr, worker_id, submitted_on="2026-03-02").get_json()
    assert case["open_tasks"][0]["due_at"].startswith("2026-03-05")
    # five days before a three-day notice's last day falls before the receipt: no reminder
    for moment in ("2026-03-02T15:01", "2026-03-03T10:00", "2026-03-05T09:30", "2026-03-05T23:00"):
        tick(moment)
    assert _notified(app, case["id"]) == []
    assert _worker(hr, worker_id)["status"] == "probation"
    tick("2026-03-06T00:30")
    assert _worker(hr, worker_id)["status"] == "resigned"
    assert _notified(app, case["id"]) == [("street_leader", "S01"), ("district_civil_affairs", "D01")]


def test_an_elected_members_notice_that_runs_out_goes_to_the_district(as_user, at, tick):
    hr = as_user("hr_s01")
    with at("2026-03-02T15:00"):
        case = _start(hr, LI, submitted_on="2026-03-02").get_json()
    tick("2026-04-02T00:30")
    after = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert open_task_names(after) == ["district_review"]
    assert _worker(hr, LI)["status"] == "active"


def test_a_fourth_return_is_refused(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr).get_json()
    for _ in range(3):
        complete(hr, case["id"], "street_review", REVIEW_OK)
        complete(leader, case["id"], "street_decision", {"decision": "return", "comment": "请补正"})
    complete(hr, case["id"], "street_review", REVIEW_OK)
    task = open_task(leader, case["id"], "street_decision")
    response = leader.post(f"/api/v1/tasks/{task['id']}/complete",
                           json={"data": {"decision": "return", "comment": "再补正"}})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "return_limit_reached"
    assert open_task(leader, case["id"], "street_decision")["id"] == task["id"]
