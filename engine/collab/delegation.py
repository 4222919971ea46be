"""Who may act on a task besides its role holders: out-of-office proxies (代理人), delegates (委派),
approvers of a round (会签, 加签) — and the one function every operation asks: `acting_on`.

A proxy acts with the principal's authority: their inbox includes the principal's tasks for the
named dates (and process), and what they do is recorded as "proxy on behalf of principal".
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from config.roles import ROLES_BY_KEY
from engine.collab import approvals
from engine.core import audit, clock
from engine.core.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.core.scope import Actor, in_subtree
from engine.core.transaction import transactional
from engine.models import ApprovalRound, ApprovalVote, Proxy, RoleAssignment, TaskDelegation, TaskRow, User

INITIATOR_ROLE = "initiator"  # the pseudo-role of a case returned to the one who started it


@dataclass
class Acting:
    """The person acting on a task, and whose authority they use."""

    actor: Actor
    on_behalf_of: str | None = None
    vote: ApprovalVote | None = None
    round: Any = None

    @property
    def principal(self) -> str:
        return self.on_behalf_of or self.actor.username


# --- proxies ------------------------------------------------------------------------------------


def _active(query: Any, day: date) -> Any:
    return query.where(Proxy.revoked_at.is_(None), Proxy.starts_on <= day, Proxy.ends_on >= day)


def principals_of(session: Session, actor: Actor, process_key: str | None, day: date | None = None) -> list[Actor]:
    """The users `actor` stands in for today (for `process_key`), with their roles.

    One query of plain rows for all of them: it runs on every task check of a proxy."""
    if actor.user_id is None:
        return []
    query = _active(
        select(Proxy.principal, User.id, User.worker_id, RoleAssignment.role, RoleAssignment.org_code,
               RoleAssignment.org_path)
        .join(User, User.username == Proxy.principal)
        .outerjoin(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(Proxy.proxy_id == actor.user_id), day or clock.today())
    if process_key:
        query = query.where(or_(Proxy.process_key.is_(None), Proxy.process_key == process_key))
    principals: dict[str, Actor] = {}
    for name, user_id, worker_id, role, org_code, org_path in session.execute(
            query.order_by(Proxy.id, RoleAssignment.id)):
        principal = principals.get(name)
        if principal is None:
            principal = principals[name] = Actor(name, [], user_id=user_id, worker_id=worker_id)
        if role is not None and (role, org_code, org_path) not in principal.assignments:
            principal.assignments.append((role, org_code, org_path))
    return list(principals.values())


@transactional
def create_proxy(session: Session, actor: Actor, *, proxy: str, starts_on: date, ends_on: date,
                 process_key: str | None = None, reason: str = "", principal: str | None = None) -> Proxy:
    """Name a proxy for a date range; an administrator may do it for someone else."""
    principal_name = principal or actor.username
    if principal_name != actor.username and not actor.is_admin:
        raise Forbidden("只能为自己设置代理人", code="not_allowed")
    if ends_on < starts_on:
        raise InvalidData("结束日期早于开始日期", {"ends_on": ["应不早于开始日期"]})
    if proxy == principal_name:
        raise InvalidData("不能指定自己为代理人", {"proxy": ["不能是本人"]}, code="proxy_is_self")
    principal_user = session.scalar(select(User).where(User.username == principal_name, User.active.is_(True)))
    proxy_user = session.scalar(select(User).where(User.username == proxy, User.active.is_(True)))
    if principal_user is None:
        raise NotFound("用户不存在", code="user_not_found")
    if proxy_user is None:
        raise InvalidData("代理人不存在", {"proxy": ["没有这个用户"]}, code="proxy_not_found")
    proxy_actor, principal_actor = Actor.of(proxy_user), Actor.of(principal_user)
    outside = [path for _, _, path in principal_actor.assignments
               if path and not principal_actor.is_admin and not proxy_actor.staff_sees(path)]
    if outside:
        raise InvalidData("代理人不在本人的组织范围内，不能代理", {"proxy": ["超出组织范围"]},
                          code="proxy_out_of_scope")
    row = Proxy(principal_id=principal_user.id, principal=principal_name, proxy_id=proxy_user.id, proxy=proxy,
                starts_on=starts_on, ends_on=ends_on, process_key=process_key, reason=reason or "",
                created_by=actor.username, created_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, actor.username, "proxy_named", detail={
        "proxy_id": row.id, "principal": principal_name, "proxy": proxy, "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(), "process_key": process_key})
    return row


@transactional
def revoke_proxy(session: Session, actor: Actor, proxy_id: int) -> Proxy:
    row = session.get(Proxy, proxy_id)
    if row is None or not (actor.is_admin or row.principal == actor.username or row.proxy == actor.username):
        raise NotFound("代理设置不存在", code="proxy_not_found")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        audit.record(session, actor.username, "proxy_revoked", detail={"proxy_id": row.id})
    return row


def proxies_query(actor: Actor) -> Any:
    """The proxies the actor gave or holds (administrators: all)."""
    query = select(Proxy)
    if not actor.is_admin:
        query = query.where(or_(Proxy.principal == actor.username, Proxy.proxy == actor.username))
    return query.order_by(Proxy.id.desc())


# --- who may see and act ------------------------------------------------------------------------


def extra_task_clauses(session: Session, actor: Actor) -> list[Any]:
    """SQL: open tasks the actor works although the role filter does not offer them.

    What the actor holds as delegate, approver or proxy is looked up first (a few indexed rows),
    so the inbox query stays a plain OR of index ranges: correlated subqueries here made the
    planner scan every open task (the inbox benchmark in bench/RESULTS.md).
    """
    me = actor.username
    clauses: list[Any] = [TaskRow.assignee == me]
    task_ids = set(session.scalars(
        select(TaskDelegation.task_id).where(TaskDelegation.delegate == me, TaskDelegation.status == "pending")
        .union_all(select(ApprovalVote.task_id).where(ApprovalVote.approver == me, ApprovalVote.status == "pending"))))
    if actor.user_id is not None:
        day = clock.today()
        proxies = list(session.scalars(select(Proxy).where(
            Proxy.proxy_id == actor.user_id, Proxy.revoked_at.is_(None), Proxy.starts_on <= day,
            Proxy.ends_on >= day)))
        for proxy in proxies:
            only_process = [TaskRow.process_key == proxy.process_key] if proxy.process_key else []
            for assignment in session.scalars(select(RoleAssignment).where(
                    RoleAssignment.user_id == proxy.principal_id)):
                clauses.append(and_(TaskRow.role == assignment.role,
                                    in_subtree(TaskRow.org_path, assignment.org_path), *only_process))
            clauses.append(and_(TaskRow.assignee == proxy.principal, *only_process))
            votes = select(ApprovalVote.task_id).where(ApprovalVote.approver == proxy.principal,
                                                       ApprovalVote.status == "pending")
            if proxy.process_key:
                votes = votes.join(TaskRow, TaskRow.id == ApprovalVote.task_id).where(
                    TaskRow.process_key == proxy.process_key)
            task_ids.update(session.scalars(votes))
    if task_ids:
        clauses.append(TaskRow.id.in_(sorted(task_ids)))
    return clauses


def may_see_task(session: Session, actor: Actor, row: TaskRow, *, as_proxy: bool = True) -> bool:
    """The slower check behind `get_task_row`, for people outside the task's role."""
    if _holds(actor, row) or row.assignee == actor.username:
        return True
    if session.scalar(select(TaskDelegation.id).where(TaskDelegation.task_id == row.id,
                                                      TaskDelegation.delegate == actor.username).limit(1)):
        return True
    if session.scalar(select(ApprovalVote.id).where(ApprovalVote.task_id == row.id,
                                                    ApprovalVote.approver == actor.username).limit(1)):
        return True
    return as_proxy and any(may_see_task(session, principal, row, as_proxy=False)
                            for principal in principals_of(session, actor, row.process_key))


