"""The human-task index: rows kept in step with each instance, and the scoped queries on them.

Inboxes and task lists read only these rows; no list ever deserialises a workflow.
"""

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.operations import ops_setting
from config.policy import DEFAULTS, policy_value
from config.roles import role_for_lane
from engine.bpmn.task_kinds import is_start_event
from engine.collab.delegation import INITIATOR_ROLE, may_see_task
from engine.core import audit, clock
from engine.core.errors import NotFound
from engine.core.scope import Actor, UnitRef, lifted_unit
from engine.core.workdays import MarkedDate, default_calendar
from engine.models import Instance, OrgUnit, TaskRow
from engine.workflow.definitions import form_key

FORM_PROPERTY = "formJsonSchemaFilename"
RESUBMIT_TITLE = "退回修改后重新提交"
DUE_KEYS = {"dueAt", "dueInDays", "dueInWorkingDays"}
log = logging.getLogger(__name__)


def ready_human_tasks(workflow: BpmnWorkflow) -> list[Any]:
    """READY user tasks, and the start event of a case returned to its initiator (退回发起人).

    One walk of the READY tasks finds both: the tree of a long-lived case holds hundreds of tasks."""
    start, tasks = None, []
    for task in workflow.get_tasks_iterator(state=TaskState.READY):
        if task.task_spec.manual:
            tasks.append(task)
        elif start is None and task.workflow is workflow and is_start_event(task.task_spec):
            start = task
    return [start, *tasks] if start is not None else tasks


def sync_task_index(session: Session, instance: Instance, workflow: BpmnWorkflow, *, actor: str,
                    completed_task_id: str | None = None, org: OrgUnit | None = None,
                    on_behalf_of: str | None = None, reopen: bool = False, fresh: bool = False,
                    changes: dict[str, list[TaskRow]] | None = None) -> list[TaskRow]:
    """Make the instance's open rows match the workflow's READY human tasks.

    A row whose task is no longer ready is closed: `completed` for the task just submitted,
    `cancelled` otherwise (a boundary event or a cancel took it away). Returns the rows now open.
    After a reset (`reopen`) a task id may come back: its row is opened again instead of added.
    A `fresh` instance (its first step) has no rows yet, so none are read.
    `changes`, when given, receives the rows `opened` and `closed` by this call.
    """
    now = clock.now()
    open_rows = {} if fresh else _open_rows(session, instance.id)
    ready = {str(task.id): task for task in ready_human_tasks(workflow)} if instance.status == "running" else {}
    closed, opened = [], []
    for row_id, row in open_rows.items():
        if row_id in ready:
            continue
        row.status = "completed" if row_id == completed_task_id else "cancelled"
        row.completed_at = now
        if row.status == "completed":
            row.completed_by = actor
            row.on_behalf_of = on_behalf_of
        closed.append(row)
    new_ids = [task_id for task_id in ready if task_id not in open_rows]
    if new_ids:
        org = org or session.get(OrgUnit, instance.org_code)
    earlier = _rows_by_id(session, new_ids) if reopen and new_ids else {}
    for task_id in new_ids:
        values = _row_values(session, instance, org, ready[task_id], now, actor=actor)
        row = earlier.get(task_id)
        if row is None:
            row = TaskRow(id=task_id, instance_id=instance.id, process_key=instance.key, **values)
            session.add(row)
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.completed_at = row.completed_by = row.on_behalf_of = None
        opened.append(row)
    if changes is not None:
        changes["opened"], changes["closed"] = opened, closed
    return [row for row in open_rows.values() if row.status == "open"] + opened


def _open_rows(session: Session, instance_id: int) -> dict[str, TaskRow]:
    """The instance's open rows, read without flushing the step's pending writes first.

    An autoflush here would send the UPDATE of the state blob on its own; it goes with the commit
    instead. Rows changed in this session but not yet flushed are taken as they stand in memory."""
    with session.no_autoflush:
        found = list(session.scalars(select(TaskRow).where(TaskRow.instance_id == instance_id,
                                                           TaskRow.status == "open")))
    pending = [obj for obj in (*session.new, *session.dirty)
               if isinstance(obj, TaskRow) and obj.instance_id == instance_id]
    return {row.id: row for row in (*found, *pending) if row.status == "open"}


def _rows_by_id(session: Session, task_ids: list[str]) -> dict[str, TaskRow]:
    with session.no_autoflush:
        return {row.id: row for row in session.scalars(select(TaskRow).where(TaskRow.id.in_(task_ids)))}


def _row_values(session: Session, instance: Instance, org: OrgUnit, task: Any, now: datetime, *,
                actor: str) -> dict[str, Any]:
    spec = task.task_spec
    if is_start_event(spec):  # returned to the initiator: theirs alone, with the start form
        return dict(name=spec.bpmn_id or spec.name, title=RESUBMIT_TITLE, role=INITIATOR_ROLE,
                    org_code=org.code, org_path=org.path, status="open", form_key=f"{instance.key}_start",
                    assignee=instance.initiator, created_at=now, due_at=None)
    role = role_for_lane(spec.lane)
    unit = lifted_unit(org, role.key) if role else UnitRef(org.code, org.path)
    props = (getattr(spec, "extensions", None) or {}).get("properties", {}) or {}
    form_file = props.get(FORM_PROPERTY)
    name = spec.bpmn_id or spec.name
    return dict(name=name, title=spec.bpmn_name or spec.bpmn_id or spec.name, role=role.key if role else "admin",
                org_code=unit.code, org_path=unit.path, status="open",
                form_key=form_key(form_file) if form_file else form_file,
                assignee=None, created_at=now,
                **_due_or_incident(session, instance, task, props if DUE_KEYS & props.keys()
                                   else _policy_due(instance.key, name), now, actor=actor))


