"""Physical, vetting and publicity (体检、考察、公示, 004 art. 8 (五)–(七)), with substitution (递补).

A candidate who fails the physical or the vetting, or against whom an objection is upheld during
the publicity, leaves the list and the next ranked candidate of the same post takes the place;
the substitute goes through the physical, the vetting and a publicity of their own. Every
substitution (or a post left short) is an audit event of the campaign.

Physical re-examination (复检, 公务员录用体检通用标准; docs/domain.md, recruitment stage 8): a failed physical
substitutes at once, as before, so a campaign where nobody asks for a re-exam runs unchanged. Within
policy `physical_reexam_days` of the fail being recorded the candidate may ask, once, for a re-exam
(`request_physical_reexam`): the substitution is withdrawn (the substitute goes back to the reserve
list) and the candidate waits as `physical_reexam`, which holds the physical and vetting stages open.
The panel records the re-exam result as any physical result: pass → vetting; fail → substitution
again, and no further re-exam. A substitute who has already had their own physical cannot be sent
back, so a request after that is refused (`substitute_already_examined`): the panel should not call
a substitute's physical before the failed candidate's window has passed or the candidate waived it.
"""

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.policy import policy_value
from engine.core import audit, clock
from engine.core.calendar_store import session_calendar
from engine.core.errors import Conflict, RuleViolation
from engine.core.scope import Actor
from engine.core.transaction import transactional
from engine.models import Application, Instance, Objection, TaskRow
from engine.recruitment.applications import staff_application
from engine.recruitment.campaign import (
    SELECTION_STAGES,
    lock_campaign,
    require_role,
    require_stage,
)
from engine.recruitment.visibility import application_filter, readable_campaign, readable_objection

PANEL = ("recruitment_panel",)
OBJECTION_RECEIVERS = ("district_civil_affairs", "recruitment_panel")
PENDING = ("physical", "physical_reexam", "vetting", "ready")
CHECKS = {  # check → (statuses awaiting it, status on pass, status on fail, note column, name)
    "physical": (("physical", "physical_reexam"), "vetting", "physical_failed", "physical_note", "体检"),
    "vetting": (("vetting",), "ready", "vetting_failed", "vetting_note", "考察"),
}


@transactional
def record_check(session: Session, actor: Actor, instance_id: int, application_id: int, check: str,
                 passed: bool, note: str | None) -> tuple[Application, Application | None]:
    """Record a physical (or physical re-exam) or vetting result; a failure substitutes the next ranked candidate."""
    awaiting, on_pass, on_fail, note_column, name = CHECKS[check]
    application = staff_application(session, actor, instance_id, application_id)
    instance = session.get(Instance, instance_id)
    require_role(actor, PANEL, instance.org_path)
    lock_campaign(session, instance)
    require_stage(session, instance, SELECTION_STAGES, f"当前不在{name}阶段", "selection_not_open")
    if application.status not in awaiting:
        raise Conflict(f"该人员当前不在待{name}名单中", code=f"not_awaiting_{check}",
                       details={"status": application.status})
    reexam = application.status == "physical_reexam"
    setattr(application, note_column, (note or "").strip() or None)
    application.status = on_pass if passed else on_fail
    application.updated_at = clock.now()
    if check == "physical" and not passed:
        application.physical_failed_at = application.updated_at
    audit.record(session, actor.username, f"{check}_recorded", instance_id=instance_id,
                 detail={"application_no": application.application_no, "result": "pass" if passed else "fail",
                         **({"reexam": True} if reexam else {})})
    substitute = None if passed else substitute_next(session, instance, application, actor.username, name)
    return application, substitute


