"""Who is to act on an open task right now: the people a reminder, an urge or a new-task notice reaches."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.collab.notifications import Recipient, role_holders, users_named
from engine.models import ApprovalRound, ApprovalVote, TaskDelegation, TaskRow


def current_actors(session: Session, row: TaskRow) -> list[Recipient]:
    """The delegate while delegated; else the approvers whose turn it is; else the assignee; else
    every holder of the task's role at its unit or above."""
    delegate = session.scalar(select(TaskDelegation.delegate).where(TaskDelegation.task_id == row.id,
                                                                    TaskDelegation.status == "pending"))
    if delegate:
        return users_named(session, [delegate])
    voters = list(session.scalars(
        select(ApprovalVote.approver).join(ApprovalRound, ApprovalRound.id == ApprovalVote.round_id)
        .where(ApprovalRound.task_id == row.id, ApprovalRound.status == "open", ApprovalVote.status == "pending")))
    if voters:
        return users_named(session, voters)
    if row.assignee:
        return users_named(session, [row.assignee])
    return role_holders(session, row.role, row.org_path)
