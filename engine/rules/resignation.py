"""Resignation (辞职) rules — 003 art. 38–39, 004 art. 29; 劳动合同法 art. 37.

A resignation is the worker's written notice, not a request: the street cannot refuse it. The
street fixes the leaving date and the handover; while a bar of 003 art. 39 stands (an audit, a
discipline review, a pending criminal case, unfinished important business the worker must
finish) the case waits. A bar already standing refuses the notice at start (`resignation_blocked`);
one set later is read by the diagram (`standing_bars`) right before the status changes.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.policy import policy_value
from engine.core.errors import InvalidData, RuleViolation
from engine.core.scope import Actor
from engine.core.words import WORKER_STATUS_WORDS
from engine.models import AuditEvent, Instance, OrgUnit, TaskRow, Worker
from engine.records.workers import set_flag, snapshot
from engine.rules.casework import WorkerStart, as_date, refuse_open_cases, refuse_open_exit, today

IN_SERVICE = ("probation", "active", "seconded")
# One resignation at a time, and one exit at a time (a dismissal already open refuses it).
WORKER_START = WorkerStart(statuses=IN_SERVICE, refused=("resignation",), exit=True)
BAR_NAMES = {
    "under_audit": "正在接受审计",
    "under_discipline_review": "正在接受纪律审查",
    "criminal_case_pending": "涉嫌犯罪、司法程序尚未终结",
    "unfinished_business": "有重要公务尚未处理完毕",
}
MAX_RETURNS = 3


def worker_starts_own(actor: Actor, data: dict[str, Any]) -> bool:
    """A worker may hand in their own written application, and nobody else's."""
    return actor.worker_id is not None and data.get("worker_id") == actor.worker_id


def standing_bars(session: Session, worker_id: int, *, lock: bool = False) -> list[str]:
    """The flags of the worker record that hold a resignation now (003 art. 39).

    With `lock` (the diagram's gateway before the status changes) the worker's row is read FOR
    UPDATE: a flag change being committed at that moment is waited for and then seen, and a flag
    change that comes after waits for this step, then finds the case waiting and wakes it."""
    query = select(Worker.flags).where(Worker.id == worker_id)
    flags = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if flags is None:
        return []
    return [name for name in policy_value("resignation_blocking_flags") if flags.get(name)]


def describe_bars(bars: list[str]) -> str:
    return "、".join(BAR_NAMES.get(b, b) for b in bars)


def deferral(session: Session, instance: Instance) -> dict[str, Any]:
    """Whether a running resignation waits on a bar (暂缓) and why, read from the record now. A case
    with an outcome has ended the contract already (only its handover is left): nothing holds it."""
    if (instance.key != "resignation" or instance.status != "running" or instance.worker_id is None
            or instance.outcome is not None):
        return {"deferred": False, "deferred_reason": None}
    bars = standing_bars(session, instance.worker_id)
    if not bars:
        return {"deferred": False, "deferred_reason": None}
    return {"deferred": True, "deferred_bars": bars,
            "deferred_reason": f"该工作者{describe_bars(bars)}，依规定暂缓办理离职（《通州区社区工作者管理办法》第三十九条）"}


def leaving(instance: Instance) -> dict[str, Any]:
    """The leaving date of a resignation and whether the case now waits for it (待离职日生效).

    The leaving date is the contract's last day: the street's date once it confirmed or deferred,
    the notice's last day when the notice took effect with no decision. Once the handover (and
    the exit audit it asked for) is done, the case waits until the day is over, then ends the
    contract at 00:00 of the next day, Beijing time."""
    if instance.key != "resignation":
        return {"leaving_on": None, "awaiting_leaving_date": False, "status_text": None}
    data = instance.data or {}
    decided = data.get("resignation_street_decision") or {}
    leaving_on = as_date(decided.get("leaving_on")) if decided.get("decision") in ("approve", "defer") else None
    if leaving_on is None and "submitted_on" in data and today() > notice_ends_on(data):
        leaving_on = notice_ends_on(data)
    handover = data.get("resignation_handover") or {}
    handed_over = bool(handover) and (not handover.get("audit_required") or "resignation_exit_audit" in data)
    awaiting = (instance.status == "running" and leaving_on is not None and handed_over
                and today() <= leaving_on)
    return {"leaving_on": leaving_on.isoformat() if leaving_on else None, "awaiting_leaving_date": awaiting,
            "status_text": "待离职日生效" if awaiting else None}


def notice_ends_on(case_data: dict[str, Any]) -> date:
    """The day the worker's notice has run (劳动合同法 art. 37: 30 days, 3 in probation)."""
    in_probation = (case_data.get("worker") or {}).get("status") == "probation"
    days = policy_value("resignation_probation_notice_days" if in_probation else "resignation_decision_days")
    return as_date(case_data["submitted_on"]) + timedelta(days=int(days))


def _unit_name(session: Session, code: str) -> str:
    org = session.get(OrgUnit, code)
    return org.name if org is not None else "工作者所在社区"


