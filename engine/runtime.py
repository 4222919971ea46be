"""Start, complete, claim and cancel: each a guarded state change committed as one transaction.

Every function checks scope and rules first, then loads the workflow, advances it under the
restricted script engine and a time limit, applies the effects the diagram asked for, saves the
state with its lock version, syncs the task index and writes the audit event — then commits once.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from config.roles import role_for_lane

from . import approvals, audit, clock, notifications, rules, step_hooks
from . import attachments as attachment_files
from .compaction import compact
from .definitions import definition_version, form_key, parsed_definition, start_form_name
from .delegation import INITIATOR_ROLE, acting_on, pending_delegation, principals_of
from .effects import StepEffects
from .errors import Conflict, DomainError, EngineFailure, Forbidden, InvalidData, NotFound
from .forms import validate_submission
from .models import Definition, Instance, Notification, OrgUnit, TaskRow, Worker
from .resets import parked_start
from .scope import Actor, get_org, lifted_unit
from .scripting import ScriptError, deadline, make_script_engine
from .store import STATE_FORMAT, dump_state, load_state
from .tasks import get_task_row, sync_task_index
from .workdays import CalendarYearMissing
from .workers import change_status, snapshot

STEP_SECONDS = 5.0
T = TypeVar("T")


def transactional(fn: Callable[..., T]) -> Callable[..., T]:
    """Roll back everything on any failure; a lost optimistic-lock race becomes a 409."""

    @functools.wraps(fn)
    def wrapper(session: Session, *args: Any, **kwargs: Any) -> T:
        try:
            return fn(session, *args, **kwargs)
        except StaleDataError as exc:
            session.rollback()
            raise Conflict("任务已被他人处理，请刷新后查看", code="task_not_open") from exc
        except BaseException:
            session.rollback()
            raise

    return wrapper


@dataclass
class Loaded:
    instance: Instance
    definition: Definition
    workflow: BpmnWorkflow
    effects: StepEffects


def _attach(workflow: BpmnWorkflow) -> StepEffects:
    """Attach a fresh restricted script engine; the engine is never serialised, so always."""
    effects = StepEffects()
    workflow.script_engine = make_script_engine(effects.functions())
    return effects


def _advance(workflow: BpmnWorkflow, step: Any = None) -> None:
    """Run `step` and the engine steps after it under one deadline, checked between steps too
    (the caps on computed instance counts and timers sit in the script engine and the parsed specs)."""
    try:
        with deadline(STEP_SECONDS) as step_deadline:
            if step is not None:
                step()
            workflow.do_engine_steps(will_complete_task=step_deadline.check)
    except (SpiffWorkflowException, ScriptError, CalendarYearMissing, ValueError, TypeError,
            KeyError, ArithmeticError) as exc:
        raise EngineFailure(f"流程执行出错：{exc}", details={"error": type(exc).__name__}) from exc


def may_start(actor: Actor, definition: Definition, org: OrgUnit, data: dict[str, Any]) -> bool:
    if actor.is_admin:
        return True
    parsed = parsed_definition(definition)
    start_roles = {role.key for spec in parsed.spec.task_specs.values()
                   if type(spec).__name__ == "StartEvent" and (role := role_for_lane(spec.lane))}
    if any(actor.holds(role, org.path) for role in start_roles):
        return True
    for role, allowed in rules.EXTRA_STARTERS.get(definition.key, {}).items():
        if role in actor.roles() and allowed(actor, data):
            return True
    return False


@transactional
def start_instance(session: Session, actor: Actor, key: str, *, org_code: str, data: dict[str, Any],
                   business_key: str | None = None) -> tuple[Instance, bool]:
    """Start a case; with a known business key, return the existing case instead (safe retries)."""
    if business_key:
        existing = _by_business_key(session, key, business_key)
        if existing is not None:
            if not actor.sees_org(existing.org_path):
                raise Conflict("业务编号已被使用", code="business_key_taken")
            return existing, False
    # only the newest version's id and checksum: the version itself (BPMN, forms) comes from the
    # process cache, unless a rolled-back deploy left another version under that id (SQLite reuses ids)
    newest = session.execute(select(Definition.id, Definition.checksum).where(Definition.key == key)
                             .order_by(Definition.version.desc()).limit(1)).first()
    if newest is None:
        raise NotFound(f"流程 {key} 未部署", code="process_not_found")
    definition = definition_version(session, newest.id, key=key, checksum=newest.checksum)
    org = session.get(OrgUnit, org_code) if org_code else None
    if org is None or not actor.placed_at(org.path):
        raise InvalidData("组织单位不存在或不在您的管辖范围", {"org": ["未知的组织单位"]}, code="org_not_found")
    form = definition.forms.get(start_form_name(key))
    data = validate_submission(form, data, form_name=start_form_name(key)) if form else dict(data or {})
    if not may_start(actor, definition, org, data):
        raise Forbidden("您的角色不能发起此流程", code="not_allowed_to_start")
    try:
        enriched = rules.check_start(key, session, actor, org, data)
    except DomainError:
        # a concurrent start with the same business key may have won meanwhile: a retry of it
        # gets that case (api-contract.md: safe retries), not the rule's refusal
        if business_key:
            session.rollback()
            existing = _by_business_key(session, key, business_key)
            if existing is not None and actor.sees_instance(existing):
                return existing, False
        raise
    now = clock.now()
    workflow = BpmnWorkflow(parsed_definition(definition).spec, parsed_definition(definition).subprocess_specs)
    effects = _attach(workflow)
    case_data = {**data, **enriched}
    workflow.get_tasks(state=TaskState.READY)[0].set_data(**case_data)
    _advance(workflow)
    instance = Instance(
        definition_id=definition.id, key=key, version=definition.version, business_key=business_key,
        org_code=org.code, org_path=org.path, status="running", initiator=actor.username,
        worker_id=data.get("worker_id") if isinstance(data.get("worker_id"), int) else None,
        data=case_data, state=b"", state_format=STATE_FORMAT, created_at=now, updated_at=now,
    )
    session.add(instance)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        existing = _by_business_key(session, key, business_key) if business_key else None
        if existing is None:
            raise
        return existing, False
    audit.record(session, actor.username, "instance_started", instance_id=instance.id,
                 detail={"key": key, "version": definition.version, "business_key": business_key})
    _finish_step(session, Loaded(instance, definition, workflow, effects), actor=actor.username, org=org)
    _commit(session)
    return instance, True


def _by_business_key(session: Session, key: str, business_key: str) -> Instance | None:
    return session.scalar(select(Instance).where(Instance.key == key, Instance.business_key == business_key))


def load(session: Session, instance: Instance) -> Loaded:
    definition = definition_version(session, instance.definition_id, key=instance.key, version=instance.version)
    workflow = load_state(instance.state, parsed_definition(definition), instance.state_format)
    effects = _attach(workflow)
    return Loaded(instance, definition, workflow, effects)


@transactional
def complete_task(session: Session, actor: Actor, task_id: str, data: dict[str, Any], *,
                  attachments: list[int] | None = None) -> Instance:
    """Submit a task's form: guarded (state, role in scope, claim, lock version), then advanced.

    In an approval round (会签/或签/加签) the submission is one approver's vote, and the engine
    moves only once the round's rule is met; a proxy acts on behalf of the task's holder; a case
    returned to its initiator is submitted again through its start form."""
    row = get_task_row(session, actor, task_id)
    if row.role == INITIATOR_ROLE:
        return _resubmit(session, actor, row, data, attachments)
    acting = acting_on(session, actor, row)
    loaded = load(session, session.get(Instance, row.instance_id))
    data = _validated(loaded, row, data)
    rules.check_completion(row.process_key, session, actor, row, loaded.instance.data, data)
    task = _ready_task(loaded, task_id)
    key = row.form_key or form_key(row.name)
    cited = attachment_files.bind(session, actor.username, row, attachments)
    extra: dict[str, Any] = {f"{key}_attachments": [a["id"] for a in cited]} if cited else {}
    if acting.round is not None:
        vote = approvals.record(session, acting.round, acting.vote, approver=acting.principal,
                                decided_by=actor.username, on_behalf_of=acting.on_behalf_of, data=data)
        votes = approvals.votes_of(session, acting.round)
        outcome = approvals.evaluate(session, acting.round, votes)
        audit.record(session, actor.username, "vote_cast", instance_id=row.instance_id, task_id=task_id,
                     detail={"name": row.name, "title": row.title, "phase": vote.phase,
                             "decision": data.get("decision"), "comment": data.get("comment"),
                             "on_behalf_of": acting.on_behalf_of, "attachments": cited})
        if not outcome.done:
            loaded.instance.updated_at = clock.now()  # one writer per case: concurrent votes meet the lock
            notifications.notify_users(session, outcome.asked, kind="vote", instance_id=row.instance_id,
                                       task_id=task_id, process_key=row.process_key,
                                       message=f"待您审批：「{row.title}」（案件 #{row.instance_id}）")
            loaded.instance.open_task_rows = step_hooks.open_rows(session, row.instance_id)
            _commit(session)
            return loaded.instance
        data = outcome.data or data
        extra[f"{key}_votes"] = approvals.summary(votes)
    run_task(session, loaded, row, task, data, extra, actor=actor.username, on_behalf_of=acting.on_behalf_of,
             cited=cited, mode=acting.round.mode if acting.round is not None else None)
    _commit(session)
    return loaded.instance


def _validated(loaded: Loaded, row: TaskRow, data: dict[str, Any]) -> dict[str, Any]:
    form_name = f"{row.form_key}.json" if row.form_key else None
    schema = loaded.definition.forms.get(form_name) if form_name else None
    if schema is not None:
        return validate_submission(schema, data, form_name=form_name)
    if data:
        raise InvalidData("此任务没有表单，不接受数据", {k: ["表单中没有此字段"] for k in data})
    return data


def _ready_task(loaded: Loaded, task_id: str) -> Any:
    task = loaded.workflow.get_task_from_id(_uuid(task_id))
    if task is None or task.state != TaskState.READY:
        raise Conflict("任务已不再待办", code="task_not_open")
    return task


def run_task(session: Session, loaded: Loaded, row: TaskRow, task: Any, data: dict[str, Any],
             extra: dict[str, Any], *, actor: str, on_behalf_of: str | None = None,
             cited: list[dict[str, Any]] | None = None, mode: str | None = None) -> None:
    """Submit `data` to the READY task, advance, apply effects, sync the index, write the trail."""
    key = row.form_key or form_key(row.name)

    def submit() -> None:
        task.set_data(**{key: data, **extra})
        task.run()

    _advance(loaded.workflow, submit)
    loaded.instance.data = {**loaded.instance.data, key: data, **extra}
    detail = {"name": row.name, "title": row.title, "decision": data.get("decision"), "comment": data.get("comment")}
    if on_behalf_of:
        detail["on_behalf_of"] = on_behalf_of
    if cited:
        detail["attachments"] = cited
    if mode:
        detail["approval_mode"] = mode
    audit.record(session, actor, "task_completed", instance_id=row.instance_id, task_id=row.id, detail=detail)
    _finish_step(session, loaded, actor=actor, completed_task_id=row.id, on_behalf_of=on_behalf_of)


def _resubmit(session: Session, actor: Actor, row: TaskRow, data: dict[str, Any],
              attachments: list[int] | None) -> Instance:
    """The initiator submits a returned case again (退回发起人): start form, then onward from the start."""
    if row.status != "open":
        raise Conflict("任务已被处理", code="task_not_open")
    if row.assignee != actor.username:
        raise Forbidden("只有发起人可以重新提交", code="not_initiator")
    loaded = load(session, session.get(Instance, row.instance_id))
    instance = loaded.instance
    start = parked_start(loaded.workflow)
    if start is None:
        raise Conflict("任务已不再待办", code="task_not_open")
    form = loaded.definition.forms.get(start_form_name(instance.key))
    if form is not None:
        fields = set((form.get("properties") or {}).keys())
        given = {k: v for k, v in instance.data.items() if k in fields}
        data = validate_submission(form, {**given, **(data or {})}, form_name=start_form_name(instance.key))
    if instance.worker_id is not None and data.get("worker_id") != instance.worker_id:
        raise InvalidData("不能更改案件对应的人员", {"worker_id": ["不能更改"]}, code="field_immutable")
    enriched = {}
    if instance.worker_id is not None and "worker" in instance.data:
        worker = session.get(Worker, instance.worker_id)
        enriched = {"worker": snapshot(worker)} if worker is not None else {}
    case_data = {**data, **enriched}
    cited = attachment_files.bind(session, actor.username, row, attachments)
    _advance(loaded.workflow, lambda: start.set_data(**case_data))
    instance.data = case_data
    audit.record(session, actor.username, "instance_resubmitted", instance_id=instance.id, task_id=row.id,
                 detail={"name": row.name, "title": row.title, "attachments": cited})
    _finish_step(session, loaded, actor=actor.username, completed_task_id=row.id, reopen=True)
    _commit(session)
    return instance


def _require_actionable(actor: Actor, row: TaskRow) -> None:
    if row.status != "open":
        raise Conflict("任务已被处理", code="task_not_open")
    if not (actor.is_admin or actor.holds(row.role, row.org_path)):
        raise NotFound("任务不存在", code="task_not_found")
    if row.assignee is not None and row.assignee != actor.username:
        raise Forbidden("任务已被他人认领", code="task_claimed_by_other")


def _uuid(task_id: str) -> UUID:
    try:
        return UUID(task_id)
    except ValueError as exc:
        raise NotFound("任务不存在", code="task_not_found") from exc


@transactional
def claim_task(session: Session, actor: Actor, task_id: str) -> TaskRow:
    row = get_task_row(session, actor, task_id)
    try:
        _require_actionable(actor, row)
        holder = actor.username
    except NotFound:
        holder = acting_on(session, actor, row).principal  # a proxy claims for the one they stand in for
    if row.role == INITIATOR_ROLE:
        raise Conflict("此任务只属于发起人", code="task_not_claimable")
    if pending_delegation(session, row.id) is not None:
        raise Conflict("任务已委派他人办理", code="task_delegated")
    row.assignee = holder
    audit.record(session, actor.username, "task_claimed", instance_id=row.instance_id, task_id=row.id,
                 detail={"on_behalf_of": holder} if holder != actor.username else None)
    _commit(session)
    return row


@transactional
def unclaim_task(session: Session, actor: Actor, task_id: str) -> TaskRow:
    row = get_task_row(session, actor, task_id)
    if row.status != "open":
        raise Conflict("任务已被处理", code="task_not_open")
    if row.assignee is None:
        return row
    if row.role == INITIATOR_ROLE:
        raise Conflict("此任务只属于发起人", code="task_not_claimable")
    if row.assignee != actor.username and not actor.is_admin and not any(
            p.username == row.assignee for p in principals_of(session, actor, row.process_key)):
        raise Forbidden("任务由他人认领", code="task_claimed_by_other")
    if pending_delegation(session, row.id) is not None:
        raise Conflict("任务已委派他人，不能退回认领", code="task_delegated")
    row.assignee = None
    audit.record(session, actor.username, "task_unclaimed", instance_id=row.instance_id, task_id=row.id)
    _commit(session)
    return row


def get_instance(session: Session, actor: Actor, instance_id: int) -> Instance:
    instance = session.get(Instance, instance_id)
    if instance is None or not actor.sees_instance(instance):
        raise NotFound("流程实例不存在", code="instance_not_found")
    return instance


CANCEL_ROLES = ("admin", "street_leader", "district_civil_affairs")


@transactional
def cancel_instance(session: Session, actor: Actor, instance_id: int, reason: str) -> Instance:
    instance = get_instance(session, actor, instance_id)
    if not reason or not reason.strip():
        raise InvalidData("请填写撤销原因", {"reason": ["必填"]})
    if instance.status != "running":
        raise Conflict("流程已结束，不能撤销", code="instance_not_running")
    if not (instance.initiator == actor.username
            or any(actor.holds(role, instance.org_path) for role in CANCEL_ROLES) or actor.is_admin):
        raise Forbidden("您不能撤销此流程", code="not_allowed_to_cancel")
    loaded = load(session, instance)
    loaded.workflow.cancel()
    instance.status = "cancelled"
    instance.outcome = "cancelled"
    _finish_step(session, loaded, actor=actor.username, ended=True)
    audit.record(session, actor.username, "instance_cancelled", instance_id=instance.id,
                 detail={"reason": reason.strip()})
    _commit(session)
    return instance


@transactional
def fire_timers(session: Session, instance: Instance, *, actor: str = "timer") -> bool:
    """Fire what is due on one instance (the clock says when); True when anything moved."""
    moved = apply_due_timers(session, instance, actor=actor)
    _commit(session)
    return moved


def apply_due_timers(session: Session, instance: Instance, *, actor: str = "timer") -> bool:
    """`fire_timers` without the commit or the rollback, so the timer worker can fire a batch in
    one transaction with a savepoint per instance; the caller commits or rolls back."""
    loaded = load(session, instance)
    before = instance.next_timer_at
    _advance(loaded.workflow, loaded.workflow.refresh_timers)
    _finish_step(session, loaded, actor=actor)
    audit.record(session, actor, "timer_fired", instance_id=instance.id,
                 detail={"due_at": before.isoformat() if before else None})
    return True


def _finish_step(session: Session, loaded: Loaded, *, actor: str, completed_task_id: str | None = None,
                 org: OrgUnit | None = None, on_behalf_of: str | None = None, reopen: bool = False,
                 ended: bool = False, assign: dict[str, str] | None = None) -> None:
    """Effects, state, timers, task index, then what follows a step (rounds, deadlines, notices).

    `reopen` after a reset (a task id may come back); `ended` when the caller ended the case;
    `assign` gives reopened tasks back to the person who handled them before."""
    instance, workflow, effects = loaded.instance, loaded.workflow, loaded.effects
    now = clock.now()
    fresh = not instance.state  # a case's first step: it has no task rows to read yet
    _apply_effects(session, instance, effects, actor=actor)
    if instance.status == "running" and workflow.is_completed():
        instance.status = "completed"
        instance.completed_at = now
        instance.outcome = effects.outcome or instance.outcome or "completed"
        ended = True
    elif effects.outcome:
        instance.outcome = effects.outcome
    compact(workflow)  # F3: long-lived cases keep a small task tree
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


def _apply_effects(session: Session, instance: Instance, effects: StepEffects, *, actor: str) -> None:
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
        session.add(Notification(created_at=clock.now(), instance_id=instance.id, role=role,
                                 org_code=unit.code, org_path=unit.path, kind="process", message=message))
        notifications.notify_role(session, role, unit.path, kind="process", instance_id=instance.id,
                                  message=message)
        audit.record(session, actor, "notified", instance_id=instance.id,
                     detail={"role": role, "org": unit.code, "message": message})


def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest moment a waiting timer of this workflow becomes due."""
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
    return min(moments) if moments else None


def _commit(session: Session) -> None:
    session.commit()
