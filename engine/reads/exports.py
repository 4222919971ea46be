"""Excel export (导出) of any list: one generic writer others call with their own columns.

`xlsx_bytes` takes column headings and rows of plain values and returns an .xlsx file. Text that
starts like a formula is written as text, so a case field can never run as a formula in Excel.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.roles import ROLES
from engine.core import clock
from engine.core.words import STATUS_WORDS, TASK_STATUS_WORDS, outcome_word
from engine.models import Instance, OrgUnit, User
from engine.workflow.definitions import latest_definitions

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 100_000


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | Decimal | date):
        if isinstance(value, datetime):
            return value.astimezone(clock.CHINA_TZ).replace(tzinfo=None)
        return value
    if isinstance(value, list | tuple | set):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def xlsx_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "导出",
               widths: Sequence[int] | None = None) -> bytes:
    """An .xlsx workbook with one sheet: a bold heading row, then the rows (at most MAX_ROWS)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "导出")
    for index, width in enumerate(widths or [18] * len(columns)):
        sheet.column_dimensions[_column_letter(index)].width = width
    heading = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = Font(bold=True)
        heading.append(cell)
    sheet.append(heading)
    for count, row in enumerate(rows):
        if count >= MAX_ROWS:
            break
        cells = []
        for value in row:
            value = _cell_value(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
                cell.data_type = "s"
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def export(items: Iterable[Any], columns: Sequence[tuple[str, Callable[[Any], Any]]], *, title: str) -> bytes:
    """Rows from any objects: `columns` pairs each heading with how to read it from an item."""
    return xlsx_bytes([name for name, _ in columns], ([read(item) for _, read in columns] for item in items),
                      title=title)


@dataclass
class Names:
    """The names a person reads for the codes a list holds: processes, units, roles, users."""

    processes: dict[str, str] = field(default_factory=dict)
    orgs: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)

    def of(self, table: dict[str, str], code: str | None) -> str | None:
        return table.get(code, code) if code else None


def names_for(session: Session, usernames: Iterable[str | None]) -> Names:
    """Processes, units, roles and these users by the names people know them by; the clock is 系统."""
    wanted = {u for u in usernames if u}
    people = dict(session.execute(select(User.username, User.display_name).where(User.username.in_(wanted))).all()) \
        if wanted else {}
    people.update({name: "系统" for name in ("timer", "system") if name in wanted})
    return Names(processes={d.key: d.name for d in latest_definitions(session)},
                 orgs=dict(session.execute(select(OrgUnit.code, OrgUnit.name)).all()),
                 roles={r.key: r.name_zh for r in ROLES}, people=people)


def cases_of(session: Session, ids: set[int]) -> dict[int, Instance]:
    """The cases of these tasks, for their titles and business keys (the caller already sees the tasks)."""
    return {i.id: i for i in session.scalars(select(Instance).where(Instance.id.in_(ids)))} if ids else {}


def readable_task_columns(names: Names) -> list[tuple[str, Callable[[Any], Any]]]:
    """The inbox export as its page reads: the case's title, names and words instead of codes."""
    return [
        ("案件", lambda t: t.instance_id), ("流程", lambda t: names.of(names.processes, t.process_key)),
        ("步骤", lambda t: t.title), ("办理角色", lambda t: names.of(names.roles, t.role)),
        ("办理单位", lambda t: names.of(names.orgs, t.org_code)),
        ("状态", lambda t: TASK_STATUS_WORDS.get(t.status, t.status)),
        ("认领人", lambda t: names.of(names.people, t.assignee)), ("创建时间", lambda t: t.created_at),
        ("到期时间", lambda t: t.due_at),
    ]


def readable_instance_columns(names: Names) -> list[tuple[str, Callable[[Any], Any]]]:
    """The case list export as its page reads: title, process, unit, status and outcome in words."""
    return [
        ("案件", lambda i: i.id), ("标题", lambda i: i.title or names.of(names.processes, i.key)),
        ("流程", lambda i: names.of(names.processes, i.key)), ("业务编号", lambda i: i.business_key),
        ("组织单位", lambda i: names.of(names.orgs, i.org_code)), ("状态", lambda i: STATUS_WORDS.get(i.status, i.status)),
        ("结果", lambda i: outcome_word(i.outcome, i.key)),
        ("发起人", lambda i: names.of(names.people, i.initiator)), ("发起时间", lambda i: i.created_at),
        ("办结时间", lambda i: i.completed_at),
    ]
