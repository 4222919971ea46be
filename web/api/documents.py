"""Files of a case: attachments (附件), the printable approval form (审批表, PDF) and Excel exports (导出)."""

from urllib.parse import quote

from flask import Response
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema

from engine.collab import attachments
from engine.reads import case_lists, exports, printing
from engine.reads.task_lists import list_filters, page_statement, task_branches
from web.api.common import caller, paginate
from web.api.operation_schemas import AttachmentSchema
from web.api.schemas import InstanceQuery, PageArgs, TaskQuery, page_schema
from web.extensions import db

PREFIX = ""
blp = Blueprint("documents", __name__, description="附件、审批表与导出 Attachments, approval form, exports")


@blp.before_request
def _authenticate() -> None:
    """Who calls first: no token is a 401 before any body is read."""
    caller()


class UploadForm(Schema):
    file = Upload(required=True)


def _binary(mimetype: str) -> dict:
    return {"responses": {"200": {"content": {mimetype: {"schema": {"type": "string", "format": "binary"}}}}}}


def _download(content: bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/instances/<int:instance_id>/attachments", methods=["POST"])
@blp.arguments(UploadForm, location="files")
@blp.response(201, AttachmentSchema)
def upload(files: dict, instance_id: int):
    """Upload a file to a running case (multipart field `file`); cite its id in a decision's `attachments`.
    422 `attachment_too_large` / `attachment_type_not_allowed`."""
    file = files["file"]
    return attachments.upload(db.session, caller(), instance_id, filename=file.filename or "",
                              content_type=file.mimetype or "", content=file.read())


@blp.route("/instances/<int:instance_id>/attachments")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(AttachmentSchema, "AttachmentPage"))
def list_attachments(args: dict, instance_id: int):
    """The case's files, oldest first (without their content)."""
    return paginate(attachments.list_query(db.session, caller(), instance_id), args)


@blp.route("/attachments/<int:attachment_id>")
@blp.response(200, description="the file", content_type="application/octet-stream")
@blp.doc(**_binary("application/octet-stream"))
def download(attachment_id: int):
    row = attachments.get(db.session, caller(), attachment_id)
    return _download(row.content, row.content_type, row.filename)


@blp.route("/instances/<int:instance_id>/form.pdf")
@blp.response(200, description="A4 approval form", content_type="application/pdf")
@blp.doc(**_binary("application/pdf"))
def approval_form(instance_id: int):
    """审批表: the case data and every step's decision, comment, person and time (503 `pdf_unavailable`)."""
    pdf = printing.approval_form_pdf(db.session, caller(), instance_id)
    return _download(pdf, "application/pdf", f"审批表-{instance_id}.pdf", inline=True)


@blp.route("/exports/tasks.xlsx")
@blp.arguments(TaskQuery, location="query")
@blp.response(200, description="the caller's open tasks as Excel", content_type=exports.XLSX_MIME)
@blp.doc(**_binary(exports.XLSX_MIME))
def export_tasks(args: dict):
    """The task list of GET /tasks (same filters, every page) as an Excel file people read: names and
    words in Chinese instead of the codes the JSON carries."""
    actor = caller()
    rows = list(db.session.scalars(page_statement(task_branches(db.session, actor), list_filters(actor, args),
                                                  page=1, per_page=exports.MAX_ROWS)))
    columns = exports.readable_task_columns(exports.names_for(db.session, (t.assignee for t in rows)))
    cases = exports.cases_of(db.session, {t.instance_id for t in rows})
    columns[1:1] = [("案件标题", lambda t: cases[t.instance_id].title if t.instance_id in cases else None),
                    ("业务编号", lambda t: cases[t.instance_id].business_key if t.instance_id in cases else None)]
    return _download(exports.export(rows, columns, title="待办任务"), exports.XLSX_MIME, "待办任务.xlsx")


@blp.route("/exports/instances.xlsx")
@blp.arguments(InstanceQuery, location="query")
@blp.response(200, description="cases in scope as Excel", content_type=exports.XLSX_MIME)
@blp.doc(**_binary(exports.XLSX_MIME))
def export_instances(args: dict):
    """The case list of GET /instances (same filters, every page) as an Excel file people read: names
    and words in Chinese instead of the codes the JSON carries."""
    filters = {name: args.get(name) for name in ("key", "status", "business_key", "org")}
    query = case_lists.instance_statement(db.session, caller(), **filters)
    rows = list(db.session.scalars(query.limit(exports.MAX_ROWS)))
    columns = exports.readable_instance_columns(exports.names_for(db.session, (i.initiator for i in rows)))
    return _download(exports.export(rows, columns, title="流程实例"), exports.XLSX_MIME,
                     "流程实例.xlsx")
