"""Several people editing one worker record at the same moment: every acknowledged flag change is
kept, and of several edits made on the same version exactly one is applied.

These need real parallel transactions across connections: PostgreSQL.
"""

import pytest
from sqlalchemy import select

from cli.demo import ensure_user
from engine.models import WorkerChange
from tests.conftest import PASSWORD, is_postgres
from tests.helpers import all_at_once
from web.extensions import db

pytestmark = [pytest.mark.committed,
              pytest.mark.skipif(not is_postgres(), reason="parallel transactions need PostgreSQL")]

WORKER = 1  # 王晓梅, 阳光社区 S01C01
FLAG_OF_USER = {"hr_s01": "under_audit", "admin": "under_discipline_review",
                "hr_s01_b": "criminal_case_pending", "hr_s01_c": "work_injury_disability"}
ROUNDS = 8


def _headers(app, username: str) -> dict[str, str]:  # noqa: ANN001
    response = app.test_client().post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _editors(app) -> dict[str, dict[str, str]]:  # noqa: ANN001
    with app.app_context():
        for username in ("hr_s01_b", "hr_s01_c"):
            ensure_user(db.session, username, "第一街道人事", PASSWORD, [("street_hr", "S01")])
        db.session.commit()
    return {username: _headers(app, username) for username in FLAG_OF_USER}


def test_four_people_setting_different_flags_at_once_keep_every_change(app):
    editors = _editors(app)
    names = list(editors)
    clients = [app.test_client() for _ in names]
    for round_number in range(1, ROUNDS + 1):
        value = round_number % 2 == 1

        def set_own_flag(index: int, value: bool = value):  # noqa: ANN202
            username = names[index]
            return clients[index].patch(f"/api/v1/workers/{WORKER}", headers=editors[username],
                                        json={"flags": {FLAG_OF_USER[username]: value}})

        responses = all_at_once(len(names), set_own_flag, timeout=60)
        assert [r.status_code for r in responses] == [200] * len(names), [r.get_json() for r in responses]
        flags = app.test_client().get(f"/api/v1/workers/{WORKER}", headers=editors["hr_s01"]).get_json()["flags"]
        assert {flag: flags.get(flag) for flag in FLAG_OF_USER.values()} == \
            {flag: value for flag in FLAG_OF_USER.values()}, f"round {round_number}: {flags}"

    worker = app.test_client().get(f"/api/v1/workers/{WORKER}", headers=editors["hr_s01"]).get_json()
    assert worker["version"] == 1 + ROUNDS * len(names)
    with app.app_context():
        fields = db.session.scalars(select(WorkerChange.field).where(WorkerChange.worker_id == WORKER)).all()
    for flag in FLAG_OF_USER.values():
        assert fields.count(f"flags.{flag}") == ROUNDS


def test_edits_made_on_the_same_version_at_once_apply_one_and_refuse_the_rest(app):
    editors = _editors(app)
    names = list(editors)
    clients = [app.test_client() for _ in names]
    version = app.test_client().get(f"/api/v1/workers/{WORKER}", headers=editors["hr_s01"]).get_json()["version"]

    def edit(index: int):  # noqa: ANN202
        username = names[index]
        return clients[index].patch(f"/api/v1/workers/{WORKER}", headers=editors[username],
                                    json={"flags": {FLAG_OF_USER[username]: True}, "version": version})

    responses = all_at_once(len(names), edit, timeout=60)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (len(names) - 1), statuses
    refused = [r.get_json()["error"] for r in responses if r.status_code == 409]
    assert {body["code"] for body in refused} == {"worker_changed"}
    assert refused[0]["message"] == "该档案已被他人修改，请刷新后重试"

    winner = names[[r.status_code for r in responses].index(200)]
    worker = app.test_client().get(f"/api/v1/workers/{WORKER}", headers=editors["hr_s01"]).get_json()
    assert worker["version"] == version + 1
    assert [flag for flag in FLAG_OF_USER.values() if worker["flags"].get(flag)] == [FLAG_OF_USER[winner]]
