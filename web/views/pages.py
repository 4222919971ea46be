"""What every browser page shares: the signed-in user, labels, dates, errors as pages, the language.

`page_blueprint` makes a blueprint whose refusals (404 outside scope, 403, 409, an expired form)
are rendered as pages in the base layout instead of the API's JSON.
"""

import logging
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from config.roles import ROLES_BY_KEY
from engine.core import clock, words
from engine.core.errors import DomainError
from engine.core.scope import Actor
from engine.models import OrgUnit, User
from engine.reads.form_text import unit_names, with_unit_names
from web.auth import actor_from_request
from web.extensions import db
from web.i18n import LOCALES
from web.views.refusals import error_page, not_found_page, refusal_page
from web.views.schema_form import build_form, describe_data, display_value

log = logging.getLogger("cwflow.web")
SEEN_COOKIE = "cwflow_seen"  # "this browser was signed in": tells an expired session from a first visit
DUE_SOON_DAYS = 3
# A form shown again with its messages is an ordinary page: answering 4xx would make the browser log
# a console error for every mistyped field. Refusals that end the form (404, 403, 409) keep their status.
FORM_ERRORS = 200

bp = Blueprint("pages", __name__)


def _translated(vocabulary: dict[str, str]) -> dict[str, Any]:
    """The engine's words for these codes, shown in the page's language."""
    return {key: _l(word) for key, word in vocabulary.items()}


INSTANCE_STATUS = _translated(words.STATUS_WORDS)
OUTCOMES = _translated(words.OUTCOME_WORDS)
PROCESS_OUTCOMES = _translated(words.PROCESS_OUTCOME_WORDS)
TASK_STATUS = _translated(words.TASK_STATUS_WORDS)
WORKER_STATUS = _translated(words.WORKER_STATUS_WORDS)
EVENTS = _translated(words.EVENT_WORDS)
FLAGS = {"under_audit": _l("正在接受审计"), "under_discipline_review": _l("正在接受纪律审查"),
         "criminal_case_pending": _l("涉嫌犯罪尚未结案"), "work_injury_disability": _l("因公致残"),
         "medical_period_until": _l("医疗期至"), "pregnancy_or_nursing_until": _l("孕期、产期、哺乳期至"),
         "is_elected": _l("两委成员（选任）"), "unfinished_business": _l("重要公务尚未处理完毕")}
WORKER_FIELDS = {"status": _l("状态"), "created": _l("建档"), "org": _l("所属社区"), "flags": _l("特殊情形"), "name": _l("姓名"), "gender": _l("性别"),
                 "birth_date": _l("出生日期"), "education": _l("学历"), "contract": _l("合同"), "data": _l("其他信息")}
CONTRACT_KEYS = {"type": _l("类型"), "start": _l("起始日"), "end": _l("终止日"), "probation_end": _l("试用期满")}


def label(mapping: dict[str, Any], key: str | None) -> str:
    if key is None:
        return "—"
    return str(mapping.get(key, key))


def role_label(role: str) -> str:
    if role == "initiator":  # the pseudo-role of a case returned to the one who started it
        return _("发起人")
    known = ROLES_BY_KEY.get(role)
    return _(known.name_zh) if known else role


def worker_field_label(name: str) -> str:
    if name.startswith("flags."):
        return str(FLAGS.get(name[6:], name[6:]))
    field, _dot, key = name.partition(".")
    if key and field in WORKER_FIELDS:
        return f"{WORKER_FIELDS[field]}·{CONTRACT_KEYS.get(key, key) if field == 'contract' else key}"
    return str(WORKER_FIELDS.get(name, name))


# -- who is signed in ------------------------------------------------------------------------------

def current_actor() -> Actor | None:
    return actor_from_request()


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pages need a signed-in user; otherwise to the login page, and back here afterwards."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_actor() is None:
            return redirect_to_login(request.full_path if request.method == "GET" else _back_path())
        return view(*args, **kwargs)

    return wrapper


def redirect_to_login(next_path: str | None) -> Response:
    if request.cookies.get(SEEN_COOKIE):
        flash(_("登录已过期，请重新登录。"), "warning")
    else:
        flash(_("请先登录。"), "info")
    target = safe_next(next_path)
    return redirect(url_for("auth.login", next=target) if target and target != "/?" else url_for("auth.login"))


def _back_path() -> str | None:
    """Where a refused POST should return to: the page it came from, when that is this site."""
    referrer = request.referrer
    if referrer:
        parts = urlsplit(referrer)
        if parts.netloc == request.host:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in text)


def safe_next(target: str | None) -> str | None:
    """The one judge of every redirect target taken from a request (`next`): a path of this site, or
    None for the home page. Browsers drop tabs and line breaks from a URL and read a backslash as a
    slash, so `/<TAB>/evil.example` means `//evil.example`: any control character is refused, and the
    path must start with a single slash and carry no scheme or host once backslashes are slashes."""
    if not target or _has_control(target):
        return None
    path = target.replace("\\", "/")
    if not path.startswith("/") or path.startswith("//"):
        return None
    parts = urlsplit(path)
    decoded = unquote(parts.path)  # the same again once decoded, for whatever decodes it before a browser
    if parts.scheme or parts.netloc or decoded.startswith(("//", "/\\")) \
            or _has_control(decoded):
        return None
    return path.rstrip("?") or "/"


