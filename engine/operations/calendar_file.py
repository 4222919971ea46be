"""The file an administrator loads for one year's official holiday arrangement, checked strictly:
a typo in it shifts every due date counted through that year, so nothing doubtful is accepted.

Shape: {"year": 2027, "holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...]}, copied from
the State Council General Office's notice (国务院办公厅关于2027年部分节假日安排的通知): `holidays` are
the days off, `workdays` the make-up working weekends (调休上班). Keys starting with "_" are comments.
"""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.core.errors import InvalidData

FIRST_YEAR, LAST_YEAR = 1990, 2100
KEYS = ("year", "holidays", "workdays")


@dataclass(frozen=True)
class Arrangement:
    year: int
    holidays: tuple[date, ...]
    workdays: tuple[date, ...]


def _refuse(field: str, message: str) -> InvalidData:
    return InvalidData(f"工作日历文件有误：{message}", {field: [message]}, code="calendar_invalid")


def parse_text(text: str) -> Arrangement:
    """Parse the uploaded or pasted JSON text."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, TypeError) as exc:
        raise _refuse("file", f"不是有效的 JSON（{exc}）") from None
    return parse_arrangement(document)


def _days(document: dict[str, Any], name: str, year: int, label: str) -> tuple[date, ...]:
    values = document.get(name, [])
    if not isinstance(values, list):
        raise _refuse(name, f"{label}须为日期列表")
    days: list[date] = []
    for position, value in enumerate(values, start=1):
        try:
            day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise _refuse(name, f"{label}第 {position} 项 {value!r} 不是 YYYY-MM-DD 格式的日期")
        if day.year != year:
            raise _refuse(name, f"{label} {value} 不在 {year} 年内")
        if day in days:
            raise _refuse(name, f"{label} {value} 重复列出")
        days.append(day)
    return tuple(sorted(days))


def parse_arrangement(document: Any) -> Arrangement:
    """Check one year's arrangement: dates inside that year, none twice, make-up days on weekends."""
    if not isinstance(document, dict):
        raise _refuse("file", '须为 JSON 对象，如 {"year": 2027, "holidays": [...], "workdays": [...]}')
    unknown = sorted(k for k in document if not str(k).startswith("_") and k not in KEYS)
    if unknown:
        raise _refuse("file", f"不认识的键 {', '.join(unknown)}；只能有 year、holidays、workdays")
    year = document.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise _refuse("year", f"year 须为 {FIRST_YEAR}–{LAST_YEAR} 之间的整数年份")
    holidays = _days(document, "holidays", year, "放假日期")
    workdays = _days(document, "workdays", year, "调休上班日期")
    if not holidays:
        raise _refuse("holidays", "放假日期不能为空（至少有元旦）")
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise _refuse("workdays", f"{both[0].isoformat()} 不能既是放假日期又是调休上班日期")
    weekdays = [d for d in workdays if d.weekday() < 5]
    if weekdays:
        raise _refuse("workdays", f"调休上班日期 {weekdays[0].isoformat()} 不是周末，本来就是工作日")
    return Arrangement(year, holidays, workdays)
