"""Recruitment (招聘, docs/domain.md "Recruitment") end to end through the REST API: every role's task from plan
to hire, the substitution paths (physical, vetting, upheld objection), the publicity across the
2026 National Day holiday, the hire's labour-law limit and the probation review."""

import pytest

from tests.helpers import open_task
from tests.processes.recruitment_support import Campaign, applicant

WRITTEN = {"A1": 90, "A2": 85, "A3": 80, "A4": 75, "A5": 70, "A6": 65, "A7": 55,
           "B1": 88, "B2": 77, "B3": 66, "B4": 66}
INTERVIEW = {"A1": 80, "A2": 90, "A3": 70, "A4": 60, "A5": 95, "A6": 50,
             "B1": 70, "B2": 90, "B3": 60, "B4": 61}
CONTRACT = {"contract_start": "2026-11-01", "contract_years": 3, "probation_months": 1}
HIRE = {"filing_number": "民备〔2026〕21号", "hrss_filing_number": "人社备〔2026〕9号"}


def _applicants() -> list[dict]:
    people = [applicant(i, "S01C01", name=f"A{i}") for i in range(1, 8)]
    return people + [applicant(10 + i, "S02C01", name=f"B{i}") for i in range(1, 5)]


def _ranked(campaign: Campaign) -> tuple[dict, dict]:
    campaign.to_registration()
    apps = campaign.register(_applicants())
    campaign.to_ranking(WRITTEN, INTERVIEW, apps)
    return apps, campaign.by_name()


