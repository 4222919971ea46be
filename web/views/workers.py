"""Worker records (人员档案): the list in scope, one record with its history and its cases."""

from flask import render_template, request

from engine.models import WORKER_STATUSES
from engine.reads import queries
from engine.records.workers import get_worker, history
from engine.workflow.definitions import latest_definitions
from web.extensions import db
from web.views.pages import current_actor, int_arg, login_required, page_blueprint

bp = page_blueprint("worker_pages", __name__, url_prefix="/workers")
PER_PAGE = 30


@bp.get("")
@login_required
def index():
    actor = current_actor()
    filters = {name: (request.args.get(name) or "").strip() for name in ("q", "org", "status")}
    page = queries.search_workers(db.session, actor, name=filters["q"] or None, org=filters["org"] or None,
                                  status=filters["status"] if filters["status"] in WORKER_STATUSES else None,
                                  page=int_arg("page"), per_page=PER_PAGE)
    orgs = queries.orgs_in_scope(db.session, actor)
    return render_template("workers/list.html", page=page, filters=filters, orgs=orgs, statuses=WORKER_STATUSES,
                           org_names={o.code: o.name for o in orgs})


@bp.get("/<int:worker_id>")
@login_required
def show(worker_id: int):
    actor = current_actor()
    worker = get_worker(db.session, actor, worker_id)
    changes = list(db.session.scalars(history(db.session, actor, worker_id).limit(500)))
    cases = queries.cases_of_worker(db.session, actor, worker_id)
    open_tasks = queries.open_tasks_of(db.session, [c.id for c in cases])
    org_name = queries.org_names(db.session, {worker.org_code}).get(worker.org_code, worker.org_code)
    return render_template("workers/detail.html", worker=worker, changes=changes, cases=cases, open_tasks=open_tasks,
                           processes={d.key: d.name for d in latest_definitions(db.session)}, org_name=org_name)


