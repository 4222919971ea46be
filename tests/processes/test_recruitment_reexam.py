"""Physical re-examination (体检复检, 公务员录用体检通用标准; docs/domain.md, recruitment stage 8): once, requested
within policy `physical_reexam_days` (7) of the fail; while it is pending the candidate is not replaced."""

from tests.helpers import open_task
from tests.processes.recruitment_support import Campaign, applicant

WRITTEN = {"A1": 90, "A2": 85, "A3": 80, "A4": 75, "A5": 70, "B1": 88, "B2": 77}
INTERVIEW = {"A1": 80, "A2": 90, "A3": 70, "A4": 60, "A5": 95, "B1": 70, "B2": 90}
FAILED_AT = "2026-09-24T10:00:00+08:00"


def _ranked(campaign: Campaign) -> dict:
    """Ranks on S01C01 (2 posts): A2, A1, A5, A3, A4; A1 and A2 (and B2 on S02C01) go to the physical."""
    campaign.to_registration()
    people = [applicant(i, "S01C01", name=f"A{i}") for i in range(1, 6)]
    apps = campaign.register(people + [applicant(10 + i, "S02C01", name=f"B{i}") for i in range(1, 3)])
    campaign.to_ranking(WRITTEN, INTERVIEW, apps)
    people = campaign.by_name()
    assert {n for n, a in people.items() if a["status"] == "physical"} == {"A1", "A2", "B2"}
    return people


def _reexam(campaign: Campaign, application_id: int, moment: str, user=None):  # noqa: ANN001, ANN202
    with campaign.at(moment):
        return (user or campaign.panel).post(
            f"/api/v1/recruitments/{campaign.id}/applications/{application_id}/physical-reexam",
            json={"note": "本人对体检结论有异议，申请复检"})


def _error(response) -> str:  # noqa: ANN001
    return response.get_json()["error"]["code"]


def _close_physical(campaign: Campaign, moment: str):  # noqa: ANN202
    task = open_task(campaign.panel, campaign.id, "close_physical")
    with campaign.at(moment):
        return campaign.panel.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"confirmed": True}})


def test_a_passed_reexam_restores_the_candidate_and_sends_the_substitute_back(campaign):
    people = _ranked(campaign)
    failed = campaign.check("physical", people["A1"]["id"], "fail", FAILED_AT).get_json()
    assert failed["substitute"]["name"] == "A5"
    response = _reexam(campaign, people["A1"]["id"], "2026-09-26T10:00:00+08:00")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["application"]["status"] == "physical_reexam"
    assert body["substitute"]["name"] == "A5"
    now = campaign.by_name()
    assert (now["A5"]["status"], now["A5"]["substitute_for"]) == ("ranked", None)
    # Pending re-exam holds the physical stage open; nobody else is substituted meanwhile.
    for name in ("A2", "B2"):
        assert campaign.check("physical", people[name]["id"], "pass", "2026-09-26T11:00:00+08:00").status_code == 200
    refused = _close_physical(campaign, "2026-09-26T12:00:00+08:00")
    assert refused.status_code == 409 and _error(refused) == "checks_pending"
    passed = campaign.check("physical", people["A1"]["id"], "pass", "2026-09-27T10:00:00+08:00").get_json()
    assert passed["application"]["status"] == "vetting" and passed["substitute"] is None
    assert _close_physical(campaign, "2026-09-27T11:00:00+08:00").status_code == 200
    assert {n for n, a in campaign.by_name().items() if a["status"] == "vetting"} == {"A1", "A2", "B2"}
    events = [e["type"] for e in
              campaign.civil.get(f"/api/v1/instances/{campaign.id}/events?per_page=100").get_json()["items"]]
    assert "physical_reexam_requested" in events and "substitution_withdrawn" in events


