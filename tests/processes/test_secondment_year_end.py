"""A secondment running across the year end (docs/domain.md "Secondment"): the return, its
escalation and an extension are reckoned in calendar days, so a period ending in 2027 runs through
the new year like any other.

The request, filed on Monday 21 December 2026, borrows 王晓梅 from 28 December to 5 January 2027.
"""

import pytest

from tests.conftest import ApiClient
from tests.helpers import complete, open_task_names
from tests.processes.test_secondment_api import (
    APPROVE,
    approve_request,
    instance,
    notifications,
    request,
    worker,
)

PERIOD = {"start_date": "2026-12-28", "end_date": "2027-01-05"}


class SignedInNow:
    """Each use signs in afresh at the frozen moment: these tests jump weeks past a token's lifetime."""

    def __init__(self, client) -> None:  # noqa: ANN001
        self.client = client

    def __getitem__(self, username: str) -> ApiClient:
        return ApiClient(self.client, username)


@pytest.fixture
def users(client):
    return SignedInNow(client)


def seconded_over_new_year(users, at, tick) -> int:
    with at("2026-12-21T10:00"):
        response = request(users, **PERIOD)
        assert response.status_code == 201, response.get_json()
        case = response.get_json()
        approve_request(users, case["id"])
    tick("2026-12-28T08:00")
    assert worker(users)["status"] == "seconded"
    return case["id"]


def test_return_after_a_period_ending_in_the_new_year_is_asked_escalated_and_recorded(app, users, at, tick):
    case_id = seconded_over_new_year(users, at, tick)
    with at("2026-12-30T10:00"):
        period = instance(users, case_id)["open_tasks"]
    assert [t["name"] for t in period] == ["secondment_period"] and period[0]["due_at"].startswith("2027-01-05")
    tick("2026-12-31T23:30")
    tick("2027-01-01T09:00")
    assert open_task_names(instance(users, case_id)) == ["secondment_period"]
    tick("2027-01-05T10:00")
    (confirm,) = instance(users, case_id)["open_tasks"]
    assert confirm["name"] == "confirm_return" and confirm["due_at"].startswith("2027-01-08")
    tick("2027-01-08T10:00")  # three calendar days after the end date
    assert notifications(app, case_id) == [("street_leader", "S01"), ("social_work_dept", "D01")]
    with at("2027-01-09T10:00"):
        done = complete(users["hr_s01"], case_id, "confirm_return", {"returned_on": "2027-01-09"})
    assert done["status"] == "completed" and done["outcome"] == "approved"
    assert worker(users)["status"] == "active"


def test_extension_asked_on_30_december_moves_the_end_into_the_new_year(users, at, tick):
    case_id = seconded_over_new_year(users, at, tick)
    with at("2026-12-30T10:00"):
        complete(users["hr_s01"], case_id, "secondment_period",
                 {"decision": "extend", "new_end_date": "2027-02-26", "extension_reason": "年底迎检"})
        complete(users["leader_s01"], case_id, "street_review", APPROVE)
        extended = complete(users["swd_d01"], case_id, "swd_approval", APPROVE)
    assert open_task_names(extended) == ["secondment_period"]
    assert extended["open_tasks"][0]["due_at"].startswith("2027-02-26")
    tick("2027-01-05T10:00")
    assert open_task_names(instance(users, case_id)) == ["secondment_period"]
    tick("2027-02-26T10:00")
    assert open_task_names(instance(users, case_id)) == ["confirm_return"]


def test_early_return_in_the_new_year_ends_the_secondment(users, at, tick):
    case_id = seconded_over_new_year(users, at, tick)
    with at("2027-01-04T10:00"):
        done = complete(users["hr_s01"], case_id, "secondment_period",
                        {"decision": "return_early", "returned_on": "2027-01-04"})
    assert done["outcome"] == "approved" and worker(users)["status"] == "active"


def test_request_starting_on_new_years_eve_lapses_on_new_years_day(app, users, at, tick):
    with at("2026-12-30T10:00"):
        case = request(users, start_date="2026-12-31", end_date="2027-01-05").get_json()
    tick("2026-12-31T20:00")
    assert open_task_names(instance(users, case["id"])) == ["community_opinion"]
    tick("2027-01-01T08:00")
    lapsed = instance(users, case["id"])
    assert lapsed["status"] == "completed" and lapsed["outcome"] == "expired"
