"""Exam (笔试与面试, 004 art. 8 (四); 002 sample 4 art. 9 (4)): scores, interview list, totals, ranking.

Scores are entered as a batch (API or an .xlsx sheet) and are all-or-nothing: a batch with any bad
row imports nothing and reports every bad row, so a corrected sheet can simply be imported again.

Interview list: per post, from those at or above the written pass line, the best
`interview_ratio` × posts by written score (`interview_ratio_large` × posts for a post of at least
`interview_ratio_large_posts` places); everyone tied with the last place goes too.
Total = written × weight + interview × weight (policy `exam_weights`, percent), Decimal, rounded to
2 places ROUND_HALF_UP. Tie rule for the rank: higher total; then an applicant with a 004 art. 10
priority flag ("同等条件下优先"); then the higher written score; then the earlier registration.
"""

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.policy import policy_value
from engine.core import audit, clock
from engine.core.errors import Conflict, InvalidData, RuleViolation
from engine.core.scope import Actor
from engine.core.transaction import transactional
from engine.core.xlsx import open_workbook
from engine.models import Application, Instance
from engine.recruitment.campaign import (
    current_plan,
    lock_campaign,
    posts_of,
    require_role,
    require_stage,
)
from engine.recruitment.visibility import readable_campaign

SCORER_ROLES = ("recruitment_panel", "district_hrss")
CENT = Decimal("0.01")
KINDS = {"written": ("written_exam", "qualified"), "interview": ("interview", "interview")}
KIND_NAMES = {"written": "笔试", "interview": "面试"}


