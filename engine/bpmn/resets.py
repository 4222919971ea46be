"""Moving a workflow back to an earlier step: the SpiffWorkflow side of return (退回) and withdraw (撤回).

Measured on SpiffWorkflow 3.2.0 (tests/operations/test_reset_depth.py):
- `Task.reset_branch` drops the task's descendants and makes it ready again: a reset never deepens
  the task tree, so returns, unlike a diagram's correction loop, do not walk towards the depth limit.
- `BpmnWorkflow.reset_from_task_id` on a task inside a running subprocess also resets the subprocess
  task and every boundary event attached to it: a non-interrupting timer that had fired would fire
  again and a duration timer would start counting afresh. So a step inside a still-running
  (sub)process is reset within its own workflow only (`reset_within`), leaving the attached events
  alone; the library's reset is used only to re-enter a subprocess that has finished (`reenter`),
  and then each boundary event keeps its original due time, and one that already fired stays fired.
- Returning to the initiator puts the top-level start event back to READY and stops there
  (`park_at_start`): the engine steps on only when the initiator submits again.
"""

from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.task_kinds import is_boundary_event, is_start_event


def is_user_task(task: Any) -> bool:
    return bool(getattr(task.task_spec, "manual", False))


def element_id(task: Any) -> str:
    return task.task_spec.bpmn_id or task.task_spec.name


def steps_from_start(spec: Any) -> dict[str, int]:
    """How far each step of a (sub)process diagram lies from its start: the fewest steps on any way
    there. A loop brings the case back to a step, but what lies before it stays before it."""
    distance = {spec.start.name: 0}
    ahead = [spec.start]
    while ahead:
        step = ahead.pop(0)
        for nxt in step.outputs:
            if nxt.name not in distance:
                distance[nxt.name] = distance[step.name] + 1
                ahead.append(nxt)
    return distance


def completed_user_steps_before(task: Any) -> list[Any]:
    """Completed user tasks that lie before `task` on the path that led to it, in its own
    (sub)process, newest first: the latest run of each.

    The ancestors of a task in SpiffWorkflow's tree are the steps taken to reach it; a (sub)process's
    tree starts at its own start, so the walk never crosses a subprocess boundary. A case that went
    round a loop (a decision sending it back, a correction round) has the step itself and the steps
    after it among its ancestors too, from the round that took it back: those are left out, keeping
    only steps nearer the diagram's start than `task` (never `task` itself, never a later step). The
    rule reads the latest run of each step only, so it answers the same on a compacted tree.
    """
    distance = steps_from_start(task.workflow.spec)
    here = distance.get(task.task_spec.name, 0)
    found: list[Any] = []
    seen: set[str] = {element_id(task)}
    node = task.parent
    while node is not None:
        if node.workflow is task.workflow and is_user_task(node) and node.state == TaskState.COMPLETED:
            name = element_id(node)
            if name not in seen:
                seen.add(name)
                if distance.get(node.task_spec.name, here) < here:
                    found.append(node)
        node = node.parent
    return found


def forget_dropped_events(workflow: BpmnWorkflow) -> None:
    """A reset drops tasks from the tree but not from the library's list of waiting events, so a
    dropped reminder would still set the case's next timer; forget every event no longer in a tree."""
    live = {id(workflow), *(id(sub) for sub in workflow.subprocesses.values())}
    manager = workflow.event_manager
    for task_id, task in list(manager.tasks.items()):
        if id(task.workflow) not in live or task.workflow.tasks.get(task_id) is not task:
            manager.tasks.pop(task_id)


def _delete_nested_subprocesses(workflow: BpmnWorkflow, top: Any) -> None:
    for desc in [t for t in top if t.id in workflow.subprocesses and t is not top]:
        if desc.id in workflow.subprocesses:
            workflow.delete_subprocess(desc)


def reset_within(workflow: BpmnWorkflow, target: Any) -> None:
    """Make `target` ready again inside its own (still running) workflow; events attached to the
    enclosing subprocess are left as they are."""
    top = target.parent if isinstance(target.parent.task_spec, BoundaryEventSplit) else target
    _delete_nested_subprocesses(workflow, top)
    top.workflow.last_task = top.parent
    if top is target:
        top.reset_branch(None)
    else:  # the target's own boundary events start again with it
        for child in list(top.children):
            child.reset_branch(None)
    forget_dropped_events(workflow)


def _boundary_events(workflow: BpmnWorkflow) -> dict[Any, tuple[int, dict[str, Any]]]:
    return {t.id: (t.state, dict(t.internal_data)) for t in workflow.get_tasks()
            if is_boundary_event(t.task_spec)}


def fired_branch_running(workflow: BpmnWorkflow, target: Any) -> bool:
    """A boundary event of a subprocess around `target` fired and its branch is still under way:
    re-entering the subprocess would throw that work away."""
    sub = target.workflow
    while sub is not workflow and sub.parent_task_id is not None:
        sp_task = workflow.get_task_from_id(sub.parent_task_id)
        split = sp_task.parent
        if isinstance(split.task_spec, BoundaryEventSplit):
            for child in split.children:
                if child is sp_task or child.state != TaskState.COMPLETED:
                    continue
                if any(_under_way(t) for t in child):
                    return True
        sub = sp_task.workflow
    return False


def _under_way(task: Any) -> bool:
    """Work in progress: a ready or started task, or a waiting event; a join merely waiting for the
    other paths of its process is not."""
    if task.state in (TaskState.READY, TaskState.STARTED):
        return True
    name = type(task.task_spec).__name__
    return task.state == TaskState.WAITING and not (name.endswith("Join") or "Gateway" in name)


def reenter(workflow: BpmnWorkflow, target: Any) -> None:
    """Make `target` ready again where its subprocess has already finished (withdraw after the
    step that ended it). Boundary events re-armed by the library keep their first due time, and
    one that had fired is cancelled rather than fired a second time."""
    before = _boundary_events(workflow)
    workflow.reset_from_task_id(target.id)
    for task in workflow.get_tasks():
        if task.id not in before or type(task.task_spec).__name__ != "BoundaryEvent":
            continue
        state, internal = before[task.id]
        if task.state not in (TaskState.WAITING, TaskState.READY, TaskState.FUTURE):
            continue
        if state == TaskState.COMPLETED:
            task.cancel()
        elif "event_value" in internal and isinstance(task.task_spec.event_definition, TimerEventDefinition):
            task.internal_data["event_value"] = internal["event_value"]
    forget_dropped_events(workflow)


def in_running_workflow(workflow: BpmnWorkflow, target: Any, current: list[Any]) -> bool:
    """`target` belongs to a (sub)process that one of the currently ready tasks is still in."""
    return any(task.workflow is target.workflow for task in current)


def park_at_start(workflow: BpmnWorkflow) -> Any:
    """Reset the whole case to its start event and leave it ready, waiting for the initiator."""
    starts = [t for t in workflow.tasks.values() if is_start_event(t.task_spec)]
    start = next((t for t in starts if t.state == TaskState.COMPLETED), starts[0])
    workflow.reset_from_task_id(start.id)
    forget_dropped_events(workflow)
    return start


def parked_start(workflow: BpmnWorkflow) -> Any | None:
    """The top-level start event when the case waits for its initiator to submit again."""
    for task in workflow.tasks.values():
        if task.state == TaskState.READY and is_start_event(task.task_spec):
            return task
    return None
