"""The labour-law reading of a worker record that dismissal (辞退) needs.

Why a module of its own: protections (003 art. 41; 劳动合同法 art. 42), years of service and
severance (art. 47) are computed from the record on the day they are judged, and the same
answers are needed at start, at every approval and at the written notice.
"""

from datetime import date
from typing import Any

from config.policy import policy_value
from engine.core.dates import add_months
from engine.models import Worker
from engine.rules.casework import as_date
from engine.rules.retirement import community_worker_group, retirement_age

GROUND_NAMES = {
    "probation_failed": "试用期考核不合格",
    "assessment_failed_twice": "连续两年考核不合格",
    "serious_breach": "严重违反规章制度",
    "dereliction": "严重失职造成重大损害",
    "agreement_breach": "不履行服务协议经教育不改正",
    "incompetent": "不能胜任工作经培训或调岗仍不能胜任",
    "criminal_liability": "被依法追究刑事责任",
    "absence": "旷工或逾期不归",
}
PROTECTION_NAMES = {
    "work_injury_disability": "因公致残",
    "medical_period": "在规定的医疗期内",
    "pregnancy_or_nursing": "在孕期、产期或哺乳期内",
    "near_retirement": "连续工作满15年且距法定退休年龄不足5年",
    "other_legal_bar": "法律、行政法规规定的其他情形",
}
# 劳动合同法 art. 42 (5): at least 15 years' continuous service and within 5 years of retirement.
NEAR_RETIREMENT_SERVICE_YEARS = 15
NEAR_RETIREMENT_WITHIN_YEARS = 5


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def whole_months(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if add_months(start, months) > end else months


def service_start(worker: Worker) -> date | None:
    """When continuous service began: `data.entry_date` when recorded, else the contract start."""
    return as_date((worker.data or {}).get("entry_date")) or as_date((worker.contract or {}).get("start"))


def severance_months(start: date, end: date) -> float:
    """劳动合同法 art. 47: a month's pay per full year; half a year or more counts as a year,
    less than half a year as half a month."""
    months = whole_months(start, end)
    years, rest = divmod(months, 12)
    leftover_days = (end - add_months(start, months)).days
    if rest >= 6:
        return float(years + 1)
    if rest > 0 or leftover_days > 0:
        return years + 0.5
    return float(years)


def statutory_retirement_date(worker: Worker) -> date | None:
    """When the worker reaches the statutory retirement age (None without birth date or sex)."""
    born, group = as_date(worker.birth_date), community_worker_group(worker.gender, worker.data)
    if born is None or group is None:
        return None
    return retirement_age(born, group).on


def near_retirement(worker: Worker, on: date) -> bool:
    start, retires = service_start(worker), statutory_retirement_date(worker)
    if start is None or retires is None:
        return False
    served = whole_months(start, on) >= NEAR_RETIREMENT_SERVICE_YEARS * 12
    return served and on >= add_years(retires, -NEAR_RETIREMENT_WITHIN_YEARS)


def record_protections(worker: Worker, on: date) -> list[str]:
    """The protections the record shows on `on` (003 art. 41; 劳动合同法 art. 42)."""
    flags: dict[str, Any] = worker.flags or {}
    found = []
    if flags.get("work_injury_disability"):
        found.append("work_injury_disability")
    until = as_date(flags.get("medical_period_until"))
    if until is not None and until >= on:
        found.append("medical_period")
    until = as_date(flags.get("pregnancy_or_nursing_until"))
    if until is not None and until >= on:
        found.append("pregnancy_or_nursing")
    if near_retirement(worker, on):
        found.append("near_retirement")
    return found


def fault_grounds(grounds: list[str]) -> list[str]:
    no_fault = set(policy_value("dismissal_no_fault_grounds"))
    return [g for g in grounds if g not in no_fault]


def basis(grounds: list[str]) -> str:
    """`fault` when any ground is a fault ground (劳动合同法 art. 39: no notice), else `no_fault`."""
    return "fault" if fault_grounds(grounds) else "no_fault"


def protections_bar(grounds: list[str], protections: list[str]) -> bool:
    """A protection bars the dismissal: always under 003 art. 41 read literally ("all"); under
    劳动合同法 art. 42 only when no fault ground is given ("no_fault", the default)."""
    if not protections:
        return False
    return policy_value("dismissal_protection_scope") == "all" or not fault_grounds(grounds)


def describe(codes: list[str], names: dict[str, str]) -> str:
    return "、".join(names.get(code, code) for code in codes)
