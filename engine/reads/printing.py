"""The printable approval form (审批表) of a case: an A4 PDF for the paper archive.

It shows the case data under the start form's labels and every step from the audit trail —
decision, comment, person (and on whose behalf), time in China time, attachments cited — with the
CJK font embedded. WeasyPrint renders it; it needs Pango and a CJK font on the host (Debian:
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
from engine.core.words import OUTCOME_WORDS, STATUS_WORDS, decision_word
from engine.models import Attachment, AuditEvent, Definition, Instance, OrgUnit, TaskRow, User
from engine.process.access import get_instance
from engine.workflow.definitions import start_form_name
from engine.workflow.forms import task_form

POSITION_WORDS = {"before": "前加签", "after": "后加签"}

_templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]))


class PdfUnavailable(DomainError):
    status = 503
    code = "pdf_unavailable"


def _time(moment: Any) -> str:
    return moment.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def _value(schema: dict[str, Any], value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    for option in schema.get("oneOf") or []:
        if option.get("const") == value:
            return str(option.get("title", value))
    if isinstance(value, list):
        return "、".join(_value(schema.get("items") or {}, v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return "" if value is None else str(value)


def _decision_word(forms: dict[str, Any], form_key: str | None, decision: Any) -> str:
    schema = ((task_form(forms, form_key) or {}).get("properties") or {}).get("decision") or {}
    for option in schema.get("oneOf") or []:
        if option.get("const") == decision:
            return str(option.get("title"))
    return decision_word(decision)


def form_context(session: Session, instance: Instance) -> dict[str, Any]:
    """Everything the form shows, as plain text."""
    definition = session.get(Definition, instance.definition_id)
    forms = definition.forms or {}
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id)
                                  .order_by(AuditEvent.id)))
    names = {e.actor for e in events} | {instance.initiator} | {
        (e.detail or {}).get("on_behalf_of") for e in events} | {(e.detail or {}).get("to") for e in events
                                                                 if isinstance((e.detail or {}).get("to"), str)}
    people = dict(session.execute(select(User.username, User.display_name).where(User.username.in_(
        [n for n in names if isinstance(n, str)]))).all())

    def person(name: str | None) -> str:
        if not name:
            return ""
        if name in ("timer", "system"):
            return "系统"
        shown = people.get(name)
        return f"{shown}（{name}）" if shown and shown != name else name

    form_keys = dict(session.execute(select(TaskRow.id, TaskRow.form_key).where(
        TaskRow.instance_id == instance.id)).all())
    start_form = forms.get(start_form_name(instance.key)) or {}
    fields = []
    for key, schema in (start_form.get("properties") or {}).items():
        if key in instance.data:
            label = schema.get("title") or key
            value = _value(schema, instance.data[key])
            if key == "worker_id" and isinstance(instance.data.get("worker"), dict):
                value = f"{value}（{instance.data['worker'].get('name', '')}）"
            fields.append((label, value))
    steps = [step for e in events if (step := _step(e, forms, form_keys, person))]
    files = session.scalars(select(Attachment).where(Attachment.instance_id == instance.id).order_by(Attachment.id))
    org = session.get(OrgUnit, instance.org_code)
    return {
        "title": f"{definition.name}表" if definition.name.endswith("审批") else f"{definition.name}审批表", "process_name": definition.name, "instance": instance,
        "org_name": f"{org.name}（{org.code}）" if org else instance.org_code, "initiator": person(instance.initiator),
        "created_at": _time(instance.created_at), "completed_at": _time(instance.completed_at),
        "status": STATUS_WORDS.get(instance.status, instance.status),
        "outcome": OUTCOME_WORDS.get(instance.outcome or "", instance.outcome),
        "fields": fields, "steps": steps, "printed_at": _time(clock.now()),
        "attachments": [{"id": a.id, "filename": a.filename, "size": f"{a.size:,} B", "by": person(a.uploaded_by),
                         "at": _time(a.uploaded_at), "sha256": a.sha256} for a in files],
    }


def _step(event: AuditEvent, forms: dict[str, Any], form_keys: dict[str, Any], person: Any) -> dict[str, Any] | None:
    d = event.detail or {}
    title = d.get("title") or d.get("name") or ""
    who = person(event.actor) + (f" 代 {person(d['on_behalf_of'])}" if d.get("on_behalf_of") else "")
    files = "、".join(a.get("filename", str(a.get("id"))) for a in d.get("attachments") or [])
    results: dict[str, Callable[[], tuple[str, str]]] = {  # built only for the event at hand
        "instance_started": lambda: ("发起", "提交申请"),
        "instance_resubmitted": lambda: ("发起人", "修改后重新提交"),
        "task_completed": lambda: (title, _decision_word(forms, form_keys.get(event.task_id), d.get("decision"))),
        "vote_cast": lambda: (f"{title}（{POSITION_WORDS.get(d.get('phase'), '会签')}）",
                              _decision_word(forms, form_keys.get(event.task_id), d.get("decision"))),
        "task_returned": lambda: (title, f"退回至「{d.get('target_title', '')}」"),
        "task_withdrawn": lambda: (title, "撤回本人决定"),
        "vote_withdrawn": lambda: (title, "撤回本人意见"),
        "instance_withdrawn": lambda: ("发起人", "撤回申请"),
        "instance_cancelled": lambda: ("撤销", "撤销案件"),
        "task_transferred": lambda: (title, f"转办给 {person(d.get('to'))}"),
        "task_delegated": lambda: (title, f"委派给 {person(d.get('to'))}"),
        "task_delegation_resolved": lambda: (title, "委派事项已办理，交回"),
        "approvers_added": lambda: (title, f"{POSITION_WORDS.get(d.get('position'), '加签')}："
                                           f"{'、'.join(person(u) for u in d.get('users') or [])}"),
        "case_copied": lambda: (title or "抄送", f"抄送 {'、'.join(person(u) for u in d.get('to') or [])}"),
        "task_urged": lambda: (title, "催办"),
        "task_escalated": lambda: (title, "超期督办"),
    }
    if event.type not in results:
        return None
    step_title, result = results[event.type]()
    return {"title": step_title, "person": who, "result": result,
            "comment": d.get("comment") or d.get("reason") or "", "attachments": files, "at": _time(event.at)}


def approval_form_html(session: Session, actor: Actor, instance_id: int) -> str:
    instance = get_instance(session, actor, instance_id)
    return _templates.get_template("approval_form.html").render(**form_context(session, instance))


def approval_form_pdf(session: Session, actor: Actor, instance_id: int) -> bytes:
    """The A4 PDF; 503 `pdf_unavailable` when the host lacks Pango (nothing else depends on it)."""
    html = approval_form_html(session, actor, instance_id)
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise PdfUnavailable("服务器未安装 PDF 组件（Pango），暂不能生成审批表") from exc
    return HTML(string=html).write_pdf()
