"""Dismissal (辞退) rules — 003 art. 40–43, 000 art. 21, 004 art. 37; 劳动合同法 art. 39–43, 47.

The protections of 003 art. 41 are read from the worker record at start and again at every
decision (`dismissal_protected`), because a medical period or a pregnancy can begin while the
case runs. The street HR check must list every protection the record shows and evidence for
every ground; the written notice keeps the notice, severance and union rules.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from config.policy import policy_value
from engine.core.errors import InvalidData, RuleViolation
from engine.core.scope import Actor
from engine.core.words import WORKER_STATUS_WORDS
from engine.models import OrgUnit, TaskRow, Worker
from engine.records.workers import snapshot
from engine.rules.casework import (
    WorkerStart,
    as_date,
    find_worker,
    refuse_open_cases,
    refuse_open_exit,
    require_workers_community,
    today,
)
from engine.rules.labour_law import (
    GROUND_NAMES,
    PROTECTION_NAMES,
    basis,
    describe,
    protections_bar,
    record_protections,
    service_start,
    severance_months,
)

IN_SERVICE = ("probation", "active", "seconded")
WORKER_START = WorkerStart(statuses=IN_SERVICE, refused=("dismissal", "secondment"), exit=True)
DECISION_TASKS = ("street_decision", "district_review")
NO_PROTECTION = "none"  # the HR check's explicit 「无」


def check_start(session: Session, actor: Actor, org: OrgUnit, data: dict[str, Any]) -> dict[str, Any]:
    worker = find_worker(session, actor, data["worker_id"])
    require_workers_community(worker, org, "辞退")
    if worker.status not in WORKER_START.statuses:
        raise RuleViolation("worker_not_in_service",
                            f"该工作者当前状态为{WORKER_STATUS_WORDS.get(worker.status, worker.status)}，不能辞退",
                            fields={"worker_id": ["不在职"]})
    grounds = list(data["grounds"])
    if "assessment_failed_twice" not in grounds and record_shows_failed_assessments(worker):
        grounds.append("assessment_failed_twice")  # the record speaks for itself (003 art. 40 (1))
    if "probation_failed" in grounds and worker.status != "probation":
        raise RuleViolation("dismissal_ground_unfounded", "该工作者不在试用期，不能以试用期考核不合格辞退（《内蒙古自治区社区工作者管理办法》第三十七条）",
                            fields={"grounds": ["不在试用期"]}, grounds=["probation_failed"])
    require_within_probation(worker, grounds, "grounds")
    refuse_open_cases(session, worker, WORKER_START.refused)
    refuse_open_exit(session, worker)
    protections = record_protections(worker, today())
    _refuse_if_barred(grounds, protections)
    return {"worker": snapshot(worker), "grounds": grounds, "basis": basis(grounds),
            "protections_at_start": protections}


def check_completion(session: Session, actor: Actor, row: TaskRow, case_data: dict[str, Any],
                     submitted: dict[str, Any]) -> None:
    if row.name == "hr_check":
        _check_none_stands_alone(submitted.get("protections") or [])
    if row.name == "hr_check" and submitted["decision"] == "approve":
        _check_hr_review(session, case_data, submitted)
    elif row.name in DECISION_TASKS and submitted["decision"] == "approve":
        _recheck_protections(session, case_data)
    elif row.name == "notice":
        _recheck_protections(session, case_data)
        _check_notice(session, case_data, submitted)
    elif row.name == "appeal_registration":
        _check_appeal_in_time(case_data, submitted)


def require_within_probation(worker: Worker, grounds: list[str], field: str) -> None:
    """劳动合同法 art. 39 (1): a failed probation ends the contract only during the probation; past its
    last day (the contract's `probation_end`) the ground is refused as `probation_over`."""
    end = (worker.contract or {}).get("probation_end")
    if "probation_failed" not in grounds or not end or today() <= as_date(end):
        return
    raise RuleViolation("probation_over",
                        f"试用期已于 {end} 届满，不能再以试用期考核不合格辞退（《劳动合同法》第三十九条第（一）项）",
                        fields={field: [f"试用期已于 {end} 届满"]}, probation_end=end)


def _refuse_if_barred(grounds: list[str], protections: list[str]) -> None:
    if protections_bar(grounds, protections):
        reasons = describe(protections, PROTECTION_NAMES)
        raise RuleViolation("dismissal_protected",
                            f"该工作者{reasons}，依规定不得以所列事由辞退（《通州区社区工作者管理办法》第四十一条；《劳动合同法》第四十二条）",
                            fields={"grounds": [reasons]}, protections=protections)


def declared_protections(check: dict[str, Any] | None) -> list[str]:
    """The protections an HR check lists, without the explicit 「无」 (`none`)."""
    return [p for p in (check or {}).get("protections") or [] if p != NO_PROTECTION]


def _check_none_stands_alone(listed: list[str]) -> None:
    """「无」 says the check found no protection, so it cannot stand beside one."""
    if NO_PROTECTION in listed and len(listed) > 1:
        raise InvalidData("不得辞退情形中「无」不能与其他情形同时勾选",
                          {"protections": ["「无」不能与其他情形同时勾选"]}, code="protections_conflict")


def _worker(session: Session, case_data: dict[str, Any]) -> Worker:
    return session.get(Worker, case_data["worker_id"])


def _check_hr_review(session: Session, case_data: dict[str, Any], submitted: dict[str, Any]) -> None:
    """Proceeding needs every protection of the record listed and evidence for every ground."""
    worker = _worker(session, case_data)
    grounds = case_data["grounds"]
    if "probation_failed" in grounds and worker.status != "probation":
        raise RuleViolation("dismissal_ground_unfounded", "该工作者不在试用期，不能以试用期考核不合格辞退（《内蒙古自治区社区工作者管理办法》第三十七条）",
                            fields={"grounds": ["不在试用期"]}, grounds=["probation_failed"])
    require_within_probation(worker, grounds, "decision")
    declared = declared_protections(submitted)
    missing = [p for p in record_protections(worker, today()) if p not in declared]
    if missing:
        raise InvalidData(f"档案显示该工作者{describe(missing, PROTECTION_NAMES)}，请在保护情形中如实登记",
                          {"protections": [f"缺少：{describe(missing, PROTECTION_NAMES)}"]},
                          code="protections_incomplete")
    _refuse_if_barred(grounds, declared)
    evidenced = {item["ground"] for item in submitted.get("evidence") or []}
    unevidenced = [g for g in grounds if g not in evidenced]
    if unevidenced:
        raise InvalidData(f"以下辞退事由缺少证据：{describe(unevidenced, GROUND_NAMES)}",
                          {"evidence": [f"缺少：{describe(unevidenced, GROUND_NAMES)}"]}, code="evidence_missing")
    if "absence" in grounds:
        _check_absence(submitted.get("absence"))
    if "assessment_failed_twice" in grounds:
        _check_assessments(worker, submitted.get("assessments") or [])


def _check_absence(absence: dict[str, Any] | None) -> None:
    """003 art. 40 (6): more than 15 consecutive days, or more than 30 days in one year."""
    consecutive = int(policy_value("dismissal_absence_consecutive_days"))
    per_year = int(policy_value("dismissal_absence_days_per_year"))
    absence = absence or {}
    if absence.get("consecutive_days", 0) > consecutive or absence.get("days_in_year", 0) > per_year:
        return
    raise RuleViolation("dismissal_ground_unfounded",
                        f"旷工或逾期不归须连续超过{consecutive}天或一年内累计超过{per_year}天（《通州区社区工作者管理办法》第四十条第（六）项）",
                        fields={"absence": ["天数未达到辞退条件"]}, grounds=["absence"])


def _recorded_assessments(worker: Worker) -> dict[int, str]:
    """Assessments the record holds in `data.assessments`: {year: grade} or [{year, grade}]."""
    raw = (worker.data or {}).get("assessments") or {}
    items = raw.items() if isinstance(raw, dict) else ((a.get("year"), a.get("grade")) for a in raw)
    return {int(year): str(grade) for year, grade in items if year is not None and grade}


def _failing(grades: dict[int, str]) -> bool:
    rule = policy_value("dismissal_assessment_grades")
    twice, once = set(rule.get("twice_running", [])), set(rule.get("once", []))
    years = sorted(grades)
    return any(grades[y] in once for y in years) or any(
        grades[y] in twice and grades.get(y + 1) in twice for y in years)


def record_shows_failed_assessments(worker: Worker) -> bool:
    """Two failing annual grades running (or the policy's variant) on the worker's record."""
    return _failing(_recorded_assessments(worker))


def _check_assessments(worker: Worker, submitted: list[dict[str, Any]]) -> None:
    """Two failing years running (003 art. 40 (1)), or the 002 sample-4 variant by policy; the
    grades given must agree with the record where the record has them."""
    recorded = _recorded_assessments(worker)
    given = {int(item["year"]): item["grade"] for item in submitted}
    conflicts = [f"{year}年档案为{recorded[year]}" for year, grade in given.items()
                 if year in recorded and recorded[year] != grade]
    if conflicts:
        raise InvalidData("考核结果与档案不一致", {"assessments": conflicts}, code="assessments_mismatch")
    if _failing({**recorded, **given}):
        return
    raise RuleViolation("dismissal_ground_unfounded", "考核结果不符合辞退条件：须连续两年考核不合格（《通州区社区工作者管理办法》第四十条第（一）项）",
                        fields={"assessments": ["未达到辞退条件"]}, grounds=["assessment_failed_twice"])


def _recheck_protections(session: Session, case_data: dict[str, Any]) -> None:
    """A protection that began after the HR check stops the decision: it was never reviewed; and a
    failed probation is no ground once the probation is over."""
    worker = _worker(session, case_data)
    require_within_probation(worker, case_data["grounds"], "decision")
    current = record_protections(worker, today())
    declared = declared_protections(case_data.get("dismissal_hr_check"))
    new = [p for p in current if p not in declared]
    if new:
        reasons = describe(new, PROTECTION_NAMES)
        raise RuleViolation("dismissal_protected",
                            f"档案显示该工作者现{reasons}，审查时未登记此情形，不能继续；请作不同意决定后重新审查（《通州区社区工作者管理办法》第四十一条）",
                            fields={"decision": [reasons]}, protections=new)
    _refuse_if_barred(case_data["grounds"], declared)


def _check_notice(session: Session, case_data: dict[str, Any], submitted: dict[str, Any]) -> None:
    delivered = as_date(submitted["delivered_on"])
    if delivered > today():
        raise InvalidData("送达日期不能晚于今天", {"delivered_on": ["不能晚于今天"]})
    if as_date(submitted["union_notified_on"]) > delivered:
        raise RuleViolation("union_not_notified", "单方解除劳动合同应当事先将理由通知工会（《劳动合同法》第四十三条）",
                            fields={"union_notified_on": ["须不晚于送达日期"]})
    if (case_data.get("basis") or basis(case_data["grounds"])) != "no_fault":
        return
    if submitted["notice_mode"] not in ("notice_period", "pay_in_lieu"):
        days = policy_value("dismissal_notice_days")
        raise RuleViolation("dismissal_notice_required",
                            f"以无过错事由辞退须提前{days}日书面通知或额外支付一个月工资（《劳动合同法》第四十条）",
                            fields={"notice_mode": ["须选择提前通知或代通知金"]})
    start = service_start(_worker(session, case_data))
    if start is None:
        return
    end = delivered + timedelta(days=int(policy_value("dismissal_notice_days"))) \
        if submitted["notice_mode"] == "notice_period" else delivered
    minimum = severance_months(start, end)
    if submitted.get("severance_months") is None or submitted["severance_months"] < minimum:
        raise RuleViolation("severance_below_statutory",
                            f"经济补偿不得低于{minimum:g}个月工资（《劳动合同法》第四十七条，{start.isoformat()}起计算工作年限）",
                            fields={"severance_months": [f"至少 {minimum:g}"]}, minimum=minimum)


def _check_appeal_in_time(case_data: dict[str, Any], submitted: dict[str, Any]) -> None:
    """003 art. 43: the review/complaint is received within the window after delivery."""
    delivered = as_date(case_data["dismissal_notice"]["delivered_on"])
    closes = delivered + timedelta(days=int(policy_value("dismissal_appeal_days")))
    received = as_date(submitted["received_on"])
    if not delivered <= received <= min(closes, today()):
        raise RuleViolation("appeal_window_closed",
                            f"复核或申诉须在送达之日起{policy_value('dismissal_appeal_days')}日内提出"
                            f"（{delivered.isoformat()} 至 {closes.isoformat()}）",
                            fields={"received_on": [f"应在 {delivered.isoformat()} 至 {closes.isoformat()} 之间"]})
