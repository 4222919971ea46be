"""SpiffWorkflow's timer events read `datetime.now()` from their own module; point that module's
`datetime` at a subclass that asks the engine's clock, so a frozen moment reaches the engine.

SpiffWorkflow fires a timer only once the clock is strictly past its moment, while the timer worker
picks a case whose due time is at or before the run. `fire_due_timers` checks the timers with the
clock read one microsecond late, so a run at exactly the due moment fires what it picked.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.core import clock

_ONE_TICK = timedelta(microseconds=1)
_due_inclusive: ContextVar[bool] = ContextVar("cwflow_timers_due_inclusive", default=False)


class ClockDatetime(datetime):
    """`datetime` whose now() follows the engine's clock; only SpiffWorkflow's timer module uses it."""

    @classmethod
    def now(cls, tz=None):  # noqa: ANN001 - mirrors datetime.now
        moment = clock.now() + (_ONE_TICK if _due_inclusive.get() else timedelta(0))
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = ClockDatetime


@contextmanager
def _at_or_after_due() -> Iterator[None]:
    token = _due_inclusive.set(True)
    try:
        yield
    finally:
        _due_inclusive.reset(token)


def _timer_marks(workflow: BpmnWorkflow) -> dict[Any, tuple[Any, Any]]:
    """Each waiting timer's state and, for a cycle, its next moment: what a firing changes."""
    marks = {}
    for task in list(workflow.event_manager.tasks.values()):
        value = task.internal_data.get("event_value")
        marks[task.id] = (task.state, value.get("next") if isinstance(value, dict) else None)
    return marks


def fire_due_timers(workflow: BpmnWorkflow) -> bool:
    """Fire every timer whose moment is now or past; whether any did (the engine steps that
    follow are the caller's)."""
    before = _timer_marks(workflow)
    with _at_or_after_due():
        workflow.refresh_timers()
    after = _timer_marks(workflow)
    return any(after.get(task_id) != mark for task_id, mark in before.items())