def header_info(actor: Actor) -> dict[str, Any]:
    """Display name, and each role with the name of its unit, for the header."""
    if "header_info" in g:
        return g.header_info
    display = db.session.scalar(select(User.display_name).where(User.username == actor.username)) or actor.username
    codes = {code for _, code, _ in actor.assignments if code != "*"}
    names = dict(db.session.execute(select(OrgUnit.code, OrgUnit.name).where(OrgUnit.code.in_(codes))).all()) \
        if codes else {}
    roles = [(role_label(role), names.get(code, code), code) for role, code, _ in actor.assignments]
    g.header_info = {"display_name": display, "roles": roles}
    return g.header_info


def person_name(username: str | None) -> str:
    """The name people know a user by (looked up once per request); the clock is 系统, an applicant
    on the public page 报名人员, an account that is gone 已删除的账号 — never the login name."""
    if not username:
        return "—"
    if username in ("timer", "system", "cli") or ":" in username:  # the clock, the CLI, a rule acting itself
        return _("系统")
    if username == "public":
        return _("报名人员")
    cache = g.setdefault("person_names", {})
    if username not in cache:
        cache[username] = db.session.scalar(select(User.display_name).where(User.username == username)) \
            or _("已删除的账号")
    return cache[username]


def org_name(code: str | None) -> str:
    """An org unit's name for display (looked up once per request and code)."""
    if not code:
        return "—"
    cache = g.setdefault("org_names", {})
    if code not in cache:
        cache[code] = db.session.scalar(select(OrgUnit.name).where(OrgUnit.code == code)) or code
    return cache[code]


def unit_named(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """The form with the units its rows store as codes named (looked up once per request)."""
    if "unit_names" not in g:
        g.unit_names = unit_names(db.session)
    return with_unit_names(schema, g.unit_names)


# -- dates ----------------------------------------------------------------------------------------

def local_dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(clock.CHINA_TZ).strftime(fmt)


def local_date(value: datetime | date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return local_dt(value, "%Y-%m-%d")
    return value.isoformat()


def due_state(due_at: datetime | None) -> str | None:
    """`overdue`, `soon` (within three days) or None: how urgent a task looks in the inbox."""
    if due_at is None:
        return None
    now = clock.now()
    if due_at < now:
        return "overdue"
    if due_at <= now + timedelta(days=DUE_SOON_DAYS):
        return "soon"
    return None


def page_url(page: int) -> str:
    """This page's URL with its filters kept and another page number."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": page}
    return url_for(request.endpoint, **args)


def int_arg(name: str, default: int = 1, *, low: int = 1, high: int = 10_000) -> int:
    try:
        return min(max(int(request.args.get(name, default)), low), high)
    except (TypeError, ValueError):
        return default


def date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


# -- errors as pages ------------------------------------------------------------------------------

def page_blueprint(name: str, import_name: str, **kwargs: Any) -> Blueprint:
    """A blueprint whose refusals render as pages (404 never says whether the thing exists)."""
    blueprint = Blueprint(name, import_name, **kwargs)
    install_page_errors(blueprint)
    return blueprint


def install_page_errors(blueprint: Blueprint) -> None:
    @blueprint.errorhandler(DomainError)
    def domain_error(exc: DomainError):  # noqa: ANN202
        return refusal_page(exc)

    @blueprint.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):  # noqa: ANN202
        if current_actor() is None:
            return redirect_to_login(_back_path())
        return error_page(400, _("表单已失效"), _("表单已过期或来源无法验证，请返回上一页刷新后重试。"))

    @blueprint.errorhandler(404)
    def not_found(exc: Exception):  # noqa: ANN202
        return not_found_page()


# -- the language switch and what every template may use -------------------------------------------

@bp.post("/locale")
def set_locale():
    chosen = request.form.get("locale")
    if chosen in LOCALES:
        session["locale"] = chosen
    return redirect(safe_next(request.form.get("next")) or url_for("auth.index"))


@bp.app_context_processor
def page_context() -> dict[str, Any]:
    actor = current_actor() if request else None
    return {"actor": actor, "me": header_info(actor) if actor else None}


@bp.app_template_global("page_url")
def _page_url(page: int) -> str:
    return page_url(page)


for _name, _function in {
    "build_form": build_form, "describe_data": describe_data, "display_value": display_value,
    "role_label": role_label, "due_state": due_state, "unit_named": unit_named,
}.items():
    bp.add_app_template_global(_function, _name)

for _name, _function in {
    "local_dt": local_dt, "local_date": local_date, "worker_field": worker_field_label, "org_name": org_name,
    "person_name": person_name, "instance_status": lambda key: label(INSTANCE_STATUS, key),
    "outcome": lambda key, process_key=None: label(PROCESS_OUTCOMES, (process_key, key)) if (process_key, key)
    in PROCESS_OUTCOMES else label(OUTCOMES, key),
    "task_status": lambda key: label(TASK_STATUS, key),
    "worker_status": lambda key: label(WORKER_STATUS, key),
    "event_type": lambda key: str(EVENTS.get(key) or _("办理记录")),
    "flag": lambda key: label(FLAGS, key),
}.items():
    bp.add_app_template_filter(_function, _name)
