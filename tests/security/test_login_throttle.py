"""Signing in tells nobody which usernames exist and lets no single address lock anyone out: an
unknown name is refused with the same answer, the same code and after the same work as a wrong
password, gets 429 after as many tries, and one address is throttled before any account locks."""

import statistics
import time

from sqlalchemy import update

from engine.models import User
from tests.conftest import PASSWORD
from web.auth import hash_password
from web.extensions import db

TOKENS = "/api/v1/tokens"


def _try(client, username: str, address: str, password: str = "wrong-guess", **environ):  # noqa: ANN001, ANN201
    return client.post(TOKENS, json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address, **environ}, headers=environ.pop("headers", None))


def test_an_unknown_user_is_refused_exactly_like_a_wrong_password_and_locked_after_as_many_tries(app, client):
    tries = app.config["LOGIN_MAX_FAILURES"] + 1
    # each try from its own address, so only the per-account (per-name) count is at work
    existing = [_try(client, "leader_s01", f"192.0.2.{n}") for n in range(1, tries + 1)]
    unknown = [_try(client, "no-such-user", f"198.51.100.{n}") for n in range(1, tries + 1)]
    assert [r.status_code for r in existing] == [r.status_code for r in unknown] == [401] * (tries - 1) + [429]
    assert [r.get_json() for r in existing] == [r.get_json() for r in unknown]
    assert unknown[-1].get_json()["error"]["code"] == "too_many_attempts"


def test_an_unknown_user_takes_as_long_to_refuse_as_a_wrong_password(app, client, monkeypatch):
    method = "pbkdf2:sha256:200000"  # a cost that dominates the request, as scrypt does in production
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", method)
    with app.test_request_context():
        db.session.execute(update(User).where(User.username == "leader_s02").values(password_hash=hash_password(PASSWORD)))
        db.session.commit()

    def timed(username: str, address: str) -> float:
        started = time.perf_counter()
        assert _try(client, username, address).status_code == 401
        return time.perf_counter() - started

    _try(client, "warm-up", "203.0.113.200")  # the dummy hash is made once per method
    # taken in turns, so a busy moment of the machine slows both alike
    pairs = [(timed("leader_s02", f"192.0.2.{n}"), timed("nobody-at-all", f"198.51.100.{n}")) for n in range(1, 10)]
    existing, unknown = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    assert 0.5 < unknown / existing < 2, (unknown, existing)


def test_one_address_is_throttled_before_it_can_lock_the_administrator_out(app, client):
    flood = [_try(client, "admin", "203.0.113.66").status_code for _ in range(app.config["LOGIN_MAX_FAILURES"])]
    per_address = app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    assert flood == [401] * per_address + [429] * (len(flood) - per_address)
    assert _try(client, "admin", "203.0.113.66", PASSWORD).status_code == 429  # this address waits
    assert _try(client, "admin", "198.51.100.20", PASSWORD).status_code == 201  # the administrator does not


def test_spraying_many_usernames_from_one_address_is_throttled_too(app, client):
    names = ["hr_s01", "no-one-1", "leader_s01", "no-one-2", "civil_d01", "org_d01", "no-one-3"]
    statuses = [_try(client, name, "203.0.113.77").status_code for name in names]
    per_address = app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    assert statuses == [401] * per_address + [429] * (len(names) - per_address)
    assert _try(client, "hr_s01", "203.0.113.78", PASSWORD).status_code == 201


def test_behind_the_proxy_each_client_address_has_its_own_throttle(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)

    def through_proxy(client_address: str, password: str = "wrong-guess") -> int:
        return client.post(TOKENS, json={"username": "hr_s02", "password": password},
                           environ_base={"REMOTE_ADDR": "10.0.0.2"},
                           headers={"X-Forwarded-For": client_address}).status_code

    per_address = app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    assert [through_proxy("203.0.113.7") for _ in range(per_address + 1)] == [401] * per_address + [429]
    assert through_proxy("198.51.100.1, 203.0.113.7", PASSWORD) == 429  # a forged left-hand entry is ignored
    assert through_proxy("203.0.113.8", PASSWORD) == 201  # another client behind the same proxy

