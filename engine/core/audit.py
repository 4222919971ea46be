"""Writing the audit trail: called inside the transaction of the change it records."""

from typing import Any

from sqlalchemy.orm import Session

from engine.core import clock
from engine.models import AuditEvent


def record(session: Session, actor: str, type_: str, *, instance_id: int | None = None,
           task_id: str | None = None, detail: dict[str, Any] | None = None) -> AuditEvent:
    """Add one event to the session; it commits or rolls back with the change itself."""
    event = AuditEvent(at=clock.now(), actor=actor, type=type_, instance_id=instance_id,
                       task_id=task_id, detail=detail or {})
    session.add(event)
    return event
