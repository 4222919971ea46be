"""The task page: the form from its schema, errors beside fields with values kept, 404 outside the
street, 409 when someone else finished first, and the case beside the form."""

import re

from sqlalchemy import select

from tests.web.pagetools import task_id_of


def _field_error(page: str, name: str) -> str:
    match = re.search(rf'id="f-{name}-error">([^<]*)<', page)
    return match.group(1) if match else ""


def test_the_review_form_is_rendered_from_its_schema_with_chinese_labels(browser_as, resignation):
    task = task_id_of(resignation(1, "S01C01", "RES-FORM"))
    page = browser_as("hr_s01").html(f"/tasks/{task}")
    assert "<h1>受理审查</h1>" in page
    assert '<legend>审查意见<span class="req"' in page  # required mark
    assert 'type="radio" id="f-decision-0" name="decision" value="approve"' in page
    assert '<label for="f-decision-0">提请确认离职</label>' in page
    assert 'type="checkbox" id="f-unfinished_business" name="unfinished_business"' in page
    assert '<textarea id="f-comment" name="comment"' in page
    assert "审查情况和理由；提请暂缓或有重要公务未办结时必填。" in page  # help text
    # the case beside the form: the worker and the application
    assert "王晓梅" in page and "家庭原因，需回原籍照顾老人" in page and "收到申请日期" in page
    # the diagram with this step current, from a scoped route
    assert 'data-current="[&#34;street_review&#34;]"' in page
    assert re.search(r'data-bpmn-url="/instances/\d+/diagram.bpmn"', page)


