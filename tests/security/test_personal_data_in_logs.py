"""Personal data (ID numbers, phone numbers) never reaches a log: not the app's own loggers, not
SpiffWorkflow's, not gunicorn's access or error log — for successful, refused and failed requests."""

import logging

import pytest

from tests.conftest import PASSWORD

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"
SECRETS = (ID_NUMBER, PHONE, ID_NUMBER.lower())


def _story(call) -> None:  # noqa: ANN001
    """Requests carrying the ID number and phone: accepted, refused and failing ones."""
    call("POST", "/api/v1/tokens", {"username": ID_NUMBER, "password": PHONE})  # failed login
    call("POST", "/api/v1/workers", {"name": "隐私测试", "org": "S01C01", "id_number": ID_NUMBER,
                                     "data": {"phone": PHONE, "note": f"电话 {PHONE}"}})
    call("POST", "/api/v1/workers", {"name": "隐私测试", "org": "S01C01", "id_number": ID_NUMBER + "9"})  # 422
    call("POST", "/api/v1/workers", {"name": "隐私测试", "org": "S09C09", "id_number": ID_NUMBER})  # unknown org
    call("GET", f"/api/v1/workers?org=S01C01&id_number={ID_NUMBER}&phone={PHONE}", None)
    call("GET", f"/api/v1/workers/{PHONE}", None)  # 404 with the number in the path
    call("POST", "/api/v1/processes/resignation/instances", {
        "org": "S01C01", "data": {"worker_id": 1, "reason": f"联系电话 {PHONE}，身份证 {ID_NUMBER}",
                                  "submitted_on": "2026-11-02"}})
    call("POST", "/api/v1/processes/resignation/instances", {"org": "S01C01", "data": {"worker_id": PHONE}})


def _assert_clean(text: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"personal data in the logs: {leaked}\n{text[-2000:]}"


def test_the_app_and_engine_loggers_never_write_personal_data(client, caplog):
    token = client.post("/api/v1/tokens", json={"username": "hr_s01", "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    # SQL echo is off in production (it would log bound parameters): keep it as deployed.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    with caplog.at_level(logging.DEBUG):
        _story(lambda method, path, body: client.open(path, method=method, json=body, headers=headers))
    assert caplog.records, "nothing was logged at all: the capture is not working"
    _assert_clean("\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records))


@pytest.fixture
def served(tmp_path):
    """gunicorn with the production config on a SQLite copy of the demo, its logs in a file."""
    from bench._server import gunicorn

    log = tmp_path / "gunicorn.log"
    with gunicorn(f"sqlite:///{tmp_path / 'privacy.db'}", workers=1, log_path=log) as (port, _):
        yield port, log


def test_gunicorn_access_and_error_logs_never_carry_personal_data(served):
    from bench._server import Client

    port, log = served
    client = Client(port).login("hr_s01")
    _story(lambda method, path, body: client.call(method, path, body))
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "/api/v1/workers" in text, "the access log is not being written"
    _assert_clean(text)


def test_a_database_error_is_logged_without_its_parameters(tmp_path, caplog):
    """SQLAlchemy puts bound parameters in its messages; the error handler logs the error's type only."""
    from sqlalchemy.exc import IntegrityError

    from web import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e.db'}", "SECRET_KEY": "x"})

    @app.get("/api/v1/_test_integrity")
    def failing():  # noqa: ANN202
        raise IntegrityError("INSERT INTO workers (id_number) VALUES (?)", (ID_NUMBER,), Exception("UNIQUE"))

    with caplog.at_level(logging.DEBUG):
        response = app.test_client().get("/api/v1/_test_integrity")
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "internal_error"
    assert ID_NUMBER not in response.get_data(as_text=True)
    _assert_clean("\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records))