def test_campaign_from_plan_to_hire_with_every_role(campaign, as_user):
    hr1, hr2, panel, civil = as_user("hr_s01"), as_user("hr_s02"), campaign.panel, campaign.civil
    campaign.to_registration()
    assert campaign.tasks() == []  # waiting for the registration deadline
    apps = campaign.register(_applicants())

    # Each street's HR reviews its own communities' applications of the district campaign.
    assert {a["post"] for a in campaign.applications(hr1)} == {"S01C01"}
    with campaign.at("2026-09-10T10:00:00+08:00"):
        for name, item in apps.items():
            reviewer = hr1 if name.startswith("A") else hr2
            response = reviewer.post(f"/api/v1/recruitments/{campaign.id}/applications/{item['id']}/review",
                                     json={"decision": "approve"})
            assert response.status_code == 200, response.get_json()
    campaign.tick("2026-09-11T23:59:00+08:00")
    assert campaign.tasks() == []  # the deadline day still counts
    campaign.tick("2026-09-12T00:00:01+08:00")
    assert campaign.tasks() == ["close_qualification_review"]
    campaign.close(civil, "close_qualification_review", {"confirmed": True}, "2026-09-12T10:00:00+08:00")

    assert campaign.scores("written", WRITTEN, apps, "2026-09-20T10:00:00+08:00").status_code == 200
    campaign.close(panel, "close_written_exam", {"pass_line": 60}, "2026-09-20T11:00:00+08:00")
    people = campaign.by_name()
    assert people["A7"]["status"] == "written_failed"
    assert {n for n, a in people.items() if a["status"] == "interview"} == {
        "A1", "A2", "A3", "A4", "A5", "A6", "B1", "B2", "B3", "B4"}  # B3 and B4 tie at the cut-off
    shortlisted = {n: s for n, s in INTERVIEW.items()}
    assert campaign.scores("interview", shortlisted, apps, "2026-09-22T10:00:00+08:00").status_code == 200
    campaign.close(panel, "close_interview", {"confirmed": True}, "2026-09-22T11:00:00+08:00")
    people = campaign.by_name()
    assert [people[n]["rank"] for n in ("A2", "A1", "A5", "A3", "A4", "A6")] == [1, 2, 3, 4, 5, 6]
    assert people["A2"]["scores"]["total"] == "87.50" and people["B4"]["scores"]["total"] == "63.50"
    assert {n for n, a in people.items() if a["status"] == "physical"} == {"A1", "A2", "B2"}

    # Physical: A1 fails and A5 (rank 3) steps in; vetting: A5 fails and A3 (rank 4) steps in.
    assert campaign.check("physical", people["A2"]["id"], "pass").status_code == 200
    failed = campaign.check("physical", people["A1"]["id"], "fail").get_json()
    assert failed["substitute"]["name"] == "A5" and failed["substitute"]["substitute_for"] == people["A1"]["id"]
    assert campaign.check("physical", people["B2"]["id"], "pass").status_code == 200
    task = open_task(panel, campaign.id, "close_physical")
    with campaign.at("2026-09-24T11:00:00+08:00"):
        refused = panel.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"confirmed": True}})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "checks_pending"
    assert campaign.check("physical", people["A5"]["id"], "pass").status_code == 200
    campaign.close(panel, "close_physical", {"confirmed": True}, "2026-09-24T12:00:00+08:00")
    for name, result in (("A2", "pass"), ("A5", "fail"), ("B2", "pass")):
        assert campaign.check("vetting", people[name]["id"], result, "2026-09-25T10:00:00+08:00").status_code == 200
    assert campaign.check("physical", people["A3"]["id"], "pass", "2026-09-25T11:00:00+08:00").status_code == 200
    assert campaign.check("vetting", people["A3"]["id"], "pass", "2026-09-25T12:00:00+08:00").status_code == 200
    campaign.close(panel, "close_vetting", {"confirmed": True}, "2026-09-25T13:00:00+08:00")

    # Publicity from Monday 2026-09-28: 7 working days skip the National Day holiday (10-01..10-07)
    # and count the make-up Saturday 10-10, so the period ends on 2026-10-13.
    campaign.close(civil, "publish_list", {"channel": "区政府网站"}, "2026-09-28T09:00:00+08:00")
    people = campaign.by_name()
    assert {n for n, a in people.items() if a["status"] == "publicised"} == {"A2", "A3", "B2"}
    assert people["A3"]["publicity_until"] == "2026-10-13"
    with campaign.at("2026-10-09T10:00:00+08:00"):
        objection = civil.post(f"/api/v1/recruitments/{campaign.id}/objections",
                               json={"application_id": people["A3"]["id"], "summary": "反映其曾受过刑事处罚"})
        assert objection.status_code == 201, objection.get_json()
        other = civil.post(f"/api/v1/recruitments/{campaign.id}/objections",
                           json={"application_id": people["B2"]["id"], "summary": "反映其不在本地居住"})
        decided = panel.post(f"/api/v1/recruitments/{campaign.id}/objections/{objection.get_json()['id']}/decision",
                             json={"upheld": True, "finding": "经核实属实"})
        assert decided.status_code == 200 and decided.get_json()["substitute"]["name"] == "A4"
    campaign.tick("2026-10-13T23:00:00+08:00")
    assert campaign.tasks() == []
    campaign.tick("2026-10-14T00:00:01+08:00")
    assert campaign.tasks() == ["close_publicity"]
    task = open_task(civil, campaign.id, "close_publicity")
    with campaign.at("2026-10-14T10:00:00+08:00"):
        still_open = civil.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"next_step": "substitutes"}})
        assert still_open.status_code == 409 and still_open.get_json()["error"]["code"] == "objections_open"
        panel.post(f"/api/v1/recruitments/{campaign.id}/objections/{other.get_json()['id']}/decision",
                   json={"upheld": False, "finding": "经核实在本社区居住"})
        too_early = civil.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"next_step": "hire"}})
        assert too_early.status_code == 422 and too_early.get_json()["error"]["code"] == "substitutes_pending"
    campaign.close(civil, "close_publicity", {"next_step": "substitutes"}, "2026-10-14T11:00:00+08:00")

    # The substitute A4 goes through physical, vetting and a publicity of their own.
    assert campaign.tasks() == ["close_physical"]
    assert campaign.check("physical", people["A4"]["id"], "pass", "2026-10-15T10:00:00+08:00").status_code == 200
    campaign.close(panel, "close_physical", {"confirmed": True}, "2026-10-15T11:00:00+08:00")
    assert campaign.check("vetting", people["A4"]["id"], "pass", "2026-10-15T12:00:00+08:00").status_code == 200
    campaign.close(panel, "close_vetting", {"confirmed": True}, "2026-10-15T13:00:00+08:00")
    campaign.close(civil, "publish_list", {"channel": "区政府网站"}, "2026-10-16T09:00:00+08:00")
    assert campaign.by_name()["A4"]["publicity_until"] == "2026-10-27"
    campaign.tick("2026-10-28T00:00:01+08:00")
    campaign.close(civil, "close_publicity", {"next_step": "hire"}, "2026-10-28T10:00:00+08:00")

    task = open_task(civil, campaign.id, "hire")
    with campaign.at("2026-10-29T10:00:00+08:00"):
        unsigned = civil.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": HIRE})
        assert unsigned.status_code == 409 and unsigned.get_json()["error"]["code"] == "contracts_unsigned"
        too_long = sign(campaign, hr1, people["A2"], contract_years=2, probation_months=3)
    assert too_long.status_code == 422 and too_long.get_json()["error"]["code"] == "probation_too_long"
    assert too_long.get_json()["error"]["details"]["max_months"] == 2
    with campaign.at("2026-10-29T10:30:00+08:00"):
        for signer, name in ((hr1, "A2"), (hr2, "B2"), (hr1, "A4")):
            assert sign(campaign, signer, people[name]).status_code == 201
    hired = campaign.close(civil, "hire", HIRE, "2026-10-29T11:00:00+08:00")
    assert hired["outcome"] == "hired" and hired["status"] == "running"
    people = campaign.by_name()
    assert {n for n, a in people.items() if a["status"] == "hired"} == {"A2", "A4", "B2"}
    worker = hr1.get(f"/api/v1/workers/{people['A2']['worker_id']}").get_json()
    assert (worker["status"], worker["org"]) == ("probation", "S01C01")
    assert worker["contract"] == {"type": "招聘", "start": "2026-11-01", "end": "2029-10-31",
                                  "probation_end": "2026-11-30"}
    assert hr2.get(f"/api/v1/workers/{people['B2']['worker_id']}").get_json()["org"] == "S02C01"
    history = hr1.get(f"/api/v1/workers/{people['A2']['worker_id']}/history").get_json()["items"]
    assert history[0]["field"] == "created" and "recruitment" in history[0]["source"]

    # Probation ends 2026-11-30; the review opens 10 working days before it, on 2026-11-16.
    campaign.tick("2026-11-15T10:00:00+08:00")
    assert campaign.tasks() == []
    campaign.tick("2026-11-16T09:00:01+08:00")
    assert campaign.tasks() == ["probation_review"]
    with campaign.at("2026-11-17T10:00:00+08:00"):
        district = civil.post(f"/api/v1/recruitments/{campaign.id}/applications/{people['A2']['id']}/probation",
                              json={"result": "pass", "note": "考核合格"})
        assert district.status_code == 403 and district.get_json()["error"]["code"] == "not_allowed"
        for reviewer, name in ((hr1, "A2"), (hr2, "B2"), (hr1, "A4")):
            response = reviewer.post(f"/api/v1/recruitments/{campaign.id}/applications/{people[name]['id']}/probation",
                                     json={"result": "pass", "note": "考核合格"})
            assert response.status_code == 200, response.get_json()
    done = campaign.close(civil, "probation_review", {"confirmed": True}, "2026-11-17T11:00:00+08:00")
    assert (done["status"], done["outcome"]) == ("completed", "hired")
    assert hr1.get(f"/api/v1/workers/{people['A2']['worker_id']}").get_json()["status"] == "active"
    events = [e["type"] for e in civil.get(f"/api/v1/instances/{campaign.id}/events?per_page=100").get_json()["items"]]
    assert events.count("candidate_substituted") == 3 and "hire_filed" in events


