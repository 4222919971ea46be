"""Firing due timers in batches: one statement claims up to a batch of due instances, and the batch
fires in one transaction with a savepoint per instance, so a failing case rolls back alone and a
batch costs one commit instead of one per instance.

On PostgreSQL the claim locks its rows with FOR UPDATE SKIP LOCKED, so several workers on several
hosts take disjoint batches and never fire one instance twice; the optimistic lock version backs
this up on SQLite (one writer anyway) and against any late save by a worker that lost its lock.
The worker sweeps task deadlines and sends queued e-mail on its own, slower interval.
"""

import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.collab import deadlines, notifications
from engine.core import audit, clock
from engine.core.errors import Conflict, DomainError
from engine.core.privacy import mask_personal
from engine.models import Instance
from engine.process import timer_watchdog
from engine.process.kernel import apply_due_timers

log = logging.getLogger(__name__)

BATCH_SIZE = 50
SWEEP_SECONDS = 10.0


@dataclass
class TickReport:
    fired: int = 0
    conflicts: int = 0
    failed: int = 0
    reminded: int = 0
    escalated: int = 0
    emails_sent: int = 0


def _claim(session: Session, at: datetime, size: int) -> list[Instance]:
    """The next due instances for this worker; on PostgreSQL locked, skipping rows another holds."""
    query = (
        select(Instance)
        .where(Instance.status == "running", Instance.next_timer_at <= at)
        .order_by(Instance.next_timer_at)
        .limit(size)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def fire_batch(session: Session, at: datetime, report: TickReport, *, size: int = BATCH_SIZE) -> int:
    """Claim and fire up to `size` instances due at `at`, committed once; returns how many were claimed."""
    try:
        with clock.frozen(at):
            _retire_stuck_case(session)
    except BaseException:
        session.rollback()
        raise
    try:
        with clock.frozen(at):
            instances = _claim(session, at, size)
            for instance in instances:
                _fire_one(session, instance, report)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(instances)


def _fire_one(session: Session, instance: Instance, report: TickReport) -> None:
    """Fire one claimed instance inside a savepoint, so its failure undoes its own step only."""
    savepoint = session.begin_nested()
    try:
        with timer_watchdog.watching(instance.id):
            fired = apply_due_timers(session, instance)
            session.flush()
    except (StaleDataError, Conflict):
        savepoint.rollback()
        report.conflicts += 1
        return
    except DomainError as exc:
        savepoint.rollback()
        report.failed += 1
        _raise_incident(session, instance, exc.code, exc.message)
        return
    except SQLAlchemyError:
        savepoint.rollback()
        raise  # the database, not this case: give the whole batch back
    except Exception as exc:  # noqa: BLE001 - a bug met in one case must not stop every timer behind it
        savepoint.rollback()
        trace = "".join(traceback.format_exception(exc))
        log.error("timer of instance %s raised:\n%s", instance.id, mask_personal(trace))
        report.failed += 1
        _raise_incident(session, instance, "internal_error", f"内部错误：{type(exc).__name__}")
        return
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    report.fired += 1 if fired else 0


def _retire_stuck_case(session: Session) -> None:
    """The case whose step the watchdog ended this worker in goes to `error` instead of firing again,
    committed before the batch that follows."""
    watchdog = timer_watchdog.installed()
    stuck = watchdog.leftover() if watchdog is not None else None
    if stuck is None:
        return
    instance = session.get(Instance, stuck)
    if instance is not None:
        _raise_incident(session, instance, "step_killed",
                        "定时步骤运行超时，已被强制中止（流程脚本可能调用了耗时过长的操作），请管理员检查流程")
    # Its own commit, and the marker kept until then: a batch failing later on the database must not
    # take the incident with it, and a failed commit leaves the marker for the next pass.
    session.commit()
    watchdog.clear()


def _raise_incident(session: Session, instance: Instance, code: str, message: str) -> None:
    """A timer whose step fails puts its case in `error` for an administrator, instead of
    failing again on every pass; the failed step itself was rolled back to its savepoint."""
    log.warning("timer of instance %s failed: %s", instance.id, code)
    if instance.status == "running":
        instance.status = "error"
        instance.error = message[:2000]
        audit.record(session, "timer", "incident", instance_id=instance.id, detail={"error": code})


def fire_due(session: Session, at: datetime, *, limit: int = 500, batch: int = BATCH_SIZE) -> TickReport:
    """Fire batch after batch until nothing due at `at` is left for this worker, or `limit` were claimed."""
    report = TickReport()
    claimed = 0
    while claimed < limit:
        size = min(batch, limit - claimed)
        taken = fire_batch(session, at, report, size=size)
        claimed += taken
        if taken < size:
            break
    return report


def sweep_and_send(session: Session, at: datetime, report: TickReport) -> None:
    """Task deadlines (reminders, escalation: engine/collab/deadlines.py), then queued e-mail."""
    with clock.frozen(at):
        swept = deadlines.sweep(session, at)
    report.reminded, report.escalated = swept.reminded, swept.escalated
    report.emails_sent = notifications.send_pending(session).sent


def tick(session: Session, at: datetime | None = None, *, limit: int = 500,
         batch: int = BATCH_SIZE) -> TickReport:
    """One whole pass (`cwflow timers tick`): fire everything due at `at` (default: now), sweep
    task deadlines and send queued e-mail."""
    moment = at or clock.now()
    report = fire_due(session, moment, limit=limit, batch=batch)
    sweep_and_send(session, moment, report)
    return report


RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0


@dataclass
class Backoff:
    """Waits between attempts while the database fails: doubling from `first`, never above `cap`."""
    first: float = RETRY_FIRST_SECONDS
    cap: float = RETRY_MAX_SECONDS
    failures: int = 0

    def next_wait(self) -> float:
        self.failures += 1
        return min(self.cap, self.first * 2 ** (self.failures - 1))

    def reset(self) -> None:
        self.failures = 0


def run_worker(session_factory: Callable[[], Session], *, interval: float = 5.0,
               sweep_interval: float = SWEEP_SECONDS, batch: int = BATCH_SIZE,
               stop: Callable[[], bool] = lambda: False, max_iterations: int | None = None,
               backoff: Backoff | None = None, sleep: Callable[[float], object] | None = None) -> int:
    """Fire batches back to back while full ones come in, sleep `interval` once the due set is
    drained, and sweep deadlines and send e-mail every `sweep_interval` seconds, not every batch.

    A database error (connection cut, server restarting, a lock or statement timeout) never ends the
    worker: the pass is rolled back, logged, and tried again after a capped, doubling wait, so timers
    resume by themselves once the database is back. Stops when `stop()` turns true or after
    `max_iterations` passes; returns the number of passes made. `sleep` (default time.sleep) may be
    one a stop request wakes up, such as threading.Event.wait."""
    backoff = backoff or Backoff()
    pause = sleep or time.sleep
    sweep_due = 0.0
    passes = 0
    while not stop() and (max_iterations is None or passes < max_iterations):
        passes += 1
        report = TickReport()
        try:
            claimed, swept = _one_pass(session_factory, report, batch, sweep_due)
        except SQLAlchemyError as exc:
            wait = backoff.next_wait()
            log.error("timers: database error %s (attempt %s), retrying in %.0f s", _kind(exc), backoff.failures,
                      wait)
            pause(wait)
            continue
        if backoff.failures:
            log.warning("timers: database reachable again after %s failed attempt(s)", backoff.failures)
            backoff.reset()
        if swept:
            sweep_due = time.monotonic() + sweep_interval
        _log(report, claimed)
        if claimed < batch and not stop():
            pause(interval)
    return passes


def _one_pass(session_factory: Callable[[], Session], report: TickReport, batch: int,
              sweep_due: float) -> tuple[int, bool]:
    """One batch, and the sweep when it is due: (instances claimed, whether the sweep ran)."""
    session = session_factory()
    try:
        claimed = fire_batch(session, clock.now(), report, size=batch)
        swept = time.monotonic() >= sweep_due
        if swept:
            sweep_and_send(session, clock.now(), report)
        return claimed, swept
    finally:
        try:
            session.close()
        except SQLAlchemyError:
            log.warning("timers: closing a broken session failed")


def _kind(exc: SQLAlchemyError) -> str:
    """The error's type only: statement parameters may carry personal data."""
    orig = getattr(exc, "orig", None)
    return f"{type(exc).__name__} ({type(orig).__name__})" if orig is not None else type(exc).__name__


def _log(report: TickReport, claimed: int) -> None:
    busy = claimed or report.reminded or report.escalated or report.emails_sent
    log.log(logging.INFO if busy else logging.DEBUG,
            "timers: batch claimed %s, fired %s, conflicts %s, failed %s, reminded %s, escalated %s, e-mails %s",
            claimed, report.fired, report.conflicts, report.failed, report.reminded, report.escalated,
            report.emails_sent)
