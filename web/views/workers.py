"""Worker records (人员档案): the list in scope, one record with its history and its cases."""

import re
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from engine.models import WORKER_STATUSES, Instance
from engine.reads import queries
from engine.reads.offers import display_names
from engine.records.workers import get_worker, history
from engine.workflow.definitions import latest_definitions
from web.extensions import db
from web.views.pages import (
    WORKER_STATUS,
    current_actor,
    int_arg,
    label,
    login_required,
    org_name,
    page_blueprint,
    worker_field_label,
)

bp = page_blueprint("worker_pages", __name__, url_prefix="/workers")
PER_PAGE = 30
CASE_REFERENCE = re.compile(r"\b[a-z_]+ #(\d+)")  # how a change names the case it came from: "resignation #1"


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
                           processes={d.key: d.name for d in latest_definitions(db.session)}, org_name=org_name,
                           sources=_sources(changes), people=display_names(db.session, {c.actor for c in changes}),
                           change_value=change_value)


def _sources(changes: list) -> dict[str, str]:
    """Each change's source as people read it: the case by its title ("依据 王晓梅的辞职申请")."""
    ids = {int(m) for c in changes for m in CASE_REFERENCE.findall(c.source or "")}
    titles = dict(db.session.execute(select(Instance.id, Instance.title).where(Instance.id.in_(ids))).all()) if ids else {}
    return {c.source: CASE_REFERENCE.sub(lambda m: titles.get(int(m.group(1))) or _("案件 %(id)s", id=m.group(1)),
                                         c.source)
            for c in changes if c.source}


def change_value(field: str, value: Any) -> str:
    """A history value as people read it: statuses and units by their words, yes/no for flags, and a
    record's first values (建档) as "状态：在岗；所属社区：…" instead of the stored dictionary."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return "；".join(f"{_part_label(field, key)}：{change_value(key if field == 'created' else field, v)}"
                        for key, v in value.items())
    if isinstance(value, list):
        return "、".join(change_value(field, v) for v in value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field == "status":
        return label(WORKER_STATUS, value)
    if field in ("org", "org_code"):
        return org_name(value)
    return str(value)


def _part_label(field: str, key: str) -> str:
    return worker_field_label(key if field in ("created", "data") else f"{field}.{key}")


