"""The form library: checked saves add versions, the next deploy bundles them, deployed copies stay."""

import json

from sqlalchemy import select

from engine.models import Definition
from tests.web.test_admin_support import RESIGNATION_BPMN, login, post_json, renamed

FORM = "resignation_street_review.json"


def _schema(app) -> dict:  # noqa: ANN001
    from web.extensions import db

    with app.app_context():
        definition = db.session.scalar(select(Definition).where(Definition.key == "resignation", Definition.version == 1))
        return json.loads(json.dumps(definition.forms[FORM]))


def test_the_forms_page_explains_the_model_and_lists_library_and_deployed_copies(client):
    login(client)
    page = client.get("/admin/forms").get_data(as_text=True)
    assert "下一次部署" in page and "正在办理的案件不受影响" in page
    assert FORM in page and "受理审查" in page and "文件（版本 0）" in page
    assert f"/admin/forms/{FORM}?definition=" in page


def test_saving_a_form_adds_a_version_that_the_next_deploy_bundles(client, app):
    token = login(client)
    schema = _schema(app)
    schema["properties"]["comment"]["title"] = "审查说明（必要时）"
    saved = post_json(client, f"/admin/forms/{FORM}", {"schema": json.dumps(schema, ensure_ascii=False),
                                                       "note": "改字段标题"}, token)
    assert saved.status_code == 201 and saved.get_json()["version"] == 1
    again = post_json(client, f"/admin/forms/{FORM}", {"schema": schema}, token)
    assert again.status_code == 200 and again.get_json() == {**again.get_json(), "created": False, "version": 1}
    assert "版本 1" in client.get("/admin/forms").get_data(as_text=True)

    deployed = post_json(client, "/admin/modeler/deploy", {"bpmn": renamed(RESIGNATION_BPMN).decode()}, token)
    assert deployed.status_code == 201
    from web.extensions import db

    with app.app_context():
        versions = {d.version: d for d in db.session.scalars(select(Definition).where(Definition.key == "resignation"))}
        assert versions[2].forms[FORM]["properties"]["comment"]["title"] == "审查说明（必要时）"
        assert versions[1].forms[FORM]["properties"]["comment"]["title"] == "审查说明"


def test_a_saved_form_alone_is_a_new_deploy_of_the_same_diagram(client, app):
    """Only the form changed: deploying the unchanged diagram still makes a version with the new form."""
    token = login(client)
    schema = _schema(app)
    schema["description"] = "新的说明"
    assert post_json(client, f"/admin/forms/{FORM}", {"schema": schema}, token).status_code == 201
    response = post_json(client, "/admin/modeler/deploy", {"bpmn": RESIGNATION_BPMN.decode()}, token)
    assert response.status_code == 201 and response.get_json()["version"] == 2


def test_an_invalid_schema_is_refused_before_saving(client):
    token = login(client)
    not_object = post_json(client, f"/admin/forms/{FORM}", {"schema": '{"type": "array", "title": "列表"}'}, token)
    assert not_object.status_code == 422
    assert '"type": "object"' in not_object.get_json()["error"]["details"]["fields"]["schema"][0]
    bad_keyword = post_json(client, f"/admin/forms/{FORM}", {"schema": '{"type": "object", "required": "x"}'}, token)
    assert bad_keyword.status_code == 422
    assert "JSON Schema" in bad_keyword.get_json()["error"]["details"]["fields"]["schema"][0]
    broken = post_json(client, f"/admin/forms/{FORM}", {"schema": '{"type": "object",'}, token)
    assert broken.status_code == 422 and "第 1 行" in broken.get_json()["error"]["details"]["fields"]["schema"][0]
    bad_name = post_json(client, "/admin/forms/../x.json", {"schema": {"type": "object"}}, token)
    assert bad_name.status_code in (404, 405, 422)


def test_the_preview_checks_the_schema_and_recommends_chinese_titles(client):
    token = login(client)
    english = {"type": "object", "title": "Review", "properties": {"ok": {"type": "boolean", "title": "OK"}}}
    response = post_json(client, "/admin/forms/preview", {"schema": json.dumps(english)}, token).get_json()
    assert response["errors"] == []
    assert any("中文标题" in w for w in response["warnings"]) and any("ok" in w for w in response["warnings"])
    invalid = post_json(client, "/admin/forms/preview", {"schema": '{"type": 5}'}, token).get_json()
    assert invalid["errors"] and invalid["html"] is None


