"""Checks of timer values (timeDate, timeDuration, timeCycle): the same at upload, for values written
out in a diagram, and at run time, for values a script computed."""

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

MAX_TIMER_DAYS = 36_600  # about 100 years: SpiffWorkflow walks month by month


def _duration_days(parsed: dict[str, float]) -> float:
    return (parsed.get("years", 0) * 366 + parsed.get("months", 0) * 31 + parsed.get("weeks", 0) * 7
            + parsed.get("days", 0) + parsed.get("hours", 0) / 24 + parsed.get("minutes", 0) / 1440
            + parsed.get("seconds", 0) / 86400)


def _check_duration(parsed: object) -> str | None:
    if not isinstance(parsed, dict):
        return '此处应为持续时间，如 "P5D"'
    if _duration_days(parsed) > MAX_TIMER_DAYS:
        return "持续时间超过 100 年"
    return None


def _check_date(value: str) -> str | None:
    moment = TimerEventDefinition.parse_time_or_duration(value)
    if not isinstance(moment, datetime):
        return '此处应为日期时间，如 "2025-03-01T09:00:00+08:00"'
    if "W" not in value.upper() and datetime.fromisoformat(value).tzinfo is None:
        return '须注明时区，如 "2025-03-01T09:00:00+08:00"'
    return None


def _check_cycle(value: str) -> str | None:
    components = value.upper().replace("--", "/").strip("R").split("/")
    if len(components) not in (2, 3):
        return '此处应为循环，如 "R3/PT1H"'
    if components[0]:
        int(components[0])
    parts = [TimerEventDefinition.parse_time_or_duration(part) for part in components[1:]]
    durations = [part for part in parts if isinstance(part, dict)]
    if len(durations) != 1:
        return "循环须有且只有一个持续时间（开始或结束时间至多一个）"
    return _check_duration(durations[0])


_TIMER_CHECKS = {"timeDate": _check_date, "timeDuration": lambda v: _check_duration(
    TimerEventDefinition.parse_iso_duration(v)), "timeCycle": _check_cycle}
TIMER_KINDS = frozenset(_TIMER_CHECKS)


def timer_value_problem(kind: str, value: str) -> str | None:
    """What is wrong with a timer value of `kind` (timeDate, timeDuration, timeCycle), or None;
    the same check at upload (written-out values) and at run time (computed ones)."""
    return _TIMER_CHECKS[kind](value)
