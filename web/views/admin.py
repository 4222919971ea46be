"""Administration pages (系统管理): process definitions here; the modeler, forms, and users, org
units and tokens in the admin_* modules, all on one blueprint with one access check."""

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.core.errors import InvalidData
from engine.records import accounts as admin_service
from engine.workflow import definitions, drafts
from engine.workflow.definitions import DefinitionInvalid
from web.extensions import db
from web.views import admin_calendar, admin_forms, admin_modeler, admin_users  # noqa: F401 - routes join `bp`
from web.views.admin_common import admin, bp, forms_dir, workflows_dir

__all__ = ["bp"]

MAX_UPLOAD_BYTES = 2_000_000


@bp.get("/")
def index():
    return redirect(url_for("admin.definitions_page"))


@bp.get("/definitions")
def definitions_page():
    return _definitions_page()


def _definitions_page(*, problems=None, upload_error: str | None = None, deployed=None, status: int = 200):  # noqa: ANN001
    return render_template(
        "admin/definitions.html", processes=admin_service.definition_overview(db.session),
        drafts=drafts.list_drafts(db.session), problems=problems, upload_error=upload_error, deployed=deployed,
    ), status


@bp.get("/definitions/<key>/<int:version>.bpmn")
def download_bpmn(key: str, version: int):
    definition = admin_service.definition_version(db.session, key, version)
    return Response(definition.bpmn, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{definition.key}-v{definition.version}.bpmn"'})


@bp.post("/definitions/upload")
def upload_definition():
    """Deploy a .bpmn file as it is (no modeler): validated like every other upload path."""
    file = request.files.get("bpmn")
    if file is None or not file.filename:
        return _definitions_page(upload_error=_("请选择 .bpmn 文件"), status=422)
    data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _definitions_page(upload_error=_("文件超过 %(limit)s 字节", limit=MAX_UPLOAD_BYTES), status=413)
    try:
        upload = drafts.modeler_upload(db.session, data, forms_dir=forms_dir(), workflows_dir=workflows_dir(),
                                       source=file.filename[:100])
        definition, created = definitions.deploy(db.session, upload, actor=admin().username)
    except DefinitionInvalid as exc:
        return _definitions_page(problems=exc.problems, upload_error=_("%(file)s：%(message)s", file=file.filename, message=exc.message), status=422)
    except InvalidData as exc:
        return _definitions_page(upload_error=exc.message, status=422)
    return _definitions_page(deployed={"key": definition.key, "version": definition.version, "created": created},
                             status=201 if created else 200)
