"""Start, complete, claim and cancel: each a guarded state change committed as one transaction.

Every function checks scope and rules first, then loads the workflow, advances it under the
restricted script engine and a time limit, applies the effects the diagram asked for, saves the
state with its lock version, syncs the task index and writes the audit event — then commits once.
"""

import copy
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import rules
from engine.bpmn.resets import parked_start
from engine.bpmn.store import STATE_FORMAT
from engine.collab import approvals, notifications
from engine.collab import attachments as attachment_files
from engine.collab.delegation import INITIATOR_ROLE, acting_on, pending_delegation, principals_of
from engine.core import audit, clock
from engine.core.calendar_store import session_calendar
from engine.core.errors import CaseMoved, Conflict, DomainError, Forbidden, InvalidData, NotFound
from engine.core.scope import Actor
from engine.core.transaction import in_transaction, transactional
from engine.core.words import case_title
from engine.models import Definition, Instance, OrgUnit, TaskRow, Worker
from engine.process import step_hooks
from engine.process.access import (
    CANCELLABLE,
    get_instance,
    may_cancel,
    may_start,
    require_actionable,
    require_separate_person,
)
from engine.process.kernel import (
    Loaded,
    advance,
    attach_effects,
    finish_step,
    load,
    ready_task,
    run_task,
)
from engine.process.task_index import get_task_row
from engine.records.workers import snapshot
from engine.workflow.definitions import definition_version, parsed_definition, start_form_name
from engine.workflow.forms import data_key, task_form, validate_submission


