"""Approval operations on tasks and cases: return (退回), withdraw (撤回), transfer (转办), delegate (委派)
and hand back, add approvers (加签), votes of a round, urge (催办), copy (抄送), predicted path, proxies.

Every handler is: the caller, one engine call (which checks access and commits), the answer.
"""

from flask_smorest import Blueprint

from engine.collab import copies, deadlines, delegation
from engine.operations import approvers, handover, returns, withdraw
from engine.process import access
from engine.reads import prediction
from web.api.common import caller, instance_view, paginate
from web.api.operation_schemas import (
    AddApproversRequest,
    CopyRequest,
    CopyResult,
    DelegationSchema,
    HandOverRequest,
    PathSchema,
    ProxyRequest,
    ProxySchema,
    ReasonRequest,
    ResolveRequest,
    ReturnRequest,
    ReturnTargetList,
    UrgeRequest,
    UrgeSchema,
    VoteList,
    VoteSchema,
)
from web.api.schemas import InstanceSchema, PageArgs, TaskSchema, page_schema
from web.extensions import db

PREFIX = ""
blp = Blueprint("operations", __name__, description="审批操作 Approval operations (退回 撤回 转办 委派 加签 抄送 催办 代理)")


@blp.before_request
def _authenticate() -> None:
    """Who calls first: no token is a 401 before any body is read."""
    caller()


@blp.route("/tasks/<string:task_id>/return-targets")
@blp.response(200, ReturnTargetList)
def return_targets(task_id: str):
    """Where this task may be returned to (退回目标)."""
    return {"items": returns.list_return_targets(db.session, caller(), task_id)}


@blp.route("/tasks/<string:task_id>/return", methods=["POST"])
@blp.arguments(ReturnRequest)
@blp.response(200, InstanceSchema)
def return_task(body: dict, task_id: str):
    """退回: to the initiator or an earlier step; the reason is required. 422 `return_target_not_allowed`,
    409 `return_limit_reached`, 409 `task_delegated`, 403 `task_claimed_by_other`."""
    instance = returns.return_task(db.session, caller(), task_id, target=body["target"], reason=body["reason"],
                                      attachments=body["attachments"])
    return instance_view(instance)


@blp.route("/tasks/<string:task_id>/withdraw", methods=["POST"])
@blp.arguments(ReasonRequest)
@blp.response(200, InstanceSchema)
def withdraw_task(body: dict, task_id: str):
    """撤回 one's own decision while the next step is untouched (409 `next_step_acted`), or one's vote
    in a round still open."""
    return instance_view(withdraw.withdraw_task(db.session, caller(), task_id, body["reason"]))


@blp.route("/tasks/<string:task_id>/transfer", methods=["POST"])
@blp.arguments(HandOverRequest)
@blp.response(200, TaskSchema)
def transfer(body: dict, task_id: str):
    """转办 a task to a colleague with the same role in scope (422 `transfer_target_not_eligible`): one's
    claimed task, or an open task nobody has claimed yet without claiming it first (409
    `task_already_claimed` when a colleague claimed it at the same moment; nothing is changed)."""
    return handover.transfer_task(db.session, caller(), task_id, to=body["to"], comment=body["comment"])


@blp.route("/tasks/<string:task_id>/delegate", methods=["POST"])
@blp.arguments(HandOverRequest)
@blp.response(201, DelegationSchema)
def delegate(body: dict, task_id: str):
    """委派: someone in scope works the task and hands it back (422 `delegate_out_of_scope`)."""
    return handover.delegate_task(db.session, caller(), task_id, to=body["to"], comment=body["comment"])


@blp.route("/tasks/<string:task_id>/resolve", methods=["POST"])
@blp.arguments(ResolveRequest)
@blp.response(200, DelegationSchema)
def resolve(body: dict, task_id: str):
    """The delegate hands the task back with their opinion (409 `not_delegated_to_you`)."""
    return handover.resolve_delegation(db.session, caller(), task_id, comment=body["comment"],
                                         attachments=body["attachments"])


@blp.route("/tasks/<string:task_id>/approvers", methods=["POST"])
@blp.arguments(AddApproversRequest)
@blp.response(201, VoteSchema(many=True))
def add_approvers(body: dict, task_id: str):
    """加签 before or after this step's own decision (409 `approver_already_present`)."""
    return approvers.add_approvers(db.session, caller(), task_id, users=body["users"], position=body["position"],
                                    comment=body["comment"])


@blp.route("/tasks/<string:task_id>/votes")
@blp.response(200, VoteList)
def votes(task_id: str):
    """The approval round of the task (会签 / 或签 / 加签) and where each approver stands."""
    approval_round, items = approvers.votes_for(db.session, caller(), task_id)
    return {"mode": approval_round.mode if approval_round else None,
            "ratio": approval_round.ratio if approval_round else None,
            "status": approval_round.status if approval_round else None, "items": items}


@blp.route("/tasks/<string:task_id>/urge", methods=["POST"])
@blp.arguments(UrgeRequest)
@blp.response(201, UrgeSchema)
def urge(body: dict, task_id: str):
    """催办 a waiting task; once per task and user in 4 hours (429 `urge_too_frequent`)."""
    return deadlines.urge(db.session, caller(), task_id, body["message"])


@blp.route("/instances/<int:instance_id>/withdraw", methods=["POST"])
@blp.arguments(ReasonRequest)
@blp.response(200, InstanceSchema)
def withdraw_case(body: dict, instance_id: int):
    """The initiator withdraws the case before anyone decided (409 `already_decided`); outcome `withdrawn`."""
    return instance_view(withdraw.withdraw_case(db.session, caller(), instance_id, body["reason"]))


@blp.route("/instances/<int:instance_id>/cc", methods=["POST"])
@blp.arguments(CopyRequest)
@blp.response(200, CopyResult)
def copy_case(body: dict, instance_id: int):
    """抄送 the case to users who may see it (422 `cc_out_of_scope`); nobody gets it twice."""
    actor = caller()
    instance = access.get_instance(db.session, actor, instance_id)
    return {"copied": copies.copy_by_user(db.session, actor, instance, body["users"], body["note"])}


@blp.route("/instances/<int:instance_id>/path")
@blp.response(200, PathSchema)
def predicted_path(instance_id: int):
    """The steps still ahead and who would act on them (预计流程)."""
    return prediction.predict(db.session, caller(), instance_id)


@blp.route("/proxies")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(ProxySchema, "ProxyPage"))
def list_proxies(args: dict):
    """Proxies the caller named or holds (代理人)."""
    return paginate(delegation.proxies_query(caller()), args)


@blp.route("/proxies", methods=["POST"])
@blp.arguments(ProxyRequest)
@blp.response(201, ProxySchema)
def create_proxy(body: dict):
    """Name a proxy for a date range, optionally for one process (422 `proxy_out_of_scope`)."""
    return delegation.create_proxy(db.session, caller(), **body)


@blp.route("/proxies/<int:proxy_id>/revoke", methods=["POST"])
@blp.response(200, ProxySchema)
def revoke_proxy(proxy_id: int):
    return delegation.revoke_proxy(db.session, caller(), proxy_id)
