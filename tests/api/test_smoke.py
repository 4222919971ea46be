def test_health_answers_when_the_database_is_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_shipped_processes_are_listed(as_user):
    response = as_user("hr_s01").get("/api/v1/processes")
    assert response.status_code == 200
    keys = [p["key"] for p in response.get_json()["items"]]
    assert "resignation" in keys
