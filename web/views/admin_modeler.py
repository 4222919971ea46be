"""The diagram modeler (流程建模): the page, and the JSON endpoints its script calls to validate,
deploy and keep drafts. Every diagram goes through the same validator and hardened parser as a
`cwflow workflows deploy`."""

from pathlib import Path

from flask import Response, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from config.roles import ROLES
from engine.core.errors import DomainError, InvalidData
from engine.records.accounts import definition_version
from engine.workflow import definitions, drafts
from engine.workflow.definitions import DefinitionInvalid
from web.errors import error_response
from web.extensions import db
from web.views.admin_common import admin, bp, error_json, forms_dir, json_body, workflows_dir

LANE_ROLES = [role for role in ROLES if role.key != "admin"]


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/modeler")
def modeler():
    """Open a deployed version (?key=&version=), a draft (?draft=) or a new diagram."""
    key, version, draft_id = request.args.get("key"), _int_arg("version"), _int_arg("draft")
    source_url, title, base_version = None, _("新流程"), None
    if draft_id:
        draft = drafts.get_draft(db.session, draft_id)
        source_url, title = url_for("admin.draft_source", draft_id=draft.id), _("草稿：%(name)s", name=draft.name)
        key, base_version = draft.process_key, draft.base_version
    elif key:
        definition = (definition_version(db.session, key, version) if version
                      else definitions.latest_definition(db.session, key))
        source_url = url_for("admin.download_bpmn", key=definition.key, version=definition.version)
        title = _("%(name)s（%(key)s 版本 %(version)s）", name=definition.name, key=definition.key,
                  version=definition.version)
        base_version = definition.version
    library = drafts.form_library(db.session, forms_dir())
    config = {
        "sourceUrl": source_url,
        "draftId": draft_id,
        "baseVersion": base_version,
        "processKey": key,
        "roles": [{"key": r.key, "name": r.name_zh, "label": _(r.name_zh), "level": r.level} for r in LANE_ROLES],
        "forms": [{"name": f.name, "title": f.title} for f in library.values()],
        "urls": {
            "validate": url_for("admin.modeler_validate"),
            "deploy": url_for("admin.modeler_deploy"),
            "saveDraft": url_for("admin.draft_save"),
            "modeler": url_for("admin.modeler"),
            "definitions": url_for("admin.definitions_page"),
        },
    }
    vendor = Path(current_app.static_folder) / "vendor" / "bpmn-js" / "bpmn-modeler.production.min.js"
    return render_template("admin/modeler.html", config=config, title=title, vendor_ready=vendor.is_file())


@bp.post("/modeler/validate")
def modeler_validate():
    """`{"bpmn": "<xml>"}` → `{"ok": bool, "problems": [{message, element_id, line, code}]}`."""
    try:
        upload = drafts.modeler_upload(db.session, _bpmn_text(), forms_dir=forms_dir(), workflows_dir=workflows_dir())
    except DomainError as exc:
        return error_json(exc)
    problems = drafts.validate_diagram(db.session, upload)
    return jsonify({"ok": not problems, "problems": drafts.problems_as_dicts(problems)})


@bp.post("/modeler/deploy")
def modeler_deploy():
    """Deploy as a new version: 201 `{key, version, created}`; 422 with every problem otherwise."""
    try:
        upload = drafts.modeler_upload(db.session, _bpmn_text(), forms_dir=forms_dir(), workflows_dir=workflows_dir())
        definition, created = definitions.deploy(db.session, upload, actor=admin().username)
    except DefinitionInvalid as exc:
        return error_response(422, exc.code, exc.message, {"problems": drafts.problems_as_dicts(exc.problems)})
    except DomainError as exc:
        return error_json(exc)
    body = {"key": definition.key, "version": definition.version, "created": created, "name": definition.name,
            "url": url_for("admin.modeler", key=definition.key, version=definition.version)}
    return jsonify(body), 201 if created else 200


def _bpmn_text() -> str:
    bpmn = json_body().get("bpmn")
    if not isinstance(bpmn, str) or not bpmn.strip():
        raise InvalidData(_("缺少流程图"), {"bpmn": [_("请提供 BPMN XML 文本")]})
    return bpmn


@bp.post("/drafts")
def draft_save():
    """`{"bpmn", "draft_id"?, "name"?, "base_version"?}` → `{"id", "name", "url"}`."""
    try:
        body = json_body()
        draft_id, base = body.get("draft_id"), body.get("base_version")
        draft = drafts.save_draft(
            db.session, admin().username, _bpmn_text(),
            draft_id=draft_id if isinstance(draft_id, int) else None,
            name=body.get("name") if isinstance(body.get("name"), str) else "",
            base_version=base if isinstance(base, int) else None)
    except DomainError as exc:
        return error_json(exc)
    return jsonify({"id": draft.id, "name": draft.name, "url": url_for("admin.modeler", draft=draft.id)})


@bp.get("/drafts/<int:draft_id>.bpmn")
def draft_source(draft_id: int):
    draft = drafts.get_draft(db.session, draft_id)
    return Response(draft.bpmn.encode("utf-8"), mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="draft-{draft.id}.bpmn"'})


@bp.post("/drafts/<int:draft_id>/delete")
def draft_delete(draft_id: int):
    drafts.delete_draft(db.session, admin().username, draft_id)
    return redirect(url_for("admin.definitions_page"))
