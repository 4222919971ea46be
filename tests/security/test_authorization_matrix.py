"""The authorization matrix: every API endpoint × every kind of caller, inside and outside the
org scope of the case it touches, and the status each must get.

The endpoints come from the app's url_map, so a new endpoint fails `test_every_endpoint_is_in_the_matrix`
until someone decides who may call it. The world: one resignation case of worker 2 (李建国, community
S01C01, street S01) started by hr_s01, with its open `street_review` task for the street HR.
Outside its scope: the other community of S01 (sec_s01c02) and everyone of street S02. Besides the
status: no list, count or error message lets an outsider learn that the case exists.
"""

import re
from dataclasses import dataclass, field

import pytest

IN_CASE = ("admin", "hr_s01", "leader_s01", "sec_s01c01", "civil_d01")
OUTSIDE = ("sec_s01c02", "hr_s02", "leader_s02", "sec_s02c01")
WORKER = "worker_s01c01"  # a community worker of S01C01 (王晓梅), a colleague of the case's worker
USERS = (*IN_CASE, WORKER, *OUTSIDE, "anonymous")
SECRET_MARKS = ("MATRIX-S01", "李建国")  # the case's business key and the worker's name
PUBLIC = {"POST /api/v1/tokens", "GET /api/openapi.json"}

@dataclass(frozen=True)
class Rule:
    """Expected status per caller; `default` for everyone else. A set allows any of its statuses."""

    default: object
    by_user: dict = field(default_factory=dict)
    body: dict | None = None
    leaky: dict = field(default_factory=dict)  # user -> reason: expected 404 but a known finding gives 200

    def expected(self, user: str) -> object:
        return self.by_user.get(user, self.default)


def only(allowed: dict[str, object], others: object = 404, anonymous: object = 401) -> dict:
    table = {user: others for user in USERS}
    table.update(allowed)
    table["anonymous"] = anonymous
    return table


EVERY_CALLER = only({user: 200 for user in USERS})
VIEWERS_BUT_WORKER = only({**dict.fromkeys(IN_CASE, 200), "worker_s01c01": 404})
HOLDER = {200, 201, 409, 422}  # the task's holder: the operation's own rules decide (not authorization)
RESIGNATION_START = {"org": "S01C01", "data": {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}}
REVIEW = {"data": {"decision": "approve", "unfinished_business": False}}
NOT_A_CAMPAIGN = {404, 422}  # the recruitment endpoints given a resignation case's id

