"""The public recruitment pages (招聘报名): apply to an open campaign and look up an application.

No login. The form is a JSON Schema rendered by the same macro as every staff form; registration
itself is engine.recruitment.applications.submit, rate-limited per client address like the API.
"""

from datetime import date
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from engine.core import clock
from engine.core.errors import Conflict, InvalidData, NotFound
from engine.core.throttle import TooManyRequests
from engine.recruitment import applications
from engine.recruitment.precheck import (
    DISQUALIFIERS,
    EDUCATION_LEVELS,
    PRIORITY_FLAGS,
)
from engine.workflow.forms import validate_submission
from web.api.recruitment_schemas import STATUS_TEXT
from web.extensions import db
from web.throttle import limit_public
from web.views.pages import FORM_ERRORS, page_blueprint
from web.views.schema_form import parse_form

bp = page_blueprint("public", __name__, url_prefix="/recruitment")


# A phone shows a digit keypad for these; the ID number's last character may be X, typed with the
# key the page adds beside the field (web/static/public.js).
ID_NUMBER_INPUT = {"inputmode": "numeric", "pattern": "[0-9]{17}[0-9Xx]", "maxlength": 18, "autocomplete": "off",
                   "autocapitalize": "characters", "spellcheck": "false", "data-extra-key": "X"}
PHONE_INPUT = {"type": "tel", "inputmode": "tel", "pattern": "1[0-9]{10}", "maxlength": 11, "autocomplete": "tel"}
CONSENT_FIELD = "pi_consent"


def _choices(mapping: dict[str, str]) -> list[dict[str, str]]:
    return [{"const": code, "title": text} for code, text in mapping.items()]


def application_form(posts: list[dict[str, Any]]) -> dict[str, Any]:
    """The registration form (报名表) as a JSON Schema, with this campaign's posts to choose from."""
    return {
        "title": "报名表", "type": "object", "additionalProperties": False,
        "required": ["name", "gender", "birth_date", "id_number", "education", "post"],
        "properties": {
            "name": {"type": "string", "title": "姓名", "minLength": 1, "maxLength": 50, "pattern": "\\S"},
            "gender": {"type": "string", "title": "性别", "oneOf": _choices({"男": "男", "女": "女"})},
            "birth_date": {"type": "string", "format": "date", "title": "出生日期"},
            "id_number": {"type": "string", "title": "居民身份证号码", "pattern": "^\\d{17}[\\dXx]$",
                          "description": "18位；最后一位是X的，可点输入框旁的“X”键。查询报名状态时需要。",
                          "x-input": ID_NUMBER_INPUT},
            "education": {"type": "string", "title": "学历", "enum": list(EDUCATION_LEVELS)},
            "phone": {"type": "string", "title": "手机号码", "pattern": "^1\\d{10}$", "x-input": PHONE_INPUT},
            "post": {"type": "string", "title": "报考岗位（社区）",
                     "oneOf": [{"const": p["community"], "title": f"{p['name']}（{p['count']} 人）"} for p in posts]},
            "local_residence": {"type": "boolean", "title": "本地户籍或在本地居住"},
            "fresh_graduate": {"type": "boolean", "title": "应届毕业生"},
            "priority": {"type": "array", "title": "优先条件（《内蒙古自治区社区工作者管理办法》第十条）", "uniqueItems": True,
                         "items": {"type": "string", "oneOf": _choices(PRIORITY_FLAGS)}},
            "declarations": {"type": "array", "title": "如实声明：本人有下列情形（没有则不选）", "uniqueItems": True,
                             "description": "有下列情形之一的，不得招聘为社区工作者（《内蒙古自治区社区工作者管理办法》第十一条）。",
                             "items": {"type": "string", "oneOf": _choices(DISQUALIFIERS)}},
        },
    }


LOOKUP_FORM = {
    "title": "报名查询", "type": "object", "required": ["application_no", "id_number"],
    "properties": {
        "application_no": {"type": "string", "title": "报名号", "minLength": 1, "maxLength": 20,
                           "description": "报名成功时页面上显示的报名号。"},
        "id_number": {"type": "string", "title": "居民身份证号码", "minLength": 15, "maxLength": 18},
    },
}


@bp.route("/<int:instance_id>", methods=["GET", "POST"])
def apply(instance_id: int):
    notice = applications.public_notice(db.session, instance_id)
    schema = application_form(notice["posts"])
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    message, status = None, 200
    if request.method == "POST" and notice["registration_open"]:
        data, values, errors = parse_form(schema, request.form)
        try:
            validate_submission(schema, data)
        except InvalidData as exc:
            errors = {**exc.fields, **errors}
        if request.form.get(CONSENT_FIELD) != "true":
            errors[CONSENT_FIELD] = [_("请阅读《个人信息处理告知》并勾选同意后再提交报名")]
        if errors:
            message, status = _("报名信息有误，请按提示修改。"), FORM_ERRORS
        else:
            try:
                limit_public("apply")
                created = applications.submit(db.session, instance_id, {**data, "birth_date": date.fromisoformat(
                    data["birth_date"])}, consented_at=clock.now())
            except InvalidData as exc:
                errors, message, status = exc.fields, _("报名信息有误，请按提示修改。"), FORM_ERRORS
            except TooManyRequests as exc:
                message, status = exc.message, 429
            except Conflict as exc:
                message, status = exc.message, 409
            else:
                return render_template("public/applied.html", notice=notice, application=created,
                                       status_text=STATUS_TEXT)
    return render_template("public/apply.html", notice=notice, schema=schema, values=values, errors=errors,
                           message=message, consent=CONSENT_FIELD, consent_label=_("个人信息处理同意"),
                           consented=request.form.get(CONSENT_FIELD) == "true"), status


@bp.route("/status", methods=["GET", "POST"])
def status():
    """Look up one's own application; a POST, so ID numbers never appear in URLs or access logs."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    found, message, code = None, None, 200
    if request.method == "POST":
        data, values, errors = parse_form(LOOKUP_FORM, request.form)
        try:
            validate_submission(LOOKUP_FORM, data)
        except InvalidData as exc:
            errors = {**exc.fields, **errors}
        if not errors:
            try:
                limit_public("lookup")
                found = applications.lookup(db.session, data["application_no"], data["id_number"])
                values = {}  # the ID number is not echoed back into the page
            except TooManyRequests as exc:
                message, code = exc.message, 429
            except NotFound:
                message = _("没有找到该报名信息，请核对报名号和身份证号码。")
    return render_template("public/status.html", schema=LOOKUP_FORM, values=values, errors=errors, found=found,
                           message=message, status_text=STATUS_TEXT), code
