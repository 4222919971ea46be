"""A person's open-task list as a few index walks, whatever the size of the task table.

A task reaches a person by several ways (each role held at a unit, being its assignee, a
delegation, a vote, a proxy). ORing them into one WHERE made PostgreSQL fetch every matching row
to count and sort it: 30 ms for a district's 10,000 open tasks (bench/RESULTS.md, benchmark 3).
Here each way is its own branch: the page takes the first rows of each branch in due order
(`ix_tasks_queue`) and merges them; the total adds up each branch minus what an earlier branch
already counted, so every count is an index range.
"""

from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from engine.collab.delegation import extra_task_clauses
from engine.core.scope import Actor
from engine.models import TaskRow

QUEUE_ORDER = (TaskRow.due_at.asc().nulls_last(), TaskRow.created_at, TaskRow.id)


def task_branches(session: Session, actor: Actor, extra: list[Any] | None = None) -> list[ColumnElement[bool]]:
    """Every way an open task reaches the actor, role scopes first (they are the large ones);
    `extra`, when the caller has looked them up, are the ways other than a role."""
    # the administrator's role reaches no task: administrators run the system, not the cases
    extra = extra_task_clauses(session, actor) if extra is None else extra
    return [*actor.task_branches(TaskRow.role, TaskRow.org_path), *extra]


def list_filters(actor: Actor, args: dict[str, Any]) -> list[ColumnElement[bool]]:
    """The task list's filters (GET /api/v1/tasks and its Excel export): process, instance, mine."""
    where = []
    if args.get("process"):
        where.append(TaskRow.process_key == args["process"])
    if args.get("instance"):
        where.append(TaskRow.instance_id == args["instance"])
    if args.get("assignee") == "me":
        where.append(TaskRow.assignee == actor.username)
    return where


def count_statement(branches: list[ColumnElement[bool]], where: list[Any],
                    buckets: dict[str, ColumnElement[bool]] | None = None) -> Select:
    """How many open tasks match any branch, each counted once: per branch, what earlier branches
    did not count, summed. With `buckets`, one count per bucket from the same index walks (one
    column each, named after the bucket); without, a single `total`."""
    buckets = buckets or {"total": true()}
    parts = []
    for n, branch in enumerate(branches):
        not_counted_yet = [or_(*branches[:n]).is_not(True)] if n else []
        parts.append(select(*(func.count().filter(bucket).label(name) for name, bucket in buckets.items()))
                     .select_from(TaskRow).where(TaskRow.status == "open", *where, branch, *not_counted_yet))
    if not parts:
        return select(*(literal(0).label(name) for name in buckets))
    counted = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    # PostgreSQL sums counts as numeric: cast back, so callers get ints
    return select(*(cast(func.coalesce(func.sum(counted.c[name]), 0), BigInteger).label(name) for name in buckets))


def page_statement(branches: list[ColumnElement[bool]], where: list[Any], *, page: int, per_page: int) -> Select:
    """One page of the open tasks matching any branch, due first, no task twice: the first
    `page * per_page` of each branch in queue order, merged."""
    depth = page * per_page
    firsts = [select(TaskRow.id, TaskRow.due_at, TaskRow.created_at)
              .where(TaskRow.status == "open", *where, branch).order_by(*QUEUE_ORDER).limit(depth).subquery()
              for branch in branches] or [select(TaskRow.id, TaskRow.due_at, TaskRow.created_at).where(false())
                                          .subquery()]
    merged = union(*(select(first) for first in firsts)).subquery() if len(firsts) > 1 else firsts[0]
    ids = (select(merged.c.id)
           .order_by(merged.c.due_at.asc().nulls_last(), merged.c.created_at, merged.c.id)
           .limit(per_page).offset(depth - per_page))
    return select(TaskRow).where(TaskRow.id.in_(ids)).order_by(*QUEUE_ORDER)


def open_tasks(session: Session, actor: Actor, where: list[Any], *, page: int = 1,
               per_page: int = 20) -> dict[str, Any]:
    """The API's task list: a page of the actor's open tasks under `where`, with the total."""
    branches = task_branches(session, actor)
    items = list(session.scalars(page_statement(branches, where, page=page, per_page=per_page)))
    return {"items": items, "total": session.scalar(count_statement(branches, where)) or 0,
            "page": page, "per_page": per_page}
