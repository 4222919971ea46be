"""Registration and qualification review (报名与资格审查, 004 art. 8 (三), art. 9–11).

Applicants register through a public endpoint only inside the window; the pre-check of
`engine.recruitment.precheck` runs at once, and a reviewer approves or rejects each
application with a reason the applicant can read. Each is one indexed row change.
"""

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from engine.core import audit, clock
from engine.core.errors import Conflict, InvalidData, NotFound, RuleViolation
from engine.core.scope import Actor
from engine.core.transaction import transactional
from engine.models import Application, Instance, OrgUnit
from engine.recruitment.campaign import (
    current_plan,
    current_stage,
    get_campaign,
    lock_campaign,
    posts_of,
    require_role,
    require_stage,
    window,
)
from engine.recruitment.precheck import RELAXATION_BASES, id_number_problems, precheck
from engine.recruitment.visibility import application_filter, readable_application, readable_campaign

REVIEWER_ROLES = ("street_hr", "district_civil_affairs")
# 004 art. 9: the relaxation of age and education rests on the street's recommendation, which the
# reviewing staff record at the qualification review; an applicant cannot give it to themselves.
STAFF_SET_FIELDS = ("recommended_by_street", "relaxation_basis")
STAFF_SET_MESSAGE = "街道推荐由资格审查人员在审查时填写，报名人不能自行填写（《内蒙古自治区社区工作者管理办法》第九条）"
_NO_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@transactional
def submit(session: Session, instance_id: int, payload: dict[str, Any], *,
           consented_at: datetime | None = None) -> Application:
    """Register one applicant: inside the window, once per ID number, with the pre-check's result.

    `consented_at` is when the applicant agreed to the processing of their ID number (个人信息保护法
    art. 14, 29); it is kept on the registration's audit event, the record of that consent."""
    instance = get_campaign(session, instance_id)
    plan = current_plan(instance.data)
    opens, closes = window(plan)
    today = clock.today()
    if current_stage(session, instance) != "registration" or not opens <= today <= closes:
        raise Conflict(f"不在报名时间内（{opens.isoformat()} 至 {closes.isoformat()}）", code="registration_closed",
                       details={"registration_opens": opens.isoformat(), "registration_closes": closes.isoformat()})
    id_number = payload["id_number"].upper()
    fields: dict[str, list[str]] = {}
    if payload["post"] not in posts_of(plan):
        fields["post"] = ["不是本次招聘的岗位（社区）"]
    if payload["birth_date"] >= today:
        fields["birth_date"] = ["出生日期不正确"]
    problems = id_number_problems(id_number, payload["birth_date"], payload["gender"])
    if problems:
        fields["id_number"] = problems
    for name in STAFF_SET_FIELDS:
        if payload.get(name) not in (None, False):
            fields[name] = [STAFF_SET_MESSAGE]
    if fields:
        raise InvalidData("报名信息有误", fields)
    if session.scalar(select(Application.id).where(Application.instance_id == instance.id,
                                                   Application.id_number == id_number)) is not None:
        raise _duplicate()
    check = precheck(payload, plan, closes)
    now = clock.now()
    post = session.get(OrgUnit, payload["post"])
    application = Application(
        instance_id=instance.id, application_no=_application_no(instance.id), post_community=post.code,
        post_org_path=post.path, name=payload["name"], gender=payload["gender"], birth_date=payload["birth_date"],
        id_number=id_number, education=payload["education"], phone=payload.get("phone"),
        fresh_graduate=bool(payload.get("fresh_graduate")), local_residence=bool(payload.get("local_residence")),
        recommended_by_street=False, relaxation_basis=None, priority=list(payload.get("priority") or []),
        declarations=list(payload.get("declarations") or []), precheck=check.as_dict(), status="submitted",
        written_absent=False, interview_absent=False, submitted_at=now, updated_at=now,
    )
    session.add(application)
    try:
        session.flush()
    except IntegrityError:
        raise _duplicate() from None  # the transaction rolls back as the error leaves the command
    audit.record(session, "public", "application_submitted", instance_id=instance.id,
                 detail={"application_no": application.application_no, "post": post.code,
                         **({"consented_at": consented_at.isoformat()} if consented_at else {})})
    return application


def _duplicate() -> Conflict:
    return Conflict("该身份证号码已报名本次招聘", code="duplicate_application")


def _application_no(instance_id: int) -> str:
    return f"ZP{instance_id}-" + "".join(secrets.choice(_NO_ALPHABET) for _ in range(8))


def lookup(session: Session, application_no: str, id_number: str) -> Application:
    """The applicant's own application: both numbers must match (a wrong pair looks unknown)."""
    application = session.scalar(select(Application).where(Application.application_no == application_no.strip()))
    if application is None or not secrets.compare_digest(application.id_number, id_number.strip().upper()):
        raise NotFound("没有找到该报名信息", code="application_not_found")
    return application


def staff_application(session: Session, actor: Actor, instance_id: int, application_id: int) -> Application:
    """An application the actor may read (`engine.recruitment.visibility`); otherwise unknown."""
    return readable_application(session, actor, instance_id, application_id)