def check_start(session: Session, actor: Actor, org: OrgUnit, data: dict[str, Any]) -> dict[str, Any]:
    worker = session.get(Worker, data["worker_id"])
    if worker is None or not (actor.sees_org(worker.org_path) or actor.worker_id == worker.id):
        raise InvalidData("档案不存在", {"worker_id": ["没有这个社区工作者"]}, code="worker_not_found")
    if worker.org_code != org.code:
        raise InvalidData("辞职申请须由工作者所在社区发起",
                          {"org": [f"请选择{_unit_name(session, worker.org_code)}（工作者所在社区）"]})
    _check_receipt_date(as_date(data["submitted_on"]))
    if worker.status not in WORKER_START.statuses:
        raise RuleViolation("worker_not_in_service", f"该工作者当前状态为{WORKER_STATUS_WORDS.get(worker.status, worker.status)}，不能辞职",
                            fields={"worker_id": ["不在职"]})
    bars = [name for name in policy_value("resignation_blocking_flags") if worker.flags.get(name)]
    if bars:
        reasons = describe_bars(bars)
        raise RuleViolation(
            "resignation_blocked", f"该工作者{reasons}，依规定不得辞职（《通州区社区工作者管理办法》第三十九条）",
            fields={"worker_id": [reasons]}, bars=bars,
        )
    # One resignation at a time, and one exit at a time: a dismissal already open refuses it.
    # Other open cases (a secondment) do not bar the worker's notice; their later status changes
    # only apply to a worker in service.
    refuse_open_cases(session, worker, WORKER_START.refused)
    refuse_open_exit(session, worker)
    return {"worker": snapshot(worker)}


def _check_receipt_date(received: date) -> None:
    """The notice period runs from the receipt: not a day that has not come, nor one so old that
    the notice would already have run before the case was filed."""
    if received > today():
        raise InvalidData("收到申请日期不能晚于今天", {"submitted_on": ["不能是将来的日期"]},
                          code="submitted_on_in_future")
    max_age = int(policy_value("resignation_receipt_max_age_days"))
    earliest = today() - timedelta(days=max_age)
    if received < earliest:
        raise InvalidData(f"收到申请日期不能早于 {max_age} 天前，请按实际收到日期登记",
                          {"submitted_on": [f"不能早于 {max_age} 天前（{earliest.isoformat()}）"]},
                          code="submitted_on_too_old")


def check_completion(session: Session, actor: Actor, row: TaskRow, case_data: dict[str, Any],
                     submitted: dict[str, Any]) -> None:
    if row.name == "street_review" and submitted.get("unfinished_business"):
        _record_unfinished_business(session, actor, row, case_data)
    if row.name != "street_decision":
        return
    decision = submitted.get("decision")
    if decision == "return":
        _check_return_limit(session, row)
    elif decision == "defer":
        _check_leaving_date(case_data, submitted)
        _record_unfinished_business(session, actor, row, case_data)
    elif decision == "approve":
        _check_leaving_date(case_data, submitted)


def _record_unfinished_business(session: Session, actor: Actor, row: TaskRow, case_data: dict[str, Any]) -> None:
    """The street records the bar of 003 art. 39 (1) on the worker record, where it is cleared
    like any other flag; clearing it lets the case go on."""
    worker = session.get(Worker, case_data["worker_id"])
    set_flag(session, worker, "unfinished_business", True, actor=actor.username,
             source=f"resignation #{row.instance_id}")


def _check_return_limit(session: Session, row: TaskRow) -> None:
    """The street may send a case back for correction at most MAX_RETURNS times (the diagram
    caps its loop at the same number)."""
    returns = sum(1 for event in session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id == row.instance_id, AuditEvent.type == "task_completed"))
        if event.detail.get("name") == "street_decision" and event.detail.get("decision") == "return")
    if returns >= MAX_RETURNS:
        raise RuleViolation("return_limit_reached", f"已退回 {returns} 次，不能再退回，请确认离职或暂缓",
                            fields={"decision": ["已达退回次数上限"]})


def _check_leaving_date(case_data: dict[str, Any], submitted: dict[str, Any]) -> None:
    """The leaving date is the day the notice has run (filled in when the street leaves it out);
    another day only with the worker's agreement, and never before the notice was received."""
    ends_on = notice_ends_on(case_data)
    leaving_on = as_date(submitted.get("leaving_on"))
    if leaving_on is None:
        submitted["leaving_on"] = ends_on.isoformat()
        return
    if leaving_on < as_date(case_data["submitted_on"]):
        raise InvalidData("离职日期不能早于收到辞职申请的日期", {"leaving_on": ["早于收到申请日期"]},
                          code="leaving_date_not_allowed")
    if leaving_on != ends_on and not submitted.get("worker_agrees"):
        raise InvalidData(f"离职日期应为通知期满之日 {ends_on.isoformat()}；另定日期须经本人同意（《劳动合同法》第三十七条）",
                          {"leaving_on": [f"应为 {ends_on.isoformat()}，或勾选本人同意"]},
                          code="leaving_date_not_allowed")
