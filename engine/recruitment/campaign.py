"""A campaign (招聘批次) is a recruitment instance: its plan in force, its stage, vacancies and the
yearly campaign limit, read from indexed rows without deserialising the workflow."""

from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from config.policy import policy_value
from engine.core import clock
from engine.core.errors import Conflict, Forbidden, InvalidData, NotFound, RuleViolation
from engine.core.scope import Actor, in_subtree, lift_to_role_level
from engine.models import Instance, OrgUnit, TaskRow, Worker

KEY = "recruitment"
PLAN_FIELDS = ("title", "year", "posts", "registration_opens", "registration_closes",
               "local_residence_required", "conditions")
IN_SERVICE = ("probation", "active", "seconded")

# The stage a campaign is in while a task is open, and while it waits on a timer after a task.
STAGE_OF_OPEN_TASK = {
    "approve_plan": "plan", "revise_plan_district": "plan", "revise_plan_street": "plan",
    "file_plan": "filing", "publish_notice": "notice",
    "close_qualification_review": "qualification", "close_written_exam": "written_exam",
    "close_interview": "interview", "close_physical": "physical", "close_vetting": "vetting",
    "publish_list": "publicity_pending", "close_publicity": "publicity_closing",
    "hire": "hire", "probation_review": "probation_review",
}
SELECTION_STAGES = ("physical", "vetting", "publicity_pending", "publicity", "publicity_closing")


def get_campaign(session: Session, instance_id: int) -> Instance:
    """The recruitment instance, for public endpoints (no scope: the notice is public)."""
    instance = session.get(Instance, instance_id)
    if instance is None or instance.key != KEY:
        raise NotFound("招聘不存在", code="recruitment_not_found")
    return instance


def require_role(actor: Actor, roles: tuple[str, ...], org_path: str) -> None:
    if any(actor.holds(role, org_path) for role in roles):
        return
    if actor.is_admin:  # separation of duties: reviews, scores and checks are the staff's business
        raise Forbidden("系统管理员不办理业务：此事项由招聘工作人员办理", code="admin_not_task_holder")
    raise Forbidden("您的角色不能办理此事项", code="not_allowed")


