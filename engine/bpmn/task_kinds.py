"""What kind of BPMN element a task spec is, by SpiffWorkflow's own classes.

Every spec class the parser or the serializer may produce for a start or boundary event derives
from SpiffWorkflow's event mixins, so an isinstance test holds for all of them, where comparing
class names would silently miss a renamed or subclassed spec.
"""

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent


def is_start_event(spec: Any) -> bool:
    """A start event: where the initiator's lane is read and where a returned case waits."""
    return isinstance(spec, StartEvent)


def is_boundary_event(spec: Any) -> bool:
    return isinstance(spec, BoundaryEvent)
