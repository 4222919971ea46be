"""Ranking and selection in the campaign workspace (排名、体检、考察、公示): the ranked list per post with
the interview cut-off and ties, physical and vetting results with the substitute they call (递补), the
physical re-exam, objections and their findings, and the publicity list.

Every change is one engine.recruitment.selection command, as in the API; a refusal is flashed on the page.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.recruitment import selection, workspace
from web.extensions import db
from web.views.pages import current_actor, login_required, page_blueprint
from web.views.refusals import attempt

bp = page_blueprint("recruitment_selection", __name__, url_prefix="/recruitments")
CHECK_NAMES = {"physical": "体检", "vetting": "考察"}


@bp.get("/<int:instance_id>/selection")
@login_required
def show(instance_id: int):
    actor = current_actor()
    campaign = workspace.overview(db.session, actor, instance_id)
    return render_template(
        "recruitments/selection.html", campaign=campaign,
        standings=workspace.standings(db.session, actor, instance_id),
        objections=workspace.objections(db.session, actor, instance_id),
        publicity=workspace.publicity_list(db.session, actor, instance_id),
        post_names={p.code: p.name for p in campaign.posts})


def _back(instance_id: int):  # noqa: ANN202
    return redirect(url_for("recruitment_selection.show", instance_id=instance_id))


def _substituted(application, substitute) -> None:  # noqa: ANN001
    if substitute is not None:
        flash(_("%(name)s 递补进入体检（原排名第 %(rank)s 名）。", name=substitute.name, rank=substitute.rank), "info")


@bp.post("/<int:instance_id>/applications/<int:application_id>/physical", defaults={"check": "physical"})
@bp.post("/<int:instance_id>/applications/<int:application_id>/vetting", defaults={"check": "vetting"})
@login_required
def record_check(instance_id: int, application_id: int, check: str):
    result = request.form.get("result")
    if result not in ("pass", "fail"):
        flash(_("请选择%(check)s结论（合格或不合格）。", check=CHECK_NAMES[check]), "error")
        return _back(instance_id)
    outcome, ok = attempt(lambda: selection.record_check(
        db.session, current_actor(), instance_id, application_id, check, result == "pass", request.form.get("note")))
    if ok:
        application, substitute = outcome
        word = _("合格") if result == "pass" else _("不合格")
        flash(_("已记录 %(name)s 的%(check)s结论：%(word)s。", name=application.name, check=CHECK_NAMES[check],
                word=word), "success")
        _substituted(application, substitute)
    return _back(instance_id)


@bp.post("/<int:instance_id>/applications/<int:application_id>/physical-reexam")
@login_required
def reexam(instance_id: int, application_id: int):
    outcome, ok = attempt(lambda: selection.request_physical_reexam(
        db.session, current_actor(), instance_id, application_id, request.form.get("note")))
    if ok:
        application, substitute = outcome
        flash(_("已受理 %(name)s 的体检复检申请。", name=application.name), "success")
        if substitute is not None:
            flash(_("%(name)s 退回候补名单。", name=substitute.name), "info")
    return _back(instance_id)


@bp.post("/<int:instance_id>/objections")
@login_required
def file_objection(instance_id: int):
    summary = (request.form.get("summary") or "").strip()
    chosen = request.form.get("application_id", "")
    if not chosen.isdigit() or not summary:
        flash(_("请选择被反映人员并填写异议内容。"), "error")
        return _back(instance_id)
    _objection, ok = attempt(lambda: selection.file_objection(
        db.session, current_actor(), instance_id, int(chosen), summary))
    if ok:
        flash(_("已登记异议。"), "success")
    return _back(instance_id)


@bp.post("/<int:instance_id>/objections/<int:objection_id>/decision")
@login_required
def decide_objection(instance_id: int, objection_id: int):
    finding = (request.form.get("finding") or "").strip()
    upheld = request.form.get("upheld")
    if upheld not in ("yes", "no") or not finding:
        flash(_("请选择异议是否成立并填写调查结论。"), "error")
        return _back(instance_id)
    outcome, ok = attempt(lambda: selection.decide_objection(
        db.session, current_actor(), instance_id, objection_id, upheld == "yes", finding))
    if ok:
        flash(_("已记录异议调查结论。"), "success")
        _substituted(None, outcome[1])
    return _back(instance_id)
