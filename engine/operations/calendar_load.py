"""Loading a year's official holiday arrangement (系统管理员录入国务院放假安排).

Until it is loaded a year is counted by the statutory rule alone (provisional, 暂定). Loading it makes
that year exact and, in the same transaction, recounts every pending date that was counted through a
provisional year: open tasks' working-day due dates (with their reminders and escalations) and the
publicity ends of candidates still on a publicity list, together with the case's 公示期满 timer.
"""

from dataclasses import dataclass
from datetime import UTC

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.policy import policy_value
from engine.bpmn.compaction import compact
from engine.bpmn.store import dump_state
from engine.collab import deadlines
from engine.core import audit, clock
from engine.core.calendar_store import pending_calendar
from engine.core.errors import Forbidden
from engine.core.scope import Actor
from engine.core.transaction import transactional
from engine.core.workdays import WorkCalendar
from engine.models import Application, CalendarYear, Instance, TaskRow
from engine.operations.calendar_file import Arrangement
from engine.process.kernel import load, next_timer_at
from engine.process.task_index import end_of_day

PUBLICITY_KEY = "publicity_until"  # the recruitment diagram's variable its 公示期满 timer reads


@dataclass
class LoadReport:
    year: int
    holidays: int
    workdays: int
    replaced: bool  # the year had been loaded before
    due_dates_changed: int
    publicity_ends_changed: int


def require_system_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("只有系统管理员可以录入或修改工作日历", code="calendar_admin_only")


@transactional
def load_year(session: Session, actor: Actor, arrangement: Arrangement) -> LoadReport:
    """Store the arrangement and recount what depended on a provisional year, all in one transaction."""
    require_system_admin(actor)
    row = session.get(CalendarYear, arrangement.year)
    replaced = row is not None
    if row is None:
        row = CalendarYear(year=arrangement.year)
        session.add(row)
    row.holidays = [d.isoformat() for d in arrangement.holidays]
    row.workdays = [d.isoformat() for d in arrangement.workdays]
    row.loaded_by, row.loaded_at = actor.username, clock.now()
    calendar = pending_calendar(session)
    due_dates = _recount_due_dates(session, calendar)
    publicity = _recount_publicity(session, actor, calendar)
    report = LoadReport(arrangement.year, len(arrangement.holidays), len(arrangement.workdays), replaced,
                        due_dates, publicity)
    audit.record(session, actor.username, "calendar_year_loaded", detail={
        "year": report.year, "holidays": row.holidays, "workdays": row.workdays, "replaced": replaced,
        "due_dates_changed": due_dates, "publicity_ends_changed": publicity})
    return report


def _recount_due_dates(session: Session, calendar: WorkCalendar) -> int:
    """Open tasks whose due day was counted through a provisional year, counted again."""
    changed = 0
    rows = session.scalars(select(TaskRow).where(TaskRow.status == "open", TaskRow.due_provisional.is_(True),
                                                 TaskRow.due_working_days.is_not(None)).order_by(TaskRow.id))
    for row in rows:
        start = row.created_at.astimezone(clock.CHINA_TZ).date()
        marked = calendar.add_working_days_marked(start, row.due_working_days)
        due_at = end_of_day(marked.day).astimezone(UTC)
        if row.due_at is not None and row.due_at == due_at and row.due_provisional == marked.provisional:
            continue
        row.due_at, row.due_provisional = due_at, marked.provisional
        deadlines.schedule(session, row)
        changed += 1
    return changed


def _recount_publicity(session: Session, actor: Actor, calendar: WorkCalendar) -> int:
    """Candidates on a provisional publicity list: their end day, and their case's timer, counted again."""
    changed = 0
    moved: dict[int, dict[str, str]] = {}
    period = int(policy_value("publicity_working_days"))
    applications = session.scalars(select(Application).where(
        Application.status == "publicised", Application.publicity_provisional.is_(True),
        Application.publicity_from.is_not(None)).order_by(Application.id))
    for application in applications:
        marked = calendar.add_working_days_marked(application.publicity_from, period)
        if application.publicity_until == marked.day and not marked.provisional:
            application.publicity_provisional = False
            changed += 1
            continue
        if application.publicity_until == marked.day:
            continue
        moved.setdefault(application.instance_id, {})[application.publicity_until.isoformat()] = marked.day.isoformat()
        application.publicity_until, application.publicity_provisional = marked.day, marked.provisional
        application.updated_at = clock.now()
        changed += 1
    for instance_id, ends in moved.items():
        _move_publicity_timer(session, actor, session.get(Instance, instance_id), ends)
    return changed


def _move_publicity_timer(session: Session, actor: Actor, instance: Instance, ends: dict[str, str]) -> None:
    """Give the waiting 公示期满 timer the new end: the variable it reads, then its computed moment."""
    if instance is None or instance.status != "running":
        return
    loaded = load(session, instance)
    workflow = loaded.workflow
    for task in workflow.get_tasks(state=TaskState.WAITING):
        old = task.data.get(PUBLICITY_KEY)
        if old not in ends:
            continue
        event = getattr(task.task_spec, "event_definition", None)
        timer = isinstance(event, TimeDateEventDefinition)
        before = workflow.script_engine.evaluate(task, event.expression) if timer else None
        task.data[PUBLICITY_KEY] = ends[old]
        if timer and task._get_internal_data("event_value") == before:
            task._set_internal_data(event_value=workflow.script_engine.evaluate(task, event.expression))
    compact(workflow)
    instance.state = dump_state(workflow)
    instance.next_timer_at = next_timer_at(workflow)
    instance.updated_at = clock.now()
    audit.record(session, actor.username, "publicity_recounted", instance_id=instance.id,
                 detail={"ends": ends})


