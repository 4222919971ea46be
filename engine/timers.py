"""Firing due timers: one indexed query finds due instances; each fires in its own transaction.

On PostgreSQL the due rows are locked with FOR UPDATE SKIP LOCKED, so several workers on several
hosts share the work and never fire one instance twice; the optimistic lock version backs this up
on SQLite (and against any late save by a worker that lost its lock).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, clock, deadlines, notifications
from .errors import Conflict, DomainError
from .models import Instance
from .runtime import fire_timers

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    fired: int = 0
    conflicts: int = 0
    failed: int = 0
    reminded: int = 0
    escalated: int = 0
    emails_sent: int = 0


def due_instance_ids(session: Session, at: datetime, limit: int = 100) -> list[int]:
    query = (
        select(Instance.id)
        .where(Instance.status == "running", Instance.next_timer_at <= at)
        .order_by(Instance.next_timer_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def _lock_one(session: Session, instance_id: int, at: datetime) -> Instance | None:
    """Take one due instance for this worker, or None when another worker holds or fired it."""
    query = select(Instance).where(
        Instance.id == instance_id, Instance.status == "running", Instance.next_timer_at <= at
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query.execution_options(populate_existing=True))


def tick(session: Session, at: datetime | None = None, *, limit: int = 500) -> TickReport:
    """Fire everything due at `at` (default: now), each instance in its own transaction."""
    report = TickReport()
    moment = at or clock.now()
    with clock.frozen(moment):
        ids = due_instance_ids(session, moment, limit)
        session.rollback()
        for instance_id in ids:
            instance = _lock_one(session, instance_id, moment)
            if instance is None:
                session.rollback()
                continue
            try:
                fire_timers(session, instance)
                report.fired += 1
            except Conflict:
                report.conflicts += 1
            except DomainError as exc:
                report.failed += 1
                _raise_incident(session, instance_id, exc)
        # task deadlines (reminders, escalation) and queued e-mail: engine/deadlines.py, notifications.py
        swept = deadlines.sweep(session, moment)
        report.reminded, report.escalated = swept.reminded, swept.escalated
    report.emails_sent = notifications.send_pending(session).sent
    return report


def _raise_incident(session: Session, instance_id: int, exc: DomainError) -> None:
    """A timer whose step fails puts its case in `error` for an administrator, instead of
    failing again on every pass; the failed step itself was rolled back."""
    log.warning("timer of instance %s failed: %s", instance_id, exc.code)
    instance = session.get(Instance, instance_id)
    if instance is not None and instance.status == "running":
        instance.status = "error"
        instance.error = exc.message[:2000]
        audit.record(session, "timer", "incident", instance_id=instance_id, detail={"error": exc.code})
        session.commit()


def run_worker(session_factory: Callable[[], Session], *, interval: float = 5.0,
               stop: Callable[[], bool] = lambda: False) -> None:
    """Poll for due timers until `stop()` says so; each pass uses a fresh session."""
    while not stop():
        session = session_factory()
        try:
            report = tick(session)
            if report.fired or report.failed or report.reminded or report.escalated or report.emails_sent:
                log.info("timers: fired %s, conflicts %s, failed %s, reminded %s, escalated %s, e-mails %s",
                         report.fired, report.conflicts, report.failed, report.reminded, report.escalated,
                         report.emails_sent)
        finally:
            session.close()
        if not report.fired:
            time.sleep(interval)
