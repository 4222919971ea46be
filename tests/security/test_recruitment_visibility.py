"""Who reads a campaign's applications: one rule for every recruitment endpoint.

A district campaign with one candidate of street S01 (A1, community S01C01) and one of street S02
(B1, community S02C01), both on the publicity list with an objection each. Street S02's staff and
every community secretary (not recruitment staff) must find A1, and everything hanging off it,
exactly as unknown; S01's HR and the district see it. The endpoints come from the url_map, so a new
recruitment endpoint fails until it is listed here.
"""

import pytest

from tests.processes.recruitment_support import Campaign, applicant

PUBLIC = {"GET /api/v1/recruitments/<int:instance_id>", "POST /api/v1/recruitments/<int:instance_id>/applications",
          "POST /api/v1/recruitments/applications/lookup"}
OUTSIDERS = ("hr_s02", "leader_s02", "sec_s02c01", "sec_s01c01", "admin")
INSIDERS = ("hr_s01", "civil_d01", "panel_d01")
APP = "/api/v1/recruitments/<int:instance_id>/applications/<int:application_id>"


def _requests(world: dict) -> dict[str, tuple[str, dict | None]]:
    """endpoint → (path, body) aimed at A1 or its objection."""
    base, a1 = f"/api/v1/recruitments/{world['id']}", world["A1"]
    app = f"{base}/applications/{a1['id']}"
    check = {"result": "pass", "note": "合格"}
    return {
        "GET /api/v1/recruitments/<int:instance_id>/applications": (f"{base}/applications?per_page=100", None),
        f"GET {APP}": (app, None),
        f"POST {APP}/review": (f"{app}/review", {"decision": "approve"}),
        f"POST {APP}/physical": (f"{app}/physical", check),
        f"POST {APP}/physical-reexam": (f"{app}/physical-reexam", {"note": "申请复检"}),
        f"POST {APP}/vetting": (f"{app}/vetting", check),
        f"POST {APP}/contract": (f"{app}/contract", {"contract_start": "2026-11-01", "contract_years": 3,
                                                     "probation_months": 1}),
        f"POST {APP}/probation": (f"{app}/probation", {"result": "pass", "note": "合格"}),
        "GET /api/v1/recruitments/<int:instance_id>/objections": (f"{base}/objections?per_page=100", None),
        "POST /api/v1/recruitments/<int:instance_id>/objections": (
            f"{base}/objections", {"application_id": a1["id"], "summary": "反映情况"}),
        "POST /api/v1/recruitments/<int:instance_id>/objections/<int:objection_id>/decision": (
            f"{base}/objections/{world['objection_a1']}/decision", {"upheld": False, "finding": "不属实"}),
        "POST /api/v1/recruitments/<int:instance_id>/scores": (
            f"{base}/scores", {"kind": "written", "items": [{"application_no": a1["application_no"], "score": 1}]}),
        "POST /api/v1/recruitments/<int:instance_id>/scores/import": (f"{base}/scores/import?kind=written", None),
    }


@pytest.fixture
def world(campaign: Campaign) -> dict:
    campaign.to_registration()
    apps = campaign.register([applicant(1, "S01C01", name="A1"), applicant(2, "S02C01", name="B1")])
    campaign.to_ranking({"A1": 90, "B1": 88}, {"A1": 80, "B1": 70}, apps)
    people = campaign.by_name()
    for kind, moment in (("physical", "2026-09-24T10:00:00+08:00"), ("vetting", "2026-09-25T10:00:00+08:00")):
        for name in ("A1", "B1"):
            assert campaign.check(kind, people[name]["id"], "pass", moment).status_code == 200
        campaign.close(campaign.panel, f"close_{kind}", {"confirmed": True}, moment.replace("T10", "T11"))
    campaign.close(campaign.civil, "publish_list", {"channel": "区政府网站"}, "2026-09-28T09:00:00+08:00")
    objections = {}
    with campaign.at("2026-10-09T10:00:00+08:00"):
        for name in ("A1", "B1"):
            response = campaign.civil.post(f"/api/v1/recruitments/{campaign.id}/objections",
                                           json={"application_id": people[name]["id"], "summary": f"反映{name}情况"})
            assert response.status_code == 201, response.get_json()
            objections[name] = response.get_json()["id"]
    return {"id": campaign.id, "A1": people["A1"], "B1": people["B1"], "objection_a1": objections["A1"],
            "objection_b1": objections["B1"], "at": campaign.at}


def test_every_recruitment_endpoint_is_covered(app, world):
    endpoints = {f"{method} {rule.rule}" for rule in app.url_map.iter_rules()
                 if rule.rule.startswith("/api/v1/recruitments") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert endpoints - PUBLIC == set(_requests(world))


@pytest.mark.parametrize("user", OUTSIDERS)
def test_an_application_outside_the_readers_scope_and_role_is_unknown_on_every_endpoint(as_user, world, user):
    caller, a1 = as_user(user), world["A1"]
    leaks = []
    with world["at"]("2026-10-09T11:00:00+08:00"):
        for endpoint, (path, body) in _requests(world).items():
            if endpoint.endswith("/scores/import"):
                continue  # the sheet names applications by number, like the batch below
            response = caller.post(path, json=body) if body is not None else caller.get(path)
            text = response.get_data(as_text=True)
            if a1["application_no"] in text or "反映A1情况" in text:
                leaks.append((endpoint, response.status_code, "A1 in the answer"))
            if endpoint.startswith("GET ") and endpoint.endswith(("/applications", "/objections")):
                if response.status_code not in (200, 404):
                    leaks.append((endpoint, response.status_code))
            elif endpoint.endswith("/scores"):
                if response.status_code not in (403, 404):
                    leaks.append((endpoint, response.status_code))
            elif response.status_code != 404:
                leaks.append((endpoint, response.status_code))
    assert leaks == []


def test_street_s02_reads_only_its_own_candidates_objections(as_user, world):
    listing = as_user("hr_s02").get(f"/api/v1/recruitments/{world['id']}/objections?per_page=100").get_json()
    assert [o["id"] for o in listing["items"]] == [world["objection_b1"]] and listing["total"] == 1


@pytest.mark.parametrize("user", ("sec_s01c01", "sec_s02c01", "admin"))
def test_readers_without_a_recruitment_role_find_the_campaign_unknown(as_user, world, user):
    for path in ("applications", f"applications/{world['B1']['id']}", "objections"):
        response = as_user(user).get(f"/api/v1/recruitments/{world['id']}/{path}")
        assert response.status_code == 404, (path, response.get_json())
        assert response.get_json()["error"]["code"] in ("recruitment_not_found", "application_not_found")


@pytest.mark.parametrize("user", INSIDERS)
def test_the_candidates_street_and_the_organiser_read_it(as_user, world, user):
    caller = as_user(user)
    assert caller.get(f"/api/v1/recruitments/{world['id']}/applications/{world['A1']['id']}").status_code == 200
    objections = caller.get(f"/api/v1/recruitments/{world['id']}/objections").get_json()["items"]
    assert world["objection_a1"] in [o["id"] for o in objections]
