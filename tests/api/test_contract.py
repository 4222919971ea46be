"""The REST contract of docs/api.md: auth, errors, scope, idempotent start, tasks, pagination."""

from tests.helpers import open_task, start

RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}


def test_token_for_wrong_password_is_401_with_the_error_model(client):
    response = client.post("/api/v1/tokens", json={"username": "hr_s01", "password": "wrong"})
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized" and error["message"]


def test_token_request_missing_a_field_is_422_naming_it(client):
    response = client.post("/api/v1/tokens", json={"username": "hr_s01"})
    assert response.status_code == 422
    assert "password" in response.get_json()["error"]["details"]["fields"]


def test_token_carries_an_expiry(client):
    body = client.post("/api/v1/tokens", json={"username": "hr_s01", "password": "demo-pass-2026"}).get_json()
    assert body["token"] and body["expires_at"]


def test_no_token_and_bad_token_are_401(client):
    assert client.get("/api/v1/tasks").status_code == 401
    response = client.get("/api/v1/tasks", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_process_detail_has_the_start_form(as_user):
    body = as_user("hr_s01").get("/api/v1/processes/resignation").get_json()
    assert body["key"] == "resignation" and body["version"] >= 1
    assert set(body["start_form"]["properties"]) >= {"worker_id", "reason", "submitted_on"}


def test_unknown_process_is_404(as_user):
    response = as_user("hr_s01").get("/api/v1/processes/no_such_process")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "process_not_found"


def test_start_with_a_business_key_twice_returns_the_same_instance(as_user):
    hr = as_user("hr_s01")
    first = start(hr, "resignation", "S01C01", RESIGNATION, business_key="HR-2026-001")
    again = start(hr, "resignation", "S01C01", RESIGNATION, business_key="HR-2026-001")
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    listing = hr.get("/api/v1/instances?business_key=HR-2026-001").get_json()
    assert listing["total"] == 1


def test_start_data_breaking_the_start_form_is_422_and_creates_nothing(as_user):
    hr = as_user("hr_s01")
    response = start(hr, "resignation", "S01C01", {"worker_id": "one", "extra": 1})
    assert response.status_code == 422
    fields = response.get_json()["error"]["details"]["fields"]
    assert {"worker_id", "extra", "reason", "submitted_on"} <= set(fields)
    assert response.get_json()["error"]["message"] == "「辞职申请」填写有误，请按各项提示修改"  # the form's title, no file name
    assert hr.get("/api/v1/instances").get_json()["total"] == 0


def test_start_in_an_org_outside_scope_is_refused(as_user):
    response = start(as_user("hr_s02"), "resignation", "S01C01", RESIGNATION)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"]["org"]


def test_role_that_may_not_start_gets_403(as_user):
    response = start(as_user("sec_s01c01"), "resignation", "S01C01", RESIGNATION)
    assert response.status_code == 403


def test_another_street_cannot_see_or_act_on_the_task(as_user):
    hr1, hr2 = as_user("hr_s01"), as_user("hr_s02")
    case = start(hr1, "resignation", "S01C01", RESIGNATION).get_json()
    task_id = case["open_tasks"][0]["id"]
    assert hr2.get("/api/v1/tasks").get_json()["total"] == 0
    for response in (hr2.get(f"/api/v1/tasks/{task_id}"),
                     hr2.post(f"/api/v1/tasks/{task_id}/claim"),
                     hr2.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {}}),
                     hr2.get(f"/api/v1/instances/{case['id']}"),
                     hr2.get(f"/api/v1/instances/{case['id']}/events")):
        assert response.status_code == 404
        assert "S01" not in response.get_json()["error"]["message"]
    assert hr2.get("/api/v1/instances").get_json()["total"] == 0
    assert hr2.get("/api/v1/instances?org=S01").get_json()["total"] == 0


def test_district_role_sees_every_street_but_only_its_own_role_tasks(as_user):
    case = start(as_user("hr_s01"), "resignation", "S01C01", RESIGNATION).get_json()
    civil = as_user("civil_d01")
    assert civil.get(f"/api/v1/instances/{case['id']}").status_code == 200
    assert civil.get("/api/v1/tasks").get_json()["total"] == 0  # street_review is street_hr's


def test_task_detail_has_form_and_context(as_user):
    hr = as_user("hr_s01")
    case = start(hr, "resignation", "S01C01", RESIGNATION).get_json()
    task = hr.get(f"/api/v1/tasks/{case['open_tasks'][0]['id']}").get_json()
    assert task["form"]["properties"]["decision"]
    assert task["context"]["data"]["worker"]["name"] == "王晓梅"


def test_claimed_task_is_closed_to_a_colleague_until_unclaimed(as_user, app):
    from cli.demo import ensure_user
    from web.extensions import db

    with app.app_context():
        ensure_user(db.session, "hr_s01_b", "第一街道人事乙", "demo-pass-2026", [("street_hr", "S01")])
        db.session.commit()
    hr, colleague = as_user("hr_s01"), as_user("hr_s01_b")
    case = start(hr, "resignation", "S01C01", RESIGNATION).get_json()
    task_id = case["open_tasks"][0]["id"]
    claimed = hr.post(f"/api/v1/tasks/{task_id}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "hr_s01"
    assert [t["id"] for t in hr.get("/api/v1/tasks?assignee=me").get_json()["items"]] == [task_id]
    data = {"decision": "approve", "unfinished_business": False}
    refused = colleague.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "task_claimed_by_other"
    taken = colleague.post(f"/api/v1/tasks/{task_id}/claim")
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "task_already_claimed"
    assert taken.get_json()["error"]["message"] == "任务已被他人认领"
    assert hr.post(f"/api/v1/tasks/{task_id}/unclaim").get_json()["assignee"] is None
    assert colleague.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data}).status_code == 200