MATRIX: dict[str, Rule] = {
    "GET /api/v1/processes": Rule(None, EVERY_CALLER),
    "GET /api/v1/processes/<string:key>": Rule(None, EVERY_CALLER),
    "POST /api/v1/processes/<string:key>/instances": Rule(None, {
        **only({"hr_s01": 201, WORKER: 201}, others=403),  # a worker may start their own; admin works no case
        **{user: 422 for user in OUTSIDE},  # org_not_found, as for an org that does not exist
    }, body=RESIGNATION_START),
    "GET /api/v1/instances": Rule(None, EVERY_CALLER),
    "GET /api/v1/instances/<int:instance_id>": Rule(None, only({**dict.fromkeys(IN_CASE, 200), WORKER: 404})),
    "GET /api/v1/instances/<int:instance_id>/events": Rule(None, only({**dict.fromkeys(IN_CASE, 200), WORKER: 404})),
    "POST /api/v1/instances/<int:instance_id>/cancel": Rule(None, only(
        # the administrator cancels only a broken case (separation of duties)
        {"admin": 403, "hr_s01": 200, "leader_s01": 200, "civil_d01": 200, "sec_s01c01": 403, WORKER: 404}),
        body={"reason": "测试撤销"}),
    "GET /api/v1/tasks": Rule(None, EVERY_CALLER),
    "GET /api/v1/tasks/<string:task_id>": Rule(None, only({"admin": 200, "hr_s01": 200})),
    # the administrator sees the task but works no personnel task (separation of duties): 403
    "POST /api/v1/tasks/<string:task_id>/claim": Rule(None, only({"admin": 403, "hr_s01": 200})),
    "POST /api/v1/tasks/<string:task_id>/unclaim": Rule(None, only({"admin": 200, "hr_s01": 200})),
    "POST /api/v1/tasks/<string:task_id>/complete": Rule(None, only({"admin": 403, "hr_s01": 200}), body=REVIEW),
    "POST /api/v1/workers": Rule(None, only({"admin": 201, "hr_s01": 201, "leader_s01": 403, "sec_s01c01": 403,
                                             "civil_d01": 403, WORKER: 403}),
                                 body={"name": "新同事", "org": "S01C01", "status": "active"}),
    "GET /api/v1/workers": Rule(None, EVERY_CALLER),
    "GET /api/v1/workers/<int:worker_id>": Rule(None, only({**dict.fromkeys(IN_CASE, 200), WORKER: 404})),
    "PATCH /api/v1/workers/<int:worker_id>": Rule(None, only({"admin": 200, "hr_s01": 200, "leader_s01": 403,
                                                              "sec_s01c01": 403, "civil_d01": 403, WORKER: 404}),
                                                  body={"flags": {"under_audit": True}}),
    "GET /api/v1/workers/<int:worker_id>/history": Rule(None, only({**dict.fromkeys(IN_CASE, 200), WORKER: 404})),
    # Case documents and operations on the case (engine/operations/, engine/collab/attachments.py).
    "GET /api/v1/instances/<int:instance_id>/attachments": Rule(None, VIEWERS_BUT_WORKER),
    # without a file: refused before any lookup, so the answer is the same inside and outside the scope
    "POST /api/v1/instances/<int:instance_id>/attachments": Rule(422, {"anonymous": {401, 422}}),
    "GET /api/v1/instances/<int:instance_id>/form.pdf": Rule(None, VIEWERS_BUT_WORKER),
    "GET /api/v1/instances/<int:instance_id>/path": Rule(None, VIEWERS_BUT_WORKER),
    "POST /api/v1/instances/<int:instance_id>/withdraw": Rule(None, only(
        {"hr_s01": 200, "admin": 403, "leader_s01": 403, "sec_s01c01": 403, "civil_d01": 403, WORKER: 404}),
        body={"reason": "撤回"}),
    "POST /api/v1/instances/<int:instance_id>/cc": Rule(None, {**VIEWERS_BUT_WORKER, **dict.fromkeys(IN_CASE, 200)},
                                                        body={"users": ["leader_s01"]}),
    "GET /api/v1/attachments/<int:attachment_id>": Rule(None, only({})),  # no such attachment: 404 for all
    "GET /api/v1/tasks/<string:task_id>/return-targets": Rule(None, only({"admin": 403, "hr_s01": 200})),
    "GET /api/v1/tasks/<string:task_id>/votes": Rule(None, VIEWERS_BUT_WORKER),
    "POST /api/v1/tasks/<string:task_id>/urge": Rule(None, {**VIEWERS_BUT_WORKER, **dict.fromkeys(IN_CASE, 201)},
                                                     body={"message": "请尽快办理"}),
    **{f"POST /api/v1/tasks/<string:task_id>/{operation}": Rule(None, only({"admin": {403, 409}, "hr_s01": HOLDER}),
                                                                 body=body)
       for operation, body in (("approvers", {"users": ["leader_s01"], "position": "after"}),
                               ("delegate", {"to": "leader_s01"}), ("transfer", {"to": "admin"}),
                               ("resolve", {"comment": "办结"}), ("return", {"target": "initiator", "reason": "补正"}),
                               ("withdraw", {"reason": "撤回"}))},
    # The caller's own inbox of notifications, copies and proxies: never anybody else's.
    "GET /api/v1/notifications": Rule(None, EVERY_CALLER),
    "GET /api/v1/notifications/unread-count": Rule(None, EVERY_CALLER),
    "POST /api/v1/notifications/read-all": Rule(None, EVERY_CALLER),
    "POST /api/v1/notifications/<int:notification_id>/read": Rule(None, only({})),  # not the caller's: 404
    "GET /api/v1/copies": Rule(None, EVERY_CALLER),
    "POST /api/v1/copies/<int:copy_id>/read": Rule(None, only({})),
    "GET /api/v1/proxies": Rule(None, EVERY_CALLER),
    "POST /api/v1/proxies": Rule(None, only({user: {201, 422} for user in USERS}),  # 422: rules on the proxy
                                 body={"proxy": "leader_s01", "starts_on": "2026-12-01", "ends_on": "2026-12-10"}),
    "POST /api/v1/proxies/<int:proxy_id>/revoke": Rule(None, only({})),
    # Exports hold only what the caller's lists hold (their content is checked in the list tests).
    "GET /api/v1/exports/tasks.xlsx": Rule(None, EVERY_CALLER),
    "GET /api/v1/exports/instances.xlsx": Rule(None, EVERY_CALLER),
    # Recruitment (its engineer owns the campaign fixtures): given an id that is no campaign, nobody gets
    # anything, staff endpoints want a token, and the public ones answer as for an unknown campaign.
    "GET /api/v1/recruitments/<int:instance_id>": Rule(404),
    "POST /api/v1/recruitments/<int:instance_id>/applications": Rule(NOT_A_CAMPAIGN),
    "POST /api/v1/recruitments/applications/lookup": Rule({404, 422}),
    "GET /api/v1/recruitments/<int:instance_id>/applications": Rule(404, {"anonymous": 401}),
    "GET /api/v1/recruitments/<int:instance_id>/applications/<int:application_id>": Rule(404, {"anonymous": 401}),
    "GET /api/v1/recruitments/<int:instance_id>/objections": Rule(404, {"anonymous": 401}),
    "POST /api/v1/recruitments/<int:instance_id>/objections": Rule(NOT_A_CAMPAIGN, {"anonymous": {401, 422}}),
    "POST /api/v1/recruitments/<int:instance_id>/objections/<int:objection_id>/decision":
        Rule(NOT_A_CAMPAIGN, {"anonymous": {401, 422}}),
    "POST /api/v1/recruitments/<int:instance_id>/scores": Rule(NOT_A_CAMPAIGN, {"anonymous": {401, 422}}),
    "POST /api/v1/recruitments/<int:instance_id>/scores/import": Rule(NOT_A_CAMPAIGN, {"anonymous": {401, 422}}),
    **{f"POST /api/v1/recruitments/<int:instance_id>/applications/<int:application_id>/{check}":
       Rule(NOT_A_CAMPAIGN, {"anonymous": {401, 422}})
       for check in ("review", "physical", "physical-reexam", "vetting", "contract", "probation")},
    # Token management (web/api/tokens.py): every caller manages only their own tokens.
    "GET /api/v1/tokens": Rule(None, EVERY_CALLER),
    "DELETE /api/v1/tokens/current": Rule(None, only({user: 204 for user in USERS})),
    "DELETE /api/v1/tokens/<int:token_id>": Rule(None, only({})),  # hr_s01's token: only hr_s01, tested apart
}


