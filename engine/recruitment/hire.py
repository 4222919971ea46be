"""Hire and probation review (办理聘用手续, 试用期满考核) — 004 art. 12, 37 (1); 000 art. 10; 劳动合同法 art. 19.

The street (policy `recruitment_contract_signer_role`) signs each cleared candidate's labour contract:
one worker record per contract, in `probation`, at the post's community, with history. The hire
task then closes the stage once every contract is signed and records the filing with the district.
The term may not exceed policy `contract_years`; the probation may not exceed policy
`probation_months` nor what labour law allows for the term.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.policy import policy_value
from engine.core import audit, clock
from engine.core.dates import add_months_iso as add_months
from engine.core.errors import Conflict, RuleViolation
from engine.core.scope import Actor
from engine.core.workdays import default_calendar
from engine.models import Application, Instance, Worker, WorkerChange


def signer_roles() -> tuple[str, ...]:
    """Who signs the contracts (004 art. 12: the street), a setting as regions differ."""
    return (str(policy_value("recruitment_contract_signer_role")),)


def reviewer_roles() -> tuple[str, ...]:
    """Who reviews the probation: the employer that signed (policy `probation_review_role`)."""
    return (str(policy_value("probation_review_role")),)


def max_probation_months(term_months: int) -> int:
    """劳动合同法 art. 19: under 3 months none; under 1 year 1 month; under 3 years 2; longer 6."""
    if term_months < 3:
        return 0
    if term_months < 12:
        return 1
    if term_months < 36:
        return 2
    return 6


def contract_terms(form: dict[str, Any]) -> dict[str, str | None]:
    """Contract start, end and probation end, or a refusal naming the field and its limit."""
    start = date.fromisoformat(form["contract_start"])
    years = float(form["contract_years"])
    term_months = round(years * 12)
    probation = int(form["probation_months"])
    longest = float(policy_value("contract_years"))
    if years > longest:
        raise RuleViolation(
            "contract_term_too_long", f"合同期限不得超过 {longest:g} 年（政策参数，《鄂尔多斯市社区工作者暂行管理办法》第十条），填写的是 {years:g} 年",
            fields={"contract_years": [f"最长 {longest:g} 年"]}, max_years=longest, requested=years)
    allowed = max_probation_months(term_months)
    if probation > allowed:
        raise RuleViolation(
            "probation_too_long",
            f"合同期限 {years:g} 年的试用期不得超过 {allowed} 个月（《劳动合同法》第十九条），填写的是 {probation} 个月",
            fields={"probation_months": [f"最多 {allowed} 个月"]}, max_months=allowed, requested=probation)
    local = int(policy_value("probation_months"))
    if probation > local:
        raise RuleViolation(
            "probation_exceeds_policy",
            f"试用期不得超过 {local} 个月（政策参数，《鄂尔多斯市社区工作者暂行管理办法》第十条），填写的是 {probation} 个月",
            fields={"probation_months": [f"最多 {local} 个月"]}, max_months=local, requested=probation)
    last = lambda months: (date.fromisoformat(add_months(start, months)) - timedelta(days=1)).isoformat()  # noqa: E731
    return {"type": "招聘", "start": start.isoformat(), "end": last(term_months),
            "probation_end": last(probation) if probation else None}


def sign(session: Session, actor: Actor, instance: Instance, application: Application,
         form: dict[str, Any]) -> Worker:
    """One cleared candidate's contract: the worker record in `probation`, with its history."""
    contract = contract_terms(form)
    now = clock.now()
    worker = Worker(name=application.name, gender=application.gender, birth_date=application.birth_date,
                    education=application.education, id_number=application.id_number,
                    org_code=application.post_community, org_path=application.post_org_path, status="probation",
                    contract=dict(contract), flags={}, created_at=now, updated_at=now,
                    data={"recruitment_instance": instance.id, "application_no": application.application_no})
    session.add(worker)
    session.flush()
    session.add(WorkerChange(worker_id=worker.id, at=now, actor=actor.username, field="created", before=None,
                             after={"status": "probation", "org": worker.org_code},
                             source=f"招聘聘用（recruitment #{instance.id}）"))
    application.status = "hired"
    application.worker_id = worker.id
    application.updated_at = now
    audit.record(session, actor.username, "contract_signed", instance_id=instance.id,
                 detail={"application_no": application.application_no, "worker_id": worker.id,
                         "contract": contract, "filing_number": form.get("filing_number")})
    return worker


def close_hire(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    """Every cleared candidate has a signed contract; the probation review opens before the first
    probation ends (policy `probation_review_lead_working_days`), so a failed review can still
    end the contract within probation (劳动合同法 art. 39 (1))."""
    unsigned = session.scalar(select(func.count(Application.id)).where(
        Application.instance_id == instance.id, Application.status == "cleared"))
    if unsigned:
        raise Conflict(f"还有 {unsigned} 人未签订劳动合同", code="contracts_unsigned", details={"unsigned": unsigned})
    ends = [worker.contract.get("probation_end") for worker in session.scalars(
        select(Worker).join(Application, Application.worker_id == Worker.id).where(
            Application.instance_id == instance.id, Application.status == "hired"))]
    ends = sorted(end for end in ends if end)
    probation_end = date.fromisoformat(ends[0]) if ends else clock.today()
    form["probation_end"] = probation_end.isoformat()
    form["probation_review_opens"] = review_opens(probation_end).isoformat()
    audit.record(session, actor.username, "hire_filed", instance_id=instance.id, detail={
        "hired": session.scalar(select(func.count(Application.id)).where(
            Application.instance_id == instance.id, Application.status == "hired")),
        "probation_end": form["probation_end"], "filing_number": form.get("filing_number"),
        "hrss_filing_number": form.get("hrss_filing_number")})


def review_opens(probation_end: date) -> date:
    """The working day `probation_review_lead_working_days` working days before the probation's last day."""
    calendar = default_calendar()
    day, left = probation_end, int(policy_value("probation_review_lead_working_days"))
    while left > 0:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            left -= 1
    return max(day, clock.today())


def close_probation(session: Session, instance: Instance) -> None:
    pending = session.scalar(select(func.count(Application.id)).where(
        Application.instance_id == instance.id, Application.status == "hired", Application.probation_result.is_(None)))
    if pending:
        raise Conflict(f"还有 {pending} 人未完成试用期满考核", code="probation_reviews_pending",
                       details={"pending": pending})
