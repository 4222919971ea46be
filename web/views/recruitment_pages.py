"""The campaign workspace (招聘工作台): the applications of a recruitment campaign in the staff's scope,
and the qualification review of one or many of them, with reasons and the street's recommendation.

Reads come from engine.recruitment.workspace, every review is engine.recruitment.applications.review
(one transaction per application, so one refusal does not undo the others), exactly as the API.
"""

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.core.errors import DomainError, NotFound
from engine.models import Application
from engine.reads import queries
from engine.recruitment import applications, workspace
from engine.recruitment.precheck import RELAXATION_BASES
from web.api.recruitment_schemas import STATUS_TEXT
from web.extensions import db
from web.views.pages import current_actor, int_arg, login_required, page_blueprint, safe_next
from web.views.refusals import refusal_text

bp = page_blueprint("recruitment_pages", __name__, url_prefix="/recruitments")
PER_PAGE = 50
REVIEW_STAGES = ("registration", "qualification")
STAGE_TEXT = {
    "plan": "招聘方案审批", "filing": "方案备案", "notice": "发布招聘公告", "registration": "报名中",
    "qualification": "资格审查", "written_exam": "笔试", "interview": "面试", "physical": "体检",
    "vetting": "考察", "publicity_pending": "待公示", "publicity": "公示中", "publicity_closing": "公示结束",
    "hire": "聘用", "probation": "试用期", "probation_review": "试用期满考核", "waiting": "等待下一环节",
    "completed": "已办结", "cancelled": "已撤销",
}
ELIGIBLE = {"yes": True, "no": False}


def _filters() -> dict[str, str]:
    return {name: (request.args.get(name) or "").strip() for name in ("post", "status", "eligible", "q")}


@bp.get("/<int:instance_id>")
@login_required
def show(instance_id: int):
    actor = current_actor()
    campaign = workspace.overview(db.session, actor, instance_id)
    filters = _filters()
    query = workspace.applications_query(
        db.session, actor, instance_id, status=filters["status"] if filters["status"] in STATUS_TEXT else None,
        post=filters["post"] or None, eligible=ELIGIBLE.get(filters["eligible"]), search=filters["q"])
    page = queries.paginate(db.session, query, int_arg("page"), PER_PAGE)
    return render_template(
        "recruitments/workspace.html", campaign=campaign, page=page, filters=filters,
        counts=workspace.status_counts(db.session, actor, instance_id), status_text=STATUS_TEXT,
        stage_text=STAGE_TEXT, post_names={p.code: p.name for p in campaign.posts},
        may_review=campaign.stage in REVIEW_STAGES, bases=RELAXATION_BASES)


@bp.post("/<int:instance_id>/review")
@login_required
def review(instance_id: int):
    """Review the chosen applications one by one; say how many were done and why any were refused."""
    actor = current_actor()
    back = safe_next(request.form.get("next")) or url_for("recruitment_pages.show", instance_id=instance_id)
    chosen = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    decision = request.form.get("decision", "")
    reason = request.form.get("reason", "")
    basis = request.form.get("street_recommendation", "keep")
    recommendation = None if basis == "keep" else basis
    if not chosen:
        flash(_("请先勾选要审查的报名。"), "error")
        return redirect(back)
    if decision not in ("approve", "reject"):
        flash(_("请选择审查结论（通过或不通过）。"), "error")
        return redirect(back)
    done, refused = 0, []
    for application_id in chosen:
        try:
            applications.review(db.session, actor, instance_id, application_id, decision, reason, recommendation)
        except NotFound:
            refused.append(_("第 %(id)s 号报名不存在或不在您的管辖范围内", id=application_id))
        except DomainError as exc:
            refused.append(f"{_name(application_id)}：{refusal_text(exc)}")
        else:
            done += 1
    word = _("通过") if decision == "approve" else _("不通过")
    if done:
        flash(_("已审查 %(count)s 份报名（%(word)s）。", count=done, word=word), "success")
    for text in refused:
        flash(text, "error")
    return redirect(back)


def _name(application_id: int) -> str:
    application = db.session.get(Application, application_id)
    return application.name if application is not None else str(application_id)


# Where each stage's task has its work: the workspace tab its "进入招聘工作台" link opens.
TASK_TABS = {"close_written_exam": "recruitment_scores.show", "close_interview": "recruitment_scores.show",
             "close_physical": "recruitment_selection.show", "close_vetting": "recruitment_selection.show",
             "publish_list": "recruitment_selection.show", "close_publicity": "recruitment_selection.show",
             "hire": "recruitment_hire.show", "probation_review": "recruitment_hire.show"}


@bp.app_template_global("recruitment_workspace_url")
def recruitment_workspace_url(instance_id: int, task_name: str | None = None) -> str:
    return url_for(TASK_TABS.get(task_name or "", "recruitment_pages.show"), instance_id=instance_id)


@bp.app_template_global("recruitment_status")
def recruitment_status(status: str | None) -> str:
    return STATUS_TEXT.get(status or "", status or "—")


@bp.app_template_global("recruitment_stage")
def recruitment_stage(stage: str) -> str:
    return STAGE_TEXT.get(stage, stage)


def precheck_text(check: dict[str, Any] | None) -> str:
    """The pre-check's result in words: eligible, or each failure's message."""
    check = check or {}
    if check.get("eligible"):
        return _("符合")
    failures = "；".join(f.get("message", "") for f in check.get("failures") or [])
    return _("不符合：%(why)s", why=failures) if failures else _("不符合")


bp.add_app_template_global(precheck_text, "precheck_text")
