"""Races through the real server: many people on one task, one business key started many
times at once, and retried requests with an Idempotency-Key."""

from bench._server import Client
from tests.helpers import all_at_once
from tests.reliability.faults import assert_consistent, sql

START_LOOP = "/api/v1/processes/bench_loop/instances"


def _together(port: int, count: int, call) -> list[tuple[int, object]]:  # noqa: ANN001
    """`call(client)` from `count` threads, each on its own keep-alive connection, released at once."""
    clients = [Client(port, timeout=60) for _ in range(count)]
    token = Client(port).login("hr_s01").token
    for client in clients:
        client.token = token
        client.call("GET", "/healthz")  # connect before the barrier
    return all_at_once(count, lambda index: call(clients[index]))


def test_fifty_concurrent_completions_of_one_task_give_one_200_and_49_409(server):
    port, _, url = server
    hr = Client(port).login("hr_s01")
    status, case = hr.call("POST", START_LOOP, {"org": "S01C01", "data": {"subject": "抢办", "n": 1}})
    assert status == 201, case
    task_id = case["open_tasks"][0]["id"]

    results = _together(port, 50, lambda c: c.call("POST", f"/api/v1/tasks/{task_id}/complete",
                                                   {"data": {"again": True}}))
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * 49, statuses
    assert {body["error"]["code"] for status, body in results if status == 409} == {"task_not_open"}

    status, after = hr.call("GET", f"/api/v1/instances/{case['id']}")
    assert status == 200 and after["status"] == "running"
    assert [t["name"] for t in after["open_tasks"]] == ["step"] and after["open_tasks"][0]["id"] != task_id
    events = hr.call("GET", f"/api/v1/instances/{case['id']}/events?per_page=100")[1]["items"]
    assert [e["type"] for e in events].count("task_completed") == 1
    status, _ = hr.call("POST", f"/api/v1/tasks/{after['open_tasks'][0]['id']}/complete", {"data": {"again": False}})
    assert status == 200, "the instance must go on normally after the race"
    assert_consistent(url)


def test_concurrent_starts_with_one_business_key_make_one_instance(server):
    port, _, url = server
    body = {"org": "S01C01", "business_key": "REL-RACE-1", "data": {"subject": "重复发起", "n": 1}}
    results = _together(port, 20, lambda c: c.call("POST", START_LOOP, body))
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201}, statuses
    assert len({body["id"] for _, body in results}) == 1
    assert sql(url, "SELECT count(*) FROM instances WHERE business_key = 'REL-RACE-1'") == [(1,)]
    assert sql(url, "SELECT count(*) FROM tasks t JOIN instances i ON i.id = t.instance_id "
                    "WHERE i.business_key = 'REL-RACE-1' AND t.status = 'open'") == [(1,)]
    assert_consistent(url)


def test_a_retried_completion_with_an_idempotency_key_replays_the_answer(server):
    port, _, url = server
    hr = Client(port).login("hr_s01")
    status, case = hr.call("POST", START_LOOP, {"org": "S01C01", "data": {"subject": "重试", "n": 2}})
    assert status == 201, case
    path = f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete"
    headers = {"Idempotency-Key": "rel-complete-1"}
    first = hr.call("POST", path, {"data": {"again": True}}, headers=headers)
    again = hr.call("POST", path, {"data": {"again": True}}, headers=headers)
    assert first[0] == again[0] == 200, (first, again)
    assert again[1] == first[1]
    other = hr.call("POST", path, {"data": {"again": False}}, headers=headers)
    assert other[0] == 422, other
    events = hr.call("GET", f"/api/v1/instances/{case['id']}/events?per_page=100")[1]["items"]
    assert [e["type"] for e in events].count("task_completed") == 1
    assert_consistent(url)


def test_concurrent_retries_with_one_idempotency_key_act_once(server):
    port, _, url = server
    headers = {"Idempotency-Key": "rel-start-race"}
    body = {"org": "S01C01", "data": {"subject": "并发重试", "n": 3}}
    results = _together(port, 10, lambda c: c.call("POST", START_LOOP, body, headers=headers))
    statuses = [status for status, _ in results]
    assert set(statuses) <= {201, 409}, statuses  # 409: the first is still running; retry later
    assert statuses.count(201) >= 1
    assert len({b["id"] for s, b in results if s == 201}) == 1
    assert sql(url, "SELECT count(*) FROM instances WHERE data->>'subject' = '并发重试'") == [(1,)]
    assert_consistent(url)
