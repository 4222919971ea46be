"""The task index and the notices of a step cost only the queries they need: a task goes to the unit
of its role's level without reading that unit, a new case reads no task rows, and a step that opens
no task reads no org unit."""

from contextlib import contextmanager

from sqlalchemy import event, select

from config.roles import ROLES
from engine.core.scope import ROLE_LEVEL_DEPTH, lift_to_role_level, lifted_unit
from engine.models import OrgUnit
from tests.helpers import complete, start
from tests.operations.ops_support import REVIEW_OK, notes

RESIGNATION = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-20"}


@contextmanager
def _statements(app):  # noqa: ANN001, ANN202
    """The SQL the app sends inside the block."""
    from web.extensions import db

    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _reading(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if s.startswith("SELECT") and f"FROM {table} " in f"{s} "]


def _expected_unit(units: dict[str, OrgUnit], unit: OrgUnit, level: str | None) -> OrgUnit:
    """Walk up the parents: the unit at the role's level, the root when the tree starts below it,
    or the unit itself when the role sits at its level or lower."""
    chain = [unit]
    while chain[-1].parent_code:
        chain.append(units[chain[-1].parent_code])
    if level not in ROLE_LEVEL_DEPTH or ROLE_LEVEL_DEPTH[level] >= ROLE_LEVEL_DEPTH[unit.level]:
        return unit
    return next((u for u in chain if u.level == level), chain[-1])


def test_every_role_lands_on_the_unit_the_org_tree_gives_it(app):
    from web.extensions import db

    with app.app_context():
        units = {unit.code: unit for unit in db.session.scalars(select(OrgUnit))}
        assert {"district", "street", "community"} <= {unit.level for unit in units.values()}
        for unit in units.values():
            for role in ROLES:
                expected = _expected_unit(units, unit, role.level)
                assert lifted_unit(unit, role.key) == (expected.code, expected.path), (unit.code, role.key)
                assert lift_to_role_level(db.session, unit, role.key) is expected


def test_a_new_case_reads_no_task_rows_and_only_its_own_unit(app, as_user):
    hr = as_user("hr_s01")
    with _statements(app) as seen:
        response = start(hr, "resignation", "S01C01", RESIGNATION)
    assert response.status_code == 201, response.get_json()
    review = response.get_json()["open_tasks"]
    assert [(t["name"], t["org"]) for t in review] == [("street_review", "S01")]
    assert [s for s in _reading(seen, "tasks") if "tasks.instance_id =" in s] == []  # no search for open rows
    assert len(_reading(seen, "org_units")) == 1
    assert [n["kind"] for n in notes(hr)] == ["task"]


def test_a_step_that_opens_a_task_reads_the_case_unit_once_and_one_that_opens_none_not_at_all(app, as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = start(hr, "resignation", "S01C01", RESIGNATION).get_json()
    with _statements(app) as seen:
        after = complete(hr, case["id"], "street_review", REVIEW_OK)
    assert [t["name"] for t in after["open_tasks"]] == ["street_decision"]
    assert len(_reading(seen, "org_units")) == 1
    assert any(n["kind"] == "task" for n in notes(leader))
    with _statements(app) as seen:
        cancelled = hr.post(f"/api/v1/instances/{case['id']}/cancel", json={"reason": "申请人撤回"})
    assert cancelled.status_code == 200, cancelled.get_json()
    assert cancelled.get_json()["open_tasks"] == []
    assert _reading(seen, "org_units") == []
