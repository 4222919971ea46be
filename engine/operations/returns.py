"""Return (退回): send a case back to an earlier step, redone from there, or to its initiator."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.operations import for_process
from engine.bpmn.resets import (
    completed_user_steps_before,
    element_id,
    park_at_start,
    reset_within,
)
from engine.collab import attachments as attachment_files
from engine.collab import notifications
from engine.collab.recipients import current_actors
from engine.core import audit
from engine.core.errors import Conflict, InvalidData
from engine.core.scope import Actor
from engine.core.transaction import transactional
from engine.models import (
    AuditEvent,
    Instance,
    TaskRow,
)
from engine.operations.common import (
    INITIATOR_TARGET,
    acting_row,
    comment_text,
    event_detail,
    still_holding,
    undo_data,
)
from engine.process.kernel import Loaded, advance, finish_step, load, ready_task
from engine.process.step_hooks import props_of
from engine.process.task_index import ready_human_tasks
from engine.workflow.definitions import start_form_name


def return_targets(loaded: Loaded, task: Any) -> list[dict[str, Any]]:
    """Where the step may be sent back: the diagram's `returnTargets` (element ids, `initiator`), or
    by default every completed user task before it in the same (sub)process and the initiator."""
    key = loaded.instance.key
    listed = props_of(task).get("returnTargets")
    allowed = None if listed is None else {x.strip() for x in listed.split(",") if x.strip()}
    targets: list[dict[str, Any]] = []
    if for_process("return_to_initiator", key) and (allowed is None or INITIATOR_TARGET in allowed):
        targets.append({"id": INITIATOR_TARGET, "title": "发起人", "kind": "initiator", "task": None})
    for step in completed_user_steps_before(task):
        if allowed is None or element_id(step) in allowed:
            targets.append({"id": element_id(step), "title": step.task_spec.bpmn_name or element_id(step),
                            "kind": "task", "task": step})
    return targets


def list_return_targets(session: Session, actor: Actor, task_id: str) -> list[dict[str, Any]]:
    row, _ = acting_row(session, actor, task_id)
    loaded = load(session, session.get(Instance, row.instance_id))
    return [{k: v for k, v in t.items() if k != "task"} for t in return_targets(loaded, ready_task(loaded, row.id))]


def _start_data(loaded: Loaded) -> dict[str, Any]:
    form = loaded.definition.forms.get(start_form_name(loaded.instance.key)) or {}
    keep = set((form.get("properties") or {}).keys()) | {"worker"}
    return {k: v for k, v in loaded.instance.data.items() if k in keep}


@transactional
def return_task(session: Session, actor: Actor, task_id: str, *, target: str, reason: str,
                attachments: list[int] | None = None) -> Instance:
    """退回: send the case back to an earlier step (redone from there) or to its initiator."""
    reason = comment_text(reason, "reason", required=True)
    row, acting = acting_row(session, actor, task_id)
    loaded = load(session, session.get(Instance, row.instance_id))
    instance = loaded.instance
    task = ready_task(loaded, row.id)
    limit = int(for_process("max_returns", instance.key))
    done = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.instance_id == instance.id, AuditEvent.type == "task_returned")) or 0
    if done >= limit:
        raise Conflict(f"本案件已退回 {done} 次，达到上限", code="return_limit_reached", details={"limit": limit})
    targets = return_targets(loaded, task)
    chosen = next((t for t in targets if t["id"] == target), None)
    if chosen is None:
        raise InvalidData("不能退回到该步骤", {"target": [f"可退回到：{', '.join(t['id'] for t in targets) or '无'}"]},
                          code="return_target_not_allowed")
    cited = attachment_files.bind(session, actor.username, row, attachments)
    assign: dict[str, str] = {}
    earlier: dict[str, Any] = {}
    if chosen["kind"] == INITIATOR_TARGET:
        park_at_start(loaded.workflow)
        instance.data = _start_data(loaded)
    else:
        step = chosen["task"]
        previous = session.get(TaskRow, str(step.id))
        undone = list(session.scalars(select(TaskRow).where(
            TaskRow.instance_id == instance.id, TaskRow.status == "completed",
            TaskRow.completed_at >= previous.completed_at))) if previous is not None else []
        reset_within(loaded.workflow, step)
        advance(loaded.workflow)
        earlier = undo_data(instance, undone)
        handler = (previous.on_behalf_of or previous.completed_by) if previous is not None else None
        for ready in ready_human_tasks(loaded.workflow):
            if element_id(ready) == chosen["id"] and ready.workflow is step.workflow and handler:
                assign[str(ready.id)] = handler
    audit.record(session, actor.username, "task_returned", instance_id=instance.id, task_id=row.id,
                 detail=event_detail(row, acting, target=chosen["id"], target_title=chosen["title"], comment=reason,
                                attachments=cited, earlier=earlier))
    finish_step(session, loaded, actor=actor.username, reopen=True, assign=still_holding(session, assign))
    people = [p for new in instance.open_task_rows for p in current_actors(session, new)]
    people += notifications.users_named(session, [instance.initiator])
    notifications.deliver(session, people, kind="returned", instance_id=instance.id, process_key=instance.key,
                          exclude=[actor.username],
                          message=f"「{notifications.case_name(session, instance.id)}」已由"
                                  f"{notifications.person_name(session, actor.username)}从「{row.title}」"
                                  f"退回至「{chosen['title']}」：{reason}")
    return instance
