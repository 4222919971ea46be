"""Replay storage never holds a secret: `POST /api/v1/tokens` with an `Idempotency-Key` issues a
token and keeps no answer, so no token text ever lands in the idempotency table, and a retry with
the same key gets a new, working token instead of a copy of the first."""

import json

from sqlalchemy import create_engine, select, text

from cli.migrate import upgrade
from engine.models import IdempotencyKey
from tests.conftest import PASSWORD
from web.extensions import db


def _stored_answers(app) -> list[str]:  # noqa: ANN001
    with app.app_context():
        return [repr(row.body) for row in db.session.scalars(select(IdempotencyKey))]


def test_a_token_created_with_an_idempotency_key_is_never_stored_in_clear(app, client, as_user):
    bearer = as_user("hr_s01").token
    headers = {"Authorization": f"Bearer {bearer}", "Idempotency-Key": "login-1"}
    body = {"username": "hr_s01", "password": PASSWORD}
    first = client.post("/api/v1/tokens", json=body, headers=headers)
    again = client.post("/api/v1/tokens", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    tokens = [first.get_json()["token"], again.get_json()["token"]]
    assert tokens[0] != tokens[1] and "Idempotent-Replayed" not in again.headers
    stored = _stored_answers(app)
    assert not any(token in answer for token in tokens for answer in stored), stored
    for token in tokens:
        assert client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"}).status_code == 200



def test_the_migration_deletes_token_answers_stored_by_earlier_versions(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0013_worker_version")
    engine = create_engine(url)
    answers = {"login": {"token": "cwf_live_secret_1", "expires_at": "2026-11-25T14:00:00Z"},
               "other": {"token_id": 3, "note": "no secret"}, "empty": None}
    with engine.begin() as connection:
        for key, body in answers.items():
            connection.execute(text("INSERT INTO idempotency_keys (username, key, fingerprint, status, body, "
                                    "created_at) VALUES ('hr_s01', :key, 'f', 201, :body, '2026-11-25 02:00:00')"),
                               {"key": key, "body": None if body is None else json.dumps(body)})
    upgrade(url)
    with engine.connect() as connection:
        left = dict(connection.execute(text("SELECT key, body FROM idempotency_keys")).all())
    engine.dispose()
    assert set(left) == {"other", "empty"}
    assert "cwf_live_secret_1" not in repr(left)