def test_the_preview_renders_through_the_staff_form_macro(client, app):
    token = login(client)
    html = post_json(client, "/admin/forms/preview", {"schema": _schema(app)}, token).get_json()["html"]
    assert "审查意见" in html and "提请确认离职" in html and "<script" not in html


def test_the_editor_opens_library_forms_saved_versions_deployed_copies_and_new_forms(client, app):
    token = login(client)
    assert "受理审查" in client.get(f"/admin/forms/{FORM}").get_data(as_text=True)
    post_json(client, f"/admin/forms/{FORM}", {"schema": {**_schema(app), "title": "受理审查（新）"}}, token)
    assert "受理审查（新）" in client.get(f"/admin/forms/{FORM}?version=1").get_data(as_text=True)
    from web.extensions import db

    with app.app_context():
        definition_id = db.session.scalar(select(Definition.id).where(Definition.key == "resignation"))
    deployed = client.get(f"/admin/forms/{FORM}?definition={definition_id}").get_data(as_text=True)
    assert "已部署：resignation 版本 1" in deployed
    assert "新表单" in client.get("/admin/forms/recruitment_extra.json?new=1").get_data(as_text=True)
    assert client.get("/admin/forms/unknown_form.json").status_code == 404
    created = post_json(client, "/admin/forms/recruitment_extra.json",
                        {"schema": {"type": "object", "title": "补充材料", "properties": {}}}, token)
    assert created.status_code == 201 and created.get_json()["version"] == 1


def test_broken_json_is_explained_in_chinese_with_its_line_and_column(client):
    token = login(client)
    missing_comma = '{\n  "type": "object",\n  "title": "审查"\n  "properties": {}\n}'
    saved = post_json(client, f"/admin/forms/{FORM}", {"schema": missing_comma}, token)
    assert saved.status_code == 422
    assert saved.get_json()["error"]["details"]["fields"]["schema"] == ["第 4 行第 3 列：缺少逗号"]
    trailing = '{"type": "object", "properties": {"a": {"type": "string"},}}'
    preview = post_json(client, "/admin/forms/preview", {"schema": trailing}, token).get_json()
    assert preview["errors"] == ["第 1 行第 59 列：此处应为双引号括起的字段名（或多了一个逗号）"] and preview["html"] is None
    unterminated = post_json(client, "/admin/forms/preview", {"schema": '{"title": "审查}'}, token).get_json()
    assert unterminated["errors"] == ["第 1 行第 11 列：字符串缺少结尾的双引号"]


DESIGNED = {  # every kind of field as the form designer (web/static/admin/form-designer.js) writes it
    "type": "object", "title": "交接检查", "required": ["handover", "confirmed"],
    "properties": {
        "handover": {"type": "string", "title": "交接情况", "oneOf": [{"const": "all", "title": "已全部交接"},
                                                                {"const": "none", "title": "未交接"}]},
        "items": {"type": "array", "title": "交接物品", "uniqueItems": True,
                  "items": {"type": "string", "oneOf": [{"const": "seal", "title": "印章"}, {"const": "keys", "title": "钥匙"}]}},
        "confirmed": {"type": "boolean", "title": "本人确认", "const": True},
        "days": {"type": "integer", "title": "天数"},
        "at": {"type": "string", "title": "交接时间", "format": "date-time"},
        "note": {"type": "string", "title": "说明", "x-widget": "textarea", "maxLength": 2000},
    },
}


def test_a_designed_form_saves_as_a_version_and_previews_every_kind_of_field(client):
    token = login(client)
    preview = post_json(client, "/admin/forms/preview", {"schema": json.dumps(DESIGNED, ensure_ascii=False)}, token)
    body = preview.get_json()
    assert body["errors"] == [] and body["warnings"] == []
    html = body["html"]
    assert 'type="radio" id="f-handover-0" name="handover" value="all"' in html
    assert 'type="checkbox" id="f-items-1" name="items" value="keys"' in html
    assert 'id="f-confirmed" name="confirmed" value="true"' in html and html.count('class="req"') == 2
    assert 'type="datetime-local"' in html and 'type="number"' in html and "<textarea" in html
    saved = post_json(client, "/admin/forms/handover_check.json", {"schema": DESIGNED, "note": "设计器"}, token)
    assert saved.status_code == 201 and saved.get_json()["version"] == 1
    page = client.get("/admin/forms/handover_check.json?version=1").get_data(as_text=True)
    assert "已保存版本 1" in page and "设计器" in page and "交接物品" in page
