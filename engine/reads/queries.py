"""Read-only queries the pages and the API need: scoped, paginated selects on the index tables.

Lists never deserialise a workflow; only `visited_elements`, for one instance page, loads one.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Select

from config.roles import role_for_lane
from engine.collab.delegation import extra_task_clauses
from engine.core import clock
from engine.core.scope import Actor, in_subtree
from engine.models import AuditEvent, Definition, Instance, OrgUnit, TaskDelegation, TaskRow, User, Worker
from engine.reads.task_lists import count_statement, page_statement, task_branches
from engine.workflow.definitions import latest_definitions, parsed_definition
from engine.workflow.instances import restore

# what 待处理 (`todo`) shows: what the actor holds and what nobody has claimed yet; `others`, what a
# colleague holds, is a sub-view of its own and never part of 待处理's count
INBOX_BOXES = ("todo", "mine", "open", "others")
# the initiator of a case, read by the name people know them by (one row per page row, by unique user name)
Initiator = aliased(User, name="initiator_user")


@dataclass
class Page:
    """One page of a list, with the total of the whole list."""

    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(session: Session, query: Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    """One page of a scoped select and the total of the whole list, for the pages and the API alike."""
    page = max(1, page)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    window = query.limit(per_page).offset((page - 1) * per_page)
    items = list(session.scalars(window)) if scalars else list(session.execute(window))
    return Page(items, total, page, per_page)


def _contains(column: Any, text: str) -> Any:
    return func.lower(column).contains(text.lower(), autoescape=True)


def inbox_where(*, process: str | None, stage: str | None, search: str | None) -> list[Any]:
    """The inbox filters, each on the task row, so every way a task reaches the actor stays an
    index range (engine/reads/task_lists.py). The search finds a case by business key, worker or title."""
    where: list[Any] = []
    if process:
        where.append(TaskRow.process_key == process)
    if stage:
        where.append(TaskRow.name == stage)
    if search and search.strip():
        needle = search.strip()
        where.append(TaskRow.instance_id.in_(
            select(Instance.id).outerjoin(Worker, Worker.id == Instance.worker_id)
            .where(_contains(Instance.business_key, needle) | _contains(Worker.name, needle)
                   | _contains(Instance.title, needle))))
    return where


@dataclass
class Reach:
    """How open tasks reach the actor, looked up once per page and shared by its queries: the
    branches of engine/reads/task_lists.py, the ways other than a role, and the tasks delegated to them."""

    branches: list[Any]
    extra: list[Any]
    delegated: list[str]


def reach_of(session: Session, actor: Actor) -> Reach:
    extra = extra_task_clauses(session, actor)
    branches = task_branches(session, actor, extra)
    delegated = list(session.scalars(select(TaskDelegation.task_id).where(
        TaskDelegation.delegate == actor.username, TaskDelegation.status == "pending")))
    return Reach(branches, extra, delegated)


def _box_filter(actor: Actor, box: str, delegated: list[str]) -> Any:
    """`mine` holds what the actor claimed and what was delegated to them (委派: it stays claimed
    by the delegator, but it is the delegate's to work); `others` what colleagues hold."""
    # the id lists only when there is something in them: a test of the id (not in the queue index)
    # would make every count fetch its rows from the table
    if box == "mine":
        return or_(TaskRow.assignee == actor.username, TaskRow.id.in_(delegated)) if delegated \
            else TaskRow.assignee == actor.username
    if box == "todo":
        return or_(_box_filter(actor, "mine", delegated), _box_filter(actor, "open", delegated))
    if box == "others":
        others = TaskRow.assignee.is_not(None) & (TaskRow.assignee != actor.username)
        return others & TaskRow.id.not_in(delegated) if delegated else others
    return TaskRow.assignee.is_(None)


def with_case_columns(query: Select) -> Select:
    """A task select with what a person reads of its case: business key, worker, title and who started it."""
    return (query.join(Instance, Instance.id == TaskRow.instance_id)
            .outerjoin(Worker, Worker.id == Instance.worker_id)
            .outerjoin(Initiator, Initiator.username == Instance.initiator)
            .add_columns(Instance.business_key, Worker.name.label("worker_name"), Instance.title.label("case_title"),
                         Initiator.display_name.label("initiator_name")))


def inbox(session: Session, actor: Actor, *, box: str = "todo", process: str | None = None,
          stage: str | None = None, search: str | None = None, page: int = 1, per_page: int = 20,
          reach: Reach | None = None, total: int | None = None) -> Page:
    """Open tasks for the actor's roles in scope: overdue first, then by due date.

    `box` is `todo` (`mine` and `open` together, 待处理), `mine` (claimed by the actor), `open`
    (unclaimed) or `others` (claimed by a colleague). Items are (TaskRow, business_key, worker_name,
    case_title, initiator_name) rows. A page that has already counted its
    boxes passes `reach` and the box's `total`.
    """
    page = max(1, page)
    reach = reach or reach_of(session, actor)
    where = [*inbox_where(process=process, stage=stage, search=search), _box_filter(actor, box, reach.delegated)]
    window = with_case_columns(page_statement(reach.branches, where, page=page, per_page=per_page))
    if total is None:
        total = session.scalar(count_statement(reach.branches, where)) or 0
    return Page(list(session.execute(window)), total, page, per_page)


def inbox_counts(session: Session, actor: Actor, *, process: str | None = None, stage: str | None = None,
                 search: str | None = None, reach: Reach | None = None) -> dict[str, int]:
    """How many tasks each box holds under the same filters, and how many of them are overdue
    (in the actor's own boxes), in one statement of index-range counts."""
    reach = reach or reach_of(session, actor)
    where = inbox_where(process=process, stage=stage, search=search)
    boxes = {name: _box_filter(actor, name, reach.delegated) for name in INBOX_BOXES}
    boxes["overdue"] = and_(TaskRow.due_at < clock.now(), or_(boxes["mine"], boxes["open"]))
    row = session.execute(count_statement(reach.branches, where, boxes)).one()
    return {name: int(value or 0) for name, value in row._mapping.items()}


def inbox_stages(session: Session, actor: Actor, *, reach: Reach | None = None,
                 definitions: list[Definition] | None = None) -> list[tuple[str, str, str]]:
    """(process key, task name, task title) of the stages the actor may have work in: the user
    tasks in the lanes of the actor's roles, read off the deployed processes, and the stages of
    the open tasks that reach the actor otherwise (claimed, delegated, a vote, as a proxy).

    Reading the open tasks of every role instead took 12 ms for a district's 10,000 tasks."""
    roles = actor.roles()
    stages: set[tuple[str, str, str]] = set()
    for definition in definitions if definitions is not None else latest_definitions(session):
        parsed = parsed_definition(definition)
        for process in (parsed.spec, *parsed.subprocess_specs.values()):
            for spec in process.task_specs.values():
                role = role_for_lane(spec.lane) if getattr(spec, "manual", False) else None
                if role is not None and role.key in roles:
                    stages.add((definition.key, spec.bpmn_id, spec.bpmn_name or spec.bpmn_id))
    extra = (reach or reach_of(session, actor)).extra
    if extra:
        stages.update(session.execute(select(TaskRow.process_key, TaskRow.name, TaskRow.title)
                                      .where(TaskRow.status == "open", or_(*extra)).distinct()))
    return sorted(stages)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, clock.CHINA_TZ)


