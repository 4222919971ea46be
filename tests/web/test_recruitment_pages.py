"""The campaign workspace (招聘工作台) in the browser: applications by name after registration closes,
the review of one or many with reasons and the street's recommendation, and the qualification step
that refuses to close while applications are unreviewed, saying how many."""

from datetime import date

import pytest

from tests.processes.recruitment_support import Campaign, applicant
from tests.web.pagetools import task_id_of

pytestmark = pytest.mark.registration_open


def _closed_registration(campaign: Campaign) -> dict[str, dict]:
    """Three applicants for 阳光社区, one for 幸福社区, one too old; the review step open."""
    apps = campaign.register([applicant(1, name="张三"), applicant(2, name="李四"), applicant(3, name="王五"),
                              applicant(4, post="S02C01", name="赵六"),
                              applicant(5, name="钱七", birth_date=date(1960, 1, 1))])
    campaign.tick("2026-09-12T00:00:01+08:00")
    return apps


def _status(campaign: Campaign, name: str) -> str:
    return campaign.by_name()[name]["status"]


def test_the_workspace_lists_applications_by_name_with_counts(campaign, browser_as):
    _closed_registration(campaign)
    html = browser_as("civil_d01").html(f"/recruitments/{campaign.id}")
    assert "招聘工作台" in html and "示范区2026年社区工作者公开招聘" in html
    assert "资格审查" in html  # the stage
    for name in ("张三", "李四", "王五", "赵六", "钱七"):
        assert name in html
    assert "第一街道阳光社区" in html and "第二街道幸福社区" in html
    table = html[html.index('id="applications"'):html.index("</table>")]
    assert "S01C01" not in table and "S02C01" not in table
    assert "已报名，等待资格审查 <strong>5</strong>" in html
    assert "不符合：" in table  # 钱七's pre-check says why


def test_filters_by_post_status_precheck_and_id_tail(campaign, browser_as):
    apps = _closed_registration(campaign)
    page = browser_as("civil_d01")
    by_post = page.html(f"/recruitments/{campaign.id}?post=S02C01")
    assert "赵六" in by_post and "张三" not in by_post
    failing = page.html(f"/recruitments/{campaign.id}?eligible=no")
    assert "钱七" in failing and "张三" not in failing
    tail = applicant(2)["id_number"][-4:]
    found = page.html(f"/recruitments/{campaign.id}?q={tail}")
    assert "李四" in found and "张三" not in found
    assert "王五" in page.html(f"/recruitments/{campaign.id}?q=王五")
    assert "没有符合条件的报名" in page.html(f"/recruitments/{campaign.id}?status=hired")
    assert apps


def test_the_case_page_and_the_review_task_link_to_the_workspace(campaign, browser_as):
    _closed_registration(campaign)
    page = browser_as("civil_d01")
    workspace = f'href="/recruitments/{campaign.id}"'
    assert workspace in page.html(f"/instances/{campaign.id}")
    assert workspace in page.html(f"/tasks/{task_id_of(campaign.instance())}")


def test_a_street_officer_sees_only_its_own_communities(campaign, browser_as):
    _closed_registration(campaign)
    html = browser_as("hr_s02").html(f"/recruitments/{campaign.id}")
    assert "赵六" in html and "张三" not in html
    assert browser_as("worker_s01c01").get(f"/recruitments/{campaign.id}").status_code == 404


def test_reviewing_many_at_once_changes_each_and_says_so(campaign, browser_as):
    apps = _closed_registration(campaign)
    page = browser_as("civil_d01")
    url = f"/recruitments/{campaign.id}"
    response = page.post(f"{url}/review", {"ids": [apps["张三"]["id"], apps["李四"]["id"]], "decision": "approve",
                                           "reason": "", "street_recommendation": "keep"}, page=url)
    assert response.status_code == 302
    assert _status(campaign, "张三") == "qualified" and _status(campaign, "李四") == "qualified"
    html = page.html(url)
    assert "已审查 2 份报名（通过）" in html
    assert "资格审查通过 <strong>2</strong>" in html


def test_a_rejection_needs_a_reason_and_an_ineligible_approval_says_why(campaign, browser_as):
    apps = _closed_registration(campaign)
    page = browser_as("civil_d01")
    url = f"/recruitments/{campaign.id}"
    page.post(f"{url}/review", {"ids": [apps["王五"]["id"]], "decision": "reject", "reason": " "}, page=url)
    html = page.html(url)
    assert "王五：不通过时须写明理由" in html
    assert _status(campaign, "王五") == "submitted"
    page.post(f"{url}/review", {"ids": [apps["钱七"]["id"]], "decision": "approve"}, page=url)
    assert "钱七：初审未通过，不能审查通过" in page.html(url)
    page.post(f"{url}/review", {"ids": [apps["王五"]["id"]], "decision": "reject", "reason": "学历证明不全"}, page=url)
    assert _status(campaign, "王五") == "rejected"
    assert "学历证明不全" in page.html(url)


def test_nothing_chosen_or_no_decision_is_refused_plainly(campaign, browser_as):
    apps = _closed_registration(campaign)
    page = browser_as("civil_d01")
    url = f"/recruitments/{campaign.id}"
    page.post(f"{url}/review", {"decision": "approve"}, page=url)
    assert "请先勾选要审查的报名" in page.html(url)
    page.post(f"{url}/review", {"ids": [apps["张三"]["id"]]}, page=url)
    assert "请选择审查结论" in page.html(url)
    assert _status(campaign, "张三") == "submitted"


def test_the_street_recommendation_is_recorded_by_the_reviewer(campaign, browser_as):
    apps = _closed_registration(campaign)
    page = browser_as("hr_s01")
    url = f"/recruitments/{campaign.id}"
    page.post(f"{url}/review", {"ids": [apps["张三"]["id"]], "decision": "approve", "street_recommendation": "veteran"},
              page=url)
    person = campaign.by_name()["张三"]
    assert person["status"] == "qualified"
    assert "退役军人" in page.html(url)


def test_a_review_without_the_form_token_changes_nothing(campaign, browser_as):
    apps = _closed_registration(campaign)
    page = browser_as("civil_d01")
    response = page.post(f"/recruitments/{campaign.id}/review", {"ids": [apps["张三"]["id"]], "decision": "approve"},
                         token=False)
    assert response.status_code == 400
    assert _status(campaign, "张三") == "submitted"


def test_the_review_step_refuses_to_close_saying_how_many_are_left(campaign, browser_as):
    apps = _closed_registration(campaign)
    page = browser_as("civil_d01")
    task = f"/tasks/{task_id_of(campaign.instance())}"
    response = page.post(task, {"confirmed": "true", "comment": "审查完毕"}, page=task)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "还有 5 份报名未审查，请先在招聘工作台完成审查" in html
    assert "此任务已被他人处理" not in html
    assert "审查完毕" in html  # what was typed is kept
    assert campaign.tasks() == ["close_qualification_review"]
    assert apps