def test_an_empty_submission_shows_errors_beside_fields_and_keeps_what_was_typed(browser_as, resignation):
    task = task_id_of(resignation(1, "S01C01"))
    hr = browser_as("hr_s01")
    response = hr.post(f"/tasks/{task}", {"comment": "仍在核实交接清单"}, page=f"/tasks/{task}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200  # the form again, not a browser error
    assert _field_error(page, "decision") == "请从列表中选择一项"
    assert "请修改以下 1 处后再提交" in page and 'href="#f-decision-0">审查意见：请从列表中选择一项' in page
    assert ">仍在核实交接清单</textarea>" in page
    assert "RES" not in _field_error(page, "comment")


def test_deferring_without_a_comment_names_the_comment_and_keeps_the_choice(browser_as, resignation):
    task = task_id_of(resignation(1, "S01C01"))
    response = browser_as("hr_s01").post(f"/tasks/{task}", {"decision": "defer", "unfinished_business": "true"},
                                         page=f"/tasks/{task}")
    page = response.get_data(as_text=True)
    assert _field_error(page, "comment") == "必填"
    assert 'value="defer" checked' in page
    assert 'name="unfinished_business" value="true" checked' in page


def test_a_valid_submission_completes_the_task_and_returns_to_the_inbox(browser_as, resignation):
    case = resignation(1, "S01C01", "RES-OK")
    hr = browser_as("hr_s01")
    task = task_id_of(case)
    response = hr.post(f"/tasks/{task}", {"decision": "approve", "comment": "材料齐全"}, page=f"/tasks/{task}")
    assert response.status_code == 302 and response.location == "/inbox"
    inbox = hr.html("/inbox")
    assert "已提交：受理审查。" in inbox and f'href="/instances/{case["id"]}">查看流程进度' in inbox
    instance = hr.html(f"/instances/{case['id']}")
    assert "街道审批" in instance and "材料齐全" in instance
    # the leader now has the decision, with the review's comment in the context panel
    leader = browser_as("leader_s01")
    decision = re.search(r'/tasks/([0-9a-f-]{36})', leader.html("/inbox?box=open")).group(1)
    page = leader.html(f"/tasks/{decision}")
    assert "<h1>街道审批</h1>" in page and "材料齐全" in page and "受理审查" in page


def test_a_task_of_another_street_is_not_found(browser_as, resignation):
    case = resignation(1, "S01C01", "RES-SCOPE")
    task = task_id_of(case)
    other = browser_as("hr_s02")
    response = other.get(f"/tasks/{task}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "未找到" in page and "RES-SCOPE" not in page and "王晓梅" not in page
    assert other.post(f"/tasks/{task}", {"decision": "approve"}, page="/inbox").status_code == 404
    assert other.get(f"/instances/{case['id']}").status_code == 404
    assert other.get(f"/instances/{case['id']}/diagram.bpmn").status_code == 404
    assert other.get("/tasks/not-a-task").status_code == 404


def test_the_denial_of_another_streets_task_is_logged(browser_as, resignation, caplog):
    task = task_id_of(resignation(1, "S01C01"))
    with caplog.at_level("INFO", logger="cwflow.web"):
        browser_as("hr_s02").get(f"/tasks/{task}")
    assert any(f"/tasks/{task}" in record.getMessage() for record in caplog.records)


def test_a_task_someone_else_completed_meanwhile_says_so(browser_as, resignation, app):
    from cli.demo import ensure_user
    from engine.models import OrgUnit
    from web.extensions import db

    with app.app_context():
        assert db.session.get(OrgUnit, "S01") is not None
        ensure_user(db.session, "hr_s01_b", "第一街道人事乙", "demo-pass-2026", [("street_hr", "S01")])
        db.session.commit()
    task = task_id_of(resignation(1, "S01C01"))
    first, second = browser_as("hr_s01"), browser_as("hr_s01_b")
    late_token = second.token(f"/tasks/{task}")  # the second officer has the form open
    assert first.post(f"/tasks/{task}", {"decision": "approve"}, page=f"/tasks/{task}").status_code == 302
    response = second.client.post(f"/tasks/{task}", data={"csrf_token": late_token, "decision": "reject",
                                                          "comment": "不同意"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "此任务已由 第一街道人事 于" in page and "办理完毕，您填写的内容没有提交" in page


def test_a_task_claimed_by_a_colleague_is_shown_but_not_editable(browser_as, resignation, app):
    from cli.demo import ensure_user
    from web.extensions import db

    with app.app_context():
        ensure_user(db.session, "hr_s01_c", "第一街道人事丙", "demo-pass-2026", [("street_hr", "S01")])
        db.session.commit()
    task = task_id_of(resignation(1, "S01C01"))
    owner = browser_as("hr_s01")
    owner.post(f"/inbox/tasks/{task}/claim", page="/inbox")
    page = browser_as("hr_s01_c").html(f"/tasks/{task}")
    assert "此任务已由 第一街道人事 认领" in page and 'name="decision" value="approve" disabled' in page


def test_a_task_without_csrf_token_is_not_completed(browser_as, resignation, app):
    from engine.models import TaskRow
    from web.extensions import db

    task = task_id_of(resignation(1, "S01C01"))
    response = browser_as("hr_s01").post(f"/tasks/{task}", {"decision": "approve"}, token=False)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(TaskRow.status).where(TaskRow.id == task)) == "open"


def test_a_completed_task_shows_who_did_it_and_what_was_submitted(browser_as, resignation):
    task = task_id_of(resignation(1, "S01C01"))
    hr = browser_as("hr_s01")
    hr.post(f"/tasks/{task}", {"decision": "approve", "comment": "同意辞职"}, page=f"/tasks/{task}")
    page = hr.html(f"/tasks/{task}")
    assert "此任务已由 第一街道人事 于" in page and "同意辞职" in page and 'name="decision"' not in page


def test_a_quota_refusal_at_an_approval_names_the_start_date_in_words_and_says_what_to_do(
        browser_as, secondment, third_worker, as_user):
    from tests.helpers import complete

    secondment(1)  # 王晓梅 holds one of S01C01's two places over December and January
    li, zhou = secondment(2, upto=2), secondment(third_worker, upto=2)  # both wait for 社会工作部
    complete(as_user("swd_d01"), li["id"], "swd_approval", {"decision": "approve", "comment": "同意"})
    task = task_id_of(as_user("swd_d01").get(f"/api/v1/instances/{zhou['id']}").get_json())
    response = browser_as("swd_d01").post(f"/tasks/{task}", {"decision": "approve", "comment": "同意"},
                                          page=f"/tasks/{task}")
    page = response.get_data(as_text=True)
    summary = page[page.index('id="error-summary"'):page.index("</div>", page.index('id="error-summary"'))]
    text = re.sub(r"<[^>]+>", "", summary)
    assert "同一社区同一时期被借调不得超过2人" in page  # the rule's own message in the banner
    assert "借调开始日期：该期间借调人数已满" in text and "start_date" not in text
    assert "无法提交：以下内容不在本环节的表单上，无法在此修改" in text
    assert "请修改以下" not in text  # nothing on this form to correct
    # what the approver can do instead: the diagram sends 社会工作部审批 back only to the street's step
    assert "可选择“不批准”，或退回“街道审核”。" in text
    assert as_user("swd_d01").get(f"/api/v1/instances/{zhou['id']}").get_json()["open_tasks"][0]["name"] == "swd_approval"
