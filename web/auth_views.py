"""The login page and logout (the full browser UI is its own issue)."""

from flask import Blueprint, redirect, render_template, request, session, url_for

from engine import audit

from .auth import TooManyAttempts, Unauthorized, actor_from_request, check_credentials, login_session
from .extensions import db

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.get("/")
def index():
    actor = actor_from_request()
    if actor is None:
        return redirect(url_for("auth.login"))
    return render_template("auth/home.html", actor=actor)


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    status = 200
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
            audit.record(db.session, user.username, "login")
            db.session.commit()
            return redirect(url_for("auth.index"))
    return render_template("auth/login.html", error=error), status


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
