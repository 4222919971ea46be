"""The human-task index: rows kept in step with each instance, and the scoped queries on them.

Inboxes and task lists read only these rows; no list ever deserialises a workflow.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from config.policy import DEFAULTS, policy_value
from config.roles import role_for_lane

from . import clock
from .errors import NotFound
from .models import Instance, OrgUnit, TaskRow
from .scope import Actor, lift_to_role_level
from .workdays import default_calendar

FORM_PROPERTY = "formJsonSchemaFilename"


def ready_human_tasks(workflow: BpmnWorkflow) -> list[Any]:
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def sync_task_index(session: Session, instance: Instance, workflow: BpmnWorkflow, *, actor: str,
                    completed_task_id: str | None = None, org: OrgUnit | None = None) -> list[TaskRow]:
    """Make the instance's open rows match the workflow's READY human tasks.

    A row whose task is no longer ready is closed: `completed` for the task just submitted,
    `cancelled` otherwise (a boundary event or a cancel took it away). Returns the rows now open.
    """
    now = clock.now()
    open_rows = {row.id: row for row in session.scalars(
        select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.status == "open"))}
    ready = {str(task.id): task for task in ready_human_tasks(workflow)} if instance.status == "running" else {}
    for row_id, row in open_rows.items():
        if row_id in ready:
            continue
        row.status = "completed" if row_id == completed_task_id else "cancelled"
        row.completed_at = now
        if row.status == "completed":
            row.completed_by = actor
    created = []
    org = org or session.get(OrgUnit, instance.org_code)
    for task_id, task in ready.items():
        if task_id in open_rows:
            continue
        spec = task.task_spec
        role = role_for_lane(spec.lane)
        unit = lift_to_role_level(session, org, role.key) if role else org
        props = (getattr(spec, "extensions", None) or {}).get("properties", {}) or {}
        form_file = props.get(FORM_PROPERTY)
        row = TaskRow(
            id=task_id, instance_id=instance.id, process_key=instance.key, name=spec.bpmn_id or spec.name,
            title=spec.bpmn_name or spec.bpmn_id or spec.name, role=role.key if role else "admin",
            org_code=unit.code, org_path=unit.path, status="open",
            form_key=form_file[:-5] if form_file and form_file.endswith(".json") else form_file,
            created_at=now, due_at=_due_at(task, props, now),
        )
        session.add(row)
        created.append(row)
    return [row for row in open_rows.values() if row.status == "open"] + created


def _due_at(task: Any, props: dict[str, str], now: datetime) -> datetime | None:
    """A due moment from the task's `dueAt`, `dueInDays` or `dueInWorkingDays` property."""

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
        day = today + timedelta(days=number(props["dueInDays"]))
    elif props.get("dueInWorkingDays"):
        day = default_calendar().add_working_days(today, number(props["dueInWorkingDays"]))
    if day is None:
        return None
    return datetime.combine(day, time(23, 59, 59), clock.CHINA_TZ)


def visible_tasks(actor: Actor, *, status: str = "open") -> Select:
    """Tasks offered to the actor's roles within the actor's org scope."""
    query = select(TaskRow).where(TaskRow.status == status)
    if actor.is_admin:
        return query
    return query.where(actor.task_filter(TaskRow.role, TaskRow.org_path))


def get_task_row(session: Session, actor: Actor, task_id: str) -> TaskRow:
    """The task when the actor may see it: its role at its unit or above, or the instance's scope."""
    row = session.get(TaskRow, task_id)
    if row is None or not (actor.is_admin or actor.holds(row.role, row.org_path)
                           or (row.status != "open" and actor.sees_org(row.org_path))):
        raise NotFound("任务不存在", code="task_not_found")
    return row
