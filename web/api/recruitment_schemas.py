"""marshmallow schemas of the recruitment API: public registration and lookup, staff actions, rows."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from engine.models import APPLICATION_STATUSES
from engine.recruitment.applications import STAFF_SET_FIELDS, STAFF_SET_MESSAGE
from engine.recruitment.precheck import (
    DISQUALIFIERS,
    EDUCATION_LEVELS,
    PRIORITY_FLAGS,
    RELAXATION_BASES,
)
from web.api.schemas import PageArgs

STATUS_TEXT = {
    "submitted": "已报名，等待资格审查", "qualified": "资格审查通过", "rejected": "资格审查未通过",
    "written_failed": "笔试未达合格线或缺考", "not_shortlisted": "未进入面试", "interview": "进入面试",
    "interview_absent": "面试缺考", "ranked": "已排名（候补）", "physical": "待体检", "physical_failed": "体检不合格",
    "physical_reexam": "已申请复检，待复检结论",
    "vetting": "待考察", "vetting_failed": "考察不合格", "ready": "待公示", "publicised": "公示中",
    "objection_upheld": "公示异议成立，取消拟聘用资格", "cleared": "公示无异议，待办理聘用", "hired": "已聘用",
    "not_hired": "未聘用",
}
RESULT = validate.OneOf(["pass", "fail"])


class ApplicationIn(Schema):
    """报名表: what an applicant submits through the public form or API."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    gender = fields.String(required=True, validate=validate.OneOf(["男", "女"]))
    birth_date = fields.Date(required=True)
    id_number = fields.String(required=True, validate=validate.Regexp(r"^\d{17}[\dXx]$", error="身份证号码应为18位"))
    education = fields.String(required=True, validate=validate.OneOf(EDUCATION_LEVELS))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^1\d{10}$", error="手机号码应为11位"))
    post = fields.String(required=True, validate=validate.Length(min=1, max=32),
                         metadata={"description": "报考岗位所在社区的编码"})
    local_residence = fields.Boolean(load_default=False, metadata={"description": "本地户籍或在本地居住"})
    fresh_graduate = fields.Boolean(load_default=False, metadata={"description": "应届毕业生"})
    priority = fields.List(fields.String(validate=validate.OneOf(list(PRIORITY_FLAGS))), load_default=list,
                           metadata={"description": "优先条件（《内蒙古自治区社区工作者管理办法》第十条）"})
    declarations = fields.List(fields.String(validate=validate.OneOf(list(DISQUALIFIERS))), load_default=list,
                               metadata={"description": "如实声明的不得招聘情形（《内蒙古自治区社区工作者管理办法》第十一条）"})

    @pre_load
    def _no_self_recommendation(self, data: Any, **_: Any) -> Any:
        """The street's recommendation is the reviewers' to record (004 art. 9): named, not ignored."""
        if isinstance(data, dict):
            given = {name: [STAFF_SET_MESSAGE] for name in STAFF_SET_FIELDS if name in data}
            if given:
                raise ValidationError(given)
        return data


class PrecheckOut(Schema):
    eligible = fields.Boolean()
    age = fields.Integer()
    failures = fields.List(fields.Dict())
    relaxed = fields.List(fields.Dict())
    priority = fields.List(fields.String())


class ApplicationCreated(Schema):
    id = fields.Integer(required=True)
    application_no = fields.String(required=True, metadata={"description": "报名号：查询报名状态时与身份证号码一起使用"})
    status = fields.String(required=True)
    precheck = fields.Nested(PrecheckOut)


class LookupIn(Schema):
    application_no = fields.String(required=True, validate=validate.Length(min=1, max=20))
    id_number = fields.String(required=True, validate=validate.Length(min=15, max=18))


class ScoresOut(Schema):
    written = fields.Decimal(attribute="written_score", as_string=True, allow_none=True)
    written_absent = fields.Boolean()
    interview = fields.Decimal(attribute="interview_score", as_string=True, allow_none=True)
    interview_absent = fields.Boolean()
    total = fields.Decimal(attribute="total_score", as_string=True, allow_none=True)


class ApplicantStatusOut(Schema):
    """What an applicant sees of their own application: status, the reviewer's reason, scores, rank."""

    application_no = fields.String()
    name = fields.String()
    post = fields.String(attribute="post_community")
    status = fields.String()
    status_text = fields.Function(lambda a: STATUS_TEXT.get(a.status, a.status))
    review_reason = fields.String(allow_none=True)
    precheck = fields.Nested(PrecheckOut)
    scores = fields.Function(lambda a: ScoresOut().dump(a))
    rank = fields.Integer(allow_none=True)
    publicity_until = fields.Date(allow_none=True)
    publicity_provisional = fields.Boolean()  # counted through a year without its official arrangement


class ReviewOut(Schema):
    decision = fields.Function(lambda a: {"qualified": "approve", "rejected": "reject"}.get(a.status) if a.reviewed_at else None)
    reason = fields.String(attribute="review_reason", allow_none=True)
    by = fields.String(attribute="reviewed_by", allow_none=True)
    at = fields.DateTime(attribute="reviewed_at", allow_none=True)


