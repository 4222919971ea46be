"""Every redirect target taken from a request (`next`) is a path of this site: tabs, line breaks,
backslashes, protocol-relative and absolute URLs, raw or percent-encoded, all land on the home page
instead, on the login page, the language switch and the notification links alike; never a 500."""

import re
from urllib.parse import quote

import pytest

from tests.conftest import PASSWORD

HOSTILE = [
    "/\t/evil.example/x", "/\r\n/evil.example/x", "/\r/evil.example", "/\n/evil.example", "//evil.example/x",
    "/\\evil.example/x", "\\\\evil.example/x", "/\\/evil.example", "https://evil.example/x",
    "javascript:alert(1)", "https:evil.example", " //evil.example", "/\x01/evil.example", "/\x7f/evil.example", "/%2F/evil.example", "/%5C/evil.example", "\t//evil.example",
    "/%09/evil.example/x", "http:/\\evil.example", "\u0085//evil.example",
]


def _csrf(client, url: str = "/login") -> str:  # noqa: ANN001
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _lands_on_this_site(response) -> None:  # noqa: ANN001
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert not re.search(r"[\x00-\x1f\\]", location), location
    assert "evil.example" not in location.split("?")[0].replace("/login", ""), location


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_sends_the_user_to_another_site(client, target):
    url = "/login?next=" + quote(target, safe="")
    response = client.post(url, data={"username": "hr_s01", "password": PASSWORD, "csrf_token": _csrf(client)})
    _lands_on_this_site(response)
    assert "evil.example" not in response.headers["Location"]
    # signed in already, the login page redirects at once: the same judge
    _lands_on_this_site(client.get(url))
    assert "evil.example" not in client.get(url).headers["Location"]


@pytest.mark.parametrize("target", HOSTILE)
def test_the_language_switch_never_sends_the_user_to_another_site(client, target):
    response = client.post("/locale", data={"locale": "en", "next": target, "csrf_token": _csrf(client)})
    _lands_on_this_site(response)
    assert "evil.example" not in response.headers["Location"]


@pytest.mark.parametrize("target", HOSTILE)
def test_the_notification_links_never_send_the_user_to_another_site(client, target):
    client.post("/login", data={"username": "hr_s01", "password": PASSWORD, "csrf_token": _csrf(client)})
    token = _csrf(client, "/notifications")
    response = client.post("/notifications/read-all", data={"next": target, "csrf_token": token})
    _lands_on_this_site(response)
    assert "evil.example" not in response.headers["Location"]


@pytest.mark.parametrize("target", ["/instances/3?tab=trail", "/tasks", "/"])
def test_a_path_of_this_site_is_still_followed(client, target):
    response = client.post("/login?next=" + quote(target, safe=""),
                           data={"username": "hr_s01", "password": PASSWORD, "csrf_token": _csrf(client)})
    assert response.status_code == 302 and response.headers["Location"] == target
