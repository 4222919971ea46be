"""Definitions, the modeler's validate/deploy endpoints, drafts and .bpmn uploads."""

import io

from sqlalchemy import func, select

from engine.models import Definition, DiagramDraft, Instance
from tests.helpers import start
from tests.web.test_admin_support import RESIGNATION, RESIGNATION_BPMN, lane_named, login, post_json, renamed

DOCTYPE_BPMN = (b'<?xml version="1.0"?>\n<!DOCTYPE bpmn:definitions [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
                + RESIGNATION_BPMN.split(b"?>", 1)[1].replace("受理审查".encode(), b"&secret;", 1))


def _definition_count(app) -> int:  # noqa: ANN001
    from web.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count(Definition.id)))


def test_the_definitions_page_lists_versions_with_who_deployed_and_running_cases(client, as_user):
    start(as_user("hr_s01"), "resignation", "S01C01", RESIGNATION)
    login(client)
    page = client.get("/admin/definitions").get_data(as_text=True)
    assert "resignation" in page and "辞职审批" in page and "<td>系统</td>" in page  # deployed from the command line
    assert '<td class="running">1</td>' in page
    assert "/admin/definitions/resignation/1.bpmn" in page


def test_any_version_can_be_downloaded_as_bpmn(client):
    login(client)
    response = client.get("/admin/definitions/resignation/1.bpmn")
    assert response.status_code == 200 and response.data == RESIGNATION_BPMN
    assert "resignation-v1.bpmn" in response.headers["Content-Disposition"]
    assert client.get("/admin/definitions/resignation/99.bpmn").status_code == 404


def test_validate_returns_every_problem_with_its_element_id(client):
    token = login(client)
    broken = lane_named(RESIGNATION_BPMN, "lane_street_leader", "不存在的角色")
    broken = broken.replace(b"resignation_handover.json", b"missing_form.json")
    response = post_json(client, "/admin/modeler/validate", {"bpmn": broken.decode()}, token)
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is False
    by_element = {p["element_id"]: p for p in body["problems"]}
    assert by_element["lane_street_leader"]["message"] == "泳道 '不存在的角色' 不是已知角色"
    assert by_element["lane_street_leader"]["line"] and by_element["lane_street_leader"]["code"] == "lane"
    assert by_element["handover"]["message"] == "表单 'missing_form.json' 不存在"


def test_validate_accepts_the_shipped_diagram(client):
    token = login(client)
    response = post_json(client, "/admin/modeler/validate", {"bpmn": RESIGNATION_BPMN.decode()}, token)
    assert response.get_json() == {"ok": True, "problems": []}


def test_deploy_creates_the_next_version_and_a_running_case_keeps_its_own(client, as_user, app):
    hr = as_user("hr_s01")
    old_case = start(hr, "resignation", "S01C01", RESIGNATION).get_json()
    assert old_case["version"] == 1
    token = login(client)
    response = post_json(client, "/admin/modeler/deploy", {"bpmn": renamed(RESIGNATION_BPMN).decode()}, token)
    assert response.status_code == 201
    assert response.get_json()["key"] == "resignation" and response.get_json()["version"] == 2
    assert hr.get(f"/api/v1/instances/{old_case['id']}").get_json()["version"] == 1
    new_case = start(hr, "resignation", "S01C01", {**RESIGNATION, "worker_id": 2}).get_json()
    assert new_case["version"] == 2 and new_case["open_tasks"][0]["title"] == "受理并审查"
    page = client.get("/admin/definitions").get_data(as_text=True)
    assert page.count('<td class="running">1</td>') == 2  # one running case on each version
    from web.extensions import db

    with app.app_context():
        deployed = db.session.scalar(select(Definition).where(Definition.key == "resignation", Definition.version == 2))
        assert deployed.deployed_by == "admin"


def test_deploying_the_same_diagram_again_creates_nothing(client, app):
    token = login(client)
    before = _definition_count(app)
    response = post_json(client, "/admin/modeler/deploy", {"bpmn": RESIGNATION_BPMN.decode()}, token)
    assert response.status_code == 200 and response.get_json() == {**response.get_json(), "created": False,
                                                                    "version": 1}
    assert _definition_count(app) == before


def test_an_invalid_deploy_is_refused_with_its_problems_and_stores_nothing(client, app):
    token = login(client)
    before = _definition_count(app)
    broken = lane_named(RESIGNATION_BPMN, "lane_street_hr", "nobody")
    response = post_json(client, "/admin/modeler/deploy", {"bpmn": broken.decode()}, token)
    assert response.status_code == 422
    problems = response.get_json()["error"]["details"]["problems"]
    assert {"element_id": "lane_street_hr", "code": "lane", "message": "泳道 'nobody' 不是已知角色"}.items() <= next(
        p for p in problems if p["element_id"] == "lane_street_hr").items()
    assert _definition_count(app) == before


