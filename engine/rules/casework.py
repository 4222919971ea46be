"""What every personnel case about one worker checks first, on the worker record itself.

Secondment, resignation and dismissal all change the worker's status, so each starts from the
record as it is now (not a copy), refuses a case filed at the wrong community, and refuses to run
beside another open case that would move the same status. A worker leaves one way at a time: a
resignation and a dismissal of the same worker never run together (`exit_case_open`).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import Conflict, InvalidData
from engine.core.scope import Actor
from engine.core.words import PROCESS_WORDS
from engine.models import Instance, OrgUnit, Worker


@dataclass(frozen=True)
class WorkerStart:
    """Whom a case about a worker may be started for: the record statuses its start accepts, the
    open cases it refuses to run beside (`refused`, 409 `<key>_in_progress`) and whether it is an
    exit (`exit_case_open` against another exit). The start rule and the start page read the same."""

    statuses: tuple[str, ...]
    refused: tuple[str, ...]
    exit: bool = False

    @property
    def conflicts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.refused + (EXIT_PROCESSES if self.exit else ())))


def open_conflicts(session: Session, worker_ids: list[int], keys: tuple[str, ...]) -> dict[int, Any]:
    """Each worker's earliest open case of `keys` (id, key, business_key), in one indexed query."""
    if not worker_ids or not keys:
        return {}
    rows = session.execute(
        select(Instance.worker_id, Instance.id, Instance.key, Instance.business_key).where(
            Instance.worker_id.in_(worker_ids), Instance.status == "running", Instance.key.in_(keys))
        .order_by(Instance.id.desc()))
    return {row.worker_id: row for row in rows}


def conflict_text(case: Any) -> str:
    """How the start page warns of an open case, in the words the refusal uses."""
    name = PROCESS_WORDS.get(case.key, case.key)
    label = f"#{case.id}" + (f"（业务编号 {case.business_key}）" if case.business_key else "")
    return f"该工作者已有办理中的{name}案件 {label}，办结前不能再发起此事项"


def find_worker(session: Session, actor: Actor, worker_id: Any) -> Worker:
    """The worker named by the start data, when the actor's scope covers the record."""
    worker = session.get(Worker, worker_id) if isinstance(worker_id, int) else None
    if worker is None or not actor.sees_org(worker.org_path):
        raise InvalidData("档案不存在", {"worker_id": ["没有这个社区工作者"]}, code="worker_not_found")
    return worker


def require_workers_community(worker: Worker, org: OrgUnit, what: str) -> None:
    """A case about a worker is filed at the worker's community, where its tasks are offered."""
    if worker.org_code != org.code:
        raise InvalidData(f"{what}须在工作者所在社区发起", {"org": [f"应为 {worker.org_code}（工作者所在社区）"]})


def refuse_open_cases(session: Session, worker: Worker, keys: tuple[str, ...]) -> None:
    """Two open cases that both move the worker's status would overwrite each other's result.

    The worker's row is locked first, so two starts at the same moment are judged one after
    the other (PostgreSQL; SQLite locks the whole file)."""
    session.execute(select(Worker.id).where(Worker.id == worker.id).with_for_update())
    open_case = session.execute(
        select(Instance.id, Instance.key).where(
            Instance.worker_id == worker.id, Instance.status == "running", Instance.key.in_(keys))
        .order_by(Instance.id).limit(1)).first()
    if open_case is not None:
        name = PROCESS_WORDS.get(open_case.key, open_case.key)
        raise Conflict(f"该工作者已有办理中的{name}事项，请办结后再发起", code=f"{open_case.key}_in_progress",
                       details={"instance_id": open_case.id})


EXIT_PROCESSES = ("resignation", "dismissal")


def refuse_open_exit(session: Session, worker: Worker) -> None:
    """One exit at a time: a resignation or a dismissal already open for the worker refuses the
    other (409 `exit_case_open`, naming the open case). Call after `refuse_open_cases`, which
    holds the worker's row lock."""
    open_case = session.execute(
        select(Instance.id, Instance.key, Instance.business_key).where(
            Instance.worker_id == worker.id, Instance.status == "running", Instance.key.in_(EXIT_PROCESSES))
        .order_by(Instance.id).limit(1)).first()
    if open_case is None:
        return
    name = PROCESS_WORDS.get(open_case.key, open_case.key)
    label = f"#{open_case.id}" + (f"（业务编号 {open_case.business_key}）" if open_case.business_key else "")
    raise Conflict(f"该工作者已有办理中的{name}案件 {label}，一名工作者同一时间只能办理一件离职案件，请办结后再发起",
                   code="exit_case_open",
                   details={"instance_id": open_case.id, "business_key": open_case.business_key,
                            "process_key": open_case.key, "process_name": name})


def lock_community(session: Session, code: str) -> None:
    """Serialise quota checks of one community (PostgreSQL row lock; SQLite locks the whole file)."""
    session.execute(select(OrgUnit.code).where(OrgUnit.code == code).with_for_update())


def as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def today() -> date:
    return clock.today()
