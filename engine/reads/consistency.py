"""`cwflow check`: does every instance agree with its task-index rows, its timer column and its audit trail?

Run after any crash or fault: a difference means something was half-written. Per instance it
compares the saved workflow with the index (every READY human task has exactly one open row and
every open row is a READY task), the `next_timer_at` column with the workflow's waiting timers, and
the status with the workflow's. Across all rows it looks for a task completed twice, a completed
row without any audit event, and open rows or due timers left on finished instances. A state that
no longer loads is reported, not raised, so one broken case never hides the others.
"""

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, Instance, TaskRow
from engine.process.kernel import load, next_timer_at
from engine.process.task_index import ready_human_tasks

FINISHED = ("completed", "cancelled")


def check_instance(session: Session, instance: Instance, open_rows: Iterable[str] | None = None) -> list[str]:
    """Differences between one instance and its index rows and timer column (`open_rows`: the ids
    of its open rows when the caller already has them)."""
    if open_rows is None:
        open_rows = session.scalars(select(TaskRow.id).where(TaskRow.instance_id == instance.id,
                                                             TaskRow.status == "open"))
    rows = set(open_rows)
    where = f"instance {instance.id} ({instance.key}, {instance.status})"
    try:
        workflow = load(session, instance).workflow
    except Exception as exc:  # noqa: BLE001 - an unloadable state is exactly what this tool reports
        return [f"{where}: saved state does not load: {type(exc).__name__}: {str(exc)[:200]}"]
    problems = []
    running = instance.status == "running"
    ready = {str(t.id) for t in ready_human_tasks(workflow)} if running else set()
    for missing in sorted(ready - rows):
        problems.append(f"{where}: ready task {missing} has no open index row")
    for extra in sorted(rows - ready):
        problems.append(f"{where}: open index row {extra} is not a ready task")
    if running:
        expected = next_timer_at(workflow)
        if expected != instance.next_timer_at:
            problems.append(f"{where}: next_timer_at {instance.next_timer_at} != {expected}")
        if workflow.is_completed():
            problems.append(f"{where}: workflow completed but instance is running")
    elif instance.status in FINISHED:
        if instance.next_timer_at is not None:
            problems.append(f"{where}: finished instance still has next_timer_at {instance.next_timer_at}")
        if instance.status == "completed" and not workflow.is_completed():
            problems.append(f"{where}: instance completed but its workflow is not")
    return problems


def _open_rows_by_instance(session: Session, instance_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for task_id, instance_id in session.execute(
            select(TaskRow.id, TaskRow.instance_id).where(TaskRow.instance_id.in_(instance_ids),
                                                         TaskRow.status == "open")):
        found[instance_id].append(task_id)
    return found


def audit_problems(session: Session) -> list[str]:
    """Completions recorded twice, and completed rows that no audit event mentions."""
    problems = []
    twice = session.execute(
        select(AuditEvent.task_id, func.count()).where(AuditEvent.type == "task_completed",
                                                       AuditEvent.task_id.is_not(None))
        .group_by(AuditEvent.task_id).having(func.count() > 1))
    for task_id, count in twice:
        problems.append(f"task {task_id}: completed {count} times in the audit trail")
    silent = session.scalars(
        select(TaskRow.id).where(TaskRow.status == "completed", TaskRow.completed_by.is_not(None),
                                 ~select(AuditEvent.id).where(AuditEvent.task_id == TaskRow.id).exists())
        .limit(100))
    for task_id in silent:
        problems.append(f"task {task_id}: completed without any audit event")
    return problems


def check_all(session: Session, batch: int = 200) -> list[str]:
    """Every difference, instance by instance (loads each workflow: an operator's tool, not a list)."""
    problems: list[str] = []
    last_id = 0
    while True:
        instances = list(session.scalars(select(Instance).where(Instance.id > last_id)
                                         .order_by(Instance.id).limit(batch)))
        if not instances:
            break
        open_rows = _open_rows_by_instance(session, [i.id for i in instances])
        for instance in instances:
            problems.extend(check_instance(session, instance, open_rows.get(instance.id, [])))
        last_id = instances[-1].id
        session.expunge_all()
    problems.extend(audit_problems(session))
    session.rollback()
    return problems
