"""Attachments on decisions, the printable approval form (审批表, A4 PDF with CJK text) and Excel exports."""

import io
import re

import pytest
from openpyxl import load_workbook

from engine.core import audit
from engine.core.words import EVENT_WORDS
from tests.helpers import complete, open_task, start
from tests.operations.ops_support import (
    APPROVE,
    HANDOVER,
    REVIEW_OK,
    events,
    refused,
    resignation,
    task_post,
    to_decision,
)
from tests.processes.recruitment_support import start_campaign
from web.extensions import db

PDF = b"%PDF-1.4\n% test file\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(user, case_id: int, content: bytes = PDF, name: str = "交接清单.pdf", mime: str = "application/pdf"):  # noqa: ANN001, ANN202
    return user.client.post(f"/api/v1/instances/{case_id}/attachments",
                            headers={"Authorization": f"Bearer {user.token}"},
                            data={"file": (io.BytesIO(content), name, mime)}, content_type="multipart/form-data")


def test_a_decision_cites_an_uploaded_file_and_the_trail_shows_it(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    uploaded = _upload(leader, case["id"])
    assert uploaded.status_code == 201, uploaded.get_json()
    file = uploaded.get_json()
    assert file["filename"] == "交接清单.pdf" and file["size"] == len(PDF) and len(file["sha256"]) == 64
    task = open_task(leader, case["id"], "street_decision")
    done = task_post(leader, task, "complete", {"data": APPROVE, "attachments": [file["id"]]}).get_json()["instance"]
    assert done["data"]["resignation_street_decision_attachments"] == [file["id"]]
    completed = [e for e in events(hr, case["id"]) if e["type"] == "task_completed"][-1]
    assert completed["detail"]["attachments"] == [{"id": file["id"], "filename": "交接清单.pdf"}]
    listing = hr.get(f"/api/v1/instances/{case['id']}/attachments").get_json()["items"]
    assert [a["task_id"] for a in listing] == [task["id"]]
    download = hr.get(f"/api/v1/attachments/{file['id']}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    refused(as_user("hr_s02").get(f"/api/v1/attachments/{file['id']}"), 404, "attachment_not_found")


def test_attachments_are_limited_in_size_and_type(as_user):
    hr = as_user("hr_s01")
    case = resignation(hr)
    refused(_upload(hr, case["id"], b"%PDF-" + b"0" * (3 * 1024 * 1024)), 422, "attachment_too_large")
    refused(_upload(hr, case["id"], b"MZ\x90\x00", "run.exe", "application/octet-stream"), 422,
            "attachment_type_not_allowed")
    refused(_upload(hr, case["id"], b"MZ\x90\x00", "fake.pdf"), 422, "attachment_type_not_allowed")
    refused(_upload(hr, case["id"], b"", "empty.pdf"), 422, "attachment_invalid")
    refused(_upload(as_user("hr_s02"), case["id"]), 404, "instance_not_found")
    assert _upload(hr, case["id"], "说明".encode(), "说明.txt", "text/plain").status_code == 201


def test_a_file_is_cited_by_its_uploader_once(as_user):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    file_id = _upload(hr, case["id"]).get_json()["id"]
    review = open_task(hr, case["id"], "street_review")
    assert task_post(hr, review, "complete", {"data": REVIEW_OK, "attachments": [file_id]}).status_code == 200
    decision = open_task(leader, case["id"], "street_decision")
    refused(task_post(leader, decision, "complete", {"data": APPROVE, "attachments": [file_id]}), 422,
            "attachment_invalid")
    refused(task_post(leader, decision, "complete", {"data": APPROVE, "attachments": [99999]}), 422,
            "attachment_invalid")


@pytest.fixture
def pypdf():  # noqa: ANN201
    """pypdf to read the form back; skipped where WeasyPrint or Pango is missing on the host."""
    reader = pytest.importorskip("pypdf")
    try:
        import weasyprint  # noqa: F401 - needs Pango on the host
    except (ImportError, OSError):
        pytest.skip("WeasyPrint or Pango missing on this host")
    return reader


def _finished_case(as_user) -> dict:  # noqa: ANN001
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(leader, case["id"], "street_decision")
    task_post(leader, decision, "return", {"target": "street_review", "reason": "请补充交接清单"})
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(leader, case["id"], "street_decision", {"decision": "approve", "comment": "同意辞职，按规定交接"})
    complete(hr, case["id"], "handover", HANDOVER)
    return case


def test_the_approval_form_is_an_a4_pdf_with_every_step_in_chinese(as_user, pypdf):
    hr = as_user("hr_s01")
    case = _finished_case(as_user)
    response = hr.get(f"/api/v1/instances/{case['id']}/form.pdf")
    assert response.status_code == 200, response.data[:200]
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points
    text = "".join(p.extract_text() for p in reader.pages)
    flat = text.replace(" ", "").replace("\n", "")
    for expected in ("辞职审批表", "受理审查", "街道审批", "退回至「受理审查」", "请补充交接清单",
                     "同意辞职，按规定交接", "第一街道分管领导", "家庭原因", "王晓梅的辞职申请"):
        assert expected in flat, expected
    fonts = {str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert any("CJK" in name for name in fonts), fonts


def test_the_approval_form_names_people_and_units_not_their_codes(as_user, pypdf):
    """The paper record carries names: 第一街道人事, 第一街道分管领导, 示范区第一街道 — not the login
    names hr_s01 / leader_s01 or the unit code S01C01."""
    hr = as_user("hr_s01")
    case = _finished_case(as_user)
    text = _printed(hr, case["id"], pypdf)
    for expected in ("第一街道人事", "第一街道分管领导", "第一街道阳光社区", "办理中"):
        assert expected in text, expected
    for code in ("hr_s01", "leader_s01", "S01C01", "resignation", "running", "None"):
        assert code not in text, code


def test_the_approval_form_prints_a_case_that_was_urged_and_copied(as_user, pypdf):
    """Urges and copies name several people on the trail; the form lists them instead of failing."""
    hr = as_user("hr_s01")
    case = resignation(hr)
    to_decision(hr, case)
    decision = open_task(as_user("leader_s01"), case["id"], "street_decision")
    assert task_post(hr, decision, "urge", {"message": "请尽快审批"}).status_code == 201
    copied = hr.post(f"/api/v1/instances/{case['id']}/cc", json={"users": ["civil_d01", "leader_s01"]})
    assert copied.status_code in (200, 201), copied.get_json()
    response = hr.get(f"/api/v1/instances/{case['id']}/form.pdf")
    assert response.status_code == 200, response.data[:200]
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.data)).pages).replace(" ", "")
    assert "催办" in text and "抄送" in text


