"""Registration and qualification review (报名与资格审查): the public endpoint's window, duplicates and
validation, the automatic pre-check of 004 art. 9–11, the human review with reasons the applicant
reads, street scoping, and the rate limit per client address."""

from datetime import date

import pytest

from tests.helpers import open_task
from tests.processes.recruitment_support import Campaign, applicant, id_number

pytestmark = pytest.mark.registration_open


def _count(campaign: Campaign) -> int:
    return campaign.civil.get(f"/api/v1/recruitments/{campaign.id}/applications").get_json()["total"]


@pytest.mark.parametrize("moment", ["2026-09-06T23:00:00+08:00", "2026-09-12T00:00:01+08:00"])
def test_registration_outside_the_window_is_refused(campaign, moment):
    response = campaign.apply(applicant(1), moment)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "registration_closed"
    assert error["details"] == {"registration_opens": "2026-09-07", "registration_closes": "2026-09-11"}
    assert _count(campaign) == 0


def test_registration_needs_a_published_notice(as_user, frozen_clock, client, app):
    early = Campaign(app, as_user, frozen_clock, client)
    with early.at("2026-09-01T09:00:00+08:00"):
        early.id = early.civil.post("/api/v1/processes/recruitment/instances", json={
            "org": "D01", "data": {"title": "招聘", "year": 2026, "posts": [{"community": "S01C01", "count": 1}],
                                   "registration_opens": "2026-09-01", "registration_closes": "2026-09-30"}}).get_json()["id"]
    response = early.apply(applicant(1), "2026-09-08T10:00:00+08:00")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "registration_closed"
    assert client.get(f"/api/v1/recruitments/{early.id}").status_code == 404


def test_registration_on_the_last_day_is_accepted_without_a_token(campaign):
    response = campaign.apply(applicant(1), "2026-09-11T23:30:00+08:00")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted" and body["application_no"].startswith(f"ZP{campaign.id}-")
    assert body["precheck"]["eligible"] is True


def test_the_same_id_number_twice_in_one_campaign_is_refused(campaign):
    assert campaign.apply(applicant(1)).status_code == 201
    again = campaign.apply({**applicant(1), "name": "另一个名字", "post": "S02C01"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate_application"
    assert _count(campaign) == 1


@pytest.mark.parametrize("change, field", [
    ({"id_number": id_number(date(1995, 1, 2), 1)[:17] + "0"}, "id_number"),  # wrong check digit
    ({"birth_date": "1996-01-02"}, "id_number"),  # the ID number says 1995-01-02
    ({"education": "研究生"}, "education"),
    ({"post": "S01C02"}, "post"),  # not a post of this campaign
    ({"birth_date": "1995-02-30"}, "birth_date"),
    ({"unexpected": 1}, "unexpected"),
])
def test_invalid_registration_data_is_422_naming_the_field(campaign, change, field):
    response = campaign.apply({**applicant(1), **change})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]["fields"]
    assert _count(campaign) == 0


def test_precheck_flags_age_education_residence_and_disqualifiers(campaign):
    cases = {
        "too_old": applicant(2, birth_date=date(1984, 1, 1)),  # 42 at the deadline
        "forty": applicant(3, birth_date=date(1986, 9, 11)),  # exactly 40 on 2026-09-11
        "high_school": applicant(4, education="高中"),
        "graduate_with_dazhuan": applicant(5, education="大专", fresh_graduate=True),
        "not_local": applicant(6, local_residence=False),
        "criminal": applicant(7, declarations=["criminal_record"]),
        "grid_worker": applicant(8, priority=["incumbent_grid_worker"]),
    }
    results = {}
    for key, data in cases.items():
        response = campaign.apply(data)
        assert response.status_code == 201, response.get_json()
        results[key] = response.get_json()["precheck"]
    assert not results["too_old"]["eligible"] and results["too_old"]["failures"][0]["code"] == "age"
    assert results["forty"]["eligible"]
    assert [f["code"] for f in results["high_school"]["failures"]] == ["education"]
    assert [f["code"] for f in results["graduate_with_dazhuan"]["failures"]] == ["education"]
    # The plan does not require local residence, so a non-local applicant passes.
    assert results["not_local"]["eligible"]
    assert [f["code"] for f in results["criminal"]["failures"]] == ["disqualified.criminal_record"]
    assert results["grid_worker"]["priority"] == ["incumbent_grid_worker"]


@pytest.mark.parametrize("field", ["recommended_by_street", "relaxation_basis"])
def test_an_applicant_cannot_recommend_themselves(campaign, field):
    data = {**applicant(8, birth_date=date(1984, 1, 1), education="高中"),
            **{"recommended_by_street": True, "relaxation_basis": "veteran"}}
    data = {k: v for k, v in data.items() if k not in {"recommended_by_street", "relaxation_basis"} - {field}}
    response = campaign.apply(data)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"][field] == [
        "街道推荐由资格审查人员在审查时填写，报名人不能自行填写（《内蒙古自治区社区工作者管理办法》第九条）"]
    assert _count(campaign) == 0


