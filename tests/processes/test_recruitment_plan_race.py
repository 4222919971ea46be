"""Two recruitment plans for one community submitted at the same moment: each reads the posts the
other open campaigns planned, so without the community's row lock both see the vacancies free and
both pass. Needs PostgreSQL."""

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
