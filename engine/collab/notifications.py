"""In-app notifications (站内通知) and e-mail: written in the transaction of their cause, e-mail sent
after commit from the outbox table, so a step that fails notifies nobody and a sender that stops
mid-send leaves the mail to be sent once by the next run.

A notification for a role is delivered to every active holder of that role at the unit or above
(and to their proxies of the day), so each user's list, unread count and read marks are one indexed
query. A notice that asks for something lapses when its cause is overtaken (a colleague did the
step, it was handed to someone else, the case ended): that is read off the task and the case as they
are now, in the same query, so the bell counts only what still waits for its reader. E-mail goes out only when CWFLOW_SMTP_HOST is set and the user has an address; the sender
claims each message before sending it, so two senders never send one message and a message whose
sender died after commit is sent by the next pass once its short lease has passed. The guarantee is
at-least-once with a stable Message-ID: a sender killed between the SMTP server's acceptance and the
mark repeats that one message, and mail systems can drop the copy by its Message-ID.
"""

import functools
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Date, Insert, String, and_, bindparam, case, func, literal, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from config.operations import ops_setting, smtp_settings
from engine.core import clock
from engine.core.errors import NotFound
from engine.core.transaction import transactional
from engine.models import (
    ApprovalVote,
    Instance,
    OutboxEmail,
    Proxy,
    RoleAssignment,
    TaskDelegation,
    TaskRow,
    User,
    UserNotification,
)

log = logging.getLogger(__name__)

KIND_TITLES = {
    "task": "新待办", "vote": "待您审批", "returned": "已退回", "decision": "审批结果", "finished": "流程办结",
    "cc": "抄送", "reminder": "即将到期", "escalation": "超期督办", "overdue": "已超期", "urge": "催办",
    "transferred": "转办", "delegated": "委派", "delegation_resolved": "委派已办理", "withdrawn": "已撤回",
    "process": "流程通知", "resubmit": "退回修改",
}
TASK_KINDS = {"task", "vote", "returned", "reminder", "overdue", "urge", "transferred", "delegated"}
# Notices that ask their reader to do something; they lapse once nothing is left for them to do.
ACTION_KINDS = TASK_KINDS | {"resubmit", "escalation", "delegation_resolved"}
# Of those, the notices that ask for the task itself: they lapse too when it is someone else's now.
HOLDER_KINDS = ("task", "transferred", "reminder", "overdue", "urge", "returned", "resubmit")
# Why a notice no longer needs its reader (`lapse` below): handled (已处理) or void (已失效).
HANDLED_REASONS = ("done_by_you", "done", "taken", "delegation_over", "vote_over")
VOID_REASONS = ("case_withdrawn", "case_cancelled", "case_finished", "step_closed")


@dataclass(frozen=True)
class Recipient:
    user_id: int
    username: str
    email: str | None


def case_name(session: Session, instance_id: int) -> str:
    """How a notice names a case: its title (王晓梅的辞职申请), or its number when it has none."""
    instance = session.get(Instance, instance_id)
    title = instance.title if instance is not None else None
    return title or f"案件 #{instance_id}"


def person_name(session: Session, username: str | None) -> str:
    """The display name a notice calls a user by (their user name when they have none)."""
    if not username:
        return ""
    return session.scalar(select(User.display_name).where(User.username == username)) or username


