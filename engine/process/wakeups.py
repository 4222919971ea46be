"""Cases that wait on the worker record go on when the record changes.

A resignation held by a bar of 003 art. 39 waits at a message event of its diagram
(`resignation_bars_cleared`). The change of the worker's flags delivers that message to the
worker's own waiting cases, in the same transaction: nothing polls the open cases, and a case
wakes the moment its bar is lifted (the diagram judges the bars again and waits anew if another
still stands).
"""

from typing import Any

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import audit
from engine.models import Instance
from engine.process.kernel import advance, finish_step, load
from engine.rules.resignation import standing_bars

BARS_CLEARED = "resignation_bars_cleared"


def _waiting_for(workflow: Any, message: str) -> Any:
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if definition is not None and getattr(definition, "name", None) == message:
            return definition
    return None


def resume_cleared_resignations(session: Session, worker_id: int, *, actor: str) -> list[int]:
    """Deliver `resignation_bars_cleared` to the worker's waiting resignations once no bar stands;
    returns the ids of the cases that went on. No commit (the caller's transaction)."""
    if standing_bars(session, worker_id):
        return []
    resumed = []
    waiting = session.scalars(select(Instance).where(
        Instance.worker_id == worker_id, Instance.key == "resignation", Instance.status == "running"))
    for instance in list(waiting):
        loaded = load(session, instance)
        definition = _waiting_for(loaded.workflow, BARS_CLEARED)
        if definition is None:
            continue
        advance(loaded.workflow, lambda wf=loaded.workflow, d=definition: wf.catch(BpmnEvent(d, {})))
        finish_step(session, loaded, actor=actor)
        audit.record(session, actor, "case_resumed", instance_id=instance.id,
                     detail={"worker_id": worker_id, "reason": "不得辞职情形已消除"})
        resumed.append(instance.id)
    return resumed
