"""Exam (笔试与面试): scores by API and from an Excel sheet (all rows or none, every bad row reported),
the interview list at 3x posts with ties at the cut-off, totals rounded half-up to 2 decimals,
and the documented tie rule of the ranking."""

from io import BytesIO

import pytest
from openpyxl import Workbook

from tests.helpers import open_task
from tests.processes.recruitment_support import Campaign, applicant

pytestmark = pytest.mark.registration_open


def _to_written_exam(campaign: Campaign, people: list[dict]) -> dict:
    apps = campaign.register(people)
    campaign.review_all(apps)
    campaign.tick("2026-09-12T00:00:01+08:00")
    campaign.close(campaign.civil, "close_qualification_review", {"confirmed": True}, "2026-09-12T11:00:00+08:00")
    return apps


def _sheet(rows: list[tuple]) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(("报名号", "姓名", "成绩", "缺考"))
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def _import(campaign: Campaign, kind: str, content: BytesIO, filename: str = "成绩.xlsx"):  # noqa: ANN202
    with campaign.at("2026-09-20T10:00:00+08:00"):
        return campaign.panel.client.post(
            f"/api/v1/recruitments/{campaign.id}/scores/import?kind={kind}", data={"file": (content, filename)},
            headers={"Authorization": f"Bearer {campaign.panel.token}"}, content_type="multipart/form-data")


def test_scores_from_an_excel_sheet_are_imported(campaign):
    apps = _to_written_exam(campaign, [applicant(i, name=f"A{i}") for i in range(1, 4)])
    no = {name: item["application_no"] for name, item in apps.items()}
    response = _import(campaign, "written", _sheet([(no["A1"], "A1", 81.5, None), (no["A2"], "A2", "79.25", ""),
                                                    (no["A3"], "A3", None, "是")]))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"imported": 3}
    people = campaign.by_name()
    assert people["A1"]["scores"]["written"] == "81.50" and people["A2"]["scores"]["written"] == "79.25"
    assert people["A3"]["scores"]["written_absent"] is True


def test_a_sheet_with_bad_rows_imports_nothing_and_reports_each_row(campaign):
    apps = _to_written_exam(campaign, [applicant(i, name=f"A{i}") for i in range(1, 4)])
    no = {name: item["application_no"] for name, item in apps.items()}
    response = _import(campaign, "written", _sheet([
        (no["A1"], "A1", 88, None), ("ZP999-XXXXXXXX", "?", 70, None), (no["A2"], "A2", 101, None),
        (no["A3"], "A3", "八十", None), (no["A1"], "A1", 77.125, None)]))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "score_rows_invalid"
    assert [(r["row"], r["errors"][0]) for r in error["details"]["rows"]] == [
        (3, "报名号 ZP999-XXXXXXXX 不属于本次招聘"), (4, "成绩应在 0 至 100 之间"), (5, "成绩“八十”不是数字"),
        (6, "报名号重复")]
    assert all(a["scores"]["written"] is None for a in campaign.applications())


def test_a_file_that_is_not_a_sheet_is_refused(campaign):
    _to_written_exam(campaign, [applicant(1)])
    response = _import(campaign, "written", BytesIO(b"not a workbook"), "scores.xlsx")
    assert response.status_code == 422 and "file" in response.get_json()["error"]["details"]["fields"]
    response = _import(campaign, "written", BytesIO(b"a,b"), "scores.csv")
    assert response.status_code == 422


def test_scores_only_in_their_stage_and_only_by_the_panel_or_hrss(campaign, as_user):
    apps = campaign.register([applicant(1, name="A1")])
    early = campaign.scores("written", {"A1": 80}, apps, "2026-09-10T10:00:00+08:00")
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "scores_not_open"
    campaign.review_all(apps)
    campaign.tick("2026-09-12T00:00:01+08:00")
    campaign.close(campaign.civil, "close_qualification_review", {"confirmed": True}, "2026-09-12T11:00:00+08:00")
    with campaign.at("2026-09-20T10:00:00+08:00"):
        body = {"kind": "written", "items": [{"application_no": apps["A1"]["application_no"], "score": 80}]}
        assert as_user("hr_s01").post(f"/api/v1/recruitments/{campaign.id}/scores", json=body).status_code == 403
        assert campaign.civil.post(f"/api/v1/recruitments/{campaign.id}/scores", json=body).status_code == 403
        assert as_user("hrss_d01").post(f"/api/v1/recruitments/{campaign.id}/scores", json=body).status_code == 200


def test_written_exam_closes_only_with_every_score(campaign):
    apps = _to_written_exam(campaign, [applicant(i, name=f"A{i}") for i in range(1, 3)])
    campaign.scores("written", {"A1": 80}, apps, "2026-09-20T10:00:00+08:00")
    task = open_task(campaign.panel, campaign.id, "close_written_exam")
    with campaign.at("2026-09-20T11:00:00+08:00"):
        response = campaign.panel.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"pass_line": 60}})
    assert response.status_code == 409 and response.get_json()["error"]["details"] == {"missing": 1}


