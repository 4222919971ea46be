"""Who is calling: bearer tokens for the API, a session cookie for pages, one lock-out rule for both."""

from functools import wraps
from typing import Any

from flask import current_app, g, request, session
from sqlalchemy import bindparam, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from engine.core import clock
from engine.core.errors import TooManyAttempts, Unauthorized
from engine.core.scope import Actor
from engine.models import ApiToken, RoleAssignment, User
from engine.records import logins
from engine.records.tokens import hash_token
from web.extensions import db


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def check_credentials(username: str, password: str) -> User:
    """The user for a correct password; counts failures and locks the account after too many."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise Unauthorized("用户名或密码错误")
    max_failures = current_app.config["LOGIN_MAX_FAILURES"]
    attempt = logins.take_attempt(db.session, user.id, max_failures=max_failures)
    if attempt is None:
        raise TooManyAttempts("登录失败次数过多，请稍后再试")
    if not user.active or not check_password_hash(user.password_hash, password or ""):
        logins.login_failed(db.session, user.id, attempt, max_failures=max_failures,
                            lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        raise Unauthorized("用户名或密码错误")
    logins.clear_failures(db.session, user.id)
    return user


def actor_from_request(*, bearer_only: bool = False) -> Actor | None:
    """The caller of this request: a bearer token, or (pages only) a logged-in session."""
    if "actor" in g:
        return g.actor
    actor = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        actor = _actor_for_token(header[7:].strip())
    elif session.get("user_id") and not bearer_only:
        user = db.session.get(User, session["user_id"])
        if user is not None and user.active and session.get("auth_epoch") == _epoch(user):
            actor = Actor.of(user)
    g.actor = actor
    return actor


def _epoch(user: User) -> str:
    """Changes with the password and at every logout, ending the sessions signed before."""
    return f"{user.session_version or 0}:{hash_token(user.password_hash)[:16]}"


_TOKEN_ACTOR = (
    select(User.id, User.username, User.worker_id, RoleAssignment.role, RoleAssignment.org_code,
           RoleAssignment.org_path)
    .select_from(ApiToken).join(User, User.id == ApiToken.user_id)
    .outerjoin(RoleAssignment, RoleAssignment.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
           or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > bindparam("now")), User.active.is_(True))
    .order_by(RoleAssignment.id)
)


def _actor_for_token(token: str) -> Actor | None:
    """The live token's active user with their roles, in one plain-row query on every call.

    Plain rows, not ORM entities: this runs before every API call, and building `User` and
    `RoleAssignment` objects cost more than the query. Nothing is cached, so a revoked or expired
    token, a deactivated user or a changed role counts from the very next request.
    """
    rows = db.session.execute(_TOKEN_ACTOR, {"token_hash": hash_token(token), "now": clock.now()}).all()
    if not rows:
        return None
    user_id, username, worker_id = rows[0][:3]
    return Actor(username, [(role, code, path) for _, _, _, role, code, path in rows if role is not None],
                 user_id=user_id, worker_id=worker_id)


def login_session(user: User) -> None:
    """Start a fresh session (a new id: nothing from before login survives)."""
    session.clear()
    session["user_id"] = user.id
    session["auth_epoch"] = _epoch(user)
    session.permanent = True


def require_actor(*, bearer_only: bool = False) -> Actor:
    actor = actor_from_request(bearer_only=bearer_only)
    if actor is None:
        raise Unauthorized("需要登录或有效的访问令牌")
    return actor


def api_login_required(fn: Any) -> Any:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        require_actor()
        return fn(*args, **kwargs)

    return wrapper
