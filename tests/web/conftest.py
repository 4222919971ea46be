"""Page-test fixtures: signed-in browser-like clients and resignation cases started through the API."""

from datetime import date, timedelta

import pytest

from engine.core import clock
from tests.helpers import complete, start
from tests.web.pagetools import Browser


@pytest.fixture
def browser_as(app):  # noqa: ANN001, ANN201
    """`browser_as("hr_s01")` → a signed-in Browser (each call its own cookie jar)."""

    def make(username: str | None = None) -> Browser:
        return Browser(app.test_client(), username)

    return make


@pytest.fixture
def resignation(as_user):  # noqa: ANN001, ANN201
    """`resignation(worker_id, org, business_key, days_ago=0)` → the started case (JSON), via the API.
    A receipt older than the notice period (30 days) is filed on the day it was received, as it
    would have been: a receipt date may not lie further back than that when the case is started."""

    def make(worker_id: int = 1, org: str = "S01C01", business_key: str | None = None, *, user: str | None = None,
             days_ago: int = 0) -> dict:
        starter = user or ("hr_s02" if org.startswith("S02") else "hr_s01")
        data = {"worker_id": worker_id, "reason": "家庭原因，需回原籍照顾老人",
                "submitted_on": (date.today() - timedelta(days=days_ago)).isoformat()}
        filed_at = clock.now() - timedelta(days=days_ago if days_ago > 30 else 0)
        with clock.frozen(filed_at):
            response = start(as_user(starter), "resignation", org, data, business_key)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make


SECONDMENT = {"borrowing_unit": "第一街道综治中心", "borrowing_unit_level": "street", "reason": "网格化治理专项工作",
              "start_date": "2026-12-01", "end_date": "2027-01-31"}


@pytest.fixture
def secondment(as_user):  # noqa: ANN001, ANN201
    """`secondment(worker_id, approved_by=(...))` → a secondment of an S01C01 worker from 1 December,
    filed by street HR and decided by the given steps' holders (community, street, 社会工作部)."""
    steps = (("sec_s01c01", "community_opinion"), ("leader_s01", "street_review"), ("swd_d01", "swd_approval"))

    def make(worker_id: int, *, upto: int = 3, **overrides) -> dict:
        case = start(as_user("hr_s01"), "secondment", "S01C01", {"worker_id": worker_id, **SECONDMENT, **overrides})
        assert case.status_code == 201, case.get_json()
        for user, step in steps[:upto]:
            complete(as_user(user), case.get_json()["id"], step, {"decision": "approve", "comment": "同意"})
        return case.get_json()

    return make


@pytest.fixture
def third_worker(as_user) -> int:  # noqa: ANN001
    """A third active worker of S01C01 (周敏), beside 王晓梅 and 李建国."""
    response = as_user("hr_s01").post("/api/v1/workers", json={
        "name": "周敏", "gender": "女", "birth_date": "1992-04-01", "education": "本科", "org": "S01C01",
        "status": "active", "contract": {"type": "招聘", "start": "2024-01-01", "end": "2027-12-31"}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]
