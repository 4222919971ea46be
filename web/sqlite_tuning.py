"""SQLite as the embedded default: WAL so readers never wait for the writer, and a commit that
does not fsync twice (synchronous=NORMAL is crash-safe in WAL mode)."""

from flask import Flask
from sqlalchemy import event

from web.extensions import db


def tune_sqlite(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        return
    with app.app_context():
        @event.listens_for(db.engine, "connect")
        def _pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
