"""The inbox's other boxes, as office staff know them from their approval apps: 已处理 (what I
completed), 我发起的 (cases I started) and 抄送我的 (cases copied to me). 待处理, the open tasks,
is `queries.inbox`.

Each list is one scoped select on an index (tasks by `completed_by`, instances by `initiator`,
copies by `recipient`), paginated; none loads a workflow.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Select

from engine.core.scope import Actor
from engine.models import CaseCopy, Instance, TaskRow, User, Worker
from engine.reads.queries import (
    Initiator,
    Page,
    Reach,
    inbox_counts,
    inbox_where,
    paginate,
    with_case_columns,
)

BOXES = ("todo", "done", "started", "copied")
CopiedBy = aliased(User, name="copied_by_user")


@dataclass
class Filters:
    """The inbox's filters, the same for every box: process, stage (a step, for a case: its current
    step) and a search by business key, worker or title."""

    process: str | None = None
    stage: str | None = None
    search: str | None = None


def _case_where(filters: Filters) -> list[Any]:
    """The filters on a case: its process, a current step of that name, the search."""
    where: list[Any] = []
    if filters.process:
        where.append(Instance.key == filters.process)
    if filters.stage:
        # per case one probe of ix_tasks_instance
        where.append(exists().where(TaskRow.instance_id == Instance.id, TaskRow.status == "open",
                                    TaskRow.name == filters.stage))
    if filters.search and filters.search.strip():
        needle = filters.search.strip().lower()
        where.append(Instance.id.in_(
            select(Instance.id).outerjoin(Worker, Worker.id == Instance.worker_id)
            .where(func.lower(Instance.business_key).contains(needle, autoescape=True)
                   | func.lower(Worker.name).contains(needle, autoescape=True)
                   | func.lower(Instance.title).contains(needle, autoescape=True))))
    return where


def _done_where(actor: Actor, filters: Filters) -> list[Any]:
    # a step later sent back (退回) stays listed, as `returned`
    return [TaskRow.completed_by == actor.username, TaskRow.status.in_(("completed", "returned")),
            actor.org_filter(TaskRow.org_path),
            *inbox_where(process=filters.process, stage=filters.stage, search=filters.search)]


def done_statement(actor: Actor, filters: Filters) -> Select:
    """已处理: tasks the actor completed in their scope, newest first, as (TaskRow, business_key,
    worker_name, case_title, initiator_name, case_status) rows."""
    return (with_case_columns(select(TaskRow).where(*_done_where(actor, filters)))
            .add_columns(Instance.status.label("case_status"))
            .order_by(TaskRow.completed_at.desc(), TaskRow.id))


def _started_where(actor: Actor, filters: Filters) -> list[Any]:
    # a case one started is one the actor sees (Actor.sees_instance); the scope filter says so in SQL
    return [Instance.initiator == actor.username, actor.instance_filter(Instance), *_case_where(filters)]


def started_statement(actor: Actor, filters: Filters) -> Select:
    """我发起的: cases the actor started, newest first, as (Instance, worker_name) rows."""
    return (select(Instance).where(*_started_where(actor, filters))
            .outerjoin(Worker, Worker.id == Instance.worker_id)
            .add_columns(Worker.name.label("worker_name"))
            .order_by(Instance.id.desc()))


def _copied_where(actor: Actor, filters: Filters, unread_only: bool = False) -> list[Any]:
    where = [CaseCopy.recipient == actor.username, actor.instance_filter(Instance), *_case_where(filters)]
    if unread_only:
        where.append(CaseCopy.read_at.is_(None))
    return where


def copied_statement(actor: Actor, filters: Filters, *, unread_only: bool = False) -> Select:
    """抄送我的: cases copied to the actor that they still see, newest copy first, as (CaseCopy,
    Instance, initiator_name, copied_by_name) rows."""
    return (select(CaseCopy, Instance).join(Instance, Instance.id == CaseCopy.instance_id)
            .where(*_copied_where(actor, filters, unread_only))
            .outerjoin(Initiator, Initiator.username == Instance.initiator)
            .outerjoin(CopiedBy, CopiedBy.username == CaseCopy.copied_by)
            .add_columns(Initiator.display_name.label("initiator_name"), CopiedBy.display_name.label("copied_by_name"))
            .order_by(CaseCopy.created_at.desc(), CaseCopy.id.desc()))


def box_counts(session: Session, actor: Actor, filters: Filters, *, reach: Reach | None = None) -> dict[str, int]:
    """Every tab's number under the same filters: the open-task boxes (todo, mine, open, others,
    overdue), done, started, and the copies (copied, and copied_unread, the number on the tab)."""
    counts = inbox_counts(session, actor, process=filters.process, stage=filters.stage, search=filters.search,
                          reach=reach)
    counts["done"] = session.scalar(select(func.count()).select_from(TaskRow).where(*_done_where(actor, filters))) or 0
    counts["started"] = session.scalar(select(func.count()).select_from(Instance)
                                       .where(*_started_where(actor, filters))) or 0
    copied = session.execute(
        select(func.count(), func.count().filter(CaseCopy.read_at.is_(None)))
        .select_from(CaseCopy).join(Instance, Instance.id == CaseCopy.instance_id)
        .where(*_copied_where(actor, filters))).one()
    counts["copied"], counts["copied_unread"] = int(copied[0] or 0), int(copied[1] or 0)
    return counts


def done_page(session: Session, actor: Actor, filters: Filters, *, page: int = 1, per_page: int = 20) -> Page:
    return paginate(session, done_statement(actor, filters), page, per_page, scalars=False)


def started_page(session: Session, actor: Actor, filters: Filters, *, page: int = 1, per_page: int = 20) -> Page:
    return paginate(session, started_statement(actor, filters), page, per_page, scalars=False)


def copied_page(session: Session, actor: Actor, filters: Filters, *, unread_only: bool = False, page: int = 1,
                per_page: int = 20) -> Page:
    return paginate(session, copied_statement(actor, filters, unread_only=unread_only), page, per_page, scalars=False)