def _holds(actor: Actor, row: TaskRow) -> bool:
    """Holds the task's role where it is offered; the administrator's role is no business role."""
    if row.role == INITIATOR_ROLE:
        return row.assignee == actor.username
    return actor.holds(row.role, row.org_path)


def admin_refusal(row: TaskRow) -> Forbidden:
    """System administrators run the system, not the cases (separation of duties): an administrator
    who does not hold the task's role is told so instead of being let through."""
    role = ROLES_BY_KEY.get(row.role)
    shown = role.name_zh if role is not None else row.role
    return Forbidden(f"系统管理员不办理业务：此任务只能由持有「{shown}」角色的人员办理",
                     code="admin_not_task_holder", details={"role": row.role})


def _principal_may_act(session: Session, principal: Actor, row: TaskRow) -> bool:
    return _holds(principal, row) and row.assignee in (None, principal.username)


def pending_delegation(session: Session, task_id: str) -> TaskDelegation | None:
    return session.scalar(select(TaskDelegation).where(TaskDelegation.task_id == task_id,
                                                       TaskDelegation.status == "pending"))


_TASK_ID = bindparam("task_id", type_=String)
# One round trip for the common case, neither a delegation nor a round on the task; built once,
# since it runs before every completion and claim.
_DELEGATION_AND_ROUND = select(
    select(TaskDelegation.id).where(TaskDelegation.task_id == _TASK_ID, TaskDelegation.status == "pending")
    .limit(1).scalar_subquery(),
    select(ApprovalRound.id).where(ApprovalRound.task_id == _TASK_ID, ApprovalRound.status == "open")
    .limit(1).scalar_subquery())


