"""Signing in and out (登录与退出): the count of wrong passwords, the lock-out after too many, and
ending a user's browser sessions everywhere.

The web layer checks the password and keeps the cookie; what signing in and out changes in the
database happens here, each change one committed command. A wrong password is counted in its own
transaction because the request that made it then fails.

Every attempt takes its number before its password is checked, in one conditional UPDATE: requests
sent at the same moment cannot all read the same count, so at most the policy number of passwords
is ever checked before the lock, however many arrive at once.
"""

from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.transaction import transactional
from engine.models import User


@transactional
def take_attempt(session: Session, user_id: int, *, max_failures: int) -> int | None:
    """Count this sign-in as failed until its password proves right, and return its number in the
    row; None when the account is locked or `max_failures` attempts are already counted (and are
    being checked), so this password must not be tried."""
    counted = update(User).where(
        User.id == user_id, User.failed_logins < max_failures,
        or_(User.locked_until.is_(None), User.locked_until <= clock.now()),
    ).values(failed_logins=User.failed_logins + 1).returning(User.failed_logins)
    return session.execute(counted, execution_options={"synchronize_session": False}).scalar_one_or_none()


@transactional
def login_failed(session: Session, user_id: int, attempt: int, *, max_failures: int, lock_minutes: float) -> bool:
    """Record a wrong password (or a sign-in to a deactivated account) counted as number `attempt` by
    `take_attempt`; the `max_failures`-th in a row locks the account for `lock_minutes` and starts
    the count again. True when it locked."""
    user = session.get(User, user_id, populate_existing=True)
    locked = attempt >= max_failures
    if locked:
        user.locked_until = clock.now() + timedelta(minutes=lock_minutes)
        user.failed_logins = 0
    audit.record(session, user.username[:64], "login_failed")
    return locked


@transactional
def clear_failures(session: Session, user_id: int) -> None:
    """A correct password forgets the wrong ones before it and a lock that has run out."""
    user = session.get(User, user_id, populate_existing=True)
    user.failed_logins = 0
    user.locked_until = None


@transactional
def signed_in(session: Session, username: str) -> None:
    """Record a sign-in to the pages (the session cookie itself is the web layer's)."""
    audit.record(session, username, "login")


@transactional
def signed_out(session: Session, user_id: int, username: str) -> None:
    """Log the user out everywhere and record it."""
    end_sessions(session, user_id)
    audit.record(session, username, "logout")


def end_sessions(session: Session, user_id: int) -> None:
    """Make every browser session signed before now invalid: a copied cookie is dead from now on.
    No commit: the calling command commits."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version = (user.session_version or 0) + 1