def _printed(user, case_id: int, pypdf) -> str:  # noqa: ANN001
    response = user.get(f"/api/v1/instances/{case_id}/form.pdf")
    assert response.status_code == 200, response.data[:300]
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    return text.replace(" ", "").replace("\n", "")


def test_the_handover_and_exit_audit_print_what_was_submitted(as_user, pypdf):
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    complete(leader, case["id"], "street_decision", APPROVE)
    complete(hr, case["id"], "handover", {**HANDOVER, "audit_required": True, "comment": "印章已交街道"})
    complete(hr, case["id"], "exit_audit", {"audit_finished": True, "report_number": "审〔2026〕5号",
                                            "findings": "未发现问题"})
    text = _printed(hr, case["id"], pypdf)
    for expected in ("已完成公务交接：是", "交接接收人：赵敏", "需要离任审计：是",  # the handover's own fields
                     "离任审计已完成：是", "审计报告编号：审〔2026〕5号", "审计结论：未发现问题",  # the exit audit's
                     "2026年11月2日"):  # a date as people write it
        assert expected in text, expected
    assert "印章已交街道" in text  # the handover's comment in its comment column
    assert "true" not in text and "audit_required" not in text


def test_the_dismissal_check_prints_option_titles_and_each_evidence_row(as_user, pypdf):
    hr = as_user("hr_s01")
    case = start(hr, "dismissal", "S01C01", {"worker_id": 1, "grounds": ["serious_breach"],
                                             "facts": "多次拒不执行社区工作安排"}).get_json()
    complete(as_user("sec_s01c01"), case["id"], "community_opinion", APPROVE)
    complete(hr, case["id"], "hr_check", {"decision": "approve", "protections": ["none"], "evidence": [
        {"ground": "serious_breach", "description": "考勤记录", "document": "材料-1"}]})
    text = _printed(hr, case["id"], pypdf)
    for expected in ("不得辞退情形：无", "证据1›对应事由：严重违反规章制度", "证据1›证据内容：考勤记录",
                     "依据充分，提请决定", "辞退事由严重违反规章制度"):
        assert expected in text, expected
    assert "serious_breach" not in text


def test_the_approval_form_names_the_worker_and_each_posts_community(as_user, pypdf):
    """The paper names the person (and their unit), not their record number, and a recruitment
    post's community by its name, not its code."""
    hr = as_user("hr_s01")
    case = resignation(hr)
    text = _printed(hr, case["id"], pypdf)
    assert "人员王晓梅（第一街道阳光社区）" in text and "人员编号" not in text
    civil = as_user("civil_d01")
    campaign = start_campaign(civil).get_json()
    text = _printed(civil, campaign["id"], pypdf)
    assert "招聘岗位1›社区第一街道阳光社区" in text and "S01C01" not in text


