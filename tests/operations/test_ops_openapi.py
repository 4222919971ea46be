"""Every operation is in the OpenAPI document, and none works without a token."""

import pytest

OPERATIONS = [
    ("get", "/api/v1/tasks/{task_id}/return-targets"), ("post", "/api/v1/tasks/{task_id}/return"),
    ("post", "/api/v1/tasks/{task_id}/withdraw"), ("post", "/api/v1/instances/{instance_id}/withdraw"),
    ("post", "/api/v1/tasks/{task_id}/transfer"), ("post", "/api/v1/tasks/{task_id}/delegate"),
    ("post", "/api/v1/tasks/{task_id}/resolve"), ("post", "/api/v1/tasks/{task_id}/approvers"),
    ("get", "/api/v1/tasks/{task_id}/votes"), ("post", "/api/v1/tasks/{task_id}/urge"),
    ("post", "/api/v1/instances/{instance_id}/cc"), ("get", "/api/v1/copies"), ("post", "/api/v1/copies/{copy_id}/read"),
    ("get", "/api/v1/instances/{instance_id}/path"), ("get", "/api/v1/proxies"), ("post", "/api/v1/proxies"),
    ("post", "/api/v1/proxies/{proxy_id}/revoke"), ("get", "/api/v1/notifications"),
    ("get", "/api/v1/notifications/unread-count"), ("post", "/api/v1/notifications/{notification_id}/read"),
    ("post", "/api/v1/notifications/read-all"), ("post", "/api/v1/instances/{instance_id}/attachments"),
    ("get", "/api/v1/instances/{instance_id}/attachments"), ("get", "/api/v1/attachments/{attachment_id}"),
    ("get", "/api/v1/instances/{instance_id}/form.pdf"), ("get", "/api/v1/exports/tasks.xlsx"),
    ("get", "/api/v1/exports/instances.xlsx"),
]


def test_every_operation_is_documented(client):
    spec = client.get("/api/openapi.json").get_json()
    for method, path in OPERATIONS:
        assert method in spec["paths"].get(path, {}), (method, path)
    upload = spec["paths"]["/api/v1/instances/{instance_id}/attachments"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "application/pdf" in spec["paths"]["/api/v1/instances/{instance_id}/form.pdf"]["get"]["responses"]["200"][
        "content"]
    complete = spec["components"]["schemas"]["CompleteRequest"]["properties"]
    assert "attachments" in complete


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_operation_without_a_token(client, method, path):
    url = path.replace("{task_id}", "00000000-0000-0000-0000-000000000000").replace("{", "").replace("}", "")
    url = url.replace("instance_id", "1").replace("copy_id", "1").replace("proxy_id", "1")
    url = url.replace("notification_id", "1").replace("attachment_id", "1")
    response = getattr(client, method)(url, json={}) if method == "post" else client.get(url)
    assert response.status_code == 401, (url, response.status_code)
