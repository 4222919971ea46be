"""Login: hashed passwords, a fresh session, CSRF on the form, lock-out after repeated failures."""

import re

from sqlalchemy import select


def _csrf(client, url: str = "/login") -> str:  # noqa: ANN001
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_login_page_is_chinese_and_has_a_csrf_token(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page and 'name="csrf_token"' in page and 'lang="zh-CN"' in page


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "hr_s01", "password": "demo-pass-2026"})
    assert response.status_code == 400


def test_login_then_logout(client):
    response = client.post("/login", data={"username": "hr_s01", "password": "demo-pass-2026",
                                           "csrf_token": _csrf(client)})
    assert response.status_code == 302
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "hr_s01" in home or "第一街道人事" in home
    client.post("/logout", data={"csrf_token": _csrf(client, "/")})
    assert client.get("/").status_code == 302  # logged out: back to the login page


def test_passwords_are_stored_hashed(app):
    from engine.models import User
    from web.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "hr_s01"))
        assert "demo-pass-2026" not in user.password_hash and user.password_hash.startswith(("pbkdf2", "scrypt"))


def test_enough_failures_lock_the_account_even_for_the_right_password(app, client):
    """The account's own lock: failures from several addresses add up (one address alone is stopped
    earlier by its own throttle)."""
    per_address = app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    for index in range(app.config["LOGIN_MAX_FAILURES"]):
        address = {"REMOTE_ADDR": f"192.0.2.{index // per_address + 1}"}
        assert client.post("/api/v1/tokens", json={"username": "leader_s02", "password": "nope"},
                           environ_base=address).status_code == 401
    elsewhere = {"REMOTE_ADDR": "198.51.100.9"}
    locked = client.post("/api/v1/tokens", json={"username": "leader_s02", "password": "demo-pass-2026"},
                         environ_base=elsewhere)
    assert locked.status_code == 429
    other = client.post("/api/v1/tokens", json={"username": "hr_s02", "password": "demo-pass-2026"},
                        environ_base=elsewhere)
    assert other.status_code == 201


def test_responses_carry_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    from web import create_app

    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SESSION_COOKIE_SECURE"] is True


def test_a_copied_session_cookie_is_dead_after_logout(app, client):
    client.post("/login", data={"username": "hr_s01", "password": "demo-pass-2026", "csrf_token": _csrf(client)})
    cookie = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert 'id="who-name">第一街道人事<' in thief.get("/", follow_redirects=True).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": _csrf(client, "/")})
    page = thief.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'id="who-name"' not in page and 'name="password"' in page