@transactional
def start_instance(session: Session, actor: Actor, key: str, *, org_code: str, data: dict[str, Any],
                   business_key: str | None = None) -> tuple[Instance, bool]:
    """Start a case; with a known business key, return the existing case instead (safe retries).

    The caller's scope is checked before the key is looked up, so a key cannot be used to probe
    units the caller has no business in."""
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
    if business_key:
        existing = _by_business_key(session, key, business_key)
        if existing is not None:
            return _retry_of(actor, existing), False
    form = definition.forms.get(start_form_name(key))
    data = validate_submission(form, data) if form else dict(data or {})
    if not may_start(actor, definition, org, data):
        if actor.is_admin:
            raise Forbidden("系统管理员不办理业务：此流程只能由持有发起角色的人员发起", code="admin_not_task_holder")
        raise Forbidden("您的角色不能发起此流程", code="not_allowed_to_start")
    try:
        enriched = rules.check_start(key, session, actor, org, data)
    except DomainError:
        # a concurrent start with the same business key may have won meanwhile: a retry of it
        # gets that case (docs/api.md, "Retrying safely"), not the rule's refusal
        if business_key:
            session.rollback()
            existing = _by_business_key(session, key, business_key)
            if existing is not None:
                return _retry_of(actor, existing), False
        raise
    now = clock.now()
    workflow = BpmnWorkflow(parsed_definition(definition).spec, parsed_definition(definition).subprocess_specs)
    effects = attach_effects(workflow, session)
    session_calendar(session)  # scripts and due dates count with every year loaded so far
    case_data = {**data, **enriched}
    workflow.get_tasks(state=TaskState.READY)[0].set_data(**case_data)
    advance(workflow)
    worker_id = data.get("worker_id") if isinstance(data.get("worker_id"), int) else None
    worker = session.get(Worker, worker_id) if worker_id is not None else None
    instance = Instance(
        definition_id=definition.id, key=key, version=definition.version, business_key=business_key,
        title=case_title(key, definition.name, case_data, worker.name if worker is not None else None),
        org_code=org.code, org_path=org.path, status="running", initiator=actor.username, worker_id=worker_id,
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
        return _retry_of(actor, existing), False
    audit.record(session, actor.username, "instance_started", instance_id=instance.id,
                 detail={"key": key, "version": definition.version, "business_key": business_key})
    finish_step(session, Loaded(instance, definition, workflow, effects), actor=actor.username, org=org)
    return instance, True


def _retry_of(actor: Actor, existing: Instance) -> Instance:
    """The case a retry gets back, when the caller sees it; a key used by a case the caller cannot
    see is refused without a word about that case (docs/api.md, "Retrying safely")."""
    if actor.sees_instance(existing):
        return existing
    raise InvalidData("该业务编号不可用，请使用其他编号", {"business_key": ["不可用，请使用其他编号"]},
                      code="business_key_unavailable")


def _by_business_key(session: Session, key: str, business_key: str) -> Instance | None:
    return session.scalar(select(Instance).where(Instance.key == key, Instance.business_key == business_key))


def complete_task(session: Session, actor: Actor, task_id: str, data: dict[str, Any], *,
                  attachments: list[int] | None = None) -> Instance:
    """Submit a task's form: guarded (state, role in scope, claim, lock version), then advanced.

    In an approval round (会签/或签/加签) the submission is one approver's vote, and the engine
    moves only once the round's rule is met; a proxy acts on behalf of the task's holder; a case
    returned to its initiator is submitted again through its start form.

    When another request saved the case first (a timer, a vote, a cancel) nothing was kept. If the
    task is gone, that is `task_not_open`; if it is still open and the case's data is as this
    submission found it (a timer only moved the workflow on), the same submission is tried once
    more, every guard judged again; otherwise `case_moved` asks the user to look and try again."""
    if in_transaction():
        return _complete_task(session, actor, task_id, data, attachments=attachments)
    found: dict[str, Any] = {}  # the case's data as the attempt loaded it, before any change
    try:
        return _complete_task(session, actor, task_id, data, attachments=attachments, found=found)
    except CaseMoved as moved:
        _refuse_unless_retryable(session, task_id, found.get("data"), moved)
    try:
        return _complete_task(session, actor, task_id, data, attachments=attachments)
    except CaseMoved as moved:
        _refuse_unless_retryable(session, task_id, found.get("data"), moved)
        raise


def _case_data(session: Session, task_id: str) -> Any:
    """The case's data as stored now (None for an unknown task)."""
    return session.scalar(select(Instance.data).join(TaskRow, TaskRow.instance_id == Instance.id)
                          .where(TaskRow.id == task_id))


def _refuse_unless_retryable(session: Session, task_id: str, found: Any, moved: CaseMoved) -> None:
    """After a lost save: `task_not_open` when the task is gone, `case_moved` when the case's data
    changed meanwhile; returns (a retry is safe) only while neither happened."""
    status = session.scalar(select(TaskRow.status).where(TaskRow.id == task_id))
    if status != "open":
        raise Conflict("任务已被他人处理，请刷新后查看", code="task_not_open") from moved
    if _case_data(session, task_id) != found:
        raise moved
    session.rollback()  # these reads end here: a retry starts a transaction of its own


@transactional
def _complete_task(session: Session, actor: Actor, task_id: str, data: dict[str, Any], *,
                   attachments: list[int] | None = None, found: dict[str, Any] | None = None) -> Instance:
    row = get_task_row(session, actor, task_id)
    if row.role == INITIATOR_ROLE:
        return _resubmit(session, actor, row, data, attachments)
    acting = acting_on(session, actor, row)
    loaded = load(session, session.get(Instance, row.instance_id))
    if found is not None:
        found["data"] = copy.deepcopy(loaded.instance.data)
    require_separate_person(session, row, {actor.username, acting.on_behalf_of}, loaded.definition)
    data = _validated(loaded, row, data)
    rules.check_completion(row.process_key, session, actor, row, loaded.instance.data, data)
    task = ready_task(loaded, task_id)
    key = data_key(row)
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
                                       message=f"待您审批：「{row.title}」（{notifications.case_name(session, row.instance_id)}）")
            loaded.instance.open_task_rows = step_hooks.open_rows(session, row.instance_id)
            return loaded.instance
        data = outcome.data or data
        extra[f"{key}_votes"] = approvals.summary(votes)
    run_task(session, loaded, row, task, data, extra, actor=actor.username, on_behalf_of=acting.on_behalf_of,
             cited=cited, mode=acting.round.mode if acting.round is not None else None)
    return loaded.instance


