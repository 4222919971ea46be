"""Automatic pre-check of a recruitment application (报名资格初审) — 004 art. 9–11, 003 art. 6, 000 art. 8.

The pre-check only reads the application and the plan; it never decides alone. Its result is
stored with the application and shown to the human reviewer, who approves or rejects with a
reason; an application the pre-check finds ineligible cannot be approved.

- Age ≤ `recruitment_max_age` (004 art. 9 (二): "40周岁以下", counted at the registration deadline).
- Education ≥ `recruitment_min_education` (004 art. 9 (四): 大专); fresh graduates ≥
  `recruitment_fresh_graduate_min_education` (003 art. 6 (二) 4: 本科).
- Local residence when the plan requires it (000 art. 8 (一) 2; 003 art. 6 (二) 5).
- 004 art. 9, last paragraph: on the street's recommendation, local party members, resident
  volunteers, veterans, community-organisation leaders and owners'-committee members may have age
  and education relaxed, to `recruitment_relaxed_max_age` / `recruitment_relaxed_min_education`.
- 004 art. 10: priority flags (equal results favour them; see the ranking's tie rule).
- 004 art. 11: any declared disqualifier makes the application ineligible.
"""

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from config.policy import policy_value

EDUCATION_LEVELS = ("初中", "高中", "中专", "大专", "本科", "硕士", "博士")
# 中专 and 高中 are the same level for eligibility.
_EDUCATION_RANK = {"初中": 0, "高中": 1, "中专": 1, "大专": 2, "本科": 3, "硕士": 4, "博士": 5}

RELAXATION_BASES = {  # 004 art. 9
    "party_member": "本社区党员",
    "resident_volunteer": "居民志愿者",
    "veteran": "退役军人",
    "community_org_leader": "社区社会组织负责人",
    "owners_committee_member": "业主委员会成员",
}
PRIORITY_FLAGS = {  # 004 art. 10
    "social_work_certificate": "持有国家社会工作者职业资格证书",
    "urgent_specialty": "社区工作急需紧缺专业人才",
    "incumbent_grid_worker": "在岗专职网格员等专职人员",
}
DISQUALIFIERS = {  # 004 art. 11
    "illegal_organisation": "参加非法组织、邪教组织或从事危害国家安全活动",
    "damaging_speech": "编造散布有损国家声誉的言论和信息",
    "criminal_record": "因犯罪受过刑事处罚或涉嫌犯罪尚未结案",
    "expelled": "被开除党籍、军籍或公职",
    "dishonesty_list": "被依法列为失信联合惩戒对象",
    "other_unsuitable": "有不适合从事社区工作的其他情形",
}


@dataclass
class PrecheckResult:
    eligible: bool = True
    age: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    relaxed: list[dict[str, str]] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)

    def fail(self, code: str, message: str) -> None:
        self.eligible = False
        self.failures.append({"code": code, "message": message})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def age_on(birth: date, day: date) -> int:
    """Full years of age (周岁) on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def education_at_least(education: str, minimum: str) -> bool:
    return _EDUCATION_RANK.get(education, -1) >= _EDUCATION_RANK[minimum]


def precheck(application: dict[str, Any], plan: dict[str, Any], reference_day: date) -> PrecheckResult:
    """Check one application against the plan; `reference_day` is the registration deadline."""
    result = PrecheckResult(age=age_on(application["birth_date"], reference_day))
    relaxable = bool(application.get("recommended_by_street")) and application.get("relaxation_basis") in RELAXATION_BASES
    basis = RELAXATION_BASES.get(application.get("relaxation_basis") or "", "")

    max_age = policy_value("recruitment_max_age")
    if result.age > max_age:
        relaxed_age = policy_value("recruitment_relaxed_max_age")
        if relaxable and result.age <= relaxed_age:
            result.relaxed.append({"code": "age", "message": f"年龄 {result.age} 岁，经街道推荐（{basis}）放宽至 {relaxed_age} 岁"})
        else:
            result.fail("age", f"年龄 {result.age} 岁，超过 {max_age} 周岁的条件（《内蒙古自治区社区工作者管理办法》第九条）")

    education = application["education"]
    minimum = policy_value("recruitment_fresh_graduate_min_education" if application.get("fresh_graduate")
                           else "recruitment_min_education")
    if not education_at_least(education, minimum):
        relaxed_min = policy_value("recruitment_relaxed_min_education")
        if relaxable and education_at_least(education, relaxed_min):
            result.relaxed.append({"code": "education", "message": f"学历{education}，经街道推荐（{basis}）放宽"})
        else:
            who = "应届毕业生须" if application.get("fresh_graduate") else "须"
            result.fail("education", f"学历{education}，{who}{minimum}及以上（《内蒙古自治区社区工作者管理办法》第九条、《通州区社区工作者管理办法》第六条）")

    if plan.get("local_residence_required") and not application.get("local_residence"):
        result.fail("residence", "本次招聘要求本地户籍或居住，报名人不符合（《鄂尔多斯市社区工作者暂行管理办法》第八条、《通州区社区工作者管理办法》第六条）")

    for code in application.get("declarations") or []:
        result.fail(f"disqualified.{code}", f"{DISQUALIFIERS.get(code, code)}，不得招聘（《内蒙古自治区社区工作者管理办法》第十一条）")

    result.priority = [flag for flag in application.get("priority") or [] if flag in PRIORITY_FLAGS]
    return result


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_problems(id_number: str, birth_date: date | None, gender: str | None) -> list[str]:
    """Why an 18-digit resident ID number (GB 11643) is wrong for this person, or []."""
    text = (id_number or "").upper()
    if len(text) != 18 or not text[:17].isdigit() or text[17] not in "0123456789X":
        return ["身份证号码应为18位，最后一位可为X"]
    if _ID_CHECK[sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True)) % 11] != text[17]:
        return ["身份证号码校验位不正确"]
    problems = []
    try:
        embedded = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return ["身份证号码中的出生日期无效"]
    if birth_date is not None and embedded != birth_date:
        problems.append("身份证号码与出生日期不一致")
    if gender in ("男", "女") and ("男" if int(text[16]) % 2 else "女") != gender:
        problems.append("身份证号码与性别不一致")
    return problems
