"""Submitted form data as people read it: each field under its form label, codes as their titles.

Why here: the printable form shows what every step submitted, long after the fact and on paper, so
nothing may stay a code (`medical_period`, `true`, `2026-03-02T02:00:00+00:00`) and no odd value a
form left behind may stop the print.
"""

from datetime import date, datetime
from typing import Any

from engine.core import clock

Rows = list[tuple[str, str]]
SHOWN_ELSEWHERE = frozenset({"decision", "comment"})  # the step's result and comment columns


def field_rows(schema: dict[str, Any] | None, data: Any, *, skip: frozenset[str] = SHOWN_ELSEWHERE) -> Rows:
    """(label, text) for every field of `data`, in the form's order, then keys the form lacks."""
    if not isinstance(data, dict):
        return []
    properties = (schema or {}).get("properties") or {}
    rows: Rows = []
    for key in [*properties, *(k for k in data if k not in properties)]:
        if key in skip or key not in data:
            continue
        prop = properties.get(key) if isinstance(properties.get(key), dict) else {}
        rows.extend(_rows(str(prop.get("title") or key), prop, data[key]))
    return rows


def _rows(label: str, prop: dict[str, Any], value: Any) -> Rows:
    if isinstance(value, dict):
        return [(f"{label} › {inner}", text) for inner, text in field_rows(prop, value, skip=frozenset())]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        rows: Rows = []
        for index, item in enumerate(value, start=1):
            rows.extend(_rows(f"{label} {index}", items, item))
        return rows
    return [(label, value_text(prop, value))]


def value_text(prop: dict[str, Any], value: Any) -> str:
    """One value: option titles for codes, 是/否, dates as 年月日, China time for moments."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        return "、".join(value_text(items, v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{k}：{value_text({}, v)}" for k, v in value.items())
    for option in prop.get("oneOf") or prop.get("anyOf") or []:
        if isinstance(option, dict) and option.get("const") == value:
            return str(option.get("title") or value)
    return _dated(prop.get("format"), value)


def _dated(fmt: Any, value: Any) -> str:
    text = str(value)
    try:
        if fmt == "date":
            day = value if isinstance(value, date) else date.fromisoformat(text[:10])
            return f"{day.year}年{day.month}月{day.day}日"
        if fmt == "date-time":
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=clock.CHINA_TZ)
            return moment.astimezone(clock.CHINA_TZ).strftime("%Y年%-m月%-d日 %H:%M")
    except ValueError:
        return text
    return text