def ancestors(org_path: str) -> list[str]:
    """'D01/S01/S01C01/' → ['D01/', 'D01/S01/', 'D01/S01/S01C01/']: the units whose holders act here."""
    parts = [p for p in org_path.split("/") if p]
    return ["/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]


def role_holders(session: Session, role: str, org_path: str, *, proxies_for: str | None = None) -> list[Recipient]:
    """Active users holding `role` at the unit with `org_path` or above it; with `proxies_for` (a
    process key) also their proxies of the day, in the same query."""
    rows = session.execute(_people("role", proxies_for is not None, True),
                           _people_params(role=role, paths=ancestors(org_path), process_key=proxies_for))
    return _unique(sorted((Recipient(*row) for row in rows), key=lambda r: r.user_id))


def _proxy_in_force(process_filter: bool) -> ColumnElement[bool]:
    """A proxy in force on `:day`, for every process or (with `process_filter`) for `:process_key`."""
    day = bindparam("day", type_=Date)
    clause = and_(Proxy.revoked_at.is_(None), Proxy.starts_on <= day, Proxy.ends_on >= day, User.active.is_(True))
    if not process_filter:
        return clause
    return and_(clause, or_(Proxy.process_key.is_(None), Proxy.process_key == bindparam("process_key", type_=String)))


@functools.cache
def _people(source: str, with_proxies: bool, process_filter: bool) -> Select:
    """(id, username, email) of the holders of `:role` at `:paths` (source "role") or of the users
    `:names` ("names"), with their proxies of the day; built once, so a step pays no query building."""
    person = (User.id, User.username, User.email)
    if source == "role":
        holds = and_(RoleAssignment.role == bindparam("role", type_=String),
                     RoleAssignment.org_path.in_(bindparam("paths", expanding=True)))
        query = select(*person).join(RoleAssignment, RoleAssignment.user_id == User.id).where(holds, User.active.is_(True))
        proxies = (select(*person).join(Proxy, Proxy.proxy_id == User.id)
                   .join(RoleAssignment, RoleAssignment.user_id == Proxy.principal_id).where(holds))
    else:
        named = and_(User.username.in_(bindparam("names", expanding=True)), User.active.is_(True))
        query = select(*person).where(named)
        proxies = (select(*person).join(Proxy, Proxy.proxy_id == User.id)
                   .where(Proxy.principal_id.in_(select(User.id).where(named))))
    if not with_proxies:
        return query
    return query.union(proxies.where(_proxy_in_force(process_filter)))


def _people_params(**given: Any) -> dict[str, Any]:
    return {"day": clock.today(), **given}


def users_named(session: Session, usernames: Iterable[str]) -> list[Recipient]:
    names = sorted(set(usernames))
    if not names:
        return []
    rows = session.execute(select(User.id, User.username, User.email)
                           .where(User.username.in_(names), User.active.is_(True)).order_by(User.id))
    return [Recipient(*row) for row in rows]


def active_proxies_of(session: Session, principal_ids: Iterable[int], process_key: str | None,
                      on: date | None = None) -> list[Recipient]:
    ids = sorted(set(principal_ids))
    if not ids:
        return []
    query = (select(User.id, User.username, User.email).join(Proxy, Proxy.proxy_id == User.id)
             .where(Proxy.principal_id.in_(ids), _proxy_in_force(bool(process_key))))
    params = {"day": on or clock.today(), "process_key": process_key}
    return [Recipient(*row) for row in session.execute(query, params)]


def _unique(recipients: Iterable[Recipient]) -> list[Recipient]:
    seen: dict[int, Recipient] = {}
    for recipient in recipients:
        seen.setdefault(recipient.user_id, recipient)
    return list(seen.values())


def deliver(session: Session, recipients: Iterable[Recipient], *, kind: str, message: str,
            instance_id: int | None = None, task_id: str | None = None, process_key: str | None = None,
            exclude: Iterable[str] = (), proxies_included: bool = False) -> list[Recipient]:
    """One in-app notification per recipient (and e-mail where configured), in this transaction.

    Task-related kinds also reach the recipients' proxies of the day for `process_key`."""
    skip = set(exclude)
    people = [r for r in _unique(recipients) if r.username not in skip]
    if kind in TASK_KINDS and people and not proxies_included:
        people = _unique([*people, *(p for p in active_proxies_of(session, [r.user_id for r in people], process_key)
                                     if p.username not in skip)])
    now = clock.now()
    mail = smtp_settings() is not None
    text = str(message)[:2000]
    for person in people:
        session.add(UserNotification(user_id=person.user_id, instance_id=instance_id, task_id=task_id, kind=kind,
                                     message=text, created_at=now))
        if mail and person.email:
            session.add(OutboxEmail(user_id=person.user_id, recipient=person.email, status="pending", attempts=0,
                                    subject=f"[cwflow] {KIND_TITLES.get(kind, '通知')}"[:200],
                                    body=text, created_at=now))
    return people


def notify_role(session: Session, role: str, org_path: str, *, kind: str, message: str,
                instance_id: int | None = None, task_id: str | None = None, process_key: str | None = None) -> int:
    """Notify every active holder of `role` at the unit or above (for task kinds, and their proxies of
    the day) with one INSERT … SELECT per table, in this transaction; returns how many were notified."""
    task_kind = kind in TASK_KINDS
    params = _people_params(role=role, paths=ancestors(org_path), process_key=process_key or "")
    return _insert_for(session, ("role", task_kind, True), params, kind=kind, message=message,
                       instance_id=instance_id, task_id=task_id)


def notify_users(session: Session, usernames: Iterable[str], *, kind: str, message: str,
                 instance_id: int | None = None, task_id: str | None = None, process_key: str | None = None) -> int:
    """Notify the named active users (for task kinds, and their proxies of the day for `process_key`,
    or of any process when none is given) like `notify_role`."""
    names = sorted(set(usernames))
    if not names:
        return 0
    params = _people_params(names=names, process_key=process_key)
    return _insert_for(session, ("names", kind in TASK_KINDS, bool(process_key)), params, kind=kind,
                       message=message, instance_id=instance_id, task_id=task_id)


def _insert_for(session: Session, people: tuple[str, bool, bool], params: dict[str, Any], *, kind: str,
                message: str, instance_id: int | None, task_id: str | None) -> int:
    """Write the notices (and queue the e-mail, when SMTP is set) straight from the query that finds
    the people: no row comes back to Python and no ORM object is built per person."""
    notes, outbox = _fan_out(*people)
    values = {**params, "instance_id": instance_id, "task_id": task_id, "kind": kind,
              "message": str(message)[:2000], "created_at": clock.now()}
    written = session.execute(notes, values, execution_options={"preserve_rowcount": True})
    if smtp_settings() is not None:
        session.execute(outbox, {**values, "subject": f"[cwflow] {KIND_TITLES.get(kind, '通知')}"[:200]})
    return written.rowcount or 0


@functools.cache
def _fan_out(source: str, with_proxies: bool, process_filter: bool) -> tuple[Insert, Insert]:
    """INSERT … SELECT of the notices and of the e-mail for one kind of `_people` query."""
    found = _people(source, with_proxies, process_filter).subquery()
    notes, outbox = UserNotification.__table__, OutboxEmail.__table__

    def value(column: Any, name: str | None = None) -> Any:
        return bindparam(name or column.name, type_=column.type)

    created = value(notes.c.created_at)
    insert_notes = notes.insert().from_select(
        ["user_id", "instance_id", "task_id", "kind", "message", "created_at"],
        select(found.c.id, value(notes.c.instance_id), value(notes.c.task_id), value(notes.c.kind),
               value(notes.c.message), created).order_by(found.c.id))
    insert_mail = outbox.insert().from_select(
        ["user_id", "recipient", "status", "attempts", "subject", "body", "created_at"],
        select(found.c.id, found.c.email, literal("pending", outbox.c.status.type), literal(0, outbox.c.attempts.type),
               value(outbox.c.subject), value(outbox.c.body, "message"), created)
        .where(found.c.email.is_not(None), found.c.email != "").order_by(found.c.id))
    return insert_notes, insert_mail


# --- reading ------------------------------------------------------------------------------------


def notifications_for(user_id: int, *, unread_only: bool = False) -> Select:
    query = select(UserNotification).where(UserNotification.user_id == user_id)
    if unread_only:
        query = query.where(UserNotification.read_at.is_(None))
    return query.order_by(UserNotification.id.desc())


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(UserNotification).where(
        UserNotification.user_id == user_id, UserNotification.read_at.is_(None))) or 0


