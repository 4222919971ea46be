"""Who may start a case, act on a task or see a case: the checks the commands make first."""


from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.roles import role_for_lane
from engine import rules
from engine.bpmn.task_kinds import is_start_event
from engine.core.errors import Conflict, Forbidden, NotFound
from engine.core.scope import Actor
from engine.models import Definition, Instance, OrgUnit, TaskRow
from engine.workflow.definitions import parsed_definition
from engine.workflow.forms import task_form
from engine.workflow.instances import definition_of

# A user task's spiffworkflow:property naming the earlier steps (task ids, comma-separated) whose
# decider may not decide it too; "none" lifts the separation. Without the property, a task whose
# form asks for a `decision` is separated from every other such task of the case.
SEPARATE_FROM = "separateFrom"


def may_start(actor: Actor, definition: Definition, org: OrgUnit, data: dict[str, Any]) -> bool:
    """Whether the actor holds a role that starts this process at the unit. The system
    administrator's role is no business role: starting a personnel case is casework. The engine
    itself may open a follow-up case a decided step calls for (a failed probation's dismissal)."""
    if actor.is_system:
        return True
    if any(actor.holds(role, org.path) for role in _lane_starters(definition)):
        return True
    for role, allowed in rules.EXTRA_STARTERS.get(definition.key, {}).items():
        if role in actor.roles() and allowed(actor, data):
            return True
    return False


_LANE_STARTERS: dict[int, frozenset[str]] = {}


def _lane_starters(definition: Definition) -> frozenset[str]:
    """The roles of the start event's lane, read once per version (versions never change)."""
    known = _LANE_STARTERS.get(definition.id)
    if known is None:
        parsed = parsed_definition(definition)
        known = frozenset(role.key for spec in parsed.spec.task_specs.values()
                          if is_start_event(spec) and (role := role_for_lane(spec.lane)))
        _LANE_STARTERS[definition.id] = known
    return known


def may_start_something(session: Session, actor: Actor) -> bool:
    """Whether the actor holds a role that starts some process, for the menu's 发起: one small query
    for the newest versions' ids and the roles remembered per version, no case ever loaded. The start
    page still asks `may_start` per unit."""
    held = actor.roles()
    if actor.is_system:
        return True
    if not held:
        return False
    newest = (select(Definition.key, func.max(Definition.version).label("version"))
              .group_by(Definition.key).subquery())
    versions = session.execute(select(Definition.id, Definition.key)
                               .join(newest, (Definition.key == newest.c.key) & (Definition.version == newest.c.version)))
    for definition_id, key in versions:
        if held & set(rules.EXTRA_STARTERS.get(key, {})):
            return True
        starters = _LANE_STARTERS.get(definition_id)
        if starters is None:
            definition = session.get(Definition, definition_id)
            starters = _lane_starters(definition) if definition is not None else frozenset()
        if held & starters:
            return True
    return False


def require_actionable(actor: Actor, row: TaskRow) -> None:
    if row.status != "open":
        raise Conflict("任务已被处理", code="task_not_open")
    if not actor.holds(row.role, row.org_path):  # the administrator's role is no business role
        raise NotFound("任务不存在", code="task_not_found")
    if row.assignee is not None and row.assignee != actor.username:
        raise Forbidden("任务已被他人认领", code="task_claimed_by_other")


def get_instance(session: Session, actor: Actor, instance_id: int) -> Instance:
    instance = session.get(Instance, instance_id)
    if instance is None or not actor.sees_instance(instance):
        raise NotFound("流程实例不存在", code="instance_not_found")
    return instance


# Cancelling (撤销) a running case ends a personnel matter: a business decision of the street or the
# district, never of the system administrator (separation of duties). The administrator may cancel
# only a case the engine has put in `error` (a timer step that failed), a system repair.
CANCEL_ROLES = ("street_leader", "district_civil_affairs")
CANCELLABLE = ("running", "error")


def may_cancel(actor: Actor, instance: Instance) -> bool:
    """Whether `actor` may cancel the case now: its initiator or a cancelling role while it runs;
    besides them the administrator once it is broken."""
    if instance.status not in CANCELLABLE:
        return False
    if instance.initiator == actor.username or any(actor.holds(role, instance.org_path) for role in CANCEL_ROLES):
        return True
    return instance.status == "error" and actor.is_admin


def _decides(definition: Definition, form_key: str | None) -> bool:
    form = task_form(definition.forms, form_key)
    return bool(form) and "decision" in (form.get("properties") or {})


def _separated_from(definition: Definition, row: TaskRow) -> tuple[set[str] | None, bool]:
    """(the task ids named by the diagram, or None) and whether the default for decisions applies."""
    spec = parsed_definition(definition).spec.task_specs.get(row.name)
    properties = (getattr(spec, "extensions", None) or {}).get("properties") or {}
    if SEPARATE_FROM in properties:
        named = {name.strip() for name in str(properties[SEPARATE_FROM]).split(",") if name.strip()}
        return named - {"none", row.name}, False
    return None, _decides(definition, row.form_key)


def require_separate_person(session: Session, row: TaskRow, people: set[str | None],
                            definition: Definition | None = None) -> None:
    """Maker and checker are two people: whoever decided an earlier step the diagram separates from
    this one (themselves or through a proxy, or a proxy acting for them) may not decide this one."""
    people = {name for name in people if name}
    if not people:
        return
    if definition is None:  # the cached version the case runs on, never the stored diagram's text
        instance = session.get(Instance, row.instance_id)
        definition = definition_of(session, instance) if instance is not None else None
    if definition is None:
        return
    named, by_default = _separated_from(definition, row)
    if not named and not by_default:
        return
    earlier = session.execute(select(TaskRow.name, TaskRow.title, TaskRow.form_key, TaskRow.completed_by,
                                     TaskRow.on_behalf_of).where(
        TaskRow.instance_id == row.instance_id, TaskRow.status == "completed", TaskRow.name != row.name)).all()
    for name, title, form_key, completed_by, on_behalf_of in earlier:
        separated = name in named if named is not None else _decides(definition, form_key)
        if separated and people & {completed_by, on_behalf_of}:
            raise Forbidden(f"您已办理本案的「{title}」，同一人不能再办理「{row.title}」（审核与审批须由不同人员办理）",
                            code="same_person_twice", details={"earlier_task": name})