def acting_on(session: Session, actor: Actor, row: TaskRow) -> Acting:
    """Who acts, with whose authority, on an open task — or the refusal that says why not.

    Order: a pending delegation holds the task; an approval round lets only its approvers of the
    current phase act; otherwise the role holder (respecting a claim), else a proxy of one.
    """
    if row.status != "open":
        raise Conflict("任务已被处理", code="task_not_open")
    delegation_id, round_id = session.execute(_DELEGATION_AND_ROUND, {"task_id": row.id}).one()
    delegation = session.get(TaskDelegation, delegation_id) if delegation_id else None
    if delegation is not None:
        if delegation.delegate == actor.username:
            raise Conflict("此任务委派给您办理，请办理后交回委派人（resolve）", code="task_delegated_to_you")
        raise Conflict(f"任务已委派给 {delegation.delegate}，待其交回后再处理", code="task_delegated",
                       details={"delegate": delegation.delegate})
    approval_round = session.get(ApprovalRound, round_id) if round_id else None
    if approval_round is not None:
        return _acting_in_round(session, actor, row, approval_round)
    if _holds(actor, row):
        if row.assignee is not None and row.assignee != actor.username:
            raise Forbidden("任务已被他人认领", code="task_claimed_by_other")
        return Acting(actor)
    for principal in principals_of(session, actor, row.process_key):
        if _principal_may_act(session, principal, row):
            return Acting(actor, on_behalf_of=principal.username)
    if actor.is_admin:
        raise admin_refusal(row)
    raise NotFound("任务不存在", code="task_not_found")


def _acting_in_round(session: Session, actor: Actor, row: TaskRow, approval_round: Any) -> Acting:
    votes = approvals.votes_of(session, approval_round)
    by_name = {v.approver: v for v in votes}
    candidates = [(actor.username, None)] + [(p.username, p.username) for p in
                                             principals_of(session, actor, row.process_key)]
    for name, behalf in candidates:
        vote = by_name.get(name)
        if vote is not None and vote.status == "pending":
            return Acting(actor, on_behalf_of=behalf, vote=vote, round=approval_round)
    if approvals.single_main_open(approval_round, votes):
        if _holds(actor, row) and row.assignee in (None, actor.username):
            return Acting(actor, round=approval_round)
        for principal in principals_of(session, actor, row.process_key):
            if _principal_may_act(session, principal, row):
                return Acting(actor, on_behalf_of=principal.username, round=approval_round)
    for name, _ in candidates:
        vote = by_name.get(name)
        if vote is not None and vote.status == "waiting":
            raise Conflict("还未轮到您审批", code="approval_not_your_turn")
        if vote is not None:
            raise Conflict("您已对本步骤作出决定", code="already_decided")
    if _holds(actor, row):
        if approval_round.mode == "single":
            raise Conflict("等待加签人先审批", code="waiting_for_added_approvers")
        raise Forbidden("您不是本步骤的审批人", code="not_an_approver")
    if actor.is_admin:
        raise admin_refusal(row)
    raise NotFound("任务不存在", code="task_not_found")


def eligible_user(session: Session, username: str) -> Actor:
    """An active user's Actor, or 422 naming the field."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        raise InvalidData("用户不存在", {"to": [f"没有用户 {username}"]}, code="user_not_found")
    return Actor.of(user)
