"""The statutory public holidays of a year whose official arrangement is not known yet.

The 全国年节及纪念日放假办法 (as revised in 2024, in force from 2025, art. 2) gives every
citizen 13 days off: 元旦 1 day (1 January), 春节 4 days (除夕 and the first three days of the
first lunar month), 清明 1 day (the solar term), 劳动节 2 days (1–2 May), 端午 1 day (5th day of the
5th lunar month), 中秋 1 day (15th day of the 8th lunar month), 国庆 3 days (1–3 October). The State
Council's yearly notice moves days around them (调休) and cannot be guessed, so a calendar built from
this rule alone is provisional: every date counted through it is marked as such.
"""

from datetime import date, timedelta
from functools import lru_cache

from chinese_calendar import get_solar_terms
from lunardate import LunarDate

QINGMING = "清明"


def _lunar(year: int, month: int, day: int) -> date | None:
    """The solar date of a lunar date, or None outside the lunar tables (1900–2099)."""
    try:
        return LunarDate(year, month, day).to_solar_date()
    except ValueError:
        return None


def _lunar_new_year(year: int) -> date | None:
    """初一 of the lunar year beginning in Gregorian `year`; for 2100 the day after lunar 2099's end."""
    first = _lunar(year, 1, 1)
    if first is not None:
        return first
    last_month = _lunar(year - 1, 12, 1)
    if last_month is None:
        return None
    length = 30 if _lunar(year - 1, 12, 30) is not None else 29
    return last_month + timedelta(days=length)


def _qingming(year: int) -> date:
    """The day of the 清明 solar term (4 or 5 April, rarely the 6th)."""
    try:
        terms = get_solar_terms(date(year, 4, 3), date(year, 4, 6))
    except NotImplementedError:  # the package's term tables end at 1900 and 2100
        terms = []
    for day, name in terms:
        if name == QINGMING:
            return day
    return date(year, 4, 5)


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> frozenset[date]:
    """The 13 statutory days off of `year` without any 调休 (lunar ones omitted beyond the tables)."""
    days = {date(year, 1, 1), _qingming(year), date(year, 5, 1), date(year, 5, 2),
            date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)}
    new_year = _lunar_new_year(year)
    if new_year is not None:
        days |= {new_year + timedelta(days=offset) for offset in (-1, 0, 1, 2)}  # 除夕 is the day before
    for month, day in ((5, 5), (8, 15)):
        found = _lunar(year, month, day)
        if found is not None:
            days.add(found)
    return frozenset(d for d in days if d.year == year)
