"""The printable approval form (审批表) of a case: an A4 PDF for the paper archive.

It shows the case data under the start form's labels and every step from the audit trail —
decision, comment, person (and on whose behalf), time in China time, attachments cited, and what
each completed step submitted under its own form's labels — with the CJK font embedded. Every kind
of event prints (unknown ones under their generic word), and each row is built only for its own
event, so an odd detail cannot stop the print. WeasyPrint renders it; it needs Pango and a CJK font on the host (Debian:
libpango-1.0-0, libpangoft2-1.0-0, fonts-noto-cjk; see README).
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import DomainError
from engine.core.scope import Actor
from engine.core.words import EVENT_WORDS, STATUS_WORDS, outcome_word
from engine.models import Attachment, AuditEvent, Definition, Instance, OrgUnit, TaskRow, User
from engine.process.access import get_instance
from engine.reads.form_text import field_rows, unit_names, with_unit_names
from engine.workflow.definitions import start_form_name
from engine.workflow.forms import data_key, decision_label, task_form

POSITION_WORDS = {"before": "前加签", "after": "后加签"}

_templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]))


class PdfUnavailable(DomainError):
    status = 503
    code = "pdf_unavailable"


# bookkeeping the paper record leaves out: claims, bells and uploads (listed under 附件)
NOT_PRINTED = frozenset({"task_claimed", "task_unclaimed", "notified", "task_reminded", "attachment_uploaded"})
PEOPLE_KEYS = ("on_behalf_of", "to", "users")


def _time(moment: Any) -> str:
    return moment.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def _text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _named(events: list[AuditEvent], instance: Instance) -> set[str]:
    """Every user name the trail mentions, whether a detail holds one name or a list of them."""
    names = {e.actor for e in events} | {instance.initiator}
    for event in events:
        detail = event.detail if isinstance(event.detail, dict) else {}
        for key in PEOPLE_KEYS:
            value = detail.get(key)
            names.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))
    return {n for n in names if isinstance(n, str)}


def _people(session: Session, names: set[str]) -> Callable[[Any], str]:
    shown = dict(session.execute(select(User.username, User.display_name).where(User.username.in_(names))).all())

    def person(name: Any) -> str:
        """The name people know a user by (never the login name); a list of names joined; the clock as
        系统; an account that no longer exists as 已删除的账号."""
        if isinstance(name, list | tuple):
            return "、".join(person(n) for n in name)
        if not name:
            return ""
        if name in ("timer", "system"):
            return "系统"
        return shown.get(_text(name)) or "已删除的账号"

    return person


def form_context(session: Session, instance: Instance) -> dict[str, Any]:
    """Everything the form shows, as plain text."""
    definition = session.get(Definition, instance.definition_id)
    forms = definition.forms or {}
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id)
                                  .order_by(AuditEvent.id)))
    person = _people(session, _named(events, instance))
    rows = {row.id: row for row in session.scalars(select(TaskRow).where(TaskRow.instance_id == instance.id))}
    units = unit_names(session)
    forms = {key: with_unit_names(form, units) for key, form in forms.items()}
    start_form = forms.get(start_form_name(instance.key)) or {}
    fields = field_rows(_worker_by_name(start_form, instance.data, units),
                        {k: v for k, v in instance.data.items() if k in (start_form.get("properties") or {})},
                        skip=frozenset())
    contents = _step_contents(events, rows, forms, instance.data)
    shown = _one_line_per_return(events)
    steps = [step for e in shown if (step := _step(e, forms, rows, person, contents.get(e.id, [])))]
    files = session.scalars(select(Attachment).where(Attachment.instance_id == instance.id).order_by(Attachment.id))
    org = session.get(OrgUnit, instance.org_code)
    return {
        "title": f"{definition.name}表" if definition.name.endswith("审批") else f"{definition.name}审批表", "process_name": definition.name, "instance": instance,
        "org_name": org.name if org else "", "initiator": person(instance.initiator),
        "created_at": _time(instance.created_at), "completed_at": _time(instance.completed_at),
        "status": STATUS_WORDS.get(instance.status, instance.status),
        "outcome": outcome_word(instance.outcome, instance.key),
        "fields": fields, "steps": steps, "printed_at": _time(clock.now()),
        "attachments": [{"id": a.id, "filename": a.filename, "size": f"{a.size:,} B", "by": person(a.uploaded_by),
                         "at": _time(a.uploaded_at), "sha256": a.sha256} for a in files],
    }


def _worker_by_name(start_form: dict[str, Any], data: dict[str, Any], units: dict[str, str]) -> dict[str, Any]:
    """The start form names its worker by number; the paper names the person and their unit."""
    worker = data.get("worker")
    properties = start_form.get("properties") or {}
    if not isinstance(worker, dict) or not worker.get("name") or "worker_id" not in properties:
        return start_form
    unit = units.get(_text(worker.get("org")))
    name = f"{worker['name']}（{unit}）" if unit else _text(worker["name"])
    choice = {"const": data.get("worker_id"), "title": name}
    return {**start_form, "properties": {**properties, "worker_id": {**properties["worker_id"], "title": "人员",
                                                                     "oneOf": [choice]}}}


def _one_line_per_return(events: list[AuditEvent]) -> list[AuditEvent]:
    """A return the diagram routes itself is recorded twice — the step completed with its return
    choice, then the return with its reason — but it is one act, printed once, as the return."""
    by_decision = {e.task_id for e in events if e.type == "task_returned" and (e.detail or {}).get("by_decision")}
    return [e for e in events if not (e.type == "task_completed" and e.task_id in by_decision)]


def _step_contents(events: list[AuditEvent], rows: dict[str, TaskRow], forms: dict[str, Any],
                   data: dict[str, Any]) -> dict[int, list[tuple[str, str]]]:
    """What each completed step submitted, under its form's labels. The case keeps one submission
    per form, so a step done again after a return shows it at its last completion only."""
    last: dict[str, AuditEvent] = {}
    for event in events:
        row = rows.get(event.task_id or "")
        if event.type == "task_completed" and row is not None:
            last[data_key(row)] = event
    return {event.id: field_rows(task_form(forms, key), data.get(key)) for key, event in last.items()}


def _step(event: AuditEvent, forms: dict[str, Any], rows: dict[str, TaskRow], person: Callable[[Any], str],
          content: list[tuple[str, str]]) -> dict[str, Any] | None:
    if event.type in NOT_PRINTED:
        return None
    d = event.detail if isinstance(event.detail, dict) else {}
    title = _text(d.get("title") or d.get("name"))
    row = rows.get(event.task_id or "")
    form_key = row.form_key if row is not None else None
    who = person(event.actor) + (f" 代 {person(d['on_behalf_of'])}" if d.get("on_behalf_of") else "")
    cited = d.get("attachments") if isinstance(d.get("attachments"), list) else []
    files = "、".join(_text(a.get("filename") or a.get("id")) if isinstance(a, dict) else _text(a) for a in cited)
    results: dict[str, Callable[[], tuple[str, str]]] = {  # built only for the event at hand
        "instance_started": lambda: ("发起", "提交申请"),
        "instance_resubmitted": lambda: ("发起人", "修改后重新提交"),
        "task_completed": lambda: (title, decision_label(forms, form_key, d.get("decision"))),
        "vote_cast": lambda: (f"{title}（{POSITION_WORDS.get(_text(d.get('phase')), '会签')}）",
                              decision_label(forms, form_key, d.get("decision"))),
        "task_returned": lambda: (title, f"退回至「{_text(d.get('target_title'))}」"),
        "task_withdrawn": lambda: (title, "撤回本人决定"),
        "vote_withdrawn": lambda: (title, "撤回本人意见"),
        "instance_withdrawn": lambda: ("发起人", "撤回申请"),
        "instance_cancelled": lambda: ("撤销", "撤销案件"),
        "task_transferred": lambda: (title, f"转办给 {person(d.get('to'))}"),
        "task_delegated": lambda: (title, f"委派给 {person(d.get('to'))}"),
        "task_delegation_resolved": lambda: (title, "委派事项已办理，交回"),
        "approvers_added": lambda: (title, f"{POSITION_WORDS.get(_text(d.get('position')), '加签')}：{person(d.get('users'))}"),
        "case_copied": lambda: (title or "抄送", f"抄送 {person(d.get('to'))}"),
        "task_urged": lambda: (title, f"催办 {person(d.get('to'))}".strip()),
        "task_escalated": lambda: (title, "超期督办"),
    }
    word = EVENT_WORDS.get(event.type, "办理记录")
    step_title, result = results[event.type]() if event.type in results else (title or word, word)
    return {"title": step_title, "person": who, "result": result, "content": content,
            "comment": _text(d.get("comment") or d.get("reason")), "attachments": files, "at": _time(event.at)}


def approval_form_html(session: Session, actor: Actor, instance_id: int) -> str:
    instance = get_instance(session, actor, instance_id)
    return _templates.get_template("approval_form.html").render(**form_context(session, instance))


def approval_form_pdf(session: Session, actor: Actor, instance_id: int) -> bytes:
    """The A4 PDF; 503 `pdf_unavailable` when the host lacks Pango (nothing else depends on it)."""
    return pdf_from_html(approval_form_html(session, actor, instance_id), "审批表")


def pdf_from_html(html: str, what: str) -> bytes:
    """An A4 PDF of a printable page; 503 `pdf_unavailable` naming `what` when the host lacks Pango."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(f"服务器未安装 PDF 组件（Pango），暂不能生成{what}") from exc
    return HTML(string=html).write_pdf()
