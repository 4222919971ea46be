"""Recruitment (招聘): public registration and status lookup, and the staff's per-application work.

Public endpoints take no token and are rate-limited per client address (hashed, kept in the
database so every worker shares the count). Staff endpoints are scoped like every other: a
street's HR sees and reviews its own communities' applications in a district campaign.
"""

from flask import request
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema

from engine.core.errors import InvalidData
from engine.operations import probation as probation_review
from engine.recruitment import applications, scores, selection
from web.api.common import caller, paginate
from web.api.recruitment_schemas import (
    ApplicantStatusOut,
    ApplicationCreated,
    ApplicationIn,
    ApplicationOut,
    ApplicationQuery,
    CampaignOut,
    CheckIn,
    CheckOut,
    ContractIn,
    ContractOut,
    ImportArgs,
    LookupIn,
    ObjectionDecisionIn,
    ObjectionDecisionOut,
    ObjectionIn,
    ObjectionOut,
    ProbationIn,
    ProbationOut,
    ReexamIn,
    ReviewIn,
    ScoresIn,
    ScoresResult,
)
from web.api.schemas import ErrorSchema, PageArgs, page_schema
from web.extensions import db
from web.throttle import limit_public

PREFIX = "/recruitments"
blp = Blueprint("recruitments", __name__, description="招聘 Recruitment: applications and per-applicant work")

PUBLIC_LIMITED = {"recruitments.lookup": "lookup"}


@blp.before_request
def _limit_public_requests() -> None:
    """Count a lookup before its body is parsed, so malformed guesses count too (an application is
    counted once its body is well-formed: `apply`)."""
    kind = PUBLIC_LIMITED.get(request.endpoint or "")
    if kind:
        limit_public(kind)


class ImportFile(Schema):
    file = Upload(required=True)


@blp.route("/<int:instance_id>")
@blp.response(200, CampaignOut)
def notice(instance_id: int):
    """The published notice: posts and the registration window (public)."""
    return applications.public_notice(db.session, instance_id)


@blp.route("/<int:instance_id>/applications", methods=["POST"])
@blp.arguments(ApplicationIn)
@blp.response(201, ApplicationCreated)
@blp.alt_response(409, schema=ErrorSchema, description="registration_closed or duplicate_application")
@blp.alt_response(429, schema=ErrorSchema, description="too many requests from this address")
def apply(body: dict, instance_id: int):
    """Register for a campaign (public, no token, rate-limited per client address).

    Only a well-formed application is counted: a body refused by its schema costs the citizen nothing."""
    limit_public("apply")
    return applications.submit(db.session, instance_id, body)


@blp.route("/applications/lookup", methods=["POST"])
@blp.arguments(LookupIn)
@blp.response(200, ApplicantStatusOut)
def lookup(body: dict):
    """An applicant's own status, review reason, scores and rank, by application number and ID number."""
    return applications.lookup(db.session, body["application_no"], body["id_number"])


@blp.route("/<int:instance_id>/applications")
@blp.arguments(ApplicationQuery, location="query")
@blp.response(200, page_schema(ApplicationOut, "ApplicationPage"))
def list_applications(args: dict, instance_id: int):
    query = applications.list_query(db.session, caller(), instance_id, status=args.get("status"), post=args.get("post"))
    return paginate(query, args)


@blp.route("/<int:instance_id>/applications/<int:application_id>")
@blp.response(200, ApplicationOut)
def get_application(instance_id: int, application_id: int):
    return applications.staff_application(db.session, caller(), instance_id, application_id)


@blp.route("/<int:instance_id>/applications/<int:application_id>/review", methods=["POST"])
@blp.arguments(ReviewIn)
@blp.response(200, ApplicationOut)
def review(body: dict, instance_id: int, application_id: int):
    """资格审查: approve or reject one application with a reason the applicant can read."""
    return applications.review(db.session, caller(), instance_id, application_id, body["decision"], body["reason"],
                               body["street_recommendation"])


@blp.route("/<int:instance_id>/scores", methods=["POST"])
@blp.arguments(ScoresIn)
@blp.response(200, ScoresResult)
def enter_scores(body: dict, instance_id: int):
    """Written or interview scores as a batch; any bad row refuses the whole batch (422, every row listed)."""
    return {"imported": scores.enter_scores(db.session, caller(), instance_id, body["kind"], body["items"])}


