"""Input no endpoint may answer with a 500: JSON nested thousands deep, NUL characters, numbers
beyond 64 bits or not finite, lone surrogates and a body that is not JSON where JSON is read. Each
is refused with a 4xx in the error envelope naming the field, before anything is written."""

import re

import pytest

from tests.conftest import PASSWORD
from tests.security.input_support import assert_envelope, row_counts

DEEP = "[" * 50_000 + "]" * 50_000
RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _refused(response, status: int, code: str) -> dict:  # noqa: ANN001
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = assert_envelope(response)
    assert error["code"] == code, error
    return error


@pytest.mark.parametrize(("path", "with_token"), [
    ("/api/v1/tokens", False),
    ("/api/v1/recruitments/1/applications", False),
    ("/api/v1/recruitments/applications/lookup", False),
    ("/api/v1/processes/resignation/instances", True),
    ("/api/v1/tasks/1/complete", True),
])
def test_json_nested_thousands_deep_is_refused_before_it_is_parsed(client, as_user, path, with_token):
    headers = {"Authorization": f"Bearer {as_user('hr_s01').token}"} if with_token else {}
    before = row_counts()
    response = client.post(path, data='{"data": ' + DEEP + "}", content_type="application/json", headers=headers)
    error = _refused(response, 400, "request_too_deep")
    assert error["details"]["max_depth"] == 32
    assert "嵌套过深" in error["message"]
    assert row_counts() == before


def test_json_nested_as_deep_as_allowed_is_read_as_usual(as_user):
    nested = {"x": 1}
    for _ in range(29):  # 30 levels inside the body and its "data": 32 in all
        nested = {"x": nested}
    response = as_user("hr_s01").post("/api/v1/processes/resignation/instances",
                                      json={"org": "S01C01", "data": {**RESIGNATION, "extra": nested}})
    assert response.status_code != 400, response.get_json()


def test_a_nul_in_a_json_value_or_key_is_refused_naming_the_field(as_user):
    hr = as_user("hr_s01")
    before = row_counts()
    response = hr.post("/api/v1/processes/resignation/instances",
                       json={"org": "S01C01", "data": {**RESIGNATION, "reason": "个人\u0000原因",
                                                       "notes": [{"k\u0000": "v"}]}})
    error = _refused(response, 422, "validation_error")
    assert error["details"]["fields"] == {"data.reason": ["不得包含空字符（\\u0000）"],
                                          "data.notes.0.k\\u0000": ["不得包含空字符（\\u0000）"]}
    assert "data.reason" in error["message"]
    response = hr.post("/api/v1/workers", json={"name": "张\u0000三", "org": "S01C01"})
    assert _refused(response, 422, "validation_error")["details"]["fields"] == {"name": ["不得包含空字符（\\u0000）"]}
    assert row_counts() == before


def test_a_nul_in_a_query_or_path_parameter_is_refused_naming_it(as_user):
    hr = as_user("hr_s01")
    error = _refused(hr.get("/api/v1/workers?org=S01%00"), 422, "validation_error")
    assert error["details"]["fields"] == {"org": ["不得包含空字符（\\u0000）"]}
    error = _refused(hr.get("/api/v1/processes/resig%00nation"), 422, "validation_error")
    assert error["details"]["fields"] == {"key": ["不得包含空字符（\\u0000）"]}


def test_a_nul_in_an_html_form_post_is_refused_with_a_page_naming_the_field(client):
    token = CSRF.search(client.get("/recruitment/status").get_data(as_text=True)).group(1)
    before = row_counts()
    response = client.post("/recruitment/status", data={"csrf_token": token, "application_no": "R\u00001",
                                                        "id_number": "11010119900101123X"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "application_no" in page and "空字符" in page
    assert row_counts() == before


def test_a_nul_in_the_idempotency_key_is_refused(as_user):
    hr = as_user("hr_s01")
    before = row_counts()
    response = hr.post("/api/v1/processes/resignation/instances",
                       json={"org": "S01C01", "data": RESIGNATION}, headers={"Idempotency-Key": "key\u0000one"})
    error = _refused(response, 422, "validation_error")
    assert list(error["details"]["fields"]) == ["Idempotency-Key"]
    assert row_counts() == before


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/processes/resignation/instances", {"org": "S01C01", "data": {**RESIGNATION, "worker_id": 2**64}},
     "data.worker_id"),
    ("/api/v1/processes/resignation/instances", {"org": "S01C01", "data": {**RESIGNATION, "n": -(2**63) - 1}},
     "data.n"),
    ("/api/v1/recruitments/1/objections", {"application_id": 2**70, "summary": "异议"}, "application_id"),
    ("/api/v1/tasks/1/complete", {"data": {"scores": [1, 10**30]}}, "data.scores.1"),
])
def test_a_number_beyond_64_bits_is_refused_naming_the_field(as_user, path, body, field):
    hr = as_user("hr_s01")
    before = row_counts()
    error = _refused(hr.post(path, json=body), 422, "validation_error")
    assert error["details"]["fields"] == {field: ["数值超出范围（-9223372036854775808 至 9223372036854775807）"]}
    assert row_counts() == before


