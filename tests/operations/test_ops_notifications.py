"""In-app notifications (站内通知) and e-mail from the outbox: written with their step, e-mail sent only
after commit by the sender, exactly once, even when a step fails or the sender stops mid-send."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from cli.main import cwflow
from engine.collab import notifications
from engine.core import clock
from engine.models import OutboxEmail, UserNotification
from engine.process import timers
from tests.helpers import complete, open_task
from tests.operations.ops_support import (
    APPROVE,
    NOTE_FORM,
    REVIEW_OK,
    add_user,
    deploy,
    notes,
    refused,
    resignation,
    set_email,
    task_post,
)
from tests.operations.smtp_sink import SmtpSink


@pytest.fixture
def smtp(monkeypatch):
    with SmtpSink() as sink:
        monkeypatch.setenv("CWFLOW_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CWFLOW_SMTP_PORT", str(sink.port))
        monkeypatch.setenv("CWFLOW_SMTP_FROM", "cwflow@street.example.cn")
        yield sink


def _outbox(app) -> list[OutboxEmail]:  # noqa: ANN001
    from web.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def test_a_new_task_is_announced_to_the_role_holders_in_scope_only(as_user):
    hr = as_user("hr_s01")
    resignation(hr)
    assert [n["kind"] for n in notes(hr)] == ["task"]
    assert notes(as_user("hr_s02")) == [] and notes(as_user("leader_s01")) == []


def test_unread_count_list_and_mark_read(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", APPROVE)
    assert hr.get("/api/v1/notifications/unread-count").get_json() == {"unread": 3}
    first = notes(hr, unread="true")[0]
    assert first["kind"] == "task" and "工作交接" in first["message"]
    assert any(n["kind"] == "decision" and "街道审批" in n["message"] and "第一街道分管领导" in n["message"]
               for n in notes(hr))
    refused(leader.post(f"/api/v1/notifications/{first['id']}/read"), 404, "notification_not_found")
    read = hr.post(f"/api/v1/notifications/{first['id']}/read")
    assert read.status_code == 200 and read.get_json()["read_at"]
    assert hr.get("/api/v1/notifications/unread-count").get_json() == {"unread": 2}
    assert hr.post("/api/v1/notifications/read-all").get_json() == {"unread": 0}
    assert notes(hr, unread="true") == []


def test_a_diagram_notice_to_a_role_reaches_its_holders(app, as_user):
    from engine.core import clock

    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    with clock.frozen(datetime.fromisoformat("2026-11-02T10:00:00+08:00")):
        resignation(hr, submitted_on="2026-11-02")
    from web.extensions import db

    with app.app_context():
        timers.tick(db.session, datetime.fromisoformat("2026-11-27T10:00:00+08:00"))
    assert [n["message"] for n in notes(leader) if n["kind"] == "process"] == ["辞职申请办理时限将至"]
    assert [n for n in notes(as_user("leader_s02")) if n["kind"] == "process"] == []


def test_email_is_queued_with_the_step_and_sent_after_commit_exactly_once(app, as_user, smtp):
    set_email(app, "leader_s01", "leader@street.example.cn")
    hr = as_user("hr_s01")
    case = resignation(hr)
    complete(hr, case["id"], "street_review", REVIEW_OK)
    queued = _outbox(app)
    assert [(m.recipient, m.status) for m in queued] == [("leader@street.example.cn", "pending")]
    assert smtp.received == []  # nothing leaves inside the request

    result = app.test_cli_runner().invoke(cwflow, args=["notifications", "send"])
    assert result.exit_code == 0 and '"sent": 1' in result.output
    assert len(smtp.received) == 1
    sender, recipients, message = smtp.received[0]
    assert recipients == ["leader@street.example.cn"] and sender == "cwflow@street.example.cn"
    assert "新待办" in message["Subject"] and "街道审批" in message.get_content()
    assert message["Message-ID"] == f"<cwflow-outbox-{queued[0].id}@street.example.cn>"

    app.test_cli_runner().invoke(cwflow, args=["notifications", "send"])
    assert len(smtp.received) == 1
    assert [m.status for m in _outbox(app)] == ["sent"]


def test_the_timer_pass_sends_queued_email_too(app, as_user, smtp):
    set_email(app, "hr_s01", "hr@street.example.cn")
    resignation(as_user("hr_s01"))
    from web.extensions import db

    with app.app_context():
        assert timers.tick(db.session).emails_sent == 1
    assert [r for _, r, _ in smtp.received] == [["hr@street.example.cn"]]


def test_no_email_is_queued_without_smtp_settings(app, as_user):
    set_email(app, "hr_s01", "hr@street.example.cn")
    resignation(as_user("hr_s01"))
    assert _outbox(app) == []


def test_a_message_claimed_by_a_sender_that_died_is_sent_by_the_next_pass(app, as_user, smtp):
    """The sender stopped after commit, in the middle of a send: the claim expires, one send follows."""
    from datetime import timedelta

    from engine.core import clock
    from web.extensions import db

    set_email(app, "hr_s01", "hr@street.example.cn")
    resignation(as_user("hr_s01"))
    with app.app_context():
        row = db.session.scalars(select(OutboxEmail)).one()
        row.status, row.claimed_at, row.attempts = "sending", clock.now() - timedelta(minutes=30), 1
        db.session.commit()
        assert notifications.send_pending(db.session).sent == 1
        assert notifications.send_pending(db.session).sent == 0
    assert len(smtp.received) == 1


class _Killed(BaseException):
    """The sender process killed: nothing after this point of the pass runs."""


def _two_messages_queued(app, as_user) -> None:  # noqa: ANN001
    set_email(app, "hr_s01", "hr@street.example.cn")
    set_email(app, "leader_s01", "leader@street.example.cn")
    hr = as_user("hr_s01")
    complete(hr, resignation(hr)["id"], "street_review", REVIEW_OK)


def _after_the_claim(app, minutes: float):  # noqa: ANN001, ANN202
    """The clock frozen this long after the dead sender's claim (the suite's clock runs on, so an
    absolute moment could fall before the claim)."""
    claimed = max(m.claimed_at for m in _outbox(app) if m.claimed_at is not None)
    return clock.frozen(claimed + timedelta(minutes=minutes))


def _killed_after_the_first_send(monkeypatch) -> None:  # noqa: ANN001
    """The SMTP server accepts the first message, then the sender dies before marking it sent."""
    import smtplib

    original = smtplib.SMTP.send_message

    def accepted_then_killed(self, message, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        original(self, message, *args, **kwargs)
        monkeypatch.setattr(smtplib.SMTP, "send_message", original)
        raise _Killed

    monkeypatch.setattr(smtplib.SMTP, "send_message", accepted_then_killed)


def test_a_sender_killed_after_sending_costs_one_duplicate_with_the_same_message_id(app, as_user, smtp,
                                                                                      monkeypatch, frozen_clock):
    from web.extensions import db

    _two_messages_queued(app, as_user)
    _killed_after_the_first_send(monkeypatch)
    with app.app_context(), pytest.raises(_Killed):
        notifications.send_pending(db.session)
    assert len(smtp.received) == 1
    assert sorted(m.status for m in _outbox(app)) == ["pending", "sending"]

    with app.app_context():  # at once: the other message does not wait for the dead sender's lease
        assert notifications.send_pending(db.session).sent == 1
    assert len(smtp.received) == 2 and len({m["Message-ID"] for _, _, m in smtp.received}) == 2

    with _after_the_claim(app, minutes=3), app.app_context():  # the lease ran out: sent again
        assert notifications.send_pending(db.session).sent == 1
        assert notifications.send_pending(db.session).sent == 0
    ids = [m["Message-ID"] for _, _, m in smtp.received]
    assert len(ids) == 3 and ids[2] == ids[0]  # one duplicate, recognisably the same message
    assert [m.status for m in _outbox(app)] == ["sent", "sent"]


def test_a_live_senders_claim_is_not_taken_within_its_lease(app, as_user, smtp, monkeypatch, frozen_clock):
    from web.extensions import db

    _two_messages_queued(app, as_user)
    _killed_after_the_first_send(monkeypatch)
    with app.app_context(), pytest.raises(_Killed):
        notifications.send_pending(db.session)
    with _after_the_claim(app, minutes=1.5), app.app_context():
        assert notifications.send_pending(db.session).sent == 1  # the other one only
    assert len(smtp.received) == 2 and len({m["Message-ID"] for _, _, m in smtp.received}) == 2


def test_a_refused_recipient_fails_without_blocking_the_others(app, as_user, smtp):
    set_email(app, "hr_s01", "hr@street.example.cn")
    set_email(app, "leader_s01", "gone@street.example.cn")
    smtp.refuse.add("gone@street.example.cn")
    hr = as_user("hr_s01")
    case = resignation(hr)
    complete(hr, case["id"], "street_review", REVIEW_OK)
    from web.extensions import db

    with app.app_context():
        report = notifications.send_pending(db.session)
    assert (report.sent, report.failed) == (1, 1)
    assert sorted(m.status for m in _outbox(app)) == ["failed", "sent"]


FAILING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="opsfail_defs" targetNamespace="urn:cwflow:test:opsfail">
  <bpmn:process id="opsfail" name="失败测试" isExecutable="true">
    <bpmn:laneSet id="l"><bpmn:lane id="lane_hr" name="street_hr">
      <bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>first</bpmn:flowNodeRef><bpmn:flowNodeRef>boom</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>second</bpmn:flowNodeRef><bpmn:flowNodeRef>e</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="first" name="第一步"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="ops_note.json" /></spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="boom" name="出错" scriptFormat="python"><bpmn:incoming>b</bpmn:incoming>
      <bpmn:outgoing>c</bpmn:outgoing><bpmn:script>notify("street_leader", "不应发出")
x = 1 / 0</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="second" name="第二步"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="ops_note.json" /></spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>c</bpmn:incoming><bpmn:outgoing>d</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>d</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="first" />
    <bpmn:sequenceFlow id="b" sourceRef="first" targetRef="boom" />
    <bpmn:sequenceFlow id="c" sourceRef="boom" targetRef="second" />
    <bpmn:sequenceFlow id="d" sourceRef="second" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_an_error_right_after_a_user_task_rolls_back_its_notifications_and_email(app, as_user, smtp):
    """The step fails after the user task: the task stays open, nothing is notified or queued."""
    from tests.helpers import start
    from web.extensions import db

    deploy(app, FAILING.encode(), {"opsfail_start.json": {"type": "object", "properties": {}},
                                   "ops_note.json": NOTE_FORM})
    set_email(app, "hr_s01", "hr@street.example.cn")
    set_email(app, "leader_s01", "leader@street.example.cn")
    hr = as_user("hr_s01")
    case = start(hr, "opsfail", "S01", {}).get_json()
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(UserNotification))
    outbox_before = len(_outbox(app))
    task = open_task(hr, case["id"], "first")
    refused(task_post(hr, task, "complete", {"data": {"comment": "提交"}}), 422, "process_error")
    assert open_task(hr, case["id"], "first")["id"] == task["id"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserNotification)) == before
    assert len(_outbox(app)) == outbox_before
    assert notes(as_user("leader_s01")) == []


# --- fan-out: one notice per person, holders and proxies of the day ------------------------------


def _name_proxy(principal, proxy: str, **extra):  # noqa: ANN001, ANN202
    today = date.today()
    response = principal.post("/api/v1/proxies", json={
        "proxy": proxy, "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=7)).isoformat(),
        "reason": "外出学习", **extra})
    assert response.status_code == 201, response.get_json()


def _decision_notices(user) -> list[dict]:  # noqa: ANN001
    return [n for n in notes(user) if n["kind"] == "task" and "街道审批" in n["message"]]


def test_a_holder_who_is_also_a_proxy_gets_one_task_notice_and_one_email(app, as_user, smtp):
    add_user(app, "leader_s01b", "street_leader", "S01", email="deputy@street.example.cn")
    set_email(app, "leader_s01", "leader@street.example.cn")
    leader, deputy = as_user("leader_s01"), as_user("leader_s01b")
    _name_proxy(leader, "leader_s01b")
    hr = as_user("hr_s01")
    case = resignation(hr)
    complete(hr, case["id"], "street_review", REVIEW_OK)
    assert len(_decision_notices(deputy)) == 1 and len(_decision_notices(leader)) == 1
    decision_mail = [m.recipient for m in _outbox(app) if "新待办" in m.subject]
    assert sorted(decision_mail) == ["deputy@street.example.cn", "leader@street.example.cn"]


def test_a_proxy_named_for_another_process_gets_no_task_notice(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    _name_proxy(leader, "hr_s01", process_key="secondment")
    case = resignation(hr)
    complete(hr, case["id"], "street_review", REVIEW_OK)
    assert _decision_notices(hr) == [] and len(_decision_notices(leader)) == 1


def test_a_notice_for_named_people_reaches_their_proxy_once(app, as_user, smtp):
    from web.extensions import db

    set_email(app, "leader_s01", "")
    _name_proxy(as_user("leader_s01"), "hr_s01")
    with app.app_context():
        sent = notifications.notify_users(db.session, ["leader_s01", "leader_s01", "nobody"], kind="urge",
                                          instance_id=None, task_id="t-1", process_key="resignation",
                                          message="请尽快办理")
        db.session.commit()
    assert sent == 2
    assert [n["message"] for n in notes(as_user("hr_s01")) if n["kind"] == "urge"] == ["请尽快办理"]
    assert [n["message"] for n in notes(as_user("leader_s01")) if n["kind"] == "urge"] == ["请尽快办理"]
    assert _outbox(app) == []  # neither has an address