def search_instances(session: Session, actor: Actor, *, key: str | None = None, status: str | None = None,
                     business_key: str | None = None, org: str | None = None, created_from: date | None = None,
                     created_to: date | None = None, worker_id: int | None = None, page: int = 1,
                     per_page: int = 20) -> Page:
    """Instances in the actor's scope, newest first: (Instance, worker_name) rows."""
    query = (select(Instance).where(actor.instance_filter(Instance))
             .outerjoin(Worker, Worker.id == Instance.worker_id)
             .add_columns(Worker.name.label("worker_name")))
    if key:
        query = query.where(Instance.key == key)
    if status:
        query = query.where(Instance.status == status)
    if business_key and business_key.strip():
        needle = business_key.strip()
        query = query.where(_contains(Instance.business_key, needle) | _contains(Worker.name, needle))
    if org:
        unit = session.get(OrgUnit, org)
        query = query.where(in_subtree(Instance.org_path, unit.path) if unit else Instance.id.is_(None))
    if created_from:
        query = query.where(Instance.created_at >= day_start(created_from))
    if created_to:
        query = query.where(Instance.created_at < day_start(created_to + timedelta(days=1)))
    if worker_id is not None:
        query = query.where(Instance.worker_id == worker_id)
    return paginate(session, query.order_by(Instance.id.desc()), page, per_page, scalars=False)


