"""Access tokens (访问令牌): minting one for a user, and the hash that is all the database keeps.

Why in the engine: the API's sign-in, the admin page and `cwflow users token` all mint through this
one audited transaction, so no token exists without its audit line, whoever asked for it.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.transaction import transactional
from engine.models import ApiToken, User


def hash_token(token: str) -> str:
    """What is stored and looked up instead of the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transactional
def issue_token(session: Session, actor: str, user: User, *, hours: float, label: str) -> tuple[str, ApiToken]:
    """A new random token for `user` and its row; the token is shown once and never stored.
    `hours=0` makes a token that does not expire (integrations)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = ApiToken(user_id=user.id, token_hash=hash_token(token), label=label, created_at=now,
                   expires_at=now + timedelta(hours=hours) if hours else None)
    session.add(row)
    session.flush()
    audit.record(session, actor, "token_issued", detail={"token_id": row.id, "username": user.username,
                                                         "label": label})
    return token, row
