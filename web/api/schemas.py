"""marshmallow schemas: the API's input and output, and the source of its OpenAPI document."""

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from engine.models import Instance
from web.api import messages  # noqa: F401 - Chinese refusals, installed before any field below is built
from web.extensions import db


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "machine-readable reason, e.g. not_found"})
    message = fields.String(required=True, metadata={"description": "the reason in words (Chinese)"})
    details = fields.Dict(required=True, metadata={"description": "more about the refusal; field errors "
                                                                  "under `fields` for 422"})


class ErrorSchema(Schema):
    """The error envelope of every refusal: {"error": {code, message, details}}."""

    error = fields.Nested(ErrorBody, required=True)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class TokenRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class TokenResponse(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(allow_none=True)


class ProcessSchema(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    version = fields.Integer(required=True)
    deployed_at = fields.DateTime(required=True)


class ProcessDetailSchema(ProcessSchema):
    deployed_by = fields.String()
    start_form = fields.Dict(allow_none=True)


class TaskSchema(Schema):
    id = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True)
    role = fields.String(required=True)
    org = fields.String(attribute="org_code", required=True)
    status = fields.String(required=True)
    assignee = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True)
    due_provisional = fields.Boolean(metadata={
        "description": "due_at was counted in working days through a year whose official holiday "
                       "arrangement is not loaded yet (暂定); it may move when an administrator loads it"})
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    on_behalf_of = fields.String(allow_none=True, metadata={"description": "completed by a proxy for this user"})
    case_title = fields.Method("_case_title", metadata={
        "type": "string", "description": "the title of the task's case, e.g. 王晓梅的辞职申请"})

    def _case_title(self, row) -> str | None:  # noqa: ANN001
        """A list sets the titles of its page at once; a single task reads its case's."""
        read = row.get if isinstance(row, dict) else lambda name: getattr(row, name, None)
        if read("case_title") is not None:
            return read("case_title")
        return db.session.scalar(select(Instance.title).where(Instance.id == read("instance_id")))


class TaskDetailSchema(TaskSchema):
    form = fields.Dict(allow_none=True)
    context = fields.Dict()


class InstanceSchema(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    business_key = fields.String(allow_none=True)
    title = fields.String(allow_none=True, metadata={
        "description": "the title people know the case by: 王晓梅的辞职申请, 对王晓梅的辞退, the campaign's title"})
    org = fields.String(attribute="org_code", required=True)
    status = fields.String(required=True)
    outcome = fields.String(allow_none=True)
    data = fields.Dict()
    open_tasks = fields.List(fields.Nested(TaskSchema))
    deferred = fields.Boolean(metadata={"description": "暂缓：辞职因不得辞职情形（003 第三十九条）等待，情形消除后自动继续"})
    deferred_reason = fields.String(allow_none=True)
    deferred_bars = fields.List(fields.String(), metadata={"description": "the worker-record flags that hold the case"})
    leaving_on = fields.String(allow_none=True, metadata={"format": "date",
        "description": "辞职：离职日期（合同的最后一天，次日零时终止合同）；尚未确定的为 null"})
    awaiting_leaving_date = fields.Boolean(metadata={
        "description": "辞职：交接已办结，等待离职日期结束后终止合同（待离职日生效）"})
    status_text = fields.String(allow_none=True, metadata={"description": "案件当前所处的等待状态，如“待离职日生效”"})
    initiator = fields.String()
    created_at = fields.DateTime(required=True)
    completed_at = fields.DateTime(allow_none=True)


class StartRequest(Schema):
    business_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=128))
    org = fields.String(required=True, validate=validate.Length(min=1, max=32))
    data = fields.Dict(load_default=dict)


class InstanceQuery(PageArgs):
    key = fields.String()
    status = fields.String(validate=validate.OneOf(["running", "completed", "cancelled", "error"]))
    business_key = fields.String()
    org = fields.String()


class CancelRequest(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class EventSchema(Schema):
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    type = fields.String(required=True)
    task_id = fields.String(allow_none=True)
    detail = fields.Dict()


class TaskQuery(PageArgs):
    process = fields.String()
    instance = fields.Integer()
    assignee = fields.String(validate=validate.OneOf(["me"]))


class CompleteRequest(Schema):
    data = fields.Dict(load_default=dict)
    attachments = fields.List(fields.Integer(), load_default=list,
                              metadata={"description": "ids of files uploaded to the case, cited by this decision"})


class CompleteResponse(Schema):
    instance = fields.Nested(InstanceSchema)


class ContractSchema(Schema):
    type = fields.String(validate=validate.OneOf(["选任", "招聘", "elected", "recruited"]), allow_none=True)
    start = fields.Date(allow_none=True)
    end = fields.Date(allow_none=True)
    probation_end = fields.Date(allow_none=True)


class FlagsSchema(Schema):
    under_audit = fields.Boolean()
    under_discipline_review = fields.Boolean()
    criminal_case_pending = fields.Boolean()
    work_injury_disability = fields.Boolean()
    medical_period_until = fields.Date(allow_none=True)
    pregnancy_or_nursing_until = fields.Date(allow_none=True)
    is_elected = fields.Boolean()
    unfinished_business = fields.Boolean(metadata={"description": "重要公务尚未处理完毕（不得辞职情形）"})


class WorkerSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    gender = fields.String(allow_none=True, validate=validate.OneOf(["男", "女", "male", "female"]))
    birth_date = fields.Date(allow_none=True)
    education = fields.String(allow_none=True, validate=validate.Length(max=32))
    id_number = fields.String(load_only=True, allow_none=True, validate=validate.Regexp(r"^\d{17}[\dXx]$"))
    org = fields.String(attribute="org_code", data_key="org", required=True)
    status = fields.String(load_default="active", validate=validate.OneOf(["probation", "active"]))
    contract = fields.Nested(ContractSchema, load_default=dict)
    flags = fields.Nested(FlagsSchema, load_default=dict)
    data = fields.Dict(load_default=dict)


class WorkerOut(Schema):
    """A worker as the API shows it (dates inside flags and contract are ISO strings)."""

    id = fields.Integer()
    name = fields.String()
    gender = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    education = fields.String(allow_none=True)
    org = fields.String(attribute="org_code")
    status = fields.String()
    contract = fields.Dict()
    flags = fields.Dict()
    data = fields.Dict()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "档案版本：每次修改加一；修改时回传（version 或 If-Match）以防覆盖他人的修改"})


class WorkerPatch(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    gender = fields.String(allow_none=True, validate=validate.OneOf(["男", "女", "male", "female"]))
    birth_date = fields.Date(allow_none=True)
    education = fields.String(allow_none=True, validate=validate.Length(max=32))
    contract = fields.Nested(ContractSchema)
    flags = fields.Nested(FlagsSchema)
    data = fields.Dict()
    reason = fields.String(validate=validate.Length(max=500))
    version = fields.Integer(strict=True, validate=validate.Range(min=1),
                             metadata={"description": "读取时的档案版本；档案已变则 409 worker_changed，不写入"})


class WorkerQuery(PageArgs):
    org = fields.String()
    status = fields.String()


class WorkerChangeSchema(Schema):
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    field = fields.String(required=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    source = fields.String()


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """A paginated list of `item`: {items, total, page, per_page}."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "total": fields.Integer(required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
    }, name=name)
