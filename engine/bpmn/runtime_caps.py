"""Caps on the values the engine itself acts on, checked before SpiffWorkflow uses them.

A multi-instance task creates every instance in one step and a timer walks its duration month by
month, both outside any script deadline: a computed cardinality, collection or timer from case data
is therefore held to the upload validator's limits here (tests/engine/test_runtime_caps.py).
"""

from collections.abc import Iterable, Sized
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask

from engine.bpmn.script_guards import MAX_LOOP_INSTANCES, ScriptError
from engine.bpmn.timer_values import MAX_TIMER_DAYS, timer_value_problem
from engine.core import clock


class ValueRefused(ScriptError):
    """A computed cardinality, collection or timer the engine must not act on; `element_id` says where."""

    def __init__(self, message: str, element_id: str | None) -> None:
        super().__init__(message)
        self.element_id = element_id


def _count_text(count: int) -> str:
    return str(count) if count < 10**15 else f"约 10^{len(str(count)) - 1}"


def _check_instance_count(spec: MultiInstanceTask, count: int) -> None:
    if count > MAX_LOOP_INSTANCES:
        raise ValueRefused(f"多实例任务 '{spec.bpmn_id}' 要求创建 {_count_text(count)} 个实例，"
                           f"上限为 {MAX_LOOP_INSTANCES} 个", spec.bpmn_id)


def _loop_input(task: Any, name: str) -> Any:
    """The input collection as the multi-instance task will read it: task data, else a data object."""
    if name in task.data:
        return task.data[name]
    workflow = task.workflow
    while workflow is not None and name not in workflow.data_objects:
        workflow = workflow.parent_workflow
    return workflow.data_objects[name] if workflow is not None else None


def check_loop_input(workflow: Any, task: Any) -> None:
    """`update_event` listener: runs after the task inherits its data, before any instance exists."""
    spec = task.task_spec
    collection = _loop_input(task, spec.data_input.bpmn_id)
    if isinstance(collection, Sized):
        _check_instance_count(spec, len(collection))


def _timer_of(spec: Any, expression: str) -> TimerEventDefinition | None:
    """The timer of `spec` whose expression this is (an event may combine several definitions)."""
    definition = getattr(spec, "event_definition", None)
    candidates = getattr(definition, "event_definitions", None) or [definition]
    return next((d for d in candidates if isinstance(d, TimerEventDefinition) and d.expression == expression), None)


def _timer_kind(timer: TimerEventDefinition) -> str:
    if isinstance(timer, DurationTimerEventDefinition):
        return "timeDuration"
    return "timeCycle" if isinstance(timer, CycleTimerEventDefinition) else "timeDate"


def _first_moment(kind: str, value: str) -> datetime | None:
    if kind == "timeDate":
        return TimerEventDefinition.parse_time_or_duration(value)
    if kind == "timeCycle":
        return TimerEventDefinition.parse_iso_recurring_interval(value)[1]
    return None


def _timer_problem(kind: str, value: Any) -> str | None:
    """The upload validator's checks applied to the computed value, plus the same horizon for dates."""
    if not isinstance(value, str):
        return '定时器表达式须给出文本，如 "P5D"'
    shown = value if len(value) <= 40 else value[:40] + "..."
    try:
        problem = timer_value_problem(kind, value)
        moment = None if problem else _first_moment(kind, value)
    except Exception:  # noqa: BLE001 - SpiffWorkflow's parsers raise bare Exception, ValueError, AttributeError
        return f"'{shown}' 不是有效的 ISO-8601 {kind} 值"
    if problem:
        return f"{problem}（'{shown}'）"
    if moment is not None and moment - clock.now() > timedelta(days=MAX_TIMER_DAYS):
        return f"'{shown}' 在 100 年之后"
    return None


def _check_timer(spec: Any, timer: TimerEventDefinition, value: Any) -> None:
    problem = _timer_problem(_timer_kind(timer), value)
    if problem:
        raise ValueRefused(f"定时器 '{spec.bpmn_id}'：{problem}", spec.bpmn_id)


def check_computed_value(spec: Any, expression: str, value: Any) -> None:
    """Refuse a computed cardinality or timer before SpiffWorkflow acts on it (its cost is not bounded)."""
    if isinstance(spec, MultiInstanceTask) and expression == spec.cardinality:
        if isinstance(value, int):
            _check_instance_count(spec, value)
        return
    timer = _timer_of(spec, expression)
    if timer is not None:
        _check_timer(spec, timer, value)


def cap_loop_inputs(specs: Iterable[Any]) -> None:
    """Check the input collections of multi-instance tasks, which are read as data and never
    evaluated: a listener on each such spec, connected once when the definition is parsed."""
    for process in specs:
        for spec in process.task_specs.values():
            if (isinstance(spec, MultiInstanceTask) and spec.data_input is not None
                    and not spec.update_event.is_connected(check_loop_input)):
                spec.update_event.connect(check_loop_input)
