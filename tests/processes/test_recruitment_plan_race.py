"""Recruitment plans submitted at the same moment. Two for one community each read the posts the
other open campaigns planned, so without the community's row lock both see the vacancies free and
both pass; three in one district each count the year's campaigns, so without the district's row
lock all three see a place left under the yearly limit. Needs PostgreSQL."""

import threading

import pytest

from tests.conftest import PASSWORD, is_postgres
from tests.helpers import all_at_once
from tests.processes.recruitment_support import PLAN

pytestmark = [pytest.mark.committed,
              pytest.mark.skipif(not is_postgres(), reason="parallel transactions need PostgreSQL")]


def test_simultaneous_plans_cannot_share_out_the_same_vacancies(app, monkeypatch):
    from engine.recruitment import campaign

    barrier = threading.Barrier(2, timeout=2)
    read_planned = campaign.planned_in_open_campaigns

    def read_then_wait(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        planned = read_planned(*args, **kwargs)
        try:
            barrier.wait()  # without the lock both plans get here having seen no other campaign
        except threading.BrokenBarrierError:
            pass
        return planned

    monkeypatch.setattr(campaign, "planned_in_open_campaigns", read_then_wait)
    starters = [("civil_d01", "D01"), ("hr_s01", "S01")]

    def submit(index: int) -> int:
        username, org = starters[index]
        client = app.test_client()
        token = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD}).get_json()["token"]
        response = client.post("/api/v1/processes/recruitment/instances", headers={"Authorization": f"Bearer {token}"},
                               json={"org": org, "data": {**PLAN, "posts": [{"community": "S01C01", "count": 14}]}})
        return response.status_code

    assert sorted(all_at_once(2, submit)) == [201, 422]


def test_simultaneous_starts_cannot_exceed_the_yearly_campaign_limit(app, monkeypatch):
    from engine.rules import recruitment

    barrier = threading.Barrier(3, timeout=2)
    count_campaigns = recruitment.check_campaign_limit

    def count_then_wait(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        count_campaigns(*args, **kwargs)
        try:
            barrier.wait()  # without the lock all three starts get here having counted none
        except threading.BrokenBarrierError:
            pass

    monkeypatch.setattr(recruitment, "check_campaign_limit", count_then_wait)
    communities = ("S01C01", "S01C02", "S02C01")

    def submit(index: int):  # noqa: ANN202
        client = app.test_client()
        token = client.post("/api/v1/tokens", json={"username": "civil_d01", "password": PASSWORD}).get_json()["token"]
        response = client.post("/api/v1/processes/recruitment/instances", headers={"Authorization": f"Bearer {token}"},
                               json={"org": "D01", "data": {**PLAN, "title": f"第{index + 1}次招聘",
                                                            "posts": [{"community": communities[index], "count": 1}]}})
        return response.status_code, response.get_json()

    answers = all_at_once(3, submit)
    assert sorted(status for status, _ in answers) == [201, 201, 422], answers
    (refusal,) = [body["error"] for status, body in answers if status == 422]
    assert refusal["code"] == "campaign_limit_reached"
    assert (refusal["details"]["limit"], refusal["details"]["existing"]) == (2, 2)
