"""Choices offer only what is allowed, links never lead nowhere, notifications tell the truth: the
people pickers (抄送 转办 委派 加签), the start form's choices and warnings, the case page's current
step, and notifications a colleague's work or the case's end has overtaken."""

import json
import re

from sqlalchemy import select

from tests.helpers import complete, open_task, start
from tests.operations.ops_support import REVIEW_OK, add_user
from tests.web.pagetools import task_id_of


def section(page: str, marker: str) -> str:
    """The <details> block of one operation (e.g. id="op-cc")."""
    start = page.index(marker)
    return page[start:page.index("</details>", start)]


def options(block: str) -> dict[str, str]:
    """value → label of every user choice in a picker (options and checkboxes alike)."""
    found = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', block))
    for box_id, value in re.findall(r'<input type="checkbox" id="([^"]+)" name="users" value="([^"]+)">', block):
        found[value] = re.search(rf'<label for="{box_id}">([^<]+)</label>', block).group(1)
    return found


def set_worker_status(app, worker_id: int, status: str) -> None:  # noqa: ANN001
    from engine.models import Worker
    from web.extensions import db

    with app.app_context():
        db.session.get(Worker, worker_id).status = status
        db.session.commit()


def flashes(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', page, re.S)]


# -- people pickers ----------------------------------------------------------------------------------

def test_the_copy_picker_offers_no_one_the_copy_would_refuse(browser_as, resignation):
    case = resignation(1, "S01C01", "RES-CC-PICK")
    hr = browser_as("hr_s01")
    picker = options(section(hr.html(f"/instances/{case['id']}"), 'id="op-cc"'))
    # the community's own worker holds only a personal role: copying to them is refused, so not offered
    assert "worker_s01c01" not in picker
    assert picker["sec_s01c01"] == "阳光社区书记" and picker["civil_d01"] == "区民政局"
    assert "hr_s02" not in picker and "admin" not in picker
    refused = hr.post(f"/instances/{case['id']}/cc", {"users": "worker_s01c01"}, page=f"/instances/{case['id']}")
    assert "抄送对象不在本案件的组织范围内：worker_s01c01 无权查看本案件" in flashes(hr.html(refused.location))  # the server still refuses


def test_delegate_and_add_approver_pickers_offer_only_people_in_the_tasks_scope(browser_as, as_user):
    data = {"worker_id": 2, "borrowing_unit": "第一街道综治中心", "borrowing_unit_level": "street",
            "reason": "网格化治理专项工作", "start_date": "2026-12-01", "end_date": "2027-01-31"}
    case = start(as_user("hr_s01"), "secondment", "S01C01", data, "SEC-DELEGATE-PICK").get_json()
    opinion = open_task(as_user("sec_s01c01"), case["id"], "community_opinion")["id"]  # a task at the community
    secretary = browser_as("sec_s01c01")
    page = secretary.html(f"/tasks/{opinion}")
    delegates, approvers = options(section(page, 'id="op-delegate"')), options(section(page, 'id="op-approvers"'))
    for picker in (delegates, approvers):
        # the community's worker is placed there but only for themselves: both operations refuse them
        assert "worker_s01c01" not in picker and "sec_s01c01" not in picker and "hr_s02" not in picker
        assert picker["hr_s01"] == "第一街道人事" and picker["civil_d01"] == "区民政局"
    refused = secretary.post(f"/tasks/{opinion}/delegate", {"to": "worker_s01c01"}, page=f"/tasks/{opinion}")
    assert any(f.startswith("被委派人不在此任务的组织范围内") for f in flashes(secretary.html(refused.location)))


def test_the_transfer_picker_names_colleagues_with_the_role_by_name(browser_as, resignation, app):
    add_user(app, "hr_s01b", "street_hr", "S01")
    review = task_id_of(resignation(1, "S01C01", "RES-TRANSFER-PICK"))
    hr = browser_as("hr_s01")
    hr.post(f"/inbox/tasks/{review}/claim", page="/inbox")
    picker = options(section(hr.html(f"/tasks/{review}"), 'id="op-transfer"'))
    assert picker == {"hr_s01b": "hr_s01b"}  # the one colleague holding the role; no one else


# -- the start form --------------------------------------------------------------------------------

def test_the_secondment_form_offers_only_the_borrowing_levels_the_rule_allows(browser_as):
    form = browser_as("hr_s01").html("/start/secondment")
    levels = re.findall(r'name="borrowing_unit_level" value="([^"]+)"', form)
    assert levels == ["street"]  # district, city and province units may never borrow (004 art. 24)
    assert 'value="street" checked' in form and "旗县（区）</label>" not in form


def test_the_start_picker_offers_no_worker_out_of_service(browser_as, app):
    set_worker_status(app, 2, "resigned")
    form = browser_as("hr_s01").html("/start/resignation")
    assert '<option value="1">王晓梅（第一街道阳光社区）</option>' in form
    assert 'value="2"' not in form and "李建国" not in form


def test_a_worker_with_an_open_exit_case_is_flagged_before_the_form_is_sent(browser_as, resignation):
    open_case = resignation(2, "S01C01", "RES-OPEN-EXIT")
    hr = browser_as("hr_s01")
    form = hr.html("/start/dismissal")
    warnings = json.loads(re.search(r'<script type="application/json" id="worker-warnings">(.*?)</script>',
                                    form).group(1))
    assert list(warnings) == ["2"]  # only the worker with the open case
    assert warnings["2"].startswith(f"该工作者已有办理中的辞职案件 #{open_case['id']}（业务编号 RES-OPEN-EXIT）")
    assert re.search(r'id="worker-warning"[^>]*hidden', form)  # nobody chosen yet
    # sent anyway with that worker: the warning stands beside the picker and the server refuses as before
    response = hr.post("/start/dismissal", {"worker_id": "2", "grounds": "serious_violation"}, page="/start/dismissal")
    page = response.get_data(as_text=True)
    assert re.search(r'<p class="flash warning worker-warning" id="worker-warning"[^>]*>该工作者已有办理中的辞职案件', page)


def test_a_worker_out_of_service_starting_for_themselves_is_warned(browser_as, app):
    set_worker_status(app, 1, "retired")
    form = browser_as("worker_s01c01").html("/start/resignation")
    assert re.search(r'id="worker-warning"[^>]*>该工作者当前状态为已退休，不能发起此事项<', form)


def test_a_resignation_refused_for_an_open_case_still_says_so(browser_as, resignation):
    resignation(2, "S01C01", "RES-OPEN-TWICE")
    hr = browser_as("hr_s01")
    response = hr.post("/start/resignation", {"worker_id": "2", "reason": "个人原因", "submitted_on": "2026-11-20"},
                       page="/start/resignation")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "已有办理中的辞职" in page
    assert re.search(r'id="worker-warning"[^>]*>该工作者已有办理中的辞职案件', page)


# -- the current step on the case page ---------------------------------------------------------------

def _every_task_link_opens(user, page: str) -> list[str]:  # noqa: ANN001
    links = sorted(set(re.findall(r'href="(/tasks/[0-9a-f-]+)"', page)))
    assert all(user.get(link).status_code == 200 for link in links), links
    return links


def test_the_current_step_is_named_not_linked_for_those_who_cannot_open_it(browser_as, resignation):
    case = resignation(1, "S01C01", "RES-STEP-LINK")
    hr = browser_as("hr_s01")
    assert _every_task_link_opens(hr, hr.html(f"/instances/{case['id']}"))  # the holder gets the link
    hr.post(f"/instances/{case['id']}/cc", {"users": "sec_s01c01"}, page=f"/instances/{case['id']}")
    for viewer in ("civil_d01", "sec_s01c01"):  # the district sees the case; the secretary got a copy
        user = browser_as(viewer)
        page = user.html(f"/instances/{case['id']}")
        current = page[page.index('id="current-title"'):page.index("</section>", page.index('id="current-title"'))]
        assert _every_task_link_opens(user, page) == []
        assert '<span class="step current"' in current and "受理审查" in current
        assert "办理人：第一街道人事" in current and "自 2026-11-25 10:0" in current
    assert browser_as("hr_s02").get(f"/instances/{case['id']}").status_code == 404  # another street: no case


# -- notifications ---------------------------------------------------------------------------------

def bell(page: str) -> int:
    found = re.search(r'<span class="bell-count" id="bell-count">([^<]+)</span>', page)
    return int(found.group(1)) if found else 0


def notice_of(page: str, text: str) -> str:
    for item in re.findall(r'<li class="notification.*?</li>', page, re.S):
        if text in item:
            return item
    raise AssertionError(f"no notice with {text}")


def test_a_task_notice_shows_handled_once_a_colleague_completes_the_task(browser_as, resignation, as_user, app):
    add_user(app, "hr_s01b", "street_hr", "S01")
    case = resignation(1, "S01C01", "RES-NOTICE-DONE")
    colleague = browser_as("hr_s01b")
    assert bell(colleague.html("/inbox")) == 1
    assert "已处理" not in notice_of(colleague.html("/notifications"), "受理审查")
    complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
    page = colleague.html("/notifications")
    notice = notice_of(page, "受理审查")
    assert '<strong class="state">已处理</strong>' in notice and "第一街道人事 已办理此环节" in notice
    assert bell(page) == 0 and 'aria-label="通知（0 条未读）"' in page  # no longer counted as waiting
    assert "受理审查" not in colleague.html("/notifications?unread=1")
    note_id = re.search(r'action="/notifications/(\d+)/open"', notice).group(1)
    opened = colleague.post(f"/notifications/{note_id}/open", page="/notifications")
    assert "查看案件" in notice and opened.location == f"/instances/{case['id']}"  # the case, not the done task


def test_a_notice_of_a_task_a_colleague_claimed_or_of_a_cancelled_case_is_marked_so(browser_as, resignation, app):
    add_user(app, "hr_s01b", "street_hr", "S01")
    case = resignation(1, "S01C01", "RES-NOTICE-VOID")
    review = task_id_of(case)
    browser_as("hr_s01b").post(f"/inbox/tasks/{review}/claim", page="/inbox")
    hr = browser_as("hr_s01")
    notice = notice_of(hr.html("/notifications"), "受理审查")
    assert "已处理" in notice and "此环节现由 hr_s01b 办理" in notice
    note_id = re.search(r'action="/notifications/(\d+)/open"', notice).group(1)
    opened = hr.post(f"/notifications/{note_id}/open", page="/notifications")
    assert opened.location == f"/instances/{case['id']}"  # the case, not a step that is someone else's now
    claimer = browser_as("hr_s01b").html("/notifications")
    assert "已处理" not in notice_of(claimer, "受理审查") and bell(claimer) == 1  # still theirs to do
    hr.post(f"/instances/{case['id']}/cancel", {"reason": "重复登记"}, page=f"/instances/{case['id']}")
    for user in ("hr_s01", "hr_s01b"):
        page = browser_as(user).html("/notifications")
        notice = notice_of(page, "受理审查")
        assert '<strong class="state">已失效</strong>' in notice and "流程已撤销" in notice
        assert bell(page) == 0


def test_the_bell_counts_with_one_query_whatever_the_number_of_notices(browser_as, resignation, app):
    from sqlalchemy import event

    from engine.collab import notifications
    from engine.models import User
    from web.extensions import db

    for worker_id in (1, 2):
        resignation(worker_id, "S01C01", f"RES-COUNT-{worker_id}")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "hr_s01"))
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            count = notifications.to_act_count(db.session, user_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert count >= 2 and len(statements) == 1 and "instances.state" not in statements[0]


def test_a_delegation_notice_is_handled_once_handed_back(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-NOTICE-DELEGATED")
    complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
    decision = open_task(as_user("leader_s01"), case["id"], "street_decision")["id"]
    leader, hr = browser_as("leader_s01"), browser_as("hr_s01")
    leader.post(f"/inbox/tasks/{decision}/claim", page="/inbox")
    leader.post(f"/tasks/{decision}/delegate", {"to": "hr_s01", "comment": "请核实交接清单"}, page=f"/tasks/{decision}")
    assert "已处理" not in notice_of(hr.html("/notifications"), "请核实交接清单")
    hr.post(f"/tasks/{decision}/resolve", {"comment": "清单已核实"}, page=f"/tasks/{decision}")
    notice = notice_of(hr.html("/notifications"), "请核实交接清单")
    assert "已处理" in notice and "委派已交回或已撤销" in notice
    # the leader's own task notice still asks for the decision, now theirs again
    assert "已处理" not in notice_of(leader.html("/notifications"), "街道审批")


# -- the secondment quota on the start form ------------------------------------------------------------

def quota_note(page: str) -> str:
    return re.search(r'<p class="flash warning quota-warning" id="quota-warning"[^>]*>([^<]*)</p>', page).group(1)


def test_the_secondment_form_names_the_secondments_that_fill_the_communitys_places(
        browser_as, secondment, third_worker):
    wang, li = secondment(1), secondment(2)  # both approved: S01C01's two places over Dec and Jan are taken
    hr = browser_as("hr_s01")
    form = hr.html("/start/secondment")
    quota = json.loads(re.search(r'<script type="application/json" id="quota-data">(.*?)</script>', form).group(1))
    assert quota["limit"] == 2 and quota["workers"][str(third_worker)] == "S01C01"
    assert [(e["text"], e["holds"]) for e in quota["communities"]["S01C01"]] == [
        (f"王晓梅（#{wang['id']}，2026-12-01 至 2027-01-31）", True), (f"李建国（#{li['id']}，2026-12-01 至 2027-01-31）", True)]
    # sent anyway over the same period: refused with the rule's words, the field named by its title
    data = {"worker_id": str(third_worker), "borrowing_unit": "第一街道综治中心", "borrowing_unit_level": "street",
            "reason": "网格化治理专项工作", "start_date": "2026-12-10", "end_date": "2027-01-20"}
    page = hr.post("/start/secondment", data, page="/start/secondment").get_data(as_text=True)
    assert "同一社区同一时期被借调不得超过2人，该期间已有2人被借调" in page
    assert 'href="#f-start_date">借调开始日期：该期间借调人数已满' in page
    assert quota_note(page) == ("该社区在此期间的借调名额已满（同一社区同一时期被借调不得超过2人），占用名额的是："
                                f"王晓梅（#{wang['id']}，2026-12-01 至 2027-01-31）、李建国（#{li['id']}，2026-12-01 至 2027-01-31）。"
                                "按此期间提交将被拒绝，请调整借调期间或改选人员。")


def test_requests_still_being_decided_are_named_as_competing_for_the_last_place(browser_as, secondment, third_worker):
    secondment(1)
    li = secondment(2, upto=2)  # 王晓梅 approved; 李建国 waits for 社会工作部
    hr = browser_as("hr_s01")
    data = {"worker_id": str(third_worker), "borrowing_unit": "第一街道综治中心", "borrowing_unit_level": "street",
            "reason": "", "start_date": "2026-12-10", "end_date": "2027-01-20"}  # no reason: the form comes back
    page = hr.post("/start/secondment", data, page="/start/secondment").get_data(as_text=True)
    assert quota_note(page) == (f"该社区在此期间已借调1人，另有借调申请正在审批：李建国（#{li['id']} 审批中，2026-12-01 至 2027-01-31）。"
                                "名额按批准先后计算，这些申请都批准后将超过2人，后批准的将被拒绝。")
    data["reason"] = "网格化治理专项工作"  # a request being decided holds no place (domain: only secondments count)
    assert hr.post("/start/secondment", data, page="/start/secondment").status_code == 302
