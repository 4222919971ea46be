"""The inbox (待办) in four boxes, as in the approval apps office staff use: 待处理 (open tasks I
hold or may claim), 已处理 (what I completed), 我发起的 (cases I started) and 抄送我的 (cases
copied to me); claim and unclaim.

The earlier box names stay valid: `mine`, `open` and `others` are the sub-views of 待处理, and
/inbox/done leads to 已处理.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.process import commands
from engine.reads import boxes, queries
from engine.reads.offers import display_names
from engine.workflow.definitions import latest_definitions
from web.extensions import db
from web.views.pages import current_actor, int_arg, login_required, page_blueprint, safe_next
from web.views.refusals import attempt

bp = page_blueprint("inbox", __name__, url_prefix="/inbox")
PER_PAGE = 20


def filters_of_request() -> boxes.Filters:
    args = {name: (request.args.get(name) or "").strip() or None for name in ("process", "stage", "q")}
    return boxes.Filters(process=args["process"], stage=args["stage"], search=args["q"])


def box_of_request() -> tuple[str, str]:
    """(tab, box): the tab shown and the list under it; `mine`, `open`, `others` are views of 待处理."""
    box = request.args.get("box", "")
    if box in queries.INBOX_BOXES:
        return "todo", box
    return (box, box) if box in boxes.BOXES else ("todo", "todo")


@bp.get("")
@login_required
def index():
    actor = current_actor()
    tab, box = box_of_request()
    filters = filters_of_request()
    unread_only = tab == "copied" and request.args.get("unread") == "1"
    reach = queries.reach_of(db.session, actor)  # looked up once for the counts, the page and the stages
    counts = boxes.box_counts(db.session, actor, filters, reach=reach)
    page_number = int_arg("page")
    open_steps: dict[int, list] = {}
    if tab == "todo":
        page = queries.inbox(db.session, actor, box=box, process=filters.process, stage=filters.stage,
                             search=filters.search, page=page_number, per_page=PER_PAGE, reach=reach,
                             total=counts[box])
    elif tab == "done":
        page = boxes.done_page(db.session, actor, filters, page=page_number, per_page=PER_PAGE)
    elif tab == "started":
        page = boxes.started_page(db.session, actor, filters, page=page_number, per_page=PER_PAGE)
        open_steps = queries.open_tasks_of(db.session, [row[0].id for row in page.items])
    else:
        page = boxes.copied_page(db.session, actor, filters, unread_only=unread_only, page=page_number,
                                 per_page=PER_PAGE)
    definitions = latest_definitions(db.session)
    processes = {d.key: d.name for d in definitions}
    stages = queries.inbox_stages(db.session, actor, reach=reach, definitions=definitions)
    orgs, people = {}, {}
    if tab == "todo":
        orgs = queries.org_names(db.session, {row[0].org_code for row in page.items})
        people = display_names(db.session, {row[0].assignee for row in page.items})
    return render_template("inbox/index.html", tab=tab, box=box, counts=counts, page=page, filters=filters,
                           unread_only=unread_only, processes=processes, stages=stages, orgs=orgs,
                           people=people, open_steps=open_steps)


@bp.get("/done")
@login_required
def done():
    """The earlier page of completed tasks: now the 已处理 box."""
    return redirect(url_for("inbox.index", box="done", page=request.args.get("page")))


def _back() -> str:
    return safe_next(request.form.get("next")) or url_for("inbox.index")


@bp.post("/tasks/<string:task_id>/claim")
@login_required
def claim(task_id: str):
    row, done = attempt(lambda: commands.claim_task(db.session, current_actor(), task_id))
    if done:
        flash(_("已认领：%(title)s", title=row.title), "success")
    return redirect(_back())


@bp.post("/tasks/<string:task_id>/unclaim")
@login_required
def unclaim(task_id: str):
    row, done = attempt(lambda: commands.unclaim_task(db.session, current_actor(), task_id))
    if done:
        flash(_("已取消认领：%(title)s", title=row.title), "success")
    return redirect(_back())
