"""The approval operations from the task and case pages (退回 转办 委派 交回 加签 撤回 催办 抄送), the
case's files (附件), the printable approval form (审批表) and the Excel exports of the lists (导出).

Each POST is one engine call; what it refuses comes back as a message on the page it came from
(a 404 stays a page that never says whether the thing exists), what it did as a confirmation.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from engine.collab import attachments, copies, deadlines
from engine.models import TaskRow
from engine.operations import approvers, handover, returns, withdraw
from engine.process import access
from engine.process.task_index import get_task_row
from engine.reads import boxes, exports, printing, queries
from web.extensions import db
from web.views.inbox import box_of_request, filters_of_request
from web.views.instances import STATUSES
from web.views.pages import (
    _back_path,
    current_actor,
    date_arg,
    login_required,
    page_blueprint,
    person_name,
    safe_next,
)
from web.views.refusals import attempt

bp = page_blueprint("ops_pages", __name__)


def _cited() -> list[int]:
    return [int(v) for v in request.form.getlist("cite") if v.isdigit()]


def _task_page(task_id: str) -> str:
    return safe_next(request.form.get("next")) or url_for("task_pages.show", task_id=task_id)


def _done(row: TaskRow, text: str) -> Response:
    """After an operation that takes the task away from the user: back to the inbox, with the case linked."""
    flash({"text": text, "link": url_for("instance_pages.show", instance_id=row.instance_id),
           "link_text": _("查看流程进度")}, "success")
    return redirect(url_for("inbox.index"))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc: RequestEntityTooLarge):  # noqa: ANN201
    flash(_("文件太大，不能上传（每个请求不超过 4 MB）。"), "error")
    return redirect(safe_next(_back_path()) or url_for("inbox.index"))


# -- operations on a task -------------------------------------------------------------------------

@bp.post("/tasks/<string:task_id>/return")
@login_required
def return_task(task_id: str):
    actor = current_actor()
    row = get_task_row(db.session, actor, task_id)
    instance, ok = attempt(lambda: returns.return_task(
        db.session, actor, task_id, target=request.form.get("target", ""), reason=request.form.get("reason", ""),
        attachments=_cited()))
    if not ok:
        return redirect(_task_page(task_id))
    now = "、".join(r.title for r in instance.open_task_rows) or "—"
    return _done(row, _("已退回：%(title)s。案件现在在「%(now)s」。", title=row.title, now=now))


def _people(usernames: list[str]) -> str:
    """The people an action reached, as the confirmation names them: display names, in the order given."""
    return "、".join(person_name(name) for name in usernames)


@bp.post("/tasks/<string:task_id>/transfer")
@login_required
def transfer(task_id: str):
    actor = current_actor()
    to = request.form.get("to", "")
    row, ok = attempt(lambda: handover.transfer_task(db.session, actor, task_id, to=to,
                                                       comment=request.form.get("comment", "")))
    if not ok:
        return redirect(_task_page(task_id))
    return _done(row, _("已将「%(title)s」转办给 %(user)s。", title=row.title, user=person_name(to)))


@bp.post("/tasks/<string:task_id>/delegate")
@login_required
def delegate(task_id: str):
    actor = current_actor()
    to = request.form.get("to", "")
    delegation, ok = attempt(lambda: handover.delegate_task(db.session, actor, task_id, to=to,
                                                              comment=request.form.get("comment", "")))
    if not ok:
        return redirect(_task_page(task_id))
    row = db.session.get(TaskRow, delegation.task_id)
    return _done(row, _("已委派 %(user)s 办理「%(title)s」；交回后由您决定。", user=person_name(to), title=row.title))


@bp.post("/tasks/<string:task_id>/resolve")
@login_required
def resolve(task_id: str):
    actor = current_actor()
    delegation, ok = attempt(lambda: handover.resolve_delegation(
        db.session, actor, task_id, comment=request.form.get("comment", ""), attachments=_cited()))
    if not ok:
        return redirect(_task_page(task_id))
    row = db.session.get(TaskRow, delegation.task_id)
    return _done(row, _("已办理并交回 %(user)s：%(title)s。", user=person_name(delegation.delegator), title=row.title))


@bp.post("/tasks/<string:task_id>/approvers")
@login_required
def add_approvers(task_id: str):
    actor = current_actor()
    users = request.form.getlist("users")
    position = request.form.get("position", "")
    if position not in ("before", "after"):
        flash(_("请选择加签位置（之前或之后）。"), "error")
        return redirect(_task_page(task_id))
    ok = attempt(lambda: approvers.add_approvers(db.session, actor, task_id, users=users, position=position,
                                                 comment=request.form.get("comment", "")))[1]
    if ok:
        where = _("前加签") if position == "before" else _("后加签")
        flash(_("已加签（%(where)s）：%(users)s。", where=where, users=_people(users)), "success")
    return redirect(_task_page(task_id))


@bp.post("/tasks/<string:task_id>/withdraw")
@login_required
def withdraw_task(task_id: str):
    actor = current_actor()
    row = get_task_row(db.session, actor, task_id)
    was_open = row.status == "open"
    ok = attempt(lambda: withdraw.withdraw_task(db.session, actor, task_id, request.form.get("reason", "")))[1]
    if ok:
        flash(_("已撤回您的意见。") if was_open else _("已撤回您的决定：%(title)s，可重新办理。", title=row.title),
              "success")
    return redirect(_task_page(task_id))


@bp.post("/tasks/<string:task_id>/urge")
@login_required
def urge(task_id: str):
    actor = current_actor()
    urged, ok = attempt(lambda: deadlines.urge(db.session, actor, task_id, request.form.get("message", "")))
    back = safe_next(request.form.get("next"))
    if ok:
        row = db.session.get(TaskRow, urged.task_id)
        flash(_("已催办「%(title)s」，办理人会收到通知。", title=row.title), "success")
        back = back or url_for("instance_pages.show", instance_id=row.instance_id)
    return redirect(back or url_for("inbox.index"))


# -- operations on a case -------------------------------------------------------------------------

def _case_page(instance_id: int) -> Response:
    return redirect(url_for("instance_pages.show", instance_id=instance_id))


@bp.post("/instances/<int:instance_id>/withdraw")
@login_required
def withdraw_case(instance_id: int):
    actor = current_actor()
    access.get_instance(db.session, actor, instance_id)
    ok = attempt(lambda: withdraw.withdraw_case(db.session, actor, instance_id, request.form.get("reason", "")))[1]
    if ok:
        flash(_("申请已撤回，流程结束。"), "success")
    return _case_page(instance_id)


@bp.post("/instances/<int:instance_id>/cc")
@login_required
def copy_case(instance_id: int):
    actor = current_actor()
    instance = access.get_instance(db.session, actor, instance_id)
    users = [u for u in request.form.getlist("users") if u]
    if not users:
        flash(_("请选择抄送对象。"), "error")
        return _case_page(instance_id)
    copied, ok = attempt(lambda: copies.copy_by_user(db.session, actor, instance, users,
                                                     request.form.get("note", "").strip()[:500]))
    if ok and copied:
        flash(_("已抄送给：%(users)s。", users=_people(copied)), "success")
    elif ok:
        flash(_("所选人员已收到过本案件的抄送，没有重复发送。"), "info")
    return _case_page(instance_id)


@bp.post("/instances/<int:instance_id>/attachments")
@login_required
def upload(instance_id: int):
    actor = current_actor()
    file = request.files.get("file")
    back = safe_next(request.form.get("next")) or url_for("instance_pages.show", instance_id=instance_id)
    if file is None or not file.filename:
        access.get_instance(db.session, actor, instance_id)
        flash(_("请选择要上传的文件。"), "error")
        return redirect(back)
    stored, ok = attempt(lambda: attachments.upload(db.session, actor, instance_id, filename=file.filename or "",
                                                    content_type=file.mimetype or "", content=file.read()))
    if ok:
        flash(_("已上传附件：%(name)s。", name=stored.filename), "success")
    return redirect(back)


def download(content: bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    response = Response(content, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    row = attachments.get(db.session, current_actor(), attachment_id)
    return download(row.content, row.content_type, row.filename)


@bp.get("/instances/<int:instance_id>/form.pdf")
@login_required
def approval_form(instance_id: int):
    """审批表 for printing; a host without Pango answers with a page saying so (503)."""
    pdf = printing.approval_form_pdf(db.session, current_actor(), instance_id)
    return download(pdf, "application/pdf", f"审批表-{instance_id}.pdf", inline=True)


# -- Excel exports of the lists, with the lists' own filters -----------------------------------------

def _on_row(read: Callable[[Any], Any]) -> Callable[[tuple], Any]:
    return lambda item: read(item[0])


def _on_case(read: Callable[[Any], Any]) -> Callable[[tuple], Any]:
    return lambda item: read(item[1])


@bp.get("/inbox/export.xlsx")
@login_required
def export_inbox():
    """The box on screen, with its filters, as a spreadsheet: every row, not just the page."""
    actor = current_actor()
    tab, box = box_of_request()
    filters = filters_of_request()
    if tab == "todo":
        rows = queries.inbox(db.session, actor, box=box, process=filters.process, stage=filters.stage,
                             search=filters.search, per_page=exports.MAX_ROWS).items
        return _task_sheet(rows, [row[0].assignee for row in rows], "待办任务")
    if tab == "done":
        rows = boxes.done_page(db.session, actor, filters, per_page=exports.MAX_ROWS).items
        return _task_sheet(rows, [row[0].assignee for row in rows], "已处理", extra=[("办理时间", lambda item: item[0].completed_at)])
    if tab == "started":
        rows = boxes.started_page(db.session, actor, filters, per_page=exports.MAX_ROWS).items
        columns = [(name, _on_row(read)) for name, read in exports.readable_instance_columns(_names([actor.username]))]
        columns[5:5] = [("人员", lambda item: item[1])]
        return download(exports.export(rows, columns, title="我发起的"), exports.XLSX_MIME, "我发起的.xlsx")
    rows = boxes.copied_page(db.session, actor, filters, unread_only=request.args.get("unread") == "1",
                             per_page=exports.MAX_ROWS).items
    names = _names([])
    columns = [(name, _on_case(read)) for name, read in exports.readable_instance_columns(names) if name != "发起人"]
    columns[2:2] = [("发起人", lambda item: item[2]), ("抄送人", lambda item: item[3]),
                    ("附言", lambda item: item[0].note or None), ("抄送时间", lambda item: item[0].created_at),
                    ("已读", lambda item: "已读" if item[0].read_at else "未读")]
    return download(exports.export(rows, columns, title="抄送我的"), exports.XLSX_MIME, "抄送我的.xlsx")


def _task_sheet(rows: list[Any], usernames: list[str | None], title: str,
                extra: list[tuple[str, Callable[[Any], Any]]] | None = None) -> Response:
    """Task rows (TaskRow, business key, worker, case title, initiator, …) as the inbox reads them."""
    columns = [(name, _on_row(read)) for name, read in exports.readable_task_columns(_names(usernames))]
    columns[1:1] = [("案件标题", lambda item: item[3]), ("业务编号", lambda item: item[1]), ("人员", lambda item: item[2])]
    columns.extend([("发起人", lambda item: item[4]), *(extra or [])])
    return download(exports.export(rows, columns, title=title), exports.XLSX_MIME, f"{title}.xlsx")


@bp.get("/instances/export.xlsx")
@login_required
def export_instances():
    actor = current_actor()
    filters = {name: (request.args.get(name) or "").strip() for name in ("key", "status", "q", "org")}
    page = queries.search_instances(
        db.session, actor, key=filters["key"] or None,
        status=filters["status"] if filters["status"] in STATUSES else None, business_key=filters["q"] or None,
        org=filters["org"] or None, created_from=date_arg("from"), created_to=date_arg("to"),
        per_page=exports.MAX_ROWS)
    names = _names([row[0].initiator for row in page.items])
    columns = [(name, _on_row(read)) for name, read in exports.readable_instance_columns(names)]
    columns[5:5] = [("人员", lambda item: item[1])]
    return download(exports.export(page.items, columns, title="流程实例"), exports.XLSX_MIME, "流程实例.xlsx")


def _names(usernames: list[str | None]) -> exports.Names:
    return exports.names_for(db.session, usernames)