@blp.route("/<int:instance_id>/scores/import", methods=["POST"])
@blp.arguments(ImportArgs, location="query")
@blp.arguments(ImportFile, location="files")
@blp.response(200, ScoresResult)
def import_scores(args: dict, files: dict, instance_id: int):
    """Scores from an .xlsx sheet (columns 报名号, 成绩, optional 缺考); all rows or none."""
    actor = caller()
    upload = files["file"]
    if not (upload.filename or "").lower().endswith(".xlsx"):
        raise InvalidData("请上传 .xlsx 文件", {"file": ["须为 .xlsx 文件"]})
    return {"imported": scores.import_sheet(db.session, actor, instance_id, args["kind"], upload.read)}


def _check(check: str, body: dict, instance_id: int, application_id: int) -> dict:
    application, substitute = selection.record_check(
        db.session, caller(), instance_id, application_id, check, body["result"] == "pass", body["note"])
    return {"application": application, "substitute": substitute}


@blp.route("/<int:instance_id>/applications/<int:application_id>/physical", methods=["POST"])
@blp.arguments(CheckIn)
@blp.response(200, CheckOut)
def physical(body: dict, instance_id: int, application_id: int):
    """体检 result; a failure substitutes the next ranked candidate of the post (递补)."""
    return _check("physical", body, instance_id, application_id)


@blp.route("/<int:instance_id>/applications/<int:application_id>/physical-reexam", methods=["POST"])
@blp.arguments(ReexamIn)
@blp.response(200, CheckOut)
@blp.alt_response(409, schema=ErrorSchema, description="not_physical_failed or substitute_already_examined")
@blp.alt_response(422, schema=ErrorSchema, description="reexam_already_used or reexam_window_closed")
def physical_reexam(body: dict, instance_id: int, application_id: int):
    """体检复检 request (once, within policy physical_reexam_days of the fail); the substitute goes back.

    The re-exam result is then recorded through the physical endpoint; `substitute` here is the
    candidate sent back to the reserve list, if one had been called.
    """
    application, substitute = selection.request_physical_reexam(
        db.session, caller(), instance_id, application_id, body["note"])
    return {"application": application, "substitute": substitute}


@blp.route("/<int:instance_id>/applications/<int:application_id>/vetting", methods=["POST"])
@blp.arguments(CheckIn)
@blp.response(200, CheckOut)
def vetting(body: dict, instance_id: int, application_id: int):
    """考察 result; a failure substitutes the next ranked candidate of the post (递补)."""
    return _check("vetting", body, instance_id, application_id)


@blp.route("/<int:instance_id>/objections")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(ObjectionOut, "ObjectionPage"))
def list_objections(args: dict, instance_id: int):
    return paginate(selection.objections_query(db.session, caller(), instance_id), args)


@blp.route("/<int:instance_id>/objections", methods=["POST"])
@blp.arguments(ObjectionIn)
@blp.response(201, ObjectionOut)
def file_objection(body: dict, instance_id: int):
    """An objection to a candidate received during the publicity period (公示异议)."""
    return selection.file_objection(db.session, caller(), instance_id, body["application_id"], body["summary"])


@blp.route("/<int:instance_id>/objections/<int:objection_id>/decision", methods=["POST"])
@blp.arguments(ObjectionDecisionIn)
@blp.response(200, ObjectionDecisionOut)
def decide_objection(body: dict, instance_id: int, objection_id: int):
    """The panel's finding; an upheld objection removes the candidate and substitutes the next."""
    objection, substitute = selection.decide_objection(
        db.session, caller(), instance_id, objection_id, body["upheld"], body["finding"])
    return {"objection": objection, "substitute": substitute}


@blp.route("/<int:instance_id>/applications/<int:application_id>/contract", methods=["POST"])
@blp.arguments(ContractIn)
@blp.response(201, ContractOut)
def contract(body: dict, instance_id: int, application_id: int):
    """签订劳动合同: the street signs a cleared candidate's contract; the worker record starts in probation."""
    application, worker = probation_review.sign_contract(
        db.session, caller(), instance_id, application_id,
        {**body, "contract_start": body["contract_start"].isoformat()})
    return {"application": application, "worker_id": worker.id}


@blp.route("/<int:instance_id>/applications/<int:application_id>/probation", methods=["POST"])
@blp.arguments(ProbationIn)
@blp.response(200, ProbationOut)
def probation(body: dict, instance_id: int, application_id: int):
    """试用期满考核: pass → active; fail → a dismissal case (ground probation_failed) when deployed."""
    application, dismissal_id = probation_review.record_probation(
        db.session, caller(), instance_id, application_id, body["result"] == "pass", body["note"])
    return {"application": application, "dismissal_instance_id": dismissal_id}