def list_query(session: Session, actor: Actor, instance_id: int, *, status: str | None = None,
               post: str | None = None) -> Select:
    """Applications of the campaign the actor may read, by post and rank, then by registration."""
    campaign = readable_campaign(session, actor, instance_id)
    query = select(Application).where(Application.instance_id == instance_id, application_filter(actor, campaign))
    if status:
        query = query.where(Application.status == status)
    if post:
        query = query.where(Application.post_community == post)
    return query.order_by(Application.post_community, Application.rank.is_(None), Application.rank, Application.id)


@transactional
def review(session: Session, actor: Actor, instance_id: int, application_id: int, decision: str,
           reason: str | None, recommendation: str | None = None) -> Application:
    """Approve or reject one application with a reason (资格审查), while review is open.

    `recommendation` is the street's recommendation that relaxes age and education (004 art. 9):
    a basis of `RELAXATION_BASES` sets it, "" withdraws it, None leaves it as it is. The pre-check
    is run again on what the staff have set, so only their recommendation relaxes anything."""
    application = staff_application(session, actor, instance_id, application_id)
    require_role(actor, REVIEWER_ROLES, application.post_org_path)
    instance = session.get(Instance, instance_id)
    lock_campaign(session, instance)
    require_stage(session, instance, ("registration", "qualification"), "资格审查已结束", "qualification_review_closed")
    if application.status not in ("submitted", "qualified", "rejected"):
        raise Conflict("该报名已进入后续环节，不能再审查", code="application_not_reviewable")
    reason = (reason or "").strip()
    if decision == "reject" and not reason:
        raise InvalidData("不通过时须写明理由", {"reason": ["必填"]})
    if recommendation is not None:
        _record_recommendation(session, actor, application, recommendation)
    application.precheck = precheck(_precheck_input(application), current_plan(instance.data),
                                    window(current_plan(instance.data))[1]).as_dict()
    if decision == "approve" and not application.precheck.get("eligible"):
        failures = "；".join(f["message"] for f in application.precheck.get("failures", []))
        raise RuleViolation("application_ineligible", f"初审未通过，不能审查通过：{failures}",
                            fields={"decision": [failures]})
    application.status = "qualified" if decision == "approve" else "rejected"
    application.review_reason = reason or None
    application.reviewed_by = actor.username
    application.reviewed_at = application.updated_at = clock.now()
    audit.record(session, actor.username, "application_reviewed", instance_id=instance_id,
                 detail={"application_no": application.application_no, "decision": decision})
    return application


def _record_recommendation(session: Session, actor: Actor, application: Application, basis: str) -> None:
    """The street's recommendation with who gave it and when, on the application and the trail."""
    if basis and basis not in RELAXATION_BASES:
        raise InvalidData("推荐依据不正确", {"street_recommendation": [f"须为以下之一：{'、'.join(RELAXATION_BASES)}"]})
    if (application.relaxation_basis or "") == basis:
        return
    application.recommended_by_street = bool(basis)
    application.relaxation_basis = basis or None
    application.recommended_by = actor.username
    application.recommended_at = clock.now()
    audit.record(session, actor.username, "street_recommendation_recorded", instance_id=application.instance_id,
                 detail={"application_no": application.application_no, "basis": basis or None})


def _precheck_input(application: Application) -> dict[str, Any]:
    return {"birth_date": application.birth_date, "education": application.education,
            "fresh_graduate": application.fresh_graduate, "local_residence": application.local_residence,
            "recommended_by_street": application.recommended_by_street and application.recommended_by is not None,
            "relaxation_basis": application.relaxation_basis, "priority": application.priority,
            "declarations": application.declarations}


def close_qualification(session: Session, instance: Instance) -> None:
    """Qualification review may close only when every application has been reviewed."""
    pending = session.scalar(select(func.count(Application.id)).where(
        Application.instance_id == instance.id, Application.status == "submitted"))
    if pending:
        raise Conflict(f"还有 {pending} 份报名未审查", code="applications_pending_review", details={"pending": pending})



def public_notice(session: Session, instance_id: int) -> dict[str, Any]:
    """The campaign as its published notice shows it; unknown until the notice is out."""
    instance = get_campaign(session, instance_id)
    if "recruitment_notice" not in instance.data:
        raise NotFound("招聘不存在", code="recruitment_not_found")
    plan = current_plan(instance.data)
    opens, closes = window(plan)
    names = dict(session.execute(select(OrgUnit.code, OrgUnit.name).where(
        OrgUnit.code.in_([*posts_of(plan), instance.org_code]))).all())
    is_open = current_stage(session, instance) == "registration" and opens <= clock.today() <= closes
    return {"id": instance.id, "title": plan["title"], "year": plan["year"], "registration_opens": opens,
            "registration_closes": closes, "registration_open": is_open,
            "local_residence_required": bool(plan.get("local_residence_required")),
            "conditions": plan.get("conditions"), "organiser": names.get(instance.org_code, instance.org_code),
            "posts": [{"community": code, "name": names.get(code, code), "count": count}
                      for code, count in posts_of(plan).items()]}
