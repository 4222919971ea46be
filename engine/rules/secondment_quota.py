"""Who of a community is seconded when: the periods the quota of 000 art. 12 is judged against.

Why read the workflows: a secondment's current end date lives in its workflow data (an approved
extension moves it, a refused one does not), and only approved or running secondments hold a
place. A worker the record shows as seconded without such a case still holds one, open-ended.
"""

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
    periods: list[tuple[date, date]] = []
    covered: set[int] = set()
    cases = session.scalars(select(Instance).where(
        Instance.org_path == community.path, Instance.key == "secondment", Instance.status == "running"))
    for case in cases:
        if case.id == exclude:
            covered.add(case.worker_id)
            continue
        data = workflow_data(session, case)
        if data.get("secondment_state") not in HOLDING_STATES:
            continue
        start, end = as_date(data["start_date"]), as_date(data["end_date"])
        if data["secondment_state"] == "active" and end < today:
            end = OPEN_ENDED  # not back after the end date: away until the return is confirmed
        periods.append((start, end))
        covered.add(case.worker_id)
    seconded = session.scalars(select(Worker.id).where(
        Worker.org_path == community.path, Worker.status == "seconded"))
    periods.extend((today, OPEN_ENDED) for worker_id in seconded if worker_id not in covered)
    return periods


def peak(periods: list[tuple[date, date]], start: date, end: date) -> int:
    """The most periods running on any one day of [start, end]."""
    days = {start} | {p_start for p_start, _ in periods if start <= p_start <= end}
    return max(sum(1 for p_start, p_end in periods if p_start <= day <= p_end) for day in days)