class ApplicationOut(Schema):
    """An application as staff see it (the ID number masked)."""

    id = fields.Integer()
    application_no = fields.String()
    name = fields.String()
    gender = fields.String()
    birth_date = fields.Date()
    id_number = fields.Function(lambda a: a.id_number[:6] + "********" + a.id_number[-4:])
    education = fields.String()
    post = fields.String(attribute="post_community")
    status = fields.String()
    status_text = fields.Function(lambda a: STATUS_TEXT.get(a.status, a.status))
    precheck = fields.Nested(PrecheckOut)
    priority = fields.List(fields.String())
    review = fields.Function(lambda a: ReviewOut().dump(a))
    street_recommendation = fields.Function(
        lambda a: RecommendationOut().dump(a) if a.recommended_by_street and a.recommended_by else None)
    scores = fields.Function(lambda a: ScoresOut().dump(a))
    rank = fields.Integer(allow_none=True)
    substitute_for = fields.Integer(allow_none=True)
    physical_note = fields.String(allow_none=True)
    physical_failed_at = fields.DateTime(allow_none=True)
    physical_reexam_requested_at = fields.DateTime(allow_none=True)
    vetting_note = fields.String(allow_none=True)
    publicity_until = fields.Date(allow_none=True)
    publicity_provisional = fields.Boolean()  # counted through a year without its official arrangement
    worker_id = fields.Integer(allow_none=True)
    probation_result = fields.String(allow_none=True)
    submitted_at = fields.DateTime()


class ApplicationQuery(PageArgs):
    status = fields.String(validate=validate.OneOf(APPLICATION_STATUSES))
    post = fields.String()


class ReviewIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    street_recommendation = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf([*RELAXATION_BASES, ""]),
        metadata={"description": "街道推荐放宽年龄、学历条件的依据（《内蒙古自治区社区工作者管理办法》第九条）："
                                 "填写即记录推荐，空字符串撤销推荐，不填则不变"})


class RecommendationOut(Schema):
    basis = fields.String(attribute="relaxation_basis")
    basis_text = fields.Function(lambda a: RELAXATION_BASES.get(a.relaxation_basis or "", ""))
    by = fields.String(attribute="recommended_by")
    at = fields.DateTime(attribute="recommended_at")


class ScoreRow(Schema):
    application_no = fields.String(required=True)
    score = fields.Raw(load_default=None, allow_none=True, metadata={"description": "0–100，最多两位小数"})
    absent = fields.Boolean(load_default=False)


class ScoresIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["written", "interview"]))
    items = fields.List(fields.Nested(ScoreRow), required=True, validate=validate.Length(min=1, max=20000))


class ImportArgs(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["written", "interview"]))


class ScoresResult(Schema):
    imported = fields.Integer(required=True)


class CheckIn(Schema):
    result = fields.String(required=True, validate=RESULT)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ReexamIn(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                         metadata={"description": "复检申请说明"})


class CheckOut(Schema):
    application = fields.Nested(ApplicationOut)
    substitute = fields.Nested(ApplicationOut, allow_none=True)


class ContractIn(Schema):
    contract_start = fields.Date(required=True, metadata={"description": "劳动合同起始日"})
    contract_years = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=10),
                                  metadata={"description": "合同期限（年），不超过政策参数 contract_years"})
    probation_months = fields.Integer(required=True, validate=validate.Range(min=0, max=12),
                                      metadata={"description": "试用期（月），不超过政策参数和《劳动合同法》第十九条上限"})
    filing_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100),
                                  metadata={"description": "合同备案编号"})


class ContractOut(Schema):
    application = fields.Nested(ApplicationOut)
    worker_id = fields.Integer()


class ProbationIn(Schema):
    result = fields.String(required=True, validate=RESULT)
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ProbationOut(Schema):
    application = fields.Nested(ApplicationOut)
    dismissal_instance_id = fields.Integer(allow_none=True)


class ObjectionIn(Schema):
    application_id = fields.Integer(required=True)
    summary = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ObjectionDecisionIn(Schema):
    upheld = fields.Boolean(required=True)
    finding = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ObjectionOut(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    summary = fields.String()
    received_on = fields.Date()
    received_by = fields.String()
    status = fields.String()
    finding = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)


class ObjectionDecisionOut(Schema):
    objection = fields.Nested(ObjectionOut)
    substitute = fields.Nested(ApplicationOut, allow_none=True)


class PostOut(Schema):
    community = fields.String()
    name = fields.String()
    count = fields.Integer()


class CampaignOut(Schema):
    """The public notice of a campaign: what an applicant needs to register."""

    id = fields.Integer()
    title = fields.String()
    year = fields.Integer()
    posts = fields.List(fields.Nested(PostOut))
    registration_opens = fields.Date()
    registration_closes = fields.Date()
    registration_open = fields.Boolean()
    local_residence_required = fields.Boolean()
    conditions = fields.String(allow_none=True)
