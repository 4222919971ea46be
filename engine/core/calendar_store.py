"""The official holiday arrangements administrators loaded into the database, kept in step with the
process-wide working-day calendar: each process compares the loaded rows (a few short lists) with
what its calendar was built from, and rebuilds only when another process loaded a year."""

import os

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.workdays import (
    CALENDAR_FILE_ENV,
    DEFAULT_CALENDAR_FILE,
    WorkCalendar,
    default_calendar,
    loaded_fingerprint,
    use_loaded_years,
)
from engine.models import CalendarYear


def _loaded_rows(session: Session) -> dict[str, dict[str, list[str]]]:
    """Loaded rows in the shape of the calendar files' "years" table."""
    with session.no_autoflush:
        rows = session.scalars(select(CalendarYear).order_by(CalendarYear.year))
        return {str(row.year): {"holidays": sorted(row.holidays), "workdays": sorted(row.workdays)} for row in rows}


def session_calendar(session: Session) -> WorkCalendar:
    """The shared calendar with every year loaded into this database so far."""
    table = _loaded_rows(session)
    fingerprint = tuple((year, tuple(entry["holidays"]), tuple(entry["workdays"])) for year, entry in table.items())
    if fingerprint != loaded_fingerprint():
        use_loaded_years(table, fingerprint)
    return default_calendar()


def pending_calendar(session: Session) -> WorkCalendar:
    """A calendar from the files and the rows this transaction sees, leaving the shared one alone
    until the transaction commits (a rolled-back load must not change any process's counting)."""
    session.flush()
    base = DEFAULT_CALENDAR_FILE if DEFAULT_CALENDAR_FILE.exists() else None
    calendar = WorkCalendar.from_files(base, os.environ.get(CALENDAR_FILE_ENV))
    calendar.extend(_loaded_rows(session), source="database")
    return calendar
