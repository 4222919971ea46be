"""One task (办理): its form from the JSON Schema, the case beside it, the diagram with this step, and
the approval operations on it (engine.reads.offers; posted to web/views/ops_pages.py).

Submitting calls commands.complete_task once, citing the files the user chose; its refusals come back
as messages on the page: field errors beside their fields with the entered values kept, 409 when
someone else finished first; a step whose own work is not done yet (unreviewed applications, missing
scores) says how much is left and where to do it, the task still open.
"""

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.collab.delegation import INITIATOR_ROLE
from engine.core.errors import Conflict, EngineFailure, Forbidden, InvalidData, RuleViolation
from engine.models import Definition, Instance, TaskRow
from engine.process import commands
from engine.process.task_index import get_task_row
from engine.reads import queries
from engine.reads.offers import (
    earlier_values,
    reopened_by,
    resubmission_values,
    returned_because,
    task_ops,
    trail_people,
)
from engine.recruitment.visibility import sees_campaign
from engine.workflow.forms import task_form, validate_submission
from web.extensions import db
from web.views.case_context import case_context
from web.views.pages import FORM_ERRORS, current_actor, local_dt, login_required, page_blueprint, person_name
from web.views.schema_form import parse_form
from web.views.task_refusals import outside_words, split_refusal

bp = page_blueprint("task_pages", __name__, url_prefix="/tasks")


@bp.route("/<string:task_id>", methods=["GET", "POST"])
@login_required
def show(task_id: str):
    actor = current_actor()
    row = get_task_row(db.session, actor, task_id)
    instance = db.session.get(Instance, row.instance_id)
    definition = db.session.get(Definition, instance.definition_id)
    schema = task_form(definition.forms, row.form_key)
    events = queries.events_of(db.session, instance.id)
    reopened = reopened_by(events, row)
    values: dict[str, Any] = resubmission_values(row, instance, schema) or earlier_values(reopened, row, schema)
    errors: dict[str, list[str]] = {}
    outside: dict[str, list[str]] = {}  # a rule refusal about case data this form does not hold
    notice = None
    status = 200
    if request.method == "POST":
        data, values, errors = parse_form(schema, request.form)
        if errors and schema is not None:
            errors = _merge(errors, _other_errors(schema, data, row))
            notice, status = _("表单有误，请按提示修改。"), FORM_ERRORS
        else:
            try:
                cited = [int(v) for v in request.form.getlist("cite") if v.isdigit()]
                commands.complete_task(db.session, actor, task_id, data if schema is not None else {},
                                      attachments=cited)
            except InvalidData as exc:
                errors, notice, status = exc.fields, _("表单有误，请按提示修改。"), FORM_ERRORS
            except RuleViolation as exc:
                errors, outside = split_refusal(schema, exc.details.get("fields") or {})
                notice, status = exc.message, FORM_ERRORS
            except Conflict as exc:
                row = db.session.get(TaskRow, task_id)
                if exc.code in OPEN_WORK and row is not None and row.status == "open":
                    notice, status = _open_work_message(exc), FORM_ERRORS
                else:
                    notice, status = _conflict_message(row, exc), 409
            except (Forbidden, EngineFailure) as exc:
                notice, status = exc.message, exc.status
            else:
                flash({"text": _("已提交：%(title)s。", title=row.title),
                       "link": url_for("instance_pages.show", instance_id=instance.id),
                       "link_text": _("查看流程进度")}, "success")
                return redirect(url_for("inbox.index"))
    rows = queries.task_rows_of(db.session, instance.id)
    events = queries.events_of(db.session, instance.id)
    reopened = reopened_by(events, row)
    context = case_context(actor, instance, definition, rows, events)
    ops = task_ops(db.session, actor, row, instance)
    diagram = {"current": [row.name] if row.status == "open" else [],
               "done": sorted({r.name for r in rows if r.status == "completed"})}
    named, hint = outside_words(definition, schema, outside, ops.return_targets) if outside else ([], "")
    submitted = (instance.data or {}).get(row.form_key) if row.status == "completed" and row.form_key else None
    return render_template(
        "tasks/task.html", task=row, instance=instance, sees_workspace=sees_campaign(actor, instance),
        definition=definition, schema=schema, values=values,
        errors=errors, outside=named, outside_hint=hint, notice=notice, status=status, context=context, can_act=ops.can_act, diagram=diagram,
        submitted=submitted, ops=ops, people=trail_people(db.session, events, ops.names()),
        returned=returned_because(events) if row.role == INITIATOR_ROLE and row.status == "open" else None,
        reopened=reopened,
    ), status


def _other_errors(schema: dict[str, Any], data: dict[str, Any], row: TaskRow) -> dict[str, list[str]]:
    """The schema's own messages for what could be read, shown together with the unreadable fields."""
    try:
        validate_submission(schema, data)
    except InvalidData as exc:
        return exc.fields
    return {}


def _merge(first: dict[str, list[str]], second: dict[str, list[str]]) -> dict[str, list[str]]:
    merged = {k: list(v) for k, v in first.items()}
    for key, messages in second.items():
        if key not in merged:
            merged[key] = list(messages)
    return merged


# A step that may close only when its work is done refuses with one of these: the task is still
# open and still the user's, so the page says what is left and where to do it.
OPEN_WORK = {
    "applications_pending_review": _l("请先在招聘工作台完成审查"),
    "scores_missing": _l("请先在招聘工作台录入成绩"),
    "checks_pending": _l("请先在招聘工作台录入结论"),
    "objections_open": _l("请先在招聘工作台作出异议调查结论"),
    "contracts_unsigned": _l("请先由街道人事在招聘工作台“办理聘用”中签订劳动合同"),
    "probation_reviews_pending": _l("请先完成试用期满考核"),
}


def _open_work_message(exc: Conflict) -> str:
    return _("%(message)s，%(hint)s。您填写的内容已保留，完成后再提交本环节。", message=exc.message,
             hint=OPEN_WORK[exc.code])


def _conflict_message(row: TaskRow | None, exc: Conflict) -> str:
    if exc.code == "case_moved" and row is not None and row.status == "open":
        return _("案件刚被更新，您填写的内容没有提交，请重试。")
    if row is not None and row.status == "completed" and row.completed_by:
        return _("此任务已由 %(user)s 于 %(at)s 办理完毕，您填写的内容没有提交。", user=person_name(row.completed_by),
                 at=local_dt(row.completed_at))
    if row is not None and row.status == "cancelled":
        return _("此任务已被取消（流程已撤销或已改变），您填写的内容没有提交。")
    return _("此任务已被他人处理，您填写的内容没有提交。") + " " + exc.message
