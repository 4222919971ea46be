"""What follows every step, in its transaction: approval rounds for tasks that ask for one, deadlines,
notifications (new tasks, decisions, the end of a case) and the diagram's copies (抄送).

`kernel.finish_step` calls `after_step` once the task index is in step with the workflow.
"""

from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.collab import approvals, deadlines, notifications
from engine.collab.copies import copy_case, recipients_for_spec
from engine.collab.delegation import INITIATOR_ROLE
from engine.collab.notifications import notify_role, notify_users
from engine.core import audit
from engine.core.words import OUTCOME_WORDS
from engine.models import Definition, Instance, TaskDeadline, TaskDelegation, TaskRow
from engine.workflow.forms import decision_label


def props_of(task: Any) -> dict[str, str]:
    return (getattr(task.task_spec, "extensions", None) or {}).get("properties", {}) or {}


def after_step(session: Session, instance: Instance, workflow: Any, *, actor: str,
               opened: list[TaskRow], closed: list[TaskRow], finished: bool, reopened: bool = False) -> None:
    # the initiator hears of decisions and of the end, except of what they did themselves
    tell_initiator = instance.initiator != actor
    for row in closed:
        if row.status == "completed":
            _clear_deadline(session, row)
            _completed(session, instance, workflow, row, actor, tell_initiator)
        else:
            _close(session, row)
    for row in opened:
        _opened(session, instance, workflow, row, reopened)
    if finished and tell_initiator:
        word = OUTCOME_WORDS.get(instance.outcome or "", instance.outcome or instance.status)
        notify_users(session, [instance.initiator], kind="finished", instance_id=instance.id,
                     message=f"您发起的「{notifications.case_name(session, instance.id)}」已办结：{word}")


def _clear_deadline(session: Session, row: TaskRow) -> None:
    """A task done or gone is neither reminded nor escalated: one UPDATE, no read of its deadline first."""
    if row.due_at is None:
        return
    session.execute(update(TaskDeadline).where(TaskDeadline.task_id == row.id)
                    .values(remind_at=None, escalate_at=None))


def _close(session: Session, row: TaskRow) -> None:
    """A task taken away (returned, withdrawn, cancelled): its round, delegation and deadline end."""
    approvals.close_rounds(session, row.id)
    session.execute(update(TaskDelegation).where(TaskDelegation.task_id == row.id, TaskDelegation.status == "pending")
                    .values(status="cancelled"))
    _clear_deadline(session, row)


def _completed(session: Session, instance: Instance, workflow: Any, row: TaskRow, actor: str,
               tell_initiator: bool) -> None:
    if row.role == INITIATOR_ROLE:
        return
    if tell_initiator:  # names are looked up only for the notice that uses them
        data = (instance.data or {}).get(row.form_key or "", {}) if row.form_key else {}
        definition = session.get(Definition, instance.definition_id)
        decision = decision_label(definition.forms if definition else None, row.form_key,
                                  data.get("decision") if isinstance(data, dict) else None)
        by = notifications.person_name(session, actor)
        if row.on_behalf_of:
            by = f"{by} 代 {notifications.person_name(session, row.on_behalf_of)}"
        notify_users(session, [instance.initiator], kind="decision", instance_id=instance.id, task_id=row.id,
                     message=f"您发起的「{notifications.case_name(session, instance.id)}」：「{row.title}」{decision}（{by}）")
    task = workflow.get_task_from_id(UUID(row.id)) if instance.state else None
    spec = props_of(task).get("cc") if task is not None else None
    if spec:
        copy_case(session, instance, recipients_for_spec(session, instance, spec), copied_by=actor,
                  task_id=row.id, note=f"「{row.title}」")


def _opened(session: Session, instance: Instance, workflow: Any, row: TaskRow, reopened: bool) -> None:
    deadlines.schedule(session, row, new=not reopened)
    if row.role == INITIATOR_ROLE:
        notify_users(session, [row.assignee], kind="resubmit", instance_id=instance.id, task_id=row.id,
                     message=f"「{notifications.case_name(session, instance.id)}」已退回给您，请修改后重新提交")
        return
    task = workflow.get_task_from_id(UUID(row.id))
    props = props_of(task)
    approvers: list[str] = []
    mode = None
    try:
        mode = approvals.parse_mode(props.get("approvalMode"))
        if mode is not None:
            approvers = approvals.resolve_approvers(session, row, props.get("approvers"), task.data)
    except ValueError as exc:
        audit.record(session, "system", "approval_round_invalid", instance_id=instance.id, task_id=row.id,
                     detail={"error": str(exc)[:200]})
        mode = None
    text = f"新待办：「{row.title}」（{notifications.case_name(session, instance.id)}）"
    if mode is not None and approvers:
        approvals.open_round(session, row, mode[0], mode[1], approvers)
        audit.record(session, "system", "approval_round_opened", instance_id=instance.id, task_id=row.id,
                     detail={"name": row.name, "mode": mode[0], "ratio": mode[1], "approvers": approvers})
        notify_users(session, approvers, kind="vote", instance_id=instance.id, task_id=row.id,
                     process_key=instance.key, message=text)
    elif row.assignee:
        notify_users(session, [row.assignee], kind="task", instance_id=instance.id, task_id=row.id,
                     process_key=instance.key, message=text)
    else:
        notify_role(session, row.role, row.org_path, kind="task", instance_id=instance.id, task_id=row.id,
                    process_key=instance.key, message=text)


def open_rows(session: Session, instance_id: int) -> list[TaskRow]:
    return list(session.scalars(select(TaskRow).where(TaskRow.instance_id == instance_id, TaskRow.status == "open")))