@transactional
def request_physical_reexam(session: Session, actor: Actor, instance_id: int, application_id: int,
                            note: str | None) -> tuple[Application, Application | None]:
    """复检: a candidate who failed the physical asks, once and in time, to be examined again.

    Returns the candidate (now `physical_reexam`) and the substitute sent back to the reserve list, if any.
    """
    application = staff_application(session, actor, instance_id, application_id)
    instance = session.get(Instance, instance_id)
    require_role(actor, PANEL, instance.org_path)
    lock_campaign(session, instance)
    require_stage(session, instance, SELECTION_STAGES, "当前不在体检阶段", "selection_not_open")
    if application.physical_reexam_requested_at is not None:
        raise RuleViolation("reexam_already_used", "体检复检只能申请一次，该人员已申请过复检",
                            requested_at=application.physical_reexam_requested_at.isoformat())
    if application.status != "physical_failed" or application.physical_failed_at is None:
        raise Conflict("该人员体检结论不是不合格，不能申请复检", code="not_physical_failed",
                       details={"status": application.status})
    days = int(policy_value("physical_reexam_days"))
    now = clock.now()
    deadline = application.physical_failed_at + timedelta(days=days)
    if now > deadline:
        raise RuleViolation("reexam_window_closed", f"复检须在体检结论作出后 {days} 日内申请，已逾期",
                            deadline=deadline.isoformat(), days=days)
    substitute = session.scalar(select(Application).where(
        Application.instance_id == instance.id, Application.substitute_for == application.id))
    if substitute is not None and substitute.status != "physical":
        raise Conflict("递补人员已完成体检，不能再撤回递补", code="substitute_already_examined",
                       details={"substitute": substitute.application_no, "status": substitute.status})
    application.status = "physical_reexam"
    application.physical_reexam_requested_at = now
    application.updated_at = now
    audit.record(session, actor.username, "physical_reexam_requested", instance_id=instance_id,
                 detail={"application_no": application.application_no, "note": (note or "").strip() or None})
    if substitute is not None:
        substitute.status = "ranked"
        substitute.substitute_for = None
        substitute.updated_at = now
        audit.record(session, actor.username, "substitution_withdrawn", instance_id=instance_id,
                     detail={"post": application.post_community, "replaced": application.application_no,
                             "substitute": substitute.application_no})
    return application, substitute


def substitute_next(session: Session, instance: Instance, failed: Application, actor: str,
                    reason: str) -> Application | None:
    """递补: the best-ranked candidate of the same post still waiting goes forward in the failed one's place."""
    substitute = session.scalar(select(Application).where(
        Application.instance_id == instance.id, Application.post_community == failed.post_community,
        Application.status == "ranked").order_by(Application.rank).limit(1))
    if substitute is None:
        audit.record(session, actor, "post_shortfall", instance_id=instance.id,
                     detail={"post": failed.post_community, "replaced": failed.application_no, "stage": reason})
        return None
    substitute.status = "physical"
    substitute.substitute_for = failed.id
    substitute.updated_at = clock.now()
    audit.record(session, actor, "candidate_substituted", instance_id=instance.id,
                 detail={"post": failed.post_community, "replaced": failed.application_no,
                         "substitute": substitute.application_no, "rank": substitute.rank, "stage": reason})
    return substitute


def close_checks(session: Session, instance: Instance, statuses: tuple[str, ...], name: str) -> None:
    waiting = session.scalar(select(func.count(Application.id)).where(
        Application.instance_id == instance.id, Application.status.in_(statuses)))
    if waiting:
        raise Conflict(f"还有 {waiting} 人未完成{name}", code="checks_pending", details={"pending": waiting})


def publish_list(session: Session, instance: Instance) -> date:
    """Put everyone who passed the vetting on the publicity list until the period's last working day.

    The period counts from the day after publication (民法典 art. 201) by the holiday calendar; an end
    counted through a year without its official arrangement is marked provisional (暂定) until an
    administrator loads that year, which recounts it from `publicity_from`.
    """
    today = clock.today()
    until = session_calendar(session).add_working_days_marked(today, int(policy_value("publicity_working_days")))
    for application in session.scalars(select(Application).where(
            Application.instance_id == instance.id, Application.status == "ready")):
        application.status = "publicised"
        application.publicity_from = today
        application.publicity_until = until.day
        application.publicity_provisional = until.provisional
    return until.day


