"""Starting a process (发起): the start forms of the processes the user's roles may start."""

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import rules
from engine.core.errors import Conflict, EngineFailure, Forbidden, InvalidData, NotFound, RuleViolation
from engine.core.scope import PERSONAL_ROLES, Actor
from engine.models import Definition, OrgUnit, Worker
from engine.process import access, commands
from engine.reads import queries
from engine.rules.casework import conflict_text, open_conflicts
from engine.workflow.definitions import latest_definition, start_form_name
from engine.workflow.forms import validate_submission
from web.extensions import db
from web.views.pages import FORM_ERRORS, WORKER_STATUS, current_actor, label, login_required, page_blueprint
from web.views.schema_form import parse_form
from web.views.start_quota import quota_data, quota_warning

bp = page_blueprint("start", __name__, url_prefix="/start")


@bp.app_template_global("can_start")
def can_start() -> bool:
    """Whether the menu offers 发起: only to someone whose roles start some process."""
    actor = current_actor()
    return actor is not None and access.may_start_something(db.session, actor)


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
    narrowed = rules.start_field_values(key)
    schema = _narrowed(definition.forms.get(start_form_name(key)) or {"type": "object", "properties": {}}, narrowed)
    choices, warnings = _choices(actor, key, schema, units)
    # a process whose start rule counts places per community says so before the form is sent
    quota = quota_data(db.session, _workers(actor, key, schema)) if key in QUOTA_PROCESSES else None
    values: dict[str, Any] = _prefill(schema, choices, set(narrowed))
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
                           business_key=business_key, choices=choices, warnings=warnings,
                           warning=warnings.get(str(values.get("worker_id", ""))), quota=quota,
                           quota_warning=quota_warning(quota, values) if quota else ""), status


QUOTA_PROCESSES = ("secondment",)  # 同一社区同一时期被借调不超过2人 (engine.rules.secondment_quota)


def _narrowed(schema: dict[str, Any], allowed: dict[str, list[Any]]) -> dict[str, Any]:
    """The start form offering only the values its start rule can accept (a secondment's borrowing
    unit level): a choice that is always refused is not offered at all."""
    if not allowed:
        return schema
    properties = dict(schema.get("properties") or {})
    for name, values in allowed.items():
        prop = properties.get(name)
        if isinstance(prop, dict) and isinstance(prop.get("oneOf"), list):
            properties[name] = {**prop, "oneOf": [o for o in prop["oneOf"] if o.get("const") in values]}
        elif isinstance(prop, dict) and isinstance(prop.get("enum"), list):
            properties[name] = {**prop, "enum": [v for v in prop["enum"] if v in values]}
    return {**schema, "properties": properties}


Choices = dict[str, list[tuple[Any, str]]]


def _choices(actor: Actor, key: str, schema: dict[str, Any], units: list[OrgUnit]) -> tuple[Choices, dict[str, str]]:
    """Drop-downs instead of codes to type: communities for a `community` column, and workers for
    a `worker_id` (only oneself for a worker, else those in scope), with the warnings of workers
    who already have an open case this one cannot run beside."""
    found: Choices = {}
    communities = [(u.code, u.name) for u in units if u.level == "community"]
    for name, prop in (schema.get("properties") or {}).items():
        columns = ((prop.get("items") or {}).get("properties") or {}) if isinstance(prop, dict) else {}
        if prop.get("type") == "array" and (columns.get("community") or {}).get("type") == "string" and communities:
            found[f"{name}.#.community"] = communities
    workers = _workers(actor, key, schema)
    if not workers:
        return found, {}
    names = queries.org_names(db.session, {w.org_code for w in workers})
    found["worker_id"] = [(w.id, _worker_label(w, names)) for w in workers]
    rule = rules.WORKER_STARTS.get(key)
    if rule is None:
        return found, {}
    warnings = {str(worker_id): conflict_text(case)
                for worker_id, case in open_conflicts(db.session, [w.id for w in workers], rule.conflicts).items()}
    for worker in workers:  # only oneself can be offered out of service: say so before it is refused
        if worker.status not in rule.statuses:
            warnings[str(worker.id)] = _("该工作者当前状态为%(status)s，不能发起此事项",
                                         status=label(WORKER_STATUS, worker.status))
    return found, warnings


def _workers(actor: Actor, key: str, schema: dict[str, Any]) -> list[Worker]:
    """Whom the form may be about: oneself for a worker, else the workers in scope whose record
    status the process's start rule accepts (no one resigned, dismissed or retired)."""
    prop = (schema.get("properties") or {}).get("worker_id")
    if not isinstance(prop, dict) or prop.get("type") != "integer":
        return []
    if actor.roles() == {"worker"}:
        worker = db.session.get(Worker, actor.worker_id) if actor.worker_id else None
        return [worker] if worker else []
    rule = rules.WORKER_STARTS.get(key)
    return queries.workers_in_scope(db.session, actor, statuses=rule.statuses if rule else None)


def _worker_label(worker: Worker, org_names: dict[str, str]) -> str:
    """名字（所属单位）, with the record status when it is not plainly 在岗."""
    text = f"{worker.name}（{org_names.get(worker.org_code, worker.org_code)}）"
    return text if worker.status == "active" else f"{text} · {label(WORKER_STATUS, worker.status)}"


def _worker_unit(actor: Actor, data: dict[str, Any], units: list[OrgUnit]) -> str:
    """With no unit chosen, a case about a worker belongs to the worker's community."""
    worker = db.session.get(Worker, data["worker_id"]) if isinstance(data.get("worker_id"), int) else None
    if worker is not None and (actor.sees_org(worker.org_path) or actor.worker_id == worker.id) and any(u.code == worker.org_code for u in units):
        return worker.org_code
    return ""


def _prefill(schema: dict[str, Any], choices: Choices, narrowed: set[str]) -> dict[str, Any]:
    """One possible worker, or one possible value of a choice the rules narrowed, is already chosen."""
    values: dict[str, Any] = {}
    if len(choices.get("worker_id", [])) == 1:
        values["worker_id"] = choices["worker_id"][0][0]
    for name in narrowed:
        prop = (schema.get("properties") or {}).get(name)
        options = prop.get("oneOf") if isinstance(prop, dict) else None
        if isinstance(options, list) and len(options) == 1 and "const" in options[0]:
            values[name] = options[0]["const"]
    return values
