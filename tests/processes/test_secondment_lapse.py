"""A secondment request lapses once its start date has passed unapproved (docs/domain.md "Secondment"):
wherever it waits, it ends as 已失效（逾期未批）, and nobody can approve it any more.

The usual request, filed on Monday 2 March 2026, borrows 王晓梅 from 9 March to 8 May; it may be
decided up to and including 9 March and lapses at midnight into 10 March.
"""

import pytest

from tests.helpers import complete, open_task_names, refused, start, try_complete
from tests.processes.test_secondment_api import (
    APPROVE,
    LI,
    REJECT,
    REQUEST,
    WANG,
    approve_request,
    count_cases,
    instance,
    notifications,
    request,
    seconded_worker,
    third_worker,
    worker,
)
from tests.web.pagetools import Browser


@pytest.fixture
def users(as_user):
    return {name: as_user(name) for name in ("hr_s01", "sec_s01c01", "leader_s01", "swd_d01", "org_d01",
                                             "civil_d01")}


def events(users, case_id: int) -> list[dict]:
    return users["hr_s01"].get(f"/api/v1/instances/{case_id}/events").get_json()["items"]


def assert_lapsed(app, users, case_id: int) -> None:
    lapsed = instance(users, case_id)
    assert lapsed["status"] == "completed" and lapsed["outcome"] == "expired" and lapsed["open_tasks"] == []
    assert notifications(app, case_id) == [("street_hr", "S01")]  # the requesting street's HR
    notice = next(e for e in events(users, case_id) if e["type"] == "notified")
    assert "2026-03-09" in notice["detail"]["message"] and "逾期未批" in notice["detail"]["message"]
    assert worker(users)["status"] == "active"


def test_request_waiting_for_the_community_opinion_lapses_after_its_start_date(app, users, at, tick):
    with at("2026-03-02T10:00"):
        case = request(users).get_json()
    tick("2026-03-09T23:00")  # the start date itself: still open to a decision
    assert open_task_names(instance(users, case["id"])) == ["community_opinion"]
    tick("2026-03-10T08:00")
    assert_lapsed(app, users, case["id"])
    assert "timer_fired" in [e["type"] for e in events(users, case["id"])]
    tick("2026-05-08T10:00")  # nothing is left to fire
    assert len(notifications(app, case["id"])) == 1


def test_request_waiting_for_the_street_review_lapses_after_its_start_date(app, users, at, tick):
    with at("2026-03-02T10:00"):
        case = request(users).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
    tick("2026-03-10T08:00")
    assert_lapsed(app, users, case["id"])


def test_request_waiting_for_the_district_approval_lapses_after_its_start_date(app, users, at, tick):
    with at("2026-03-02T10:00"):
        case = request(users).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        complete(users["leader_s01"], case["id"], "street_review", APPROVE)
    tick("2026-03-10T08:00")
    assert_lapsed(app, users, case["id"])


def test_request_waiting_for_one_ordos_department_lapses_after_its_start_date(app, users, at, tick, monkeypatch):
    monkeypatch.setenv("CWFLOW_POLICY_SECONDMENT_APPROVAL_VARIANT", '"ordos"')
    with at("2026-03-02T10:00"):
        case = request(users).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        complete(users["leader_s01"], case["id"], "street_review", APPROVE)
        complete(users["org_d01"], case["id"], "org_approval", APPROVE)
    tick("2026-03-10T08:00")
    assert_lapsed(app, users, case["id"])


def test_request_resubmitted_after_a_return_lapses_by_its_new_start_date(app, users, at, tick):
    with at("2026-03-02T10:00"):
        case = request(users).get_json()
        task = users["sec_s01c01"].get(f"/api/v1/instances/{case['id']}").get_json()["open_tasks"][0]
        returned = users["sec_s01c01"].post(f"/api/v1/tasks/{task['id']}/return",
                                            json={"target": "initiator", "reason": "请核实借调日期"}).get_json()
        (resubmit,) = returned["open_tasks"]
        again = users["hr_s01"].post(f"/api/v1/tasks/{resubmit['id']}/complete",
                                     json={"data": {"start_date": "2026-03-16", "end_date": "2026-05-15"}})
        assert again.status_code == 200, again.get_json()
    tick("2026-03-10T08:00")  # the old start date no longer counts
    assert open_task_names(instance(users, case["id"])) == ["community_opinion"]
    tick("2026-03-17T08:00")
    lapsed = instance(users, case["id"])
    assert lapsed["status"] == "completed" and lapsed["outcome"] == "expired"


