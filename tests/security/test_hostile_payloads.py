"""Every write endpoint, and every public one, enumerated from the app's URL map so a new endpoint
is covered without touching this file, gets a set of hostile bodies: deep nesting, NUL, huge
numbers, huge strings, wrong types, arrays where objects belong, odd Unicode. None may answer 5xx;
an API refusal is the error envelope; a refusal of the input guard writes nothing."""

import json
import re
from typing import Any

import pytest
from marshmallow import Schema, fields

from tests.helpers import start
from tests.security.input_support import assert_envelope, row_counts

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}

# Bodies the input guard refuses whatever the endpoint: (name, raw JSON text, status, code).
REFUSED_JSON = [
    ("deep arrays", '{"data": ' + "[" * 20_000 + "]" * 20_000 + "}", 400, "request_too_deep"),
    ("deep objects", '{"a":' * 5_000 + "1" + "}" * 5_000, 400, "request_too_deep"),
    ("nul value", json.dumps({"reason": "a\u0000b", "name": "\u0000", "data": {"x": "\u0000"}}), 422,
     "validation_error"),
    ("nul key", json.dumps({"data": {"k\u0000": 1}, "a\u0000": 1}), 422, "validation_error"),
    ("huge int", json.dumps({"application_id": 2**64, "data": {"n": -(2**80)}, "attachments": [2**65]}), 422,
     "validation_error"),
    ("not finite", '{"data": {"n": NaN, "m": Infinity}, "score": -Infinity}', 422, "validation_error"),
    ("lone surrogate", '{"reason": "\\udc00", "data": {"\\ud83d": 1}}', 422, "validation_error"),
    ("thousands of digits", '{"page": ' + "7" * 5000 + "}", 400, "bad_request"),
]
# Bodies an endpoint must judge itself: anything but a 5xx.
JUDGED_JSON = [
    ("huge strings", json.dumps({k: "长" * 100_000 for k in ("reason", "name", "comment", "summary", "org")})),
    ("wrong types", json.dumps({"data": "x", "org": 5, "attachments": "x", "users": {"a": 1}, "to": [1],
                                "reason": {"a": 1}, "upheld": "yes", "contract": [], "flags": 1, "page": "x"})),
    ("array body", json.dumps([{"org": "S01C01", "data": RESIGNATION}])),
    ("scalar body", "null"),
    ("string body", '"\u202e\u200b"'),
    ("int64 edges", json.dumps({"application_id": 2**63 - 1, "worker_id": -(2**63), "data": {"worker_id": 2**63 - 1},
                                "attachments": [2**31, -1], "rank": 2**40})),
    ("odd unicode", json.dumps({"reason": "\u202e\ufeff\u200d👩‍👩‍👧e\u0301\uffff\U0010ffff", "name": "\U0001f600" * 50,
                                "org": "Ｓ01Ｃ01", "data": {"reason": "\u2028\u2029", "worker_id": 1}})),
    ("empty", ""),
]
ODD_TEXT = "\u202e\ufeff\u200d👩‍👩‍👧e\u0301\uffff\U0010ffff\u2028"
# Well-typed bodies built from each endpoint's own schema, so the hostile values get past validation
# to the engine and the database: (string, integer, date) per variant.
TYPED_VALUES = {
    "int64 edges": ("1", 2**63 - 1, "9999-12-31"),
    "int32 overflow": ("S01C01", 2**31, "0001-01-01"),
    "negative and empty": ("", -1, "1900-01-01"),
    "odd unicode": (ODD_TEXT, 1, "2026-11-25"),
    "long strings": ("长" * 20_000, 0, "2026-02-29"),
}
HOSTILE_FORMS = {
    "nul value": ({"reason": "a\u0000b", "comment": "\u0000", "username": "\u0000"}, 422),
    "nul key": ({"k\u0000": "v"}, 422),
    "huge strings": ({k: "长" * 100_000 for k in ("reason", "comment", "name", "text")}, None),
    "odd unicode": ({"reason": "\u202e\ufeff👩‍👩‍👧", "org": "Ｓ01", "to": "\u200b"}, None),
}


def _path_values(rule, ids: dict[str, object]) -> str:  # noqa: ANN001
    """The rule's URL with each parameter filled from real objects where one fits."""
    values = {}
    for name, converter in rule._converters.items():  # noqa: SLF001 - the parameters' types
        value = ids.get(name, 1)
        values[name] = value if type(converter).__name__ == "IntegerConverter" else str(value)
    return rule.build(values, append_unknown=False)[1]


def _api_write_rules(app) -> list:  # noqa: ANN001
    """Every API write, deletions last and the caller's own token's revocation at the very end."""
    rules = [(rule, method) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
             for method in sorted(rule.methods & set(WRITE_METHODS))]
    return sorted(rules, key=lambda pair: (pair[1] == "DELETE", "current" in pair[0].rule))


def _json_schema(app, rule, method: str) -> type[Schema] | None:  # noqa: ANN001
    """The marshmallow schema the endpoint reads its JSON body with, if it reads one."""
    view = app.view_functions[rule.endpoint]
    for parameter in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", []):
        if parameter.get("in") == "json":
            return parameter["schema"]
    return None


