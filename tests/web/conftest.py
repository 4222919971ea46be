"""Page-test fixtures: signed-in browser-like clients and resignation cases started through the API."""

from datetime import date, timedelta

import pytest

from engine.core import clock
from tests.helpers import start
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