def _validated(loaded: Loaded, row: TaskRow, data: dict[str, Any]) -> dict[str, Any]:
    schema = task_form(loaded.definition.forms, row.form_key)
    if schema is not None:
        return validate_submission(schema, data)
    if data:
        raise InvalidData("此任务没有表单，不接受数据", {k: ["表单中没有此字段"] for k in data})
    return data


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
        data = validate_submission(form, {**given, **(data or {})})
    if instance.worker_id is not None and data.get("worker_id") != instance.worker_id:
        raise InvalidData("不能更改案件对应的人员", {"worker_id": ["不能更改"]}, code="field_immutable")
    enriched = rules.check_resubmission(instance.key, session, instance, data)
    if instance.worker_id is not None and "worker" in instance.data:
        worker = session.get(Worker, instance.worker_id)
        enriched = {**enriched, "worker": snapshot(worker)} if worker is not None else enriched
    case_data = {**data, **enriched}
    cited = attachment_files.bind(session, actor.username, row, attachments)
    advance(loaded.workflow, lambda: start.set_data(**case_data))
    instance.data = case_data
    audit.record(session, actor.username, "instance_resubmitted", instance_id=instance.id, task_id=row.id,
                 detail={"name": row.name, "title": row.title, "attachments": cited})
    finish_step(session, loaded, actor=actor.username, completed_task_id=row.id, reopen=True)
    return instance


@transactional
def claim_task(session: Session, actor: Actor, task_id: str) -> TaskRow:
    """Take an open task for oneself (or for the one a proxy stands in for).

    The claim is one conditional UPDATE (only while the task is open and unclaimed, or already
    the holder's): of several people claiming at the same moment exactly one wins, and the others
    are told at once that someone else holds it, not later when they try to complete."""
    row = get_task_row(session, actor, task_id)
    try:
        holder = _claimant(session, actor, row)
    except Forbidden as refusal:
        if refusal.code != "task_claimed_by_other":
            raise
        raise Conflict("任务已被他人认领", code="task_already_claimed") from refusal
    require_separate_person(session, row, {actor.username, holder})
    if row.role == INITIATOR_ROLE:
        raise Conflict("此任务只属于发起人", code="task_not_claimable")
    if pending_delegation(session, row.id) is not None:
        raise Conflict("任务已委派他人办理", code="task_delegated")
    if row.assignee != holder:
        _take_claim(session, row, holder)
    audit.record(session, actor.username, "task_claimed", instance_id=row.instance_id, task_id=row.id,
                 detail={"on_behalf_of": holder} if holder != actor.username else None)
    return row


def _claimant(session: Session, actor: Actor, row: TaskRow) -> str:
    try:
        require_actionable(actor, row)
        return actor.username
    except NotFound:
        return acting_on(session, actor, row).principal  # a proxy claims for the one they stand in for


def _take_claim(session: Session, row: TaskRow, holder: str) -> None:
    taken = session.execute(
        update(TaskRow).where(TaskRow.id == row.id, TaskRow.status == "open",
                              or_(TaskRow.assignee.is_(None), TaskRow.assignee == holder))
        .values(assignee=holder).execution_options(synchronize_session=False))
    session.refresh(row)
    if taken.rowcount == 1:
        return
    if row.status != "open":
        raise Conflict("任务已被处理", code="task_not_open")
    raise Conflict("任务已被他人认领", code="task_already_claimed")


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
    return row


@transactional
def cancel_instance(session: Session, actor: Actor, instance_id: int, reason: str) -> Instance:
    instance = get_instance(session, actor, instance_id)
    if not reason or not reason.strip():
        raise InvalidData("请填写撤销原因", {"reason": ["必填"]})
    if instance.status not in CANCELLABLE:
        raise Conflict("流程已结束，不能撤销", code="instance_not_running")
    if not may_cancel(actor, instance):
        if actor.is_admin:
            raise Forbidden("系统管理员不办理业务：办理中的案件由发起人、街道领导或区民政局撤销；"
                            "系统管理员只能撤销出错（异常）的案件", code="admin_not_task_holder")
        raise Forbidden("您不能撤销此流程", code="not_allowed_to_cancel")
    loaded = load(session, instance)
    loaded.workflow.cancel()
    instance.status = "cancelled"
    instance.outcome = "cancelled"
    finish_step(session, loaded, actor=actor.username, ended=True)
    audit.record(session, actor.username, "instance_cancelled", instance_id=instance.id,
                 detail={"reason": reason.strip()})
    return instance


