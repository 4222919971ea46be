"""A case returned to its initiator waits at its start event, where no boundary timer can be
attached. A diagram may give that wait a deadline instead: the start event's `returnedLapseAt`
property, an expression for a moment (ISO, with its zone) over the case data as it was returned.
Once it passes, the case resumes from its start with that data unchanged, and the diagram itself
decides what follows (the secondment lapses there, 已失效（逾期未批）)."""

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.bpmn.resets import parked_start
from engine.bpmn.timer_values import timer_value_problem
from engine.core import clock

RETURNED_LAPSE_PROPERTY = "returnedLapseAt"


def returned_lapse_at(workflow: BpmnWorkflow) -> datetime | None:
    """When a case waiting with its initiator resumes on its own, or None (not waiting, no deadline)."""
    start = parked_start(workflow)
    if start is None:
        return None
    props = (getattr(start.task_spec, "extensions", None) or {}).get("properties", {}) or {}
    expression = props.get(RETURNED_LAPSE_PROPERTY)
    if not expression:
        return None
    value = str(workflow.script_engine.evaluate(start, expression))
    problem = timer_value_problem("timeDate", value)
    if problem:
        raise ValueError(f"{RETURNED_LAPSE_PROPERTY}：{problem}")
    return TimerEventDefinition.get_datetime(value)


def returned_lapse_due(workflow: BpmnWorkflow) -> bool:
    """Whether the case waits with its initiator and its deadline is now or past."""
    moment = returned_lapse_at(workflow)
    return moment is not None and moment <= clock.now()
