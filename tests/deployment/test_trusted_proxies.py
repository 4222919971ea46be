"""The public rate limit counts each applicant, not the proxy in front: with CWFLOW_TRUSTED_PROXIES=1
the client address comes from the proxy's X-Forwarded-For, and with the default 0 (served directly)
a forged X-Forwarded-For changes nothing."""

import pytest

LOOKUP = "/api/v1/recruitments/applications/lookup"
PROXY = {"REMOTE_ADDR": "10.0.0.2"}


@pytest.fixture
def behind_one_proxy(app, client, monkeypatch):  # noqa: ANN001
    """The app as deployed behind nginx, with 2 lookups allowed per client."""
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    monkeypatch.setitem(app.config, "RECRUITMENT_LOOKUP_LIMIT", (2, 10))
    return client


def _lookup(client, forwarded_for: str) -> int:  # noqa: ANN001
    response = client.post(LOOKUP, json={}, headers={"X-Forwarded-For": forwarded_for}, environ_base=PROXY)
    return response.status_code


def test_behind_one_trusted_proxy_two_applicants_have_separate_buckets(behind_one_proxy):
    assert [_lookup(behind_one_proxy, "203.0.113.7") for _ in range(3)] == [422, 422, 429]
    assert _lookup(behind_one_proxy, "203.0.113.8") == 422  # another applicant behind the same proxy
    # a header forged by the client is to the left of the address the proxy appended: ignored
    assert _lookup(behind_one_proxy, "198.51.100.1, 203.0.113.7") == 429


def test_served_directly_a_forged_forwarded_header_does_not_dodge_the_limit(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RECRUITMENT_LOOKUP_LIMIT", (2, 10))
    assert app.config["TRUSTED_PROXIES"] == 0
    statuses = [_lookup(client, f"203.0.113.{n}") for n in range(3)]
    assert statuses == [422, 422, 429]
