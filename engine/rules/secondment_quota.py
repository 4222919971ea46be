"""Who of a community is seconded when: the periods the quota of 000 art. 12 is judged against.

Why read the workflows: a secondment's current end date lives in its workflow data (an approved
extension moves it, a refused one does not), and only approved or running secondments hold a
place. A worker the record shows as seconded without such a case still holds one, open-ended.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Instance, OrgUnit, Worker
from engine.rules.casework import as_date
from engine.workflow.instances import restore

OPEN_ENDED = date(9999, 12, 31)
HOLDING_STATES = ("approved", "active")


def workflow_data(session: Session, instance: Instance) -> dict[str, Any]:
    """The newest data of a running case's workflow (read only; nothing is saved)."""
    workflow = restore(session, instance)
    waiting = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED)
    waiting = [t for t in waiting if "secondment_state" in t.data]
    if not waiting:
        return {}
    return max(waiting, key=lambda t: t.last_state_change).data


def held_periods(session: Session, community: OrgUnit, today: date, *, exclude: int | None = None
                 ) -> list[tuple[date, date]]:
    """The (start, end) of every secondment holding a place of the community's quota."""
    return [(p.start, p.end) for p in quota_cases(session, community, today, exclude=exclude) if p.holds]


@dataclass(frozen=True)
class QuotaCase:
    """One secondment of a community as the quota sees it: holding a place (approved or running, or
    a worker the record shows seconded with no case, `instance_id` None), or a request still being
    decided, which holds none until it is approved."""

    worker_id: int
    instance_id: int | None
    start: date
    end: date
    holds: bool


def quota_cases(session: Session, community: OrgUnit, today: date, *, exclude: int | None = None
                ) -> list[QuotaCase]:
    """Every secondment of the community that holds a place of its quota, and every request still
    being decided (which the start form names as competing for the places, without counting it)."""
    found: list[QuotaCase] = []
    covered: set[int] = set()
    cases = session.scalars(select(Instance).where(
        Instance.org_path == community.path, Instance.key == "secondment", Instance.status == "running")
        .order_by(Instance.id))
    for case in cases:
        if case.id == exclude:
            covered.add(case.worker_id)
            continue
        data = workflow_data(session, case)
        state = data.get("secondment_state")
        if state not in HOLDING_STATES + ("requested",):
            continue
        start, end = as_date(data["start_date"]), as_date(data["end_date"])
        if state == "active" and end < today:
            end = OPEN_ENDED  # not back after the end date: away until the return is confirmed
        found.append(QuotaCase(case.worker_id, case.id, start, end, holds=state in HOLDING_STATES))
        if state in HOLDING_STATES:
            covered.add(case.worker_id)
    seconded = session.scalars(select(Worker.id).where(
        Worker.org_path == community.path, Worker.status == "seconded").order_by(Worker.id))
    found.extend(QuotaCase(worker_id, None, today, OPEN_ENDED, holds=True)
                 for worker_id in seconded if worker_id not in covered)
    return found


def peak(periods: list[tuple[date, date]], start: date, end: date) -> int:
    """The most periods running on any one day of [start, end]."""
    days = {start} | {p_start for p_start, _ in periods if start <= p_start <= end}
    return max(sum(1 for p_start, p_end in periods if p_start <= day <= p_end) for day in days)