def test_a_failed_probation_opens_a_dismissal_case_when_that_process_is_deployed(campaign, as_user):
    civil = campaign.civil
    if civil.get("/api/v1/processes/dismissal").status_code != 200:
        pytest.skip("the dismissal process is not deployed")
    hr1 = as_user("hr_s01")
    apps, people = _ranked(campaign)
    _through_to_hire(campaign, people, hr1, as_user("hr_s02"))
    campaign.tick("2026-11-16T09:00:01+08:00")
    with campaign.at("2026-11-20T10:00:00+08:00"):
        response = hr1.post(f"/api/v1/recruitments/{campaign.id}/applications/{people['A2']['id']}/probation",
                            json={"result": "fail", "note": "工作能力不能胜任"})
    assert response.status_code == 200, response.get_json()
    case = civil.get(f"/api/v1/instances/{response.get_json()['dismissal_instance_id']}").get_json()
    assert case["key"] == "dismissal" and case["data"]["grounds"] == ["probation_failed"]
    assert case["data"]["worker_id"] == campaign.by_name()["A2"]["worker_id"]


def sign(campaign: Campaign, signer, person: dict, **terms):  # noqa: ANN001, ANN201
    return signer.post(f"/api/v1/recruitments/{campaign.id}/applications/{person['id']}/contract",
                       json={**CONTRACT, **terms})