@pytest.mark.parametrize("detail", [
    {"to": ["civil_d01", "leader_s01"], "users": ["hr_s01"], "on_behalf_of": ["leader_s01"], "attachments": [7, None]},
    {"to": 5, "users": "hr_s01", "title": ["审批"], "comment": {"text": "嵌套"}, "phase": ["x"], "position": None},
    {},
])
def test_every_kind_of_event_prints_whatever_its_detail_holds(as_user, app, pypdf, detail):
    """A trail event of any kind, old or odd, prints as a row instead of failing the whole form."""
    hr = as_user("hr_s01")
    case = resignation(hr)
    with app.app_context():
        for kind in [*EVENT_WORDS, "some_future_event"]:
            audit.record(db.session, "hr_s01", kind, instance_id=case["id"], detail=detail)
        db.session.commit()
    text = _printed(hr, case["id"], pypdf)
    assert "超期督办" in text and "办理记录" in text and "公布成绩排名" in text


def test_the_approval_form_is_only_for_those_who_see_the_case(as_user):
    case = resignation(as_user("hr_s01"))
    refused(as_user("hr_s02").get(f"/api/v1/instances/{case['id']}/form.pdf"), 404, "instance_not_found")


CODES = re.compile(r"\b(?:[A-Z]\d{2}(?:[A-Z]\d{2})*|[a-z]+_[a-z0-9_]+|resignation|running|open|street_hr)\b"
                   r"|[0-9a-f]{8}-[0-9a-f]{4}-")


def _sheet(response) -> list[tuple]:  # noqa: ANN001
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    return list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))


def _no_codes(rows: list[tuple]) -> None:
    for row in rows:
        for value in row:
            if isinstance(value, str):
                assert not CODES.search(value), value


def test_task_and_case_lists_export_to_excel_in_scope(as_user):
    hr, hr2 = as_user("hr_s01"), as_user("hr_s02")
    case = resignation(hr)
    theirs = start(hr2, "resignation", "S02C01", {"worker_id": 4, "reason": "个人原因", "submitted_on": "2026-11-02"})
    assert theirs.status_code == 201
    rows = _sheet(hr.get("/api/v1/exports/tasks.xlsx"))
    assert [r[4] for r in rows[1:]] == ["受理审查"] and rows[1][0] == case["id"]
    rows = _sheet(hr.get("/api/v1/exports/instances.xlsx?key=resignation"))
    assert [r[0] for r in rows[1:]] == [case["id"]]
    assert [r[0] for r in _sheet(hr2.get("/api/v1/exports/instances.xlsx"))[1:]] == [theirs.get_json()["id"]]


def test_the_excel_exports_read_in_names_and_words_not_codes(as_user):
    """People open the file in Excel: headings in Chinese, units, roles, processes, statuses and
    people by name — never resignation, running, S01C01, street_hr or hr_s01."""
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    task = open_task(leader, case["id"], "street_decision")
    assert task_post(leader, task, "claim", {}).status_code == 200
    rows = _sheet(leader.get("/api/v1/exports/tasks.xlsx"))
    assert rows[0] == ("案件", "案件标题", "业务编号", "流程", "步骤", "办理角色", "办理单位", "状态", "认领人",
                       "创建时间", "到期时间")
    mine = [r for r in rows[1:] if r[0] == case["id"]]
    assert mine and mine[0][1] == "王晓梅的辞职申请" and mine[0][3:9] == ("辞职审批", "街道审批", "街道领导", "示范区第一街道", "待办理", "第一街道分管领导")
    _no_codes(rows)
    rows = _sheet(hr.get("/api/v1/exports/instances.xlsx?key=resignation"))
    assert rows[0] == ("案件", "标题", "流程", "业务编号", "组织单位", "状态", "结果", "发起人", "发起时间", "办结时间")
    assert rows[1][1] == "王晓梅的辞职申请" and rows[1][2] == "辞职审批" and rows[1][5] == "办理中"
    assert rows[1][7] not in (None, "hr_s01")
    _no_codes(rows)
    assert "resignation" in str(hr.get("/api/v1/instances?key=resignation").get_json())  # the JSON keeps its codes


def test_the_generic_exporter_keeps_formulas_as_text():
    from engine.reads.exports import xlsx_bytes

    data = xlsx_bytes(["姓名", "备注"], [["=HYPERLINK(\"http://x\")", "-1+1"], ["王晓梅", 3]], title="名单")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=")
    assert sheet["B3"].value == 3 and sheet.title == "名单"


def test_a_long_opinion_runs_across_the_page_not_down_a_narrow_column(as_user, pypdf):
    """An opinion has a full-width line of its own under its step, so 1,900 characters take about
    forty lines instead of five pages of a column thirteen characters wide."""
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = resignation(hr)
    to_decision(hr, case)
    opinion = "同意" + "按规定办理交接手续。" * 190
    complete(leader, case["id"], "street_decision", {"decision": "approve", "comment": opinion})
    response = hr.get(f"/api/v1/instances/{case['id']}/form.pdf")
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) <= 2, len(reader.pages)
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
    assert "意见：同意按规定办理交接手续。" in text and text.count("按规定办理交接手续。") >= 185  # a page break may cut one
