"""The form editor (表单): the library, each form's versions, a checked save and a live preview.

Editing a form adds a version to the library (engine/workflow/drafts.py explains the model); the next deploy
of a diagram naming the form bundles it, deployed versions keep their own copies.
"""

import json
from typing import Any

from flask import current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from jinja2 import TemplateNotFound, UndefinedError

from engine.core.errors import DomainError, InvalidData, NotFound
from engine.models import Definition
from engine.workflow import drafts
from engine.workflow.definitions import FORM_FILE
from web.extensions import db
from web.views.admin_common import admin, bp, error_json, forms_dir, json_body

STAFF_FORM_MACROS = "macros/form.html"
NEW_FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "新表单",
    "type": "object",
    "additionalProperties": False,
    "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "title": "审批意见",
                     "oneOf": [{"const": "approve", "title": "同意"}, {"const": "reject", "title": "不同意"}]},
        "comment": {"type": "string", "title": "说明", "maxLength": 2000, "x-widget": "textarea"},
    },
}


@bp.get("/forms")
def forms_page():
    return render_template("admin/forms.html", library=drafts.form_library(db.session, forms_dir()),
                           deployed=drafts.deployed_forms(db.session))


@bp.get("/forms/<name>")
def form_edit(name: str):
    """Edit the newest library version, or start from a saved version (?version=) or a deployed
    copy (?definition=<id>)."""
    if not FORM_FILE.match(name):
        raise NotFound(_("表单不存在"), code="form_not_found")
    library = drafts.form_library(db.session, forms_dir())
    if request.args.get("definition", "").isdigit():
        definition = db.session.get(Definition, int(request.args["definition"]))
        if definition is None or name not in definition.forms:
            raise NotFound(_("表单不存在"), code="form_not_found")
        schema, origin = definition.forms[name], _("已部署：%(key)s 版本 %(version)s", key=definition.key,
                                                                  version=definition.version)
    elif request.args.get("version", "").isdigit():
        row = drafts.form_version(db.session, name, int(request.args["version"]))
        schema, origin = row.schema, _("已保存版本 %(version)s", version=row.version)
    elif name in library:
        current = library[name]
        schema = current.schema
        origin = _("表单库版本 %(version)s", version=current.version) if current.version else _("表单库文件（版本 0）")
    elif request.args.get("new"):
        schema, origin = NEW_FORM, _("新表单（尚未保存）")
    else:
        raise NotFound(_("表单不存在"), code="form_not_found")
    return render_template(
        "admin/form_edit.html", name=name, schema_text=json.dumps(schema, ensure_ascii=False, indent=2),
        origin=origin, versions=drafts.form_versions(db.session, name),
        config={"saveUrl": url_for("admin.form_save", name=name), "previewUrl": url_for("admin.form_preview")},
    )


@bp.post("/forms/<name>")
def form_save(name: str):
    """`{"schema": "<json text>", "note"?}` → 201 `{name, version, warnings}` (200 when unchanged)."""
    try:
        body = json_body()
        schema = _schema_from(body)
        row, created = drafts.save_form_version(db.session, admin().username, name, schema,
                                                note=body.get("note") if isinstance(body.get("note"), str) else "")
    except DomainError as exc:
        return error_json(exc)
    _, warnings = drafts.check_form(schema)
    return jsonify({"name": row.name, "version": row.version, "created": created, "warnings": warnings,
                    "url": url_for("admin.form_edit", name=row.name)}), 201 if created else 200


@bp.post("/forms/preview")
def form_preview():
    """`{"schema": "<json text>"}` → `{errors, warnings, html}`; `html` is the form as staff will
    see it, rendered by the staff pages' form macro (null while that macro does not exist)."""
    try:
        schema = _schema_from(json_body())
    except DomainError as exc:
        return jsonify({"errors": exc.details.get("fields", {}).get("schema", [exc.message]), "warnings": [],
                        "html": None})
    errors, warnings = drafts.check_form(schema)
    return jsonify({"errors": errors, "warnings": warnings, "html": None if errors else _staff_render(schema)})


def _schema_from(body: dict[str, Any]) -> Any:
    value = body.get("schema")
    if isinstance(value, str):
        return drafts.parse_form_text(value)
    if isinstance(value, dict):
        return value
    raise InvalidData(_("缺少表单内容"), {"schema": [_("请提供 JSON Schema")]})


def _staff_render(schema: dict[str, Any]) -> str | None:
    """The form as the staff pages' form macro renders it, or None while that macro is missing."""
    try:
        return render_template("admin/form_preview.html", schema=schema)
    except (TemplateNotFound, UndefinedError, TypeError):
        current_app.logger.info("form preview: %s cannot render yet", STAFF_FORM_MACROS)
        return None
