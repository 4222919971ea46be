"""The login page and logout: a fresh session at login, back to the page that asked for it."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from engine.core.errors import TooManyAttempts, Unauthorized
from engine.records import logins
from web.auth import actor_from_request, check_credentials, login_session
from web.extensions import db
from web.views.pages import SEEN_COOKIE, safe_next

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.get("/")
def index():
    if actor_from_request() is None:
        return redirect(url_for("auth.login"))
    return redirect(url_for("inbox.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    status = 200
    next_path = safe_next(request.values.get("next"))
    if request.method == "POST":
        username = request.form.get("username", "")
        try:
            user = check_credentials(username, request.form.get("password", ""))
        except TooManyAttempts as exc:
            error, status = exc.message, 429
        except Unauthorized as exc:
            error, status = exc.message, 401
        else:
            login_session(user)
            logins.signed_in(db.session, user.username)
            response = redirect(next_path or url_for("inbox.index"))
            response.set_cookie(SEEN_COOKIE, "1", max_age=30 * 24 * 3600, httponly=True, samesite="Lax",
                                secure=request.is_secure)
            return response
    elif actor_from_request() is not None:
        return redirect(next_path or url_for("inbox.index"))
    return render_template("auth/login.html", error=error, next_path=next_path,
                           username=request.form.get("username", "")), status


@bp.errorhandler(CSRFError)
def login_form_expired(exc: CSRFError):  # noqa: ANN201
    """A login form left open past its session: show it again instead of an error."""
    error = _("页面已过期，请重新输入用户名和密码。")
    return render_template("auth/login.html", error=error, next_path=safe_next(request.values.get("next")),
                           username=request.form.get("username", "")), 400


@bp.post("/logout")
def logout():
    actor = actor_from_request()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    if actor is not None:
        logins.signed_out(db.session, actor.user_id, actor.username)
    flash(_("您已退出登录。"), "info")
    response = redirect(url_for("auth.login"))
    response.delete_cookie(SEEN_COOKIE)
    return response