def parse_score(value: Any) -> Decimal:
    """A score 0–100 with at most two decimals, or ValueError saying what is wrong."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError("成绩为空")
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"成绩“{value}”不是数字") from None
    if not score.is_finite() or score < 0 or score > 100:
        raise ValueError("成绩应在 0 至 100 之间")
    if score != score.quantize(CENT):
        raise ValueError("成绩最多保留两位小数")
    return score.quantize(CENT)


def require_scorer(session: Session, actor: Actor, instance_id: int) -> Instance:
    """The campaign when the actor may enter its scores: in scope (else 404) and a scorer (else 403)."""
    instance = readable_campaign(session, actor, instance_id)
    require_role(actor, SCORER_ROLES, instance.org_path)
    return instance


def import_sheet(session: Session, actor: Actor, instance_id: int, kind: str, read: Callable[[], bytes]) -> int:
    """Scores from an uploaded .xlsx: who asks is checked before the file is read at all, and the
    archive is bounded before it is opened (engine/core/xlsx.py)."""
    require_scorer(session, actor, instance_id)
    rows = rows_from_xlsx(read())
    if not rows:
        raise InvalidData("表格中没有成绩", {"file": ["没有数据行"]})
    return enter_scores(session, actor, instance_id, kind, rows)


@transactional
def enter_scores(session: Session, actor: Actor, instance_id: int, kind: str, rows: list[dict[str, Any]]) -> int:
    """Record a batch of scores; every row is checked first and a batch with errors records none.

    Each row: `application_no`, and `score` or `absent: true`; `row` (a sheet's row number) labels errors.
    """
    instance = require_scorer(session, actor, instance_id)
    stage, wanted_status = KINDS[kind]
    lock_campaign(session, instance)
    require_stage(session, instance, (stage,), f"当前不在{KIND_NAMES[kind]}成绩录入阶段", "scores_not_open")
    numbers = [str(row.get("application_no") or "").strip() for row in rows]
    found = {a.application_no: a for a in session.scalars(select(Application).where(
        Application.instance_id == instance.id, Application.application_no.in_(set(numbers))))}
    errors, updates, seen = [], [], set()
    for index, (row, number) in enumerate(zip(rows, numbers, strict=True), start=1):
        problems = []
        application = found.get(number)
        if not number:
            problems.append("缺少报名号")
        elif application is None:
            problems.append(f"报名号 {number} 不属于本次招聘")
        elif number in seen:
            problems.append("报名号重复")
        elif application.status != wanted_status:
            problems.append(f"该报名当前状态为 {application.status}，不能录入{KIND_NAMES[kind]}成绩")
        seen.add(number)
        absent = row.get("absent") is True
        score = None
        if not absent:
            try:
                score = parse_score(row.get("score"))
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            errors.append({"row": row.get("row", index), "application_no": number, "errors": problems})
        else:
            updates.append((application, score, absent))
    if errors:
        raise RuleViolation("score_rows_invalid", f"{len(errors)} 行成绩有误，本批成绩均未录入，请改正后重新提交",
                            rows=errors)
    now = clock.now()
    for application, score, absent in updates:
        setattr(application, f"{kind}_score", score)
        setattr(application, f"{kind}_absent", absent)
        application.updated_at = now
    audit.record(session, actor.username, "scores_entered", instance_id=instance.id,
                 detail={"kind": kind, "count": len(updates)})
    return len(updates)


HEADERS = {"application_no": ("报名号", "application_no"), "score": ("成绩", "笔试成绩", "面试成绩", "score"),
           "absent": ("缺考", "absent")}


def rows_from_xlsx(content: bytes) -> list[dict[str, Any]]:
    """Rows of the first sheet: a header row naming 报名号 and 成绩 (optionally 缺考), then one row per applicant."""
    workbook = open_workbook(content, "file")
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [str(cell or "").strip() for cell in next(lines, ())]
        columns = {}
        for name, labels in HEADERS.items():
            matches = [i for i, label in enumerate(header) if label in labels]
            if matches:
                columns[name] = matches[0]
        missing = [HEADERS[name][0] for name in ("application_no", "score") if name not in columns]
        if missing:
            raise InvalidData("表头缺少列：" + "、".join(missing), {"file": [f"第1行须有列：{'、'.join(missing)}"]})
        rows = []
        for number, line in enumerate(lines, start=2):
            if line is None or all(cell in (None, "") for cell in line):
                continue
            values = {name: line[index] if index < len(line) else None for name, index in columns.items()}
            absent = str(values.get("absent") or "").strip() in ("是", "缺考", "1", "true", "True", "Y", "y")
            rows.append({"row": number, "application_no": str(values.get("application_no") or "").strip(),
                         "score": values.get("score"), "absent": absent})
        return rows
    finally:
        workbook.close()


def close_written(session: Session, instance: Instance, pass_line: Any) -> dict[str, int]:
    """Close the written exam: everyone qualified has a score or is absent; build the interview list."""
    line = Decimal(str(pass_line)).quantize(CENT, ROUND_HALF_UP)
    missing = session.scalar(select(func.count(Application.id)).where(
        Application.instance_id == instance.id, Application.status == "qualified",
        Application.written_score.is_(None), Application.written_absent.is_(False)))
    if missing:
        raise Conflict(f"还有 {missing} 人没有笔试成绩", code="scores_missing", details={"missing": missing})
    ratio = int(policy_value("interview_ratio"))
    large_ratio, large_posts = int(policy_value("interview_ratio_large")), int(policy_value("interview_ratio_large_posts"))
    listed = {}
    for community, count in posts_of(current_plan(instance.data)).items():
        candidates = list(session.scalars(select(Application).where(
            Application.instance_id == instance.id, Application.post_community == community,
            Application.status == "qualified").order_by(Application.written_score.desc())))
        passed = [a for a in candidates if not a.written_absent and a.written_score >= line]
        quota = (large_ratio if count >= large_posts else ratio) * count
        cutoff = passed[quota - 1].written_score if len(passed) > quota else None
        for application in candidates:
            if application not in passed:
                application.status = "written_failed"
            elif cutoff is None or application.written_score >= cutoff:
                application.status = "interview"
            else:
                application.status = "not_shortlisted"
        listed[community] = sum(1 for a in candidates if a.status == "interview")
    return listed


def close_interview(session: Session, instance: Instance) -> dict[str, int]:
    """Close the interviews: totals, the rank per post, and the top candidates per post to the physical."""
    missing = session.scalar(select(func.count(Application.id)).where(
        Application.instance_id == instance.id, Application.status == "interview",
        Application.interview_score.is_(None), Application.interview_absent.is_(False)))
    if missing:
        raise Conflict(f"还有 {missing} 人没有面试成绩", code="scores_missing", details={"missing": missing})
    weights = policy_value("exam_weights")
    written_weight = Decimal(str(weights["written"])) / 100
    interview_weight = Decimal(str(weights["interview"])) / 100
    selected = {}
    for community, count in posts_of(current_plan(instance.data)).items():
        interviewed = list(session.scalars(select(Application).where(
            Application.instance_id == instance.id, Application.post_community == community,
            Application.status == "interview")))
        ranked = []
        for application in interviewed:
            if application.interview_absent:
                application.status = "interview_absent"
                continue
            application.total_score = (application.written_score * written_weight
                                       + application.interview_score * interview_weight).quantize(CENT, ROUND_HALF_UP)
            ranked.append(application)
        ranked.sort(key=rank_key)
        for position, application in enumerate(ranked, start=1):
            application.rank = position
            application.status = "physical" if position <= count else "ranked"
        selected[community] = min(count, len(ranked))
    return selected


def rank_key(application: Application) -> tuple:
    """The documented tie rule: total, then 004 art. 10 priority, then written score, then registration."""
    return (-application.total_score, not application.precheck.get("priority"), -application.written_score,
            application.submitted_at, application.id)
