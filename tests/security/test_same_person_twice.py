"""Maker and checker are two people: whoever decided the street's review of a resignation may not
also give the street leader's decision on it — not by a proxy (代理人) for the leader, not by a claim —
and the task page does not offer it to them."""

from datetime import date, timedelta

from tests.helpers import open_task, refused
from tests.operations.ops_support import APPROVE, add_user, resignation, task_post, to_decision
from tests.web.pagetools import Browser

MESSAGE = "您已办理本案的「受理审查」，同一人不能再办理「街道审批」（审核与审批须由不同人员办理）"


def _proxy(user, proxy: str):  # noqa: ANN001, ANN202
    today = date.today()
    response = user.post("/api/v1/proxies", json={"proxy": proxy, "starts_on": today.isoformat(),
                                                  "ends_on": (today + timedelta(days=7)).isoformat(), "reason": "外出"})
    assert response.status_code == 201, response.get_json()


def _reviewed_by_hr_with_hr_as_the_leaders_proxy(as_user) -> tuple[dict, dict]:  # noqa: ANN001
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    _proxy(leader, "hr_s01")
    return case, open_task(leader, case["id"], "street_decision")


def test_the_reviewer_cannot_decide_the_leaders_step_as_the_leaders_proxy(as_user):
    case, decision = _reviewed_by_hr_with_hr_as_the_leaders_proxy(as_user)
    hr = as_user("hr_s01")
    error = refused(task_post(hr, decision, "complete", {"data": APPROVE}), 403, "same_person_twice")
    assert error["message"] == MESSAGE
    refused(task_post(hr, decision, "claim"), 403, "same_person_twice")
    assert hr.get(f"/api/v1/tasks/{decision['id']}").get_json()["status"] == "open"
    done = task_post(as_user("leader_s01"), decision, "complete", {"data": APPROVE})
    assert done.status_code == 200, done.get_json()  # the leader in person still decides


def test_the_task_page_does_not_offer_the_step_to_the_reviewer(app, as_user):
    case, decision = _reviewed_by_hr_with_hr_as_the_leaders_proxy(as_user)
    page = Browser(app.test_client(), "hr_s01").html(f"/tasks/{decision['id']}")
    assert MESSAGE in page and 'class="task-submit"' not in page


def test_a_person_holding_both_roles_cannot_review_and_then_decide(app, as_user):
    add_user(app, "both_s01", "street_leader", "S01")
    add_user(app, "both_s01", "street_hr", "S01")
    both = as_user("both_s01")
    case = resignation(as_user("hr_s01"))
    to_decision(both, case)
    decision = open_task(both, case["id"], "street_decision")
    refused(task_post(both, decision, "complete", {"data": APPROVE}), 403, "same_person_twice")

