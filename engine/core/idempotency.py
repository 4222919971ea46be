"""Idempotency keys: a retried API request replays the first answer instead of acting twice.

A key row is committed only together with the work of its request and the answer to it, in one
transaction: a request that dies before that commit leaves no key, so a retry runs again; one that
committed left its answer, so a retry replays it. While a request runs, its uncommitted key row
holds the unique (username, key) entry: a concurrent duplicate waits on it and, once the first
commits, replays its answer (or, when the first gave up, runs itself). The web layer reads the
header and shapes the replies; the rows change only here.

It sits in core because a key belongs to no domain: it wraps whatever command the request runs,
as the audit trail records whatever it did.
"""

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import Conflict
from engine.core.transaction import transactional
from engine.models import IdempotencyKey


def find(session: Session, username: str, key: str) -> IdempotencyKey | None:
    """The caller's answered use of `key` (or a claim left without an answer by an older version)."""
    return session.scalar(select(IdempotencyKey).where(IdempotencyKey.username == username,
                                                       IdempotencyKey.key == key))


@transactional
def claim(session: Session, username: str, key: str, fingerprint: str) -> None:
    """Claim `key` inside the request's own transaction, before it acts (commits held by the caller).

    A claim committed without an answer can only be left by a request that died under an older
    version, which committed the claim before acting: it is given up, so the retry runs.
    Raises Conflict when another request committed the same key meanwhile (the caller replays it).
    """
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.username == username,
                                                 IdempotencyKey.key == key, IdempotencyKey.status.is_(None)))
    session.add(IdempotencyKey(username=username, key=key, fingerprint=fingerprint, created_at=clock.now()))
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("相同 Idempotency-Key 的请求正在处理", code="idempotency_key_in_progress") from None


@transactional
def store_answer(session: Session, username: str, key: str, fingerprint: str, status: int, body: Any) -> None:
    """Commit the request's work with its key and answer, as one transaction.

    A refusal (4xx) changed nothing, so the caller rolls back first and this keeps only the answer;
    a success commits the work the request's commands flushed together with it."""
    row = find(session, username, key)
    if row is None:
        row = IdempotencyKey(username=username, key=key, fingerprint=fingerprint, created_at=clock.now())
        session.add(row)
    row.status = status
    row.body = body
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("相同 Idempotency-Key 的请求已由另一请求应答", code="idempotency_key_in_progress") from None