def test_completing_a_completed_task_is_409(as_user):
    hr = as_user("hr_s01")
    case = start(hr, "resignation", "S01C01", RESIGNATION).get_json()
    task_id = case["open_tasks"][0]["id"]
    data = {"decision": "approve", "unfinished_business": False}
    assert hr.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data}).status_code == 200
    again = hr.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "task_not_open"


def test_unknown_form_fields_are_refused_and_nothing_changes(as_user):
    hr = as_user("hr_s01")
    case = start(hr, "resignation", "S01C01", RESIGNATION).get_json()
    task_id = case["open_tasks"][0]["id"]
    response = hr.post(f"/api/v1/tasks/{task_id}/complete",
                       json={"data": {"decision": "approve", "unfinished_business": False, "outcome": "x"}})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"]["outcome"]
    assert open_task(hr, case["id"], "street_review")["id"] == task_id


def test_cancel_needs_a_reason_and_closes_the_tasks(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = start(hr, "resignation", "S01C01", RESIGNATION).get_json()
    assert leader.post(f"/api/v1/instances/{case['id']}/cancel", json={}).status_code == 422
    response = leader.post(f"/api/v1/instances/{case['id']}/cancel", json={"reason": "本人撤回申请"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "cancelled" and body["open_tasks"] == []
    assert hr.get("/api/v1/tasks").get_json()["total"] == 0
    again = leader.post(f"/api/v1/instances/{case['id']}/cancel", json={"reason": "再次"})
    assert again.status_code == 409
    events = hr.get(f"/api/v1/instances/{case['id']}/events").get_json()["items"]
    assert events[-1]["type"] == "instance_cancelled" and events[-1]["detail"]["reason"] == "本人撤回申请"


def test_lists_are_paginated(as_user):
    hr = as_user("hr_s01")
    for n in range(3):
        assert start(hr, "resignation", "S01C01", RESIGNATION, business_key=f"P-{n}").status_code in (201, 409)
    page = hr.get("/api/v1/workers?per_page=2&page=1").get_json()
    assert page["per_page"] == 2 and page["page"] == 1 and len(page["items"]) == 2 and page["total"] == 3
    assert hr.get("/api/v1/workers?per_page=1000").status_code == 422


def test_openapi_document_describes_the_v1_paths(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/tokens", "/api/v1/processes/{key}/instances", "/api/v1/tasks/{task_id}/complete",
                 "/api/v1/workers/{worker_id}/history"):
        assert path in spec["paths"], path


def test_openapi_document_names_the_error_envelope_and_every_error_response_uses_it(client):
    spec = client.get("/api/openapi.json").get_json()
    schemas, responses = spec["components"]["schemas"], spec["components"]["responses"]
    error = "#/components/schemas/Error"
    assert schemas["Error"]["properties"]["error"] == {"$ref": "#/components/schemas/ErrorBody"}
    assert set(schemas["ErrorBody"]["required"]) == {"code", "message", "details"}
    assert responses["DEFAULT_ERROR"]["content"]["application/json"]["schema"] == {"$ref": error}
    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            answers = operation["responses"]
            assert answers["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}, (method, path)
            for status, answer in answers.items():
                if status.startswith(("4", "5")):
                    named = responses[answer["$ref"].rsplit("/", 1)[1]] if "$ref" in answer else answer
                    assert named["content"]["application/json"]["schema"] == {"$ref": error}, (method, path, status)
                    checked += 1
    assert checked > 40
    refused = client.post("/api/v1/tokens", json={"username": "hr_s01", "password": "wrong"}).get_json()
    assert set(refused) == set(schemas["Error"]["properties"])
    assert set(refused["error"]) == set(schemas["ErrorBody"]["properties"])


def test_chinese_is_sent_as_is(as_user):
    response = as_user("hr_s01").get("/api/v1/workers/1")
    assert "王晓梅".encode() in response.data


def test_request_errors_name_each_field_in_chinese(as_user):
    hr = as_user("hr_s01")
    bad = hr.post("/api/v1/processes/resignation/instances", json={"business_key": "", "colour": "red", "data": {}})
    assert bad.status_code == 422
    fields = bad.get_json()["error"]["details"]["fields"]
    assert fields["org"] == ["必填"] and fields["colour"] == ["不接受此字段"]
    assert fields["business_key"] == ["长度须在 1 到 128 之间"]
    paged = hr.get("/api/v1/tasks?per_page=many")
    assert paged.status_code == 422 and paged.get_json()["error"]["details"]["fields"]["per_page"] == ["须为整数"]


def test_a_body_that_is_not_json_gets_a_chinese_400(as_user):
    hr = as_user("hr_s01")
    response = hr.client.post("/api/v1/processes/resignation/instances", data="{not json",
                              headers={"Authorization": f"Bearer {hr.token}", "Content-Type": "application/json"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and "JSON" in error["message"] and "browser" not in error["message"]


def test_a_due_moment_reads_the_same_in_every_answer(as_user):
    hr = as_user("hr_s01")
    started = start(hr, "resignation", "S01C01", {"worker_id": 1, "reason": "家庭原因", "submitted_on": "2026-11-20"})
    assert started.status_code == 201
    (task,) = started.get_json()["open_tasks"]
    assert task["due_at"] and task["due_at"].endswith("+00:00")
    assert hr.get(f"/api/v1/tasks/{task['id']}").get_json()["due_at"] == task["due_at"]
