"""Approval rounds on one user task: countersign (会签, all), any-one-of (或签), ratio, and added
approvers (加签) before or after the step's own decision.

A diagram asks for a round with user-task properties:
- `approvalMode`: `all` | `any` | `ratio:0.6` (approved once that share of the approvers approved);
- `approvers`: `role` (default: every holder of the task's role at its unit or above),
  `users:li,wang` (named users), or `data:key` (a list of user names in the case data).
The BPMN task stays one task; each approver is a row here, and the task is submitted to the engine
once the rule is met. Added approvers: `before` ones decide before the step's own approvers,
`after` ones after an approval; a rejection (or return) by any of them decides the step.
"""

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.collab.notifications import role_holders, users_named
from engine.core import clock
from engine.core.errors import Conflict, InvalidData
from engine.models import ApprovalRound, ApprovalVote, TaskRow

DECIDED = {"approved", "rejected", "returned"}
NEGATIVE = {"rejected", "returned"}
OPEN = {"waiting", "pending"}
DECISION_STATUS = {"approve": "approved", "reject": "rejected", "return": "returned"}


def parse_mode(value: str | None) -> tuple[str, float | None] | None:
    """`all`, `any` or `ratio:0.6` → (mode, ratio); None when the task asks for no round."""
    if not value:
        return None
    text = value.strip().lower()
    if text in ("all", "any"):
        return text, None
    if text.startswith("ratio:"):
        ratio = float(text[6:])
        if not 0 < ratio <= 1:
            raise ValueError(f"approval ratio must be in (0, 1], got {ratio}")
        return "ratio", ratio
    raise ValueError(f"unknown approvalMode '{value}'")


def resolve_approvers(session: Session, row: TaskRow, spec_value: str | None, data: dict[str, Any]) -> list[str]:
    """The user names a task's `approvers` property names, in a stable order, without repeats."""
    value = (spec_value or "role").strip()
    if value == "role":
        names = [r.username for r in role_holders(session, row.role, row.org_path)]
    elif value.startswith("users:"):
        names = [r.username for r in users_named(session, [n.strip() for n in value[6:].split(",") if n.strip()])]
    elif value.startswith("data:"):
        listed = data.get(value[5:].strip()) or []
        names = [r.username for r in users_named(session, [str(n) for n in listed if n])]
    else:
        raise ValueError(f"unknown approvers '{value}'")
    return list(dict.fromkeys(names))


def open_round(session: Session, row: TaskRow, mode: str, ratio: float | None, approvers: list[str]) -> ApprovalRound:
    now = clock.now()
    approval_round = ApprovalRound(task_id=row.id, instance_id=row.instance_id, mode=mode, ratio=ratio,
                                   status="open", created_at=now)
    session.add(approval_round)
    session.flush()
    for name in approvers:
        session.add(ApprovalVote(round_id=approval_round.id, task_id=row.id, instance_id=row.instance_id,
                                 approver=name, phase="main", status="pending", created_at=now))
    return approval_round


def active_round(session: Session, task_id: str) -> ApprovalRound | None:
    return session.scalar(select(ApprovalRound).where(ApprovalRound.task_id == task_id,
                                                      ApprovalRound.status == "open"))


def votes_of(session: Session, approval_round: ApprovalRound) -> list[ApprovalVote]:
    return list(session.scalars(select(ApprovalVote).where(ApprovalVote.round_id == approval_round.id)
                                .order_by(ApprovalVote.id)))


def close_rounds(session: Session, task_id: str) -> None:
    """The task went away (returned, withdrawn, cancelled): its open round and votes end unused."""
    for approval_round in session.scalars(select(ApprovalRound).where(ApprovalRound.task_id == task_id,
                                                                      ApprovalRound.status == "open")):
        approval_round.status = "closed"
        approval_round.closed_at = clock.now()
        for vote in votes_of(session, approval_round):
            if vote.status in OPEN:
                vote.status = "cancelled"


def single_main_open(approval_round: ApprovalRound, votes: list[ApprovalVote]) -> bool:
    """A plain task with added approvers: the step's own approver may decide now."""
    return (approval_round.mode == "single"
            and not any(v.phase == "before" and v.status in OPEN for v in votes)
            and not any(v.phase == "main" for v in votes))


@dataclass
class Outcome:
    """Where a round stands after a change: still waiting (with who was just asked), or decided."""

    done: bool = False
    data: dict[str, Any] | None = None
    decisive: ApprovalVote | None = None
    asked: list[str] = field(default_factory=list)


def _main_result(approval_round: ApprovalRound, main: list[ApprovalVote]) -> tuple[str, ApprovalVote | None]:
    """'approved', 'negative' or 'waiting', with the vote that decided."""
    decided = sorted((v for v in main if v.status in DECIDED), key=lambda v: (v.decided_at, v.id))
    approved = [v for v in decided if v.status == "approved"]
    negative = [v for v in decided if v.status in NEGATIVE]
    mode = approval_round.mode
    if mode in ("single", "any"):
        if not decided:
            return "waiting", None
        return ("approved" if decided[0].status == "approved" else "negative"), decided[0]
    if mode == "all":
        if negative:
            return "negative", negative[0]
        return ("approved", approved[-1]) if len(approved) == len(main) else ("waiting", None)
    needed = max(1, math.ceil(approval_round.ratio * len(main) - 1e-9))
    if len(approved) >= needed:
        return "approved", approved[-1]
    if len(main) - len(negative) < needed:
        return "negative", negative[-1]
    return "waiting", None


