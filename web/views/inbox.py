"""The inbox (待办): open tasks for my roles in my org scope, claim and unclaim, and what I completed."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.process import commands
from engine.reads import queries
from engine.workflow.definitions import latest_definitions
from web.extensions import db
from web.views.pages import current_actor, int_arg, login_required, page_blueprint, safe_next
from web.views.refusals import attempt

bp = page_blueprint("inbox", __name__, url_prefix="/inbox")
PER_PAGE = 20


def _filters() -> dict[str, str | None]:
    return {name: (request.args.get(name) or "").strip() or None for name in ("process", "stage", "q")}


@bp.get("")
@login_required
def index():
    actor = current_actor()
    box = request.args.get("box", "")
    filters = _filters()
    reach = queries.reach_of(db.session, actor)  # looked up once for the counts, the page and the stages
    counts = queries.inbox_counts(db.session, actor, process=filters["process"], stage=filters["stage"],
                                  search=filters["q"], reach=reach)
    if box not in queries.INBOX_BOXES:
        box = "mine" if counts["mine"] else "open"
    page = queries.inbox(db.session, actor, box=box, process=filters["process"], stage=filters["stage"],
                         search=filters["q"], page=int_arg("page"), per_page=PER_PAGE, reach=reach,
                         total=counts[box])
    definitions = latest_definitions(db.session)
    processes = {d.key: d.name for d in definitions}
    stages = queries.inbox_stages(db.session, actor, reach=reach, definitions=definitions)
    orgs = queries.org_names(db.session, {row[0].org_code for row in page.items})
    return render_template("inbox/index.html", box=box, counts=counts, page=page, filters=filters,
                           processes=processes, stages=stages, orgs=orgs)


@bp.get("/done")
@login_required
def done():
    actor = current_actor()
    page = queries.completed_by(db.session, actor, page=int_arg("page"), per_page=PER_PAGE)
    processes = {d.key: d.name for d in latest_definitions(db.session)}
    return render_template("inbox/done.html", page=page, processes=processes)


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
