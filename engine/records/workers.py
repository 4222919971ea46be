"""The worker record (档案): created by HR, changed field by field with a history entry each.

Status moves only through processes (hire, secondment, resignation, dismissal): `change_status`
is called by the step kernel (engine/process/kernel.py) when a diagram says so, never by a plain
update.
"""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.core.scope import Actor, get_org, in_subtree
from engine.core.transaction import transactional
from engine.models import FLAG_NAMES, WORKER_STATUSES, OrgUnit, Worker, WorkerChange

BOOLEAN_FLAGS = ("under_audit", "under_discipline_review", "criminal_case_pending",
                 "work_injury_disability", "is_elected", "unfinished_business")
SCALAR_FIELDS = ("name", "gender", "birth_date", "education")
MERGED_FIELDS = ("contract", "data")
CREATE_STATUSES = ("probation", "active")


def _require_editor(actor: Actor, org: OrgUnit) -> None:
    if not (actor.is_admin or actor.holds("street_hr", org.path)):
        raise Forbidden("只有街道人事或管理员可以维护档案", code="not_allowed")


def get_worker(session: Session, actor: Actor, worker_id: int) -> Worker:
    """The worker when the actor's scope covers it; unknown and out-of-scope look the same."""
    worker = session.get(Worker, worker_id)
    if worker is None or not (actor.sees_org(worker.org_path) or actor.worker_id == worker.id):
        raise NotFound(f"档案 {worker_id} 不存在", code="worker_not_found")
    return worker


def list_workers(session: Session, actor: Actor, *, org: str | None = None, status: str | None = None):
    query = select(Worker).where(actor.org_filter(Worker.org_path)).order_by(Worker.id)
    if org:
        unit = session.get(OrgUnit, org)
        if unit is None:
            return query.where(Worker.id.is_(None))
        query = query.where(in_subtree(Worker.org_path, unit.path))
    if status:
        query = query.where(Worker.status == status)
    return query


@transactional
def create_worker(session: Session, actor: Actor, payload: dict[str, Any]) -> Worker:
    org = get_org(session, payload["org"])
    if not actor.placed_at(org.path):
        raise NotFound(f"组织单位 {payload['org']} 不存在", code="org_not_found")
    _require_editor(actor, org)
    if org.level != "community":
        raise InvalidData("档案必须属于一个社区", {"org": ["必须是社区编码"]})
    status = payload.get("status", "active")
    if status not in CREATE_STATUSES:
        raise InvalidData("新建档案的状态只能是试用期或在岗", {"status": ["只能是 probation 或 active"]})
    flags = _clean_flags(payload.get("flags") or {})
    now = clock.now()
    worker = Worker(
        name=payload["name"], gender=payload.get("gender"), birth_date=payload.get("birth_date"),
        education=payload.get("education"), id_number=payload.get("id_number"),
        org_code=org.code, org_path=org.path, status=status, contract=_jsonable(payload.get("contract") or {}),
        flags=flags, data=payload.get("data") or {}, created_at=now, updated_at=now,
    )
    session.add(worker)
    session.flush()
    _history(session, worker, actor.username, "created", None, {"status": status, "org": org.code}, "建档")
    audit.record(session, actor.username, "worker_created", detail={"worker_id": worker.id})
    return worker


@transactional
def update_worker(session: Session, actor: Actor, worker_id: int, payload: dict[str, Any],
                  *, expected_versions: tuple[int, ...] = ()) -> Worker:
    """Apply a partial update; each changed field or key gets its history entry.

    The row is locked and re-read first, so requests editing one record at once are applied one
    after the other, each on what the previous one committed: `flags`, `contract` and `data` are
    merged key by key (keys not sent keep their value). A caller that read the record at a version
    (`expected_versions`) is refused with `409 worker_changed` when the record has moved since."""
    lock_worker(session, worker_id)
    worker = get_worker(session, actor, worker_id)
    _require_editor(actor, session.get(OrgUnit, worker.org_code))
    for forbidden in ("status", "org", "id"):
        if forbidden in payload:
            raise InvalidData("状态和所属社区只能通过流程变更", {forbidden: ["不能直接修改，请发起相应流程"]})
    stale = [v for v in expected_versions if v != worker.version]
    if stale:
        raise Conflict("该档案已被他人修改，请刷新后重试", code="worker_changed",
                       details={"version": worker.version, "expected": stale[0]})
    reason = payload.pop("reason", "") or ""
    changed = False
    if "flags" in payload:
        changed |= _merge(session, worker, actor, "flags", _clean_flags(payload.pop("flags") or {}), reason)
    for field in MERGED_FIELDS:
        if field in payload:
            changed |= _merge(session, worker, actor, field, _jsonable(payload[field] or {}), reason)
    for field in SCALAR_FIELDS:
        if field in payload:
            new, old = _jsonable(payload[field]), _jsonable(getattr(worker, field))
            if new != old:
                _history(session, worker, actor.username, field, old, new, reason)
                setattr(worker, field, payload[field])
                changed = True
    if changed:
        worker.version += 1
        worker.updated_at = clock.now()
    return worker


