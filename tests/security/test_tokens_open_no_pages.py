"""A bearer token is for the API only: it opens no browser page, so an integration's token (often
long-lived, kept in another system) is never a way into the pages or their forms."""

import pytest


@pytest.mark.parametrize("path", ["/inbox", "/instances", "/workers", "/notifications", "/admin/users"])
def test_a_bearer_token_does_not_open_a_page(as_user, client, path):
    token = as_user("admin").token
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login"), response.status_code


def test_the_home_page_sends_a_token_holder_to_the_login_page(as_user, client):
    response = client.get("/", headers={"Authorization": f"Bearer {as_user('hr_s01').token}"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
