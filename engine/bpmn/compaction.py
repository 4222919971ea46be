"""Compaction: dropping finished history from a long-lived case's task tree before it is saved.

SpiffWorkflow 3.2 keeps every task a workflow ever ran. A case that loops (correction rounds,
periodic reviews) grows a chain that every engine step, save and load walks (the long-instance benchmark in bench/RESULTS.md),
and past 1,000 levels the library's tree walks stop short. Compaction splices an earlier run of a
step out of that chain once the same step has completed again further down, so the tree keeps the
latest run of every step and stays small. The audit trail and the task rows keep the history.

Why what stays is enough, and what is never touched:
- Only the trunk: the part of the top-level tree above every unfinished task, where each task is
  completed and leads to exactly one unfinished path. Running parallel branches, waiting joins,
  live subprocesses and armed boundary events all lie below it.
- A task goes only when a later trunk task has its spec and a person completed a step after it.
  Returns pick the latest run of each step on the path (`resets.completed_user_steps_before`),
  and only the last decision may be withdrawn: both stay.
- Its other children go with it only when they are finished leaves (a cancelled boundary event).
  Finished branches of a parallel region stay: SpiffWorkflow's joins still read them.
- A boundary-event split and the task it guards go or stay together (a reset re-arms the events
  it finds on the task's parent); runs of inclusive gateways and multi-instance tasks stay.
- The kept parent takes over the removed task's data, since a reset copies its parent's data.
"""

from bisect import bisect_left
from typing import Any

from SpiffWorkflow.bpmn.specs.control import EventSplit
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from config.operations import for_process
from config.settings import compact_above_tasks

_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED


def task_count(workflow: BpmnWorkflow) -> int:
    """Tasks in the workflow and all its subprocesses: what a save writes and a load rebuilds."""
    return len(workflow.tasks) + sum(len(sub.tasks) for sub in workflow.subprocesses.values())


def compact(workflow: BpmnWorkflow, threshold: int | None = None) -> int:
    """Splice finished history out of a tree larger than `threshold` tasks; the number removed."""
    limit = compact_above_tasks() if threshold is None else threshold
    before = task_count(workflow)
    if before <= limit:
        return 0
    trunk = _trunk(workflow)
    resets = int(for_process("max_returns", workflow.spec.name)) + 1  # and one withdrawal
    for index in sorted(_spliceable(trunk, resets)):  # top down: each splice hands its data on to the next
        _splice(workflow, trunk[index], trunk[index + 1])
    return before - task_count(workflow)


def _live_ids(workflow: BpmnWorkflow) -> set[Any]:
    """Ids of the unfinished tasks and of every ancestor of one."""
    live: set[Any] = set()
    for task in workflow.tasks.values():
        node = task if not task.has_state(_FINISHED) else None
        while node is not None and node.id not in live:
            live.add(node.id)
            node = node.parent
    return live


def _trunk(workflow: BpmnWorkflow) -> list[Any]:
    """From the root down while a task is completed and leads to exactly one unfinished path."""
    live = _live_ids(workflow)
    trunk = [workflow.task_tree]
    while trunk[-1].state == TaskState.COMPLETED:
        ahead = [child for child in trunk[-1].children if child.id in live]
        if len(ahead) != 1:
            break
        trunk.append(ahead[0])
    return trunk


def _spliceable(trunk: list[Any], resets: int) -> set[int]:
    """Trunk positions whose task may go, after the checks that need the whole selection."""
    keep = _kept(trunk, resets)
    chosen: set[int] = set()
    person_after = False
    for index in range(len(trunk) - 2, 0, -1):
        after = trunk[index + 1]
        person_after = person_after or (after.state == TaskState.COMPLETED
                                        and bool(getattr(after.task_spec, "manual", False)))
        if index not in keep and person_after and _may_go(trunk[index], trunk[index + 1]):
            chosen.add(index)
    while _drop_unsafe(trunk, chosen):
        pass
    return chosen


def _kept(trunk: list[Any], resets: int) -> set[int]:
    """What `resets` returns or withdrawals in a row can still reach or show: the steps they can
    go back to, and above each of them the latest run of every step (its return targets, and what
    the instance page marks as done). The live end of the trunk counts as a step."""
    runs: dict[str, list[int]] = {}
    for index, task in enumerate(trunk):
        if task.state == TaskState.COMPLETED:
            runs.setdefault(task.task_spec.name, []).append(index)
    manual = [name for name, at in runs.items() if getattr(trunk[at[0]].task_spec, "manual", False)]
    reached = frontier = {len(trunk)}
    for _ in range(resets):
        frontier = {at for point in frontier for at in _latest_before(runs, manual, point)} - reached
        reached = reached | frontier
    return {at for point in reached for at in _latest_before(runs, runs, point)} | (reached - {len(trunk)})


def _latest_before(runs: dict[str, list[int]], names: Any, point: int) -> list[int]:
    found = []
    for name in names:
        before = bisect_left(runs[name], point)
        if before:
            found.append(runs[name][before - 1])
    return found


def _may_go(task: Any, next_task: Any) -> bool:
    """Not a join or loop that reads its own runs; its other children only finished leaves that
    the instance page does not show (a cancelled event, the engine's own boundary join)."""
    if task.triggered or isinstance(task.task_spec, (InclusiveGateway, LoopTask)):
        return False
    return all(not child._children and (child.state == TaskState.CANCELLED or (
        child.state == TaskState.COMPLETED and not getattr(child.task_spec, "bpmn_id", None)))
        for child in task.children if child is not next_task)


def _drop_unsafe(trunk: list[Any], chosen: set[int]) -> bool:
    """Unselect what would break a split/guarded-task pair or change data a join reads; True if any."""
    for index in sorted(chosen):
        pair = index + 1 if isinstance(trunk[index].task_spec, EventSplit) else (
            index - 1 if isinstance(trunk[index - 1].task_spec, EventSplit) else None)
        if pair is not None and pair not in chosen:
            chosen.discard(index)
            return True
        if index - 1 not in chosen and _feeds_join(trunk[index - 1], trunk[index]):
            chosen.discard(index)
            return True
    return False


def _feeds_join(parent: Any, child: Any) -> bool:
    """The kept parent also leads into a parallel or inclusive join, which merges that parent's
    data when it fires again: leave it alone."""
    return any(isinstance(other.task_spec, UnstructuredJoin) for other in parent.children if other is not child)


def _splice(workflow: BpmnWorkflow, task: Any, next_task: Any) -> None:
    """Link `next_task` to `task`'s parent in its place, hand the parent its data, drop the rest."""
    parent = task.parent
    for child in task.children:
        if child is not next_task:
            _forget(workflow, child)
    parent._children[parent._children.index(task.id)] = next_task.id
    next_task._parent = parent.id
    parent.data = task.data
    if workflow.last_task is task:
        workflow.last_task = next_task
    _forget(workflow, task)


def _forget(workflow: BpmnWorkflow, task: Any) -> None:
    if task.id in workflow.subprocesses:
        workflow.delete_subprocess(task)
    workflow.event_manager.remove_task(task)
    del workflow.tasks[task.id]