def _due_or_incident(session: Session, instance: Instance, task: Any, props: dict[str, str], now: datetime, *,
                     actor: str) -> dict[str, Any]:
    """The due values; when the diagram's due date cannot be worked out at run time (a `dueAt` naming
    data the case lacks, text that is no date), the task still opens, without a due date, and an
    `incident` event naming the element tells the administrator the diagram needs fixing."""
    try:
        return _due_values(task, props, now)
    except Exception as exc:  # noqa: BLE001 - any failure of a diagram's expression is the diagram's fault
        element = task.task_spec.bpmn_id or task.task_spec.name
        key = next((k for k in ("dueAt", "dueInDays", "dueInWorkingDays") if props.get(k)), None)
        log.warning("due date of %s in instance %s failed: %s", element, instance.id, type(exc).__name__)
        audit.record(session, actor, "incident", instance_id=instance.id, task_id=str(task.id),
                     detail={"error": "due_at_failed", "element": element, "property": key,
                             "reason": type(exc).__name__,
                             "message": f"任务“{element}”的期限（{key}）无法计算，任务已生成但没有期限，请修正流程图"})
        return dict(due_at=None, due_provisional=False, due_working_days=None)


def _due_values(task: Any, props: dict[str, str], now: datetime) -> dict[str, Any]:
    """The row's due moment, and for a count in working days the count and its provisional mark."""
    due = _due_at(task, props, now)
    if isinstance(due, MarkedDate):
        working_days = int(policy_value(props["dueInWorkingDays"]) if props["dueInWorkingDays"] in DEFAULTS
                           else props["dueInWorkingDays"])
        return dict(due_at=_in_utc(end_of_day(due.day)), due_provisional=due.provisional,
                    due_working_days=working_days)
    return dict(due_at=_in_utc(due), due_provisional=False, due_working_days=None)


def end_of_day(day: date) -> datetime:
    """A due day's last second, China time: the moment a task due that day becomes overdue."""
    return datetime.combine(day, time(23, 59, 59), clock.CHINA_TZ)


def _policy_due(process_key: str, task_name: str) -> dict[str, str]:
    """Due-date properties from config (config/operations.py `task_due`) for tasks the diagram leaves open."""
    given = (ops_setting("task_due").get(process_key) or {}).get(task_name) or {}
    return {key: str(value) for key, value in given.items()}


def _in_utc(moment: datetime | None) -> datetime | None:
    """Stored and answered in UTC, as the database gives it back, so every answer shows one offset."""
    return moment.astimezone(UTC) if moment is not None and moment.tzinfo is not None else moment


def _due_at(task: Any, props: dict[str, str], now: datetime) -> datetime | MarkedDate | None:
    """A due moment from the task's `dueAt`, `dueInDays` or `dueInWorkingDays` property; a count in
    working days gives its marked day, so the row can say whether a provisional year was counted."""

    def number(raw: str) -> int:
        return int(policy_value(raw)) if raw in DEFAULTS else int(raw)

    today = now.astimezone(clock.CHINA_TZ).date()
    day: date | None = None
    if props.get("dueAt"):
        value = task.workflow.script_engine.evaluate(task, props["dueAt"])
        if isinstance(value, datetime):
            return value.astimezone(clock.CHINA_TZ)
        text = str(value)
        if "T" in text:
            return datetime.fromisoformat(text)
        day = date.fromisoformat(text)
    elif props.get("dueInDays"):
        # a period in days whose last day is a day off ends on the next working day (民法典 art. 203)
        day = default_calendar().add_working_days(today + timedelta(days=number(props["dueInDays"])), 0)
    elif props.get("dueInWorkingDays"):
        return default_calendar().add_working_days_marked(today, number(props["dueInWorkingDays"]))
    if day is None:
        return None
    return end_of_day(day)


def get_task_row(session: Session, actor: Actor, task_id: str) -> TaskRow:
    """The task when the actor may see it: its role at its unit or above, or the instance's scope,
    or a part in it (assignee, delegate, approver, proxy)."""
    row = session.get(TaskRow, task_id)
    if row is None or not may_open_task(session, actor, row):
        raise NotFound("任务不存在", code="task_not_found")
    return row


def may_open_task(session: Session, actor: Actor, row: TaskRow) -> bool:
    """Whether the task's page opens for the actor (else it is a 404): a link to it is shown only then."""
    return (actor.is_admin or actor.holds(row.role, row.org_path)
            or (row.status != "open" and actor.sees_org(row.org_path))
            or may_see_task(session, actor, row))
