"""Hire and probation review (办理聘用手续, 试用期满考核) — 004 art. 12, 37 (1); 000 art. 10; 劳动合同法 art. 19.

The streets sign the labour contracts on the campaign's common terms; the hire task records them:
one worker record per cleared candidate, in `probation`, at the post's community, with history.
A probation longer than labour law allows for the contract term is refused.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.dates import add_months_iso as add_months
from engine.core.errors import Conflict, RuleViolation
from engine.core.scope import Actor
from engine.models import Application, Instance, Worker, WorkerChange

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
            f"合同期限 {form['contract_years']} 年的试用期不得超过 {allowed} 个月（《劳动合同法》第十九条），填写的是 {probation} 个月",
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


def close_probation(session: Session, instance: Instance) -> None:
    pending = session.scalar(select(func.count(Application.id)).where(
        Application.instance_id == instance.id, Application.status == "hired", Application.probation_result.is_(None)))
    if pending:
        raise Conflict(f"还有 {pending} 人未完成试用期满考核", code="probation_reviews_pending",
                       details={"pending": pending})