def test_the_reviewer_records_the_streets_recommendation_which_relaxes_age_and_education(campaign):
    veteran = applicant(8, birth_date=date(1984, 1, 1), education="高中")  # 42 at the deadline, 高中
    created = campaign.apply(veteran).get_json()
    assert [f["code"] for f in created["precheck"]["failures"]] == ["age", "education"]
    url = f"/api/v1/recruitments/{campaign.id}/applications/{created['id']}"
    with campaign.at("2026-09-12T10:00:00+08:00"):
        refused = campaign.civil.post(f"{url}/review", json={"decision": "approve", "street_recommendation": "hero"})
        assert refused.status_code == 422 and "street_recommendation" in refused.get_json()["error"]["details"]["fields"]
        response = campaign.civil.post(f"{url}/review", json={"decision": "approve", "street_recommendation": "veteran"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "qualified" and body["precheck"]["eligible"]
    assert {r["code"] for r in body["precheck"]["relaxed"]} == {"age", "education"}
    assert body["street_recommendation"] == {"basis": "veteran", "basis_text": "退役军人", "by": "civil_d01",
                                             "at": "2026-09-12T02:00:00+00:00"}
    trail = campaign.civil.get(f"/api/v1/instances/{campaign.id}/events?per_page=100").get_json()["items"]
    recorded = [e for e in trail if e["type"] == "street_recommendation_recorded"]
    assert [(e["actor"], e["detail"]["basis"]) for e in recorded] == [("civil_d01", "veteran")]


def test_withdrawing_the_recommendation_fails_the_precheck_again(campaign):
    created = campaign.apply(applicant(8, birth_date=date(1984, 1, 1))).get_json()
    url = f"/api/v1/recruitments/{campaign.id}/applications/{created['id']}/review"
    with campaign.at("2026-09-12T10:00:00+08:00"):
        assert campaign.civil.post(url, json={"decision": "approve", "street_recommendation": "party_member"}
                                   ).status_code == 200
        refused = campaign.civil.post(url, json={"decision": "approve", "street_recommendation": ""})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "application_ineligible"


def test_local_residence_is_required_when_the_plan_says_so(app, as_user, frozen_clock, client):
    campaign = Campaign(app, as_user, frozen_clock, client).to_registration(local_residence_required=True)
    precheck = campaign.apply(applicant(1, local_residence=False)).get_json()["precheck"]
    assert [f["code"] for f in precheck["failures"]] == ["residence"]


def test_ineligible_application_cannot_be_approved_and_rejection_needs_a_reason(campaign, client):
    created = campaign.apply(applicant(2, birth_date=date(1980, 1, 1))).get_json()
    url = f"/api/v1/recruitments/{campaign.id}/applications/{created['id']}/review"
    refused = campaign.civil.post(url, json={"decision": "approve"})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "application_ineligible"
    no_reason = campaign.civil.post(url, json={"decision": "reject"})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["details"]["fields"]
    assert campaign.civil.post(url, json={"decision": "reject", "reason": "年龄超过40周岁"}).status_code == 200
    seen = client.post("/api/v1/recruitments/applications/lookup",
                       json={"application_no": created["application_no"], "id_number": applicant(2, birth_date=date(1980, 1, 1))["id_number"]})
    assert seen.status_code == 200
    body = seen.get_json()
    assert (body["status"], body["status_text"], body["review_reason"]) == ("rejected", "资格审查未通过", "年龄超过40周岁")


def test_lookup_with_a_wrong_id_number_finds_nothing(campaign, client):
    created = campaign.apply(applicant(1)).get_json()
    response = client.post("/api/v1/recruitments/applications/lookup",
                           json={"application_no": created["application_no"], "id_number": applicant(2)["id_number"]})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "application_not_found"


def test_street_hr_sees_and_reviews_only_its_own_communities(campaign, as_user):
    ours = campaign.apply(applicant(1, "S01C01")).get_json()
    theirs = campaign.apply(applicant(2, "S02C01")).get_json()
    hr1 = as_user("hr_s01")
    listing = hr1.get(f"/api/v1/recruitments/{campaign.id}/applications").get_json()
    assert [a["id"] for a in listing["items"]] == [ours["id"]] and listing["total"] == 1
    assert listing["items"][0]["id_number"].count("*") == 8
    response = hr1.post(f"/api/v1/recruitments/{campaign.id}/applications/{theirs['id']}/review",
                        json={"decision": "approve"})
    assert response.status_code == 404
    assert campaign.by_name()[applicant(2)["name"]]["status"] == "submitted"
    assert as_user("worker_s01c01").get(f"/api/v1/recruitments/{campaign.id}/applications").status_code == 404
    assert hr1.client.get(f"/api/v1/recruitments/{campaign.id}/applications").status_code == 401


def test_qualification_review_closes_only_when_every_application_is_reviewed(campaign):
    first = campaign.apply(applicant(1)).get_json()
    second = campaign.apply(applicant(2)).get_json()
    campaign.tick("2026-09-12T00:00:01+08:00")
    with campaign.at("2026-09-12T10:00:00+08:00"):
        campaign.civil.post(f"/api/v1/recruitments/{campaign.id}/applications/{first['id']}/review",
                            json={"decision": "approve"})
        task = open_task(campaign.civil, campaign.id, "close_qualification_review")
        response = campaign.civil.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"confirmed": True}})
        assert response.status_code == 409
        assert response.get_json()["error"] == {"code": "applications_pending_review", "message": "还有 1 份报名未审查",
                                                 "details": {"pending": 1}}
        campaign.civil.post(f"/api/v1/recruitments/{campaign.id}/applications/{second['id']}/review",
                            json={"decision": "reject", "reason": "材料不全"})
        assert campaign.civil.post(f"/api/v1/tasks/{task['id']}/complete",
                                   json={"data": {"confirmed": True}}).status_code == 200
        late = campaign.civil.post(f"/api/v1/recruitments/{campaign.id}/applications/{second['id']}/review",
                                   json={"decision": "approve"})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "qualification_review_closed"


def test_registration_is_rate_limited_per_client_address(campaign, app):
    app.config["RECRUITMENT_APPLY_LIMIT"] = (3, 10)
    try:
        codes = [campaign.apply(applicant(i), address="192.0.2.7").status_code for i in range(1, 3)]
        codes.append(campaign.apply({"name": "格式错误"}, address="192.0.2.7").status_code)  # not counted
        codes += [campaign.apply(applicant(i), address="192.0.2.7").status_code for i in (3, 4)]
        other = campaign.apply(applicant(9), address="192.0.2.8").status_code
    finally:
        del app.config["RECRUITMENT_APPLY_LIMIT"]
    assert codes == [201, 201, 422, 201, 429] and other == 201
