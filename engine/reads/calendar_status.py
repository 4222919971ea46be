"""What administrators see of the working-day calendar: one year's arrangement and where it came
from, and the years still provisional that pending dates already reach (the warning banner)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.calendar_store import session_calendar
from engine.models import Application, CalendarYear, Instance, TaskRow


@dataclass
class YearSummary:
    year: int
    source: str  # loaded (by an administrator) | official (package or config file) | provisional
    holidays: list[date]
    workdays: list[date]
    loaded_by: str | None = None
    loaded_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "source": self.source, "holidays": [d.isoformat() for d in self.holidays],
                "workdays": [d.isoformat() for d in self.workdays], "loaded_by": self.loaded_by,
                "loaded_at": self.loaded_at.isoformat() if self.loaded_at else None}


def year_summary(session: Session, year: int) -> YearSummary:
    calendar = session_calendar(session)
    holidays, workdays = calendar.arrangement(year)
    row = session.get(CalendarYear, year)
    if row is not None:
        return YearSummary(year, "loaded", holidays, workdays, row.loaded_by, row.loaded_at)
    return YearSummary(year, "provisional" if calendar.is_provisional(year) else "official", holidays, workdays)


def _latest_pending_date(session: Session) -> date | None:
    """The furthest date something still waits for: an open task's due day, a publicity end, a timer."""
    moments = [
        session.scalar(select(func.max(TaskRow.due_at)).where(TaskRow.status == "open")),
        session.scalar(select(func.max(Instance.next_timer_at)).where(Instance.status == "running")),
    ]
    days = [m.astimezone(clock.CHINA_TZ).date() for m in moments if m is not None]
    until = session.scalar(select(func.max(Application.publicity_until)).where(Application.status == "publicised"))
    return max([*days, *([until] if until else [])], default=None)


def provisional_years_ahead(session: Session) -> list[int]:
    """This year if provisional, and next year if provisional and a pending date already reaches it."""
    calendar = session_calendar(session)
    this_year = clock.today().year
    latest = _latest_pending_date(session)
    horizon = max(this_year, latest.year if latest else this_year)
    return [year for year in (this_year, this_year + 1) if year <= horizon and calendar.is_provisional(year)]
