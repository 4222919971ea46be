"""Who is calling: bearer tokens for the API, a session cookie for pages, one lock-out rule for both."""

import secrets
from datetime import timedelta
from functools import wraps
from typing import Any, NoReturn

from flask import current_app, g, request, session
from sqlalchemy import bindparam, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from engine.core import clock, throttle
from engine.core.errors import DomainError, TooManyAttempts, Unauthorized
from engine.core.scope import Actor
from engine.models import ApiToken, RoleAssignment, User
from engine.records import logins
from engine.records.tokens import hash_token
from web.extensions import db
from web.throttle import client_bucket, keyed

WRONG = "用户名或密码错误"
TOO_MANY = "登录失败次数过多，请稍后再试"
_DUMMY_HASHES: dict[str, str] = {}


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def check_credentials(username: str, password: str) -> User:
    """The user for a correct password. A wrong one counts against the client's address and the
    account; an unknown username answers exactly as a wrong password, after the same work.

    The address throttle (LOGIN_ADDRESS_MAX_FAILURES per window) refuses before the account's lock
    (LOGIN_MAX_FAILURES) can be reached from one address, so locking someone out takes many
    addresses. A correct password forgets its address's and its account's failures.
    """
    config = current_app.config
    address = client_bucket("login")
    if throttle.exhausted(db.session, address, limit=config["LOGIN_ADDRESS_MAX_FAILURES"],
                          per=timedelta(minutes=config["LOGIN_ADDRESS_WINDOW_MINUTES"])):
        raise TooManyAttempts(TOO_MANY)
    try:
        user = _check_account(username, password)
    except DomainError:
        throttle.record(db.session, address)
        raise
    throttle.forget(db.session, address)
    return user


def _check_account(username: str, password: str) -> User:
    """The account's own count and lock (engine/records/logins.py), or an unknown name's."""
    config = current_app.config
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        _refuse_unknown(username, password)
    max_failures = config["LOGIN_MAX_FAILURES"]
    attempt = logins.take_attempt(db.session, user.id, max_failures=max_failures)
    if attempt is None:
        raise TooManyAttempts(TOO_MANY)
    right = check_password_hash(user.password_hash, password or "")
    if not (right and user.active):
        logins.login_failed(db.session, user.id, attempt, max_failures=max_failures,
                            lock_minutes=config["LOGIN_LOCK_MINUTES"])
        raise Unauthorized(WRONG)
    logins.clear_failures(db.session, user.id)
    return user


def _refuse_unknown(username: str, password: str) -> NoReturn:
    """An unknown username is counted as an account would be (its own lock after LOGIN_MAX_FAILURES
    within LOGIN_LOCK_MINUTES) and its password checked against a dummy hash of the same cost, so
    neither the answer nor its time tells whether the name exists."""
    config = current_app.config
    if throttle.take(db.session, keyed("login-name", username), limit=config["LOGIN_MAX_FAILURES"],
                     per=timedelta(minutes=config["LOGIN_LOCK_MINUTES"])) is None:
        raise TooManyAttempts(TOO_MANY)
    check_password_hash(_dummy_hash(), password or "")
    raise Unauthorized(WRONG)


def _dummy_hash() -> str:
    """A hash of a random password made with the configured method, once per method."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = hash_password(secrets.token_hex(16))
    return _DUMMY_HASHES[method]


def actor_from_request(*, bearer_only: bool = False) -> Actor | None:
    """The caller of this request: a bearer token for the API (`bearer_only`), the signed-in session
    for pages. Neither opens the other: a cookie authorises no API call, so the CSRF-exempt API
    cannot be forged cross-site, and a token opens no page, so an integration's token is no login."""
    if "actor" in g:
        return g.actor
    actor = None
    header = request.headers.get("Authorization", "")
    if bearer_only:
        if header.startswith("Bearer "):
            actor = _actor_for_token(header[7:].strip())
    elif session.get("user_id"):
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
        require_actor(bearer_only=True)
        return fn(*args, **kwargs)

    return wrapper
