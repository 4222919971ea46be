"""Policy numbers: each with the seed and article it comes from (domain.md).

A deployment overrides any of them with CWFLOW_POLICY_<NAME> in the environment or the
POLICY mapping of its settings; code reads them only through `policy_value`.
"""

import json
import os
from typing import Any

DEFAULTS: dict[str, Any] = {
    # 003 art. 38: the street decides on a resignation within 30 days of receipt.
    "resignation_decision_days": 30,
    # Reminder this many days before the resignation decision is due (team default).
    "resignation_reminder_days_before": 5,
    # 003 art. 39: flags on the worker record that bar a resignation while set.
    "resignation_blocking_flags": ["under_audit", "under_discipline_review", "criminal_case_pending"],
    # 000 art. 12, 004 art. 24: a secondment lasts at most 3 months in total, extensions included.
    "secondment_max_months": 3,
    # 000 art. 12: at most 2 workers of one community seconded at the same time.
    "secondment_max_concurrent_per_community": 2,
    # 004 art. 24 (social_work_dept) or 000 art. 12 ("ordos": district_org_dept + district_civil_affairs).
    "secondment_approval_variant": "social_work_dept",
    # 003 art. 43: in-house review/complaint window after a dismissal notice, in days.
    "dismissal_appeal_days": 15,
    # 劳动合同法 art. 40: notice for no-fault grounds, in days.
    "dismissal_notice_days": 30,
    # 003 art. 10: at most 2 recruitment campaigns per district per year.
    "recruitment_campaigns_per_year": 2,
    # 004 art. 5: 18 workers per 10,000 urban residents ("per_residents");
    # 003 art. 7: 1 per 130 households, at least 9 per community ("per_households").
    "staffing_standard": {"kind": "per_residents", "per": 10000, "workers": 18, "minimum": 0},
    # domain.md, Process 1 stage 4: maximum age (002 samples use 35).
    "recruitment_max_age": 40,
    # 002 sample 4 art. 9 (4): interview list at 3 x posts.
    "interview_ratio": 3,
    # Written/interview weights in percent (notices vary 50/50, 60/40, 40/60).
    "exam_weights": {"written": 50, "interview": 50},
    # Publicity of people to be hired, in working days (公务员法 art. 32: at least 5).
    "publicity_working_days": 7,
    # 000 art. 10: contract 3 years; probation 3 months (003 art. 16: six months).
    "contract_years": 3,
    "probation_months": 3,
}


def policy_value(name: str, overrides: dict[str, Any] | None = None) -> Any:
    """The value in force for a policy: settings override, then environment, then default."""
    if name not in DEFAULTS:
        raise KeyError(f"unknown policy '{name}'")
    if overrides and name in overrides:
        return overrides[name]
    raw = os.environ.get(f"CWFLOW_POLICY_{name.upper()}")
    if raw is not None:
        return json.loads(raw)
    return DEFAULTS[name]
