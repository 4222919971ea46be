"""What a user may do next on a task or a case (退回 转办 委派 加签 撤回 催办 抄送 附件), read before a
page is drawn: who may act and with whose authority, the round, the people a task may go to, the
files, the predicted path. The answers come from the same rules the operations apply.

Nothing here changes anything; each operation decides again when it is posted, so an offer that
has become stale meanwhile is refused there with its message.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.collab import approvals, copies
from engine.collab.delegation import INITIATOR_ROLE, Acting, acting_on, pending_delegation
from engine.collab.notifications import ancestors, role_holders
from engine.core.errors import DomainError
from engine.core.scope import Actor
from engine.models import (
    ApprovalRound,
    ApprovalVote,
    Attachment,
    AuditEvent,
    CaseCopy,
    Instance,
    OrgUnit,
    RoleAssignment,
    TaskDelegation,
    TaskRow,
    User,
)
from engine.operations import handover, returns, withdraw
from engine.operations.approvers import may_approve
from engine.process.access import require_separate_person
from engine.process.task_index import may_open_task
from engine.reads import prediction

log = logging.getLogger("cwflow.engine")
Person = tuple[str, str]  # (username, display name)


@dataclass
class TaskOps:
    """The operations the page offers on one task to the signed-in user."""

    acting: Acting | None = None
    refusal: str | None = None  # why the user cannot act on the open task now
    delegation: TaskDelegation | None = None
    round: ApprovalRound | None = None
    votes: list[ApprovalVote] = field(default_factory=list)
    return_targets: list[dict[str, Any]] = field(default_factory=list)
    transfer_to: list[Person] = field(default_factory=list)
    delegate_to: list[Person] = field(default_factory=list)
    approver_candidates: list[Person] = field(default_factory=list)
    may_withdraw_vote: bool = False
    may_withdraw_decision: bool = False
    may_urge: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    citable: list[Attachment] = field(default_factory=list)
    may_upload: bool = False

    @property
    def can_act(self) -> bool:
        return self.acting is not None

    def names(self) -> set[str]:
        """Everyone the panels name, for their display names."""
        found = {v.approver for v in self.votes} | {v.decided_by or "" for v in self.votes}
        found |= {a.uploaded_by for a in self.attachments}
        found |= {t.get("handler") or "" for t in self.return_targets}
        found |= {name for name, _ in self.transfer_to}
        if self.delegation is not None:
            found |= {self.delegation.delegator, self.delegation.delegate}
        return found

    @property
    def delegated_to_me(self) -> bool:
        return self.delegation is not None and self.acting is None and self.refusal is None


@dataclass
class CaseOps:
    """The operations the case page offers: withdraw, copy, files, urge, the path ahead."""

    may_withdraw: bool = False
    cc_candidates: list[Person] = field(default_factory=list)
    copied_to: list[CaseCopy] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    may_upload: bool = False
    urgeable: set[str] = field(default_factory=set)  # open task ids the user may urge
    actionable: set[str] = field(default_factory=set)  # open task ids the user may work on
    openable: set[str] = field(default_factory=set)  # open task ids whose page opens for the user
    holders: dict[str, list[str]] = field(default_factory=dict)  # open task id → who holds it (names)
    path: dict[str, Any] | None = None
    path_people: dict[tuple[str, str], list[str]] = field(default_factory=dict)


# -- people ---------------------------------------------------------------------------------------

def display_names(session: Session, names: set[str]) -> dict[str, str]:
    names = {n for n in names if n}
    if not names:
        return {}
    return dict(session.execute(select(User.username, User.display_name).where(User.username.in_(names))).all())


def _placed_near(session: Session, org_path: str, exclude: set[str]) -> list[User]:
    """Active users holding a business role at the unit or above, with their roles: everyone the
    rules below could accept (administrators are left out of every offer)."""
    query = (select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
             .where(User.active.is_(True), RoleAssignment.org_path.in_(ancestors(org_path)),
                    RoleAssignment.role != "admin", User.username.not_in(exclude))
             .options(selectinload(User.roles)).distinct().order_by(User.username))
    return list(session.scalars(query))


def people_accepted(session: Session, org_path: str, accepts: Callable[[Actor], bool], *,
                    exclude: set[str] = frozenset()) -> list[Person]:
    """The people near `org_path` whom `accepts` — the very test the operation applies when it is
    posted — lets through: a picker never offers someone the operation would refuse."""
    return [(user.username, user.display_name or user.username)
            for user in _placed_near(session, org_path, set(exclude)) if accepts(Actor.of(user))]


def role_colleagues(session: Session, row: TaskRow, *, exclude: set[str]) -> list[Person]:
    """Whom a task may be transferred to (the transfer's own test)."""
    return people_accepted(session, row.org_path, lambda person: handover.may_take_transfer(person, row),
                           exclude=exclude)


def proxy_candidates(session: Session, actor: Actor) -> list[Person]:
    """Users who see every unit of the actor: the only ones the engine accepts as a proxy."""
    paths = [path for role, _, path in actor.assignments if path and role != "admin"]
    if not paths:
        return []
    users = session.scalars(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
                               .where(User.active.is_(True), RoleAssignment.org_path.in_(ancestors(paths[0])),
                                      User.username != actor.username).distinct().order_by(User.username))
    found = []
    for user in users:
        other = Actor.of(user)
        if not other.is_admin and all(other.sees_org(p) for p in paths):
            found.append((user.username, user.display_name))
    return found


# -- the task page ---------------------------------------------------------------------------------

def _attachments(session: Session, instance_id: int) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(Attachment.instance_id == instance_id)
                                   .order_by(Attachment.id)))


