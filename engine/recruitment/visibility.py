"""Who may read a campaign's applications and what hangs off them: the one rule every recruitment read
and per-application action goes through.

Applicants' files carry ID numbers, scores and objections against them (个人信息保护法 art. 6, only
what the task needs): a reader sees an application only when they hold a recruitment-staff role at
the application's community or above it, or at the campaign's organiser. Everyone else, community
secretaries and the administrator included, is answered as for an application that does not exist.
"""

from sqlalchemy import false, or_, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.core.errors import NotFound
from engine.core.scope import Actor, in_subtree
from engine.models import Application, Instance, Objection
from engine.recruitment.campaign import KEY

RECRUITMENT_STAFF_ROLES = frozenset({"street_hr", "street_leader", "district_civil_affairs", "district_org_dept",
                                     "district_hrss", "social_work_dept", "recruitment_panel"})


def _staff_paths(actor: Actor) -> list[str]:
    return sorted({path for role, _, path in actor.assignments if role in RECRUITMENT_STAFF_ROLES})


def is_organisers_staff(actor: Actor, campaign: Instance) -> bool:
    """Holds a recruitment-staff role at the organiser's unit or above: sees every application."""
    return any(campaign.org_path.startswith(path) for path in _staff_paths(actor))


def sees_campaign(actor: Actor, campaign: Instance) -> bool:
    """The organiser's staff, or staff of a unit below the organiser (a street in a district campaign)."""
    return any(campaign.org_path.startswith(path) or path.startswith(campaign.org_path)
               for path in _staff_paths(actor))


def sees_application(actor: Actor, campaign: Instance, application: Application) -> bool:
    return is_organisers_staff(actor, campaign) or any(
        application.post_org_path.startswith(path) for path in _staff_paths(actor))


def application_filter(actor: Actor, campaign: Instance) -> ColumnElement[bool]:
    """SQL filter with the meaning of `sees_application`, on `Application` rows of `campaign`."""
    if is_organisers_staff(actor, campaign):
        return true()
    paths = _staff_paths(actor)
    return or_(*(in_subtree(Application.post_org_path, path) for path in paths)) if paths else false()


def readable_campaign(session: Session, actor: Actor, instance_id: int) -> Instance:
    """The campaign when the actor sees any part of it; otherwise unknown."""
    campaign = session.get(Instance, instance_id)
    if campaign is None or campaign.key != KEY or not sees_campaign(actor, campaign):
        raise NotFound("招聘不存在", code="recruitment_not_found")
    return campaign


def readable_application(session: Session, actor: Actor, instance_id: int, application_id: int) -> Application:
    """An application of the campaign the actor may read; otherwise unknown, like one that does not exist."""
    campaign = readable_campaign(session, actor, instance_id)
    application = session.get(Application, application_id)
    if application is None or application.instance_id != campaign.id or not sees_application(
            actor, campaign, application):
        raise NotFound("报名信息不存在", code="application_not_found")
    return application


def readable_objection(session: Session, actor: Actor, campaign: Instance, objection_id: int) -> Objection:
    """An objection whose application the actor may read; otherwise unknown."""
    objection = session.get(Objection, objection_id)
    application = objection and session.get(Application, objection.application_id)
    if (objection is None or objection.instance_id != campaign.id or application is None
            or not sees_application(actor, campaign, application)):
        raise NotFound("异议不存在", code="objection_not_found")
    return objection
