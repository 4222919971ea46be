"""Policy numbers: each with the regulation and article it comes from.

The comments cite the local regulations by a short number (000, 002, 003, 004); the key from
these numbers to the regulations' names is at the top of docs/domain.md ("The regulations").

A deployment overrides any of them with CWFLOW_POLICY_<NAME> in the environment or the
POLICY mapping of its settings; code reads them only through `policy_value`.
"""

import json
import os
from typing import Any

DEFAULTS: dict[str, Any] = {
    # 003 art. 38; 劳动合同法 art. 37: the street acts on a resignation within 30 days of receipt,
    # and the worker's notice takes effect when these days have passed.
    "resignation_decision_days": 30,
    # 劳动合同法 art. 37: three days' notice during probation.
    "resignation_probation_notice_days": 3,
    # Reminder this many days before the resignation decision is due (team default).
    "resignation_reminder_days_before": 5,
    # 劳动合同法 art. 37 (the notice period): a receipt date older than this many days is refused.
    "resignation_receipt_max_age_days": 30,
    # 003 art. 39: flags on the worker record that hold a resignation while set.
    "resignation_blocking_flags": ["under_audit", "under_discipline_review", "criminal_case_pending",
                                   "unfinished_business"],
    # 000 art. 12, 004 art. 24: a secondment lasts at most 3 months in total, extensions included.
    "secondment_max_months": 3,
    # 000 art. 12, 004 art. 24 ("累计"): the 3 months are counted over any rolling window of this many
    # months, so an early return and a new request cannot restart the count (team default).
    "secondment_window_months": 12,
    # 000 art. 12: at most 2 workers of one community seconded at the same time.
    "secondment_max_concurrent_per_community": 2,
    # 004 art. 24 (social_work_dept) or 000 art. 12 ("ordos": district_org_dept + district_civil_affairs).
    "secondment_approval_variant": "social_work_dept",
    # 004 art. 24: only the street may borrow (000 art. 12 lets any unit borrow with approval).
    "secondment_borrower_levels": ["street"],
    # Team default: a return not confirmed this many days after the end date is escalated.
    "secondment_return_grace_days": 3,
    # 劳动合同法 art. 40, 002 双闸 rules art. 23: grounds without fault (the rest are fault grounds, art. 39).
    "dismissal_no_fault_grounds": ["assessment_failed_twice", "incompetent"],
    # 劳动合同法 art. 42: protections bar no-fault grounds ("no_fault"); 003 art. 41 read literally: all ("all").
    "dismissal_protection_scope": "no_fault",
    # 003 art. 40 (6): absence > 15 consecutive days or > 30 days in a year (000 art. 21 (5): 30 a year).
    "dismissal_absence_consecutive_days": 15,
    "dismissal_absence_days_per_year": 30,
    # 003 art. 40 (1), 000 art. 21 (1), 004 art. 37 (2): failed two years running; 002 sample 4 art. 17, 20:
    # {"twice_running": ["基本称职", "不称职"], "once": ["不称职"]}.
    "dismissal_assessment_grades": {"twice_running": ["不称职", "不合格"], "once": []},
    # Statutory retirement age by group, read by 劳动合同法 art. 42 (5). Original ages: 国务院关于工人退休、
    # 退职的暂行办法 art. 1 (men 60, women cadres 55, women workers 50). 全国人民代表大会常务委员会关于实施
    # 渐进式延迟法定退休年龄的决定 (2024-09-13) and its 国务院关于渐进式延迟法定退休年龄的办法 art. 2: from
    # 2025-01-01 the age rises by one month every 4 months (men to 63, women 55 to 58) or every 2 months
    # (women 50 to 55), counted from the month the original age is reached.
    "statutory_retirement_groups": {
        "male_60": {"original_years": 60, "target_years": 63, "months_per_step": 4, "reform_start": "2025-01"},
        "female_55": {"original_years": 55, "target_years": 58, "months_per_step": 4, "reform_start": "2025-01"},
        "female_50": {"original_years": 50, "target_years": 55, "months_per_step": 2, "reform_start": "2025-01"},
    },
    # 003 art. 20: community workers retire at 60 (men) and 55 (women), the cadre ages, so women community
    # workers are in the female_55 group; a record may name another group in `data.retirement_group`.
    "community_worker_retirement_group": {"男": "male_60", "女": "female_55"},
    # 003 art. 43: in-house review/complaint window after a dismissal notice, in days.
    "dismissal_appeal_days": 15,
    # 劳动合同法 art. 40: notice for no-fault grounds, in days.
    "dismissal_notice_days": 30,
    # 003 art. 10: at most 2 recruitment campaigns per district per year.
    "recruitment_campaigns_per_year": 2,
    # 004 art. 5: 18 workers per 10,000 urban residents ("per_residents");
    # 003 art. 7: 1 per 130 households, at least 9 per community ("per_households").
    "staffing_standard": {"kind": "per_residents", "per": 10000, "workers": 18, "minimum": 0},
    # 004 art. 9 (二): maximum age, "一般在40周岁以下" (some 002 sample rules use 35).
    "recruitment_max_age": 40,
    # 002 sample 4 art. 9 (4): interview list at 3 x posts.
    "interview_ratio": 3,
    # Team default after local notices: 1:2 in some notices when a post has many places; applied to a post
    # whose count is at least `interview_ratio_large_posts`.
    "interview_ratio_large": 2,
    "interview_ratio_large_posts": 10,
    # 公务员录用体检通用标准 (docs/domain.md, recruitment stage 8): one re-examination, requested within 7 days
    # of the failed result being recorded.
    "physical_reexam_days": 7,
    # Written/interview weights in percent (notices vary 50/50, 60/40, 40/60).
    "exam_weights": {"written": 50, "interview": 50},
    # Publicity of people to be hired, in working days (公务员法 art. 32: at least 5).
    "publicity_working_days": 7,
    # 000 art. 10: a recruited worker's contract runs 3 years (003 art. 16: five years "in principle");
    # the hire refuses a longer term, a shorter one is allowed (劳动合同法 art. 19 then caps the probation).
    "contract_years": 3,
    # 000 art. 10: probation 3 months (003 art. 16: six months); never beyond 劳动合同法 art. 19's caps.
    "probation_months": 3,
    # 004 art. 8: a campaign is organised by the city (盟市) or the district (旗县); 003 art. 10 lets the
    # district panel entrust the streets, so a deployment may add "street".
    "recruitment_organiser_levels": ["city", "district"],
    # 004 art. 12: the street signs the labour contract (a sample in 002 has a district service centre sign).
    "recruitment_contract_signer_role": "street_hr",
    # 004 art. 12, 37 (1): the employer that signed the contract reviews the probation.
    "probation_review_role": "street_hr",
    # 劳动合同法 art. 39 (1): a failed probation ends the contract only within probation, so the review
    # opens this many working days before the probation's last day (team default).
    "probation_review_lead_working_days": 10,
    # 003 art. 6 (二) 4: education at least 大专; fresh graduates at least 本科.
    "recruitment_min_education": "大专",
    "recruitment_fresh_graduate_min_education": "本科",
    # 004 art. 9: age and education "may be relaxed" on street recommendation; how far is local (team default).
    "recruitment_relaxed_max_age": 45,
    "recruitment_relaxed_min_education": "高中",
    # Correction loops of recruitment: plan returns (004 art. 8) and substitution rounds after publicity.
    "recruitment_max_plan_returns": 3,
    "recruitment_max_substitution_rounds": 3,
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
