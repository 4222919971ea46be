"""Hire and probation review (办理聘用手续, 试用期满考核) — 004 art. 12, 37 (1); 000 art. 10; 劳动合同法 art. 19.

The streets sign the labour contracts on the campaign's common terms; the hire task records them:
one worker record per cleared candidate, in `probation`, at the post's community, with history.
A probation longer than labour law allows for the contract term is refused.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit, clock
from ..definitions import latest_definition
from ..effects import add_months
from ..errors import Conflict, RuleViolation
from ..models import Application, Instance, Worker, WorkerChange
from ..scope import Actor
from ..workers import change_status
from .applications import staff_application
from .campaign import lock_campaign, require_role, require_stage

PROBATION_REVIEWERS = ("street_hr", "district_civil_affairs")


def max_probation_months(term_months: int) -> int:
    """劳动合同法 art. 19: under 3 months none; under 1 year 1 month; under 3 years 2; longer 6."""
    if term_months < 3:
        return 0
    if term_months < 12:
        return 1
    if term_months < 36:
        return 2
    return 6


def contract_terms(form: dict[str, Any]) -> dict[str, str]:
    """Contract start, end and probation end of the hire form, or a refusal citing art. 19."""
    start = date.fromisoformat(form["contract_start"])
    term_months = round(float(form["contract_years"]) * 12)
    probation = int(form["probation_months"])
    allowed = max_probation_months(term_months)
    if probation > allowed:
        raise RuleViolation(
            "probation_too_long",
            f"合同期限 {form['contract_years']} 年的试用期不得超过 {allowed} 个月（劳动合同法第19条），填写的是 {probation} 个月",
            fields={"probation_months": [f"最多 {allowed} 个月"]}, max_months=allowed, requested=probation)
    last = lambda months: (date.fromisoformat(add_months(start, months)) - timedelta(days=1)).isoformat()  # noqa: E731
    return {"type": "招聘", "start": start.isoformat(), "end": last(term_months),
            "probation_end": last(probation) if probation else None}


def hire(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> list[Worker]:
    """Create the worker records of everyone cleared by the publicity; returns them."""
    contract = contract_terms(form)
    now = clock.now()
    source = f"recruitment #{instance.id}"
    hired = []
    for application in session.scalars(select(Application).where(
            Application.instance_id == instance.id, Application.status == "cleared").order_by(Application.id)):
        worker = Worker(name=application.name, gender=application.gender, birth_date=application.birth_date,
                        education=application.education, id_number=application.id_number,
                        org_code=application.post_community, org_path=application.post_org_path, status="probation",
                        contract=dict(contract), flags={}, created_at=now, updated_at=now,
                        data={"recruitment_instance": instance.id, "application_no": application.application_no})
        session.add(worker)
        session.flush()
        session.add(WorkerChange(worker_id=worker.id, at=now, actor=actor.username, field="created", before=None,
                                 after={"status": "probation", "org": worker.org_code}, source=f"招聘聘用（{source}）"))
        application.status = "hired"
        application.worker_id = worker.id
        application.updated_at = now
        hired.append(worker)
    audit.record(session, actor.username, "hire_filed", instance_id=instance.id, detail={
        "hired": len(hired), "contract": contract, "filing_number": form.get("filing_number"),
        "hrss_filing_number": form.get("hrss_filing_number")})
    return hired


def record_probation(session: Session, actor: Actor, instance_id: int, application_id: int, passed: bool,
                     note: str) -> tuple[Application, int | None]:
    """A hire's probation result: pass → `active`; fail → a dismissal case (ground `probation_failed`)
    when the dismissal process is deployed. Returns the application and the dismissal case id."""
    application = staff_application(session, actor, instance_id, application_id)
    require_role(actor, PROBATION_REVIEWERS, application.post_org_path)
    instance = session.get(Instance, instance_id)
    lock_campaign(session, instance)
    require_stage(session, instance, ("probation_review",), "试用期满考核尚未开始或已结束", "probation_review_not_open")
    if application.status != "hired" or application.probation_result is not None:
        raise Conflict("该人员的试用期考核已有结果", code="probation_already_reviewed")
    worker = session.get(Worker, application.worker_id)
    application.probation_result = "pass" if passed else "fail"
    application.probation_note = note.strip()
    application.updated_at = clock.now()
    audit.record(session, actor.username, "probation_reviewed", instance_id=instance_id,
                 detail={"application_no": application.application_no, "worker_id": worker.id,
                         "result": application.probation_result})
    if passed:
        change_status(session, worker, "active", actor=actor.username, source=f"试用期满考核合格（recruitment #{instance_id}）")
        session.commit()
        return application, None
    if latest_definition(session, "dismissal", required=False) is None:
        session.commit()
        return application, None
    from ..runtime import start_instance  # the runtime imports the rules, which import this module

    case, _ = start_instance(session, Actor.system(f"recruitment:{actor.username}"[:64]), "dismissal",
                             org_code=worker.org_code, business_key=f"probation-{instance_id}-{application.id}",
                             data={"worker_id": worker.id, "grounds": ["probation_failed"],
                                   "facts": f"试用期满考核不合格：{note.strip()}"})
    session.commit()  # start_instance commits a new case itself; an existing one (a retry) does not
    return application, case.id


def close_probation(session: Session, instance: Instance) -> None:
    pending = session.scalar(select(func.count(Application.id)).where(
        Application.instance_id == instance.id, Application.status == "hired", Application.probation_result.is_(None)))
    if pending:
        raise Conflict(f"还有 {pending} 人未完成试用期满考核", code="probation_reviews_pending",
                       details={"pending": pending})
