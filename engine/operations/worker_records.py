"""Changes to the worker record (档案) that cases wait on.

Every path that edits the record's flags (the REST API, the worker page) comes through here, so a
lifted bar of 003 art. 39 lets the worker's held resignation go on in the same transaction.
"""

from typing import Any

from sqlalchemy.orm import Session

from engine.core.scope import Actor
from engine.core.transaction import transactional
from engine.models import Worker
from engine.process.wakeups import resume_cleared_resignations
from engine.records import workers


@transactional
def update_worker(session: Session, actor: Actor, worker_id: int, payload: dict[str, Any],
                  *, expected_versions: tuple[int, ...] = ()) -> Worker:
    """Apply a partial update of the record; a change of flags wakes the cases waiting on them."""
    flags_changed = "flags" in payload
    worker = workers.update_worker(session, actor, worker_id, payload, expected_versions=expected_versions)
    if flags_changed:
        session.flush()
        resume_cleared_resignations(session, worker.id, actor=actor.username)
    return worker
