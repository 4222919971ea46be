"""Withdraw (撤回): the initiator takes back a case nobody has acted on; an approver takes back
their decision while the next step is untouched."""


from SpiffWorkflow.util.task import TaskState
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from config.operations import for_process
from engine.bpmn.resets import (
    fired_branch_running,
    in_running_workflow,
    reenter,
    reset_within,
)
from engine.collab import approvals
from engine.collab.delegation import INITIATOR_ROLE, admin_refusal
from engine.core import audit
from engine.core.errors import Conflict, Forbidden
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
from engine.operations.common import (
    comment_text,
    event_detail,
    touch,
    undo_data,
)
from engine.process.access import get_instance
from engine.process.kernel import advance, finish_step, load, task_uuid
from engine.process.task_index import get_task_row, ready_human_tasks


def anyone_acted(session: Session, instance: Instance) -> bool:
    """Whether anyone but the initiator has decided, voted or taken a delegation on the case."""
    return bool(session.scalar(select(
        exists().where(TaskRow.instance_id == instance.id, TaskRow.status == "completed",
                       TaskRow.role != INITIATOR_ROLE)
        | exists().where(ApprovalVote.instance_id == instance.id, ApprovalVote.decided_at.is_not(None))
        | exists().where(TaskDelegation.instance_id == instance.id))))


def _require_case_withdrawable(session: Session, actor: Actor, instance: Instance) -> None:
    if instance.status != "running":
        raise Conflict("流程已结束，不能撤回", code="instance_not_running")
    if instance.initiator != actor.username:
        raise Forbidden("只有发起人可以撤回案件", code="not_initiator")
    if not for_process("withdraw", instance.key).get("initiator"):
        raise Forbidden("此流程不允许撤回", code="withdraw_disabled")
    if anyone_acted(session, instance):
        raise Conflict("已有人处理此案件，不能撤回", code="already_decided")


def may_withdraw_case(session: Session, actor: Actor, instance: Instance) -> bool:
    """What `withdraw_case` would allow now: the initiator, before anyone acted, where the process allows it."""
    try:
        _require_case_withdrawable(session, actor, instance)
    except (Conflict, Forbidden):
        return False
    return True


def may_withdraw_decision(session: Session, actor: Actor, row: TaskRow, instance: Instance) -> bool:
    """Whether the page may offer `withdraw_task` on this completed step: the command's checks that
    need no workflow load (the decider, the process allows it, a single decision, nobody acted since)."""
    if not (row.status == "completed" and actor.username in (row.completed_by, row.on_behalf_of)
            and instance.status == "running" and row.role != INITIATOR_ROLE
            and for_process("withdraw", instance.key).get("approver")):
        return False
    try:
        _require_single_decision(session, row)
        _require_next_untouched(session, instance, row)
    except Conflict:
        return False
    return True


def _require_single_decision(session: Session, row: TaskRow) -> None:
    if session.scalar(select(ApprovalRound.id).where(ApprovalRound.task_id == row.id,
                                                     ApprovalRound.mode != "single").limit(1)):
        raise Conflict("会签、或签的结果不能由一人撤回", code="withdraw_not_supported")


@transactional
def withdraw_case(session: Session, actor: Actor, instance_id: int, reason: str = "") -> Instance:
    """The initiator takes the case back before anyone has decided on it: it ends as `withdrawn`."""
    reason = comment_text(reason, "reason", required=False)
    instance = get_instance(session, actor, instance_id)
    _require_case_withdrawable(session, actor, instance)
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
    reason = comment_text(reason, "reason", required=False)
    row = get_task_row(session, actor, task_id)
    if actor.is_admin and row.role != INITIATOR_ROLE and not actor.holds(row.role, row.org_path):
        raise admin_refusal(row)
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
    _require_single_decision(session, row)
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
    earlier = undo_data(instance, [row])
    holder = row.on_behalf_of or row.completed_by
    audit.record(session, actor.username, "task_withdrawn", instance_id=instance.id, task_id=row.id,
                 detail=event_detail(row, None, comment=reason or None, earlier=earlier))
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


def own_decided_vote(actor: Actor, votes: list[ApprovalVote]) -> ApprovalVote | None:
    """The actor's vote in an open round that they may still take back (撤回我的决定)."""
    return next((v for v in votes if actor.username in (v.decided_by, v.approver) and v.status in approvals.DECIDED),
                None)


def _withdraw_vote(session: Session, actor: Actor, row: TaskRow, instance: Instance, reason: str) -> Instance:
    approval_round = approvals.active_round(session, row.id)
    vote = own_decided_vote(actor, approvals.votes_of(session, approval_round)) if approval_round else None
    if vote is None:
        raise Conflict("此任务没有可撤回的决定", code="nothing_to_withdraw")
    vote.status, vote.data, vote.comment, vote.decided_at, vote.decided_by, vote.on_behalf_of = \
        "pending", None, None, None, None, None
    touch(instance)
    audit.record(session, actor.username, "vote_withdrawn", instance_id=instance.id, task_id=row.id,
                 detail=event_detail(row, None, comment=reason or None))
    instance.open_task_rows = list(session.scalars(select(TaskRow).where(
        TaskRow.instance_id == instance.id, TaskRow.status == "open")))
    return instance
