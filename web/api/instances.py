"""Process instances: start (idempotent by business key), list and read in scope, events, cancel."""

from flask_smorest import Blueprint

from engine.process import access, commands
from engine.reads import case_lists
from web.api.common import caller, instance_view, paginate
from web.api.schemas import (
    CancelRequest,
    EventSchema,
    InstanceQuery,
    InstanceSchema,
    PageArgs,
    StartRequest,
    page_schema,
)
from web.extensions import db

PREFIX = ""
blp = Blueprint("instances", __name__, description="流程实例 Process instances")


@blp.route("/processes/<string:key>/instances", methods=["POST"])
@blp.arguments(StartRequest)
@blp.response(201, InstanceSchema)
@blp.alt_response(200, schema=InstanceSchema, description="an instance with this business key exists")
def start(body: dict, key: str):
    instance, created = commands.start_instance(
        db.session, caller(), key, org_code=body["org"], data=body["data"], business_key=body["business_key"])
    return instance_view(instance), 201 if created else 200


def _filters(args: dict) -> dict:
    return {name: args.get(name) for name in ("key", "status", "business_key", "org")}


@blp.route("/instances")
@blp.arguments(InstanceQuery, location="query")
@blp.response(200, page_schema(InstanceSchema, "InstancePage"))
def list_instances(args: dict):
    query = case_lists.instance_statement(db.session, caller(), **_filters(args))
    page = paginate(query, args)
    page["items"] = [instance_view(i) for i in page["items"]]
    return page


@blp.route("/instances/<int:instance_id>")
@blp.response(200, InstanceSchema)
def get_instance(instance_id: int):
    return instance_view(access.get_instance(db.session, caller(), instance_id))


@blp.route("/instances/<int:instance_id>/events")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(EventSchema, "EventPage"))
def list_events(args: dict, instance_id: int):
    access.get_instance(db.session, caller(), instance_id)
    return paginate(case_lists.event_statement(instance_id), args)


@blp.route("/instances/<int:instance_id>/cancel", methods=["POST"])
@blp.arguments(CancelRequest)
@blp.response(200, InstanceSchema)
def cancel(body: dict, instance_id: int):
    return instance_view(commands.cancel_instance(db.session, caller(), instance_id, body["reason"]))
