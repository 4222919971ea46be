"""GET /api/v1/tasks: due first, pages that neither repeat nor skip, and every task counted once
although it may reach a person by several ways (role, claim, delegation)."""

import uuid
from datetime import UTC, datetime, timedelta

from engine.models import TaskRow
from tests.helpers import open_task, start
from web.extensions import db

RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}


def _cases(hr, count: int) -> list[str]:  # noqa: ANN001
    """`count` open street-HR tasks in S01, in creation order: one real case, the other rows added
    to the task index beside it (the list reads only the index)."""
    case = start(hr, "resignation", "S01C01", RESIGNATION).get_json()
    first = db.session.get(TaskRow, case["open_tasks"][0]["id"])
    columns = {c.key: getattr(first, c.key) for c in TaskRow.__table__.columns if c.key != "id"}
    ids = [first.id]
    for n in range(1, count):
        row = TaskRow(**{**columns, "id": str(uuid.uuid4()), "created_at": first.created_at + timedelta(seconds=n)})
        db.session.add(row)
        ids.append(row.id)
    db.session.commit()
    return ids


def _set_due(due: dict[str, datetime | None]) -> None:
    for task_id, moment in due.items():
        db.session.get(TaskRow, task_id).due_at = moment
    db.session.commit()


def _all_pages(user, per_page: int, query: str = "") -> tuple[list[str], set[int]]:  # noqa: ANN001
    ids, totals, page = [], set(), 1
    while True:
        body = user.get(f"/api/v1/tasks?per_page={per_page}&page={page}{query}").get_json()
        totals.add(body["total"])
        if not body["items"]:
            return ids, totals
        ids += [item["id"] for item in body["items"]]
        page += 1


def test_tasks_come_due_first_and_pages_neither_repeat_nor_skip(as_user):
    hr = as_user("hr_s01")
    ids = _cases(hr, 7)
    base = datetime(2026, 12, 1, tzinfo=UTC)
    # two without a due date, the rest due in an order unlike their start order
    _set_due({ids[0]: None, ids[1]: base + timedelta(days=5), ids[2]: base + timedelta(days=1),
              ids[3]: None, ids[4]: base + timedelta(days=3), ids[5]: base - timedelta(days=2),
              ids[6]: base + timedelta(days=3)})

    listed, totals = _all_pages(hr, per_page=3)

    assert listed == [ids[5], ids[2], ids[4], ids[6], ids[1], ids[0], ids[3]]
    assert totals == {7}
    total = hr.get("/api/v1/tasks").get_json()["total"]
    assert total == 7 and type(total) is int


def test_a_claimed_task_in_my_role_is_listed_and_counted_once(as_user):
    hr = as_user("hr_s01")
    ids = _cases(hr, 3)
    assert hr.post(f"/api/v1/tasks/{ids[1]}/claim").status_code == 200

    listed, totals = _all_pages(hr, per_page=2)

    assert sorted(listed) == sorted(ids) and totals == {3}
    mine = hr.get("/api/v1/tasks?assignee=me").get_json()
    assert [item["id"] for item in mine["items"]] == [ids[1]] and mine["total"] == 1


def test_a_task_delegated_to_me_joins_my_list_once_in_due_order(as_user):
    from tests.operations.test_ops_handover import resignation, to_decision

    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    waiting = _cases(hr, 2)
    case = resignation(hr, worker_id=2)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    response = leader.post(f"/api/v1/tasks/{decision['id']}/delegate", json={"to": "hr_s01", "comment": "请核实"})
    assert response.status_code == 201, response.get_json()
    base = datetime(2026, 12, 1, tzinfo=UTC)
    _set_due({waiting[0]: base + timedelta(days=2), waiting[1]: None, decision["id"]: base})

    listed, totals = _all_pages(hr, per_page=1)

    assert listed == [decision["id"], waiting[0], waiting[1]]
    assert totals == {3}
    # the leader still sees the decision, which the leader's role is offered
    assert decision["id"] in [t["id"] for t in leader.get("/api/v1/tasks").get_json()["items"]]


def test_filters_apply_to_every_way_a_task_reaches_me(as_user):
    hr = as_user("hr_s01")
    ids = _cases(hr, 3)
    assert hr.post(f"/api/v1/tasks/{ids[0]}/claim").status_code == 200
    other = start(hr, "resignation", "S01C01", {**RESIGNATION, "worker_id": 2}).get_json()

    body = hr.get(f"/api/v1/tasks?instance={other['id']}").get_json()
    assert [item["id"] for item in body["items"]] == [other["open_tasks"][0]["id"]] and body["total"] == 1
    mine = hr.get(f"/api/v1/tasks?assignee=me&instance={other['id']}").get_json()
    assert mine["items"] == [] and mine["total"] == 0
    assert hr.get("/api/v1/tasks?process=secondment").get_json()["total"] == 0
    assert hr.get("/api/v1/tasks").get_json()["total"] == 4
    assert as_user("hr_s02").get("/api/v1/tasks").get_json()["total"] == 0


def test_counts_are_whole_numbers_on_every_database(as_user):
    """PostgreSQL sums counts as numeric; lists and inbox boxes must still count in ints."""
    from engine.core.scope import load_actor
    from engine.reads import queries
    from engine.reads.task_lists import open_tasks

    _cases(as_user("hr_s01"), 2)
    actor = load_actor(db.session, "hr_s01")
    assert type(open_tasks(db.session, actor, [])["total"]) is int
    counts = queries.inbox_counts(db.session, actor)
    assert counts["open"] == 2 and all(type(value) is int for value in counts.values())
    assert type(queries.inbox(db.session, actor, box="open").total) is int
