"""Recruitment plan (编制、审核、备案、公告): vacancies, the yearly campaign limit, who authors the plan,
the capped return loop and the notice's registration window. Each refusal creates nothing."""

from tests.helpers import complete, open_task, open_task_names
from tests.processes.recruitment_support import NOTICE, PLAN, start_campaign


def _count(user) -> int:  # noqa: ANN001
    return user.get("/api/v1/instances?key=recruitment").get_json()["total"]


def test_district_plan_goes_to_the_social_work_department_then_filing_then_notice(as_user):
    civil, swd, org = as_user("civil_d01"), as_user("swd_d01"), as_user("org_d01")
    response = start_campaign(civil)
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert [(t["name"], t["role"], t["org"]) for t in case["open_tasks"]] == [("approve_plan", "social_work_dept", "D01")]
    assert case["data"]["organiser_role"] == "district_civil_affairs"
    after = complete(swd, case["id"], "approve_plan", {"decision": "approve"})
    assert [(t["name"], t["role"]) for t in after["open_tasks"]] == [("file_plan", "district_org_dept")]
    after = complete(org, case["id"], "file_plan", {"filing_number": "组备〔2026〕3号", "filed_on": "2026-09-01"})
    assert open_task_names(after) == ["publish_notice"]


def test_posts_beyond_vacancies_are_refused_with_the_numbers(as_user):
    civil = as_user("civil_d01")
    # S01C01: 9,000 residents x 18 / 10,000 = 16 workers by the standard, 2 in service: 14 vacancies.
    response = start_campaign(civil, posts=[{"community": "S01C01", "count": 15}])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "plan_exceeds_vacancies"
    assert error["details"]["exceeded"] == [
        {"community": "S01C01", "requested": 15, "vacancies": 14, "standard": 16, "in_service": 2,
         "planned_elsewhere": 0, "campaigns": []}]
    assert "posts" in error["details"]["fields"]
    assert _count(civil) == 0
    assert start_campaign(civil, posts=[{"community": "S01C01", "count": 14}]).status_code == 201


def test_posts_planned_by_another_open_campaign_use_up_the_vacancies(as_user, monkeypatch):
    allow_street_organisers(monkeypatch)
    civil, hr, swd = as_user("civil_d01"), as_user("hr_s01"), as_user("swd_d01")
    first = start_campaign(civil, posts=[{"community": "S01C01", "count": 14}]).get_json()
    response = start_campaign(hr, org="S01", posts=[{"community": "S01C01", "count": 1}])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "vacancies_planned_elsewhere"
    assert error["details"]["exceeded"] == [
        {"community": "S01C01", "requested": 1, "vacancies": 14, "standard": 16, "in_service": 2,
         "planned_elsewhere": 14, "campaigns": [{"id": first["id"], "posts": 14}]}]
    message = error["message"]
    assert "S01C01" in message and "空缺 14 人" in message and f"已拟招 14 人（#{first['id']} 14 人）" in message
    assert _count(civil) == 1
    complete(swd, first["id"], "approve_plan", {"decision": "reject", "comment": "岗位过多"})
    assert start_campaign(hr, org="S01", posts=[{"community": "S01C01", "count": 14}]).status_code == 201


def test_a_revised_plan_counts_the_other_campaigns_but_not_itself(as_user, monkeypatch):
    allow_street_organisers(monkeypatch)
    civil, hr, swd = as_user("civil_d01"), as_user("hr_s01"), as_user("swd_d01")
    street = start_campaign(hr, org="S01", posts=[{"community": "S01C01", "count": 10}]).get_json()
    start_campaign(civil, posts=[{"community": "S01C01", "count": 4}])
    complete(swd, street["id"], "approve_plan", {"decision": "return", "comment": "请核实岗位数"})
    task = open_task(hr, street["id"], "revise_plan_street")
    revision = {"title": PLAN["title"], "registration_opens": "2026-09-07", "registration_closes": "2026-09-11",
                "posts": [{"community": "S01C01", "count": 11}], "changes": "增加岗位"}
    refused = hr.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": revision})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "vacancies_planned_elsewhere"
    revision["posts"][0]["count"] = 10  # its own 10 are not counted twice
    assert open_task_names(complete(hr, street["id"], "revise_plan_street", revision)) == ["approve_plan"]


def test_a_third_campaign_in_one_district_year_is_refused(as_user, monkeypatch):
    allow_street_organisers(monkeypatch)
    civil, hr = as_user("civil_d01"), as_user("hr_s01")
    assert start_campaign(civil).status_code == 201
    assert start_campaign(hr, org="S01", posts=[{"community": "S01C02", "count": 1}]).status_code == 201
    response = start_campaign(civil, title="第三次招聘")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "campaign_limit_reached"
    assert (error["details"]["limit"], error["details"]["existing"], error["details"]["year"]) == (2, 2, 2026)
    assert _count(civil) == 2
    assert start_campaign(civil, year=2027).status_code == 201  # another year


def test_a_rejected_plan_does_not_use_up_the_years_campaigns(as_user):
    civil, swd = as_user("civil_d01"), as_user("swd_d01")
    first = start_campaign(civil).get_json()
    done = complete(swd, first["id"], "approve_plan", {"decision": "reject", "comment": "岗位设置不合理"})
    assert (done["status"], done["outcome"]) == ("completed", "rejected")
    assert start_campaign(civil).status_code == 201
    assert start_campaign(civil).status_code == 201