def _lapse(today: date) -> ColumnElement:
    """Why a notice no longer asks its reader for anything, or NULL while it still does: read off
    the task and the case it names as they are now (primary-key joins and indexed EXISTS, one query
    for a page or the bell; no workflow is loaded). The reasons are HANDLED_REASONS and VOID_REASONS."""
    me = User.username
    task_id = UserNotification.task_id
    my_delegation = select(TaskDelegation.id).where(
        TaskDelegation.task_id == task_id, TaskDelegation.status == "pending", TaskDelegation.delegate == me).exists()
    my_vote = select(ApprovalVote.id).where(
        ApprovalVote.task_id == task_id, ApprovalVote.approver == me,
        ApprovalVote.status.in_(("waiting", "pending"))).exists()
    standing_in = select(Proxy.id).where(
        Proxy.proxy_id == UserNotification.user_id, Proxy.principal == TaskRow.assignee, Proxy.revoked_at.is_(None),
        Proxy.starts_on <= today, Proxy.ends_on >= today).exists()
    return case(
        (UserNotification.kind.not_in(ACTION_KINDS), None),
        (and_(Instance.status == "cancelled", Instance.outcome == "withdrawn"), "case_withdrawn"),
        (Instance.status == "cancelled", "case_cancelled"),
        (Instance.status == "completed", "case_finished"),
        (TaskRow.id.is_(None), None),
        (and_(TaskRow.status == "completed", or_(TaskRow.completed_by == me, TaskRow.on_behalf_of == me)),
         "done_by_you"),
        (TaskRow.status == "completed", "done"),
        (TaskRow.status != "open", "step_closed"),
        (and_(UserNotification.kind == "delegated", ~my_delegation), "delegation_over"),
        (and_(UserNotification.kind == "vote", ~my_vote), "vote_over"),
        (and_(UserNotification.kind.in_(HOLDER_KINDS), TaskRow.assignee.is_not(None), TaskRow.assignee != me,
              ~my_delegation, ~my_vote, ~standing_in), "taken"),
        else_=None)


def _with_lapse(query: Select) -> Select:
    return (query.join(User, User.id == UserNotification.user_id)
            .outerjoin(TaskRow, TaskRow.id == UserNotification.task_id)
            .outerjoin(Instance, Instance.id == UserNotification.instance_id))


