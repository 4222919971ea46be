"""Starting a process (发起): the start forms of the processes the user's roles may start."""

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.core.errors import Conflict, EngineFailure, Forbidden, InvalidData, NotFound, RuleViolation
from engine.core.scope import PERSONAL_ROLES, Actor
from engine.models import Definition, OrgUnit, Worker
from engine.process import access, commands
from engine.reads import queries
from engine.workflow.definitions import latest_definition, start_form_name
from engine.workflow.forms import validate_submission
from web.extensions import db
from web.views.pages import FORM_ERRORS, WORKER_STATUS, current_actor, label, login_required, page_blueprint
from web.views.schema_form import parse_form

bp = page_blueprint("start", __name__, url_prefix="/start")


def _probe(actor: Actor) -> dict[str, Any]:
    """Start data for the may-start check: a worker may start a case about themselves."""
    return {"worker_id": actor.worker_id} if actor.worker_id is not None else {}


def _units_for(actor: Actor, definition: Definition, orgs: list[OrgUnit]) -> list[OrgUnit]:
    return [org for org in orgs if access.may_start(actor, definition, org, _probe(actor))]


def _start_units(actor: Actor) -> list[OrgUnit]:
    """Units in the actor's staff scope, plus the units where they act for themselves (a worker's
    community), where a worker may file a case about themselves."""
    units = queries.orgs_in_scope(db.session, actor)
    known = {u.code for u in units}
    for role, code, _path in actor.assignments:
        if role in PERSONAL_ROLES and code not in known and (org := db.session.get(OrgUnit, code)):
            units.append(org)
            known.add(code)
    return units


def startable(actor: Actor) -> list[Definition]:
    """Newest versions the actor may start somewhere in their scope."""
    held = [db.session.get(OrgUnit, code) for _, code, _ in actor.assignments if code != "*"]
    units = [org for org in held if org is not None]
    if actor.is_admin:  # the administrator's units are the whole scope; offer only what the form will take
        units = _start_units(actor)
    return [d for d in queries.startable_definitions(db.session) if _units_for(actor, d, units)]


@bp.get("")
@login_required
def index():
    actor = current_actor()
    processes = [(d, d.forms.get(start_form_name(d.key)) or {}) for d in startable(actor)]
    return render_template("start/index.html", processes=processes)


@bp.route("/<string:key>", methods=["GET", "POST"])
@login_required
def form(key: str):
    actor = current_actor()
    definition = latest_definition(db.session, key)
    units = _units_for(actor, definition, _start_units(actor))
    if not units:
        raise NotFound("流程不存在", code="process_not_found")
    schema = definition.forms.get(start_form_name(key)) or {"type": "object", "properties": {}}
    choices = _choices(actor, schema, units)
    values: dict[str, Any] = _prefill(actor, schema, choices)
    errors: dict[str, list[str]] = {}
    notice, status = None, 200
    chosen_org = request.form.get("org") or (units[0].code if len(units) == 1 else "")
    business_key = (request.form.get("business_key") or "").strip()
    if request.method == "POST":
        data, values, errors = parse_form(schema, request.form)
        chosen_org = chosen_org or _worker_unit(actor, data, units)
        if not chosen_org:
            errors["org"] = [_("请选择组织单位")]
        if errors:
            try:
                validate_submission(schema, data)
            except InvalidData as exc:
                errors = {**exc.fields, **errors}
            notice, status = _("表单有误，请按提示修改。"), FORM_ERRORS
        else:
            try:
                instance, created = commands.start_instance(db.session, actor, key, org_code=chosen_org, data=data,
                                                           business_key=business_key or None)
            except InvalidData as exc:
                errors, notice, status = exc.fields, _("表单有误，请按提示修改。"), FORM_ERRORS
            except RuleViolation as exc:
                errors, notice, status = exc.details.get("fields") or {}, exc.message, FORM_ERRORS
            except (Conflict, Forbidden, EngineFailure) as exc:
                notice, status = exc.message, exc.status
            else:
                text = _("已发起：%(name)s。", name=definition.name) if created else \
                    _("业务编号 %(key)s 已有流程，已为您打开。", key=business_key)
                flash(text, "success")
                return redirect(url_for("instance_pages.show", instance_id=instance.id))
    extra = {"org": _("组织单位"), "business_key": _("业务编号")}
    return render_template("start/form.html", definition=definition, schema=schema, values=values, errors=errors,
                           extra=extra, notice=notice, units=units, chosen_org=chosen_org,
                           business_key=business_key, choices=choices), status


def _choices(actor: Actor, schema: dict[str, Any], units: list[OrgUnit]) -> dict[str, list[tuple[Any, str]]]:
    """Drop-downs instead of codes to type: communities for a `community` column, and workers for
    a `worker_id` (only oneself for a worker, else those in scope)."""
    found: dict[str, list[tuple[Any, str]]] = {}
    communities = [(u.code, u.name) for u in units if u.level == "community"]
    for name, prop in (schema.get("properties") or {}).items():
        columns = ((prop.get("items") or {}).get("properties") or {}) if isinstance(prop, dict) else {}
        if prop.get("type") == "array" and (columns.get("community") or {}).get("type") == "string" and communities:
            found[f"{name}.#.community"] = communities
    return found | _worker_choices(actor, schema)


def _worker_choices(actor: Actor, schema: dict[str, Any]) -> dict[str, list[tuple[Any, str]]]:
    prop = (schema.get("properties") or {}).get("worker_id")
    if not isinstance(prop, dict) or prop.get("type") != "integer":
        return {}
    if actor.roles() == {"worker"}:
        worker = db.session.get(Worker, actor.worker_id) if actor.worker_id else None
        return {"worker_id": [(worker.id, worker.name)]} if worker else {}
    workers = queries.workers_in_scope(db.session, actor)
    if not workers:
        return {}
    units = queries.org_names(db.session, {w.org_code for w in workers})
    return {"worker_id": [(w.id, f"{w.name} · {units.get(w.org_code, '')} · {label(WORKER_STATUS, w.status)}")
                          for w in workers]}


def _worker_unit(actor: Actor, data: dict[str, Any], units: list[OrgUnit]) -> str:
    """With no unit chosen, a case about a worker belongs to the worker's community."""
    worker = db.session.get(Worker, data["worker_id"]) if isinstance(data.get("worker_id"), int) else None
    if worker is not None and (actor.sees_org(worker.org_path) or actor.worker_id == worker.id) and any(u.code == worker.org_code for u in units):
        return worker.org_code
    return ""


def _prefill(actor: Actor, schema: dict[str, Any], choices: dict[str, list[tuple[Any, str]]]) -> dict[str, Any]:
    if len(choices.get("worker_id", [])) == 1:
        return {"worker_id": choices["worker_id"][0][0]}
    return {}
