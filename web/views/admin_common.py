"""The administrators' blueprint (系统管理) and what its pages share: one access check for every
request, JSON errors for the editors' scripts, and small formatting helpers."""

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from engine.core.clock import CHINA_TZ
from engine.core.errors import DomainError, InvalidData
from engine.core.scope import Actor
from web.auth import actor_from_request
from web.errors import error_response, refusal_response
from web.views import refusals
from web.views.admin_text import admin_script_text

bp = Blueprint("admin", __name__, url_prefix="/admin")
ADMIN_ERROR_PAGE = "admin/error.html"


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


@bp.before_request
def require_admin():  # noqa: ANN201 - a Flask hook returns a response or None
    """Access first, in one place: only administrators reach any admin page or endpoint."""
    actor = actor_from_request()
    if actor is None:
        if wants_json():
            return error_response(401, "unauthorized", _("需要登录"))
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if not actor.is_admin:
        if wants_json():
            return error_response(403, "forbidden", _("需要系统管理员权限"))
        return error_page(403, _("无权访问"), _("此页面仅限系统管理员使用。"))
    g.admin = actor
    return None


def error_page(status: int, title: str, message: str):  # noqa: ANN201
    return refusals.error_page(status, title, message, ADMIN_ERROR_PAGE)


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):  # noqa: ANN201
    """Refusals as JSON for the editors' scripts, as a page in the layout otherwise."""
    if wants_json():
        return refusal_response(exc)
    return refusals.refusal_page(exc, ADMIN_ERROR_PAGE)


@bp.errorhandler(CSRFError)
def csrf_refused(exc: CSRFError):  # noqa: ANN201
    """A change without a valid CSRF token is refused, and says so in the caller's language."""
    message = _("表单已过期或来源无法验证，请刷新页面后重试。")
    if wants_json():
        return error_response(400, "csrf_failed", message)
    return error_page(400, _("表单已失效"), message)


def admin() -> Actor:
    return g.admin


@bp.after_request
def never_cache(response):  # noqa: ANN001, ANN201
    """Admin pages show users, tokens and diagrams: keep them out of shared caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"local_time": local_time, "actor": g.get("admin"), "admin_script_text": admin_script_text}


def local_time(moment: datetime | None) -> str:
    """A stored UTC time as China time, to the minute."""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def forms_dir() -> Path:
    return Path(current_app.config["FORMS_DIR"])


def workflows_dir() -> Path:
    return Path(current_app.config["WORKFLOWS_DIR"])


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidData(_("请求须为 JSON 对象"), {"body": [_("须为 JSON 对象")]})
    return body


def error_json(exc: DomainError):  # noqa: ANN201
    return refusal_response(exc)


def page_arg() -> int:
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        return 1
