"""Who may start a case, act on a task or see a case: the checks the commands make first."""


from typing import Any

from sqlalchemy.orm import Session

from config.roles import role_for_lane
from engine import rules
from engine.bpmn.task_kinds import is_start_event
from engine.core.errors import Conflict, Forbidden, NotFound
from engine.core.scope import Actor
from engine.models import Definition, Instance, OrgUnit, TaskRow
from engine.workflow.definitions import parsed_definition


def may_start(actor: Actor, definition: Definition, org: OrgUnit, data: dict[str, Any]) -> bool:
    """Whether the actor holds a role that starts this process at the unit. The system
    administrator's role is no business role: starting a personnel case is casework. The engine
    itself may open a follow-up case a decided step calls for (a failed probation's dismissal)."""
    if actor.is_system:
        return True
    parsed = parsed_definition(definition)
    start_roles = {role.key for spec in parsed.spec.task_specs.values()
                   if is_start_event(spec) and (role := role_for_lane(spec.lane))}
    if any(actor.holds(role, org.path) for role in start_roles):
        return True
    for role, allowed in rules.EXTRA_STARTERS.get(definition.key, {}).items():
        if role in actor.roles() and allowed(actor, data):
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
