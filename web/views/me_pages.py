"""The signed-in user's own pages: notifications (站内通知, the bell in the header), cases copied to
me (抄送我的) and my settings — the out-of-office proxy (代理人)."""

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.collab import copies, notifications
from engine.collab.delegation import create_proxy, proxies_query, revoke_proxy
from engine.core import clock
from engine.core.errors import DomainError, NotFound
from engine.core.scope import Actor
from engine.reads import queries
from engine.reads.case_lists import still_open
from engine.reads.offers import display_names, proxy_candidates
from engine.workflow.definitions import latest_definitions
from web.extensions import db
from web.views.pages import FORM_ERRORS, current_actor, int_arg, login_required, page_blueprint, safe_next

bp = page_blueprint("me_pages", __name__)
PER_PAGE = 20
KINDS = {
    "task": _l("新待办"), "vote": _l("待您审批"), "returned": _l("已退回"), "decision": _l("审批结果"),
    "finished": _l("流程办结"), "cc": _l("抄送"), "reminder": _l("即将到期"), "escalation": _l("超期督办"),
    "overdue": _l("已超期"), "urge": _l("催办"), "transferred": _l("转办"), "delegated": _l("委派"),
    "delegation_resolved": _l("委派已办理"), "withdrawn": _l("已撤回"), "process": _l("流程通知"),
    "resubmit": _l("退回修改"),
}

# Why a notice needs nothing more of its reader (engine/collab/notifications.py `_lapse`).
LAPSES = {
    "done_by_you": _l("您已办理此环节"), "done": _l("%(who)s 已办理此环节"), "taken": _l("此环节现由 %(who)s 办理"),
    "delegation_over": _l("委派已交回或已撤销"), "vote_over": _l("您的审批已完成或已不再需要"),
    "case_withdrawn": _l("申请已撤回"), "case_cancelled": _l("流程已撤销"), "case_finished": _l("流程已办结"),
    "step_closed": _l("此环节已结束（退回或流程变更）"),
}


def _user_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotFound("用户不存在", code="user_not_found")
    return actor.user_id


@bp.app_template_global("unread_notifications")
def unread_notifications() -> int:
    """The bell's number: unread notices still asking for something, one indexed count per page."""
    actor = current_actor()
    if actor is None or actor.user_id is None:
        return 0
    return notifications.to_act_count(db.session, actor.user_id)


@bp.app_template_filter("notification_kind")
def notification_kind(kind: str) -> str:
    return str(KINDS.get(kind, kind))


# -- notifications ---------------------------------------------------------------------------------

@bp.get("/notifications")
@login_required
def notification_list():
    actor = current_actor()
    unread_only = request.args.get("unread") == "1"
    page = queries.paginate(db.session, notifications.notices_for(_user_id(actor), to_act_only=unread_only),
                            int_arg("page"), PER_PAGE, scalars=False)
    people = display_names(db.session, {name for row in page.items for name in (row.completed_by, row.assignee)
                                        if name})
    states = {row[0].id: _state(row, people) for row in page.items}
    open_ids = still_open(db.session, {row[0].task_id for row in page.items if row[0].task_id and not row.lapse})
    any_unread = notifications.unread_count(db.session, _user_id(actor)) > 0
    return render_template("ops/notifications.html", page=page, unread_only=unread_only, states=states,
                           any_unread=any_unread,
                           links={row[0].id: _target(row[0], open_ids) for row in page.items})


def _state(row: Any, people: dict[str, str]) -> dict[str, str] | None:
    """已处理 or 已失效, and why, for a notice that no longer asks its reader for anything."""
    if not row.lapse:
        return None
    who = people.get(row.completed_by or "", row.completed_by or "") if row.lapse == "done" \
        else people.get(row.assignee or "", row.assignee or "")
    handled = row.lapse in notifications.HANDLED_REASONS
    return {"reason": row.lapse, "label": _("已处理") if handled else _("已失效"),
            "why": str(LAPSES.get(row.lapse, "")) % {"who": who}}


def _target(note: Any, open_ids: set[str]) -> str | None:
    """Where a notification leads: its task while that is open and still asks for the reader, else its case."""
    if note.task_id and note.kind in notifications.TASK_KINDS and note.task_id in open_ids:
        return url_for("task_pages.show", task_id=note.task_id)
    if note.instance_id:
        return url_for("instance_pages.show", instance_id=note.instance_id)
    return None


