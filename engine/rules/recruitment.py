"""Recruitment (招聘) rules — 004 art. 5, 8–12; 003 art. 7, 10; 劳动合同法 art. 19.

At start: the organiser's unit authors the plan — the city or district (004 art. 8; policy
`recruitment_organiser_levels`, a street only where a deployment allows it) — posts stay within vacancies (`plan_exceeds_vacancies`) and the
district's yearly campaign limit holds (`campaign_limit_reached`). At each stage's closing task:
the stage's rows must be complete, and closing applies the stage's result to them (interview
list, ranking, publicity list, hire) in the same transaction as the step.
"""

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.policy import policy_value
from engine.core import audit, clock
from engine.core.errors import Forbidden, RuleViolation
from engine.core.scope import Actor, get_org
from engine.models import Instance, OrgUnit, TaskRow
from engine.recruitment import applications, hire, scores, selection
from engine.recruitment.campaign import check_campaign_limit, check_plan, current_plan, lock_district, window

ORGANISER_ROLE = {"city": "district_civil_affairs", "district": "district_civil_affairs", "street": "street_hr"}
LEVEL_WORDS = {"city": "盟市", "district": "旗县（区）", "street": "街道", "community": "社区"}


def street_hr_starts(actor: Actor, data: dict[str, Any]) -> bool:
    """A street's HR may draft a plan for its own communities (the start rule checks the unit)."""
    return "street_hr" in actor.roles()


def check_start(session: Session, actor: Actor, org: OrgUnit, data: dict[str, Any]) -> dict[str, Any]:
    levels = list(policy_value("recruitment_organiser_levels"))
    role = ORGANISER_ROLE.get(org.level)
    if role is None or org.level not in levels:
        allowed = "、".join(LEVEL_WORDS.get(level, level) for level in levels)
        raise RuleViolation("organiser_level_not_allowed",
                            f"招聘由{allowed}统一组织（《内蒙古自治区社区工作者管理办法》第八条），{org.name}不能组织招聘",
                            fields={"org": [f"应为{allowed}的编码"]}, allowed_levels=levels, level=org.level)
    if not (actor.is_admin or actor.holds(role, org.path)):
        raise Forbidden("招聘方案由组织招聘的单位编制：区由区民政局，街道由街道人事", code="not_allowed_to_start")
    lock_district(session, org)  # before the communities' rows check_plan locks: one order, no deadlock
    check_plan(session, org, data)
    check_campaign_limit(session, org, int(data["year"]))
    return {"organiser_role": role}


def check_completion(session: Session, actor: Actor, row: TaskRow, case_data: dict[str, Any],
                     submitted: dict[str, Any]) -> None:
    instance = session.get(Instance, row.instance_id)
    handler = _STAGE_CLOSERS.get(row.name)
    if handler is not None:
        handler(session, actor, instance, submitted)


def _approve_plan(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    """The plan goes back for revision at most `recruitment_max_plan_returns` times (the diagram's cap)."""
    if form.get("decision") != "return":
        return
    cap = int(policy_value("recruitment_max_plan_returns"))
    returns = session.scalar(select(func.count(TaskRow.id)).where(
        TaskRow.instance_id == instance.id, TaskRow.name.in_(("revise_plan_district", "revise_plan_street"))))
    if returns >= cap:
        raise RuleViolation("return_limit_reached", f"已退回修改 {returns} 次，不能再退回，请批准或不予批准",
                            fields={"decision": ["已达退回次数上限"]})


def _revise_plan(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    check_plan(session, get_org(session, instance.org_code), {**current_plan(instance.data), **form},
               campaign_id=instance.id)


def _publish_notice(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    plan = current_plan({**instance.data, "recruitment_notice": form})
    opens, closes = window(plan)
    if closes < opens or closes < clock.today():
        raise RuleViolation("registration_window_invalid",
                            f"报名时间 {opens.isoformat()} 至 {closes.isoformat()} 无效：截止日期须不早于开始日期和今天",
                            fields={"registration_closes": ["请在公告中重新确定报名时间"]})


def _close_qualification(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    applications.close_qualification(session, instance)


def _close_written(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    listed = scores.close_written(session, instance, form["pass_line"])
    audit.record(session, actor.username, "interview_list", instance_id=instance.id,
                 detail={"pass_line": str(form["pass_line"]), "listed": listed})


def _close_interview(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    selected = scores.close_interview(session, instance)
    audit.record(session, actor.username, "ranking_published", instance_id=instance.id, detail={"selected": selected})


def _close_physical(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    selection.close_checks(session, instance, ("physical", "physical_reexam"), "体检")


def _close_vetting(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    selection.close_checks(session, instance, ("physical", "physical_reexam", "vetting"), "体检或考察")


def _publish_list(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    until: date = selection.publish_list(session, instance)
    audit.record(session, actor.username, "publicity_published", instance_id=instance.id,
                 detail={"until": until.isoformat()})


def _close_publicity(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    selection.close_publicity(session, instance, form["next_step"])


def _hire(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    hire.close_hire(session, actor, instance, form)


def _close_probation(session: Session, actor: Actor, instance: Instance, form: dict[str, Any]) -> None:
    hire.close_probation(session, instance)


_STAGE_CLOSERS = {
    "approve_plan": _approve_plan,
    "revise_plan_district": _revise_plan,
    "revise_plan_street": _revise_plan,
    "publish_notice": _publish_notice,
    "close_qualification_review": _close_qualification,
    "close_written_exam": _close_written,
    "close_interview": _close_interview,
    "close_physical": _close_physical,
    "close_vetting": _close_vetting,
    "publish_list": _publish_list,
    "close_publicity": _close_publicity,
    "hire": _hire,
    "probation_review": _close_probation,
}
