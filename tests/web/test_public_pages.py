"""The public recruitment pages: apply without an account inside the window, look the application up."""

import re

import pytest

from tests.processes.recruitment_support import applicant

pytestmark = pytest.mark.registration_open

IN_WINDOW = "2026-09-08T10:00:00+08:00"


def _form(person: dict) -> dict:
    form = {k: v for k, v in person.items() if not isinstance(v, bool)}
    form.update({k: "true" for k, v in person.items() if v is True})
    return form


def test_an_applicant_registers_on_the_public_page_and_looks_the_application_up(campaign, browser_as, frozen_clock):
    visitor = browser_as()
    person = applicant(1)
    with frozen_clock(IN_WINDOW):
        page = visitor.html(f"/recruitment/{campaign.id}")
        assert "示范区2026年社区工作者公开招聘" in page and "第一街道阳光社区" in page
        assert '<label for="f-id_number">居民身份证号码<span class="req"' in page
        response = visitor.post(f"/recruitment/{campaign.id}", _form(person), page=f"/recruitment/{campaign.id}")
    done = response.get_data(as_text=True)
    assert response.status_code == 200 and "报名成功" in done
    number = re.search(r'id="application-no">([^<]+)<', done).group(1)
    found = visitor.post("/recruitment/status", {"application_no": number, "id_number": person["id_number"]},
                         page="/recruitment/status").get_data(as_text=True)
    assert "已报名，等待资格审查" in found and person["name"] in found
    assert person["id_number"] not in found  # not echoed back
    wrong = visitor.post("/recruitment/status", {"application_no": number, "id_number": "110101199001011234"},
                         page="/recruitment/status").get_data(as_text=True)
    assert "没有找到该报名信息" in wrong


def test_a_wrong_id_number_is_shown_beside_its_field_with_the_values_kept(campaign, browser_as, frozen_clock):
    visitor = browser_as()
    person = applicant(2, id_number="110101199501010000")
    with frozen_clock(IN_WINDOW):
        page = visitor.post(f"/recruitment/{campaign.id}", _form(person),
                            page=f"/recruitment/{campaign.id}").get_data(as_text=True)
    assert "报名信息有误" in page and re.search(r'id="f-id_number-error">[^<]+<', page)
    assert f'value="{person["name"]}"' in page


def test_applying_twice_or_outside_the_window_says_so(campaign, browser_as, frozen_clock):
    visitor = browser_as()
    person = applicant(3)
    with frozen_clock(IN_WINDOW):
        visitor.post(f"/recruitment/{campaign.id}", _form(person), page=f"/recruitment/{campaign.id}")
        again = visitor.post(f"/recruitment/{campaign.id}", _form(person), page=f"/recruitment/{campaign.id}")
    assert again.status_code == 409 and "该身份证号码已报名本次招聘" in again.get_data(as_text=True)
    with frozen_clock("2026-09-20T10:00:00+08:00"):
        closed = visitor.html(f"/recruitment/{campaign.id}")
    assert "当前不在报名时间内" in closed and 'name="id_number"' not in closed


def test_an_unknown_campaign_is_not_found(browser_as):
    assert browser_as().get("/recruitment/999999").status_code == 404


def test_the_public_form_has_no_street_recommendation_and_ignores_one_posted(campaign, browser_as, frozen_clock,
                                                                            as_user):
    visitor = browser_as()
    person = applicant(4)
    with frozen_clock(IN_WINDOW):
        page = visitor.html(f"/recruitment/{campaign.id}")
        assert 'name="recommended_by_street"' not in page and 'name="relaxation_basis"' not in page
        form = {**_form(person), "recommended_by_street": "true", "relaxation_basis": "veteran"}
        response = visitor.post(f"/recruitment/{campaign.id}", form, page=f"/recruitment/{campaign.id}")
    assert response.status_code == 200 and "报名成功" in response.get_data(as_text=True)
    listed = as_user("civil_d01").get(f"/api/v1/recruitments/{campaign.id}/applications").get_json()["items"]
    assert [a["street_recommendation"] for a in listed] == [None]
