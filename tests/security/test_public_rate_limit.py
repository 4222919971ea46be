"""The public registration limit counts applications, not garbage: a body refused by its schema
before the application is read costs the citizen behind that address nothing, while well-formed
applications are still counted and refused past the limit."""

import pytest

from tests.processes.recruitment_support import applicant

MALFORMED = [
    {"name": "格式错误"},                                   # required fields missing
    {**applicant(50), "birth_date": 19950101},             # wrong type
    {**applicant(51), "unexpected": "x"},                  # unknown field
    [],                                                    # not an object
]


@pytest.fixture
def open_campaign(campaign, app, monkeypatch):  # noqa: ANN001, ANN201
    campaign.to_registration()
    monkeypatch.setitem(app.config, "RECRUITMENT_APPLY_LIMIT", (2, 10))
    return campaign


def test_malformed_applications_do_not_use_up_the_address_limit(open_campaign):
    address = "192.0.2.44"
    refused = [open_campaign.apply(body, address=address).status_code for body in MALFORMED * 2]
    assert all(400 <= code < 500 and code != 429 for code in refused), refused
    accepted = [open_campaign.apply(applicant(n), address=address).status_code for n in (1, 2, 3)]
    assert accepted == [201, 201, 429]

