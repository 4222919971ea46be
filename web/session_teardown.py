"""Ending each request's database session without turning a lost connection into a 500.

Why: Flask-SQLAlchemy closes the session after the answer is built; when the database went away
during the request (a restart, a failover) that close rolls back on a dead connection and raises,
after the request already answered 503 or even 200, and the server then sends a bare 500 instead.
The connection is discarded by the pool either way, so the close is finished quietly here, before
Flask-SQLAlchemy's own teardown (teardowns run last-registered first).
"""

import logging

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from web.extensions import db

log = logging.getLogger(__name__)


def end_sessions_quietly(app: Flask) -> None:
    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        try:
            db.session.remove()
        except SQLAlchemyError as error:
            log.warning("database session closed on a lost connection: %s", type(error).__name__)
            db.session.registry.clear()
