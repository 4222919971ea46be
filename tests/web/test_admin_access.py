"""Only administrators reach the administration pages, and every change needs its CSRF token."""

import re

import pytest

from tests.web.test_admin_support import RESIGNATION_BPMN, csrf, login, post_json

PAGES = [
    "/admin/definitions", "/admin/modeler", "/admin/modeler?key=resignation", "/admin/forms",
    "/admin/forms/resignation_street_review.json", "/admin/users", "/admin/orgs", "/admin/tokens",
    "/admin/definitions/resignation/1.bpmn", "/admin/calendar",
]
JSON_POSTS = ["/admin/modeler/validate", "/admin/modeler/deploy", "/admin/drafts", "/admin/forms/preview",
              "/admin/forms/resignation_street_review.json"]
FORM_POSTS = ["/admin/users", "/admin/orgs", "/admin/tokens", "/admin/users/1/active", "/admin/tokens/1/revoke",
              "/admin/calendar"]


def test_every_admin_page_opens_for_an_administrator(client):
    login(client, "admin")
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", PAGES)
def test_a_street_hr_officer_gets_403_on_admin_pages(client, url):
    login(client, "hr_s01")
    response = client.get(url)
    assert response.status_code == 403
    assert "仅限系统管理员" in response.get_data(as_text=True)


def test_a_street_hr_officer_gets_403_on_admin_endpoints_even_with_a_valid_csrf_token(client):
    token = login(client, "hr_s01")
    for url in JSON_POSTS:
        response = post_json(client, url, {"bpmn": RESIGNATION_BPMN.decode(), "schema": "{}"}, token)
        assert response.status_code == 403, url
        assert response.get_json()["error"]["code"] == "forbidden"
    for url in FORM_POSTS:
        assert client.post(url, data={"csrf_token": token, "username": "x"}).status_code == 403, url


def test_an_api_token_of_a_non_admin_opens_no_admin_page(client, as_user):
    hr = as_user("hr_s01")
    response = hr.get("/admin/definitions")  # a token opens no page at all: to the login page
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/admin/definitions")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = post_json(client, "/admin/modeler/validate", {"bpmn": "<x/>"}, token)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"


def test_changes_without_a_csrf_token_are_refused(client):
    login(client, "admin")
    for url in JSON_POSTS:
        assert post_json(client, url, {"bpmn": RESIGNATION_BPMN.decode()}, None).status_code == 400, url
    for url in FORM_POSTS:
        assert client.post(url, data={"username": "x"}).status_code == 400, url
    wrong = post_json(client, "/admin/modeler/deploy", {"bpmn": RESIGNATION_BPMN.decode()}, "not-the-token")
    assert wrong.status_code == 400


def test_a_get_never_changes_state(client):
    login(client, "admin")
    for url in ["/admin/modeler/deploy", "/admin/drafts", "/admin/tokens/1/revoke", "/admin/users/1/active"]:
        assert client.get(url).status_code in (404, 405), url
    assert csrf(client)
