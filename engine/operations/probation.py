"""Per-candidate acts of the hire and probation stages, one transaction each.

Contract signing (签订劳动合同, 004 art. 12) by the street, while the hire stage is open; the
probation review (试用期满考核): a pass makes the record active; a fail opens a dismissal case on the
ground `probation_failed` in the same transaction, which labour law allows only within probation.
"""

from typing import Any

from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.errors import Conflict
from engine.core.scope import Actor
from engine.core.transaction import transactional
from engine.models import Application, Instance, Worker
from engine.process.commands import start_instance
from engine.records.workers import change_status
from engine.recruitment.applications import staff_application
from engine.recruitment.campaign import lock_campaign, require_role, require_stage
from engine.recruitment.hire import reviewer_roles, sign, signer_roles
from engine.workflow.definitions import latest_definition


@transactional
def sign_contract(session: Session, actor: Actor, instance_id: int, application_id: int,
                  form: dict[str, Any]) -> tuple[Application, Worker]:
    """The street signs a cleared candidate's labour contract: the worker record starts in probation."""
    application = staff_application(session, actor, instance_id, application_id)
    require_role(actor, signer_roles(), application.post_org_path)
    instance = session.get(Instance, instance_id)
    lock_campaign(session, instance)
    require_stage(session, instance, ("hire",), "不在办理聘用手续阶段", "hire_not_open")
    if application.status != "cleared":
        raise Conflict("该人员不是待聘用人员或已签订劳动合同", code="application_not_hireable",
                       details={"status": application.status})
    worker = sign(session, actor, instance, application, form)
    return application, worker


@transactional
def record_probation(session: Session, actor: Actor, instance_id: int, application_id: int, passed: bool,
                     note: str) -> tuple[Application, int | None]:
    """A hire's probation result: pass → `active`; fail → a dismissal case (ground `probation_failed`)
    when the dismissal process is deployed. Returns the application and the dismissal case id."""
    application = staff_application(session, actor, instance_id, application_id)
    require_role(actor, reviewer_roles(), application.post_org_path)
    instance = session.get(Instance, instance_id)
    lock_campaign(session, instance)
    require_stage(session, instance, ("probation_review",), "试用期满考核尚未开始或已结束", "probation_review_not_open")
    if application.status != "hired" or application.probation_result is not None:
        raise Conflict("该人员的试用期考核已有结果", code="probation_already_reviewed")
    worker = session.get(Worker, application.worker_id)
    application.probation_result = "pass" if passed else "fail"
    application.probation_note = note.strip()
    application.updated_at = clock.now()
    audit.record(session, actor.username, "probation_reviewed", instance_id=instance_id,
                 detail={"application_no": application.application_no, "worker_id": worker.id,
                         "result": application.probation_result})
    if passed:
        change_status(session, worker, "active", actor=actor.username, source=f"试用期满考核合格（recruitment #{instance_id}）")
        return application, None
    if latest_definition(session, "dismissal", required=False) is None:
        return application, None
    case, _ = start_instance(session, Actor.system(f"recruitment:{actor.username}"[:64]), "dismissal",
                             org_code=worker.org_code, business_key=f"probation-{instance_id}-{application.id}",
                             data={"worker_id": worker.id, "grounds": ["probation_failed"],
                                   "facts": f"试用期满考核不合格：{note.strip()}"})
    return application, case.id
