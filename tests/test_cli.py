"""The `cwflow` command: validate, deploy, export, users, tokens, demo, check."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from cli.main import cwflow
from tests.helpers import fixture_path
from web.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_validate_accepts_the_shipped_diagram(app):
    result = app.test_cli_runner().invoke(cwflow, args=["workflows", "validate", str(ROOT / "workflows/resignation.bpmn")])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_validate_lists_every_problem_and_exits_non_zero(app, tmp_path):
    bad = (ROOT / "workflows/resignation.bpmn").read_bytes()
    bad = bad.replace("街道领导".encode(), b"nobody").replace(b"resignation_handover.json", b"gone.json")
    path = tmp_path / "bad.bpmn"
    path.write_bytes(bad)
    result = app.test_cli_runner().invoke(cwflow, args=["workflows", "validate", str(path)])
    assert result.exit_code == 1
    assert "nobody" in result.output and "gone.json" in result.output
    assert "Traceback" not in result.output


def test_validate_refuses_an_entity_bomb_without_a_traceback(app, tmp_path):
    path = tmp_path / "bomb.bpmn"
    path.write_text('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                    '<definitions>&b;</definitions>')
    result = app.test_cli_runner().invoke(cwflow, args=["workflows", "validate", str(path)])
    assert result.exit_code == 1 and "bomb.bpmn：不允许 DOCTYPE 或 ENTITY 声明" in result.output
    assert "Traceback" not in result.output


def test_validate_never_tracebacks_on_the_tricky_diagrams(app):
    runner = app.test_cli_runner()
    tricky = sorted(fixture_path("bpmn/tricky").rglob("*.bpmn*"))
    assert tricky, "no tricky diagrams in the test data"
    for path in tricky:
        result = runner.invoke(cwflow, args=["workflows", "validate", str(path)])
        assert result.exit_code in (0, 1), (path, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (path, result.exception)


def test_deploy_is_idempotent_and_export_returns_the_bpmn(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(cwflow, args=["workflows", "deploy"])
    assert result.exit_code == 0 and "resignation v1 unchanged" in result.output
    out = tmp_path / "exported.bpmn"
    assert runner.invoke(cwflow, args=["workflows", "export", "resignation", "--out", str(out)]).exit_code == 0
    assert out.read_bytes() == (ROOT / "workflows/resignation.bpmn").read_bytes()


def test_users_add_and_token_give_a_working_integration_token(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(cwflow, args=["users", "add", "hr_s01_c", "--password", "x-Secret-2026", "--role", "street_hr@S01"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(cwflow, args=["users", "add", "y", "--password", "p", "--role", "street_hr@NOPE"])
    assert bad.exit_code != 0
    token = runner.invoke(cwflow, args=["users", "token", "hr_s01_c"]).output.strip()
    response = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


@pytest.mark.parametrize(("username", "password", "message"), [
    ("hr_s01_d", "short", "--password：密码至少 8 位"),
    ("坏 名字", "x-Secret-2026", "USERNAME：用户名为 2–64 位字母、数字或 _ . -"),
])
def test_users_add_refuses_what_the_admin_page_refuses(app, username, password, message):
    from sqlalchemy import select

    from engine.models import User
    from web.extensions import db

    result = app.test_cli_runner().invoke(cwflow, args=["users", "add", username, "--password", password,
                                                        "--role", "street_hr@S01"])
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == username)) is None


def test_users_add_gives_every_role_or_creates_nobody(app):
    from sqlalchemy import select

    from engine.models import User
    from web.extensions import db

    runner = app.test_cli_runner()
    refused = runner.invoke(cwflow, args=["users", "add", "hr_s01_e", "--password", "x-Secret-2026",
                                          "--role", "street_hr@S01", "--role", "street_hr@NOPE"])
    assert refused.exit_code == 1 and "未知的组织单位" in refused.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "hr_s01_e")) is None
    added = runner.invoke(cwflow, args=["users", "add", "hr_s01_e", "--password", "x-Secret-2026",
                                        "--role", "street_hr@S01", "--role", "street_leader@S01"])
    assert added.exit_code == 0, added.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "hr_s01_e"))
        assert sorted(a.role for a in user.roles) == ["street_hr", "street_leader"]


def test_check_finds_no_difference_on_healthy_instances(app, as_user):
    from tests.helpers import start

    start(as_user("hr_s01"), "resignation", "S01C01",
          {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"})
    result = app.test_cli_runner().invoke(cwflow, args=["check"])
    assert result.exit_code == 0, result.output
    assert "0 difference(s)" in result.output


def test_check_reports_an_index_row_that_went_missing(app, as_user):
    from sqlalchemy import delete

    from engine.models import TaskRow
    from tests.helpers import start
    from web.extensions import db

    start(as_user("hr_s01"), "resignation", "S01C01",
          {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"})
    with app.app_context():
        db.session.execute(delete(TaskRow))
        db.session.commit()
    result = app.test_cli_runner().invoke(cwflow, args=["check"])
    assert result.exit_code == 1 and "has no open index row" in result.output


def test_demo_command_builds_a_fresh_database(tmp_path):
    from web import create_app

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    demo_app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    result = demo_app.test_cli_runner().invoke(cwflow, args=["demo"])
    assert result.exit_code == 0, result.output
    client = demo_app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "hr_s01", "password": "demo-pass-2026"}).get_json()
    keys = [p["key"] for p in client.get("/api/v1/processes", headers={
        "Authorization": f"Bearer {token['token']}"}).get_json()["items"]]
    assert "resignation" in keys


def _demo_database(tmp_path, name: str):  # noqa: ANN001, ANN202
    from web import create_app

    url = f"sqlite:///{tmp_path / name}"
    demo_app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    result = demo_app.test_cli_runner().invoke(cwflow, args=["demo"])
    assert result.exit_code == 0, result.output
    return demo_app, result


def _demo_cases(demo_app) -> dict[str, tuple[str, list[str]]]:  # noqa: ANN001
    """Each demo case's business key → (status, its open tasks)."""
    from engine.models import Instance, TaskRow

    with demo_app.app_context():
        cases = {}
        for case in db.session.scalars(select(Instance).where(Instance.business_key.like("DEMO-%"))):
            tasks = db.session.scalars(select(TaskRow.name).where(TaskRow.instance_id == case.id,
                                                                  TaskRow.status == "open")).all()
            cases[case.business_key] = (case.status, sorted(tasks))
        db.session.remove()
    return cases


