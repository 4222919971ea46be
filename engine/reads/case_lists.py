"""The case lists of the API and its Excel export: one statement each, so both filter alike."""

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.core.scope import Actor, in_subtree
from engine.models import AuditEvent, Instance, OrgUnit, TaskRow


def instance_statement(session: Session, actor: Actor, *, key: str | None = None, status: str | None = None,
                       business_key: str | None = None, org: str | None = None) -> Select:
    """Cases in the actor's scope, newest first, by exact process key, status, business key and unit."""
    query = select(Instance).where(actor.instance_filter(Instance))
    if key:
        query = query.where(Instance.key == key)
    if status:
        query = query.where(Instance.status == status)
    if business_key:
        query = query.where(Instance.business_key == business_key)
    if org:
        unit = session.get(OrgUnit, org)
        query = query.where(in_subtree(Instance.org_path, unit.path) if unit else Instance.id.is_(None))
    return query.order_by(Instance.id.desc())


def event_statement(instance_id: int) -> Select:
    """The trail of one case in the order it happened (the caller has checked the case is visible)."""
    return select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)


def still_open(session: Session, task_ids: set[str]) -> set[str]:
    """Which of these tasks are still waiting for someone."""
    if not task_ids:
        return set()
    return set(session.scalars(select(TaskRow.id).where(TaskRow.id.in_(task_ids), TaskRow.status == "open")))