@transactional
def file_objection(session: Session, actor: Actor, instance_id: int, application_id: int, summary: str) -> Objection:
    """Record an objection received during a candidate's publicity period."""
    application = staff_application(session, actor, instance_id, application_id)
    instance = session.get(Instance, instance_id)
    require_role(actor, OBJECTION_RECEIVERS, instance.org_path)
    lock_campaign(session, instance)
    today = clock.today()
    if application.status != "publicised" or application.publicity_until is None or today > application.publicity_until:
        raise Conflict("该人员不在公示期内，不受理异议", code="publicity_not_open")
    objection = Objection(instance_id=instance_id, application_id=application.id, summary=summary.strip(),
                          received_on=today, received_by=actor.username, status="open", created_at=clock.now())
    session.add(objection)
    session.flush()
    audit.record(session, actor.username, "objection_filed", instance_id=instance_id,
                 detail={"objection_id": objection.id, "application_no": application.application_no})
    return objection


@transactional
def decide_objection(session: Session, actor: Actor, instance_id: int, objection_id: int, upheld: bool,
                     finding: str) -> tuple[Objection, Application | None]:
    """The panel's finding on an objection; an upheld one removes the candidate and substitutes the next."""
    instance = readable_campaign(session, actor, instance_id)
    objection = readable_objection(session, actor, instance, objection_id)
    require_role(actor, PANEL, instance.org_path)
    lock_campaign(session, instance)
    if objection.status != "open":
        raise Conflict("该异议已有调查结论", code="objection_decided")
    objection.status = "upheld" if upheld else "dismissed"
    objection.finding = finding.strip()
    objection.decided_by = actor.username
    objection.decided_at = clock.now()
    audit.record(session, actor.username, "objection_decided", instance_id=instance_id,
                 detail={"objection_id": objection.id, "upheld": upheld})
    substitute = None
    application = session.get(Application, objection.application_id)
    if upheld and application.status == "publicised":
        application.status = "objection_upheld"
        application.updated_at = clock.now()
        substitute = substitute_next(session, instance, application, actor.username, "公示")
    return objection, substitute


def objections_query(session: Session, actor: Actor, instance_id: int):
    """Objections against the applications the actor may read (`engine.recruitment.visibility`)."""
    campaign = readable_campaign(session, actor, instance_id)
    return (select(Objection).join(Application, Application.id == Objection.application_id)
            .where(Objection.instance_id == instance_id, application_filter(actor, campaign)).order_by(Objection.id))


def close_publicity(session: Session, instance: Instance, next_step: str) -> None:
    """End a publicity round: objections decided, the list cleared, and the next step consistent.

    Substitutes still to be examined must go round again (`substitutes`) until the round cap of
    policy `recruitment_max_substitution_rounds`; past the cap the rest are not hired.
    """
    open_objections = session.scalar(select(func.count(Objection.id)).where(
        Objection.instance_id == instance.id, Objection.status == "open"))
    if open_objections:
        raise Conflict(f"还有 {open_objections} 件异议未调查完毕", code="objections_open",
                       details={"open": open_objections})
    pending = list(session.scalars(select(Application).where(
        Application.instance_id == instance.id, Application.status.in_(PENDING))))
    rounds_done = session.scalar(select(func.count(TaskRow.id)).where(
        TaskRow.instance_id == instance.id, TaskRow.name == "close_publicity", TaskRow.status == "completed"))
    cap = int(policy_value("recruitment_max_substitution_rounds"))
    if next_step == "substitutes" and not pending:
        raise RuleViolation("no_substitutes_pending", "没有待体检、考察的递补人员，请选择办理聘用",
                            fields={"next_step": ["没有递补人员"]})
    if next_step == "substitutes" and rounds_done >= cap:
        raise RuleViolation("substitution_limit_reached", f"递补已达 {cap} 轮上限，请办理聘用",
                            fields={"next_step": [f"递补轮次上限 {cap}"]})
    if next_step == "hire" and pending and rounds_done < cap:
        raise RuleViolation("substitutes_pending", f"还有 {len(pending)} 名递补人员待体检、考察和公示",
                            fields={"next_step": ["有递补人员，须继续递补程序"]}, pending=len(pending))
    now = clock.now()
    for application in session.scalars(select(Application).where(
            Application.instance_id == instance.id, Application.status == "publicised")):
        application.status = "cleared"
        application.updated_at = now
    if next_step == "hire":
        for application in pending:
            application.status = "not_hired"
            application.updated_at = now