def _through_to_hire(campaign: Campaign, people: dict, hr1, hr2) -> None:  # noqa: ANN001
    to_hire_stage(campaign, people)
    with campaign.at("2026-10-29T10:00:00+08:00"):
        for signer, name in ((hr1, "A1"), (hr1, "A2"), (hr2, "B2")):
            assert sign(campaign, signer, people[name]).status_code == 201
    campaign.close(campaign.civil, "hire", HIRE, "2026-10-29T11:00:00+08:00")


def to_hire_stage(campaign: Campaign, people: dict) -> None:
    for name in ("A1", "A2", "B2"):
        campaign.check("physical", people[name]["id"], "pass")
    campaign.close(campaign.panel, "close_physical", {"confirmed": True}, "2026-09-24T12:00:00+08:00")
    for name in ("A1", "A2", "B2"):
        campaign.check("vetting", people[name]["id"], "pass", "2026-09-25T10:00:00+08:00")
    campaign.close(campaign.panel, "close_vetting", {"confirmed": True}, "2026-09-25T13:00:00+08:00")
    campaign.close(campaign.civil, "publish_list", {"channel": "区政府网站"}, "2026-09-28T09:00:00+08:00")
    campaign.tick("2026-10-14T00:00:01+08:00")
    campaign.close(campaign.civil, "close_publicity", {"next_step": "hire"}, "2026-10-14T10:00:00+08:00")


def test_a_post_with_nobody_left_to_substitute_is_recorded_short(campaign):
    apps, people = _ranked(campaign)
    for name in ("B2", "B1", "B4"):
        response = campaign.check("physical", campaign.by_name()[name]["id"], "fail")
        assert response.status_code == 200
    last = campaign.check("physical", campaign.by_name()["B3"]["id"], "fail").get_json()
    assert last["substitute"] is None
    events = campaign.civil.get(f"/api/v1/instances/{campaign.id}/events?per_page=100").get_json()["items"]
    assert [e["detail"]["post"] for e in events if e["type"] == "post_shortfall"] == ["S02C01"]


def test_physical_results_only_for_candidates_awaiting_one(campaign):
    apps, people = _ranked(campaign)
    response = campaign.check("physical", people["A6"]["id"], "pass")  # rank 6: a reserve, not called
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_awaiting_physical"
    response = campaign.check("vetting", people["A2"]["id"], "pass")  # not yet examined
    assert response.status_code == 409


def test_objection_outside_the_publicity_period_is_refused(campaign):
    apps, people = _ranked(campaign)
    with campaign.at("2026-09-24T10:00:00+08:00"):
        response = campaign.civil.post(f"/api/v1/recruitments/{campaign.id}/objections",
                                       json={"application_id": people["A2"]["id"], "summary": "反映问题"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "publicity_not_open"


def test_only_the_panel_records_physical_results(campaign, as_user):
    apps, people = _ranked(campaign)
    with campaign.at("2026-09-24T10:00:00+08:00"):
        response = campaign.civil.post(
            f"/api/v1/recruitments/{campaign.id}/applications/{people['A2']['id']}/physical",
            json={"result": "pass"})
    assert response.status_code == 403
    assert campaign.by_name()["A2"]["status"] == "physical"
