"""The public recruitment pages: apply without an account inside the window, look the application up."""

import re

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from tests.processes.recruitment_support import applicant
from web.extensions import db

pytestmark = pytest.mark.registration_open

IN_WINDOW = "2026-09-08T10:00:00+08:00"


def _form(person: dict, consent: bool = True) -> dict:
    form = {k: v for k, v in person.items() if not isinstance(v, bool)}
    form.update({k: "true" for k, v in person.items() if v is True})
    return {**form, "pi_consent": "true"} if consent else form


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


def test_the_page_tells_what_is_done_with_the_id_number_before_asking_for_it(campaign, browser_as, frozen_clock):
    with frozen_clock(IN_WINDOW):
        page = browser_as().html(f"/recruitment/{campaign.id}")
    notice = page.index('id="privacy-notice"')
    assert notice < page.index('name="id_number"') and page.index('name="pi_consent"') < page.index('name="id_number"')
    for said in ("处理者", "本次招聘的组织单位：示范区", "处理目的", "居民身份证号码属于敏感个人信息", "保存期限",
                 "申请查阅、更正或删除", "第二十九条"):
        assert said in page, said
    assert re.search(r'<input type="checkbox" id="f-pi_consent" name="pi_consent" value="true" aria-required', page)


def test_without_consent_nothing_is_registered_and_the_consent_box_is_named(campaign, browser_as, frozen_clock,
                                                                            as_user):
    visitor = browser_as()
    person = applicant(5)
    with frozen_clock(IN_WINDOW):
        response = visitor.post(f"/recruitment/{campaign.id}", _form(person, consent=False),
                                page=f"/recruitment/{campaign.id}")
    page = response.get_data(as_text=True)
    assert "报名成功" not in page and "报名信息有误" in page
    assert '<a href="#f-pi_consent">个人信息处理同意：请阅读《个人信息处理告知》并勾选同意后再提交报名</a>' in page
    assert 'id="f-pi_consent-error"' in page and f'value="{person["name"]}"' in page
    assert as_user("civil_d01").get(f"/api/v1/recruitments/{campaign.id}/applications").get_json()["items"] == []


def test_the_consent_time_is_recorded_with_the_registration(app, campaign, browser_as, frozen_clock):
    with frozen_clock(IN_WINDOW):
        browser_as().post(f"/recruitment/{campaign.id}", _form(applicant(6)), page=f"/recruitment/{campaign.id}")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.type == "application_submitted",
                                                           AuditEvent.instance_id == campaign.id))
        assert event.detail["consented_at"] == "2026-09-08T02:00:00+00:00"  # 10:00 Beijing time


def test_phones_get_a_digit_keypad_for_the_id_number_and_the_phone(campaign, browser_as, frozen_clock):
    with frozen_clock(IN_WINDOW):
        page = browser_as().html(f"/recruitment/{campaign.id}")
    id_input = re.search(r'<input id="f-id_number"[^>]*>', page).group(0)
    phone_input = re.search(r'<input id="f-phone"[^>]*>', page).group(0)
    for attribute in ('inputmode="numeric"', 'pattern="[0-9]{17}[0-9Xx]"', 'maxlength="18"', 'autocomplete="off"',
                      'data-extra-key="X"'):
        assert attribute in id_input, attribute
    for attribute in ('type="tel"', 'inputmode="tel"', 'autocomplete="tel"', 'pattern="1[0-9]{10}"'):
        assert attribute in phone_input, attribute
    assert "public.js" in page


def test_an_application_the_pre_check_finds_against_is_received_not_successful(campaign, browser_as, frozen_clock):
    person = applicant(7, education="高中", declarations="criminal_record")
    with frozen_clock(IN_WINDOW):
        response = browser_as().post(f"/recruitment/{campaign.id}", _form(person),
                                     page=f"/recruitment/{campaign.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "报名成功" not in page
    assert "<h1 id=\"result-heading\">已收到您的报名</h1>" in page and 'id="application-no"' in page
    assert "初步核验发现" in page and "学历高中" in page and "因犯罪受过刑事处罚" in page
    assert "资格审查时将由工作人员复核" in page
