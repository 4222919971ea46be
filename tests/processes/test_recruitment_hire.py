"""Who organises, signs and reviews (004 art. 8, 12), and when (劳动合同法 art. 19, 39 (1)): the street
signs each contract within the policy's term and probation and reviews the probation before it
ends; past the end a failed probation is no longer a ground and the district is told."""

import json

from tests.processes.recruitment_support import Campaign, start_campaign
from tests.processes.test_recruitment_api import HIRE, _ranked, sign, to_hire_stage


def _error(response) -> dict:  # noqa: ANN001
    return response.get_json()["error"]


def test_a_street_may_not_organise_a_campaign(as_user, at):
    with at("2026-09-01T09:00:00+08:00"):
        response = start_campaign(as_user("hr_s01"), org="S01", posts=[{"community": "S01C01", "count": 1}])
    assert response.status_code == 422 and _error(response)["code"] == "organiser_level_not_allowed"
    assert "org" in _error(response)["details"]["fields"] and "第八条" in _error(response)["message"]


def test_the_street_signs_within_the_policy_term_and_probation(campaign: Campaign, as_user):
    hr1 = as_user("hr_s01")
    _, people = _ranked(campaign)
    to_hire_stage(campaign, people)
    with campaign.at("2026-10-29T10:00:00+08:00"):
        district = sign(campaign, campaign.civil, people["A2"])
        ten_years = sign(campaign, hr1, people["A2"], contract_years=10, probation_months=6)
        six_months = sign(campaign, hr1, people["A2"], contract_years=3, probation_months=6)
        signed = sign(campaign, hr1, people["A2"])
        again = sign(campaign, hr1, people["A2"])
    assert district.status_code == 403 and _error(district)["code"] == "not_allowed"
    assert ten_years.status_code == 422 and _error(ten_years)["code"] == "contract_term_too_long"
    assert list(_error(ten_years)["details"]["fields"]) == ["contract_years"]
    assert six_months.status_code == 422 and _error(six_months)["code"] == "probation_exceeds_policy"
    assert list(_error(six_months)["details"]["fields"]) == ["probation_months"]
    assert signed.status_code == 201
    worker = hr1.get(f"/api/v1/workers/{signed.get_json()['worker_id']}").get_json()
    assert (worker["status"], worker["contract"]["probation_end"]) == ("probation", "2026-11-30")
    assert again.status_code == 409 and _error(again)["code"] == "application_not_hireable"


def test_the_signer_is_a_setting(campaign: Campaign, as_user, monkeypatch):
    monkeypatch.setenv("CWFLOW_POLICY_RECRUITMENT_CONTRACT_SIGNER_ROLE", json.dumps("district_civil_affairs"))
    _, people = _ranked(campaign)
    to_hire_stage(campaign, people)
    with campaign.at("2026-10-29T10:00:00+08:00"):
        street = sign(campaign, as_user("hr_s01"), people["A2"])
        district = sign(campaign, campaign.civil, people["A2"])
    assert street.status_code == 403 and district.status_code == 201


def test_the_review_opens_before_probation_ends_and_escalates_after(campaign: Campaign, as_user):
    hr1, hr2 = as_user("hr_s01"), as_user("hr_s02")
    _, people = _ranked(campaign)
    to_hire_stage(campaign, people)
    with campaign.at("2026-10-29T10:00:00+08:00"):
        for signer, name in ((hr1, "A1"), (hr1, "A2"), (hr2, "B2")):
            assert sign(campaign, signer, people[name]).status_code == 201
    campaign.close(campaign.civil, "hire", HIRE, "2026-10-29T11:00:00+08:00")
    campaign.tick("2026-11-13T10:00:00+08:00")
    assert campaign.tasks() == []
    campaign.tick("2026-11-16T09:00:01+08:00")  # 10 working days before the last day, 2026-11-30
    assert campaign.tasks() == ["probation_review"]

    campaign.tick("2026-12-01T00:00:01+08:00")
    civil = campaign.login("civil_d01", "2026-12-01T09:00:00+08:00")
    events = civil.get(f"/api/v1/instances/{campaign.id}/events?per_page=100").get_json()["items"]
    notified = [e["detail"] for e in events if e["type"] == "notified"]
    assert notified and notified[-1]["role"] == "district_civil_affairs" and "2026-11-30" in notified[-1]["message"]
    assert campaign.tasks() == ["probation_review"]  # still to be finished, now overdue

    hr1 = campaign.login("hr_s01", "2026-12-01T09:00:00+08:00")
    with campaign.at("2026-12-01T10:00:00+08:00"):
        late = hr1.post(f"/api/v1/recruitments/{campaign.id}/applications/{people['A2']['id']}/probation",
                        json={"result": "fail", "note": "工作能力不能胜任"})
    assert late.status_code == 422 and _error(late)["code"] == "probation_over"
    assert "2026-11-30" in _error(late)["message"]
