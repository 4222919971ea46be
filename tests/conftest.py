"""Fixtures: the app on SQLite or PostgreSQL, each test in a rolled-back savepoint, users per role.

The database comes from CWFLOW_TEST_DATABASE_URL (PostgreSQL in CI's second run); without it a
SQLite file in a temporary folder. Tests marked `committed` see real commits across connections
(concurrency, timers) and the tables are emptied and reloaded after them.
"""

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import event, text
from sqlalchemy.orm import scoped_session, sessionmaker

from engine.bpmn.scripting import compile_expression, compile_script
from engine.core import clock
from web import create_app
from web.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-pass-2026"
# The suite's "today": every test starts on this moment (China time) and the clock runs on from it,
# so deadlines counted from the fixed dates the tests submit never pass with the real calendar.
SUITE_NOW = "2026-11-25T10:00:00+08:00"


_suite_clock = time_machine.travel(datetime.fromisoformat(SUITE_NOW), tick=True)


def pytest_configure(config: pytest.Config) -> None:
    """Move this process's clock (time, datetime, the engine's clock) to SUITE_NOW before the test
    modules are even imported, so module-level dates agree with the app's today."""
    _suite_clock.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    _suite_clock.stop()


def _database_url(tmp_root: Path) -> str:
    return os.environ.get("CWFLOW_TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'cwflow-test.db'}"


def is_postgres() -> bool:
    return (os.environ.get("CWFLOW_TEST_DATABASE_URL") or "").startswith("postgresql")


def _reset_schema(url: str) -> None:
    from sqlalchemy import create_engine

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        Path(url[len("sqlite:///"):]).unlink(missing_ok=True)


def _load_fixture_data(app) -> None:  # noqa: ANN001
    from cli.demo import load_demo
    from cli.workflows import deploy_shipped

    load_demo(db.session)
    with app.test_request_context():
        deploy_shipped()
    db.session.remove()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory):
    from cli.migrate import upgrade

    url = _database_url(tmp_path_factory.mktemp("db"))
    _reset_schema(url)
    upgrade(url)
    application = create_app({
        "SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test-secret",
        "SESSION_COOKIE_SECURE": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "TIMER_MEMORY_LIMIT_MB": 0,  # the CLI runs in the test process: never cap pytest's memory
    })
    with application.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_real_savepoints(db.engine)
        _load_fixture_data(application)
    yield application


def _sqlite_real_savepoints(engine) -> None:  # noqa: ANN001
    """pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # noqa: ANN001
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):  # noqa: ANN001
        conn.exec_driver_sql("BEGIN")


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that uses the app runs inside a transaction rolled back at the end (its
    commits become savepoints); tests that need no database get none."""
    if not {"app", "client", "as_user"} & set(request.fixturenames):
        yield
        return
    app = request.getfixturevalue("app")
    if request.node.get_closest_marker("committed"):
        yield
        _empty_and_reload(app)
        return
    # No app context stays pushed during the test: each request gets its own (and its own `g`).
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    # expire_on_commit as the app's own session (web/extensions.py): answers built after a commit see
    # what the request held, as they do in production
    db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                             expire_on_commit=False))
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()


def _empty_and_reload(app) -> None:  # noqa: ANN001
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
        _load_fixture_data(app)


@pytest.fixture
def without_static_check(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Scripts stored before the compile-time size check existed: only the run-time guards stand."""
    monkeypatch.setattr("engine.bpmn.scripting.static_refusal", lambda tree: None)
    compile_expression.cache_clear()
    compile_script.cache_clear()
    yield
    compile_expression.cache_clear()
    compile_script.cache_clear()


@pytest.fixture
def client(app):  # noqa: ANN001
    return app.test_client()


class ApiClient:
    """A test client that logs in through POST /api/v1/tokens and sends the bearer token."""

    def __init__(self, flask_client, username: str, password: str = PASSWORD):  # noqa: ANN001
        self.client = flask_client
        self.username = username
        response = flask_client.post("/api/v1/tokens", json={"username": username, "password": password})
        assert response.status_code == 201, response.get_json()
        self.token = response.get_json()["token"]

    def _headers(self, extra: dict | None = None) -> dict:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, url: str, **kwargs):  # noqa: ANN201
        return self.client.get(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, url: str, json: dict | None = None, **kwargs):  # noqa: ANN201
        return self.client.post(url, json=json if json is not None else {},
                                headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def patch(self, url: str, json: dict, **kwargs):  # noqa: ANN201
        return self.client.patch(url, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs)


@pytest.fixture
def as_user(client):  # noqa: ANN001
    """`as_user("hr_s01")` → an ApiClient logged in as that demo user."""
    cache: dict[str, ApiClient] = {}

    def make(username: str) -> ApiClient:
        if username not in cache:
            cache[username] = ApiClient(client, username)
        return cache[username]

    return make


@pytest.fixture
def frozen_clock():
    """Freeze the engine clock: `frozen_clock("2026-03-02T09:00:00+08:00")` inside a with-block."""
    from datetime import datetime

    def at(moment: str):  # noqa: ANN202
        return clock.frozen(datetime.fromisoformat(moment))

    return at


@pytest.fixture
def campaign(request: pytest.FixtureRequest, app, as_user, frozen_clock, client):  # noqa: ANN001, ANN201
    """A district recruitment campaign driven through the API, still at its plan. A module marked
    `registration_open` gets it brought to an open registration window instead."""
    from tests.processes.recruitment_support import Campaign

    campaign = Campaign(app, as_user, frozen_clock, client)
    if request.node.get_closest_marker("registration_open"):
        campaign.to_registration()
    return campaign
