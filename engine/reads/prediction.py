"""The predicted path (预计流程) of a running case: the steps still ahead and who would act on them.

It walks the diagram from the current tasks along outgoing flows, into and out of subprocesses,
past boundary events (exceptions, not the path). At an exclusive gateway the conditions are
evaluated on the case data under the restricted script engine — with the submissions of steps
still ahead removed, so an old decision from an earlier pass never predicts a new one, and with the
names a script ahead assigns removed too (a flag the process sets later, such as 辞退 decided, reads
its old value today); a gateway
whose conditions cannot be evaluated yet shows every branch, and what lies beyond it is "possible",
not "certain". Nothing is saved: the workflow is loaded, read and dropped.
"""

import ast
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from config.roles import role_for_lane
from engine.bpmn.resets import parked_start
from engine.bpmn.scripting import ScriptError, deadline
from engine.collab.delegation import INITIATOR_ROLE
from engine.core.scope import Actor, lift_to_role_level
from engine.models import Instance, OrgUnit
from engine.process.access import get_instance
from engine.process.kernel import load
from engine.process.task_index import FORM_PROPERTY, ready_human_tasks
from engine.workflow.definitions import form_key

SKIP = {"BoundaryEvent"}
MAX_NODES = 2000


class _Walk:
    def __init__(self, session: Session, instance: Instance, workflow: Any) -> None:
        self.session, self.instance, self.workflow = session, instance, workflow
        self.org = session.get(OrgUnit, instance.org_code)
        self.steps: dict[str, dict[str, Any]] = {}
        self.gateways: dict[str, dict[str, Any]] = {}
        self.ends: dict[str, dict[str, Any]] = {}
        self.seen: set[tuple[str, str, bool]] = set()
        self.ahead_keys: set[str] = set()
        self.data: dict[str, Any] = {}
        self.evaluate = True

    def who(self, spec: Any) -> tuple[str | None, str | None]:
        role = role_for_lane(getattr(spec, "lane", None))
        if role is None:
            return None, None
        return role.key, lift_to_role_level(self.session, self.org, role.key).code

    def walk(self, spec: Any, process: Any, stack: tuple[Any, ...], certain: bool) -> None:
        key = (process.name, spec.name, certain)
        if key in self.seen or len(self.seen) > MAX_NODES:
            return
        self.seen.add(key)
        kind = type(spec).__name__
        if kind in SKIP:
            return
        for script in (getattr(spec, "script", None), getattr(spec, "prescript", None),
                       getattr(spec, "postscript", None)):
            self.ahead_keys.update(assigned_names(script))
        if getattr(spec, "manual", False):
            props = (getattr(spec, "extensions", None) or {}).get("properties", {}) or {}
            if props.get(FORM_PROPERTY):
                self.ahead_keys.add(form_key(props[FORM_PROPERTY]))
            role, org = self.who(spec)
            step = self.steps.setdefault(spec.bpmn_id or spec.name, {
                "id": spec.bpmn_id or spec.name, "title": spec.bpmn_name or spec.bpmn_id, "role": role, "org": org,
                "process": process.name, "approval_mode": props.get("approvalMode"), "certain": certain})
            step["certain"] = step["certain"] or certain
        if kind in ("SubWorkflowTask", "CallActivity", "TransactionSubprocess"):
            sub = self.workflow.subprocess_specs.get(spec.spec)
            if sub is not None:
                self.walk(sub.start, sub, (*stack, (spec, process)), certain)
                return
        if kind == "EndEvent" and process is not self.workflow.spec:
            if stack:
                parent_spec, parent_process = stack[-1]
                for out in parent_spec.outputs:
                    self.walk(out, parent_process, stack[:-1], certain)
            return
        if kind == "EndEvent":
            self.ends.setdefault(spec.bpmn_id or spec.name, {"id": spec.bpmn_id or spec.name,
                                                             "title": spec.bpmn_name, "certain": certain})
        if kind == "ExclusiveGateway" and getattr(spec, "cond_task_specs", None):
            self.gateway(spec, process, stack, certain)
            return
        for out in spec.outputs:
            self.walk(out, process, stack, certain)

    def gateway(self, spec: Any, process: Any, stack: tuple[Any, ...], certain: bool) -> None:
        branches = []
        chosen = None
        for condition, target in spec.cond_task_specs:
            expression = condition.args[0] if getattr(condition, "args", None) else str(condition)
            result = self.condition(expression)
            branches.append({"target": target, "condition": expression, "result": result})
            if result is True and chosen is None:
                chosen = target
        if spec.default_task_spec:
            branches.append({"target": spec.default_task_spec, "condition": None, "result": None, "default": True})
        decided = chosen is not None or all(b["result"] is False for b in branches if b.get("condition"))
        if decided and chosen is None:
            chosen = spec.default_task_spec
        if decided:
            for branch in branches:
                branch["result"] = branch["target"] == chosen
        gateway = self.gateways.setdefault(spec.bpmn_id or spec.name, {
            "id": spec.bpmn_id or spec.name, "title": spec.bpmn_name, "decided": decided, "branches": branches})
        gateway["decided"] = gateway["decided"] and decided
        for branch in branches:
            if decided and not branch["result"]:
                continue
            self.walk(process.task_specs[branch["target"]], process, stack, certain and decided)

    def condition(self, expression: str) -> bool | None:
        if not self.evaluate:
            return None
        env = self.workflow.script_engine.environment
        context = {k: v for k, v in self.data.items() if k not in self.ahead_keys}
        try:
            with deadline(1.0):
                return bool(env.evaluate(expression, context))
        except (ScriptError, NameError, KeyError, TypeError, ValueError, AttributeError, IndexError,
                ArithmeticError, SyntaxError):
            return None