def _typed(field: fields.Field, values: tuple[str, int, str]) -> Any:  # noqa: ANN401
    text, number, day = values
    if isinstance(field, fields.Nested):
        nested = field.schema
        return [_typed_body(nested, values)] if field.many else _typed_body(nested, values)
    if isinstance(field, fields.List):
        return [_typed(field.inner, values)]
    if isinstance(field, fields.Dict):
        return {"worker_id": number, "reason": text, "org": text, "submitted_on": day, "n": number}
    if isinstance(field, fields.Boolean):
        return True
    if isinstance(field, fields.Integer | fields.Float | fields.Decimal):
        return number
    if isinstance(field, fields.Date | fields.DateTime):
        return day
    return text


def _typed_body(schema: Schema | type[Schema], values: tuple[str, int, str]) -> dict[str, Any]:
    instance = schema() if isinstance(schema, type) else schema
    return {field.data_key or name: _typed(field, values)
            for name, field in instance.fields.items() if not field.dump_only}


def _form_rules(app) -> list:  # noqa: ANN001
    return [rule for rule in app.url_map.iter_rules()
            if not rule.rule.startswith(("/api/", "/static")) and "POST" in rule.methods]


@pytest.fixture
def ids(as_user) -> dict[str, object]:
    """A real case with an open task, so hostile bodies reach past the 404 of an unknown id."""
    case = start(as_user("hr_s01"), "resignation", "S01C01", RESIGNATION).get_json()
    return {"instance_id": case["id"], "task_id": case["open_tasks"][0]["id"], "worker_id": 1, "key": "resignation"}


def test_the_url_map_still_lists_the_write_and_public_endpoints(app):
    rules = {rule.rule for rule, _ in _api_write_rules(app)}
    assert {"/api/v1/tokens", "/api/v1/processes/<string:key>/instances",
            "/api/v1/recruitments/<int:instance_id>/applications"} <= rules
    assert len(rules) > 35
    assert {"/recruitment/<int:instance_id>", "/recruitment/status", "/login"} <= {r.rule for r in _form_rules(app)}


@pytest.mark.parametrize(("name", "raw", "status", "code"), REFUSED_JSON, ids=[p[0] for p in REFUSED_JSON])
def test_the_guard_refuses_hostile_json_on_every_write_endpoint_and_writes_nothing(
        app, client, as_user, ids, name, raw, status, code):
    token = {"Authorization": f"Bearer {as_user('hr_s01').token}"}
    before = row_counts()
    for rule, method in _api_write_rules(app):
        path = _path_values(rule, ids)
        for headers in (token, {}):  # with a token, and as the public (no token) would
            response = client.open(path, method=method, data=raw, content_type="application/json", headers=headers)
            assert response.status_code == status, (method, path, response.get_data(as_text=True)[:300])
            assert assert_envelope(response)["code"] == code, (method, path)
    assert row_counts() == before


@pytest.mark.parametrize(("name", "raw"), JUDGED_JSON, ids=[p[0] for p in JUDGED_JSON])
def test_odd_but_harmless_json_never_gets_a_server_error(app, client, as_user, ids, name, raw):
    token = {"Authorization": f"Bearer {as_user('hr_s01').token}"}
    for rule, method in _api_write_rules(app):
        path = _path_values(rule, ids)
        for headers in (token, {}):
            response = client.open(path, method=method, data=raw, content_type="application/json", headers=headers)
            assert response.status_code < 500, (method, path, response.get_data(as_text=True)[:300])
            if response.status_code >= 400:
                assert_envelope(response)


@pytest.mark.parametrize("name", sorted(HOSTILE_FORMS))
def test_hostile_form_posts_never_get_a_server_error(app, client, ids, name):
    """The HTML forms, signed in and with a valid CSRF token, and the public ones signed out."""
    form, status = HOSTILE_FORMS[name]
    from tests.web.pagetools import Browser

    for browser in (Browser(app.test_client()), Browser(app.test_client(), "hr_s01")):
        csrf = {"X-CSRFToken": browser.token("/recruitment/status")}
        before = row_counts()
        for rule in _form_rules(app):
            path = _path_values(rule, ids)
            response = browser.client.post(path, data=form, headers=csrf)
            assert response.status_code < 500, (path, response.status_code)
            if status is not None:
                assert response.status_code == status, (path, response.status_code)
        if status is not None:
            assert row_counts() == before


@pytest.mark.parametrize("variant", sorted(TYPED_VALUES))
def test_well_typed_hostile_values_never_get_a_server_error(app, client, as_user, ids, variant):
    """Bodies that fit each endpoint's schema, carrying extreme numbers, dates and strings."""
    token = {"Authorization": f"Bearer {as_user('hr_s01').token}"}
    reached = 0
    for rule, method in _api_write_rules(app):
        schema = _json_schema(app, rule, method)
        if schema is None:
            continue
        body = _typed_body(schema, TYPED_VALUES[variant])
        response = client.open(_path_values(rule, ids), method=method, json=body, headers=token)
        assert response.status_code < 500, (method, rule.rule, response.get_data(as_text=True)[:300])
        if response.status_code >= 400:
            assert_envelope(response)
        reached += response.status_code != 401
    assert reached > 20
