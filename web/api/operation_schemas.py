"""marshmallow schemas of the approval operations (return, withdraw, transfer, delegate, add approvers,
copy, urge, proxies, notifications, attachments, predicted path)."""

from marshmallow import Schema, fields, validate

from web.api.schemas import InstanceSchema

Text = fields.String


class ReturnRequest(Schema):
    target = Text(required=True, validate=validate.Length(min=1, max=128),
                  metadata={"description": "`initiator` or the element id of an earlier user task"})
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))
    attachments = fields.List(fields.Integer(), load_default=list)


class ReturnTargetSchema(Schema):
    id = Text(required=True)
    title = Text(allow_none=True)
    kind = Text(required=True, metadata={"description": "initiator | task"})


class ReturnTargetList(Schema):
    items = fields.List(fields.Nested(ReturnTargetSchema), required=True)


class ReasonRequest(Schema):
    reason = Text(load_default="", validate=validate.Length(max=2000))


class HandOverRequest(Schema):
    to = Text(required=True, validate=validate.Length(min=1, max=64), metadata={"description": "user name"})
    comment = Text(load_default="", validate=validate.Length(max=2000))


class ResolveRequest(Schema):
    comment = Text(required=True, validate=validate.Length(min=1, max=2000))
    attachments = fields.List(fields.Integer(), load_default=list)


class AddApproversRequest(Schema):
    users = fields.List(Text(validate=validate.Length(min=1, max=64)), required=True,
                        validate=validate.Length(min=1, max=50))
    position = Text(required=True, validate=validate.OneOf(["before", "after"]))
    comment = Text(load_default="", validate=validate.Length(max=2000))


class VoteSchema(Schema):
    id = fields.Integer()
    approver = Text()
    phase = Text(metadata={"description": "before | main | after"})
    status = Text(metadata={"description": "waiting | pending | approved | rejected | returned | skipped | cancelled"})
    comment = Text(allow_none=True)
    decided_by = Text(allow_none=True)
    on_behalf_of = Text(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    added_by = Text(allow_none=True)


class VoteList(Schema):
    mode = Text(allow_none=True, metadata={"description": "single | all | any | ratio"})
    ratio = fields.Float(allow_none=True)
    status = Text(allow_none=True)
    items = fields.List(fields.Nested(VoteSchema), required=True)


class DelegationSchema(Schema):
    id = fields.Integer()
    task_id = Text()
    delegator = Text()
    delegate = Text()
    status = Text()
    comment = Text()
    reply = Text(allow_none=True)
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)


class UrgeRequest(Schema):
    message = Text(load_default="", validate=validate.Length(max=500))


class UrgeSchema(Schema):
    id = fields.Integer()
    task_id = Text()
    at = fields.DateTime()
    message = Text()


class CopyRequest(Schema):
    users = fields.List(Text(validate=validate.Length(min=1, max=64)), required=True,
                        validate=validate.Length(min=1, max=100))
    note = Text(load_default="", validate=validate.Length(max=500))


class CopyResult(Schema):
    copied = fields.List(Text(), required=True, metadata={"description": "recipients not copied before"})


class CopySchema(Schema):
    id = fields.Integer()
    instance = fields.Nested(InstanceSchema)
    copied_by = Text()
    note = Text()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class UnreadArgs(Schema):
    unread = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = Text(metadata={"description": "task | vote | returned | decision | finished | cc | reminder | "
                                         "overdue | escalation | urge | transferred | delegated | ..."})
    message = Text()
    instance_id = fields.Integer(allow_none=True)
    task_id = Text(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class CountSchema(Schema):
    unread = fields.Integer(required=True)


class ProxyRequest(Schema):
    proxy = Text(required=True, validate=validate.Length(min=1, max=64))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    process_key = Text(load_default=None, allow_none=True, validate=validate.Length(max=64))
    reason = Text(load_default="", validate=validate.Length(max=500))
    principal = Text(load_default=None, allow_none=True, metadata={"description": "administrators only"})


class ProxySchema(Schema):
    id = fields.Integer()
    principal = Text()
    proxy = Text()
    starts_on = fields.Date()
    ends_on = fields.Date()
    process_key = Text(allow_none=True)
    reason = Text()
    created_by = Text()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class AttachmentSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    task_id = Text(allow_none=True)
    filename = Text()
    content_type = Text()
    size = fields.Integer()
    sha256 = Text()
    uploaded_by = Text()
    uploaded_at = fields.DateTime()


class PathStepSchema(Schema):
    id = Text()
    title = Text(allow_none=True)
    role = Text(allow_none=True)
    org = Text(allow_none=True)
    process = Text(allow_none=True)
    approval_mode = Text(allow_none=True)
    certain = fields.Boolean(metadata={"description": "on every path from here, not only on some branches"})
    task_id = Text()


class PathBranchSchema(Schema):
    target = Text()
    condition = Text(allow_none=True)
    result = fields.Boolean(allow_none=True, metadata={"description": "null: cannot be judged yet"})
    default = fields.Boolean()


class PathGatewaySchema(Schema):
    id = Text()
    title = Text(allow_none=True)
    decided = fields.Boolean()
    branches = fields.List(fields.Nested(PathBranchSchema))


class PathSchema(Schema):
    instance_id = fields.Integer()
    status = Text()
    current = fields.List(fields.Nested(PathStepSchema))
    steps = fields.List(fields.Nested(PathStepSchema))
    gateways = fields.List(fields.Nested(PathGatewaySchema))
    ends = fields.List(fields.Dict())
