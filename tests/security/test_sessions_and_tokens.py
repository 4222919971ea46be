"""Sessions and forms and API tokens: CSRF on every state-changing page route, no state
change by GET, cookie flags, lock-out after failed logins, password hashing, token expiry and
revocation, security headers. Routes come from the app's url_map, so new ones are covered."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.core import clock
from engine.models import ApiToken, User
from tests.conftest import PASSWORD
from web.extensions import db

PAGE_VALUES = {"task_id": "00000000-0000-0000-0000-000000000000", "key": "resignation", "name": "x.json",
               "filename": "app.css"}


def _csrf(client, url: str = "/login") -> str:  # noqa: ANN001
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _login(client, username: str = "admin") -> None:  # noqa: ANN001
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": _csrf(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def _page_routes(app, method: str) -> list[str]:  # noqa: ANN001
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/static")) or method not in rule.methods:
            continue
        paths.append(re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) == "int" else
                            PAGE_VALUES.get(m.group(2), "x"), rule.rule))
    return sorted(set(paths))


def test_every_state_changing_page_route_refuses_a_post_without_csrf_token(app, client):
    _login(client)
    routes = _page_routes(app, "POST")
    assert "/logout" in routes and len(routes) > 10
    accepted = {}
    for path in routes:
        response = client.post(path, data={"reason": "x", "name": "x"})
        if response.status_code != 400:
            accepted[path] = response.status_code
    assert not accepted, f"POST without CSRF token not refused (400) by: {accepted}"
    assert client.get("/inbox").status_code == 200, "still logged in: nothing was changed"


def test_a_post_with_a_token_from_another_session_is_refused(app, client):
    _login(client)
    other = app.test_client()
    foreign = _csrf(other)
    assert client.post("/logout", data={"csrf_token": foreign}).status_code == 400


def test_no_state_changing_page_route_answers_a_get(app, client):
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    _login(client)
    adapter = app.url_map.bind("localhost")
    checked = 0
    for path in _page_routes(app, "POST"):
        try:
            adapter.match(path, "GET")
            continue  # a form page (GET shows it) or another route that reads
        except MethodNotAllowed:
            pass
        except NotFound:
            continue
        checked += 1
        assert client.get(path).status_code == 405, path
    assert checked > 5


def test_the_api_never_accepts_a_browser_session(app, client):
    """A cookie never authorises an API call, so the CSRF-exempt API cannot be forged cross-site."""
    _login(client, "hr_s01")
    assert client.get("/api/v1/tasks").status_code == 401
    assert client.post("/api/v1/processes/resignation/instances", json={"org": "S01C01", "data": {}}).status_code == 401


def test_the_session_cookie_is_secure_httponly_and_samesite(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = client.post("/login", data={"username": "hr_s01", "password": PASSWORD,
                                                "csrf_token": _csrf(client)})
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_session_changes_at_login(client):
    client.get("/login")
    before = client.get_cookie("session")
    _login(client, "hr_s01")
    after = client.get_cookie("session")
    assert after is not None and (before is None or before.value != after.value)


def test_only_failures_count_towards_the_lock(client):
    for _ in range(4):
        assert client.post("/api/v1/tokens", json={"username": "leader_s01", "password": "wrong"}).status_code == 401
    assert client.post("/api/v1/tokens", json={"username": "leader_s01", "password": PASSWORD}).status_code == 201
    for _ in range(4):
        assert client.post("/api/v1/tokens", json={"username": "leader_s01", "password": "wrong"}).status_code == 401
    assert client.post("/api/v1/tokens", json={"username": "leader_s01", "password": PASSWORD}).status_code == 201


def test_a_lock_from_the_login_page_also_stops_the_api_and_ends_after_its_time(app, client):
    for _ in range(5):
        client.post("/login", data={"username": "sec_s02c01", "password": "wrong", "csrf_token": _csrf(client)})
    page = client.post("/login", data={"username": "sec_s02c01", "password": PASSWORD, "csrf_token": _csrf(client)})
    assert page.status_code == 429
    assert client.post("/api/v1/tokens", json={"username": "sec_s02c01", "password": PASSWORD}).status_code == 429
    later = clock.now() + timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"], seconds=1)
    with clock.frozen(later):
        assert client.post("/api/v1/tokens", json={"username": "sec_s02c01", "password": PASSWORD}).status_code == 201


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(client):
    unknown = client.post("/api/v1/tokens", json={"username": "nobody-here", "password": "x"})
    wrong = client.post("/api/v1/tokens", json={"username": "hr_s02", "password": "x"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()


def test_passwords_are_hashed_with_scrypt_by_default(app):
    from config.settings import load_settings
    from web.auth import hash_password

    assert "PASSWORD_HASH_METHOD" not in load_settings()  # production: werkzeug's scrypt
    with app.test_request_context():
        saved = app.config.pop("PASSWORD_HASH_METHOD")
        try:
            hashed = hash_password("s3cret-口令")
        finally:
            app.config["PASSWORD_HASH_METHOD"] = saved
    assert hashed.startswith("scrypt:") and "s3cret" not in hashed


# ---- API tokens ----------------------------------------------------------------------------------


def _token(client, username: str = "hr_s01") -> str:  # noqa: ANN001
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201
    return response.get_json()["token"]


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_stops_working_when_it_expires(app, client):
    token = _token(client)
    assert client.get("/api/v1/tasks", headers=_bearer(token)).status_code == 200
    later = clock.now() + timedelta(hours=app.config["TOKEN_HOURS"], seconds=1)
    with clock.frozen(later):
        response = client.get("/api/v1/tasks", headers=_bearer(token))
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_revoking_the_current_token_logs_the_client_out_at_once(client):
    token, other = _token(client), _token(client)
    assert client.delete("/api/v1/tokens/current", headers=_bearer(token)).status_code == 204
    assert client.get("/api/v1/tasks", headers=_bearer(token)).status_code == 401
    assert client.delete("/api/v1/tokens/current", headers=_bearer(token)).status_code == 401
    assert client.get("/api/v1/tasks", headers=_bearer(other)).status_code == 200, "only that token is revoked"


def test_a_user_lists_and_revokes_only_their_own_tokens(app, client):
    mine, theirs = _token(client, "hr_s01"), _token(client, "hr_s02")
    listed = client.get("/api/v1/tokens", headers=_bearer(mine)).get_json()
    assert listed["total"] >= 1 and sum(item["current"] for item in listed["items"]) == 1
    assert all("token" not in item for item in listed["items"])
    their_id = client.get("/api/v1/tokens", headers=_bearer(theirs)).get_json()["items"][0]["id"]
    assert their_id not in {item["id"] for item in listed["items"]}
    refused = client.delete(f"/api/v1/tokens/{their_id}", headers=_bearer(mine))
    assert refused.status_code == 404
    assert client.get("/api/v1/tasks", headers=_bearer(theirs)).status_code == 200
    own_id = next(item["id"] for item in listed["items"] if item["current"])
    assert client.delete(f"/api/v1/tokens/{own_id}", headers=_bearer(mine)).status_code == 204
    assert client.get("/api/v1/tasks", headers=_bearer(mine)).status_code == 401
    with app.app_context():
        row = db.session.get(ApiToken, own_id)
        assert row.revoked_at is not None


def test_an_inactive_user_s_tokens_stop_working(app, client):
    token = _token(client, "sec_s01c02")
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "sec_s01c02")).active = False
        db.session.commit()
    assert client.get("/api/v1/tasks", headers=_bearer(token)).status_code == 401


# ---- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/api/v1/tasks", "/api/v1/no-such-thing", "/no-such-page", "/healthz",
                                  "/api/openapi.json"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    if path.startswith("/api/"):
        assert headers["Cache-Control"] == "no-store"


def test_pages_with_personal_data_are_not_cached(client):
    _login(client, "hr_s01")
    assert "no-store" in client.get("/inbox").headers.get("Cache-Control", "")


def test_https_responses_ask_for_https_only(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_a_role_granted_or_withdrawn_counts_from_the_next_call_with_the_same_token(app, client, as_user):
    from engine.models import OrgUnit, RoleAssignment
    from tests.helpers import start

    case = start(as_user("hr_s01"), "resignation", "S01C01",
                 {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-20"})
    assert case.status_code == 201, case.get_json()
    url = f"/api/v1/instances/{case.get_json()['id']}"
    token = _token(client, "hr_s02")
    assert client.get(url, headers=_bearer(token)).status_code == 404, "another street's case"
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "hr_s02"))
        street = db.session.get(OrgUnit, "S01")
        db.session.add(RoleAssignment(user_id=user_id, role="street_hr", org_code="S01", org_path=street.path))
        db.session.commit()
    assert client.get(url, headers=_bearer(token)).status_code == 200, "the new role counts at once"
    with app.app_context():
        db.session.execute(RoleAssignment.__table__.delete().where(
            RoleAssignment.user_id == user_id, RoleAssignment.org_code == "S01"))
        db.session.commit()
    assert client.get(url, headers=_bearer(token)).status_code == 404, "and so does its withdrawal"


def test_a_user_without_any_role_still_signs_in_by_token_and_sees_nothing(app, client):
    from engine.models import RoleAssignment

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "hr_s02"))
        db.session.execute(RoleAssignment.__table__.delete().where(RoleAssignment.user_id == user.id))
        db.session.commit()
    token = _token(client, "hr_s02")
    response = client.get("/api/v1/instances", headers=_bearer(token))
    assert response.status_code == 200 and response.get_json()["total"] == 0
