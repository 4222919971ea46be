"""工作日历: a due date counted into a year without its official holiday arrangement is shown as
暂定; the admin pages warn about that year; a system administrator loads it (strictly checked), and
the pending due date is recounted in the same transaction; nobody else may load."""

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, CalendarYear, TaskDeadline
from tests.helpers import complete
from tests.operations.ops_support import REVIEW_OK

PROVISIONAL_TITLE = "该年度国务院放假安排尚未录入，按法定节假日推算"
# An arrangement for the tests only: 1 and 4 January 2027 off, the Sunday 10 January worked.
ARRANGEMENT = {"year": 2027, "holidays": ["2027-01-01", "2027-01-04"], "workdays": ["2027-01-10"]}


@pytest.fixture
def handover(monkeypatch, as_user, resignation) -> dict:  # noqa: ANN001
    """A handover task due in 30 working days from Wednesday 25 November 2026, so into 2027."""
    monkeypatch.setenv("CWFLOW_OPS_TASK_DUE", json.dumps({"resignation": {"handover": {"dueInWorkingDays": 30}}}))
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation()
    complete(hr, case["id"], "street_review", REVIEW_OK)
    done = complete(leader, case["id"], "street_decision", {"decision": "approve", "comment": "同意"})
    return done["open_tasks"][0]


def _task(as_user, task_id: str) -> dict:  # noqa: ANN001
    response = as_user("admin").get(f"/api/v1/tasks/{task_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_due_date_counted_into_2027_is_provisional_in_the_api_and_on_the_task_page(handover, as_user, browser_as):
    # ... 12-28..12-31 (26) | 1-1 元旦 | 1-4, 1-5, 1-6, 1-7 (30)
    assert handover["due_at"] == "2027-01-07T15:59:59+00:00" and handover["due_provisional"] is True
    page = browser_as("admin").html(f"/tasks/{handover['id']}")
    assert f'title="{PROVISIONAL_TITLE}">暂定</abbr>' in page


def test_the_admin_pages_warn_while_a_pending_date_reaches_a_provisional_year(handover, browser_as):
    page = browser_as("admin").html("/admin/users")
    assert 'id="calendar-warning"' in page and "2027 年的国务院放假安排尚未录入" in page
    assert "cwflow calendar load" in page


def test_no_warning_when_nothing_pending_reaches_2027(browser_as):
    assert 'id="calendar-warning"' not in browser_as("admin").html("/admin/users")


def test_loading_2027_recounts_the_pending_due_date_and_its_escalation(handover, as_user, browser_as, app):
    admin = browser_as("admin")
    response = admin.post("/admin/calendar", {"text": json.dumps(ARRANGEMENT)}, page="/admin/calendar")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:2000]
    assert "已录入 2027 年放假安排：放假 2 天，调休上班 1 天。" in page and "待办到期日 1 项" in page
    assert 'id="calendar-warning"' not in page
    task = _task(as_user, handover["id"])
    # ... 12-31 (26) | 1-1, 1-4 off | 1-5, 1-6, 1-7, 1-8 (30)
    assert task["due_at"] == "2027-01-08T15:59:59+00:00" and task["due_provisional"] is False
    assert PROVISIONAL_TITLE not in admin.html(f"/tasks/{handover['id']}")
    with app.app_context():
        from web.extensions import db

        deadline = db.session.get(TaskDeadline, handover["id"])
        assert deadline.escalate_at == datetime.fromisoformat("2027-01-08T23:59:59+08:00")
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.type == "calendar_year_loaded")).one()
        assert event.actor == "admin" and event.detail["due_dates_changed"] == 1


@pytest.mark.parametrize(("document", "message"), [
    ({"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-01-05"]}, "调休上班日期 2027-01-05 不是周末"),
    ({"year": 2027, "holidays": ["2027-01-01", "2028-01-01"]}, "放假日期 2028-01-01 不在 2027 年内"),
    ({"year": 2027, "holidays": ["2027-01-01", "2027-01-01"]}, "放假日期 2027-01-01 重复列出"),
    ({"year": 2027, "holidays": ["2027-01-01", "2027-01-02"], "workdays": ["2027-01-02"]}, "不能既是放假日期又是调休上班日期"),
    ({"year": 2027, "holidays": ["2027-1-1"]}, "不是 YYYY-MM-DD 格式的日期"),
    ({"year": "2027", "holidays": ["2027-01-01"]}, "year 须为 1990–2100 之间的整数年份"),
    ({"years": {"2027": {}}}, "不认识的键 years"),
])
def test_a_doubtful_file_is_refused_with_the_field_named_and_nothing_changes(handover, as_user, browser_as, app,
                                                                            document, message):
    admin = browser_as("admin")
    response = admin.post("/admin/calendar", {"text": json.dumps(document)}, page="/admin/calendar")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert _task(as_user, handover["id"])["due_provisional"] is True
    with app.app_context():
        from web.extensions import db

        assert db.session.scalars(select(CalendarYear)).all() == []


def test_a_file_upload_is_loaded_like_pasted_text(browser_as):
    from io import BytesIO

    admin = browser_as("admin")
    upload = (BytesIO(json.dumps(ARRANGEMENT).encode()), "2027.json")
    response = admin.post("/admin/calendar", {"file": upload}, page="/admin/calendar",
                          content_type="multipart/form-data")
    assert response.status_code == 200 and "已录入 2027 年放假安排" in response.get_data(as_text=True)
    assert 'data-year="2027" data-source="loaded"' in admin.html("/admin/calendar")


def test_only_a_system_administrator_may_load(handover, browser_as, as_user, app):
    hr = browser_as("hr_s01")
    refused = hr.post("/admin/calendar", {"text": json.dumps(ARRANGEMENT)}, page="/inbox")
    assert refused.status_code == 403 and "此页面仅限系统管理员使用" in refused.get_data(as_text=True)
    assert _task(as_user, handover["id"])["due_provisional"] is True