def test_a_failed_reexam_substitutes_and_a_second_request_is_refused(campaign):
    people = _ranked(campaign)
    campaign.check("physical", people["A1"]["id"], "fail", FAILED_AT)
    assert _reexam(campaign, people["A1"]["id"], "2026-09-25T10:00:00+08:00").status_code == 200
    again = _reexam(campaign, people["A1"]["id"], "2026-09-25T11:00:00+08:00")  # while pending
    assert again.status_code == 422 and _error(again) == "reexam_already_used"
    failed = campaign.check("physical", people["A1"]["id"], "fail", "2026-09-26T10:00:00+08:00").get_json()
    assert failed["application"]["status"] == "physical_failed"
    assert failed["substitute"]["name"] == "A5" and failed["substitute"]["substitute_for"] == people["A1"]["id"]
    again = _reexam(campaign, people["A1"]["id"], "2026-09-26T11:00:00+08:00")
    assert again.status_code == 422 and _error(again) == "reexam_already_used"
    assert campaign.by_name()["A5"]["status"] == "physical"


def test_a_reexam_request_after_the_window_is_refused(campaign):
    people = _ranked(campaign)
    campaign.check("physical", people["A1"]["id"], "fail", FAILED_AT)
    late = _reexam(campaign, people["A1"]["id"], "2026-10-01T10:00:01+08:00")  # 7 days and a second
    assert late.status_code == 422 and _error(late) == "reexam_window_closed"
    assert late.get_json()["error"]["details"]["days"] == 7
    assert campaign.by_name()["A1"]["status"] == "physical_failed"
    assert campaign.by_name()["A5"]["status"] == "physical"  # the substitution stands


def test_the_last_moment_of_the_window_is_in_time(campaign):
    people = _ranked(campaign)
    campaign.check("physical", people["A1"]["id"], "fail", FAILED_AT)
    assert _reexam(campaign, people["A1"]["id"], "2026-10-01T10:00:00+08:00").status_code == 200


def test_the_window_follows_the_policy(campaign, monkeypatch):
    monkeypatch.setenv("CWFLOW_POLICY_PHYSICAL_REEXAM_DAYS", "1")
    people = _ranked(campaign)
    campaign.check("physical", people["A1"]["id"], "fail", FAILED_AT)
    late = _reexam(campaign, people["A1"]["id"], "2026-09-25T10:00:01+08:00")
    assert late.status_code == 422 and _error(late) == "reexam_window_closed"


def test_only_a_failed_candidate_may_ask_for_a_reexam(campaign):
    people = _ranked(campaign)
    waiting = _reexam(campaign, people["A2"]["id"], FAILED_AT)  # not examined yet
    assert waiting.status_code == 409 and _error(waiting) == "not_physical_failed"
    campaign.check("physical", people["A2"]["id"], "pass", FAILED_AT)
    passed = _reexam(campaign, people["A2"]["id"], "2026-09-24T11:00:00+08:00")
    assert passed.status_code == 409 and _error(passed) == "not_physical_failed"
    reserve = _reexam(campaign, people["A4"]["id"], FAILED_AT)
    assert reserve.status_code == 409 and _error(reserve) == "not_physical_failed"


def test_a_reexam_cannot_undo_a_substitute_who_was_already_examined(campaign):
    people = _ranked(campaign)
    campaign.check("physical", people["A1"]["id"], "fail", FAILED_AT)
    campaign.check("physical", people["A5"]["id"], "pass", "2026-09-24T11:00:00+08:00")
    response = _reexam(campaign, people["A1"]["id"], "2026-09-24T12:00:00+08:00")
    assert response.status_code == 409 and _error(response) == "substitute_already_examined"
    assert campaign.by_name()["A1"]["status"] == "physical_failed"


def test_a_reexam_with_nobody_substituted_and_only_the_panel_records_it(campaign, as_user):
    people = _ranked(campaign)
    shortfall = campaign.check("physical", people["B2"]["id"], "fail", FAILED_AT).get_json()
    assert shortfall["substitute"]["name"] == "B1"
    campaign.check("physical", people["B1"]["id"], "fail", FAILED_AT)  # S02C01 now has nobody left
    civil = _reexam(campaign, people["B1"]["id"], "2026-09-24T11:00:00+08:00", campaign.civil)
    assert civil.status_code == 403
    hr = _reexam(campaign, people["B1"]["id"], "2026-09-24T11:00:00+08:00", as_user("hr_s02"))
    assert hr.status_code in (403, 404)
    response = _reexam(campaign, people["B1"]["id"], "2026-09-24T11:00:00+08:00")
    assert response.status_code == 200 and response.get_json()["substitute"] is None
    assert campaign.by_name()["B1"]["status"] == "physical_reexam"
