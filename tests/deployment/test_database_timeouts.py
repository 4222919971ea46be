"""A stuck database fails a request in seconds with a clear 503, not a hung worker and an HTML 500:
the API answers the error envelope `database_unavailable` with Retry-After, a browser gets a Chinese
page, and /healthz answers 503 quickly while the tables it reads are held locked."""

import time

import pytest
from sqlalchemy.exc import OperationalError

from config.settings import load_settings
from tests.conftest import is_postgres
from web.views import public as public_pages

STUCK = OperationalError("SELECT instances", {}, Exception("canceling statement due to lock timeout"))


def _stuck(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
    raise STUCK


def test_the_api_answers_a_database_timeout_with_503_database_unavailable_and_retry_after(client, monkeypatch):
    from web.api import recruitments

    monkeypatch.setattr(recruitments.applications, "public_notice", _stuck)
    response = client.get("/api/v1/recruitments/1")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "database_unavailable"
    assert "数据库暂时无法响应" in error["message"] and "请稍后重试" in error["message"]
    assert response.headers["Retry-After"] == "5"


def test_a_browser_gets_a_chinese_503_page_when_the_database_times_out(client, monkeypatch):
    monkeypatch.setattr(public_pages.applications, "public_notice", _stuck)
    response = client.get("/recruitment/1", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "服务暂时不可用" in page and "数据库暂时无法响应" in page
    assert response.headers["Retry-After"] == "5"


def test_healthz_answers_200_and_503_when_the_database_does_not_answer(client, monkeypatch):
    from web import health

    assert client.get("/healthz").status_code == 200
    monkeypatch.setattr(health, "PROBE", health.text("SELECT 1 FROM table_that_is_gone"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "database_unavailable"


def test_postgresql_connections_carry_connect_lock_and_statement_timeouts(monkeypatch):
    monkeypatch.setenv("CWFLOW_DB_LOCK_TIMEOUT", "3")
    options = load_settings({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/db"})["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["connect_timeout"] == 5
    assert "-c lock_timeout=3000" in options["connect_args"]["options"]
    assert "-c statement_timeout=15000" in options["connect_args"]["options"]
    sqlite = load_settings({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"})["SQLALCHEMY_ENGINE_OPTIONS"]
    assert sqlite["connect_args"]["timeout"] == 10


def _locker(url: str):  # noqa: ANN202
    """A second connection; it lets go of its locks by itself after 15 s, so without timeouts in
    the app the request waits that long and then succeeds (and the test fails instead of hanging)."""
    import psycopg

    conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
    conn.execute("SET idle_in_transaction_session_timeout = '15s'")
    conn.autocommit = False
    return conn


@pytest.mark.skipif(not is_postgres(), reason="a table lock held by another connection needs PostgreSQL")
def test_a_table_held_locked_makes_requests_answer_503_within_seconds_and_200_once_released(app, client, as_user):
    leader = as_user("leader_s01")  # logged in before the lock
    with _locker(app.config["SQLALCHEMY_DATABASE_URI"]) as conn:
        conn.execute("LOCK TABLE instances IN ACCESS EXCLUSIVE MODE")
        began = time.monotonic()
        response = leader.get("/api/v1/instances")
        waited = time.monotonic() - began
        assert response.status_code == 503, response.get_json()
        assert response.get_json()["error"]["code"] == "database_unavailable"
        assert response.headers["Retry-After"]
        assert waited < 7, waited
        began = time.monotonic()
        health = client.get("/healthz")
        assert health.status_code == 503
        assert time.monotonic() - began < 2.5
        conn.rollback()
    assert leader.get("/api/v1/instances").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_no_free_connection_in_the_pool_within_the_timeout_is_a_503_too(client, monkeypatch):
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from web.api import recruitments

    def pool_exhausted(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise PoolTimeout("QueuePool limit of size 10 overflow 10 reached")

    monkeypatch.setattr(recruitments.applications, "public_notice", pool_exhausted)
    response = client.get("/api/v1/recruitments/1")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "database_unavailable"
