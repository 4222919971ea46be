"""Submitted form data as people read it: each field under its form label, codes as their titles.

Why here: the printable form shows what every step submitted, long after the fact and on paper, so
nothing may stay a code (`medical_period`, `true`, `2026-03-02T02:00:00+00:00`) and no odd value a
form left behind may stop the print.
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.models import OrgUnit

Rows = list[tuple[str, str]]
SHOWN_ELSEWHERE = frozenset({"decision", "comment"})  # the step's result and comment columns


def unit_names(session: Session) -> dict[str, str]:
    """Every org unit's name by its code, for naming the units a form stored as codes."""
    return dict(session.execute(select(OrgUnit.code, OrgUnit.name)).all())


def with_unit_names(schema: dict[str, Any] | None, units: Mapping[str, str]) -> dict[str, Any] | None:
    """The form with its `community` columns (a repeatable row's unit, stored as its code, e.g.
    招聘岗位的社区) given the units' names as choices, so the case page, the task page and the
    printed form all show 第一街道阳光社区 where the data holds S01C01."""
    if not isinstance(schema, dict):
        return schema
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return schema
    named = {}
    for key, prop in properties.items():
        items = prop.get("items") if isinstance(prop, dict) else None
        columns = items.get("properties") if isinstance(items, dict) else None
        if isinstance(columns, dict) and isinstance(columns.get("community"), dict) \
                and not columns["community"].get("oneOf"):
            choices = [{"const": code, "title": name} for code, name in units.items()]
            columns = {**columns, "community": {**columns["community"], "oneOf": choices}}
            prop = {**prop, "items": {**items, "properties": columns}}
        elif isinstance(prop, dict) and prop.get("type") == "object":
            prop = with_unit_names(prop, units)
        named[key] = prop
    return {**schema, "properties": named}


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