def lock_worker(session: Session, worker_id: int) -> Worker | None:
    """The worker row read FOR UPDATE, replacing what this session held: a merge starts from what
    is committed, and the next writer waits until this transaction ends."""
    query = select(Worker).where(Worker.id == worker_id).with_for_update()
    return session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()


def _merge(session: Session, worker: Worker, actor: Actor, field: str, submitted: dict[str, Any],
           reason: str) -> bool:
    """Merge the submitted keys into one JSON field of the record; True when a key changed."""
    current = _jsonable(getattr(worker, field) or {})
    merged = {**current, **submitted}
    changed = [name for name in sorted(merged) if current.get(name) != merged.get(name)]
    for name in changed:
        _history(session, worker, actor.username, f"{field}.{name}", current.get(name), merged.get(name), reason)
    if changed:
        setattr(worker, field, merged)
    return bool(changed)


def change_status(session: Session, worker: Worker, status: str, *, actor: str, source: str) -> None:
    """Move a worker's status as a process decided; no commit (the caller's step commits)."""
    if status not in WORKER_STATUSES:
        raise ValueError(f"unknown worker status {status}")
    if worker.status != status:
        _history(session, worker, actor, "status", worker.status, status, source)
        worker.status = status
        worker.version = Worker.version + 1  # counted in the database: no row lock is held here
        worker.updated_at = clock.now()


def set_flag(session: Session, worker: Worker, name: str, value: Any, *, actor: str, source: str) -> None:
    """Set one flag as a process step recorded it (a bar the street found); no commit."""
    if name not in FLAG_NAMES:
        raise ValueError(f"unknown worker flag {name}")
    worker = lock_worker(session, worker.id) or worker
    if worker.flags.get(name) != value:
        _history(session, worker, actor, f"flags.{name}", worker.flags.get(name), value, source)
        worker.flags = {**worker.flags, name: value}
        worker.version += 1
        worker.updated_at = clock.now()


def history(session: Session, actor: Actor, worker_id: int):
    get_worker(session, actor, worker_id)
    return select(WorkerChange).where(WorkerChange.worker_id == worker_id).order_by(WorkerChange.id)


def snapshot(worker: Worker) -> dict[str, Any]:
    """What diagrams may read about a worker (no ID number, no personal contact data)."""
    return {"id": worker.id, "name": worker.name, "status": worker.status, "org": worker.org_code,
            "contract": _jsonable(worker.contract), "flags": _jsonable(worker.flags)}


def _clean_flags(flags: dict[str, Any]) -> dict[str, Any]:
    unknown = [name for name in flags if name not in FLAG_NAMES]
    if unknown:
        raise InvalidData("未知的档案标记", {f"flags.{n}": ["未知标记"] for n in unknown})
    clean: dict[str, Any] = {}
    for name, value in flags.items():
        if name in BOOLEAN_FLAGS:
            if not isinstance(value, bool):
                raise InvalidData("标记必须是 true/false", {f"flags.{name}": ["必须是 true 或 false"]})
            clean[name] = value
        else:
            clean[name] = _jsonable(value)
    return clean


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _history(session: Session, worker: Worker, actor: str, field: str, before: Any, after: Any,
             source: str) -> None:
    session.add(WorkerChange(worker_id=worker.id, at=clock.now(), actor=actor, field=field,
                             before=_jsonable(before), after=_jsonable(after), source=source))
