"""Return (退回): send a case back to an earlier step, redone from there, or to its initiator."""

import uuid
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
from engine.process.commands import complete_task
from engine.process.kernel import Loaded, advance, finish_step, load, ready_task
from engine.process.step_hooks import props_of
from engine.process.task_index import ready_human_tasks
from engine.workflow.definitions import start_form_name
from engine.workflow.forms import task_form


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
    by_decision = decision_returning_to(task_form(loaded.definition.forms, row.form_key), chosen["id"])
    if by_decision is not None:
        return _return_by_decision(session, actor, row, chosen, by_decision, reason, attachments)
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
        if previous is not None and previous.status == "completed":
            _keep_as_returned(session, previous)
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
    _tell_returned(session, actor, instance, row, chosen, reason)
    return instance


def _keep_as_returned(session: Session, row: TaskRow) -> None:
    """The step's row opens again under its id for the redo; what its handler did stays in their
    已处理 as a copy marked `returned` (已退回重办)."""
    columns = {c.key: getattr(row, c.key) for c in TaskRow.__table__.columns if c.key not in ("id", "status")}
    session.add(TaskRow(id=str(uuid.uuid4()), status="returned", **columns))


def decision_returning_to(form: dict[str, Any] | None, target: str) -> dict[str, Any] | None:
    """The decision a step's form keeps for the diagram's own way back to `target` (a choice marked
    `"x-return-to": target`), as the submission that takes it, the reason going to `x-reason-field`
    (default `comment`); None when the diagram has no such way and a return resets the case."""
    for key, prop in ((form or {}).get("properties") or {}).items():
        for option in (prop.get("oneOf") or []) if isinstance(prop, dict) else []:
            if isinstance(option, dict) and option.get("x-return-to") == target:
                return {key: option["const"], "_reason": option.get("x-reason-field", "comment")}
    return None


def _return_by_decision(session: Session, actor: Actor, row: TaskRow, chosen: dict[str, Any],
                        by_decision: dict[str, Any], reason: str, attachments: list[int] | None) -> Instance:
    """退回 where the diagram itself routes and counts returns (a gateway on the decision): the step is
    completed with that decision, so the diagram's limit holds; when the diagram does not go back
    (its limit reached) nothing is kept and the person is told to decide."""
    data = {k: v for k, v in by_decision.items() if k != "_reason"}
    data[by_decision["_reason"]] = reason
    previous = session.scalar(select(TaskRow).where(
        TaskRow.instance_id == row.instance_id, TaskRow.status == "completed", TaskRow.name == chosen["id"])
        .order_by(TaskRow.completed_at.desc()).limit(1))
    instance = complete_task(session, actor, row.id, data, attachments=attachments)
    # back at the step; for the initiator, at the diagram's own step for the author (修改后重新报审)
    reopened = session.scalar(select(TaskRow).where(
        TaskRow.instance_id == instance.id, TaskRow.status == "open",
        TaskRow.name == chosen["id"] if chosen["kind"] != INITIATOR_TARGET else TaskRow.name != row.name)
        .limit(1))
    if reopened is None or instance.status != "running":
        raise Conflict(f"「{chosen['title']}」的退回次数已达上限，不能再退回，请作出决定", code="return_limit_reached")
    earlier = undo_data(instance, [r for r in (previous, row) if r is not None]) \
        if chosen["kind"] != INITIATOR_TARGET else {}  # the author's step reads the reviewer's reason
    handler = (previous.on_behalf_of or previous.completed_by) if previous is not None else None
    if handler and reopened.assignee is None and reopened.name == chosen["id"]:
        reopened.assignee = still_holding(session, {reopened.id: handler}).get(reopened.id)
    audit.record(session, actor.username, "task_returned", instance_id=instance.id, task_id=row.id,
                 detail=event_detail(row, None, target=chosen["id"], target_title=chosen["title"], comment=reason,
                                     earlier=earlier, by_decision=True, opened=reopened.name))
    _tell_returned(session, actor, instance, row, chosen, reason)
    return instance


def _tell_returned(session: Session, actor: Actor, instance: Instance, row: TaskRow, chosen: dict[str, Any],
                   reason: str) -> None:
    people = [p for new in instance.open_task_rows for p in current_actors(session, new)]
    people += notifications.users_named(session, [instance.initiator])
    notifications.deliver(session, people, kind="returned", instance_id=instance.id, process_key=instance.key,
                          exclude=[actor.username],
                          message=f"「{notifications.case_name(session, instance.id)}」已由"
                                  f"{notifications.person_name(session, actor.username)}从「{row.title}」"
                                  f"退回至「{chosen['title']}」：{reason}")
