"""Scores in the campaign workspace (成绩录入): typed in per applicant, or imported from an .xlsx sheet
with a report of every bad row, and a sheet to fill in downloaded with the applicants already listed.

Both ways are engine.recruitment.scores.enter_scores, as in the API: a batch with any bad row records
nothing, so the corrected sheet or form can simply be sent again.
"""

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.core.errors import Conflict, Forbidden, InvalidData, RuleViolation
from engine.reads import exports
from engine.recruitment import scores, workspace
from web.extensions import db
from web.views.ops_pages import download
from web.views.pages import FORM_ERRORS, current_actor, login_required, page_blueprint
from web.views.refusals import refusal_text

bp = page_blueprint("recruitment_scores", __name__, url_prefix="/recruitments")
AWAITING = {"written": "qualified", "interview": "interview"}  # who a score of each kind is entered for
KIND_OF_STAGE = {"interview": "interview"}
TEMPLATE_COLUMNS = ("报名号", "姓名", "岗位（社区）", "成绩", "缺考")


def _kind(stage: str) -> str:
    kind = request.values.get("kind") or KIND_OF_STAGE.get(stage, "written")
    return kind if kind in AWAITING else "written"


def _page(instance_id: int, *, entered: dict[str, Any] | None = None, report: list[dict[str, Any]] | None = None,
          notice: str | None = None, status: int = 200):  # noqa: ANN202
    actor = current_actor()
    campaign = workspace.overview(db.session, actor, instance_id)
    kind = _kind(campaign.stage)
    rows = workspace.score_rows(db.session, actor, instance_id, AWAITING[kind])
    return render_template(
        "recruitments/scores.html", campaign=campaign, kind=kind, kind_name=scores.KIND_NAMES[kind], rows=rows,
        entered=entered or {}, report=report or [], notice=notice,
        post_names={p.code: p.name for p in campaign.posts}), status


@bp.get("/<int:instance_id>/scores")
@login_required
def show(instance_id: int):
    return _page(instance_id)


@bp.post("/<int:instance_id>/scores")
@login_required
def enter(instance_id: int):
    """The scores typed into the table: every row with a score or marked absent."""
    kind = request.form.get("kind", "written")
    numbers = request.form.getlist("application_no")
    entered = {no: {"score": request.form.get(f"score-{no}", "").strip(), "absent": request.form.get(f"absent-{no}") == "1"}
               for no in numbers}
    rows = [{"row": index, "application_no": no, "score": value["score"], "absent": value["absent"]}
            for index, (no, value) in enumerate(entered.items(), start=1) if value["score"] or value["absent"]]
    if not rows:
        return _page(instance_id, entered=entered, notice=_("没有填写任何成绩。"), status=FORM_ERRORS)
    return _record(instance_id, kind, rows, entered=entered)


@bp.post("/<int:instance_id>/scores/import")
@login_required
def import_sheet(instance_id: int):
    """An .xlsx sheet (columns 报名号, 成绩, optional 缺考): all rows recorded, or a report of each bad row."""
    kind = request.form.get("kind", "written")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(instance_id, notice=_("请选择要导入的 Excel 文件。"), status=FORM_ERRORS)
    if not upload.filename.lower().endswith(".xlsx"):
        return _page(instance_id, notice=_("请上传 .xlsx 文件。"), status=FORM_ERRORS)
    try:
        rows = scores.rows_from_xlsx(upload.read())
    except InvalidData as exc:
        return _page(instance_id, notice=refusal_text(exc), status=FORM_ERRORS)
    if not rows:
        return _page(instance_id, notice=_("表格中没有成绩。"), status=FORM_ERRORS)
    return _record(instance_id, kind, rows)


def _record(instance_id: int, kind: str, rows: list[dict[str, Any]], *, entered: dict[str, Any] | None = None):  # noqa: ANN202
    try:
        count = scores.enter_scores(db.session, current_actor(), instance_id, kind, rows)
    except RuleViolation as exc:
        return _page(instance_id, entered=entered, report=exc.details.get("rows") or [], notice=exc.message,
                     status=FORM_ERRORS)
    except (Conflict, Forbidden) as exc:
        return _page(instance_id, entered=entered, notice=refusal_text(exc), status=FORM_ERRORS)
    flash(_("已录入 %(count)s 人的%(kind)s成绩。", count=count, kind=scores.KIND_NAMES[kind]), "success")
    return redirect(url_for("recruitment_scores.show", instance_id=instance_id, kind=kind))


@bp.get("/<int:instance_id>/scores/template.xlsx")
@login_required
def template(instance_id: int):
    """The sheet to fill in: one row per applicant awaiting this kind of score, with any score so far."""
    actor = current_actor()
    campaign = workspace.overview(db.session, actor, instance_id)
    kind = _kind(campaign.stage)
    names = {p.code: p.name for p in campaign.posts}
    rows = [(a.application_no, a.name, names.get(a.post_community, a.post_community),
             getattr(a, f"{kind}_score"), "是" if getattr(a, f"{kind}_absent") else "")
            for a in workspace.score_rows(db.session, actor, instance_id, AWAITING[kind])]
    title = f"{scores.KIND_NAMES[kind]}成绩"
    content = exports.xlsx_bytes(TEMPLATE_COLUMNS, rows, title=title, widths=[20, 12, 22, 10, 8])
    return download(content, exports.XLSX_MIME, f"{title}-{instance_id}.xlsx")
