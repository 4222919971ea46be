"""The everyday operations of an approval system on a running case: return (退回), withdraw (撤回),
transfer (转办), delegate (委派) and hand back, add approvers (加签).

Each one checks who may do it first (scope, role, claim, round), changes the workflow or the task
rows, writes the audit event with its comment and the notifications, and commits once
(`runtime.transactional`: any failure rolls everything back; a lost race on the case is a 409).
"""

from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from config.operations import for_process
from engine.bpmn.resets import (
    completed_user_steps_before,
    element_id,
    fired_branch_running,
    in_running_workflow,
    park_at_start,
    reenter,
    reset_within,
)
from engine.collab import approvals, notifications
from engine.collab import attachments as attachment_files
from engine.collab.delegation import INITIATOR_ROLE, Acting, acting_on, eligible_user, pending_delegation
from engine.collab.recipients import current_actors
from engine.core import audit, clock
from engine.core.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.core.scope import Actor
from engine.core.transaction import transactional
from engine.models import (
    ApprovalRound,
    ApprovalVote,
    AuditEvent,
    Instance,
    TaskDelegation,
    TaskRow,
    WorkerChange,
)
from engine.process.access import get_instance
from engine.process.kernel import Loaded, advance, finish_step, load, ready_task, task_uuid
from engine.process.step_hooks import props_of
from engine.process.task_index import get_task_row, ready_human_tasks
from engine.workflow.definitions import start_form_name

INITIATOR_TARGET = "initiator"


