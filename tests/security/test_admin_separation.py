"""Separation of duties: the system administrator runs the system, not the cases. An administrator
who does not also hold a task's role may look at it but not claim, decide, return, transfer,
delegate, add approvers to or withdraw it, and is offered none of these; a running case is cancelled
by the street or the district, the administrator cancels only a broken one."""

import pytest
from sqlalchemy import select

from engine.models import Instance
from tests.helpers import complete, open_task, refused
from tests.operations.ops_support import add_user, resignation, to_decision
from tests.web.pagetools import Browser

ADMIN_REFUSAL = "系统管理员不办理业务"


def _leaders_task(as_user) -> tuple[dict, dict]:  # noqa: ANN001
    """A resignation waiting for the street leader's decision (街道审批), and that task."""
    case = resignation(as_user("hr_s01"))
    to_decision(as_user("hr_s01"), case)
    return case, open_task(as_user("leader_s01"), case["id"], "street_decision")


def test_admin_may_not_decide_the_street_leaders_decision(as_user):
    admin, leader = as_user("admin"), as_user("leader_s01")
    case, task = _leaders_task(as_user)
    assert admin.get(f"/api/v1/tasks/{task['id']}").status_code == 200  # looking is a system function
    response = admin.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"decision": "approve",
                                                                                 "comment": "同意"}})
    error = refused(response, 403, "admin_not_task_holder")
    assert error["message"].startswith(ADMIN_REFUSAL) and "街道领导" in error["message"]
    assert open_task(leader, case["id"], "street_decision")["id"] == task["id"]  # still the leader's
    case_now = admin.get(f"/api/v1/instances/{case['id']}").get_json()
    assert "resignation_street_decision" not in case_now["data"]


@pytest.mark.parametrize(("operation", "body"), [
    ("claim", {}),
    ("return", {"target": "initiator", "reason": "补正材料"}),
    ("transfer", {"to": "leader_s01", "comment": "转办"}),
    ("delegate", {"to": "hr_s01", "comment": "请核实"}),
    ("approvers", {"users": ["hr_s01"], "position": "after"}),
    ("withdraw", {"reason": "撤回"}),
])
def test_admin_may_not_work_a_personnel_task(as_user, operation, body):
    case, task = _leaders_task(as_user)
    response = as_user("admin").post(f"/api/v1/tasks/{task['id']}/{operation}", json=body)
    assert refused(response, 403, "admin_not_task_holder")["message"].startswith(ADMIN_REFUSAL)
    after = open_task(as_user("leader_s01"), case["id"], "street_decision")
    assert after["id"] == task["id"] and after["assignee"] is None


def test_admin_is_no_target_for_transfer_delegation_or_added_approvers(as_user):
    leader = as_user("leader_s01")
    _, task = _leaders_task(as_user)
    assert leader.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    refused(leader.post(f"/api/v1/tasks/{task['id']}/transfer", json={"to": "admin"}), 422,
            "transfer_target_not_eligible")
    refused(leader.post(f"/api/v1/tasks/{task['id']}/delegate", json={"to": "admin"}), 422,
            "delegate_out_of_scope")
    refused(leader.post(f"/api/v1/tasks/{task['id']}/approvers", json={"users": ["admin"], "position": "after"}),
            422, "approver_out_of_scope")


def test_admin_cannot_stand_in_for_a_street_leader_as_proxy(as_user):
    response = as_user("leader_s01").post("/api/v1/proxies", json={"proxy": "admin", "starts_on": "2026-11-25",
                                                                    "ends_on": "2026-12-10"})
    refused(response, 422, "proxy_out_of_scope")


def test_admin_inbox_holds_no_personnel_task(as_user):
    case, _ = _leaders_task(as_user)
    response = as_user("admin").get(f"/api/v1/tasks?instance={case['id']}")
    assert response.status_code == 200 and response.get_json()["items"] == []


def test_an_admin_who_also_holds_the_role_may_decide(app, as_user):
    add_user(app, "leader_admin", "street_leader", "S01")
    add_user(app, "leader_admin", "admin", "D01")
    case, _ = _leaders_task(as_user)
    done = complete(as_user("leader_admin"), case["id"], "street_decision", {"decision": "approve",
                                                                            "comment": "同意"})
    assert done["data"]["resignation_street_decision"]["decision"] == "approve"


def test_task_page_offers_admin_nothing_and_refuses_the_form_post(app, as_user):
    case, task = _leaders_task(as_user)
    admin = Browser(app.test_client(), "admin")
    offers = [f'/tasks/{task["id"]}/{op}"' for op in ("claim", "return", "delegate", "approvers")]
    offers.append('class="task-submit"')
    leaders_page = Browser(app.test_client(), "leader_s01").html(f"/tasks/{task['id']}")
    assert [offer for offer in offers if offer not in leaders_page] == []  # what the holder is offered
    page = admin.html(f"/tasks/{task['id']}")
    assert ADMIN_REFUSAL in page
    assert [offer for offer in offers if offer in page] == []
    response = admin.post(f"/tasks/{task['id']}", {"decision": "approve", "comment": "同意"},
                          page=f"/tasks/{task['id']}")
    assert response.status_code == 403
    assert ADMIN_REFUSAL in response.get_data(as_text=True)
    assert open_task(as_user("leader_s01"), case["id"], "street_decision")["id"] == task["id"]


def test_admin_cancels_only_a_broken_case(app, as_user):
    from web.extensions import db

    admin = as_user("admin")
    case = resignation(as_user("hr_s01"))
    refused(admin.post(f"/api/v1/instances/{case['id']}/cancel", json={"reason": "测试"}), 403,
            "admin_not_task_holder")
    with app.app_context():
        db.session.scalar(select(Instance).where(Instance.id == case["id"])).status = "error"
        db.session.commit()
    response = admin.post(f"/api/v1/instances/{case['id']}/cancel", json={"reason": "定时步骤出错，无法继续"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "cancelled"


def test_street_leader_still_cancels_a_running_case(as_user):
    case = resignation(as_user("hr_s01"))
    response = as_user("leader_s01").post(f"/api/v1/instances/{case['id']}/cancel", json={"reason": "撤销"})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"




def test_admin_may_not_start_a_personnel_case(as_user):
    hr = as_user("hr_s01")
    worker = hr.get("/api/v1/workers?org=S01C01").get_json()["items"][0]
    body = {"org": "S01C01", "data": {"worker_id": worker["id"], "reason": "个人原因",
                                      "submitted_on": "2026-11-20"}}
    before = len(as_user("admin").get("/api/v1/instances").get_json()["items"])
    response = as_user("admin").post("/api/v1/processes/resignation/instances", json=body)
    assert refused(response, 403, "admin_not_task_holder")["message"].startswith(ADMIN_REFUSAL)
    assert len(as_user("admin").get("/api/v1/instances").get_json()["items"]) == before
    assert hr.post("/api/v1/processes/resignation/instances", json=body).status_code == 201
