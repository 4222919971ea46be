"""The step kernel every command shares: load a case, advance its workflow under the sandbox and a
deadline, apply the effects its scripts asked for, save the state, sync the task index."""


from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.bpmn.compaction import compact
from engine.bpmn.effects import StepEffects
from engine.bpmn.resets import parked_start
from engine.bpmn.returned_lapse import returned_lapse_at, returned_lapse_due
from engine.bpmn.scripting import ScriptError, deadline, make_script_engine
from engine.bpmn.store import dump_state
from engine.bpmn.timer_clock import fire_due_timers
from engine.collab import notifications
from engine.core import audit, clock
from engine.core.calendar_store import session_calendar
from engine.core.errors import Conflict, EngineFailure, NotFound
from engine.core.scope import get_org, lifted_unit
from engine.models import Definition, Instance, OrgUnit, TaskRow, Worker
from engine.process import step_hooks
from engine.process.task_index import sync_task_index
from engine.records.workers import change_status
from engine.rules import resignation
from engine.workflow.forms import data_key
from engine.workflow.instances import definition_of, restore

STEP_SECONDS = 5.0


@dataclass
class Loaded:
    instance: Instance
    definition: Definition
    workflow: BpmnWorkflow
    effects: StepEffects


def attach_effects(workflow: BpmnWorkflow, session: Session) -> StepEffects:
    """Attach a fresh restricted script engine; the engine is never serialised, so always.
    Its `standing_bars` helper reads the worker record through this session."""
    effects = StepEffects(bars_of=lambda worker_id: resignation.standing_bars(session, worker_id, lock=True))
    workflow.script_engine = make_script_engine(effects.functions())
    return effects


def advance(workflow: BpmnWorkflow, step: Any = None) -> None:
    """Run `step` and the engine steps after it under one deadline, checked between steps too
    (the caps on computed instance counts and timers sit in the script engine and the parsed specs)."""
    try:
        with deadline(STEP_SECONDS) as step_deadline:
            if step is not None:
                step()
            workflow.do_engine_steps(will_complete_task=step_deadline.check)
    except (SpiffWorkflowException, ScriptError, ValueError, TypeError,
            KeyError, ArithmeticError) as exc:
        where = _element_of(exc)
        raise EngineFailure(f"流程执行出错（元素 {where}）：{exc}" if where else f"流程执行出错：{exc}",
                            details={"error": type(exc).__name__, "element": where}) from exc


def _element_of(exc: BaseException) -> str | None:
    """The BPMN element whose script or expression failed, so an administrator knows where to look."""
    task = getattr(exc, "task", None)
    spec = getattr(task, "task_spec", None) or getattr(exc, "task_spec", None)
    return getattr(spec, "bpmn_id", None) or getattr(exc, "element_id", None)


def load(session: Session, instance: Instance) -> Loaded:
    session_calendar(session)  # scripts and due dates count with every year loaded so far
    definition = definition_of(session, instance)
    workflow = restore(session, instance, definition)
    effects = attach_effects(workflow, session)
    return Loaded(instance, definition, workflow, effects)


def ready_task(loaded: Loaded, task_id: str) -> Any:
    task = loaded.workflow.get_task_from_id(task_uuid(task_id))
    if task is None or task.state != TaskState.READY:
        raise Conflict("任务已不再待办", code="task_not_open")
    return task


def task_uuid(task_id: str) -> UUID:
    try:
        return UUID(task_id)
    except ValueError as exc:
        raise NotFound("任务不存在", code="task_not_found") from exc


def run_task(session: Session, loaded: Loaded, row: TaskRow, task: Any, data: dict[str, Any],
             extra: dict[str, Any], *, actor: str, on_behalf_of: str | None = None,
             cited: list[dict[str, Any]] | None = None, mode: str | None = None) -> None:
    """Submit `data` to the READY task, advance, apply effects, sync the index, write the trail."""
    key = data_key(row)

    def submit() -> None:
        task.set_data(**{key: data, **extra})
        task.run()

    advance(loaded.workflow, submit)
    loaded.instance.data = {**loaded.instance.data, key: data, **extra}
    detail = {"name": row.name, "title": row.title, "decision": data.get("decision"), "comment": data.get("comment")}
    if on_behalf_of:
        detail["on_behalf_of"] = on_behalf_of
    if cited:
        detail["attachments"] = cited
    if mode:
        detail["approval_mode"] = mode
    audit.record(session, actor, "task_completed", instance_id=row.instance_id, task_id=row.id, detail=detail)
    finish_step(session, loaded, actor=actor, completed_task_id=row.id, on_behalf_of=on_behalf_of)


