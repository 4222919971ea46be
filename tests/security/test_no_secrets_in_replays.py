"""An answer kept for replay under an Idempotency-Key must not hold a secret: a token minted by
`POST /api/v1/tokens` is shown once to its caller and stored nowhere but as its hash."""

import json

from sqlalchemy import select

from engine.models import IdempotencyKey
from tests.conftest import PASSWORD
from web.extensions import db


def test_a_token_minted_under_an_idempotency_key_is_not_kept_for_replay(app, client, as_user):
    caller = as_user("hr_s01")
    response = client.post("/api/v1/tokens", json={"username": "hr_s01", "password": PASSWORD},
                           headers={"Authorization": f"Bearer {caller.token}", "Idempotency-Key": "mint-1"})
    assert response.status_code == 201
    minted = response.get_json()["token"]
    with app.app_context():
        kept = db.session.scalars(select(IdempotencyKey)).all()
    assert all(minted not in json.dumps(row.body, ensure_ascii=False) for row in kept)