def test_a_diagram_with_a_doctype_or_entity_is_refused_with_a_clear_message(client, app):
    token = login(client)
    before = _definition_count(app)
    validated = post_json(client, "/admin/modeler/validate", {"bpmn": DOCTYPE_BPMN.decode()}, token).get_json()
    assert validated["ok"] is False
    assert validated["problems"][0]["code"] == "unsafe_xml"
    assert "不允许 DOCTYPE 或 ENTITY 声明" in validated["problems"][0]["message"]
    deployed = post_json(client, "/admin/modeler/deploy", {"bpmn": DOCTYPE_BPMN.decode()}, token)
    assert deployed.status_code == 422
    assert "不允许 DOCTYPE 或 ENTITY 声明" in deployed.get_json()["error"]["details"]["problems"][0]["message"]
    uploaded = client.post("/admin/definitions/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "bpmn": (io.BytesIO(DOCTYPE_BPMN), "evil.bpmn")})
    assert uploaded.status_code == 422
    assert "不允许 DOCTYPE 或 ENTITY 声明" in uploaded.get_data(as_text=True)
    draft = post_json(client, "/admin/drafts", {"bpmn": DOCTYPE_BPMN.decode()}, token)
    assert draft.status_code == 422 and draft.get_json()["error"]["code"] == "unsafe_xml"
    assert _definition_count(app) == before


def test_an_oversized_upload_is_refused_quickly(client, app):
    token = login(client)
    before = _definition_count(app)
    huge = RESIGNATION_BPMN + b"<!--" + b"x" * 2_100_000 + b"-->"
    response = client.post("/admin/definitions/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "bpmn": (io.BytesIO(huge), "huge.bpmn")})
    assert response.status_code == 413 and "字节" in response.get_data(as_text=True)
    validated = post_json(client, "/admin/modeler/validate", {"bpmn": huge.decode()}, token).get_json()
    assert validated["problems"][0]["code"] == "unsafe_xml"
    assert _definition_count(app) == before


def test_a_bpmn_file_can_be_uploaded_and_deployed_from_the_definitions_page(client):
    token = login(client)
    response = client.post("/admin/definitions/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "bpmn": (io.BytesIO(renamed(RESIGNATION_BPMN)), "resignation.bpmn")})
    assert response.status_code == 201
    assert "已部署 resignation 版本 2" in response.get_data(as_text=True)


def test_a_broken_upload_lists_its_problems_on_the_page(client):
    token = login(client)
    broken = lane_named(RESIGNATION_BPMN, "lane_street_hr", "nobody")
    response = client.post("/admin/definitions/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "bpmn": (io.BytesIO(broken), "broken.bpmn")})
    assert response.status_code == 422
    assert "lane_street_hr" in response.get_data(as_text=True)


def test_drafts_are_saved_reopened_overwritten_and_deleted_without_deploying(client, app):
    token = login(client)
    before = _definition_count(app)
    unfinished = lane_named(RESIGNATION_BPMN, "lane_street_hr", "nobody").decode()
    saved = post_json(client, "/admin/drafts", {"bpmn": unfinished, "base_version": 1}, token)
    assert saved.status_code == 200
    draft_id = saved.get_json()["id"]
    assert saved.get_json()["name"] == "辞职审批"
    assert client.get(f"/admin/drafts/{draft_id}.bpmn").data.decode() == unfinished
    assert f"/admin/modeler?draft={draft_id}" in client.get("/admin/definitions").get_data(as_text=True)
    page = client.get(f"/admin/modeler?draft={draft_id}").get_data(as_text=True)
    assert f"/admin/drafts/{draft_id}.bpmn" in page

    again = post_json(client, "/admin/drafts", {"bpmn": RESIGNATION_BPMN.decode(), "draft_id": draft_id}, token)
    assert again.get_json()["id"] == draft_id
    assert client.get(f"/admin/drafts/{draft_id}.bpmn").data == RESIGNATION_BPMN
    assert _definition_count(app) == before

    assert client.post(f"/admin/drafts/{draft_id}/delete", data={"csrf_token": token}).status_code == 302
    assert client.get(f"/admin/drafts/{draft_id}.bpmn").status_code == 404
    from web.extensions import db

    with app.app_context():
        assert db.session.get(DiagramDraft, draft_id) is None


def test_the_modeler_page_carries_roles_forms_and_its_endpoints(client):
    login(client)
    page = client.get("/admin/modeler?key=resignation&version=1").get_data(as_text=True)
    assert "resignation_street_review.json" in page and "street_leader" in page
    assert "/admin/modeler/validate" in page and "/admin/definitions/resignation/1.bpmn" in page
    assert "bpmn-modeler.production.min.js" in page
    assert client.get("/admin/modeler?key=nope").status_code == 404


def test_no_instance_changes_when_deploy_fails(client, as_user, app):
    start(as_user("hr_s01"), "resignation", "S01C01", RESIGNATION)
    token = login(client)
    post_json(client, "/admin/modeler/deploy", {"bpmn": "<not-xml"}, token)
    from web.extensions import db

    with app.app_context():
        assert db.session.scalars(select(Instance.version)).all() == [1]