def evaluate(session: Session, approval_round: ApprovalRound, votes: list[ApprovalVote]) -> Outcome:
    """Apply the round's rule; activate the next phase's approvers when one phase is through."""
    outcome = Outcome()
    for vote in votes:
        if vote.phase != "main" and vote.status in NEGATIVE:
            return _finish(approval_round, votes, vote)
    before = [v for v in votes if v.phase == "before"]
    if any(v.status in OPEN for v in before):
        outcome.asked = _activate(before)
        return outcome
    main = [v for v in votes if v.phase == "main"]
    if approval_round.mode != "single":
        outcome.asked = _activate(main)
    result, decisive = _main_result(approval_round, main)
    if result == "negative":
        return _finish(approval_round, votes, decisive)
    if result == "waiting":
        return outcome
    after = [v for v in votes if v.phase == "after"]
    if any(v.status in OPEN for v in after):
        outcome.asked = _activate(after)
        return outcome
    return _finish(approval_round, votes, decisive)


def _activate(votes: list[ApprovalVote]) -> list[str]:
    asked = []
    for vote in votes:
        if vote.status == "waiting":
            vote.status = "pending"
            asked.append(vote.approver)
    return asked


def _finish(approval_round: ApprovalRound, votes: list[ApprovalVote], decisive: ApprovalVote) -> Outcome:
    for vote in votes:
        if vote.status in OPEN:
            vote.status = "skipped"
    approval_round.status = "closed"
    approval_round.closed_at = clock.now()
    return Outcome(done=True, data=dict(decisive.data or {}), decisive=decisive)


def record(session: Session, approval_round: ApprovalRound, vote: ApprovalVote | None, *, approver: str,
           decided_by: str, on_behalf_of: str | None, data: dict[str, Any]) -> ApprovalVote:
    """Store one decision; a plain task's own approver gets their main-phase row now."""
    now = clock.now()
    if vote is None:
        vote = ApprovalVote(round_id=approval_round.id, task_id=approval_round.task_id,
                            instance_id=approval_round.instance_id, approver=approver, phase="main",
                            status="pending", created_at=now)
        session.add(vote)
    vote.status = DECISION_STATUS.get(str(data.get("decision", "approve")), "approved")
    vote.data = dict(data)
    vote.comment = data.get("comment") if isinstance(data.get("comment"), str) else None
    vote.decided_by = decided_by
    vote.on_behalf_of = on_behalf_of
    vote.decided_at = now
    session.flush()
    return vote


def add_approvers(session: Session, row: TaskRow, approval_round: ApprovalRound | None, *, adder: str,
                  usernames: list[str], position: str) -> tuple[ApprovalRound, list[ApprovalVote]]:
    """加签: new approvers before or after the step's own decision; nobody twice in one round."""
    if position not in ("before", "after"):
        raise InvalidData("加签位置只能是 before 或 after", {"position": ["应为 before 或 after"]})
    now = clock.now()
    if approval_round is None:
        approval_round = ApprovalRound(task_id=row.id, instance_id=row.instance_id, mode="single",
                                       status="open", created_at=now)
        session.add(approval_round)
        session.flush()
    votes = votes_of(session, approval_round)
    present = {v.approver for v in votes}
    duplicates = sorted(set(usernames) & (present | {adder}))
    if duplicates:
        raise Conflict(f"{'、'.join(duplicates)} 已是本步骤的审批人", code="approver_already_present",
                       details={"users": duplicates})
    if position == "before" and any(v.phase == "main" and v.status in DECIDED for v in votes) \
            and approval_round.mode in ("single", "any"):
        raise Conflict("本步骤已作出决定，不能前加签", code="step_already_decided")
    added = []
    for name in dict.fromkeys(usernames):
        vote = ApprovalVote(round_id=approval_round.id, task_id=row.id, instance_id=row.instance_id,
                            approver=name, phase=position, status="waiting", added_by=adder, created_at=now)
        session.add(vote)
        added.append(vote)
    if position == "before":
        for vote in votes:
            if vote.phase == "main" and vote.status == "pending":
                vote.status = "waiting"
    session.flush()
    return approval_round, added


def summary(votes: list[ApprovalVote]) -> list[dict[str, Any]]:
    """The round as the case data and the trail keep it."""
    return [{"approver": v.approver, "phase": v.phase, "status": v.status,
             "decision": (v.data or {}).get("decision"), "comment": v.comment, "decided_by": v.decided_by,
             "on_behalf_of": v.on_behalf_of, "decided_at": v.decided_at.isoformat() if v.decided_at else None}
            for v in votes]
