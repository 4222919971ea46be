"""The publicity list (公示拟聘用人员名单) as a page, an A4 PDF and an Excel file, each with the
candidates by name, the period and the words of the notice; a street sees only its own part."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.processes.recruitment_support import Campaign
from tests.processes.test_recruitment_api import _ranked


@pytest.fixture
def published(campaign: Campaign) -> dict[str, dict]:
    _, people = _ranked(campaign)
    for name in ("A1", "A2", "B2"):
        assert campaign.check("physical", people[name]["id"], "pass").status_code == 200
    campaign.close(campaign.panel, "close_physical", {"confirmed": True}, "2026-09-24T12:00:00+08:00")
    for name in ("A1", "A2", "B2"):
        assert campaign.check("vetting", people[name]["id"], "pass", "2026-09-25T10:00:00+08:00").status_code == 200
    campaign.close(campaign.panel, "close_vetting", {"confirmed": True}, "2026-09-25T13:00:00+08:00")
    campaign.close(campaign.civil, "publish_list", {"channel": "区政府网站"}, "2026-09-28T09:00:00+08:00")
    return people


def test_the_list_as_a_page_with_its_period_and_downloads(campaign, published, browser_as):
    html = browser_as("civil_d01").html(f"/recruitments/{campaign.id}/publicity")
    assert "示范区2026年社区工作者公开招聘拟聘用人员名单公示" in html
    assert "公示期为 2026-09-28 至 2026-10-13（7 个工作日）" in html
    table = html[html.index('id="publicity-list"'):]
    assert all(name in table for name in ("A1", "A2", "B2")) and "共 3 人" in html
    assert f'href="/recruitments/{campaign.id}/publicity.pdf"' in html
    assert f'href="/recruitments/{campaign.id}/publicity.xlsx"' in html
    selection = browser_as("panel_d01").html(f"/recruitments/{campaign.id}/selection")
    assert f'id="publicity-page-link" href="/recruitments/{campaign.id}/publicity"' in selection


def test_the_list_as_a_pdf_and_an_excel_file(campaign, published, browser_as):
    civil = browser_as("civil_d01")
    pdf = civil.get(f"/recruitments/{campaign.id}/publicity.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    sheet = civil.get(f"/recruitments/{campaign.id}/publicity.xlsx")
    assert sheet.status_code == 200 and "filename*=UTF-8''" in sheet.headers["Content-Disposition"]
    rows = list(load_workbook(BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("序号", "姓名") and sorted(r[1] for r in rows[1:]) == ["A1", "A2", "B2"]
    assert {r[5] for r in rows[1:]} == {"第一街道阳光社区", "第二街道幸福社区"}
    assert all(r[10] == "公示中" for r in rows[1:])


def test_a_street_gets_its_own_part_and_strangers_nothing(campaign, published, browser_as):
    sheet = browser_as("hr_s02").get(f"/recruitments/{campaign.id}/publicity.xlsx")
    names = [r[1] for r in list(load_workbook(BytesIO(sheet.data)).active.iter_rows(values_only=True))[1:]]
    assert names == ["B2"]
    assert browser_as("worker_s01c01").get(f"/recruitments/{campaign.id}/publicity").status_code == 404
    anonymous = browser_as().get(f"/recruitments/{campaign.id}/publicity.pdf")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