def api_endpoints(app) -> list[str]:  # noqa: ANN001
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append(f"{method} {rule.rule}")
    return sorted(found)


def test_every_endpoint_is_in_the_matrix(app):
    unknown = [e for e in api_endpoints(app) if e not in MATRIX and e not in PUBLIC]
    assert not unknown, (
        "These API endpoints are not in the authorization matrix. Decide who may call each one (every role, "
        "inside and outside the org scope) and add it to MATRIX in tests/security/test_authorization_matrix.py: "
        f"{unknown}")
    gone = [e for e in MATRIX if e not in api_endpoints(app)]
    assert not gone, f"the matrix names endpoints the app no longer has: {gone}"


@pytest.fixture
def world(as_user):  # noqa: ANN001
    hr = as_user("hr_s01")
    response = hr.post("/api/v1/processes/resignation/instances", json={
        "org": "S01C01", "business_key": "MATRIX-S01",
        "data": {"worker_id": 2, "reason": "个人原因", "submitted_on": "2026-11-02"}})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    token_id = hr.get("/api/v1/tokens").get_json()["items"][0]["id"]
    return {"key": "resignation", "instance_id": case["id"], "task_id": case["open_tasks"][0]["id"],
            "worker_id": 2, "application_id": 1, "objection_id": 1, "token_id": token_id, "attachment_id": 999,
            "notification_id": 999, "copy_id": 999, "proxy_id": 999}