def notices_for(user_id: int, *, to_act_only: bool = False) -> Select:
    """The notification page's rows, newest first: (notice, lapse reason or None, who did it — the
    step's completer or its holder now). `to_act_only` keeps the unread ones still asking for action."""
    lapse = _lapse(clock.today()).label("lapse")
    query = _with_lapse(select(UserNotification, lapse, TaskRow.completed_by, TaskRow.assignee)
                        .where(UserNotification.user_id == user_id))
    if to_act_only:
        query = query.where(UserNotification.read_at.is_(None), _lapse(clock.today()).is_(None))
    return query.order_by(UserNotification.id.desc())


def lapse_of(session: Session, user_id: int, notification_id: int) -> str | None:
    """Why one of the user's notices no longer asks for anything (None while it still does)."""
    return session.execute(notices_for(user_id).where(UserNotification.id == notification_id)).first().lapse


def to_act_count(session: Session, user_id: int) -> int:
    """The bell's number: unread notices that still ask for something (a task a colleague has done
    meanwhile, or a case withdrawn, no longer counts)."""
    query = _with_lapse(select(func.count()).select_from(UserNotification).where(
        UserNotification.user_id == user_id, UserNotification.read_at.is_(None), _lapse(clock.today()).is_(None)))
    return session.scalar(query) or 0


@transactional
def mark_read(session: Session, user_id: int, notification_id: int) -> UserNotification:
    note = session.get(UserNotification, notification_id)
    if note is None or note.user_id != user_id:
        raise NotFound("通知不存在", code="notification_not_found")
    if note.read_at is None:
        note.read_at = clock.now()
    return note


@transactional
def mark_all_read(session: Session, user_id: int) -> int:
    result = session.execute(update(UserNotification).where(
        UserNotification.user_id == user_id, UserNotification.read_at.is_(None)).values(read_at=clock.now()))
    return result.rowcount or 0


# --- sending e-mail after commit ----------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    retried: int = 0


def send_pending(session: Session, *, limit: int = 100) -> SendReport:
    """Send queued e-mail one message at a time: claim it, send it, mark it sent, each committed.

    A sender killed between the send and the mark leaves that one message claimed; once its short
    lease (`email_claim_minutes`) has passed, the next pass sends it again under the same Message-ID,
    so the copy is recognisably the same message. The other messages never wait for that lease.
    """
    report = SendReport()
    settings = smtp_settings()
    if settings is None:
        return report
    ids = list(session.scalars(select(OutboxEmail.id).where(_sendable(clock.now()))
                               .order_by(OutboxEmail.id).limit(limit)))
    session.commit()
    connection: smtplib.SMTP | None = None
    try:
        for email_id in ids:
            now = clock.now()
            claimed = session.execute(
                update(OutboxEmail).where(OutboxEmail.id == email_id, _sendable(now))
                .values(status="sending", claimed_at=now, attempts=OutboxEmail.attempts + 1))
            session.commit()
            if claimed.rowcount != 1:
                continue  # another sender has it, or sent it meanwhile
            row = session.get(OutboxEmail, email_id, populate_existing=True)
            try:
                connection = connection or _connect(settings)
                connection.send_message(_message(row, settings))
            except (smtplib.SMTPException, OSError) as exc:
                connection = _close(connection)
                permanent = isinstance(exc, smtplib.SMTPRecipientsRefused)
                row.status = "failed" if permanent or row.attempts >= int(ops_setting("email_max_attempts")) \
                    else "pending"
                row.last_error = type(exc).__name__
                report.failed += row.status == "failed"
                report.retried += row.status == "pending"
                log.warning("e-mail %s not sent: %s", row.id, type(exc).__name__)
            else:
                row.status = "sent"
                row.sent_at = clock.now()
                report.sent += 1
            session.commit()
    finally:
        _close(connection)
    return report


def _sendable(now: datetime) -> ColumnElement[bool]:
    """Waiting to be sent, or claimed by a sender whose lease ran out (it died mid-send)."""
    stale = now - timedelta(minutes=float(ops_setting("email_claim_minutes")))
    return or_(OutboxEmail.status == "pending",
               and_(OutboxEmail.status == "sending", OutboxEmail.claimed_at < stale))


def _connect(settings: dict[str, Any]) -> smtplib.SMTP:
    connection = smtplib.SMTP(settings["host"], settings["port"], timeout=settings["timeout"])
    if settings["starttls"]:
        connection.starttls()
    if settings["user"]:
        connection.login(settings["user"], settings["password"] or "")
    return connection


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is not None:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            pass
    return None


def _message(row: OutboxEmail, settings: dict[str, Any]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings["from"]
    message["To"] = row.recipient
    message["Subject"] = row.subject
    domain = settings["from"].rpartition("@")[2] or "cwflow.local"
    message["Message-ID"] = f"<cwflow-outbox-{row.id}@{domain}>"
    message.set_content(row.body)
    return message
