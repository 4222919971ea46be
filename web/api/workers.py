"""The worker record (档案): create, read, list in scope, update flags and data, history."""

from flask_smorest import Blueprint

from engine.operations import worker_records
from engine.records import workers
from web.api.common import caller, paginate
from web.api.schemas import (
    PageArgs,
    WorkerChangeSchema,
    WorkerOut,
    WorkerPatch,
    WorkerQuery,
    WorkerSchema,
    page_schema,
)
from web.extensions import db

PREFIX = "/workers"
blp = Blueprint("workers", __name__, description="社区工作者档案 Worker records")


@blp.route("", methods=["POST"])
@blp.arguments(WorkerSchema)
@blp.response(201, WorkerOut)
def create(body: dict):
    body["org"] = body.pop("org_code")
    return workers.create_worker(db.session, caller(), body)


@blp.route("")
@blp.arguments(WorkerQuery, location="query")
@blp.response(200, page_schema(WorkerOut, "WorkerPage"))
def list_workers(args: dict):
    return paginate(workers.list_workers(db.session, caller(), org=args.get("org"), status=args.get("status")),
                    args)


@blp.route("/<int:worker_id>")
@blp.response(200, WorkerOut)
def get_worker(worker_id: int):
    return workers.get_worker(db.session, caller(), worker_id)


@blp.route("/<int:worker_id>", methods=["PATCH"])
@blp.arguments(WorkerPatch)
@blp.response(200, WorkerOut)
def update(body: dict, worker_id: int):
    return worker_records.update_worker(db.session, caller(), worker_id, body)


@blp.route("/<int:worker_id>/history")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(WorkerChangeSchema, "WorkerHistoryPage"))
def history(args: dict, worker_id: int):
    return paginate(workers.history(db.session, caller(), worker_id), args)