def return_to_initiator(users, case_id: int) -> dict:
    """The community secretary sends the request back to street HR for correction; the
    initiator's resubmission task."""
    task = users["sec_s01c01"].get(f"/api/v1/instances/{case_id}").get_json()["open_tasks"][0]
    returned = users["sec_s01c01"].post(f"/api/v1/tasks/{task['id']}/return",
                                        json={"target": "initiator", "reason": "请核实借调日期"})
    assert returned.status_code == 200, returned.get_json()
    (resubmit,) = returned.get_json()["open_tasks"]
    return resubmit


def resubmit(users, task: dict, data: dict):
    return users["hr_s01"].post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data})


def test_request_waiting_with_its_initiator_after_a_return_lapses_after_its_start_date(app, users, at, tick):
    with at("2026-03-02T10:00"):
        case = request(users).get_json()
        return_to_initiator(users, case["id"])
    tick("2026-03-09T23:59")  # the start date itself: still open to a correction
    waiting = instance(users, case["id"])
    assert waiting["status"] == "running" and [t["role"] for t in waiting["open_tasks"]] == ["initiator"]
    tick("2026-03-10T00:00")  # exactly the lapse moment
    assert_lapsed(app, users, case["id"])
    assert "timer_fired" in [e["type"] for e in events(users, case["id"])]
    tick("2026-05-08T10:00")  # nothing is left to fire
    assert len(notifications(app, case["id"])) == 1


def test_resubmitting_a_request_whose_start_date_has_passed_is_refused(users, at):
    with at("2026-03-02T10:00"):
        case = request(users).get_json()
        task = return_to_initiator(users, case["id"])
    with at("2026-03-10T09:00"):  # the timer worker has not run yet
        error = refused(resubmit(users, task, {"reason": "创城迎检材料整理（已核实）"}), 422, "secondment_start_passed")
        assert error["details"]["fields"] == {"start_date": ["已过：2026-03-09"]}
    with at("2026-03-05T10:00"):  # corrected to a day already gone
        error = refused(resubmit(users, task, {"start_date": "2026-03-04"}), 422, "secondment_start_passed")
        assert error["details"]["fields"] == {"start_date": ["已过：2026-03-04"]}
    assert [t["role"] for t in instance(users, case["id"])["open_tasks"]] == ["initiator"]


def test_resubmitting_into_a_full_community_quota_is_refused(users, at):
    zhou = third_worker(users)
    with at("2026-03-02T10:00"):
        case = request(users, zhou, start_date="2026-05-11", end_date="2026-05-30").get_json()
        task = return_to_initiator(users, case["id"])
        for worker_id in (WANG, LI):
            approve_request(users, request(users, worker_id).get_json()["id"])  # 9 March to 8 May
        error = refused(resubmit(users, task, {"start_date": "2026-05-01"}), 422, "secondment_quota")
        assert "start_date" in error["details"]["fields"]
        again = resubmit(users, task, {"start_date": "2026-05-11"})  # its own dates do not count against it
    assert again.status_code == 200, again.get_json()
    assert open_task_names(instance(users, case["id"])) == ["community_opinion"]


def test_lapsed_request_reads_as_lapsed_on_the_case_page(app, users, at, tick):
    with at("2026-03-02T10:00"):
        case = request(users).get_json()
    tick("2026-03-10T08:00")
    page = Browser(app.test_client(), "hr_s01").html(f"/instances/{case['id']}")
    assert "已失效（逾期未批）" in page


# --- nobody decides a request whose start date has passed ----------------------------------------


def test_approving_after_the_start_date_is_refused_naming_the_start_date(users, at):
    with at("2026-03-02T10:00"):
        case = request(users).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        complete(users["leader_s01"], case["id"], "street_review", APPROVE)
    with at("2026-03-10T09:00"):  # the timer worker has not run yet
        error = refused(try_complete(users["swd_d01"], case["id"], "swd_approval", APPROVE), 422,
                        "secondment_start_passed")
        assert error["details"]["fields"] == {"start_date": ["已过：2026-03-09"]}
        assert "2026-03-09" in error["message"] and "逾期未批" in error["message"]
        assert open_task_names(instance(users, case["id"])) == ["swd_approval"]
        done = complete(users["swd_d01"], case["id"], "swd_approval", REJECT)  # a refusal is still possible
    assert done["outcome"] == "rejected" and worker(users)["status"] == "active"


