"""What the campaign workspace (招聘工作台) reads: the applications in the actor's scope with the
filters staff use at the review, counts per status, the posts by name, and the standing per post.

Every read starts from `applications.list_query`, so a street's HR sees only its own communities'
applications here as through the API; nothing here changes state.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from engine.core.scope import Actor
from engine.models import Application, Instance, Objection, OrgUnit, Worker
from engine.recruitment.applications import list_query
from engine.recruitment.campaign import current_plan, current_stage, posts_of
from engine.recruitment.visibility import readable_campaign

# 资格审查 first, then the exam, the selection and the end; the order the counts are shown in.
STATUS_ORDER = ("submitted", "qualified", "rejected", "written_failed", "not_shortlisted", "interview",
                "interview_absent", "ranked", "physical", "physical_failed", "physical_reexam", "vetting",
                "vetting_failed", "ready", "publicised", "objection_upheld", "cleared", "hired", "not_hired")
SEARCH_TAIL = 4  # the shortest tail of an ID number a search may use


def applications_query(session: Session, actor: Actor, instance_id: int, *, status: str | None = None,
                       post: str | None = None, eligible: bool | None = None, search: str | None = None) -> Select:
    """The scoped list with the workspace's filters: pre-check result, and a name or ID-number tail."""
    query = list_query(session, actor, instance_id, status=status or None, post=post or None)
    if eligible is not None:
        query = query.where(Application.precheck["eligible"].as_boolean().is_(eligible))
    text = (search or "").strip()
    if text:
        conditions = [Application.name.contains(text, autoescape=True)]
        if len(text) >= SEARCH_TAIL and text[:-1].isdigit():
            conditions.append(Application.id_number.endswith(text.upper(), autoescape=True))
        query = query.where(or_(*conditions))
    return query


def status_counts(session: Session, actor: Actor, instance_id: int) -> dict[str, int]:
    """Applications per status in the actor's scope, in the order of the campaign."""
    scoped = list_query(session, actor, instance_id).order_by(None).subquery()
    counted = dict(session.execute(select(scoped.c.status, func.count()).group_by(scoped.c.status)).all())
    return {status: counted[status] for status in STATUS_ORDER if counted.get(status)}


@dataclass
class Post:
    code: str
    name: str
    count: int


def campaign_posts(session: Session, instance: Instance) -> list[Post]:
    """The plan's posts with their communities' names."""
    planned = posts_of(current_plan(instance.data))
    names = dict(session.execute(select(OrgUnit.code, OrgUnit.name).where(OrgUnit.code.in_(list(planned)))).all())
    return [Post(code, names.get(code, code), count) for code, count in planned.items()]


@dataclass
class Overview:
    instance: Instance
    title: str
    stage: str
    posts: list[Post]


def overview(session: Session, actor: Actor, instance_id: int) -> Overview:
    """The campaign as its staff see it at the top of the workspace (unknown outside their scope)."""
    instance = readable_campaign(session, actor, instance_id)
    list_query(session, actor, instance_id)  # the same staff-role check as the list
    plan = current_plan(instance.data)
    return Overview(instance, plan.get("title") or "", current_stage(session, instance),
                    campaign_posts(session, instance))


@dataclass
class Standing:
    """One post's candidates from the interview on: the ranked list, who was cut and who is tied."""

    post: Post
    ranked: list[Application] = field(default_factory=list)
    interview_cutoff: Decimal | None = None
    tied_totals: set[Decimal] = field(default_factory=set)
    tied_at_cutoff: set[int] = field(default_factory=set)


def standings(session: Session, actor: Actor, instance_id: int) -> list[Standing]:
    """Per post: everyone with a rank in rank order; the lowest written score that reached the
    interview (the cut-off) and the applicants on it; totals shared by more than one."""
    instance = readable_campaign(session, actor, instance_id)
    rows = list(session.scalars(applications_query(session, actor, instance_id)))
    result = []
    for post in campaign_posts(session, instance):
        mine = [a for a in rows if a.post_community == post.code]
        standing = Standing(post, sorted((a for a in mine if a.rank is not None), key=lambda a: a.rank))
        interviewed = [a.written_score for a in mine if a.interview_score is not None or a.interview_absent
                       or a.status == "interview"]
        if interviewed:
            standing.interview_cutoff = min(interviewed)
            at_cutoff = {a.id for a in mine if a.written_score == standing.interview_cutoff}
            standing.tied_at_cutoff = at_cutoff if len(at_cutoff) > 1 else set()
        totals = [a.total_score for a in standing.ranked]
        standing.tied_totals = {t for t in totals if totals.count(t) > 1}
        result.append(standing)
    return result


def objections(session: Session, actor: Actor, instance_id: int) -> list[tuple[Objection, Application]]:
    """The campaign's objections with the candidate each is about, in the actor's scope."""
    visible = {a.id: a for a in session.scalars(list_query(session, actor, instance_id))}
    found = session.scalars(select(Objection).where(Objection.instance_id == instance_id).order_by(Objection.id))
    return [(o, visible[o.application_id]) for o in found if o.application_id in visible]


def publicity_list(session: Session, actor: Actor, instance_id: int) -> list[Application]:
    """Who is or was on the publicity list (公示名单), by post and rank."""
    published = ("publicised", "objection_upheld", "cleared", "hired")
    return [a for a in session.scalars(list_query(session, actor, instance_id))
            if a.status in published or a.publicity_from is not None]


def score_rows(session: Session, actor: Actor, instance_id: int, status: str) -> list[Application]:
    """The applications awaiting a score of one kind (status `qualified` or `interview`)."""
    return list(session.scalars(list_query(session, actor, instance_id, status=status)))


HIRE_STATUSES = ("cleared", "hired")


@dataclass
class HireRow:
    """A candidate of the hire stage (办理聘用手续) and, once signed, the worker record it made."""

    application: Application
    worker: Worker | None


def hire_rows(session: Session, actor: Actor, instance_id: int) -> list[HireRow]:
    """Who awaits a labour contract and who has one, in the actor's scope, by post and rank."""
    found = list(session.scalars(applications_query(session, actor, instance_id)
                                 .where(Application.status.in_(HIRE_STATUSES))))
    worker_ids = [a.worker_id for a in found if a.worker_id is not None]
    workers = {w.id: w for w in session.scalars(select(Worker).where(Worker.id.in_(worker_ids)))} if worker_ids else {}
    return [HireRow(a, workers.get(a.worker_id)) for a in found]
