"""Scores in the campaign workspace: typed per applicant, imported from an .xlsx sheet with a report of
every bad row (nothing recorded), and the sheet to fill in downloaded with the applicants listed."""

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from tests.processes.recruitment_support import Campaign, applicant

pytestmark = pytest.mark.registration_open


def _written_exam(campaign: Campaign) -> dict[str, dict]:
    apps = campaign.register([applicant(1, name="张三"), applicant(2, name="李四"), applicant(3, post="S02C01", name="赵六")])
    campaign.review_all(apps)
    campaign.tick("2026-09-12T00:00:01+08:00")
    campaign.close(campaign.civil, "close_qualification_review", {"confirmed": True}, "2026-09-12T11:00:00+08:00")
    return apps


def _sheet(rows: list[tuple]) -> BytesIO:
    book = Workbook()
    book.active.append(("报名号", "姓名", "成绩", "缺考"))
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_scores_typed_per_applicant_are_recorded(campaign, browser_as):
    apps = _written_exam(campaign)
    panel = browser_as("panel_d01")
    url = f"/recruitments/{campaign.id}/scores"
    html = panel.html(url)
    assert "笔试成绩" in html and "张三" in html and "第二街道幸福社区" in html
    no = {name: item["application_no"] for name, item in apps.items()}
    form = {"kind": "written", "application_no": list(no.values()), f"score-{no['张三']}": "81.5",
            f"score-{no['李四']}": "", f"absent-{no['李四']}": "1", f"score-{no['赵六']}": "77"}
    response = panel.post(url, form, page=url)
    assert response.status_code == 302
    assert "已录入 3 人的笔试成绩" in panel.html(url + "?kind=written")
    people = campaign.by_name()
    assert people["张三"]["scores"]["written"] == "81.50"
    assert people["李四"]["scores"]["written_absent"] is True


def test_a_bad_typed_score_records_nothing_and_keeps_what_was_typed(campaign, browser_as):
    apps = _written_exam(campaign)
    panel = browser_as("panel_d01")
    url = f"/recruitments/{campaign.id}/scores"
    no = {name: item["application_no"] for name, item in apps.items()}
    response = panel.post(url, {"kind": "written", "application_no": list(no.values()),
                                f"score-{no['张三']}": "101", f"score-{no['李四']}": "66"}, page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 行成绩有误，本批成绩均未录入" in html and "成绩应在 0 至 100 之间" in html
    assert 'value="101"' in html
    assert campaign.by_name()["李四"]["scores"]["written"] is None


def test_an_excel_sheet_is_imported_and_bad_rows_are_reported(campaign, browser_as):
    apps = _written_exam(campaign)
    panel = browser_as("panel_d01")
    url = f"/recruitments/{campaign.id}/scores"
    no = {name: item["application_no"] for name, item in apps.items()}
    bad = _sheet([(no["张三"], "张三", 88, None), ("ZP999-XXXXXXXX", "?", 70, None), (no["李四"], "李四", "八十", None)])
    response = panel.post(f"{url}/import", {"kind": "written", "file": (bad, "成绩.xlsx")}, page=url,
                          content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "第 3 行" in html and "报名号 ZP999-XXXXXXXX 不属于本次招聘" in html
    assert "第 4 行" in html and "成绩“八十”不是数字" in html
    assert campaign.by_name()["张三"]["scores"]["written"] is None
    good = _sheet([(no["张三"], "张三", 88, None), (no["李四"], "李四", 79.25, None), (no["赵六"], "赵六", None, "是")])
    response = panel.post(f"{url}/import", {"kind": "written", "file": (good, "成绩.xlsx")}, page=url,
                          content_type="multipart/form-data")
    assert response.status_code == 302
    assert campaign.by_name()["李四"]["scores"]["written"] == "79.25"
    assert campaign.by_name()["赵六"]["scores"]["written_absent"] is True


def test_a_file_that_is_not_a_sheet_is_refused_on_the_page(campaign, browser_as):
    _written_exam(campaign)
    panel = browser_as("panel_d01")
    url = f"/recruitments/{campaign.id}/scores"
    response = panel.post(f"{url}/import", {"kind": "written", "file": (BytesIO(b"a,b"), "成绩.csv")}, page=url,
                          content_type="multipart/form-data")
    assert response.status_code == 200 and "请上传 .xlsx 文件" in response.get_data(as_text=True)
    response = panel.post(f"{url}/import", {"kind": "written", "file": (BytesIO(b"nope"), "成绩.xlsx")}, page=url,
                          content_type="multipart/form-data")
    assert response.status_code == 200 and "无法读取 Excel 文件" in response.get_data(as_text=True)


def test_the_template_lists_the_applicants_and_imports_back(campaign, browser_as):
    apps = _written_exam(campaign)
    panel = browser_as("panel_d01")
    response = panel.get(f"/recruitments/{campaign.id}/scores/template.xlsx?kind=written")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == ("报名号", "姓名", "岗位（社区）", "成绩", "缺考")
    assert {line[1] for line in lines[1:]} == {"张三", "李四", "赵六"}
    assert {line[0] for line in lines[1:]} == {item["application_no"] for item in apps.values()}


def test_someone_who_may_not_score_is_told_so(campaign, browser_as):
    apps = _written_exam(campaign)
    page = browser_as("civil_d01")
    url = f"/recruitments/{campaign.id}/scores"
    no = apps["张三"]["application_no"]
    response = page.post(url, {"kind": "written", "application_no": [no], f"score-{no}": "80"}, page=url)
    assert response.status_code == 200 and "您的角色不能办理此事项" in response.get_data(as_text=True)
    assert campaign.by_name()["张三"]["scores"]["written"] is None
