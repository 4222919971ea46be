"""The JSON Schema form macro and its reader: every shipped form renders with a label per input,
and what a browser posts comes back as the data the schema describes."""

import json
import re
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from web.views.schema_form import build_form, describe_data, parse_form

FORMS = sorted((Path(__file__).resolve().parents[2] / "forms").glob("*.json"))


def _render(app, schema: dict, values: dict | None = None, errors: dict | None = None) -> str:  # noqa: ANN001
    with app.test_request_context("/"):
        template = app.jinja_env.from_string(
            '{% import "macros/form.html" as forms %}{{ forms.schema_form(schema, values, errors) }}')
        return template.render(schema=schema, values=values or {}, errors=errors or {})


@pytest.mark.parametrize("path", FORMS, ids=[p.stem for p in FORMS])
def test_every_shipped_form_renders_with_a_label_for_every_input(app, path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    html = _render(app, schema)
    ids = re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', html)
    assert ids, path.name
    for element_id in ids:
        assert f'<label for="{element_id}">' in html, (path.name, element_id)
    for name, prop in schema["properties"].items():
        assert (prop.get("title") or name) in html


SCHEMA = {
    "type": "object",
    "required": ["decision", "posts"],
    "properties": {
        "decision": {"type": "string", "title": "决定", "oneOf": [{"const": "approve", "title": "同意"},
                                                                {"const": "reject", "title": "不同意"}]},
        "days": {"type": "integer", "title": "天数"},
        "rate": {"type": "number", "title": "比例"},
        "due": {"type": "string", "format": "date", "title": "期限"},
        "note": {"type": "string", "title": "说明", "x-widget": "textarea"},
        "urgent": {"type": "boolean", "title": "紧急"},
        "grounds": {"type": "array", "title": "事由", "items": {"type": "string", "enum": ["a", "b", "c"]}},
        "posts": {"type": "array", "title": "岗位", "items": {
            "type": "object", "required": ["community", "count"],
            "properties": {"community": {"type": "string", "title": "社区"},
                           "count": {"type": "integer", "title": "人数"}}}},
        "fixed": {"type": "string", "title": "编号", "readOnly": True},
    },
}


def test_a_posted_form_becomes_typed_data_and_empty_inputs_are_left_out():
    form = MultiDict([("decision", "approve"), ("days", "30"), ("rate", "0.5"), ("due", "2026-12-01"),
                      ("note", "第一行\r\n第二行"), ("grounds", "a"), ("grounds", "c"), ("posts.0.community", "S01C01"),
                      ("posts.0.count", "2"), ("posts.1.community", ""), ("posts.1.count", ""),
                      ("posts.2.community", "S01C02"), ("posts.2.count", "1"), ("fixed", "forged"), ("extra", "x")])
    data, raw, problems = parse_form(SCHEMA, form)
    assert problems == {}
    assert data == {"decision": "approve", "days": 30, "rate": 0.5, "due": "2026-12-01", "note": "第一行\n第二行",
                    "urgent": False, "grounds": ["a", "c"],
                    "posts": [{"community": "S01C01", "count": 2}, {"community": "S01C02", "count": 1}]}
    assert raw["posts.1.community"] == "S01C02"  # rows renumbered as the engine will name them


def test_unreadable_numbers_are_reported_and_kept_as_typed():
    data, raw, problems = parse_form(SCHEMA, MultiDict([("days", "三十"), ("posts.0.count", "x")]))
    assert problems == {"days": ["请输入整数"], "posts.0.count": ["请输入整数"]}
    assert "days" not in data and raw["days"] == "三十"
    view = build_form(SCHEMA, raw, problems)
    days = next(f for f in view.fields if f.name == "days")
    assert days.value == "三十" and days.errors == ["请输入整数"]


def test_engine_messages_land_on_their_fields_and_unknown_ones_in_the_summary(app):
    html = _render(app, SCHEMA, {"posts": [{"community": "S01C01"}]},
                   {"decision": ["必填"], "posts.0.count": ["必填"], "data": ["表单中没有此字段"]})
    assert 'id="f-decision-error">必填<' in html and 'id="f-posts-0-count-error">必填<' in html
    assert "<li>表单中没有此字段</li>" in html and "请修改以下 3 处后再提交" in html
    assert 'value="S01C01"' in html


def test_stored_data_is_shown_with_option_titles():
    rows = describe_data(SCHEMA, {"decision": "reject", "urgent": True, "grounds": ["a"], "unknown": 1,
                                  "latest_end_date": "2027-07-03", "approval_variant": "social_work_dept"})
    assert ("决定", "不同意") in rows and ("紧急", "是") in rows and ("事由", "a") in rows
    # keys no form describes: labelled from the words table with their codes as words, or left out
    assert ("借调最迟结束日期", "2027-07-03") in rows and ("审批部门", "区委社会工作部") in rows
    assert not [label for label, _ in rows if label in ("unknown", "latest_end_date", "approval_variant")]


def test_a_table_offers_adding_and_removing_rows_in_place_within_its_limits(app):
    schema = {"type": "object", "properties": {"posts": {
        "type": "array", "title": "岗位", "minItems": 1, "maxItems": 3, "items": SCHEMA["properties"]["posts"]["items"]}}}
    html = _render(app, schema, {"posts": [{"community": "S01C01", "count": 2}]})
    assert 'data-repeat="posts"' in html and 'data-min="1"' in html and 'data-max="3"' in html
    assert html.count("data-repeat-remove") == 3  # the filled row, the spare row and the blank row to copy
    assert "添加一行" in html and "岗位至少需要 1 行，不能再删除。" in html and "岗位最多 3 行，不能再添加。" in html
    blank = html.split('<template class="row-template">', 1)[1].split("</template>", 1)[0]
    assert 'name="posts.#.community"' in blank and 'value=""' in blank and "S01C01" not in blank
    assert 'aria-label="删除岗位第 1 行"' in html
    shown = _render_disabled(app, schema, {"posts": [{"community": "S01C01", "count": 2}]})
    assert "data-repeat" not in shown and "添加一行" not in shown


def _render_disabled(app, schema: dict, values: dict) -> str:  # noqa: ANN001
    with app.test_request_context("/"):
        template = app.jinja_env.from_string(
            '{% import "macros/form.html" as forms %}{{ forms.schema_form(schema, values, {}, disabled=true) }}')
        return template.render(schema=schema, values=values)


def _messages_for(form: str, data: dict) -> dict[str, list[str]]:
    from engine.core.errors import InvalidData
    from engine.workflow.forms import validate_submission

    schema = json.loads((FORMS[0].parent / form).read_text(encoding="utf-8"))
    with pytest.raises(InvalidData) as refused:
        validate_submission(schema, data)
    return refused.value.fields


def test_a_refused_form_tells_the_person_what_to_do_in_its_own_words():
    """Beside each field: tick the box to confirm the handover, choose from the list, write a date
    like 2026-11-25, a number no larger than allowed — never 'not an allowed value'."""
    handover = _messages_for("resignation_handover.json", {"handover_confirmed": False, "handed_over_to": " ",
                                                           "audit_required": "yes"})
    assert handover["handover_confirmed"] == ["请勾选以确认已完成公务交接"]
    assert handover["handed_over_to"] == ["请填写内容，不能只有空格"]
    assert handover["audit_required"] == ["请选择是或否"]
    assert _messages_for("resignation_handover.json", {"handed_over_to": "赵敏"})["handover_confirmed"] == \
        ["请勾选以确认已完成公务交接"]
    review = _messages_for("resignation_street_review.json", {"decision": "maybe", "unfinished_business": False})
    assert review["decision"] == ["请从列表中选择一项"]
    start = _messages_for("secondment_start.json", {"worker_id": 1, "borrowing_unit": "x", "borrowing_unit_level": "street",
                                                     "reason": "x", "start_date": "明天", "end_date": "2026-13-01"})
    assert start["start_date"] == ["请填写日期，例如 2026-11-25"]
    every = [m for messages in [*handover.values(), *review.values(), *start.values()] for m in messages]
    assert not any(word in m for m in every for word in ("不是允许的", "类型不正确", "is not", "'"))