def _path(rule: str, values: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


def _call(client, as_user, user: str, method: str, path: str, body):  # noqa: ANN001, ANN202
    if user == "anonymous":
        return client.open(path, method=method, json=body)
    api = as_user(user)
    return api.client.open(path, method=method, json=body, headers=api._headers())


def _cases():
    for endpoint, rule in MATRIX.items():
        for user in USERS:
            marks = []
            if user in rule.leaky:
                marks.append(pytest.mark.xfail(strict=True, reason=rule.leaky[user]))
            yield pytest.param(endpoint, user, marks=marks, id=f"{endpoint} as {user}")


@pytest.mark.parametrize(("endpoint", "user"), list(_cases()))
def test_the_status_each_caller_gets(client, as_user, world, endpoint, user):
    rule = MATRIX[endpoint]
    method, rule_path = endpoint.split(" ", 1)
    if endpoint == "DELETE /api/v1/tokens/<int:token_id>" and user == "hr_s01":
        pytest.skip("revoking one's own token by id is tested in test_sessions_and_tokens")
    expected = rule.expected(user)
    response = _call(client, as_user, user, method, _path(rule_path, world), rule.body)
    allowed = expected if isinstance(expected, set) else {expected}
    assert response.status_code in allowed, (endpoint, user, response.status_code, response.get_json())
    assert response.status_code < 500
    if response.status_code == 404 and response.is_json:
        # an outsider's 404 reads exactly like the answer for an id that does not exist
        unknown = _call(client, as_user, user, method, _path(rule_path, {**world, **_missing_ids()}), rule.body)
        assert unknown.status_code == 404
        assert _without_ids(response.get_json()) == _without_ids(unknown.get_json())
    if user in OUTSIDE or user == "anonymous":
        text = readable(response)
        assert not any(mark in text for mark in SECRET_MARKS), (endpoint, user, text[:300])


def readable(response) -> str:  # noqa: ANN001
    """The response as text; a spreadsheet export unzipped, so its cells are searched too."""
    import io
    import zipfile

    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def _missing_ids() -> dict:
    return {"instance_id": 99999999, "task_id": "00000000-0000-0000-0000-000000000000", "worker_id": 99999999,
            "application_id": 99999999, "objection_id": 99999999, "token_id": 99999999, "attachment_id": 99999999,
            "notification_id": 99999999, "copy_id": 99999999, "proxy_id": 99999999}


def _without_ids(payload: dict) -> dict:
    return {"code": payload["error"]["code"], "message": re.sub(r"\d+", "N", payload["error"]["message"])}


LISTS = ["/api/v1/instances", "/api/v1/instances?business_key=MATRIX-S01", "/api/v1/instances?org=S01C01",
         "/api/v1/instances?org=S01", "/api/v1/tasks", "/api/v1/tasks?process=resignation", "/api/v1/workers",
         "/api/v1/workers?org=S01C01"]


@pytest.mark.parametrize("user", OUTSIDE)
@pytest.mark.parametrize("path", LISTS)
def test_no_list_count_or_search_reveals_another_scope(as_user, world, path, user):
    response = as_user(user).get(path)
    assert response.status_code == 200
    page = response.get_json()
    text = response.get_data(as_text=True)
    assert not any(mark in text for mark in SECRET_MARKS), text[:300]
    assert all(not str(item.get("org_code", item.get("org", ""))).startswith("S01C01") for item in page["items"])
    baseline = as_user(user).get(path.replace("MATRIX-S01", "NO-SUCH-KEY")).get_json()["total"]
    assert page["total"] == baseline or "MATRIX-S01" not in path


def test_a_community_worker_does_not_see_colleagues_cases_in_lists(as_user, world):
    text = as_user(WORKER).get("/api/v1/instances").get_data(as_text=True)
    assert "MATRIX-S01" not in text


def test_the_denial_of_another_scope_is_logged(as_user, world, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="cwflow.web"):
        assert as_user("hr_s02").get(f"/api/v1/instances/{world['instance_id']}").status_code == 404
    assert any("denied or unknown" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("path", ["/api/v1/exports/tasks.xlsx", "/api/v1/exports/instances.xlsx"])
def test_exports_hold_the_case_only_for_its_scope(as_user, world, path):
    marks = (*SECRET_MARKS, world["task_id"], "个人原因")
    inside = readable(as_user("hr_s01").get(path))
    assert any(mark in inside for mark in marks), "the export no longer shows the case: update this test"
    for user in OUTSIDE:
        text = readable(as_user(user).get(path))
        assert not any(mark in text for mark in marks), user
