"""A worker's secondment days over a rolling window (借调累计时长) — 000 art. 12, 004 art. 24.

The three months are a total ("累计"), so they are counted over any window of
`secondment_window_months` months: an early return followed by a new request the next day does not
start the count again. Finished secondments count with their actual days (start to the day before
the recorded return); other open cases count with the period they ask for (an approved extension
moves its end). The cap in days is the longest a single secondment starting on the requested start
day may last, so a request the per-case limit allows never fails this rule on its own.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.policy import policy_value
from engine.core.dates import add_months
from engine.core.errors import RuleViolation
from engine.models import Instance
from engine.rules.casework import as_date
from engine.rules.secondment_quota import workflow_data

Period = tuple[date, date]


def returned_on(data: dict[str, Any]) -> date | None:
    """The day a finished secondment's worker was back: the confirmed return or the early return."""
    confirmed = (data.get("secondment_return") or {}).get("returned_on")
    period = data.get("secondment_period") or {}
    early = period.get("returned_on") if period.get("decision") == "return_early" else None
    value = confirmed or early
    return as_date(value) if value else None


def worker_periods(session: Session, worker_id: int, *, exclude: int | None = None) -> list[Period]:
    """The worker's days away (finished secondments) and asked for (other open cases), inclusive."""
    periods: list[Period] = []
    cases = session.scalars(select(Instance).where(
        Instance.key == "secondment", Instance.worker_id == worker_id,
        Instance.status.in_(("running", "completed"))).order_by(Instance.id))
    for case in cases:
        if case.id == exclude:
            continue
        if case.status == "completed":
            back = returned_on(case.data or {})
            if case.outcome != "approved" or back is None:
                continue  # rejected or lapsed: the worker never went
            start = as_date(case.data["start_date"])
            periods.append((start, max(start, back - timedelta(days=1))))
            continue
        data = workflow_data(session, case) or case.data or {}
        if data.get("start_date") and data.get("end_date"):
            periods.append((as_date(data["start_date"]), as_date(data["end_date"])))
    return periods


def _overlap(period: Period, low: date, high: date) -> int:
    return max((min(period[1], high) - max(period[0], low)).days + 1, 0)


def _windows(periods: list[Period], months: int) -> list[Period]:
    """Every window the busiest one can be: starting where a period starts or ending where one ends."""
    found = []
    for start, end in periods:
        found.append((start, add_months(start, months) - timedelta(days=1)))
        found.append((add_months(end + timedelta(days=1), -months), end))
    return found


def check_window(session: Session, worker_id: int, start: date, end: date, *, field: str,
                 exclude: int | None = None) -> None:
    """Refuse `secondment_window_exceeded` when [start, end] would put more than the cap of days
    away into any rolling window, naming the days already used there and those left."""
    months = int(policy_value("secondment_window_months"))
    max_months = int(policy_value("secondment_max_months"))
    cap = (add_months(start, max_months) - start).days
    others = worker_periods(session, worker_id, exclude=exclude)
    if not others:
        return
    requested = (start, end)
    worst: tuple[int, Period] | None = None
    for low, high in _windows([*others, requested], months):
        mine = _overlap(requested, low, high)
        if not mine:
            continue
        used = sum(_overlap(p, low, high) for p in others)
        if used + mine > cap and (worst is None or used > worst[0]):
            worst = (used, (low, high))
    if worst is None:
        return
    used, (low, high) = worst
    remaining = max(cap - used, 0)
    asked = (end - start).days + 1
    raise RuleViolation(
        "secondment_window_exceeded",
        f"同一工作者任意{months}个月内借调累计不得超过{max_months}个月（{cap}天）：{low.isoformat()}至{high.isoformat()}"
        f"期间已借调或已申请借调 {used} 天，尚余 {remaining} 天，本次申请 {asked} 天"
        "（《鄂尔多斯市社区工作者暂行管理办法》第十二条、《内蒙古自治区社区工作者管理办法》第二十四条）",
        fields={field: [f"累计已借调 {used} 天，尚余 {remaining} 天"]},
        used_days=used, remaining_days=remaining, requested_days=asked, cap_days=cap,
        window_start=low.isoformat(), window_end=high.isoformat())
