"""Transfer (转办), delegate (委派) and hand back: a task changes hands, with the reason on the trail."""


from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.collab import approvals, notifications
from engine.collab import attachments as attachment_files
from engine.collab.delegation import Acting, eligible_user, pending_delegation
from engine.core import audit, clock
from engine.core.errors import Conflict, InvalidData
from engine.core.scope import Actor
from engine.core.transaction import transactional
from engine.models import (
    AuditEvent,
    Instance,
    TaskDelegation,
    TaskRow,
    User,
)
from engine.operations.common import acting_row, comment_text, event_detail, touch
from engine.process.task_index import get_task_row


def may_take_transfer(person: Actor, row: TaskRow) -> bool:
    """Whom a task may be transferred to (转办): a holder of its role at its unit or above."""
    return person.holds(row.role, row.org_path)


def may_take_delegation(person: Actor, row: TaskRow) -> bool:
    """Whom a task may be delegated to (委派): someone who sees its unit through a business role."""
    return person.staff_sees(row.org_path)


@transactional
def transfer_task(session: Session, actor: Actor, task_id: str, *, to: str, comment: str = "") -> TaskRow:
    """Hand one's task (or one's pending vote) to a colleague holding the same role in scope.

    An open task nobody has claimed yet may be handed on directly by a holder of its role, as in
    the approval tools people know: the hand-over then takes the task with the same conditional
    UPDATE a claim uses, so a colleague who claimed it a moment earlier wins and this one is
    refused (409 `task_already_claimed`) with nothing written."""
    comment = comment_text(comment, "comment", required=False)
    row, acting = acting_row(session, actor, task_id)
    target = eligible_user(session, to)
    if to in (actor.username, acting.principal):
        raise InvalidData("不能转办给自己", {"to": ["不能是本人"]}, code="transfer_to_self")
    if not may_take_transfer(target, row):
        raise InvalidData("接收人没有该任务的角色或不在其组织范围", {"to": [f"{to} 不能办理此任务"]},
                          code="transfer_target_not_eligible")
    if acting.vote is not None:
        if any(v.approver == to for v in approvals.votes_of(session, acting.round)):
            raise Conflict(f"{to} 已是本步骤的审批人", code="approver_already_present")
        acting.vote.approver = to
    elif acting.round is not None:
        raise Conflict("加签中的任务请先由加签人审批", code="waiting_for_added_approvers")
    elif row.assignee is None:
        _take_unclaimed(session, row, to)
    elif row.assignee != acting.principal:
        raise Conflict("任务已被他人认领", code="task_already_claimed")
    else:
        row.assignee = to
    _handed_over(session, actor, row, acting, to=to, comment=comment, event="task_transferred",
                 kind="transferred", notice="{who} 将「{task}」转办给您")
    return row


def _take_unclaimed(session: Session, row: TaskRow, to: str) -> None:
    taken = session.execute(
        update(TaskRow).where(TaskRow.id == row.id, TaskRow.status == "open", TaskRow.assignee.is_(None))
        .values(assignee=to).execution_options(synchronize_session=False))
    session.refresh(row)
    if taken.rowcount == 1:
        return
    if row.status != "open":
        raise Conflict("任务已被处理，未转办", code="task_not_open")
    raise Conflict(_taken_by_whom(session, row), code="task_already_claimed")


def _taken_by_whom(session: Session, row: TaskRow) -> str:
    """Who beat a hand-over to an unclaimed task: a colleague who claimed it, or one who transferred
    it (perhaps to the very person now refused), named as such."""
    won = session.scalar(select(AuditEvent).where(
        AuditEvent.task_id == row.id, AuditEvent.type.in_(("task_claimed", "task_transferred")))
        .order_by(AuditEvent.id.desc()).limit(1))
    if won is not None and won.type == "task_transferred":
        return (f"任务已由 {notifications.person_name(session, won.actor)} 转办给 "
                f"{notifications.person_name(session, row.assignee)}，未转办")
    who = won.actor if won is not None else row.assignee
    return f"任务已被 {notifications.person_name(session, who)} 认领，未转办"


def _handed_over(session: Session, actor: Actor, row: TaskRow, acting: Acting, *, to: str, comment: str,
                 event: str, kind: str, notice: str) -> None:
    """What every hand-over of a task records: the case touched (one writer at a time), the event in
    the trail, and a notice to the person it went to (`notice` names `{who}` and `{task}`)."""
    touch(session.get(Instance, row.instance_id))
    audit.record(session, actor.username, event, instance_id=row.instance_id, task_id=row.id,
                 detail=event_detail(row, acting, to=to, comment=comment))
    message = notice.format(who=notifications.person_name(session, acting.principal), task=row.title)
    notifications.notify_users(session, [to], kind=kind, instance_id=row.instance_id, task_id=row.id,
                               process_key=row.process_key,
                               message=f"{message}（{notifications.case_name(session, row.instance_id)}）"
                                       + (f"：{comment}" if comment else ""))


@transactional
def delegate_task(session: Session, actor: Actor, task_id: str, *, to: str, comment: str = "") -> TaskDelegation:
    """委派: someone in scope works the task and hands it back; the delegator then decides."""
    comment = comment_text(comment, "comment", required=False)
    row, acting = acting_row(session, actor, task_id)
    if acting.round is not None:
        raise Conflict("会签或加签中的任务不能委派", code="delegate_not_supported")
    target = eligible_user(session, to)
    if to in (actor.username, acting.principal):
        raise InvalidData("不能委派给自己", {"to": ["不能是本人"]}, code="delegate_to_self")
    if not may_take_delegation(target, row):
        raise InvalidData("被委派人不在此任务的组织范围内", {"to": [f"{to} 无权查看此任务"]},
                          code="delegate_out_of_scope")
    row.assignee = acting.principal  # it comes back to the delegator
    delegation = TaskDelegation(task_id=row.id, instance_id=row.instance_id, delegator=acting.principal,
                                delegate=to, status="pending", comment=comment, created_at=clock.now())
    session.add(delegation)
    _handed_over(session, actor, row, acting, to=to, comment=comment, event="task_delegated",
                 kind="delegated", notice="{who} 委派您办理「{task}」")
    return delegation


@transactional
def resolve_delegation(session: Session, actor: Actor, task_id: str, *, comment: str,
                       attachments: list[int] | None = None) -> TaskDelegation:
    """The delegate hands the task back with their opinion (and files); the delegator decides."""
    comment = comment_text(comment, "comment", required=True)
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
    touch(session.get(Instance, row.instance_id))
    audit.record(session, actor.username, "task_delegation_resolved", instance_id=row.instance_id, task_id=row.id,
                 detail=event_detail(row, None, to=delegation.delegator, comment=comment, attachments=cited))
    notifications.notify_users(session, [delegation.delegator], kind="delegation_resolved",
                               instance_id=row.instance_id, task_id=row.id,
                               message=f"{_name_of(session, actor.username)} 已办理您委派的「{row.title}」：{comment}")
    return delegation


def _name_of(session: Session, username: str) -> str:
    """The name the delegator knows the delegate by, for the bell text."""
    name = session.scalar(select(User.display_name).where(User.username == username))
    return name or "委派对象"
