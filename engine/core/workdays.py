"""Working days (工作日) for due dates and publicity periods (公示期).

Publicity and review periods are counted in working days of the national holiday calendar,
make-up working weekends (调休) included, so they cannot be ISO durations: callers compute an
absolute date here and hand it to the engine. The calendar is data: the `chinese_calendar`
package knows 2004–2026, `config/calendar.json` and a file named by `CWFLOW_CALENDAR_FILE` add or
correct years, and an administrator loads a year's official arrangement into the database (applied
here through `use_loaded_years`, winning over both). A year nobody knows gets the provisional
calendar of engine/core/statutory_holidays.py, and every date counted through it says so
(`MarkedDate.provisional`), so no date computation ever fails for want of data.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from chinese_calendar import holidays as _package_holidays
from chinese_calendar import workdays as _package_workdays

from engine.core.statutory_holidays import statutory_holidays

CALENDAR_FILE_ENV = "CWFLOW_CALENDAR_FILE"
DEFAULT_CALENDAR_FILE = Path(__file__).resolve().parents[2] / "config" / "calendar.json"

_YEAR_KEY = re.compile(r"\d{4}")
_LISTS = ("holidays", "workdays")

YearTable = Mapping[str, Mapping[str, Iterable[str]]]


class MarkedDate(NamedTuple):
    """A date counted in working days, and whether a provisional year took part in the count."""

    day: date
    provisional: bool


class CalendarConfigError(ValueError):
    """An override table is malformed; refused loudly because a silent typo shifts every due date."""


def _parse_years(table: YearTable, source: str) -> dict[int, tuple[set[date], set[date]]]:
    """Validate one override table and return {year: (holidays, workdays)}."""
    if not isinstance(table, Mapping):
        raise CalendarConfigError(f'{source}: "years" must be an object keyed by year')
    parsed: dict[int, tuple[set[date], set[date]]] = {}
    for raw_key, entry in table.items():
        key = str(raw_key)
        if key.startswith("_"):
            continue  # "_doc"-style keys are comments, which JSON lacks
        if not _YEAR_KEY.fullmatch(key) or not isinstance(entry, Mapping):
            raise CalendarConfigError(f'{source}: "{key}" must be a four-digit year mapped to an object')
        unknown = {k for k in entry if not k.startswith("_")} - set(_LISTS)
        if unknown:
            raise CalendarConfigError(
                f"{source}: year {key} has unknown keys {sorted(unknown)}; expected {list(_LISTS)}"
            )
        year = int(key)
        sets: list[set[date]] = []
        for name in _LISTS:
            values = entry.get(name, [])
            if isinstance(values, str | Mapping) or not isinstance(values, Iterable):
                raise CalendarConfigError(f'{source}: year {key} "{name}" must be a list of dates')
            days: set[date] = set()
            for value in values:
                try:
                    day = date.fromisoformat(value)
                except (TypeError, ValueError):
                    raise CalendarConfigError(
                        f'{source}: year {key} "{name}" has {value!r}, not a YYYY-MM-DD date'
                    ) from None
                if day.year != year:
                    raise CalendarConfigError(f"{source}: {value} is listed under year {key}")
                days.add(day)
            sets.append(days)
        both = sets[0] & sets[1]
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise CalendarConfigError(f"{source}: {listed} listed as both holiday and workday")
        parsed[year] = (sets[0], sets[1])
    return parsed


def _read_years(path: Path) -> YearTable:
    """The "years" table of one calendar file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CalendarConfigError(f"calendar file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CalendarConfigError(f"calendar file {path} cannot be read: {exc}") from None
    if not isinstance(document, dict):
        raise CalendarConfigError(f'calendar file {path} must hold an object with a "years" key')
    return document.get("years", {})


class WorkCalendar:
    """Which days offices work: package data for its years, administrators' overrides on top."""

    def __init__(self, overrides: YearTable | None = None, *, source: str = "overrides") -> None:
        """Build from the package plus `overrides` ({"2027": {"holidays": [...], "workdays": [...]}})."""
        self._holidays: set[date] = set(_package_holidays)
        self._workdays: set[date] = set(_package_workdays)
        package_years = {d.year for d in self._holidays}
        self._years: set[int] = set(range(min(package_years), max(package_years) + 1))
        if overrides:
            self.extend(overrides, source=source)

    @classmethod
    def from_files(cls, *paths: str | os.PathLike[str] | None) -> WorkCalendar:
        """Load override files in order; a later file wins for the dates it names."""
        calendar = cls()
        for path in paths:
            if path:
                calendar.extend(_read_years(Path(path)), source=str(path))
        return calendar

    def extend(self, overrides: YearTable, *, source: str = "overrides") -> None:
        """Apply an override table; its dates beat the package and every table applied before."""
        for year, (holidays, workdays) in _parse_years(overrides, source).items():
            self._years.add(year)
            self._holidays |= holidays
            self._workdays -= holidays
            self._workdays |= workdays
            self._holidays -= workdays

    def covers(self, year: int) -> bool:
        """Whether the holiday arrangement of `year` is known (package or override table)."""
        return year in self._years

    def is_provisional(self, year: int) -> bool:
        """Whether `year` is counted by the statutory rule alone, its official arrangement unknown."""
        return year not in self._years

    def arrangement(self, year: int) -> tuple[list[date], list[date]]:
        """The days off and the make-up working weekends of `year` (the statutory ones if provisional)."""
        if self.is_provisional(year):
            return sorted(statutory_holidays(year)), []
        return (sorted(d for d in self._holidays if d.year == year),
                sorted(d for d in self._workdays if d.year == year))

    def is_working_day(self, day: date) -> bool:
        """Whether offices work on `day`: weekdays unless a holiday, plus make-up weekends (调休);
        in a provisional year weekdays unless a statutory holiday."""
        day = _as_date(day)
        if day.year not in self._years:
            return day.weekday() < 5 and day not in statutory_holidays(day.year)
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start`, not counting `start` itself.

        n=0 returns `start` when it is a working day, else the next working day: a period of zero
        working days still has to end on a day someone is in the office to act on it.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = _as_date(start)
        if n == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def add_working_days_marked(self, start: date, n: int) -> MarkedDate:
        """`add_working_days`, marked provisional when a day it looked at lies in a provisional year."""
        first = _as_date(start) if n == 0 else _as_date(start) + timedelta(days=1)
        day = self.add_working_days(start, n)
        return MarkedDate(day, any(self.is_provisional(y) for y in range(first.year, day.year + 1)))

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b] — so `working_days_between(s, add_working_days(s, n)) == n` for n >= 1.

        Negative when b is before a, so the count can say how far past a due date something is.
        """
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a
        while day < b:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def _as_date(day: date) -> date:
    """Reduce a datetime to its calendar date (give aware +08:00 datetimes so it is the Beijing date)."""
    return day.date() if isinstance(day, datetime) else day


_loaded: dict[str, object] = {"table": {}, "fingerprint": None}


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The shared calendar: config/calendar.json, $CWFLOW_CALENDAR_FILE, then the years loaded into
    the database; built once per process and rebuilt when those years change."""
    base = DEFAULT_CALENDAR_FILE if DEFAULT_CALENDAR_FILE.exists() else None
    calendar = WorkCalendar.from_files(base, os.environ.get(CALENDAR_FILE_ENV))
    if _loaded["table"]:
        calendar.extend(_loaded["table"], source="database")  # type: ignore[arg-type]
    return calendar


def use_loaded_years(table: YearTable, fingerprint: tuple = ()) -> None:
    """Take the administrators' loaded years (same shape as the files' "years") into the calendar."""
    if fingerprint == _loaded["fingerprint"]:
        return
    _loaded["table"], _loaded["fingerprint"] = dict(table), fingerprint
    default_calendar.cache_clear()


def loaded_fingerprint() -> tuple | None:
    """What the loaded years were built from (None before the first load), to tell whether to reload."""
    return _loaded["fingerprint"]  # type: ignore[return-value]


def reset_default_calendar() -> None:
    """Forget the cached calendar so the next call rereads the files (tests, after an admin edit)."""
    default_calendar.cache_clear()