def test_street_hr_drafts_a_plan_for_its_own_communities_only(as_user, monkeypatch):
    allow_street_organisers(monkeypatch)
    hr = as_user("hr_s01")
    response = start_campaign(hr, org="S01", posts=[{"community": "S02C01", "count": 1}])
    assert response.status_code == 422
    assert "posts.0.community" in response.get_json()["error"]["details"]["fields"]
    assert start_campaign(hr, org="D01").status_code in (403, 422)  # not the street's unit
    assert _count(as_user("civil_d01")) == 0


def test_returned_street_plan_is_revised_by_street_hr_within_vacancies(as_user, monkeypatch):
    allow_street_organisers(monkeypatch)
    hr, swd = as_user("hr_s01"), as_user("swd_d01")
    case = start_campaign(hr, org="S01", posts=[{"community": "S01C01", "count": 2}]).get_json()
    returned = complete(swd, case["id"], "approve_plan", {"decision": "return", "comment": "请增加和平社区岗位"})
    assert [(t["name"], t["role"], t["org"]) for t in returned["open_tasks"]] == [("revise_plan_street", "street_hr", "S01")]
    task = open_task(hr, case["id"], "revise_plan_street")
    revision = {"title": PLAN["title"], "registration_opens": "2026-09-07", "registration_closes": "2026-09-11",
                "posts": [{"community": "S01C01", "count": 2}, {"community": "S01C02", "count": 13}],
                "changes": "增加和平社区岗位"}
    refused = hr.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": revision})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "plan_exceeds_vacancies"
    revision["posts"][1]["count"] = 2
    revised = complete(hr, case["id"], "revise_plan_street", revision)
    assert open_task_names(revised) == ["approve_plan"]
    complete(swd, case["id"], "approve_plan", {"decision": "approve"})
    detail = hr.get(f"/api/v1/instances/{case['id']}").get_json()
    assert detail["data"]["recruitment_plan_revision"]["posts"][1] == {"community": "S01C02", "count": 2}


def test_return_without_reasons_is_refused_and_a_fourth_return_too(as_user):
    civil, swd = as_user("civil_d01"), as_user("swd_d01")
    case = start_campaign(civil).get_json()
    task = open_task(swd, case["id"], "approve_plan")
    response = swd.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"decision": "return"}})
    assert response.status_code == 422 and "comment" in response.get_json()["error"]["details"]["fields"]
    revision = {"title": PLAN["title"], "posts": PLAN["posts"], "registration_opens": "2026-09-07",
                "registration_closes": "2026-09-11", "changes": "已按意见修改"}
    for _ in range(3):
        returned = complete(swd, case["id"], "approve_plan", {"decision": "return", "comment": "请修改"})
        assert open_task_names(returned) == ["revise_plan_district"]
        complete(civil, case["id"], "revise_plan_district", revision)
    task = open_task(swd, case["id"], "approve_plan")
    response = swd.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"decision": "return", "comment": "再改"}})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "return_limit_reached"
    assert open_task(swd, case["id"], "approve_plan")["id"] == task["id"]


def test_registration_dates_out_of_order_are_refused(as_user):
    response = start_campaign(as_user("civil_d01"), registration_opens="2026-09-12", registration_closes="2026-09-11")
    assert response.status_code == 422
    assert "registration_closes" in response.get_json()["error"]["details"]["fields"]


def test_a_notice_whose_registration_has_already_closed_is_refused(as_user, frozen_clock):
    civil, swd, org = as_user("civil_d01"), as_user("swd_d01"), as_user("org_d01")
    with frozen_clock("2026-09-15T09:00:00+08:00"):
        case = start_campaign(civil).get_json()
        complete(swd, case["id"], "approve_plan", {"decision": "approve"})
        complete(org, case["id"], "file_plan", {"filing_number": "组备3号", "filed_on": "2026-09-15"})
        task = open_task(civil, case["id"], "publish_notice")
        response = civil.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": NOTICE})
        assert response.status_code == 422 and response.get_json()["error"]["code"] == "registration_window_invalid"
        later = {**NOTICE, "registration_opens": "2026-09-16", "registration_closes": "2026-09-25"}
        complete(civil, case["id"], "publish_notice", later)
    public = as_user("civil_d01").client.get(f"/api/v1/recruitments/{case['id']}").get_json()
    assert (public["registration_opens"], public["registration_closes"]) == ("2026-09-16", "2026-09-25")


def test_the_start_form_is_published_with_the_process(as_user):
    body = as_user("civil_d01").get("/api/v1/processes/recruitment").get_json()
    assert body["name"] == "招聘"
    assert set(body["start_form"]["required"]) == {"title", "year", "posts", "registration_opens", "registration_closes"}


def allow_street_organisers(monkeypatch) -> None:  # noqa: ANN001
    """Where a deployment lets the district entrust a street (003 art. 10), the street drafts its plan."""
    monkeypatch.setenv("CWFLOW_POLICY_RECRUITMENT_ORGANISER_LEVELS", '["city", "district", "street"]')