@pytest.mark.parametrize(("raw", "field", "message"), [
    ('{"org": "S01C01", "data": {"worker_id": 1, "days": NaN}}', "data.days", "必须是有限的数值"),
    ('{"org": "S01C01", "data": {"worker_id": 1, "days": 1e999}}', "data.days", "必须是有限的数值"),
    ('{"org": "S01C01", "data": {"worker_id": 1, "reason": "\\ud800"}}', "data.reason", "含有无效的 Unicode 字符"),
])
def test_a_number_that_is_not_finite_or_a_lone_surrogate_is_refused(client, as_user, raw, field, message):
    headers = {"Authorization": f"Bearer {as_user('hr_s01').token}"}
    before = row_counts()
    response = client.post("/api/v1/processes/resignation/instances", data=raw, content_type="application/json",
                           headers=headers)
    assert _refused(response, 422, "validation_error")["details"]["fields"] == {field: [message]}
    assert row_counts() == before


def test_an_integer_of_thousands_of_digits_is_a_bad_request(client, as_user):
    response = client.post("/api/v1/processes/resignation/instances", data='{"org": ' + "9" * 5000 + "}",
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {as_user('hr_s01').token}"})
    _refused(response, 400, "bad_request")


@pytest.mark.parametrize("path", ["/api/v1/workers/99999999999999999999", "/api/v1/recruitments/2147483648",
                                  "/api/v1/instances/9935194549/events", "/recruitment/2147483648"])
def test_an_id_no_integer_column_can_hold_in_the_path_is_not_found(as_user, path):
    response = as_user("hr_s01").get(path)
    assert response.status_code == 404, response.get_data(as_text=True)[:300]
    if path.startswith("/api/"):
        assert assert_envelope(response)["code"] == "not_found"


def test_an_integer_field_beyond_32_bits_is_refused_naming_the_field(as_user):
    hr = as_user("hr_s01")
    error = _refused(hr.get("/api/v1/tasks?instance=2147483648"), 422, "validation_error")
    assert error["details"]["fields"] == {"instance": ["数值超出范围（-2147483648 至 2147483647）"]}
    error = _refused(hr.get("/api/v1/tasks?instance=99999999999999999999"), 422, "validation_error")
    assert list(error["details"]["fields"]) == ["instance"]
    before = row_counts()
    error = _refused(hr.post("/api/v1/recruitments/1/objections", json={"application_id": 2**31, "summary": "异议"}),
                     422, "validation_error")
    assert error["details"]["fields"] == {"application_id": ["数值超出范围（-2147483648 至 2147483647）"]}
    error = _refused(hr.post("/api/v1/tasks/1/return", json={"target": "x", "reason": "r", "attachments": [1, -2**40]}),
                     422, "validation_error")
    assert list(error["details"]["fields"]) == ["attachments.1"]
    assert row_counts() == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_a_json_endpoint_refuses_another_content_type_with_415(client, content_type):
    body = f'{{"username": "admin", "password": "{PASSWORD}"}}'
    before = row_counts()
    error = _refused(client.post("/api/v1/tokens", data=body, content_type=content_type), 415,
                     "unsupported_media_type")
    assert error["details"]["content_type"] == content_type
    assert row_counts() == before


def test_a_json_endpoint_still_takes_a_json_body_with_a_charset(client):
    response = client.post("/api/v1/tokens", data=f'{{"username": "admin", "password": "{PASSWORD}"}}',
                           content_type="application/json; charset=utf-8")
    assert response.status_code == 201, response.get_json()


def test_contract_dates_patched_on_a_worker_read_back_as_iso_dates(as_user):
    hr = as_user("hr_s01")
    contract = {"type": "招聘", "start": "2026-01-01", "end": "2028-12-31", "probation_end": "2026-06-30"}
    response = hr.patch("/api/v1/workers/1", json={"contract": contract, "reason": "续签"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["contract"] == contract
    assert hr.get("/api/v1/workers/1").get_json()["contract"] == contract
    history = hr.get("/api/v1/workers/1/history?per_page=100").get_json()["items"]
    recorded = {h["field"]: h["after"] for h in reversed(history) if h["field"].startswith("contract.")}
    dates = ("start", "end", "probation_end")
    assert {key: recorded.get(f"contract.{key}") for key in dates} == {key: contract[key] for key in dates}
