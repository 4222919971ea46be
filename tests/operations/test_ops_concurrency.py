"""Operations under real concurrency (PostgreSQL, committed data): votes of one round cast at once,
two e-mail senders, two deadline sweeps — each effect happens exactly once."""

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.collab import deadlines, notifications
from engine.core import clock
from engine.models import AuditEvent, OutboxEmail, UserNotification
from tests.conftest import PASSWORD, is_postgres
from tests.helpers import all_at_once, start
from tests.operations.ops_support import add_user, deploy_round, set_email, start_round_case
from tests.operations.smtp_sink import SmtpSink

pytestmark = [pytest.mark.committed,
              pytest.mark.skipif(not is_postgres(), reason="parallel transactions need PostgreSQL")]


def test_votes_cast_at_once_complete_the_round_once(app, as_user):
    deploy_round(app, "opsall", mode="all")
    add_user(app, "leader_s01b", "street_leader", "S01")
    add_user(app, "leader_s01c", "street_leader", "S01")
    hr = as_user("hr_s01")
    case = start_round_case(hr, "opsall")
    task_id = case["open_tasks"][0]["id"]
    tokens = [app.test_client().post("/api/v1/tokens", json={"username": n, "password": PASSWORD})
              .get_json()["token"] for n in ("leader_s01", "leader_s01b", "leader_s01c")]

    def vote(index: int) -> list[int]:
        client, statuses = app.test_client(), []
        for _ in range(10):  # a lost race is a 409: the approver sends again
            response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"decision": "approve"}},
                                   headers={"Authorization": f"Bearer {tokens[index]}"})
            statuses.append(response.status_code)
            if response.status_code != 409:
                break
        return statuses

    results = all_at_once(3, vote)
    assert all(r[-1] == 200 for r in results), results
    after = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert [t["name"] for t in after["open_tasks"]] == ["file_it"]
    with app.app_context():
        from web.extensions import db

        types = list(db.session.scalars(select(AuditEvent.type).where(AuditEvent.instance_id == case["id"])))
        assert types.count("vote_cast") == 3
        assert len([t for t in types if t == "task_completed"]) == 2  # prepare, then the round once
        from engine.reads.consistency import check_all

        assert check_all(db.session) == []


def _cases(app, as_user, count: int) -> None:  # noqa: ANN001
    deploy_round(app, "opsmany")
    hr = as_user("hr_s01")
    for n in range(count):
        assert start(hr, "opsmany", "S01", {"subject": f"事项{n}"}).status_code == 201


def test_two_senders_send_each_message_once(app, as_user, monkeypatch):
    with SmtpSink() as sink:
        monkeypatch.setenv("CWFLOW_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CWFLOW_SMTP_PORT", str(sink.port))
        set_email(app, "hr_s01", "hr@street.example.cn")
        _cases(app, as_user, 12)
        with app.app_context():
            from web.extensions import db

            queued = db.session.scalar(select(func.count()).select_from(OutboxEmail))
            bind = db.engine

            def send(_: int) -> int:
                session = Session(bind)
                try:
                    return notifications.send_pending(session).sent
                finally:
                    session.close()

            sent = all_at_once(2, send)
        assert queued == 12 and sum(sent) == 12 == len(sink.received)
        ids = [m["Message-ID"] for _, _, m in sink.received]
        assert len(set(ids)) == 12


def test_two_sweeps_remind_each_task_once(app, as_user, monkeypatch):
    monkeypatch.setenv("CWFLOW_OPS_TASK_DUE", '{"opsmany": {"prepare": {"dueInDays": 3}}}')
    with clock.frozen(datetime.fromisoformat("2026-11-02T10:00:00+08:00")):
        _cases(app, as_user, 8)
    moment = datetime.fromisoformat("2026-11-04T10:00:00+08:00")  # one working day before the 5th
    with app.app_context():
        from web.extensions import db

        bind = db.engine

        def sweep(_: int) -> int:
            session = Session(bind)
            try:
                with clock.frozen(moment):
                    return deadlines.sweep(session, moment).reminded
            finally:
                session.close()

        reminded = all_at_once(2, sweep)
        notes = db.session.scalars(select(UserNotification).where(UserNotification.kind == "reminder")).all()
        assert sum(reminded) == 8 == len(notes)
        assert len({n.task_id for n in notes}) == 8
