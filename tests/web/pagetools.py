"""Helpers the page tests share: a browser-like client that signs in and posts with CSRF tokens."""

import re

PASSWORD = "demo-pass-2026"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A Flask test client with its own cookies, signed in as one user through the login page."""

    def __init__(self, flask_client, username: str | None = None):  # noqa: ANN001
        self.client = flask_client
        self.username = username
        if username:
            response = self.post("/login", {"username": username, "password": PASSWORD}, page="/login")
            assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def token(self, page: str = "/login") -> str:
        return TOKEN.search(self.client.get(page).get_data(as_text=True)).group(1)

    def get(self, url: str, **kwargs):  # noqa: ANN201
        return self.client.get(url, **kwargs)

    def html(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def post(self, url: str, data: dict | None = None, *, page: str | None = None, token: bool = True, **kwargs):  # noqa: ANN201
        form = dict(data or {})
        if token:
            form["csrf_token"] = self.token(page or "/login")
        return self.client.post(url, data=form, **kwargs)


def task_id_of(case: dict) -> str:
    return case["open_tasks"][0]["id"]
