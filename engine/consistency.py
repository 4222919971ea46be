"""`cwflow check`: does every running instance agree with its task-index rows and timer column?"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Instance, TaskRow
from .runtime import load, next_timer_at
from .tasks import ready_human_tasks


def check_instance(session: Session, instance: Instance) -> list[str]:
    problems = []
    loaded = load(session, instance)
    ready = {str(t.id) for t in ready_human_tasks(loaded.workflow)} if instance.status == "running" else set()
    rows = set(session.scalars(select(TaskRow.id).where(TaskRow.instance_id == instance.id,
                                                        TaskRow.status == "open")))
    for missing in sorted(ready - rows):
        problems.append(f"instance {instance.id}: ready task {missing} has no open index row")
    for extra in sorted(rows - ready):
        problems.append(f"instance {instance.id}: open index row {extra} is not a ready task")
    if instance.status == "running":
        expected = next_timer_at(loaded.workflow)
        if expected != instance.next_timer_at:
            problems.append(f"instance {instance.id}: next_timer_at {instance.next_timer_at} != {expected}")
    if instance.status == "running" and loaded.workflow.is_completed():
        problems.append(f"instance {instance.id}: workflow completed but instance is running")
    return problems


def check_all(session: Session, batch: int = 200) -> list[str]:
    """Every difference, instance by instance (loads each workflow: an operator's tool, not a list)."""
    problems: list[str] = []
    last_id = 0
    while True:
        instances = list(session.scalars(select(Instance).where(Instance.id > last_id)
                                         .order_by(Instance.id).limit(batch)))
        if not instances:
            return problems
        for instance in instances:
            problems.extend(check_instance(session, instance))
        last_id = instances[-1].id
        session.expunge_all()
