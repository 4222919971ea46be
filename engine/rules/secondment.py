"""Secondment (借调) rules — 000 art. 12, 004 art. 24.

At start: only the street borrows (`secondment_unit_level`), at most 3 months in total
(`secondment_too_long`) and in any rolling window (`secondment_window_exceeded`), at most 2 workers of one community at the same time
(`secondment_quota`), only a worker in post. At every approval the quota and the worker's
status are judged again on the record as it is then; an extension must still end within
3 months of the start; the return is recorded only while the record still says seconded.
A secondment is approved before it begins (004 art. 24 "报…批准", 000 art. 12 "审核同意"): a
request is filed and decided by its requested start date, an extension by the current end date.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.policy import policy_value
from engine.core.dates import add_months
from engine.core.errors import InvalidData, RuleViolation
from engine.core.scope import Actor
from engine.core.words import WORKER_STATUS_WORDS
from engine.models import AuditEvent, Instance, OrgUnit, TaskRow, Worker
from engine.records.workers import snapshot
from engine.rules.casework import (
    WorkerStart,
    as_date,
    find_worker,
    lock_community,
    refuse_open_cases,
    require_workers_community,
    today,
)
from engine.rules.secondment_quota import held_periods, peak, workflow_data
from engine.rules.secondment_window import check_window

APPROVAL_TASKS = ("street_review", "swd_approval", "org_approval", "civil_approval")
MAX_EXTENSION_REQUESTS = 3  # the diagram caps its extension loop at the same number
# Only a worker in post may be seconded, never beside another case that moves their status.
WORKER_START = WorkerStart(statuses=("active",), refused=("secondment", "resignation", "dismissal"))
LEVEL_NAMES = {"community": "社区", "street": "街道", "district": "旗县（区）", "city": "盟市", "province": "自治区（省）"}


def latest_end(start: date) -> date:
    """The last day a secondment starting on `start` may run (3 months, extensions included)."""
    return add_months(start, int(policy_value("secondment_max_months"))) - timedelta(days=1)


def check_start(session: Session, actor: Actor, org: OrgUnit, data: dict[str, Any]) -> dict[str, Any]:
    worker = find_worker(session, actor, data["worker_id"])
    require_workers_community(worker, org, "借调申请")
    _check_request(session, org, worker, data, first_filing=True)
    return {"worker": snapshot(worker), "approval_variant": policy_value("secondment_approval_variant"),
            "latest_end_date": latest_end(start_of(data)).isoformat()}


def check_resubmission(session: Session, instance: Instance, data: dict[str, Any]) -> dict[str, Any]:
    """A request its initiator corrected after a return is judged again as at filing, on the
    corrected data: a start date already past, a period too long or a full quota is refused the same
    way (this case itself not counted)."""
    worker = session.get(Worker, data["worker_id"])
    _check_request(session, session.get(OrgUnit, instance.org_code), worker, data, exclude=instance.id)
    return {"latest_end_date": latest_end(start_of(data)).isoformat()}


def start_of(data: dict[str, Any]) -> date:
    return as_date(data["start_date"])


def _check_request(session: Session, org: OrgUnit, worker: Worker, data: dict[str, Any], *,
                   first_filing: bool = False, exclude: int | None = None) -> None:
    _check_borrower(data["borrowing_unit_level"])
    start, end = start_of(data), as_date(data["end_date"])
    if end < start:
        raise InvalidData("借调结束日期不能早于开始日期", {"end_date": ["不能早于开始日期"]})
    if end < today():
        raise InvalidData("借调结束日期已过", {"end_date": ["不能早于今天"]})
    _require_start_ahead(start)
    _check_length(start, end, field="end_date")
    if worker.status not in WORKER_START.statuses:
        raise RuleViolation("worker_not_active", f"该工作者当前状态为{WORKER_STATUS_WORDS.get(worker.status, worker.status)}，"
                            "只有在岗人员可以借调", fields={"worker_id": ["不在岗"]})
    if first_filing:
        refuse_open_cases(session, worker, WORKER_START.refused)
    check_window(session, worker.id, start, end, field="end_date", exclude=exclude)
    _check_quota(session, org, start, end, exclude=exclude)


def check_completion(session: Session, actor: Actor, row: TaskRow, case_data: dict[str, Any],
                     submitted: dict[str, Any]) -> None:
    if row.name == "community_opinion":
        _require_start_ahead(as_date(case_data["start_date"]))
    elif row.name in APPROVAL_TASKS and submitted.get("decision") == "approve":
        _check_approval(session, row, case_data)
    elif row.name == "secondment_period":
        _require_seconded(session, case_data)
        _check_period(session, row, case_data, submitted)
    elif row.name == "confirm_return":
        _require_seconded(session, case_data)
        _check_returned_on(case_data, submitted["returned_on"])


def _require_seconded(session: Session, case_data: dict[str, Any]) -> None:
    """Ending a secondment sets the worker back to active: never over a status another process set
    meanwhile (a resignation, say); the street cancels this case instead."""
    worker = session.get(Worker, case_data["worker_id"])
    if worker.status != "seconded":
        raise RuleViolation("worker_not_seconded",
                            f"档案显示该工作者已{WORKER_STATUS_WORDS.get(worker.status, worker.status)}，不再处于借调状态；"
                            "请撤销本借调事项", fields={"worker_id": ["不在借调中"]}, status=worker.status)


def _require_start_ahead(start: date) -> None:
    """The request must be decided by its start date: once that day has passed it has lapsed, and
    approving it would second the worker for days already gone without approval."""
    if start < today():
        raise RuleViolation("secondment_start_passed",
                            f"申请的借调开始日期 {start.isoformat()} 已过，申请已失效（逾期未批），不能再办理；"
                            "如仍需借调，请按新的日期重新申请（先批准后借调：《内蒙古自治区社区工作者管理办法》第二十四条、"
                            "《鄂尔多斯市社区工作者暂行管理办法》第十二条）",
                            fields={"start_date": [f"已过：{start.isoformat()}"]}, start_date=start.isoformat())


def _require_end_ahead(end: date) -> None:
    """An extension must be approved while the secondment still runs: after its end date the
    worker is due back and the case has moved on to confirming the return."""
    if end < today():
        raise RuleViolation("secondment_end_passed",
                            f"借调已于 {end.isoformat()} 期满，延期须在期满前批准；请确认返回，如仍需借调请重新申请",
                            fields={"end_date": [f"已过：{end.isoformat()}"]}, end_date=end.isoformat())


def borrower_levels() -> list[str]:
    """The levels of unit that may borrow a worker (policy `secondment_borrower_levels`): the only
    ones the start form offers, and the only ones `_check_borrower` lets through."""
    return list(policy_value("secondment_borrower_levels"))


def _check_borrower(level: str) -> None:
    allowed = borrower_levels()
    if level in allowed:
        return
    if level in ("district", "city", "province"):
        message = f"{LEVEL_NAMES[level]}级单位不得借调社区工作者（《内蒙古自治区社区工作者管理办法》第二十四条：旗县级以上机关事业单位不得借调）"
    else:
        names = "、".join(LEVEL_NAMES.get(a, a) for a in allowed)
        message = f"只有{names}可以借调社区工作者（《内蒙古自治区社区工作者管理办法》第二十四条）"
    raise RuleViolation("secondment_unit_level", message, fields={"borrowing_unit_level": ["不允许借调"]},
                        allowed=list(allowed))


def _check_length(start: date, end: date, *, field: str) -> None:
    months = policy_value("secondment_max_months")
    if end > latest_end(start):
        raise RuleViolation("secondment_too_long",
                            f"借调时间（含延期）累计不得超过{months}个月，最晚到 {latest_end(start).isoformat()}（《鄂尔多斯市社区工作者暂行管理办法》第十二条、《内蒙古自治区社区工作者管理办法》第二十四条）",
                            fields={field: [f"最晚 {latest_end(start).isoformat()}"]},
                            latest_end_date=latest_end(start).isoformat())


def _check_quota(session: Session, community: OrgUnit, start: date, end: date, exclude: int | None = None) -> None:
    """000 art. 12: at most N workers of one community seconded on any one day of the period."""
    limit = int(policy_value("secondment_max_concurrent_per_community"))
    lock_community(session, community.code)
    periods = held_periods(session, community, today(), exclude=exclude)
    busiest = peak(periods, start, end) if periods else 0
    if busiest >= limit:
        raise RuleViolation("secondment_quota",
                            f"同一社区同一时期被借调不得超过{limit}人，该期间已有{busiest}人被借调（《鄂尔多斯市社区工作者暂行管理办法》第十二条）",
                            fields={"start_date": ["该期间借调人数已满"]}, limit=limit, concurrent=busiest)


def _check_approval(session: Session, row: TaskRow, case_data: dict[str, Any]) -> None:
    """Approving is where the quota counts (docs/api.md); the worker must still be free to go,
    and the request, which its initiator may have corrected after a return, must still be allowed."""
    instance = session.get(Instance, row.instance_id)
    worker = session.get(Worker, case_data["worker_id"])
    extending = (case_data.get("secondment_period") or {}).get("decision") == "extend"
    expected = "seconded" if extending else "active"
    if worker.status != expected:
        raise RuleViolation("worker_not_active", f"该工作者当前状态为{WORKER_STATUS_WORDS.get(worker.status, worker.status)}，"
                            "不能批准借调", fields={"decision": ["人员状态已变化"]})
    start = as_date(case_data["start_date"])
    if extending:
        _require_end_ahead(as_date(workflow_data(session, instance)["end_date"]))
    else:
        _require_start_ahead(start)
    end = as_date(case_data["secondment_period"]["new_end_date"] if extending else case_data["end_date"])
    _check_borrower(case_data["borrowing_unit_level"])  # start data may have been resubmitted since
    _check_length(start, end, field="new_end_date" if extending else "end_date")
    check_window(session, worker.id, start, end, field="new_end_date" if extending else "end_date",
                 exclude=instance.id)
    _check_quota(session, session.get(OrgUnit, instance.org_code), start, end, exclude=instance.id)


def _check_period(session: Session, row: TaskRow, case_data: dict[str, Any], submitted: dict[str, Any]) -> None:
    start = as_date(case_data["start_date"])
    if submitted["decision"] == "return_early":
        _check_returned_on(case_data, submitted["returned_on"], field="returned_on")
        return
    requests = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.instance_id == row.instance_id, AuditEvent.type == "task_completed",
        AuditEvent.detail["name"].as_string() == "secondment_period",
        AuditEvent.detail["decision"].as_string() == "extend"))
    if requests >= MAX_EXTENSION_REQUESTS:
        raise RuleViolation("extension_limit_reached", f"已申请延期{requests}次，不能再申请",
                            fields={"decision": ["已达延期申请次数上限"]})
    current_end = as_date(workflow_data(session, session.get(Instance, row.instance_id))["end_date"])
    new_end = as_date(submitted["new_end_date"])
    if new_end <= current_end:
        raise InvalidData("延期后的结束日期须晚于当前结束日期",
                          {"new_end_date": [f"须晚于 {current_end.isoformat()}"]})
    _check_length(start, new_end, field="new_end_date")
    check_window(session, case_data["worker_id"], start, new_end, field="new_end_date", exclude=row.instance_id)


def _check_returned_on(case_data: dict[str, Any], value: str, field: str = "returned_on") -> None:
    returned = as_date(value)
    start = as_date(case_data["start_date"])
    if returned < start or returned > today():
        raise InvalidData("返回日期须在借调开始之后、且不晚于今天",
                          {field: [f"应在 {start.isoformat()} 至 {today().isoformat()} 之间"]})
