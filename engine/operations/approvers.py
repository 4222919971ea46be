"""Add approvers (加签) to a task's approval round, and read the round's votes."""


from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.collab import approvals, notifications
from engine.collab.delegation import eligible_user
from engine.core import audit
from engine.core.errors import Forbidden, InvalidData, NotFound
from engine.core.scope import Actor
from engine.core.transaction import transactional
from engine.models import (
    ApprovalRound,
    ApprovalVote,
    Instance,
    TaskRow,
)
from engine.operations.common import acting_row, comment_text, event_detail, touch
from engine.process.access import get_instance


def may_approve(person: Actor, row: TaskRow) -> bool:
    """Who may be added as an approver (加签): someone who sees the task's unit through a business role."""
    return person.staff_sees(row.org_path)


@transactional
def add_approvers(session: Session, actor: Actor, task_id: str, *, users: list[str], position: str,
                  comment: str = "") -> list[ApprovalVote]:
    """加签: more approvers before or after this step's own decision."""
    comment = comment_text(comment, "comment", required=False)
    row, acting = acting_row(session, actor, task_id)
    if acting.vote is not None and acting.vote.phase != "main":
        raise Forbidden("加签人不能再加签", code="not_allowed")
    names = list(dict.fromkeys(u.strip() for u in users if u and u.strip()))
    if not names:
        raise InvalidData("请选择加签人", {"users": ["至少一人"]})
    outside = []
    for name in names:
        person = eligible_user(session, name)
        if not may_approve(person, row):
            outside.append(name)
    if outside:
        raise InvalidData("加签人不在此任务的组织范围内", {"users": [f"{n} 无权查看此任务" for n in outside]},
                          code="approver_out_of_scope")
    approval_round, added = approvals.add_approvers(session, row, acting.round, adder=acting.principal,
                                                    usernames=names, position=position)
    outcome = approvals.evaluate(session, approval_round, approvals.votes_of(session, approval_round))
    touch(session.get(Instance, row.instance_id))
    audit.record(session, actor.username, "approvers_added", instance_id=row.instance_id, task_id=row.id,
                 detail=event_detail(row, acting, users=names, position=position, comment=comment))
    notifications.notify_users(session, outcome.asked, kind="vote", instance_id=row.instance_id, task_id=row.id,
                               process_key=row.process_key,
                               message=f"{notifications.person_name(session, acting.principal)} 请您审批「{row.title}」"
                                       f"（{notifications.case_name(session, row.instance_id)}）")
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