def lock_campaign(session: Session, instance: Instance) -> None:
    """Serialise a per-application change with the campaign's stage changes.

    The row lock (PostgreSQL) orders it after a stage close in flight; touching the instance moves
    its lock version, so a stage close that checked its rows before this change gets a 409.
    """
    query = select(Instance).where(Instance.id == instance.id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    session.scalar(query)
    instance.updated_at = clock.now()


def current_stage(session: Session, instance: Instance) -> str:
    """The campaign's stage from its task rows (a few dozen, whatever the number of applications):
    the open task's stage, or, while it waits on a timer, the wait that its completed tasks imply."""
    if instance.status != "running":
        return instance.status
    rows = session.execute(select(TaskRow.name, TaskRow.status, func.count(TaskRow.id)).where(
        TaskRow.instance_id == instance.id, TaskRow.status.in_(("open", "completed")))
        .group_by(TaskRow.name, TaskRow.status)).all()
    open_names = [name for name, status, _ in rows if status == "open"]
    if open_names:
        return STAGE_OF_OPEN_TASK.get(open_names[0], open_names[0])
    done = {name: count for name, status, count in rows if status == "completed"}
    if done.get("hire"):
        return "probation"
    if done.get("publish_list", 0) > done.get("close_publicity", 0):
        return "publicity"
    if done.get("publish_notice") and not done.get("close_qualification_review"):
        return "registration"
    return "waiting"


def require_stage(session: Session, instance: Instance, stages: tuple[str, ...], message: str,
                  code: str) -> str:
    stage = current_stage(session, instance)
    if stage not in stages:
        raise Conflict(message, code=code, details={"stage": stage})
    return stage


def current_plan(data: dict[str, Any]) -> dict[str, Any]:
    """The plan in force: start data, then the latest revision, then the notice's dates."""
    plan = {name: data.get(name) for name in PLAN_FIELDS}
    revision = data.get("recruitment_plan_revision") or {}
    plan.update({name: revision[name] for name in PLAN_FIELDS if name in revision})
    notice = data.get("recruitment_notice") or {}
    plan.update({name: notice[name] for name in ("registration_opens", "registration_closes") if notice.get(name)})
    return plan


def window(plan: dict[str, Any]) -> tuple[date, date]:
    return date.fromisoformat(plan["registration_opens"]), date.fromisoformat(plan["registration_closes"])


def posts_of(plan: dict[str, Any]) -> dict[str, int]:
    return {post["community"]: int(post["count"]) for post in plan["posts"]}


def staffing_standard(org: OrgUnit) -> int:
    """Workers a community should have (policy `staffing_standard`; fractions round down)."""
    standard = policy_value("staffing_standard")
    base = org.residents if standard["kind"] == "per_residents" else org.households
    return max((base or 0) * int(standard["workers"]) // int(standard["per"]), int(standard.get("minimum", 0)))


def check_plan(session: Session, org: OrgUnit, plan: dict[str, Any], *, campaign_id: int | None = None) -> None:
    """Posts name communities of the organiser's unit, once each, within vacancies; dates in order.

    Vacancies are shared by every open campaign: posts other running campaigns (not yet hired)
    have planned for a community count against them (`vacancies_planned_elsewhere`). The
    communities' rows are locked first, so two plans for one community are judged one after the
    other, the second seeing the first."""
    fields: dict[str, list[str]] = {}
    opens, closes = window(plan)
    if closes < opens:
        fields["registration_closes"] = ["报名截止日期不能早于报名开始日期"]
    communities: dict[str, OrgUnit] = {}
    for index, post in enumerate(plan["posts"]):
        unit = session.get(OrgUnit, post["community"])
        if unit is None or unit.level != "community" or not unit.path.startswith(org.path):
            fields.setdefault(f"posts.{index}.community", []).append(f"{post['community']} 不是本单位所辖社区")
        elif unit.code in communities:
            fields.setdefault(f"posts.{index}.community", []).append("同一社区只能列一次")
        else:
            communities[unit.code] = unit
    if fields:
        raise InvalidData("招聘方案有误", fields)
    lock_communities(session, list(communities))
    in_service = dict(session.execute(
        select(Worker.org_code, func.count(Worker.id))
        .where(Worker.org_code.in_(list(communities)), Worker.status.in_(IN_SERVICE))
        .group_by(Worker.org_code)).all())
    elsewhere = planned_in_open_campaigns(session, set(communities), exclude=campaign_id)
    exceeded = []
    for post in plan["posts"]:
        unit = communities[post["community"]]
        standard = staffing_standard(unit)
        vacancies = max(standard - in_service.get(unit.code, 0), 0)
        others = elsewhere.get(unit.code, {})
        if int(post["count"]) + sum(others.values()) > vacancies:
            exceeded.append({"community": unit.code, "requested": int(post["count"]), "vacancies": vacancies,
                             "standard": standard, "in_service": in_service.get(unit.code, 0),
                             "planned_elsewhere": sum(others.values()),
                             "campaigns": [{"id": k, "posts": v} for k, v in sorted(others.items())]})
    if exceeded:
        _refuse_exceeded(communities, exceeded)


def _refuse_exceeded(communities: dict[str, OrgUnit], exceeded: list[dict[str, Any]]) -> None:
    parts = []
    for e in exceeded:
        unit = communities[e["community"]]
        text = (f"{unit.name}（{unit.code}）拟招 {e['requested']} 人，空缺 {e['vacancies']} 人"
                f"（配备标准 {e['standard']}，在岗 {e['in_service']}）")
        if e["planned_elsewhere"]:
            others = "、".join(f"#{c['id']} {c['posts']} 人" for c in e["campaigns"])
            text += (f"，其他进行中的招聘已拟招 {e['planned_elsewhere']} 人（{others}），"
                     f"尚余 {max(e['vacancies'] - e['planned_elsewhere'], 0)} 人")
        parts.append(text)
    text = "；".join(parts)
    if any(e["planned_elsewhere"] and e["requested"] <= e["vacancies"] for e in exceeded):
        raise RuleViolation("vacancies_planned_elsewhere", f"空缺已被其他进行中的招聘占用：{text}",
                            fields={"posts": [text]}, exceeded=exceeded)
    raise RuleViolation("plan_exceeds_vacancies", f"招聘岗位数超过空缺：{text}",
                        fields={"posts": [text]}, exceeded=exceeded)


def lock_communities(session: Session, codes: list[str]) -> None:
    """Row locks on the communities (PostgreSQL; in code order, so two plans never deadlock): the
    point where plans for the same community wait for one another."""
    if codes and session.get_bind().dialect.name == "postgresql":
        session.execute(select(OrgUnit.code).where(OrgUnit.code.in_(sorted(codes)))
                        .order_by(OrgUnit.code).with_for_update())


def planned_in_open_campaigns(session: Session, codes: set[str], *,
                              exclude: int | None = None) -> dict[str, dict[int, int]]:
    """community → {campaign id: posts} of the running campaigns that have not hired yet (once
    hired, their people are counted as workers in service)."""
    hired = select(TaskRow.instance_id).where(TaskRow.name == "hire", TaskRow.status == "completed")
    query = select(Instance.id, Instance.data).where(Instance.key == KEY, Instance.status == "running",
                                                     Instance.id.not_in(hired))
    if exclude is not None:
        query = query.where(Instance.id != exclude)
    found: dict[str, dict[int, int]] = {}
    for campaign_id, data in session.execute(query):
        for post in current_plan(data or {}).get("posts") or []:
            if post.get("community") in codes and int(post.get("count") or 0):
                found.setdefault(post["community"], {})[campaign_id] = int(post["count"])
    return found


def lock_district(session: Session, org: OrgUnit) -> OrgUnit:
    """The district that counts the organiser's campaigns, its row locked (PostgreSQL): the point
    where starts in one district wait for one another, so each counts the campaigns committed before
    it. Taken before the communities' rows (see `lock_communities`), always in that order."""
    district = lift_to_role_level(session, org, "district_civil_affairs")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(OrgUnit.code).where(OrgUnit.code == district.code).with_for_update())
    return district


def check_campaign_limit(session: Session, org: OrgUnit, year: int) -> None:
    """003 art. 10: at most `recruitment_campaigns_per_year` campaigns a year in one district;
    a campaign whose plan was rejected or that was cancelled does not count. Counted under the
    district's row lock, so starts at the same moment cannot both see a place left."""
    district = lock_district(session, org)
    limit = int(policy_value("recruitment_campaigns_per_year"))
    existing = session.scalar(select(func.count(Instance.id)).where(
        Instance.key == KEY, in_subtree(Instance.org_path, district.path),
        Instance.data["year"].as_integer() == year, Instance.status != "cancelled",
        or_(Instance.outcome.is_(None), Instance.outcome.not_in(("rejected", "cancelled")))))
    if existing >= limit:
        raise RuleViolation("campaign_limit_reached",
                            f"{district.name}{year}年已有 {existing} 次招聘，每年不得超过 {limit} 次（《通州区社区工作者管理办法》第十条）",
                            fields={"year": [f"本年度招聘次数已达上限 {limit} 次"]},
                            district=district.code, year=year, limit=limit, existing=existing)
