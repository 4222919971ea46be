"""Tasks: the caller's open tasks (its roles, its org scope), claim, unclaim, complete."""

from flask_smorest import Blueprint
from sqlalchemy import select

from engine.models import Definition, Instance, TaskRow
from engine.process import commands
from engine.process.task_index import get_task_row
from engine.reads.task_lists import list_filters, open_tasks
from engine.workflow.forms import task_form
from web.api.common import caller, instance_view
from web.api.schemas import (
    CompleteRequest,
    CompleteResponse,
    TaskDetailSchema,
    TaskQuery,
    TaskSchema,
    page_schema,
)
from web.extensions import db

PREFIX = "/tasks"
blp = Blueprint("tasks", __name__, description="待办任务 Tasks")


@blp.route("")
@blp.arguments(TaskQuery, location="query")
@blp.response(200, page_schema(TaskSchema, "TaskPage"))
def list_tasks(args: dict):
    actor = caller()
    page = open_tasks(db.session, actor, list_filters(actor, args), page=args.get("page", 1),
                      per_page=args.get("per_page", 20))
    titles = dict(db.session.execute(select(Instance.id, Instance.title).where(
        Instance.id.in_({row.instance_id for row in page["items"]}))).all()) if page["items"] else {}
    for row in page["items"]:
        row.case_title = titles.get(row.instance_id)
    return page


@blp.route("/<string:task_id>")
@blp.response(200, TaskDetailSchema)
def get_task(task_id: str):
    row = get_task_row(db.session, caller(), task_id)
    instance = db.session.get(Instance, row.instance_id)
    definition = db.session.get(Definition, instance.definition_id)
    form = task_form(definition.forms, row.form_key)
    view = {column.key: getattr(row, column.key) for column in TaskRow.__table__.columns}
    view.update(form=form, context={"instance": {"id": instance.id, "key": instance.key,
                                                 "business_key": instance.business_key,
                                                 "title": instance.title,
                                                 "org": instance.org_code, "status": instance.status},
                                    "data": instance.data})
    return view


@blp.route("/<string:task_id>/claim", methods=["POST"])
@blp.response(200, TaskSchema)
def claim(task_id: str):
    return commands.claim_task(db.session, caller(), task_id)


@blp.route("/<string:task_id>/unclaim", methods=["POST"])
@blp.response(200, TaskSchema)
def unclaim(task_id: str):
    return commands.unclaim_task(db.session, caller(), task_id)


@blp.route("/<string:task_id>/complete", methods=["POST"])
@blp.arguments(CompleteRequest)
@blp.response(200, CompleteResponse)
def complete(body: dict, task_id: str):
    instance = commands.complete_task(db.session, caller(), task_id, body["data"], attachments=body["attachments"])
    return {"instance": instance_view(instance)}