def open_tasks_of(session: Session, instance_ids: list[int]) -> dict[int, list[TaskRow]]:
    """The open task rows of several instances at once, by instance id."""
    found: dict[int, list[TaskRow]] = {i: [] for i in instance_ids}
    if not instance_ids:
        return found
    for row in session.scalars(select(TaskRow).where(TaskRow.instance_id.in_(instance_ids),
                                                     TaskRow.status == "open").order_by(TaskRow.created_at)):
        found[row.instance_id].append(row)
    return found


def task_rows_of(session: Session, instance_id: int) -> list[TaskRow]:
    """Every task row of one instance (callers have checked the instance is in scope)."""
    return list(session.scalars(select(TaskRow).where(TaskRow.instance_id == instance_id)
                                .order_by(TaskRow.created_at, TaskRow.id)))


def events_of(session: Session, instance_id: int, *, limit: int = 500) -> list[AuditEvent]:
    """The audit trail of one instance, oldest first (callers have checked scope)."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id)
                                .order_by(AuditEvent.id).limit(limit)))


def visited_elements(session: Session, instance: Instance) -> tuple[list[str], list[str]]:
    """BPMN ids of the elements the instance has passed through, and of those it is inside now
    (a started sub-process), from one workflow load."""
    workflow = restore(session, instance)

    def ids(state: int) -> list[str]:
        found: list[str] = []
        for task in workflow.get_tasks(state=state):
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if bpmn_id and bpmn_id not in found:
                found.append(bpmn_id)
        return found

    return ids(TaskState.COMPLETED), ids(TaskState.STARTED)


def waiting_for(session: Session, instance: Instance) -> list[str]:
    """The names of the timed events a running case waits on (借调开始日, 待离职日生效): what it
    waits for when no step is open. Boundary events (reminders, deadlines) are not waits."""
    if instance.status != "running" or not instance.state:
        return []
    names: list[str] = []
    for task in restore(session, instance).get_tasks(state=TaskState.WAITING):
        spec = task.task_spec
        if type(spec).__name__.endswith("IntermediateCatchEvent") and getattr(spec, "bpmn_name", None):
            if spec.bpmn_name not in names:
                names.append(spec.bpmn_name)
    return names


def startable_definitions(session: Session) -> list[Definition]:
    return latest_definitions(session)


def orgs_in_scope(session: Session, actor: Actor) -> list[OrgUnit]:
    """Every org unit the actor works in or above, in tree order."""
    return list(session.scalars(select(OrgUnit).where(actor.org_filter(OrgUnit.path)).order_by(OrgUnit.path)))


def workers_in_scope(session: Session, actor: Actor, *, statuses: tuple[str, ...] | None = None,
                     limit: int = 500) -> list[Worker]:
    """Workers the actor may name in a form (for a choice list), only those in `statuses` when
    given; empty when there are too many."""
    query = select(Worker).where(actor.org_filter(Worker.org_path)).order_by(Worker.org_code, Worker.name)
    if statuses is not None:
        query = query.where(Worker.status.in_(statuses))
    rows = list(session.scalars(query.limit(limit + 1)))
    return [] if len(rows) > limit else rows


def search_workers(session: Session, actor: Actor, *, name: str | None = None, org: str | None = None,
                   status: str | None = None, page: int = 1, per_page: int = 20) -> Page:
    query = select(Worker).where(actor.org_filter(Worker.org_path))
    if name and name.strip():
        query = query.where(_contains(Worker.name, name.strip()))
    if org:
        unit = session.get(OrgUnit, org)
        query = query.where(in_subtree(Worker.org_path, unit.path) if unit else Worker.id.is_(None))
    if status:
        query = query.where(Worker.status == status)
    return paginate(session, query.order_by(Worker.org_code, Worker.id), page, per_page)


def cases_of_worker(session: Session, actor: Actor, worker_id: int, *, limit: int = 100) -> list[Instance]:
    return list(session.scalars(select(Instance).where(Instance.worker_id == worker_id,
                                                       actor.instance_filter(Instance))
                                .order_by(Instance.id.desc()).limit(limit)))


def org_names(session: Session, codes: set[str] | None = None) -> dict[str, str]:
    query = select(OrgUnit.code, OrgUnit.name)
    if codes is not None:
        if not codes:
            return {}
        query = query.where(OrgUnit.code.in_(codes))
    return dict(session.execute(query).all())
