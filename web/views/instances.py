"""Process instances (流程实例): search in scope, one case with its diagram and trail, cancel; the case's
operations (withdraw, copy, files, urge, print, the path ahead) come from engine.reads.offers."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.core.errors import Conflict, Forbidden, InvalidData
from engine.models import Definition
from engine.process import access, commands
from engine.reads import queries
from engine.reads.offers import case_ops, trail_people
from engine.recruitment.visibility import sees_campaign
from engine.rules import resignation
from engine.workflow.definitions import latest_definitions
from web.extensions import db
from web.views.case_context import case_context
from web.views.pages import FORM_ERRORS, current_actor, date_arg, int_arg, login_required, page_blueprint
from web.views.refusals import refusal_text

bp = page_blueprint("instance_pages", __name__, url_prefix="/instances")
PER_PAGE = 20
STATUSES = ("running", "completed", "cancelled", "error")


@bp.get("")
@login_required
def index():
    actor = current_actor()
    filters = {name: (request.args.get(name) or "").strip() for name in ("key", "status", "q", "org", "from", "to")}
    page = queries.search_instances(
        db.session, actor, key=filters["key"] or None,
        status=filters["status"] if filters["status"] in STATUSES else None, business_key=filters["q"] or None,
        org=filters["org"] or None, created_from=date_arg("from"), created_to=date_arg("to"),
        page=int_arg("page"), per_page=PER_PAGE)
    open_tasks = queries.open_tasks_of(db.session, [instance.id for instance, _ in page.items])
    return render_template("instances/list.html", page=page, filters=filters, open_tasks=open_tasks,
                           export_args={name: value for name, value in filters.items() if value},
                           processes={d.key: d.name for d in latest_definitions(db.session)},
                           orgs=queries.orgs_in_scope(db.session, actor), statuses=STATUSES)


@bp.get("/<int:instance_id>")
@login_required
def show(instance_id: int):
    actor = current_actor()
    instance = access.get_instance(db.session, actor, instance_id)
    return _render(instance)


def _render(instance, *, cancel_errors=None, cancel_reason: str = "", status: int = 200):  # noqa: ANN001, ANN202
    actor = current_actor()
    definition = db.session.get(Definition, instance.definition_id)
    rows = queries.task_rows_of(db.session, instance.id)
    events = queries.events_of(db.session, instance.id)
    done, active = queries.visited_elements(db.session, instance)
    current = [r.name for r in rows if r.status == "open"]
    context = case_context(actor, instance, definition, rows, events)
    may_cancel = access.may_cancel(actor, instance)
    names = queries.org_names(db.session, {instance.org_code})
    ops = case_ops(db.session, actor, instance, [r for r in rows if r.status == "open"])
    people = trail_people(db.session, events, {instance.initiator} | {a.uploaded_by for a in ops.attachments}
                          | {c.recipient for c in ops.copied_to} | {r.assignee or "" for r in rows})
    return render_template(
        "instances/detail.html", instance=instance, sees_workspace=sees_campaign(actor, instance),
        definition=definition, rows=rows, events=events,
        diagram={"done": done, "active": active, "current": current}, context=context,
        may_cancel=may_cancel, cancel_errors=cancel_errors or {}, cancel_reason=cancel_reason,
        org_name=names.get(instance.org_code, instance.org_code), ops=ops, people=people,
        deferral=resignation.deferral(db.session, instance), leaving=resignation.leaving(instance),
        waits=queries.waiting_for(db.session, instance) if not current else [],
    ), status


@bp.get("/<int:instance_id>/diagram.bpmn")
@login_required
def diagram(instance_id: int):
    """The BPMN of the version this instance runs on, for the viewer (scoped like the instance)."""
    instance = access.get_instance(db.session, current_actor(), instance_id)
    definition = db.session.get(Definition, instance.definition_id)
    response = Response(definition.bpmn, mimetype="application/xml")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/<int:instance_id>/cancel")
@login_required
def cancel(instance_id: int):
    actor = current_actor()
    reason = request.form.get("reason", "")
    try:
        commands.cancel_instance(db.session, actor, instance_id, reason)
    except InvalidData as exc:
        instance = access.get_instance(db.session, actor, instance_id)
        return _render(instance, cancel_errors=exc.fields, cancel_reason=reason, status=FORM_ERRORS)
    except (Conflict, Forbidden) as exc:
        flash(refusal_text(exc), "error")
    else:
        flash(_("流程已撤销。"), "success")
    return redirect(url_for("instance_pages.show", instance_id=instance_id))