def _text(value: str | None, field: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidData("请填写理由", {field: ["必填"]}, code="comment_required")
    return text[:2000]


def _touch(instance: Instance) -> None:
    """One writer per case: a second operation racing this one fails on the lock version (409)."""
    instance.updated_at = clock.now()


def _acting_row(session: Session, actor: Actor, task_id: str) -> tuple[TaskRow, Acting]:
    row = get_task_row(session, actor, task_id)
    if row.role == INITIATOR_ROLE:
        raise Conflict("此任务等待发起人重新提交", code="task_awaits_initiator")
    return row, acting_on(session, actor, row)


def _detail(row: TaskRow, acting: Acting | None, **more: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {"name": row.name, "title": row.title}
    if acting is not None and acting.on_behalf_of:
        detail["on_behalf_of"] = acting.on_behalf_of
    detail.update({k: v for k, v in more.items() if v not in (None, [], "")})
    return detail


# --- return (退回) ------------------------------------------------------------------------------


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
    row, _ = _acting_row(session, actor, task_id)
    loaded = load(session, session.get(Instance, row.instance_id))
    return [{k: v for k, v in t.items() if k != "task"} for t in return_targets(loaded, ready_task(loaded, row.id))]


def _undo_data(instance: Instance, rows: list[TaskRow]) -> None:
    """Drop the submissions of steps that are undone from the case data the API shows."""
    data = dict(instance.data)
    for row in rows:
        if row.form_key:
            for key in (row.form_key, f"{row.form_key}_votes", f"{row.form_key}_attachments"):
                data.pop(key, None)
    instance.data = data


def _start_data(loaded: Loaded) -> dict[str, Any]:
    form = loaded.definition.forms.get(start_form_name(loaded.instance.key)) or {}
    keep = set((form.get("properties") or {}).keys()) | {"worker"}
    return {k: v for k, v in loaded.instance.data.items() if k in keep}


@transactional
def return_task(session: Session, actor: Actor, task_id: str, *, target: str, reason: str,
                attachments: list[int] | None = None) -> Instance:
    """退回: send the case back to an earlier step (redone from there) or to its initiator."""
    reason = _text(reason, "reason", required=True)
    row, acting = _acting_row(session, actor, task_id)
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
        _undo_data(instance, undone)
        handler = (previous.on_behalf_of or previous.completed_by) if previous is not None else None
        for ready in ready_human_tasks(loaded.workflow):
            if element_id(ready) == chosen["id"] and ready.workflow is step.workflow and handler:
                assign[str(ready.id)] = handler
    audit.record(session, actor.username, "task_returned", instance_id=instance.id, task_id=row.id,
                 detail=_detail(row, acting, target=chosen["id"], target_title=chosen["title"], comment=reason,
                                attachments=cited))
    finish_step(session, loaded, actor=actor.username, reopen=True, assign=_still_holding(session, assign))
    people = [p for new in instance.open_task_rows for p in current_actors(session, new)]
    people += notifications.users_named(session, [instance.initiator])
    notifications.deliver(session, people, kind="returned", instance_id=instance.id, process_key=instance.key,
                          exclude=[actor.username],
                          message=f"案件 #{instance.id}「{row.title}」退回至「{chosen['title']}」：{reason}")
    return instance


def _still_holding(session: Session, assign: dict[str, str]) -> dict[str, str]:
    """Give a reopened step back to its former handler only while they may still act on it."""
    kept = {}
    for task_id, username in assign.items():
        row = session.get(TaskRow, task_id)
        try:
            person = eligible_user(session, username)
        except InvalidData:
            continue
        if row is None or person.is_admin or person.holds(row.role, row.org_path):
            kept[task_id] = username
    return kept


# --- withdraw (撤回) ----------------------------------------------------------------------------


@transactional
def withdraw_case(session: Session, actor: Actor, instance_id: int, reason: str = "") -> Instance:
    """The initiator takes the case back before anyone has decided on it: it ends as `withdrawn`."""
    reason = _text(reason, "reason", required=False)
    instance = get_instance(session, actor, instance_id)
    if instance.status != "running":
        raise Conflict("流程已结束，不能撤回", code="instance_not_running")
    if instance.initiator != actor.username:
        raise Forbidden("只有发起人可以撤回案件", code="not_initiator")
    if not for_process("withdraw", instance.key).get("initiator"):
        raise Forbidden("此流程不允许撤回", code="withdraw_disabled")
    decided = session.scalar(select(
        exists().where(TaskRow.instance_id == instance.id, TaskRow.status == "completed",
                       TaskRow.role != INITIATOR_ROLE)
        | exists().where(ApprovalVote.instance_id == instance.id, ApprovalVote.decided_at.is_not(None))
        | exists().where(TaskDelegation.instance_id == instance.id)))
    if decided:
        raise Conflict("已有人处理此案件，不能撤回", code="already_decided")
    loaded = load(session, instance)
    loaded.workflow.cancel()
    instance.status = "cancelled"
    instance.outcome = "withdrawn"
    audit.record(session, actor.username, "instance_withdrawn", instance_id=instance.id,
                 detail={"comment": reason or None})
    finish_step(session, loaded, actor=actor.username, ended=True)
    return instance


@transactional
def withdraw_task(session: Session, actor: Actor, task_id: str, reason: str = "") -> Instance:
    """An approver takes back their own decision while the next step is untouched: the step is open
    again for them. In a round still open, their vote goes back to pending."""
    reason = _text(reason, "reason", required=False)
    row = get_task_row(session, actor, task_id)
    instance = session.get(Instance, row.instance_id)
    if row.status == "open":
        return _withdraw_vote(session, actor, row, instance, reason)
    if row.status != "completed" or row.role == INITIATOR_ROLE:
        raise Conflict("此任务没有可撤回的决定", code="nothing_to_withdraw")
    if actor.username not in (row.completed_by, row.on_behalf_of):
        raise Forbidden("只能撤回自己作出的决定", code="not_your_decision")
    if instance.status != "running":
        raise Conflict("流程已结束，不能撤回", code="instance_not_running")
    if not for_process("withdraw", instance.key).get("approver"):
        raise Forbidden("此流程不允许撤回", code="withdraw_disabled")
    if session.scalar(select(ApprovalRound.id).where(ApprovalRound.task_id == row.id,
                                                     ApprovalRound.mode != "single").limit(1)):
        raise Conflict("会签、或签的结果不能由一人撤回", code="withdraw_not_supported")
    _require_next_untouched(session, instance, row)
    loaded = load(session, instance)
    target = loaded.workflow.get_task_from_id(task_uuid(row.id))
    if target is None or target.state != TaskState.COMPLETED:
        raise Conflict("该步骤已不能撤回", code="next_step_acted")
    current = ready_human_tasks(loaded.workflow)
    if in_running_workflow(loaded.workflow, target, current):
        reset_within(loaded.workflow, target)
    else:
        if fired_branch_running(loaded.workflow, target):
            raise Conflict("时限事件的处理仍在进行，不能撤回", code="withdraw_blocked")
        reenter(loaded.workflow, target)
    advance(loaded.workflow)
    _undo_data(instance, [row])
    holder = row.on_behalf_of or row.completed_by
    audit.record(session, actor.username, "task_withdrawn", instance_id=instance.id, task_id=row.id,
                 detail=_detail(row, None, comment=reason or None))
    finish_step(session, loaded, actor=actor.username, reopen=True, assign={row.id: holder})
    return instance


ACTED = ("task_completed", "vote_cast", "task_claimed", "task_delegated", "task_transferred", "approvers_added",
         "task_returned", "instance_resubmitted", "task_delegation_resolved")


def _require_next_untouched(session: Session, instance: Instance, row: TaskRow) -> None:
    """Nobody acted on the case since this decision (trail order), and the decision changed no record."""
    decided = session.scalar(select(AuditEvent).where(
        AuditEvent.instance_id == instance.id, AuditEvent.task_id == row.id, AuditEvent.type == "task_completed")
        .order_by(AuditEvent.id.desc()).limit(1))
    if decided is None:
        raise Conflict("该步骤已不能撤回", code="next_step_acted")
    acted = session.scalar(select(AuditEvent.id).where(
        AuditEvent.instance_id == instance.id, AuditEvent.id > decided.id, AuditEvent.type.in_(ACTED)).limit(1))
    if acted is not None:
        raise Conflict("下一步已有人处理，不能撤回", code="next_step_acted")
    effects = session.scalar(select(WorkerChange.id).where(
        WorkerChange.source == f"{instance.key} #{instance.id}", WorkerChange.at >= decided.at).limit(1))
    if effects is not None:
        raise Conflict("此决定已变更人员档案，不能撤回", code="effects_applied")


def _withdraw_vote(session: Session, actor: Actor, row: TaskRow, instance: Instance, reason: str) -> Instance:
    approval_round = approvals.active_round(session, row.id)
    vote = None
    if approval_round is not None:
        vote = next((v for v in approvals.votes_of(session, approval_round)
                     if actor.username in (v.decided_by, v.approver) and v.status in approvals.DECIDED), None)
    if vote is None:
        raise Conflict("此任务没有可撤回的决定", code="nothing_to_withdraw")
    vote.status, vote.data, vote.comment, vote.decided_at, vote.decided_by, vote.on_behalf_of = \
        "pending", None, None, None, None, None
    _touch(instance)
    audit.record(session, actor.username, "vote_withdrawn", instance_id=instance.id, task_id=row.id,
                 detail=_detail(row, None, comment=reason or None))
    instance.open_task_rows = list(session.scalars(select(TaskRow).where(
        TaskRow.instance_id == instance.id, TaskRow.status == "open")))
    return instance


# --- transfer (转办), delegate (委派), add approvers (加签) ----------------------------------------


@transactional
def transfer_task(session: Session, actor: Actor, task_id: str, *, to: str, comment: str = "") -> TaskRow:
    """Hand one's claimed task (or one's pending vote) to a colleague holding the same role in scope."""
    comment = _text(comment, "comment", required=False)
    row, acting = _acting_row(session, actor, task_id)
    target = eligible_user(session, to)
    if to in (actor.username, acting.principal):
        raise InvalidData("不能转办给自己", {"to": ["不能是本人"]}, code="transfer_to_self")
    if not (target.is_admin or target.holds(row.role, row.org_path)):
        raise InvalidData("接收人没有该任务的角色或不在其组织范围", {"to": [f"{to} 不能办理此任务"]},
                          code="transfer_target_not_eligible")
    if acting.vote is not None:
        if any(v.approver == to for v in approvals.votes_of(session, acting.round)):
            raise Conflict(f"{to} 已是本步骤的审批人", code="approver_already_present")
        acting.vote.approver = to
    elif acting.round is not None:
        raise Conflict("加签中的任务请先由加签人审批", code="waiting_for_added_approvers")
    elif row.assignee != acting.principal:
        raise Conflict("请先认领任务再转办", code="task_not_claimed")
    else:
        row.assignee = to
    _touch(session.get(Instance, row.instance_id))
    audit.record(session, actor.username, "task_transferred", instance_id=row.instance_id, task_id=row.id,
                 detail=_detail(row, acting, to=to, comment=comment))
    notifications.notify_users(session, [to], kind="transferred", instance_id=row.instance_id, task_id=row.id,
                               process_key=row.process_key,
                               message=f"{acting.principal} 将「{row.title}」转办给您（案件 #{row.instance_id}）"
                                       + (f"：{comment}" if comment else ""))
    return row


@transactional
def delegate_task(session: Session, actor: Actor, task_id: str, *, to: str, comment: str = "") -> TaskDelegation:
    """委派: someone in scope works the task and hands it back; the delegator then decides."""
    comment = _text(comment, "comment", required=False)
    row, acting = _acting_row(session, actor, task_id)
    if acting.round is not None:
        raise Conflict("会签或加签中的任务不能委派", code="delegate_not_supported")
    target = eligible_user(session, to)
    if to in (actor.username, acting.principal):
        raise InvalidData("不能委派给自己", {"to": ["不能是本人"]}, code="delegate_to_self")
    if not target.sees_org(row.org_path):
        raise InvalidData("被委派人不在此任务的组织范围内", {"to": [f"{to} 无权查看此任务"]},
                          code="delegate_out_of_scope")
    row.assignee = acting.principal  # it comes back to the delegator
    delegation = TaskDelegation(task_id=row.id, instance_id=row.instance_id, delegator=acting.principal,
                                delegate=to, status="pending", comment=comment, created_at=clock.now())
    session.add(delegation)
    _touch(session.get(Instance, row.instance_id))
    audit.record(session, actor.username, "task_delegated", instance_id=row.instance_id, task_id=row.id,
                 detail=_detail(row, acting, to=to, comment=comment))
    notifications.notify_users(session, [to], kind="delegated", instance_id=row.instance_id, task_id=row.id,
                               process_key=row.process_key,
                               message=f"{acting.principal} 委派您办理「{row.title}」（案件 #{row.instance_id}）"
                                       + (f"：{comment}" if comment else ""))
    return delegation


@transactional
def resolve_delegation(session: Session, actor: Actor, task_id: str, *, comment: str,
                       attachments: list[int] | None = None) -> TaskDelegation:
    """The delegate hands the task back with their opinion (and files); the delegator decides."""
    comment = _text(comment, "comment", required=True)
    row = get_task_row(session, actor, task_id)
    if row.status != "open":
        raise Conflict("任务已被处理", code="task_not_open")
    delegation = pending_delegation(session, row.id)
    if delegation is None or delegation.delegate != actor.username:
        raise Conflict("此任务没有委派给您", code="not_delegated_to_you")
    cited = attachment_files.bind(session, actor.username, row, attachments)
    delegation.status = "resolved"
    delegation.reply = comment
    delegation.resolved_at = clock.now()
    _touch(session.get(Instance, row.instance_id))
    audit.record(session, actor.username, "task_delegation_resolved", instance_id=row.instance_id, task_id=row.id,
                 detail=_detail(row, None, to=delegation.delegator, comment=comment, attachments=cited))
    notifications.notify_users(session, [delegation.delegator], kind="delegation_resolved",
                               instance_id=row.instance_id, task_id=row.id,
                               message=f"{actor.username} 已办理您委派的「{row.title}」：{comment}")
    return delegation


@transactional
def add_approvers(session: Session, actor: Actor, task_id: str, *, users: list[str], position: str,
                  comment: str = "") -> list[ApprovalVote]:
    """加签: more approvers before or after this step's own decision."""
    comment = _text(comment, "comment", required=False)
    row, acting = _acting_row(session, actor, task_id)
    if acting.vote is not None and acting.vote.phase != "main":
        raise Forbidden("加签人不能再加签", code="not_allowed")
    names = list(dict.fromkeys(u.strip() for u in users if u and u.strip()))
    if not names:
        raise InvalidData("请选择加签人", {"users": ["至少一人"]})
    outside = []
    for name in names:
        person = eligible_user(session, name)
        if not person.sees_org(row.org_path):
            outside.append(name)
    if outside:
        raise InvalidData("加签人不在此任务的组织范围内", {"users": [f"{n} 无权查看此任务" for n in outside]},
                          code="approver_out_of_scope")
    approval_round, added = approvals.add_approvers(session, row, acting.round, adder=acting.principal,
                                                    usernames=names, position=position)
    outcome = approvals.evaluate(session, approval_round, approvals.votes_of(session, approval_round))
    _touch(session.get(Instance, row.instance_id))
    audit.record(session, actor.username, "approvers_added", instance_id=row.instance_id, task_id=row.id,
                 detail=_detail(row, acting, users=names, position=position, comment=comment))
    notifications.notify_users(session, outcome.asked, kind="vote", instance_id=row.instance_id, task_id=row.id,
                               process_key=row.process_key,
                               message=f"{acting.principal} 请您审批「{row.title}」（案件 #{row.instance_id}）")
    return added


def votes_for(session: Session, actor: Actor, task_id: str) -> tuple[ApprovalRound | None, list[ApprovalVote]]:
    """The task's current (or last) round and its votes, for whoever may see the case."""
    row = session.get(TaskRow, task_id)
    if row is None:
        raise NotFound("任务不存在", code="task_not_found")
    try:
        get_instance(session, actor, row.instance_id)
    except NotFound as exc:
        raise NotFound("任务不存在", code="task_not_found") from exc
    approval_round = session.scalar(select(ApprovalRound).where(ApprovalRound.task_id == row.id)
                                    .order_by(ApprovalRound.id.desc()).limit(1))
    return approval_round, approvals.votes_of(session, approval_round) if approval_round else []
