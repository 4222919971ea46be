"""A form's `pattern` cannot pin a worker: a pattern that backtracks without end (`^(a+)+$`) is refused when
an administrator saves the form or deploys it, naming the pattern's path; a form stored before that check
answers a submission at once with a clear 422 instead of matching."""

import time

import pytest

from engine.workflow import definitions
from engine.workflow.definitions import Upload
from engine.workflow.forms import validate_submission
from tests.engine.test_validation import TINY
from tests.web.test_admin_support import login, post_json
from web.extensions import db

EVIL = "^(a+)+$"
ANSWER = "a" * 30 + "!"


def _form(pattern: str) -> dict:
    return {"type": "object", "title": "复核", "properties": {
        "decision": {"type": "string", "title": "意见", "enum": ["approve", "reject"]},
        "code": {"type": "string", "title": "编号", "pattern": pattern}}}


@pytest.mark.parametrize(("pattern", "says"), [
    (EVIL, "嵌套的量词"), ("(a|aa)*$", "使用 |"), (r"^(\w)\1$", "反向引用"), (r"\d*\d*\d*x", "不限长度的量词"),
])
def test_saving_a_form_with_a_backtracking_pattern_is_refused_naming_its_path(client, pattern, says):
    token = login(client)
    refused = post_json(client, "/admin/forms/tiny_review.json", {"schema": _form(pattern)}, token)
    assert refused.status_code == 422, refused.get_json()
    [message] = refused.get_json()["error"]["details"]["fields"]["schema"]
    assert "properties.code.pattern" in message and says in message, message


def test_a_safe_pattern_is_saved_and_still_checks_answers(client):
    token = login(client)
    saved = post_json(client, "/admin/forms/tiny_review.json", {"schema": _form(r"^[A-Z]{2}\d{4}$")}, token)
    assert saved.status_code == 201, saved.get_json()
    with pytest.raises(Exception, match="填写有误") as refused:  # noqa: PT011 - InvalidData, checked below
        validate_submission(_form(r"^\d+$"), {"code": "1" * 5000 + "x"})
    assert "最多 2000 个字符" in refused.value.fields["code"][0]


@pytest.fixture
def stored_evil_form(app, monkeypatch):  # noqa: ANN001, ANN201
    """A diagram whose form holds `^(a+)+$`, stored as if deployed before patterns were checked."""
    monkeypatch.setattr("engine.bpmn.validation.schema_pattern_problems", lambda schema: [])
    definitions._VERSIONS.clear()
    with app.app_context():
        definitions.deploy(db.session, Upload(TINY.encode(), (), {"tiny_review.json": _form(EVIL)}, source="tiny.bpmn"),
                           actor="test")
    monkeypatch.undo()


def test_a_submission_to_a_stored_form_with_such_a_pattern_is_a_quick_clear_422(as_user, stored_evil_form):
    hr = as_user("hr_s01")
    started = hr.post("/api/v1/processes/tiny/instances", json={"org": "S01C01", "data": {}})
    assert started.status_code == 201, started.get_json()
    [task] = started.get_json()["open_tasks"]
    began = time.monotonic()
    refused = hr.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"decision": "approve", "code": ANSWER}})
    assert time.monotonic() - began < 2
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "unsafe_form_pattern"
    assert "格式规则不安全" in error["details"]["fields"]["code"][0]