def test_interview_list_is_three_times_the_posts_with_ties_at_the_cut_off(campaign):
    # S02C01 has 1 post: the best 3 above the pass line go to interview, and those tied with the third too.
    people = [applicant(20 + i, "S02C01", name=f"B{i}") for i in range(1, 7)]
    apps = _to_written_exam(campaign, people)
    written = {"B1": 90, "B2": 80, "B3": 70, "B4": 70, "B5": 65, "B6": 59.99}
    assert campaign.scores("written", written, apps, "2026-09-20T10:00:00+08:00").status_code == 200
    campaign.close(campaign.panel, "close_written_exam", {"pass_line": 60}, "2026-09-20T11:00:00+08:00")
    status = {n: a["status"] for n, a in campaign.by_name().items()}
    assert status == {"B1": "interview", "B2": "interview", "B3": "interview", "B4": "interview",
                      "B5": "not_shortlisted", "B6": "written_failed"}


def test_totals_round_half_up_and_ties_follow_the_documented_rule(campaign):
    people = [applicant(30, "S02C01", name="C1"), applicant(31, "S02C01", name="C2", priority=["social_work_certificate"]),
              applicant(32, "S02C01", name="C3")]
    apps = _to_written_exam(campaign, people)
    # C1 80.25/70.10 → 75.175 → 75.18; C2 70.10/80.26 → 75.18 with a priority flag; C3 75.18/75.18.
    campaign.scores("written", {"C1": "80.25", "C2": "70.10", "C3": "75.18"}, apps, "2026-09-20T10:00:00+08:00")
    campaign.close(campaign.panel, "close_written_exam", {"pass_line": 60}, "2026-09-20T11:00:00+08:00")
    response = campaign.scores("interview", {"C1": "70.10", "C2": "80.26", "C3": "75.18"}, apps,
                               "2026-09-22T10:00:00+08:00")
    assert response.status_code == 200, response.get_json()
    campaign.close(campaign.panel, "close_interview", {"confirmed": True}, "2026-09-22T11:00:00+08:00")
    ranked = campaign.by_name()
    assert {n: a["scores"]["total"] for n, a in ranked.items()} == {"C1": "75.18", "C2": "75.18", "C3": "75.18"}
    # Equal totals: the 004 art. 10 priority first (C2), then the higher written score (C1 80.25 > C3 75.18).
    assert sorted(ranked, key=lambda n: ranked[n]["rank"]) == ["C2", "C1", "C3"]
    assert [ranked[n]["status"] for n in ("C2", "C1", "C3")] == ["physical", "ranked", "ranked"]


def test_a_score_with_three_decimals_is_refused(campaign):
    apps = _to_written_exam(campaign, [applicant(1, name="A1")])
    response = campaign.scores("written", {"A1": "80.125"}, apps, "2026-09-20T10:00:00+08:00")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["rows"][0]["errors"] == ["成绩最多保留两位小数"]


def test_a_post_of_ten_or_more_places_interviews_two_per_place(app, as_user, frozen_clock, client):
    # policy interview_ratio_large (2) from interview_ratio_large_posts (10) places; the 1-place post stays 3x.
    campaign = Campaign(app, as_user, frozen_clock, client).to_registration(
        posts=[{"community": "S01C01", "count": 10}, {"community": "S02C01", "count": 1}])
    people = [applicant(i, "S01C01", name=f"A{i}") for i in range(1, 23)]
    people += [applicant(40 + i, "S02C01", name=f"B{i}") for i in range(1, 5)]
    apps = _to_written_exam(campaign, people)
    written = {f"A{i}": 100 - i for i in range(1, 23)} | {"B1": 90, "B2": 80, "B3": 70, "B4": 65}
    assert campaign.scores("written", written, apps, "2026-09-20T10:00:00+08:00").status_code == 200
    campaign.close(campaign.panel, "close_written_exam", {"pass_line": 60}, "2026-09-20T11:00:00+08:00")
    status = {n: a["status"] for n, a in campaign.by_name().items()}
    assert {n for n in status if n.startswith("A") and status[n] == "interview"} == {f"A{i}" for i in range(1, 21)}
    assert status["A21"] == status["A22"] == "not_shortlisted"
    assert [status[f"B{i}"] for i in range(1, 5)] == ["interview", "interview", "interview", "not_shortlisted"]


def test_the_large_post_threshold_follows_the_policy(campaign, monkeypatch):
    monkeypatch.setenv("CWFLOW_POLICY_INTERVIEW_RATIO_LARGE_POSTS", "2")
    monkeypatch.setenv("CWFLOW_POLICY_INTERVIEW_RATIO_LARGE", "1")
    # S01C01 has 2 places: now a "large" post, so 1 x 2 = 2 go to interview instead of 6.
    apps = _to_written_exam(campaign, [applicant(i, "S01C01", name=f"A{i}") for i in range(1, 6)])
    written = {"A1": 90, "A2": 80, "A3": 70, "A4": 65, "A5": 61}
    assert campaign.scores("written", written, apps, "2026-09-20T10:00:00+08:00").status_code == 200
    campaign.close(campaign.panel, "close_written_exam", {"pass_line": 60}, "2026-09-20T11:00:00+08:00")
    status = {n: a["status"] for n, a in campaign.by_name().items()}
    assert {n for n, s in status.items() if s == "interview"} == {"A1", "A2"}