def _round_of(session: Session, row: TaskRow) -> tuple[ApprovalRound | None, list[ApprovalVote]]:
    found = session.scalar(select(ApprovalRound).where(ApprovalRound.task_id == row.id)
                              .order_by(ApprovalRound.id.desc()).limit(1))
    return found, approvals.votes_of(session, found) if found is not None else []


def task_ops(session: Session, actor: Actor, row: TaskRow, instance: Instance) -> TaskOps:
    ops = TaskOps()
    ops.round, ops.votes = _round_of(session, row)
    ops.attachments = _attachments(session, instance.id)
    ops.may_upload = instance.status == "running"
    ops.citable = [a for a in ops.attachments if a.uploaded_by == actor.username and a.task_id in (None, row.id)]
    if row.status == "completed":
        ops.may_withdraw_decision = withdraw.may_withdraw_decision(session, actor, row, instance)
        return ops
    if row.status != "open":
        return ops
    ops.delegation = pending_delegation(session, row.id)
    try:
        ops.acting = acting_on(session, actor, row)
        require_separate_person(session, row, {actor.username, ops.acting.on_behalf_of})
    except DomainError as exc:
        ops.acting = None
        if not (ops.delegation is not None and ops.delegation.delegate == actor.username):
            ops.refusal = exc.message
    if ops.round is not None and ops.round.status == "open":
        ops.may_withdraw_vote = withdraw.own_decided_vote(actor, ops.votes) is not None
    ops.may_urge = ops.acting is None and row.assignee != actor.username and not ops.delegated_to_me
    if ops.acting is not None and row.role != INITIATOR_ROLE:
        _offers(session, ops, actor, row)
        _name_return_handlers(session, ops, instance)
    return ops


def _name_return_handlers(session: Session, ops: TaskOps, instance: Instance) -> None:
    """Who gets the case back at each return target (the initiator, or whoever last did that step),
    so the page can ask "退回给 王晓梅（发起人）？" rather than name a step alone."""
    steps = [t["id"] for t in ops.return_targets if t["kind"] != "initiator"]
    done: dict[str, str] = {}
    if steps:
        for name, completed_by in session.execute(
                select(TaskRow.name, TaskRow.completed_by).where(
                    TaskRow.instance_id == instance.id, TaskRow.status == "completed", TaskRow.name.in_(steps))
                .order_by(TaskRow.completed_at)):
            done[name] = completed_by
    for target in ops.return_targets:
        target["handler"] = instance.initiator if target["kind"] == "initiator" else done.get(target["id"])


def _offers(session: Session, ops: TaskOps, actor: Actor, row: TaskRow) -> None:
    acting = ops.acting
    me = {actor.username, acting.principal}
    try:
        ops.return_targets = returns.list_return_targets(session, actor, row.id)
    except DomainError:
        ops.return_targets = []
    approvers = {v.approver for v in ops.votes} if acting.round is not None else set()
    if acting.vote is not None or (acting.round is None and row.assignee in (None, acting.principal)):
        ops.transfer_to = role_colleagues(session, row, exclude=me | approvers)  # unclaimed: no claim first
    if acting.round is None:
        ops.delegate_to = people_accepted(session, row.org_path,
                                          lambda person: handover.may_take_delegation(person, row), exclude=me)
    if acting.vote is None or acting.vote.phase == "main":
        ops.approver_candidates = people_accepted(session, row.org_path, lambda person: may_approve(person, row),
                                                  exclude=me | approvers)


# -- the case page ---------------------------------------------------------------------------------

