"""Resignation (辞职) rules — 003 art. 38–39, 004 art. 29.

The hard bars of 003 art. 39 refuse the case at start (`resignation_blocked`); a worker not in
service, or one with a resignation already open, cannot start another.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.policy import policy_value
from engine.core.errors import InvalidData, RuleViolation
from engine.core.scope import Actor
from engine.models import AuditEvent, OrgUnit, TaskRow, Worker
from engine.records.workers import snapshot
from engine.rules.casework import refuse_open_cases

IN_SERVICE = ("probation", "active", "seconded")
BAR_NAMES = {
    "under_audit": "正在接受审计",
    "under_discipline_review": "正在接受纪律审查",
    "criminal_case_pending": "涉嫌犯罪尚未结案",
}


def worker_starts_own(actor: Actor, data: dict[str, Any]) -> bool:
    """A worker may hand in their own written application, and nobody else's."""
    return actor.worker_id is not None and data.get("worker_id") == actor.worker_id


MAX_RETURNS = 3


def check_completion(session: Session, actor: Actor, row: TaskRow, case_data: dict[str, Any],
                     submitted: dict[str, Any]) -> None:
    """The street may send a case back for correction at most MAX_RETURNS times (the diagram
    caps its loop at the same number); a further return is refused rather than read as a no."""
    if row.name != "street_decision" or submitted.get("decision") != "return":
        return
    returns = sum(1 for event in session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id == row.instance_id, AuditEvent.type == "task_completed"))
        if event.detail.get("name") == "street_decision" and event.detail.get("decision") == "return")
    if returns >= MAX_RETURNS:
        raise RuleViolation("return_limit_reached", f"已退回 {returns} 次，不能再退回，请批准或不予批准",
                            fields={"decision": ["已达退回次数上限"]})


def check_start(session: Session, actor: Actor, org: OrgUnit, data: dict[str, Any]) -> dict[str, Any]:
    worker = session.get(Worker, data["worker_id"])
    if worker is None or not (actor.sees_org(worker.org_path) or actor.worker_id == worker.id):
        raise InvalidData("档案不存在", {"worker_id": ["没有这个社区工作者"]}, code="worker_not_found")
    if worker.org_code != org.code:
        raise InvalidData("辞职申请须由工作者所在社区发起",
                          {"org": [f"应为 {worker.org_code}（工作者所在社区）"]})
    if worker.status not in IN_SERVICE:
        raise RuleViolation("worker_not_in_service", f"该工作者当前状态为 {worker.status}，不能辞职",
                            fields={"worker_id": ["不在职"]})
    bars = [name for name in policy_value("resignation_blocking_flags") if worker.flags.get(name)]
    if bars:
        reasons = "、".join(BAR_NAMES.get(b, b) for b in bars)
        raise RuleViolation(
            "resignation_blocked", f"该工作者{reasons}，依规定不得辞职（《通州区社区工作者管理办法》第三十九条）",
            fields={"worker_id": [reasons]}, bars=bars,
        )
    # One resignation at a time. Other open cases (a secondment request, a dismissal) do not bar
    # the worker's written notice; their later status changes only apply to a worker in service.
    refuse_open_cases(session, worker, ("resignation",))
    return {"worker": snapshot(worker)}
