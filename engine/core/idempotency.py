"""Idempotency keys: a retried API request replays the first answer instead of acting twice.

The first request with a key claims it in a row committed on its own before the request acts, so
a second request with the same key, even one running at the same moment, finds the claim (or loses
the race on the unique key) and is refused; the answer is stored when the first one finishes. The
web layer reads the header and shapes the replies; the rows change only here.

It sits in core because a key belongs to no domain: it wraps whatever command the request runs,
as the audit trail records whatever it did.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import Conflict
from engine.core.transaction import transactional
from engine.models import IdempotencyKey


def find(session: Session, username: str, key: str) -> IdempotencyKey | None:
    """The caller's earlier claim of `key`, answered or still running."""
    return session.scalar(select(IdempotencyKey).where(IdempotencyKey.username == username,
                                                       IdempotencyKey.key == key))


@transactional
def claim(session: Session, username: str, key: str, fingerprint: str) -> IdempotencyKey:
    """Claim `key` for the caller before the request acts; committed at once so others see it.

    Raises Conflict when another request claimed the same key in the meantime.
    """
    row = IdempotencyKey(username=username, key=key, fingerprint=fingerprint, created_at=clock.now())
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("相同 Idempotency-Key 的请求正在处理", code="idempotency_key_in_progress") from None
    return row


@transactional
def store_answer(session: Session, row_id: int, status: int, body: Any) -> None:
    """Keep the request's answer for replays; a server error gives the key up instead, since
    nothing happened and a retry may try again."""
    row = session.get(IdempotencyKey, row_id)
    if status >= 500:
        session.delete(row)
    else:
        row.status = status
        row.body = body
