"""Ranking and selection in the campaign workspace: the ranked list per post with the interview
cut-off and ties, physical and vetting results with the substitute they call, objections with their
findings, and the publicity list."""

import re

import pytest

from tests.processes.recruitment_support import Campaign, applicant

pytestmark = pytest.mark.registration_open

WRITTEN = {"A1": 90, "A2": 80, "A3": 70, "A4": 70, "B1": 75}
INTERVIEW = {"A1": 90, "A2": 80, "A3": 70, "A4": 70, "B1": 75}


def _ranked(campaign: Campaign) -> dict[str, dict]:
    apps = campaign.register([applicant(i, name=f"A{i}") for i in range(1, 5)] + [applicant(9, post="S02C01", name="B1")])
    campaign.to_ranking(WRITTEN, INTERVIEW, apps)
    return campaign.by_name()


def test_the_ranking_shows_each_post_in_order_with_cutoff_and_ties(campaign, browser_as):
    _ranked(campaign)
    html = browser_as("panel_d01").html(f"/recruitments/{campaign.id}/selection")
    assert "第一街道阳光社区 · 招聘 2 人" in html and "第二街道幸福社区 · 招聘 1 人" in html
    ranking = html[html.index('id="post-S01C01"'):html.index('id="post-S02C01"')]
    shown = re.sub(r"<[^>]+>", " ", ranking)  # the text a person reads: no tokens or ids in attributes
    assert shown.index(" A1 ") < shown.index(" A2 ") < shown.index(" A3 ")
    assert "进入面试的最低笔试成绩：70.00（2 人同分，一并进入面试）" in ranking
    assert ranking.count("并列总分") == 2  # A3 and A4
    assert "待体检" in ranking and "已排名（候补）" in ranking


def test_a_failed_physical_calls_the_next_ranked_and_says_who(campaign, browser_as):
    people = _ranked(campaign)
    panel = browser_as("panel_d01")
    url = f"/recruitments/{campaign.id}/selection"
    response = panel.post(f"/recruitments/{campaign.id}/applications/{people['A1']['id']}/physical",
                          {"result": "fail", "note": "血压不达标"}, page=url)
    assert response.status_code == 302
    html = panel.html(url)
    assert "已记录 A1 的体检结论：不合格" in html and "A3 递补进入体检（原排名第 3 名）" in html
    after = campaign.by_name()
    assert after["A1"]["status"] == "physical_failed" and after["A3"]["status"] == "physical"
    panel.post(f"/recruitments/{campaign.id}/applications/{people['A2']['id']}/physical", {"result": "pass"}, page=url)
    assert campaign.by_name()["A2"]["status"] == "vetting"


def test_a_check_without_a_result_or_by_the_wrong_role_is_refused(campaign, browser_as):
    people = _ranked(campaign)
    url = f"/recruitments/{campaign.id}/selection"
    panel = browser_as("panel_d01")
    panel.post(f"/recruitments/{campaign.id}/applications/{people['A2']['id']}/physical", {"note": "?"}, page=url)
    assert "请选择体检结论（合格或不合格）" in panel.html(url)
    civil = browser_as("civil_d01")
    civil.post(f"/recruitments/{campaign.id}/applications/{people['A2']['id']}/physical", {"result": "pass"}, page=url)
    assert "您的角色不能办理此事项" in civil.html(url)
    vetting = panel.post(f"/recruitments/{campaign.id}/applications/{people['A2']['id']}/vetting",
                         {"result": "pass"}, page=url)
    assert vetting.status_code == 302 and "该人员当前不在待考察名单中" in panel.html(url)
    assert campaign.by_name()["A2"]["status"] == "physical"


def test_the_publicity_list_and_an_upheld_objection_with_its_substitute(campaign, browser_as):
    people = _ranked(campaign)
    for name in ("A1", "A2", "B1"):
        assert campaign.check("physical", people[name]["id"], "pass").status_code == 200
    campaign.close(campaign.panel, "close_physical", {"confirmed": True}, "2026-09-24T12:00:00+08:00")
    for name in ("A1", "A2", "B1"):
        assert campaign.check("vetting", people[name]["id"], "pass", "2026-09-25T10:00:00+08:00").status_code == 200
    campaign.close(campaign.panel, "close_vetting", {"confirmed": True}, "2026-09-25T13:00:00+08:00")
    campaign.close(campaign.civil, "publish_list", {"channel": "区政府网站"}, "2026-09-28T09:00:00+08:00")
    url = f"/recruitments/{campaign.id}/selection"
    civil, panel = browser_as("civil_d01"), browser_as("panel_d01")
    with campaign.at("2026-10-09T10:00:00+08:00"):
        html = civil.html(url)
        listed = html[html.index('id="publicity"'):html.index('id="objections"')]
        assert all(name in listed for name in ("A1", "A2", "B1")) and "2026-10-13" in listed
        civil.post(f"/recruitments/{campaign.id}/objections",
                   {"application_id": people["A2"]["id"], "summary": "反映其曾受过刑事处罚"}, page=url)
        assert "已登记异议" in civil.html(url)
        html = panel.html(url)
        assert "反映其曾受过刑事处罚" in html
        objection_id = html.split(f"/recruitments/{campaign.id}/objections/")[1].split("/")[0]
        panel.post(f"/recruitments/{campaign.id}/objections/{objection_id}/decision",
                   {"upheld": "yes", "finding": ""}, page=url)
        assert "请选择异议是否成立并填写调查结论" in panel.html(url)
        panel.post(f"/recruitments/{campaign.id}/objections/{objection_id}/decision",
                   {"upheld": "yes", "finding": "经核实属实"}, page=url)
        html = panel.html(url)
    assert "A3 递补进入体检" in html and "经核实属实" in html
    after = campaign.by_name()
    assert after["A2"]["status"] == "objection_upheld" and after["A3"]["status"] == "physical"