def test_street_review_and_community_opinion_after_the_start_date_are_refused(users, at):
    with at("2026-03-02T10:00"):
        first = request(users).get_json()
    with at("2026-03-10T09:00"):
        refused(try_complete(users["sec_s01c01"], first["id"], "community_opinion", APPROVE), 422,
                "secondment_start_passed")
    with at("2026-03-09T18:00"):  # the start date itself is still in time
        complete(users["sec_s01c01"], first["id"], "community_opinion", APPROVE)
    with at("2026-03-10T09:00"):
        error = refused(try_complete(users["leader_s01"], first["id"], "street_review", APPROVE), 422,
                        "secondment_start_passed")
    assert "start_date" in error["details"]["fields"]


def test_approved_on_its_start_date_the_worker_is_seconded_at_once(users, at):
    with at("2026-03-02T10:00"):
        case = request(users).get_json()
        complete(users["sec_s01c01"], case["id"], "community_opinion", APPROVE)
        complete(users["leader_s01"], case["id"], "street_review", APPROVE)
    with at("2026-03-09T16:00"):
        done = complete(users["swd_d01"], case["id"], "swd_approval", APPROVE)
    assert open_task_names(done) == ["secondment_period"] and worker(users)["status"] == "seconded"


def test_request_whose_start_date_has_passed_is_refused_at_filing(users, at):
    before = count_cases(users)
    with at("2026-03-10T10:00"):
        error = refused(request(users), 422, "secondment_start_passed")
        assert error["details"]["fields"] == {"start_date": ["已过：2026-03-09"]}
        assert count_cases(users) == before
        assert request(users, start_date="2026-03-10").status_code == 201  # starting today is in time


def test_extension_approved_after_the_end_date_is_refused_naming_the_end_date(users, at, tick):
    case_id = seconded_worker(users, at, tick)
    with at("2026-05-06T10:00"):
        complete(users["hr_s01"], case_id, "secondment_period",
                 {"decision": "extend", "new_end_date": "2026-05-30", "extension_reason": "迎检延期"})
        complete(users["leader_s01"], case_id, "street_review", APPROVE)
    with at("2026-05-09T08:00"):  # before the timer worker moved the case on
        error = refused(try_complete(users["swd_d01"], case_id, "swd_approval", APPROVE), 422,
                        "secondment_end_passed")
    assert error["details"]["fields"] == {"end_date": ["已过：2026-05-08"]}
    tick("2026-05-09T08:00")
    assert open_task_names(instance(users, case_id)) == ["confirm_return"]


def test_other_request_for_the_worker_may_be_filed_once_one_lapsed(users, at, tick):
    with at("2026-03-02T10:00"):
        request(users).get_json()
    tick("2026-03-10T08:00")
    with at("2026-03-10T10:00"):
        again = start(users["hr_s01"], "secondment", "S01C01",
                      {"worker_id": WANG, **REQUEST, "start_date": "2026-03-16", "end_date": "2026-05-15"})
    assert again.status_code == 201, again.get_json()


def test_extension_waits_for_approval_until_the_end_of_its_end_date(users, at, tick):
    """The rule lets an extension be approved all through the current end date; the timer agrees:
    it falls back to confirming the return only from 00:00 Beijing time the next day."""
    case_id = seconded_worker(users, at, tick)
    with at("2026-05-06T10:00"):
        complete(users["hr_s01"], case_id, "secondment_period",
                 {"decision": "extend", "new_end_date": "2026-05-30", "extension_reason": "迎检延期"})
        complete(users["leader_s01"], case_id, "street_review", APPROVE)
    tick("2026-05-08T23:00")  # the end date's evening: still open to approval
    assert open_task_names(instance(users, case_id)) == ["swd_approval"]
    with at("2026-05-08T23:30"):
        done = complete(users["swd_d01"], case_id, "swd_approval", APPROVE)
    assert open_task_names(done) == ["secondment_period"]
    tick("2026-05-09T10:00")  # extended to 30 May: the old end date no longer counts
    assert open_task_names(instance(users, case_id)) == ["secondment_period"]
    assert worker(users)["status"] == "seconded"


def test_extension_not_approved_by_its_end_date_falls_back_at_midnight(users, at, tick):
    case_id = seconded_worker(users, at, tick)
    with at("2026-05-06T10:00"):
        complete(users["hr_s01"], case_id, "secondment_period",
                 {"decision": "extend", "new_end_date": "2026-05-30", "extension_reason": "迎检延期"})
    tick("2026-05-08T23:59")
    assert open_task_names(instance(users, case_id)) == ["street_review"]
    tick("2026-05-09T00:00")  # exactly the lapse moment
    assert open_task_names(instance(users, case_id)) == ["confirm_return"]
