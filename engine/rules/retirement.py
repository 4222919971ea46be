"""The statutory retirement date of a person, under the gradual retirement-age reform.

Why computed and not a flat age: since 2025-01-01 the age rises by a month every few months, by
birth month (全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定; 国务院关于渐进式延迟
法定退休年龄的办法 art. 2 and its tables), so two workers born a year apart retire at different ages.
The groups and the group of a community worker (003 art. 20) are policy.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from config.policy import policy_value
from engine.core.dates import add_months


@dataclass(frozen=True)
class RetirementAge:
    """An age in whole years and months, and the day it is reached."""

    years: int
    months: int
    on: date


def _month_index(text: str) -> int:
    year, month = (int(part) for part in text.split("-")[:2])
    return year * 12 + month - 1


def delay_months(group: dict[str, Any], birth: date) -> int:
    """Months added to the original age: none when it was reached before the reform, then one more
    for every `months_per_step` months of birth, up to the target age."""
    reached = birth.year * 12 + birth.month - 1 + group["original_years"] * 12
    since_start = reached - _month_index(group["reform_start"])
    if since_start < 0:
        return 0
    most = (group["target_years"] - group["original_years"]) * 12
    return min(since_start // group["months_per_step"] + 1, most)


def retirement_age(birth: date, group_name: str) -> RetirementAge:
    """The statutory retirement age of someone born on `birth` in group `group_name`."""
    group = policy_value("statutory_retirement_groups")[group_name]
    total = group["original_years"] * 12 + delay_months(group, birth)
    return RetirementAge(total // 12, total % 12, add_months(birth, total))


def community_worker_group(gender: str | None, data: dict[str, Any] | None = None) -> str | None:
    """The group of a community worker: the one the record names, else the policy's for the sex."""
    groups = policy_value("statutory_retirement_groups")
    named = (data or {}).get("retirement_group")
    if isinstance(named, str) and named in groups:
        return named
    return policy_value("community_worker_retirement_group").get(gender or "")