def assigned_names(script: str | None) -> set[str]:
    """The case-data names a script sets (`x = …`, `x["k"] = …`, `for x in …`): their values lie ahead."""
    if not script:
        return set()
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Subscript | ast.Attribute) and isinstance(node.ctx, ast.Store):
            while isinstance(node, ast.Subscript | ast.Attribute):
                node = node.value
            if isinstance(node, ast.Name):
                names.add(node.id)
    return names


def _continuation(workflow: Any, task: Any) -> tuple[Any, ...]:
    """The subprocess tasks around `task`, outermost first, with the process each sits in."""
    stack: list[Any] = []
    sub = task.workflow
    while sub is not workflow and getattr(sub, "parent_task_id", None) is not None:
        sp_task = workflow.get_task_from_id(sub.parent_task_id)
        stack.insert(0, (sp_task.task_spec, sp_task.workflow.spec))
        sub = sp_task.workflow
    return tuple(stack)


def predict(session: Session, actor: Actor, instance_id: int) -> dict[str, Any]:
    instance = get_instance(session, actor, instance_id)
    result: dict[str, Any] = {"instance_id": instance.id, "status": instance.status, "current": [], "steps": [],
                              "gateways": [], "ends": []}
    if instance.status != "running":
        return result
    loaded = load(session, instance)
    workflow = loaded.workflow
    current = ready_human_tasks(workflow)
    waiting = [t for t in workflow.get_tasks(state=TaskState.WAITING) if type(t.task_spec).__name__ not in SKIP]
    walk = _Walk(session, instance, workflow)
    parked = parked_start(workflow)
    starts = [(t, True) for t in current if t is not parked]
    if parked is not None:
        result["current"].append({"id": "resubmit", "title": "发起人重新提交", "role": INITIATOR_ROLE,
                                  "org": instance.org_code})
        starts = [(parked, True)]
    for task in [t for t, _ in starts if getattr(t.task_spec, "manual", False)]:
        role, org = walk.who(task.task_spec)
        result["current"].append({"id": task.task_spec.bpmn_id, "title": task.task_spec.bpmn_name,
                                  "role": role, "org": org, "task_id": str(task.id)})
    origins = [t for t, _ in starts] + waiting
    # first pass: which submissions lie ahead; second: evaluate gateways without them
    walk.evaluate = False
    for task in origins:
        _walk_from(walk, workflow, task)
    ahead = set(walk.ahead_keys) | {form_key(p) for t in current
                                    for p in [((getattr(t.task_spec, "extensions", None) or {})
                                               .get("properties", {}) or {}).get(FORM_PROPERTY)] if p}
    walk = _Walk(session, instance, workflow)
    walk.ahead_keys = ahead
    walk.data = dict(origins[0].data) if origins else {}
    for task in origins:
        _walk_from(walk, workflow, task)
    result["steps"] = list(walk.steps.values())
    result["gateways"] = list(walk.gateways.values())
    result["ends"] = list(walk.ends.values())
    return result


def _walk_from(walk: _Walk, workflow: Any, task: Any) -> None:
    stack = _continuation(workflow, task)
    process = task.workflow.spec
    for out in task.task_spec.outputs:
        walk.walk(out, process, stack, True)
