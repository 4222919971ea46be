"""Users (用户), their roles per org unit, org units (组织单位) and integration tokens (接口令牌).

Plain HTML forms posting with a CSRF token; a refused change re-renders its page with the
messages beside the fields (status 422) and changes nothing.
"""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from config.roles import ROLES, ROLES_BY_KEY
from engine.core import clock
from engine.core.errors import Conflict, DomainError, InvalidData, NotFound
from engine.records import accounts as service
from engine.records.tokens import issue_token
from web.auth import hash_password
from web.extensions import db
from web.views.admin_common import admin, bp, page_arg

PER_PAGE = 50
TOKEN_LABEL_MAX = 100


def _orgs():  # noqa: ANN202
    return service.org_units(db.session)


# --- users -------------------------------------------------------------------------------------

@bp.get("/users")
def users_page(errors: dict | None = None, values: dict | None = None, status: int = 200):  # noqa: ANN201
    page, query = page_arg(), request.args.get("q", "").strip()
    users, total = service.users_page(db.session, page=page, per_page=PER_PAGE, query=query)
    return render_template("admin/users.html", users=users, total=total, page=page, per_page=PER_PAGE, q=query,
                           roles=ROLES, roles_by_key=ROLES_BY_KEY, orgs=_orgs(), errors=errors or {},
                           values=values or {}), status


@bp.post("/users")
def user_create():
    form = request.form
    password = form.get("password", "")
    try:
        user = service.create_user(
            db.session, admin().username, username=form.get("username", ""),
            display_name=form.get("display_name", ""),
            password_hash=hash_password(password) if len(password) >= service.MIN_PASSWORD else "",
            password_length=len(password), role=form.get("role", ""), org_code=form.get("org", ""))
    except InvalidData as exc:
        values = {k: form.get(k, "") for k in ("username", "display_name", "role", "org")}
        return users_page(errors=exc.fields, values=values, status=422)
    return redirect(url_for("admin.user_detail", user_id=user.id, created=1))


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int, message: str | None = None, errors: dict | None = None, status: int = 200):  # noqa: ANN201
    user = service.get_user(db.session, user_id)
    return render_template("admin/user.html", user=user, roles=ROLES, roles_by_key=ROLES_BY_KEY, orgs=_orgs(),
                           message=message, errors=errors or {}, created=request.args.get("created")), status


@bp.post("/users/<int:user_id>/roles")
def user_add_role(user_id: int):
    try:
        service.add_role(db.session, admin().username, user_id, request.form.get("role", ""),
                         request.form.get("org", ""))
    except InvalidData as exc:
        return user_detail(user_id, errors=exc.fields, status=422)
    except Conflict as exc:
        return user_detail(user_id, message=exc.message, status=409)
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/roles/<int:assignment_id>/delete")
def user_remove_role(user_id: int, assignment_id: int):
    try:
        service.remove_role(db.session, admin().username, user_id, assignment_id)
    except Conflict as exc:
        return user_detail(user_id, message=exc.message, status=409)
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
def user_set_active(user_id: int):
    active = request.form.get("active") == "1"
    try:
        service.set_user_active(db.session, admin().username, user_id, active)
    except Conflict as exc:
        return user_detail(user_id, message=exc.message, status=409)
    return redirect(url_for("admin.user_detail", user_id=user_id))


# --- org units ---------------------------------------------------------------------------------

@bp.get("/orgs")
def orgs_page(errors: dict | None = None, values: dict | None = None, status: int = 200):  # noqa: ANN201
    return render_template("admin/orgs.html", orgs=_orgs(), levels=service.LEVEL_NAMES, errors=errors or {},
                           values=values or {}, created=request.args.get("created")), status


@bp.post("/orgs")
def org_create():
    form = request.form
    values = {k: form.get(k, "") for k in ("code", "name", "level", "parent", "households", "residents")}
    numbers, errors = {}, {}
    for key in ("households", "residents"):
        text = values[key].strip()
        if text and not text.isdigit():
            errors[key] = [_("请填写整数")]
        numbers[key] = int(text) if text.isdigit() else None
    try:
        if errors:
            raise InvalidData(_("组织单位信息有误"), errors)
        org = service.create_org_unit(db.session, admin().username, code=values["code"], name=values["name"],
                                      level=values["level"], parent_code=values["parent"], **numbers)
    except InvalidData as exc:
        return orgs_page(errors=exc.fields, values=values, status=422)
    return redirect(url_for("admin.orgs_page", created=org.code))


# --- integration tokens ------------------------------------------------------------------------

@bp.get("/tokens")
def tokens_page(minted: dict | None = None, errors: dict | None = None, status: int = 200):  # noqa: ANN201
    page = page_arg()
    tokens, total = service.tokens_page(db.session, page=page, per_page=PER_PAGE)
    users, _total = service.users_page(db.session, per_page=500)
    return render_template("admin/tokens.html", tokens=tokens, total=total, page=page, per_page=PER_PAGE,
                           users=[u for u in users if u.active], minted=minted, errors=errors or {},
                           now=clock.now(), selected_user=request.args.get("user", type=int)), status


@bp.post("/tokens")
def token_mint():
    """Mint a token for an integration. It is shown once, on this response, and never again."""
    form = request.form
    errors: dict[str, list[str]] = {}
    label = form.get("label", "").strip()
    if not label or len(label) > TOKEN_LABEL_MAX:
        errors["label"] = [_("请填写用途（不超过%(limit)s字），便于日后识别和吊销", limit=TOKEN_LABEL_MAX)]
    try:
        hours = float(form.get("hours", "0") or 0)
        if hours < 0 or hours > 24 * 3650:
            raise ValueError
    except ValueError:
        errors["hours"] = [_("有效期为 0（不过期）或正的小时数")]
        hours = 0
    user = None
    if form.get("user_id", "").isdigit():
        try:
            user = service.get_user(db.session, int(form["user_id"]))
        except NotFound:
            user = None
    if user is None or not user.active:
        errors["user_id"] = [_("请选择一个在用的用户")]
    if errors:
        return tokens_page(errors=errors, status=422)
    token, _row = issue_token(db.session, admin().username, user, hours=hours, label=label)
    return tokens_page(minted={"token": token, "username": user.username, "display_name": user.display_name, "label": label}, status=201)


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    try:
        service.revoke_token(db.session, admin().username, token_id)
    except DomainError as exc:
        return tokens_page(errors={"token": [exc.message]}, status=exc.status)
    return redirect(url_for("admin.tokens_page"))
