"""Hire in the campaign workspace (办理聘用): the street's HR signs each cleared candidate's labour
contract on the page and the worker record starts in probation; other roles and other streets are
refused plainly; the hire step refuses to close while contracts are unsigned, saying how many."""

import pytest

from tests.processes.recruitment_support import Campaign, applicant
from tests.processes.test_recruitment_api import _ranked, to_hire_stage
from tests.web.pagetools import task_id_of

TERMS = {"contract_start": "2026-11-01", "contract_years": "3", "probation_months": "3",
         "filing_number": "合备〔2026〕5号"}


@pytest.fixture
def hire_stage(campaign: Campaign) -> dict[str, dict]:
    """A1 and A2 (阳光社区, 第一街道) and B2 (幸福社区, 第二街道) cleared by the publicity."""
    _, people = _ranked(campaign)
    to_hire_stage(campaign, people)
    return people


def _contract(campaign: Campaign, person: dict) -> str:
    return f"/recruitments/{campaign.id}/applications/{person['id']}/contract"


def test_the_street_signs_on_the_page_and_the_record_starts_in_probation(campaign, hire_stage, browser_as):
    hr1 = browser_as("hr_s01")
    url = f"/recruitments/{campaign.id}/hire"
    html = hr1.html(url)
    assert "<legend>与 A1 签订劳动合同</legend>" in html and "<legend>与 A2 签订劳动合同</legend>" in html
    assert "B2" not in html  # another street's candidate is not even listed
    assert "待签订 2 人，已签订 0 人" in html
    response = hr1.post(_contract(campaign, hire_stage["A1"]), TERMS, page=url)
    assert response.status_code == 302
    html = hr1.html(url)
    assert "已与 A1 签订劳动合同（2026-11-01 至 2029-10-31，试用期至 2027-01-31），人员档案已建立，状态：试用期" in html
    assert "待签订 1 人，已签订 1 人" in html and "<legend>与 A1 签订劳动合同</legend>" not in html
    assert "2026-11-01 至 2029-10-31，试用期至 2027-01-31" in html and "人员档案（试用期）" in html
    assert campaign.by_name()["A1"]["status"] == "hired"


def test_signing_is_refused_to_other_roles_and_outside_the_street(campaign, hire_stage, browser_as):
    url = f"/recruitments/{campaign.id}/hire"
    civil = browser_as("civil_d01")
    html = civil.html(url)
    assert "签订劳动合同</button>" not in html and html.count("待岗位所在街道人事签订") == 3
    civil.post(_contract(campaign, hire_stage["A1"]), TERMS, page=url)
    assert "劳动合同由岗位所在街道的人事干部签订，您不能签订这份合同。" in civil.html(url)
    other_street = browser_as("hr_s02").post(_contract(campaign, hire_stage["A1"]), TERMS, page=url)
    assert other_street.status_code == 404
    assert "不在您的管辖范围内" in other_street.get_data(as_text=True)
    assert campaign.by_name()["A1"]["status"] == "cleared"


def test_wrong_terms_are_named_and_nothing_is_signed(campaign, hire_stage, browser_as):
    hr1 = browser_as("hr_s01")
    url = f"/recruitments/{campaign.id}/hire"
    hr1.post(_contract(campaign, hire_stage["A2"]), {**TERMS, "contract_start": "", "probation_months": "半年"},
             page=url)
    html = hr1.html(url)
    assert "劳动合同未签订：合同起始日：请填写日期，如 2026-12-10；试用期：请填写 0 至 12 的整月数。" in html
    hr1.post(_contract(campaign, hire_stage["A2"]), {**TERMS, "probation_months": "6"}, page=url)
    assert "劳动合同未签订：试用期不得超过 3 个月" in hr1.html(url)
    assert campaign.by_name()["A2"]["status"] == "cleared"


def test_signing_before_the_hire_stage_is_refused(campaign, browser_as):
    _, people = _ranked(campaign)
    hr1 = browser_as("hr_s01")
    url = f"/recruitments/{campaign.id}/hire"
    hr1.post(_contract(campaign, people["A1"]), TERMS, page=url)
    assert "劳动合同未签订：不在办理聘用手续阶段" in hr1.html(url)


def test_the_hire_step_links_to_the_page_and_refuses_to_close_saying_how_many(campaign, hire_stage, browser_as):
    civil = browser_as("civil_d01")
    task = f"/tasks/{task_id_of(campaign.instance())}"
    assert f'href="/recruitments/{campaign.id}/hire"' in civil.html(task)
    browser_as("hr_s01").post(_contract(campaign, hire_stage["A1"]), TERMS, page=f"/recruitments/{campaign.id}/hire")
    response = civil.post(task, {"filing_number": "民备〔2026〕21号"}, page=task)
    html = response.get_data(as_text=True)
    assert "还有 2 人未签订劳动合同，请先由街道人事在招聘工作台“办理聘用”中签订劳动合同" in html
    assert campaign.tasks() == ["hire"]


def test_each_stage_task_links_to_the_tab_where_its_work_is(campaign, browser_as):
    campaign.to_registration()
    apps = campaign.register([applicant(1, name="甲"), applicant(2, post="S02C01", name="乙")])
    campaign.review_all(apps)
    campaign.tick("2026-09-12T00:00:01+08:00")
    campaign.close(campaign.civil, "close_qualification_review", {"confirmed": True}, "2026-09-12T11:00:00+08:00")
    html = browser_as("panel_d01").html(f"/tasks/{task_id_of(campaign.instance())}")
    assert "笔试" in html and f'id="workspace-link" href="/recruitments/{campaign.id}/scores"' in html
