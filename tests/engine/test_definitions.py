"""Definitions are immutable versions: a deploy never changes running instances."""

from pathlib import Path

from sqlalchemy import select

from engine.models import Definition, Instance
from engine.workflow import definitions
from engine.workflow.definitions import DefinitionInvalid, Upload, load_form_files
from tests.helpers import complete, start

ROOT = Path(__file__).resolve().parents[2]
RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}


def _upload(bpmn: bytes) -> Upload:
    return Upload(bpmn, (), load_form_files(ROOT / "forms"), source="resignation.bpmn")


def test_redeploying_the_same_diagram_changes_nothing(app):
    from web.extensions import db

    with app.app_context():
        bpmn = (ROOT / "workflows" / "resignation.bpmn").read_bytes()
        definition, created = definitions.deploy(db.session, _upload(bpmn), actor="admin")
        assert not created and definition.version == 1


def test_new_version_for_new_starts_while_running_instances_keep_theirs(app, as_user):
    from web.extensions import db

    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    old_case = start(hr, "resignation", "S01C01", RESIGNATION).get_json()
    assert old_case["version"] == 1
    bpmn = (ROOT / "workflows" / "resignation.bpmn").read_bytes().replace("受理审查".encode(), "受理并审查".encode())
    with app.app_context():
        definition, created = definitions.deploy(db.session, _upload(bpmn), actor="admin")
        assert created and definition.version == 2

    new_case = start(hr, "resignation", "S01C01", {**RESIGNATION, "worker_id": 2}).get_json()
    assert new_case["version"] == 2 and new_case["open_tasks"][0]["title"] == "受理并审查"
    assert old_case["open_tasks"][0]["title"] == "受理审查"
    complete(hr, old_case["id"], "street_review", {"decision": "approve", "unfinished_business": False})
    after = complete(leader, old_case["id"], "street_decision", {"decision": "approve"})
    assert after["version"] == 1 and [t["name"] for t in after["open_tasks"]] == ["handover"]
    with app.app_context():
        versions = db.session.scalars(select(Instance.version).order_by(Instance.id)).all()
        assert versions == [1, 2]


def test_invalid_upload_lists_every_problem_and_stores_nothing(app):
    from web.extensions import db

    bpmn = (ROOT / "workflows" / "resignation.bpmn").read_bytes()
    broken = bpmn.replace(b'name="\xe8\xa1\x97\xe9\x81\x93\xe9\xa2\x86\xe5\xaf\xbc"', b'name="no_such_role"', 1)
    broken = broken.replace(b"resignation_handover.json", b"missing_form.json")
    assert broken != bpmn
    with app.app_context():
        before = db.session.scalar(select(Definition.id).order_by(Definition.id.desc()).limit(1))
        try:
            definitions.deploy(db.session, _upload(broken), actor="admin")
        except DefinitionInvalid as exc:
            messages = " | ".join(str(p) for p in exc.problems)
            assert "泳道 'no_such_role' 不是已知角色" in messages and "表单 'missing_form.json' 不存在" in messages
            assert all(p.element_id or p.line for p in exc.problems)
        else:
            raise AssertionError("an invalid diagram was deployed")
        after = db.session.scalar(select(Definition.id).order_by(Definition.id.desc()).limit(1))
        assert after == before


def test_a_doctype_in_an_upload_is_refused(app):
    from web.extensions import db

    bpmn = (ROOT / "workflows" / "resignation.bpmn").read_bytes()
    hostile = bpmn.replace(b"?>", b'?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1)
    with app.app_context():
        try:
            definitions.deploy(db.session, _upload(hostile), actor="admin")
        except DefinitionInvalid as exc:
            assert "不允许 DOCTYPE 或 ENTITY 声明" in str(exc.problems[0])
        else:
            raise AssertionError("a DOCTYPE was accepted")


def test_redeploying_an_older_file_does_not_undo_a_newer_version(app):
    from web.extensions import db

    original = (ROOT / "workflows" / "resignation.bpmn").read_bytes()
    edited = original.replace("受理审查".encode(), "受理并审查".encode())
    with app.app_context():
        newer, created = definitions.deploy(db.session, _upload(edited), actor="admin")
        assert created and newer.version == 2
        again, created = definitions.deploy(db.session, _upload(original), actor="cli")
        assert not created and again.version == 1
        assert definitions.latest_definition(db.session, "resignation").version == 2
