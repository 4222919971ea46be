"""What a case page shows beside its form: the worker, the data so far, earlier decisions.

Read from the instance's stored data, its task rows and its audit trail; never from the workflow.
"""

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from engine.core.errors import NotFound
from engine.core.scope import Actor
from engine.models import AuditEvent, Definition, Instance, TaskRow, Worker
from engine.records.workers import get_worker
from engine.workflow.definitions import start_form_name
from engine.workflow.forms import task_form
from web.extensions import db
from web.views.pages import unit_named
from web.views.schema_form import describe_data, display_value

DECISION_EVENTS = ("task_completed", "vote_cast")  # a step's decision, and one approver's vote in a round
REOPENING_EVENTS = ("task_returned", "task_withdrawn")  # a step sent back, or its decision taken back


@dataclass
class Decision:
    event: AuditEvent
    title: str
    decision: str | None
    comment: str | None
    on_behalf_of: str | None = None  # a proxy decided for this person ("X 代 Y")
    attachments: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "decision"  # or "returned" (退回) / "withdrawn" (撤回决定): a step sent back
    undone: str | None = None  # a decision later withdrawn or returned: "withdrawn" / "returned"


@dataclass
class CaseContext:
    worker: Worker | None
    sections: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)


def case_context(actor: Actor, instance: Instance, definition: Definition, rows: list[TaskRow],
                 events: list[AuditEvent]) -> CaseContext:
    worker = None
    if instance.worker_id is not None:
        try:
            worker = get_worker(db.session, actor, instance.worker_id)
        except NotFound:
            worker = None
    data = instance.data or {}
    forms_by_task = {r.id: r.form_key for r in rows}
    # in the order the steps were first done (the trail), not the order their rows were last reopened
    done_first = (forms_by_task.get(e.task_id or "") for e in events if e.type == "task_completed")
    form_keys = [key for key in dict.fromkeys([*done_first, *(r.form_key for r in rows)]) if key and key in data]
    start_schema = unit_named(definition.forms.get(start_form_name(instance.key)))
    skip = set(form_keys) | {"worker"}
    sections = [(_("申请信息"), describe_data(*_worker_by_name(start_schema, data, worker), skip))]
    for key in form_keys:
        schema = unit_named(task_form(definition.forms, key)) or {}
        if isinstance(data.get(key), dict):
            sections.append((schema.get("title") or key, describe_data(schema, data[key])))
    decisions: list[Decision] = []
    for event in events:
        if event.type in REOPENING_EVENTS:
            decisions.append(_reopening(event, decisions))
            continue
        if event.type not in DECISION_EVENTS:
            continue
        detail = event.detail or {}
        schema = task_form(definition.forms, forms_by_task.get(event.task_id or "")) or {}
        decision = detail.get("decision")
        shown = display_value((schema.get("properties") or {}).get("decision") or {}, decision) \
            if decision is not None else None
        decisions.append(Decision(event, detail.get("title") or detail.get("name") or "", shown,
                                  detail.get("comment"), detail.get("on_behalf_of"), detail.get("attachments") or []))
    return CaseContext(worker, sections, decisions)


def _reopening(event: AuditEvent, earlier: list[Decision]) -> Decision:
    """A return or a withdrawn decision as a line of the story; the decisions it undid are marked,
    so nobody reads a withdrawn 确认离职 as the one that counts."""
    detail = event.detail or {}
    name = detail.get("name")
    if event.type == "task_withdrawn":
        said, undone = _("撤回决定"), [d for d in earlier if d.kind == "decision" and d.event.detail
                                         and d.event.detail.get("name") == name][-1:]
    else:
        if detail.get("by_decision"):  # the diagram's own return: its completion is this same act
            same = [d for d in earlier if d.kind == "decision" and (d.event.detail or {}).get("name") == name]
            if same:
                earlier.remove(same[-1])
        target = detail.get("target")
        said = _("退回发起人") if target == "initiator" else _("退回至「%(step)s」", step=detail.get("target_title") or "")
        names = {target, name}
        undone = [d for d in earlier if d.kind == "decision" and not d.undone
                  and (target == "initiator" or (d.event.detail or {}).get("name") in names)]
    for decision in undone:
        decision.undone = "withdrawn" if event.type == "task_withdrawn" else "returned"
    return Decision(event, detail.get("title") or name or "", said, detail.get("comment"), detail.get("on_behalf_of"),
                    detail.get("attachments") or [], kind="withdrawn" if event.type == "task_withdrawn" else "returned")


def _worker_by_name(schema: dict[str, Any] | None, data: dict[str, Any],
                    worker: Worker | None) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The start form names its worker by number; people read the name."""
    if worker is None or "worker_id" not in data or not schema:
        return schema, data
    properties = dict(schema.get("properties") or {})
    properties["worker_id"] = {**(properties.get("worker_id") or {}), "title": _("人员"), "oneOf": []}
    return {**schema, "properties": properties}, {**data, "worker_id": worker.name}
