"""What the operations share: the comment rule, the case lock, the acting task, the trail detail."""

from typing import Any

from sqlalchemy.orm import Session

from engine.collab.delegation import INITIATOR_ROLE, Acting, acting_on, eligible_user
from engine.core import clock
from engine.core.errors import Conflict, InvalidData
from engine.core.scope import Actor
from engine.models import (
    Instance,
    TaskRow,
)
from engine.process.task_index import get_task_row

INITIATOR_TARGET = "initiator"


def comment_text(value: str | None, field: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidData("请填写理由", {field: ["必填"]}, code="comment_required")
    return text[:2000]


def touch(instance: Instance) -> None:
    """One writer per case: a second operation racing this one fails on the lock version (409)."""
    instance.updated_at = clock.now()


def acting_row(session: Session, actor: Actor, task_id: str) -> tuple[TaskRow, Acting]:
    row = get_task_row(session, actor, task_id)
    if row.role == INITIATOR_ROLE:
        raise Conflict("此任务等待发起人重新提交", code="task_awaits_initiator")
    return row, acting_on(session, actor, row)


def event_detail(row: TaskRow, acting: Acting | None, **more: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {"name": row.name, "title": row.title}
    if acting is not None and acting.on_behalf_of:
        detail["on_behalf_of"] = acting.on_behalf_of
    detail.update({k: v for k, v in more.items() if v not in (None, [], "")})
    return detail


def still_holding(session: Session, assign: dict[str, str]) -> dict[str, str]:
    """Give a reopened step back to its former handler only while they may still act on it."""
    kept = {}
    for task_id, username in assign.items():
        row = session.get(TaskRow, task_id)
        try:
            person = eligible_user(session, username)
        except InvalidData:
            continue
        if row is None or person.holds(row.role, row.org_path):
            kept[task_id] = username
    return kept


def undo_data(instance: Instance, rows: list[TaskRow]) -> dict[str, Any]:
    """Drop the submissions of steps that are undone from the case data the API shows; hands back
    what each form held, so the trail keeps it and the step reopens with its earlier values."""
    data = dict(instance.data)
    earlier: dict[str, Any] = {}
    for row in rows:
        if row.form_key:
            if isinstance(data.get(row.form_key), dict):
                earlier[row.form_key] = data[row.form_key]
            for key in (row.form_key, f"{row.form_key}_votes", f"{row.form_key}_attachments"):
                data.pop(key, None)
    instance.data = data
    return earlier