def apply_due_timers(session: Session, instance: Instance, *, actor: str = "timer") -> bool:
    """Fire what is due on one instance (a timer whose moment is now counts), without a commit:
    the timer worker fires a batch in one transaction with a savepoint per instance; the caller
    commits or rolls back. Returns whether a timer fired; `timer_fired` is recorded only then.

    A case waiting with its initiator is only resumed once its `returnedLapseAt` has come: stepping
    it otherwise would run its start event as if the initiator had submitted it again."""
    loaded = load(session, instance)
    workflow = loaded.workflow
    before = instance.next_timer_at
    if parked_start(workflow) is not None:
        fired = returned_lapse_due(workflow)
        if fired:
            advance(workflow)
    else:
        outcome: list[bool] = []
        advance(workflow, lambda: outcome.append(fire_due_timers(workflow)))
        fired = any(outcome)
    finish_step(session, loaded, actor=actor)
    if not fired:
        return False
    audit.record(session, actor, "timer_fired", instance_id=instance.id,
                 detail={"due_at": before.isoformat() if before else None})
    return True


def finish_step(session: Session, loaded: Loaded, *, actor: str, completed_task_id: str | None = None,
                 org: OrgUnit | None = None, on_behalf_of: str | None = None, reopen: bool = False,
                 ended: bool = False, assign: dict[str, str] | None = None) -> None:
    """Effects, state, timers, task index, then what follows a step (rounds, deadlines, notices).

    `reopen` after a reset (a task id may come back); `ended` when the caller ended the case;
    `assign` gives reopened tasks back to the person who handled them before."""
    instance, workflow, effects = loaded.instance, loaded.workflow, loaded.effects
    now = clock.now()
    fresh = not instance.state  # a case's first step: it has no task rows to read yet
    apply_effects(session, instance, effects, actor=actor)
    if instance.status == "running" and workflow.is_completed():
        instance.status = "completed"
        instance.completed_at = now
        instance.outcome = effects.outcome or instance.outcome or "completed"
        ended = True
    elif effects.outcome:
        instance.outcome = effects.outcome
    compact(workflow)  # long-lived cases keep a small task tree
    instance.state = dump_state(workflow)
    instance.next_timer_at = next_timer_at(workflow) if instance.status == "running" else None
    instance.updated_at = now
    changes: dict[str, list[TaskRow]] = {}
    # kept on the object for this request, so the answer needs no second query
    instance.open_task_rows = sync_task_index(session, instance, workflow, actor=actor,
                                              completed_task_id=completed_task_id, org=org,
                                              on_behalf_of=on_behalf_of, reopen=reopen, fresh=fresh,
                                              changes=changes)
    for row in changes["opened"]:
        if assign and assign.get(row.id):
            row.assignee = assign[row.id]
    step_hooks.after_step(session, instance, workflow, actor=actor, opened=changes["opened"],
                          closed=changes["closed"], finished=ended, reopened=reopen)


def apply_effects(session: Session, instance: Instance, effects: StepEffects, *, actor: str) -> None:
    for worker_id, status, only_from in effects.worker_status:
        worker = session.get(Worker, worker_id)
        if worker is None:
            raise EngineFailure(f"流程要求变更的档案 {worker_id} 不存在")
        if only_from and worker.status not in only_from:
            audit.record(session, actor, "worker_status_kept", instance_id=instance.id,
                         detail={"worker_id": worker_id, "status": worker.status, "asked": status})
            continue
        change_status(session, worker, status, actor=actor, source=f"{instance.key} #{instance.id}")
    org = None
    for role, message in effects.notifications:
        org = org or get_org(session, instance.org_code)
        unit = lifted_unit(org, role)
        notifications.notify_role(session, role, unit.path, kind="process", instance_id=instance.id,
                                  message=message)
        audit.record(session, actor, "notified", instance_id=instance.id,
                     detail={"role": role, "org": unit.code, "message": message})


def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest moment a waiting timer of this workflow becomes due (or a case waiting with its
    initiator lapses)."""
    moments = []
    for event in workflow.waiting_events():
        if "Timer" not in event.event_type and "TimeDate" not in event.event_type:
            continue
        value = event.value
        if isinstance(value, dict):
            value = value.get("next")
        if value is None:
            continue
        moment = value if isinstance(value, datetime) else TimerEventDefinition.get_datetime(str(value))
        moments.append(moment)
    returned_lapse = returned_lapse_at(workflow)
    if returned_lapse is not None:
        moments.append(returned_lapse)
    return min(moments) if moments else None


