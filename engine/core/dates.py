"""Calendar arithmetic shared by the domain rules and the diagrams' scripts.

Contract terms, probation ends and secondment limits are counted in calendar months, and every
one of them must land on the same day, so there is one definition of "n months later".
"""

from datetime import date
from typing import Any


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier when negative), clamped to the
    last day of a shorter month: 31 January + 1 month is 28 or 29 February."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(month_index, 12)
    month = month0 + 1
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last_day = (following - date(year, month, 1)).days
    return date(year, month, min(day.day, last_day))


def add_months_iso(day: Any, months: Any) -> str:
    """`add_months` for ISO text, as diagram scripts and form data hold dates: takes a date or
    text starting with YYYY-MM-DD, gives YYYY-MM-DD."""
    start = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
    return add_months(start, int(months)).isoformat()