@pytest.mark.parametrize("today", ["2026-11-25T10:00", "2027-06-15T10:00", "2030-01-02T10:00"])
def test_the_demo_has_cases_at_several_stages_whatever_today_is(tmp_path, today):
    from engine.core import clock
    from engine.models import Application, Worker

    with clock.frozen(datetime.fromisoformat(today)):
        demo_app, result = _demo_database(tmp_path, "stages.db")
        assert "新建演示案件 4 件" in result.output
        cases = _demo_cases(demo_app)
        assert cases["DEMO-RES-AWAITING-LEADER"] == ("running", ["street_decision"])
        assert cases["DEMO-RES-RETURNED"] == ("running", ["street_review"])
        assert cases["DEMO-SEC-UNDER-WAY"][0] == "running"
        assert cases["DEMO-RECRUITMENT"][0] == "running"
        with demo_app.app_context():
            applied = db.session.scalars(select(Application.name)).all()
            seconded = db.session.scalar(select(Worker.status).where(Worker.name == "王晓梅"))
            db.session.remove()
        assert sorted(applied) == ["孙悦", "陈静", "高志远"] and seconded == "seconded"
        again = demo_app.test_cli_runner().invoke(cwflow, args=["demo"])
        assert again.exit_code == 0 and "新建演示案件 0 件" in again.output
        assert _demo_cases(demo_app) == cases


def test_a_moment_that_is_not_iso_is_refused_by_name(app):  # noqa: ANN001
    result = app.test_cli_runner().invoke(cwflow, args=["timers", "tick", "--at", "next tuesday"])
    assert result.exit_code == 2 and "--at" in result.output and "ISO" in result.output


def test_a_token_lifetime_below_zero_is_refused(app):  # noqa: ANN001
    result = app.test_cli_runner().invoke(cwflow, args=["users", "token", "hr_s01", "--hours", "-5"])
    assert result.exit_code == 2 and "--hours" in result.output


def test_unknown_users_and_definitions_are_named_in_chinese(app):  # noqa: ANN001
    runner = app.test_cli_runner()
    nobody = runner.invoke(cwflow, args=["users", "token", "nobody"])
    assert nobody.exit_code == 1 and "没有用户 nobody" in nobody.output
    missing = runner.invoke(cwflow, args=["workflows", "export", "resignation", "--version", "99"])
    assert missing.exit_code == 1 and "没有已部署的流程 resignation 第 99 版" in missing.output


def test_calendar_show_names_a_provisional_year_and_its_statutory_days(app):
    result = app.test_cli_runner().invoke(cwflow, args=["calendar", "show", "2027"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["source"] == "provisional" and shown["workdays"] == []
    assert {"2027-02-05", "2027-06-09", "2027-09-15"} <= set(shown["holidays"])
    official = json.loads(app.test_cli_runner().invoke(cwflow, args=["calendar", "show", "2026"]).output)
    assert official["source"] == "official" and "2026-10-10" in official["workdays"]


def test_calendar_load_stores_the_year_and_refuses_a_weekday_make_up_day(app, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-01-06"]}), encoding="utf-8")
    refused = runner.invoke(cwflow, args=["calendar", "load", str(bad)])
    assert refused.exit_code != 0 and "调休上班日期 2027-01-06 不是周末" in refused.output
    assert "Traceback" not in refused.output
    good = tmp_path / "2027.json"
    good.write_text(json.dumps({"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-01-02"]}), encoding="utf-8")
    loaded = runner.invoke(cwflow, args=["calendar", "load", str(good)])
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.output)["due_dates_changed"] == 0
    shown = json.loads(runner.invoke(cwflow, args=["calendar", "show", "2027"]).output)
    assert shown["source"] == "loaded" and shown["loaded_by"] == "cli"
    assert shown["holidays"] == ["2027-01-01"] and shown["workdays"] == ["2027-01-02"]
