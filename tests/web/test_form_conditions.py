"""A field shown only when another field has one of some values (the form designer's conditions):
the page marks it for the browser to hide, and the server agrees with what the browser shows — a
hidden field is neither required nor kept, a shown required field is refused by its Chinese name."""

import html
import json

import pytest
from werkzeug.datastructures import MultiDict

from engine.core.errors import InvalidData
from engine.workflow.forms import shown_when, validate_submission
from tests.operations.ops_support import DIAGRAM, NOTE_FORM, VOTE_FORM, deploy
from web.views.schema_form import build_form, parse_form

KEY = "cond_note"
URGENT_FORM = {
    "type": "object", "title": "事项登记", "additionalProperties": False, "required": ["subject", "urgency"],
    "properties": {
        "subject": {"type": "string", "title": "事项", "minLength": 1},
        "urgency": {"type": "string", "title": "缓急", "oneOf": [
            {"const": "routine", "title": "常规"}, {"const": "urgent", "title": "加急"},
            {"const": "critical", "title": "特急"}]},
        "urgent_reason": {"type": "string", "title": "加急原因", "minLength": 1},
    },
    "allOf": [{"if": {"properties": {"urgency": {"enum": ["urgent", "critical"]}}, "required": ["urgency"]},
               "then": {"required": ["urgent_reason"]},
               "else": {"not": {"required": ["urgent_reason"]}}}],
}


@pytest.fixture
def urgent_process(app):  # noqa: ANN001, ANN201
    bpmn = DIAGRAM.format(key=KEY, round="", file_props="").encode("utf-8")
    deploy(app, bpmn, {f"{KEY}_start.json": URGENT_FORM, "ops_note.json": NOTE_FORM, "ops_vote.json": VOTE_FORM})
    return KEY


def test_the_condition_is_read_from_standard_json_schema():
    assert shown_when(URGENT_FORM) == {"urgent_reason": ("urgency", ["urgent", "critical"], True)}
    assert shown_when({"allOf": [{"if": {"properties": {"decision": {"const": "reject"}}, "required": ["decision"]},
                                  "then": {"required": ["comment"]}}]}) == {}  # required-when only: always shown


def test_the_engine_refuses_a_shown_required_field_missing_and_a_hidden_one_filled():
    validate_submission(URGENT_FORM, {"subject": "购置设备", "urgency": "routine"})
    validate_submission(URGENT_FORM, {"subject": "购置设备", "urgency": "critical", "urgent_reason": "明日检查"})
    with pytest.raises(InvalidData) as missing:
        validate_submission(URGENT_FORM, {"subject": "购置设备", "urgency": "urgent"})
    assert missing.value.fields == {"urgent_reason": ["必填"]}
    with pytest.raises(InvalidData) as stray:
        validate_submission(URGENT_FORM, {"subject": "购置设备", "urgency": "routine", "urgent_reason": "无"})
    assert stray.value.fields == {"urgent_reason": ["按当前的选择无需填写此项，请清空"]}


def test_the_page_marks_the_field_for_the_browser_and_as_required_while_shown(app):
    reason = {f.name: f for f in build_form(URGENT_FORM).fields}["urgent_reason"]
    assert (reason.show_when, reason.show_values, reason.required) == ("urgency", ["urgent", "critical"], True)
    with app.test_request_context("/"):
        page = app.jinja_env.from_string('{% import "macros/form.html" as forms %}{{ forms.schema_form(schema) }}')
        rendered = page.render(schema=URGENT_FORM)
    start = rendered.index('<div class="field text"', rendered.index("加急原因") - 200)
    tag = rendered[start:rendered.index(">", start) + 1]
    assert 'data-show-when="urgency"' in tag
    assert json.loads(html.unescape(tag.split('data-show-values="')[1].split('"')[0])) == ["urgent", "critical"]


def test_a_posted_form_drops_a_value_of_a_field_the_browser_hides():
    data, _raw, problems = parse_form(URGENT_FORM, MultiDict(
        {"subject": "购置设备", "urgency": "routine", "urgent_reason": "页面无脚本时仍可见"}))
    assert data == {"subject": "购置设备", "urgency": "routine"} and problems == {}
    data, _raw, _problems = parse_form(URGENT_FORM, MultiDict(
        {"subject": "购置设备", "urgency": "urgent", "urgent_reason": "明日检查"}))
    assert data["urgent_reason"] == "明日检查"


def test_the_start_page_accepts_the_form_without_the_hidden_field(browser_as, urgent_process):
    hr = browser_as("hr_s01")
    response = hr.post(f"/start/{urgent_process}", {"org": "S01", "subject": "购置办公设备", "urgency": "routine"},
                       page=f"/start/{urgent_process}")
    assert response.status_code == 302 and "/instances/" in response.headers["Location"]
    case = hr.html(response.headers["Location"])
    assert "购置办公设备" in case and "加急原因" not in case


def test_the_start_page_refuses_the_form_without_the_shown_required_field_by_its_chinese_name(
        browser_as, urgent_process):
    hr = browser_as("hr_s01")
    response = hr.post(f"/start/{urgent_process}", {"org": "S01", "subject": "购置办公设备", "urgency": "critical"},
                       page=f"/start/{urgent_process}")
    assert response.status_code == 200  # the form again, with its messages (an ordinary page)
    page = response.get_data(as_text=True)
    assert "表单有误，请按提示修改。" in page
    assert '<a href="#f-urgent_reason">加急原因：必填</a>' in page
    assert 'id="f-urgent_reason-error">必填<' in page
    assert 'value="critical" checked' in page  # the choice that shows the field is kept


def test_the_api_names_the_missing_shown_field(as_user, urgent_process):
    hr = as_user("hr_s01")
    response = hr.post(f"/api/v1/processes/{urgent_process}/instances",
                       json={"org": "S01", "data": {"subject": "购置办公设备", "urgency": "urgent"}})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {"urgent_reason": ["必填"]}, response.get_json()
    response = hr.post(f"/api/v1/processes/{urgent_process}/instances",
                       json={"org": "S01", "data": {"subject": "购置办公设备", "urgency": "routine"}})
    assert response.status_code == 201, response.get_json()
