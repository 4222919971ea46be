"""The worker record (档案): create, read, list in scope, update flags and data, history."""

from flask import request
from flask_smorest import Blueprint

from engine.core.errors import InvalidData
from engine.models import Worker
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
    return _with_etag(workers.get_worker(db.session, caller(), worker_id))


@blp.route("/<int:worker_id>", methods=["PATCH"])
@blp.arguments(WorkerPatch)
@blp.response(200, WorkerOut)
def update(body: dict, worker_id: int):
    expected = tuple(v for v in (body.pop("version", None), _if_match()) if v is not None)
    return _with_etag(worker_records.update_worker(db.session, caller(), worker_id, body,
                                                   expected_versions=expected))


@blp.route("/<int:worker_id>/history")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(WorkerChangeSchema, "WorkerHistoryPage"))
def history(args: dict, worker_id: int):
    return paginate(workers.history(db.session, caller(), worker_id), args)


def _with_etag(worker: Worker) -> tuple[Worker, int, dict[str, str]]:
    """The worker with its version as the ETag, to be sent back as If-Match on the next edit."""
    return worker, 200, {"ETag": f'"{worker.version}"'}


def _if_match() -> int | None:
    """The version named by an If-Match header (`"3"`, `W/"3"` or `3`); `*` or none checks nothing."""
    raw = (request.headers.get("If-Match") or "").strip()
    if raw in ("", "*"):
        return None
    value = raw.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidData("If-Match 必须是档案的版本号", {"If-Match": ["必须是 GET 返回的 ETag，例如 \"3\""]})
    return int(value)