def case_ops(session: Session, actor: Actor, instance: Instance, open_rows: list[TaskRow]) -> CaseOps:
    ops = CaseOps()
    running = instance.status == "running"
    ops.attachments = _attachments(session, instance.id)
    ops.may_upload = running
    ops.copied_to = list(session.scalars(select(CaseCopy).where(CaseCopy.instance_id == instance.id)
                                            .order_by(CaseCopy.id)))
    ops.may_withdraw = withdraw.may_withdraw_case(session, actor, instance)
    ops.cc_candidates = people_accepted(session, instance.org_path,
                                        lambda person: copies.may_receive_copy(person, instance),
                                        exclude={actor.username} | {c.recipient for c in ops.copied_to})
    for row in open_rows:
        try:
            acting_on(session, actor, row)
        except DomainError:
            if row.assignee != actor.username:
                ops.urgeable.add(row.id)
        else:
            ops.actionable.add(row.id)
        if row.id in ops.actionable or may_open_task(session, actor, row):
            ops.openable.add(row.id)
    ops.holders = _holders(session, [row for row in open_rows if row.id not in ops.openable])
    if running:
        try:
            ops.path = prediction.predict(session, actor, instance.id)
        except Exception:  # noqa: BLE001 - the path ahead is a hint; a case page must not fail over it
            log.warning("predicted path failed for instance %s", instance.id, exc_info=True)
        else:
            ops.path_people = _who_acts(session, ops.path)
    return ops


def _holders(session: Session, rows: list[TaskRow]) -> dict[str, list[str]]:
    """Who holds each step a viewer may not open: its assignee when claimed, else the holders of its
    role at its unit (display names), so the case page can say who has it without linking to it."""
    found: dict[str, list[str]] = {}
    for row in rows:
        if row.assignee:
            found[row.id] = [row.assignee]
        else:
            found[row.id] = [h.username for h in role_holders(session, row.role, row.org_path)]
    shown = display_names(session, {name for names in found.values() for name in names})
    return {task_id: [shown.get(name, name) for name in names] for task_id, names in found.items()}


def _who_acts(session: Session, path: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """(role, org code) of each step ahead → the display names of the people holding that role there."""
    wanted = {(s["role"], s["org"]) for s in path["steps"] if s.get("role") and s.get("org")}
    units = {u.code: u.path for u in session.scalars(select(OrgUnit).where(
        OrgUnit.code.in_({org for _, org in wanted})))} if wanted else {}
    found: dict[tuple[str, str], list[str]] = {}
    for role, org in wanted:
        if org in units:
            holders = role_holders(session, role, units[org])
            shown = display_names(session, {h.username for h in holders})
            found[(role, org)] = [shown.get(h.username, h.username) for h in holders]
    return found


def trail_people(session: Session, events: list[AuditEvent], extra: set[str] = frozenset()) -> dict[str, str]:
    """Display names of everyone the trail names (actors, principals, recipients) and of `extra`."""
    names: set[str] = set(extra)
    for event in events:
        detail = event.detail or {}
        names.add(event.actor)
        names.add(detail.get("on_behalf_of") or "")
        to = detail.get("to")
        names.update(to if isinstance(to, list) else [to or ""])
        names.update(detail.get("users") or [])
    return display_names(session, names)


# -- a case returned to its initiator (退回发起人) --------------------------------------------------------

def resubmission_values(row: TaskRow, instance: Instance, schema: dict[str, Any] | None) -> dict[str, Any]:
    """The start form filled with what the case holds, for the initiator to correct and submit again."""
    if row.role != INITIATOR_ROLE or row.status != "open" or not schema:
        return {}
    fields = (schema.get("properties") or {}).keys()
    return {key: value for key, value in (instance.data or {}).items() if key in fields}


def returned_because(events: list[AuditEvent]) -> AuditEvent | None:
    """The return that sent the case back to its initiator (the latest one)."""
    for event in reversed(events):
        if event.type == "task_returned" and (event.detail or {}).get("target") == "initiator":
            return event
    return None


# -- a step sent back to (退回) or taken back by (撤回决定) the person who had done it ----------------------

REOPENING_EVENTS = ("task_returned", "task_withdrawn")


def reopened_by(events: list[AuditEvent], row: TaskRow) -> AuditEvent | None:
    """The return or withdrawal that reopened this open step, when nobody has done it since."""
    if row.status != "open":
        return None
    for event in reversed(events):
        detail = event.detail or {}
        if event.type == "task_completed" and detail.get("name") == row.name:
            return None
        if event.type == "task_returned" and row.name in (detail.get("target"), detail.get("opened")):
            return event
        if event.type == "task_withdrawn" and detail.get("name") == row.name:
            return event
    return None


def earlier_values(event: AuditEvent | None, row: TaskRow, schema: dict[str, Any] | None) -> dict[str, Any]:
    """What the step's form held before it was reopened, to fill the form again."""
    earlier = ((event.detail or {}).get("earlier") or {}) if event is not None else {}
    values = earlier.get(row.form_key or "") if isinstance(earlier, dict) else None
    if not isinstance(values, dict) or not schema:
        return {}
    fields = (schema.get("properties") or {}).keys()
    return {key: value for key, value in values.items() if key in fields}
