"""Task deadlines: a reminder before the due moment, escalation to the role's leader after it, and
the manual urge (催办). `timers.tick` runs `sweep` on every pass, the timer worker every
`--sweep-interval` seconds (engine/process/timers.py); each reminder and each escalation goes out once
(its moment is cleared in the transaction that sends it).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.operations import ops_setting
from engine.collab.notifications import case_name, deliver, notify_role, person_name
from engine.collab.recipients import current_actors
from engine.core import audit, clock
from engine.core.errors import Conflict, DomainError, NotFound
from engine.core.scope import Actor, get_org, lift_to_role_level
from engine.core.transaction import transactional
from engine.core.workdays import default_calendar
from engine.models import Instance, TaskDeadline, TaskRow, TaskUrge


class TooFrequent(DomainError):
    """A rate limit: the same request again too soon."""

    status = 429
    code = "too_many_requests"


def remind_moment(due_at: datetime) -> datetime:
    """N working days (config) before the due day, at the reminder hour, China time."""
    day = due_at.astimezone(clock.CHINA_TZ).date()
    remaining = int(ops_setting("remind_working_days_before"))
    calendar = default_calendar()
    while remaining > 0:
        day -= timedelta(days=1)
        remaining -= calendar.is_working_day(day)
    return datetime.combine(day, time(int(ops_setting("remind_hour"))), clock.CHINA_TZ)


def schedule(session: Session, row: TaskRow, *, new: bool = False) -> None:
    """Set (or clear, for a reopened task without a due date) the task's reminder and escalation."""
    if new and row.due_at is None:
        return
    deadline = None if new else session.get(TaskDeadline, row.id)
    if row.due_at is None:
        if deadline is not None:
            session.delete(deadline)
        return
    remind_at = remind_moment(row.due_at)
    values = dict(instance_id=row.instance_id, due_at=row.due_at,
                  remind_at=remind_at if remind_at < row.due_at else None, escalate_at=row.due_at,
                  reminded_at=None, escalated_at=None)
    if deadline is None:
        session.add(TaskDeadline(task_id=row.id, **values))
    else:
        for key, value in values.items():
            setattr(deadline, key, value)


@dataclass
class SweepReport:
    reminded: int = 0
    escalated: int = 0


def _due_ids(session: Session, column, moment: datetime, limit: int) -> list[str]:  # noqa: ANN001
    return list(session.scalars(select(TaskDeadline.task_id).where(column <= moment).order_by(column).limit(limit)))


def _lock(session: Session, task_id: str, column, moment: datetime) -> TaskDeadline | None:  # noqa: ANN001
    query = select(TaskDeadline).where(TaskDeadline.task_id == task_id, column <= moment)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query.execution_options(populate_existing=True))


def sweep(session: Session, at: datetime | None = None, *, limit: int = 500) -> SweepReport:
    """Remind and escalate what is due at `at`, one task per transaction, each exactly once."""
    report = SweepReport()
    moment = at or clock.now()
    for task_id in _due_ids(session, TaskDeadline.remind_at, moment, limit):
        deadline = _lock(session, task_id, TaskDeadline.remind_at, moment)
        if deadline is not None:
            report.reminded += _remind(session, deadline, moment)
        session.commit()
    for task_id in _due_ids(session, TaskDeadline.escalate_at, moment, limit):
        deadline = _lock(session, task_id, TaskDeadline.escalate_at, moment)
        if deadline is not None:
            report.escalated += _escalate(session, deadline, moment)
        session.commit()
    return report


def _open_row(session: Session, deadline: TaskDeadline) -> TaskRow | None:
    row = session.get(TaskRow, deadline.task_id)
    if row is None or row.status != "open":
        deadline.remind_at = deadline.escalate_at = None
        return None
    return row


def _due_text(due_at: datetime) -> str:
    return due_at.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _remind(session: Session, deadline: TaskDeadline, moment: datetime) -> int:
    row = _open_row(session, deadline)
    deadline.remind_at = None
    if row is None or (deadline.escalate_at is not None and deadline.escalate_at <= moment):
        return 0  # closed, or already overdue: the escalation says it
    deadline.reminded_at = moment
    deliver(session, current_actors(session, row), kind="reminder", instance_id=row.instance_id, task_id=row.id,
            process_key=row.process_key,
            message=f"「{row.title}」将于 {_due_text(row.due_at)} 到期，请及时办理（{case_name(session, row.instance_id)}）")
    audit.record(session, "timer", "task_reminded", instance_id=row.instance_id, task_id=row.id,
                 detail={"name": row.name, "due_at": row.due_at.isoformat()})
    return 1


def _escalate(session: Session, deadline: TaskDeadline, moment: datetime) -> int:
    row = _open_row(session, deadline)
    deadline.escalate_at = None
    if row is None:
        return 0
    deadline.escalated_at = moment
    to_role = ops_setting("escalate_to").get(row.role)
    unit = lift_to_role_level(session, get_org(session, row.org_code), to_role) if to_role else None
    text = f"「{row.title}」已于 {_due_text(row.due_at)} 超期未办（{case_name(session, row.instance_id)}）"
    deliver(session, current_actors(session, row), kind="overdue", instance_id=row.instance_id, task_id=row.id,
            process_key=row.process_key, message=text + "，请尽快办理")
    if unit is not None:
        notify_role(session, to_role, unit.path, kind="escalation", instance_id=row.instance_id, task_id=row.id,
                    message=text + "，请督办")
    audit.record(session, "timer", "task_escalated", instance_id=row.instance_id, task_id=row.id,
                 detail={"name": row.name, "due_at": row.due_at.isoformat(), "to_role": to_role,
                         "to_org": unit.code if unit else None})
    return 1


@transactional
def urge(session: Session, actor: Actor, task_id: str, message: str = "") -> TaskUrge:
    """催办: anyone who sees the case (or started it) reminds the people it waits for, at most once
    per task in the configured hours."""
    row = session.get(TaskRow, task_id)
    instance = session.get(Instance, row.instance_id) if row is not None else None
    if instance is None or not actor.sees_instance(instance):
        raise NotFound("任务不存在", code="task_not_found")
    if row.status != "open":
        raise Conflict("任务已处理，无需催办", code="task_not_open")
    if row.assignee == actor.username:
        raise Conflict("不能催办自己的待办", code="cannot_urge_own_task")
    now = clock.now()
    hours = float(ops_setting("urge_interval_hours"))
    last = session.scalar(select(TaskUrge.at).where(TaskUrge.task_id == task_id, TaskUrge.username == actor.username)
                          .order_by(TaskUrge.at.desc()).limit(1))
    if last is not None and last > now - timedelta(hours=hours):
        retry = int((last + timedelta(hours=hours) - now).total_seconds()) + 1
        raise TooFrequent(f"{hours:g} 小时内已催办过此任务，请稍后再试", code="urge_too_frequent",
                          details={"retry_after_seconds": retry})
    text = (message or "").strip()[:500]
    urged = TaskUrge(task_id=task_id, instance_id=row.instance_id, username=actor.username, message=text, at=now)
    session.add(urged)
    people = deliver(session, current_actors(session, row), kind="urge", instance_id=row.instance_id,
                     task_id=row.id, process_key=row.process_key, exclude=[actor.username],
                     message=f"{person_name(session, actor.username)} 催办「{row.title}」（{case_name(session, row.instance_id)}）" + (f"：{text}" if text else ""))
    audit.record(session, actor.username, "task_urged", instance_id=row.instance_id, task_id=row.id,
                 detail={"name": row.name, "title": row.title, "comment": text,
                         "to": [p.username for p in people]})
    return urged
