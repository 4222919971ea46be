"""Counting requests under a hashed key (`public_hits`), shared by every worker and host: the public
endpoints' limit per client address, and the sign-in throttle per address and per unknown username.

The key is a digest the web layer makes; no address or name is stored. Counting and checking are one
transaction but not one statement, so requests arriving at the same instant may pass a limit by a few:
these limits slow a flood down; the exact bound on password guesses is the account's own count
(engine/records/logins.py).
"""

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import DomainError
from engine.core.transaction import transactional
from engine.models import PublicHit


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"


def count_hit(session: Session, bucket: str, *, limit: int, per: timedelta) -> None:
    """Count one request of `bucket`; refuse it past `limit` per `per`.

    Committed on its own, before the request's work, so requests failing afterwards count too.
    """
    if take(session, bucket, limit=limit, per=per) is None:
        raise TooManyRequests("请求过于频繁，请稍后再试", details={"retry_after_seconds": int(per.total_seconds())})


@transactional
def take(session: Session, bucket: str, *, limit: int, per: timedelta) -> int | None:
    """Forget the bucket's hits older than `per` and add this one unless `limit` is reached: the new
    hit's id, or None when refused (returned, not raised, so the forgetting is committed too)."""
    now = clock.now()
    session.execute(delete(PublicHit).where(PublicHit.bucket == bucket, PublicHit.at < now - per),
                    execution_options={"synchronize_session": False})
    recent = session.scalar(select(func.count(PublicHit.id)).where(PublicHit.bucket == bucket))
    if recent >= limit:
        return None
    hit = PublicHit(bucket=bucket, at=now)
    session.add(hit)
    session.flush()
    return hit.id


@transactional
def exhausted(session: Session, bucket: str, *, limit: int, per: timedelta) -> bool:
    """Whether `bucket` already holds `limit` hits within `per` (older ones are forgotten)."""
    now = clock.now()
    session.execute(delete(PublicHit).where(PublicHit.bucket == bucket, PublicHit.at < now - per),
                    execution_options={"synchronize_session": False})
    return session.scalar(select(func.count(PublicHit.id)).where(PublicHit.bucket == bucket)) >= limit


@transactional
def record(session: Session, bucket: str) -> None:
    """Count one hit of `bucket` (a wrong password from an address)."""
    session.add(PublicHit(bucket=bucket, at=clock.now()))


@transactional
def forget(session: Session, bucket: str) -> None:
    """Drop every hit of `bucket` (a correct password forgets its address's wrong ones)."""
    session.execute(delete(PublicHit).where(PublicHit.bucket == bucket), execution_options={"synchronize_session": False})
