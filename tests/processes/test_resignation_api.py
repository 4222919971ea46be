"""Resignation (辞职, docs/domain.md "Resignation") end to end through the REST API, every path and bar."""

from datetime import date, timedelta

import pytest

from tests.helpers import complete, open_task, open_task_names, start

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


APPROVE = {"decision": "approve", "comment": "同意"}
REVIEW_OK = {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"}
HANDOVER_NO_AUDIT = {"handover_confirmed": True, "handed_over_to": "赵敏", "audit_required": False}


def test_approved_resignation_ends_with_worker_resigned(as_user):
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
    done = complete(hr, case["id"], "handover", HANDOVER_NO_AUDIT)

    assert done["status"] == "completed" and done["outcome"] == "approved"
    assert _worker(hr, WANG)["status"] == "resigned"
    history = hr.get(f"/api/v1/workers/{WANG}/history").get_json()["items"]
    assert any(h["field"] == "status" and h["before"] == "active" and h["after"] == "resigned" for h in history)
    events = [e["type"] for e in hr.get(f"/api/v1/instances/{case['id']}/events").get_json()["items"]]
    assert events[0] == "instance_started" and events.count("task_completed") == 3


def test_exit_audit_is_done_when_the_handover_asks_for_it(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", APPROVE)
    after_handover = complete(hr, case["id"], "handover", {**HANDOVER_NO_AUDIT, "audit_required": True})
    assert open_task_names(after_handover) == ["exit_audit"]
    assert _worker(hr, WANG)["status"] == "active"  # may not leave before the audit
    done = complete(hr, case["id"], "exit_audit",
                    {"audit_finished": True, "report_number": "审计〔2026〕12号", "findings": "无问题"})
    assert done["outcome"] == "approved"
    assert _worker(hr, WANG)["status"] == "resigned"


def test_street_rejection_ends_the_case_and_keeps_the_worker(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr).get_json()
    complete(hr, case["id"], "street_review", {**REVIEW_OK, "unfinished_business": True})
    done = complete(leader, case["id"], "street_decision", {"decision": "reject", "comment": "重要公务未办结"})
    assert done["status"] == "completed" and done["outcome"] == "rejected"
    assert _worker(hr, WANG)["status"] == "active"


def test_rejection_without_a_comment_is_refused_naming_the_field(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = _start(hr).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    task = open_task(leader, case["id"], "street_decision")
    response = leader.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"decision": "reject"}})
    assert response.status_code == 422
    assert "comment" in response.get_json()["error"]["details"]["fields"]
    assert open_task(leader, case["id"], "street_decision")["id"] == task["id"]


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
    done = complete(civil, case["id"], "district_review", {"decision": "reject", "comment": "换届在即，暂缓"})
    assert done["outcome"] == "rejected"
    assert _worker(hr, LI)["status"] == "active"


def test_elected_member_approved_by_the_district_resigns(as_user):
    hr, leader, civil = as_user("hr_s01"), as_user("leader_s01"), as_user("civil_d01")
    case = _start(hr, LI).get_json()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", APPROVE)
    complete(civil, case["id"], "district_review", APPROVE)
    done = complete(hr, case["id"], "handover", HANDOVER_NO_AUDIT)
    assert done["outcome"] == "approved" and _worker(hr, LI)["status"] == "resigned"


@pytest.mark.parametrize("flag", ["under_audit", "under_discipline_review", "criminal_case_pending"])
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


def test_worker_may_hand_in_their_own_application_but_not_anothers(as_user):
    worker = as_user("worker_s01c01")
    assert _start(worker, WANG).status_code == 201
    response = _start(worker, LI)
    assert response.status_code in (403, 422)


def test_case_must_be_filed_at_the_workers_community(as_user):
    response = _start(as_user("hr_s01"), WANG, org="S01C02")
    assert response.status_code == 422
    assert "org" in response.get_json()["error"]["details"]["fields"]


def test_reminder_before_the_due_date_then_escalation_when_overdue(app, as_user, frozen_clock):
    from sqlalchemy import select

    from engine.models import AuditEvent
    from engine.process import timers
    from web.extensions import db

    hr = as_user("hr_s01")
    with frozen_clock("2026-03-02T15:00:00+08:00"):
        case = _start(hr, submitted_on="2026-03-02").get_json()
    assert case["status"] == "running"

    def tick(moment: str) -> None:
        from datetime import datetime

        with app.app_context():
            timers.tick(db.session, datetime.fromisoformat(moment))

    def messages() -> list[tuple[str, str]]:
        with app.app_context():
            return [(d["role"], d["org"]) for d in db.session.scalars(
                select(AuditEvent.detail).where(AuditEvent.instance_id == case["id"], AuditEvent.type == "notified")
                .order_by(AuditEvent.id))]

    tick("2026-03-20T10:00:00+08:00")
    assert messages() == []
    tick("2026-03-27T10:00:00+08:00")  # 25 days after receipt: the reminder
    assert messages() == [("street_leader", "S01")]
    tick("2026-03-28T10:00:00+08:00")
    assert messages() == [("street_leader", "S01")]  # fires once
    tick("2026-04-01T10:00:00+08:00")  # day 30 passed: escalated to the district
    assert messages() == [("street_leader", "S01"), ("district_civil_affairs", "D01")]
    assert open_task_names(hr.get(f"/api/v1/instances/{case['id']}").get_json()) == ["street_review"]
    events = [e["type"] for e in hr.get(f"/api/v1/instances/{case['id']}/events").get_json()["items"]]
    assert events.count("notified") == 2


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
