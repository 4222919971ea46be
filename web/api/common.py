"""Helpers every API module shares: the caller, pagination, the JSON shapes of rows."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.sql import Select

from engine.core.scope import Actor
from engine.models import Instance, TaskRow
from engine.reads import queries
from engine.rules import resignation
from web.auth import require_actor
from web.extensions import db


def caller() -> Actor:
    """The API caller, by bearer token only: a browser cookie never authorises an API call."""
    return require_actor(bearer_only=True)


def paginate(query: Select, args: dict[str, Any]) -> dict[str, Any]:
    """Run a scoped query one page at a time (the pages' own pagination), as the API's envelope
    {items, total, page, per_page}."""
    page = queries.paginate(db.session, query, args.get("page", 1), args.get("per_page", 20))
    return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


def instance_view(instance: Instance) -> dict[str, Any]:
    """The instance as the API shows it, with its open tasks from the index."""
    open_tasks = getattr(instance, "open_task_rows", None)
    if open_tasks is None:
        open_tasks = list(db.session.scalars(
            select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.status == "open")
            .order_by(TaskRow.created_at)))
    view = {column: getattr(instance, column) for column in (
        "id", "key", "version", "business_key", "title", "org_code", "status", "outcome", "data", "initiator",
        "created_at", "completed_at")}
    view["open_tasks"] = open_tasks
    view.update(resignation.deferral(db.session, instance))
    view.update(resignation.leaving(instance))
    return view