def _back() -> str:
    return safe_next(request.form.get("next")) or url_for("me_pages.notification_list")


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def notification_read(notification_id: int):
    notifications.mark_read(db.session, _user_id(current_actor()), notification_id)
    return redirect(_back())


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def notification_open(notification_id: int):
    """Following a notification marks it read; one that no longer asks for anything leads to its case."""
    user_id = _user_id(current_actor())
    note = notifications.mark_read(db.session, user_id, notification_id)
    live = note.task_id and not notifications.lapse_of(db.session, user_id, note.id)
    return redirect(_target(note, still_open(db.session, {note.task_id}) if live else set()) or _back())


@bp.post("/notifications/read-all")
@login_required
def notification_read_all():
    count = notifications.mark_all_read(db.session, _user_id(current_actor()))
    flash(_("已将 %(count)s 条通知标为已读。", count=count), "success")
    return redirect(_back())


# -- copied to me ----------------------------------------------------------------------------------

@bp.get("/copies")
@login_required
def copy_list():
    """The earlier page of copies: now the inbox's 抄送我的 box."""
    unread = "1" if request.args.get("unread") == "1" else None
    return redirect(url_for("inbox.index", box="copied", unread=unread, page=request.args.get("page")))


@bp.post("/copies/<int:copy_id>/read")
@login_required
def copy_read(copy_id: int):
    copies.mark_copy_read(db.session, current_actor(), copy_id)
    return redirect(safe_next(request.form.get("next")) or url_for("inbox.index", box="copied"))


@bp.post("/copies/<int:copy_id>/open")
@login_required
def copy_open(copy_id: int):
    row = copies.mark_copy_read(db.session, current_actor(), copy_id)
    return redirect(url_for("instance_pages.show", instance_id=row.instance_id))


# -- my settings: the out-of-office proxy -----------------------------------------------------------

PROXY_FIELDS = ("proxy", "starts_on", "ends_on", "process_key", "reason")


def _settings(values: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None,
              notice: str | None = None, status: int = 200):  # noqa: ANN202
    actor = current_actor()
    proxies = list(db.session.scalars(proxies_query(actor).limit(200)))
    return render_template(
        "ops/settings.html", proxies=proxies, candidates=proxy_candidates(db.session, actor),
        processes={d.key: d.name for d in latest_definitions(db.session)}, values=values or {},
        errors=errors or {}, notice=notice, today=clock.today().isoformat()), status


@bp.get("/settings")
@login_required
def settings():
    return _settings()


def _dates(values: dict[str, str], errors: dict[str, list[str]]) -> tuple[date | None, date | None]:
    found = []
    for name in ("starts_on", "ends_on"):
        try:
            found.append(date.fromisoformat(values[name]))
        except ValueError:
            errors[name] = [_("请填写日期") if not values[name] else _("日期格式应为 年-月-日")]
            found.append(None)
    return found[0], found[1]


@bp.post("/settings/proxies")
@login_required
def proxy_create():
    values = {name: (request.form.get(name) or "").strip() for name in PROXY_FIELDS}
    errors: dict[str, list[str]] = {}
    if not values["proxy"]:
        errors["proxy"] = [_("请选择代理人")]
    starts_on, ends_on = _dates(values, errors)
    if errors:
        return _settings(values, errors, _("请按提示修改后再保存。"), FORM_ERRORS)
    try:
        row = create_proxy(db.session, current_actor(), proxy=values["proxy"], starts_on=starts_on, ends_on=ends_on,
                           process_key=values["process_key"] or None, reason=values["reason"][:500])
    except NotFound:
        raise
    except DomainError as exc:
        fields = (exc.details or {}).get("fields") or {}
        return _settings(values, fields, exc.message, FORM_ERRORS)
    flash(_("已设置代理人：%(proxy)s，%(start)s 至 %(end)s。", proxy=row.proxy, start=row.starts_on.isoformat(),
                    end=row.ends_on.isoformat()), "success")
    return redirect(url_for("me_pages.settings"))


@bp.post("/settings/proxies/<int:proxy_id>/revoke")
@login_required
def proxy_revoke(proxy_id: int):
    row = revoke_proxy(db.session, current_actor(), proxy_id)
    flash(_("已撤销代理：%(principal)s → %(proxy)s。", principal=row.principal, proxy=row.proxy), "success")
    return redirect(url_for("me_pages.settings"))
