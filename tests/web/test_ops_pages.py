"""The approval operations in the browser pages: return, transfer, delegate and hand back, add
approvers and the round's state, withdraw (decision, vote, application), urge, attachments, the
printable form and the path ahead — each allowed where it should be, refused with a message where
not, confirmed, in the trail, and out of reach of another street."""

import re
from io import BytesIO

import pytest
from sqlalchemy import select

from tests.helpers import complete, open_task, said_at_some_minute
from tests.operations.ops_support import REVIEW_OK, add_user, deploy_round, start_round_case
from tests.web.pagetools import task_id_of


def flashes(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', page, re.S)]


def follow(user, response) -> str:  # noqa: ANN001
    """The page a POST redirected to, with its flashed messages."""
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    return user.html(response.location)


def task_status(app, task_id: str) -> tuple[str, str | None]:  # noqa: ANN001
    from engine.models import TaskRow
    from web.extensions import db

    with app.app_context():
        row = db.session.scalar(select(TaskRow).where(TaskRow.id == task_id))
        return row.status, row.assignee


@pytest.fixture
def at_decision(resignation, as_user):  # noqa: ANN001, ANN201
    """A resignation reviewed by hr_s01: (case, decision task id) waiting for the street leader."""

    def make(business_key: str = "RES-OPS") -> tuple[dict, str]:
        case = resignation(1, "S01C01", business_key)
        complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
        return case, open_task(as_user("leader_s01"), case["id"], "street_decision")["id"]

    return make


# -- return (退回) ------------------------------------------------------------------------------------

def test_the_leader_returns_the_decision_to_the_review_with_a_reason(browser_as, at_decision, app):
    case, decision = at_decision("RES-RETURN")
    leader = browser_as("leader_s01")
    page = leader.html(f"/tasks/{decision}")
    assert f'action="/tasks/{decision}/return"' in page
    options = re.search(r'<select id="return-target".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="initiator" data-confirm-label="[^"]+（发起人）">发起人（修改后重新提交） · ', options)
    assert re.search(r'<option value="street_review" selected data-confirm-label="[^"]+（「受理审查」）">受理审查 · ',
                     options)

    refused = leader.post(f"/tasks/{decision}/return", {"target": "street_review", "reason": "  "},
                          page=f"/tasks/{decision}")
    assert refused.location == f"/tasks/{decision}"
    assert "请填写理由" in flashes(follow(leader, refused))
    assert task_status(app, decision)[0] == "open"

    wrong = leader.post(f"/tasks/{decision}/return", {"target": "handover", "reason": "x"}, page=f"/tasks/{decision}")
    assert any(f.startswith("不能退回到该步骤") for f in flashes(follow(leader, wrong)))

    done = leader.post(f"/tasks/{decision}/return", {"target": "street_review", "reason": "请补充交接清单"},
                       page=f"/tasks/{decision}")
    assert done.location == "/inbox"
    assert "已退回：街道审批。案件现在在「受理审查」。" in follow(leader, done)
    trail = leader.html(f"/instances/{case['id']}")
    assert "退回至「受理审查」" in trail and "请补充交接清单" in trail
    trail = trail[trail.index("</header>"):]  # the header names the signed-in account
    assert "第一街道分管领导" in trail and "leader_s01" not in trail  # the trail names people by name


def test_a_case_returned_to_the_initiator_is_corrected_and_submitted_again(browser_as, at_decision, as_user):
    case, decision = at_decision("RES-RESUBMIT")
    leader, hr = browser_as("leader_s01"), browser_as("hr_s01")
    leader.post(f"/tasks/{decision}/return", {"target": "initiator", "reason": "辞职理由写得不清楚"},
                page=f"/tasks/{decision}")
    resubmit = open_task(as_user("hr_s01"), case["id"], "application_received")["id"]
    page = hr.html(f"/tasks/{resubmit}")
    assert said_at_some_minute("案件已由 第一街道分管领导 于 2026-11-25 10:00 退回给您修改，请修改后重新提交。", page)
    assert "辞职理由写得不清楚" in page
    assert ">家庭原因，需回原籍照顾老人</textarea>" in page  # the application as it was, to correct
    assert 'id="ops-title"' not in page and "认领" not in re.sub(r"<aside.*?</aside>", "", page, flags=re.S)
    assert browser_as("leader_s01").get(f"/tasks/{resubmit}").status_code == 404
    sent = hr.post(f"/tasks/{resubmit}", {"worker_id": "1", "reason": "家庭原因：父母年迈需照顾",
                                          "submitted_on": "2026-11-02"}, page=f"/tasks/{resubmit}")
    assert sent.status_code == 302
    assert open_task(as_user("hr_s01"), case["id"], "street_review")
    assert "重新提交" in hr.html(f"/instances/{case['id']}")


def test_return_is_refused_to_other_streets_to_non_holders_and_without_a_token(browser_as, at_decision, app):
    _, decision = at_decision()
    body = {"target": "street_review", "reason": "补充材料"}
    assert browser_as("hr_s02").post(f"/tasks/{decision}/return", body, page="/inbox").status_code == 404
    assert browser_as("hr_s01").post(f"/tasks/{decision}/return", body, page="/inbox").status_code == 404
    assert browser_as("leader_s01").post(f"/tasks/{decision}/return", body, token=False).status_code == 400
    assert browser_as("leader_s01").client.get(f"/tasks/{decision}/return").status_code == 405
    assert task_status(app, decision)[0] == "open"


# -- transfer (转办) and delegate (委派) ---------------------------------------------------------------

def test_no_transfer_offered_when_nobody_else_holds_the_role(browser_as, resignation):
    review = task_id_of(resignation(1, "S01C01", "RES-NO-COLLEAGUE"))
    assert 'id="op-transfer"' not in browser_as("hr_s01").html(f"/tasks/{review}")


def test_a_claimed_review_is_transferred_to_a_colleague_with_the_role(browser_as, resignation, app):
    add_user(app, "hr_s01b", "street_hr", "S01")
    case = resignation(1, "S01C01", "RES-TRANSFER")
    review = task_id_of(case)
    hr = browser_as("hr_s01")
    assert 'id="op-transfer"' in hr.html(f"/tasks/{review}")  # offered before claiming

    hr.post(f"/inbox/tasks/{review}/claim", page="/inbox")
    page = hr.html(f"/tasks/{review}")
    options = re.search(r'<select id="transfer-to".*?</select>', page, re.S).group(0)
    assert 'value="hr_s01b"' in options and "hr_s02" not in options and "leader_s01" not in options
    not_eligible = hr.post(f"/tasks/{review}/transfer", {"to": "leader_s01"}, page=f"/tasks/{review}")
    assert any("接收人没有该任务的角色" in f for f in flashes(follow(hr, not_eligible)))

    done = hr.post(f"/tasks/{review}/transfer", {"to": "hr_s01b", "comment": "本人出差"}, page=f"/tasks/{review}")
    assert "已将「受理审查」转办给 hr_s01b。" in follow(hr, done)
    assert task_status(app, review) == ("open", "hr_s01b")
    colleague = browser_as("hr_s01b")
    assert "RES-TRANSFER" in colleague.html("/inbox?box=mine")
    trail = colleague.html(f"/instances/{case['id']}")
    assert "转办给 第一街道人事" not in trail and "转办给 hr_s01b" in trail and "本人出差" in trail
    assert browser_as("hr_s02").post(f"/tasks/{review}/transfer", {"to": "hr_s01"}, page="/inbox").status_code == 404


def test_a_delegated_decision_is_worked_by_the_delegate_and_comes_back(browser_as, at_decision, app):
    case, decision = at_decision("RES-DELEGATE")
    leader, hr = browser_as("leader_s01"), browser_as("hr_s01")
    options = re.search(r'<select id="delegate-to".*?</select>', leader.html(f"/tasks/{decision}"), re.S).group(0)
    assert 'value="hr_s01"' in options and 'value="civil_d01"' in options and "hr_s02" not in options
    outside = leader.post(f"/tasks/{decision}/delegate", {"to": "hr_s02"}, page=f"/tasks/{decision}")
    assert any("不在此任务的组织范围内" in f for f in flashes(follow(leader, outside)))

    done = leader.post(f"/tasks/{decision}/delegate", {"to": "hr_s01", "comment": "请核实交接清单"},
                       page=f"/tasks/{decision}")
    assert "已委派 第一街道人事 办理「街道审批」；交回后由您决定。" in follow(leader, done)
    waiting = leader.html(f"/tasks/{decision}")
    assert "此任务已委派给 第一街道人事 办理，交回后再由您决定。" in waiting and 'class="task-submit"' not in waiting

    assert "RES-DELEGATE" in hr.html("/inbox?box=mine") and "RES-DELEGATE" not in hr.html("/inbox?box=others")
    page = hr.html(f"/tasks/{decision}")
    assert "委派您办理此任务" in page and "请核实交接清单" in page and f'action="/tasks/{decision}/resolve"' in page
    empty = hr.post(f"/tasks/{decision}/resolve", {"comment": " "}, page=f"/tasks/{decision}")
    assert "请填写理由" in flashes(follow(hr, empty))
    back = hr.post(f"/tasks/{decision}/resolve", {"comment": "清单已核实"}, page=f"/tasks/{decision}")
    assert "已办理并交回 第一街道分管领导：街道审批。" in follow(hr, back)
    assert "第一街道人事 已办理您委派的「街道审批」：清单已核实" in leader.html("/notifications")  # the bell, by name
    assert 'class="task-submit"' in leader.html(f"/tasks/{decision}")
    trail = leader.html(f"/instances/{case['id']}")
    assert "委派给 第一街道人事" in trail and "办理完毕，交回 第一街道分管领导" in trail and "清单已核实" in trail
    assert browser_as("leader_s02").post(f"/tasks/{decision}/resolve", {"comment": "x"},
                                         page="/inbox").status_code == 404


# -- add approvers (加签), the round, withdrawing a vote ---------------------------------------------

def test_an_added_approver_decides_first_and_the_round_shows_who_voted_what(browser_as, at_decision):
    case, decision = at_decision("RES-ADD")
    leader, civil = browser_as("leader_s01"), browser_as("civil_d01")
    no_position = leader.post(f"/tasks/{decision}/approvers", {"users": "civil_d01"}, page=f"/tasks/{decision}")
    assert "请选择加签位置（之前或之后）。" in flashes(follow(leader, no_position))
    outside = leader.post(f"/tasks/{decision}/approvers", {"users": "hr_s02", "position": "before"},
                          page=f"/tasks/{decision}")
    assert any("加签人不在此任务的组织范围内" in f for f in flashes(follow(leader, outside)))

    added = leader.post(f"/tasks/{decision}/approvers", {"users": "civil_d01", "position": "before",
                                                         "comment": "请区民政局先审核"}, page=f"/tasks/{decision}")
    page = follow(leader, added)
    assert "已加签（前加签）：区民政局。" in page and "会签情况" in page
    assert "等待加签人先审批" in page or "还未轮到您审批" in page
    assert 'class="task-submit"' not in page

    civil_page = civil.html(f"/tasks/{decision}")
    assert 'class="task-submit"' in civil_page and "待审批" in civil_page
    voted = civil.post(f"/tasks/{decision}", {"decision": "approve", "comment": "区里无异议"}, page=f"/tasks/{decision}")
    assert voted.status_code == 302
    round_table = re.search(r'<table class="list votes">.*?</table>', leader.html(f"/tasks/{decision}"), re.S).group(0)
    assert "区民政局" in round_table and "同意" in round_table and "区里无异议" in round_table
    assert "区民政局" in leader.html(f"/instances/{case['id']}")


def test_a_countersigner_withdraws_their_vote_while_the_round_is_open(browser_as, app, as_user):
    add_user(app, "leader_s01b", "street_leader", "S01")
    deploy_round(app, "opspage", mode="all")
    case = start_round_case(as_user("hr_s01"), "opspage")
    task = open_task(as_user("leader_s01"), case["id"], "countersign")["id"]
    leader = browser_as("leader_s01")
    page = leader.html(f"/tasks/{task}")
    assert "会签（全部同意）" in page and page.count('class="vote pending"') == 2
    assert 'id="op-delegate"' not in page  # no delegation inside a round
    leader.post(f"/tasks/{task}", {"decision": "approve", "comment": "同意"}, page=f"/tasks/{task}")
    page = leader.html(f"/tasks/{task}")
    assert "您已对本步骤作出决定" in page and "撤回我的意见" in page and 'class="vote approved"' in page
    back = leader.post(f"/tasks/{task}/withdraw", {"reason": "再斟酌"}, page=f"/tasks/{task}")
    page = follow(leader, back)
    assert "已撤回您的意见。" in page and page.count('class="vote pending"') == 2
    assert "撤回意见" in leader.html(f"/instances/{case['id']}")


# -- withdraw (撤回) -------------------------------------------------------------------------------

def test_the_reviewer_withdraws_a_decision_until_the_next_step_is_touched(browser_as, resignation, app):
    case = resignation(1, "S01C01", "RES-WD")
    review = task_id_of(case)
    hr = browser_as("hr_s01")
    hr.post(f"/tasks/{review}", {"decision": "approve", "comment": "材料齐全"}, page=f"/tasks/{review}")
    assert "撤回我的决定" in hr.html(f"/tasks/{review}")
    assert "撤回我的决定" not in browser_as("leader_s01").html(f"/tasks/{review}")
    done = hr.post(f"/tasks/{review}/withdraw", {"reason": "漏看一项"}, page=f"/tasks/{review}")
    assert "已撤回您的决定：受理审查，可重新办理。" in follow(hr, done)
    assert task_status(app, review) == ("open", "hr_s01")

    hr.post(f"/tasks/{review}", {"decision": "approve", "comment": "已补看"}, page=f"/tasks/{review}")
    decision = re.search(r'/tasks/([0-9a-f-]{36})', browser_as("leader_s01").html("/inbox?box=open")).group(1)
    browser_as("leader_s01").post(f"/inbox/tasks/{decision}/claim", page="/inbox")
    assert "撤回我的决定" not in hr.html(f"/tasks/{review}")  # no longer offered once the next step is claimed
    late = hr.post(f"/tasks/{review}/withdraw", {}, page=f"/tasks/{review}")
    assert "下一步已有人处理，不能撤回" in flashes(follow(hr, late))
    trail = hr.html(f"/instances/{case['id']}")
    assert "撤回决定" in trail and "漏看一项" in trail


def test_the_initiator_withdraws_an_application_nobody_has_decided(browser_as, resignation, app):
    case = resignation(1, "S01C01", "RES-WITHDRAW")
    url = f"/instances/{case['id']}"
    hr, leader = browser_as("hr_s01"), browser_as("leader_s01")
    assert "撤回我的申请" in hr.html(url) and "撤回我的申请" not in leader.html(url)
    not_mine = leader.post(f"{url}/withdraw", {"reason": "x"}, page=url)
    assert "只有发起人可以撤回案件" in flashes(follow(leader, not_mine))
    assert browser_as("hr_s02").post(f"{url}/withdraw", {}, page="/inbox").status_code == 404
    assert hr.post(f"{url}/withdraw", {}, token=False).status_code == 400
    page = follow(hr, hr.post(f"{url}/withdraw", {"reason": "本人决定继续工作"}, page=url))
    assert "申请已撤回，流程结束。" in page and "已撤回" in page and "本人决定继续工作" in page
    assert "撤回我的申请" not in page


def test_an_application_someone_decided_on_cannot_be_withdrawn(browser_as, at_decision):
    case, _ = at_decision("RES-LATE")
    hr = browser_as("hr_s01")
    url = f"/instances/{case['id']}"
    assert "撤回我的申请" not in hr.html(url)  # not offered once the review is decided
    refused = hr.post(f"{url}/withdraw", {}, page=url)
    assert "已有人处理此案件，不能撤回" in flashes(follow(hr, refused))


# -- urge (催办) ------------------------------------------------------------------------------------

def test_the_initiator_urges_the_waiting_decision_once_in_four_hours(browser_as, at_decision):
    case, decision = at_decision("RES-URGE")
    hr, leader = browser_as("hr_s01"), browser_as("leader_s01")
    url = f"/instances/{case['id']}"
    page = hr.html(url)
    assert f'action="/tasks/{decision}/urge"' in page
    assert f'action="/tasks/{decision}/urge"' not in leader.html(url)  # the leader works it instead
    done = hr.post(f"/tasks/{decision}/urge", {"message": "请尽快审批", "next": url}, page=url)
    assert done.location == url
    assert "已催办「街道审批」，办理人会收到通知。" in follow(hr, done)
    again = follow(hr, hr.post(f"/tasks/{decision}/urge", {"next": url}, page=url))
    assert any(f.startswith("操作过于频繁：4 小时内已催办过此任务") and "分钟后可再试" in f for f in flashes(again))
    assert "请尽快审批" in leader.html("/notifications")
    assert browser_as("hr_s02").post(f"/tasks/{decision}/urge", {}, page="/inbox").status_code == 404


# -- attachments (附件), the approval form (审批表), the path ahead (预计流程) ---------------------------

def test_a_file_is_uploaded_cited_in_the_decision_and_downloaded_in_scope(browser_as, resignation):
    case = resignation(1, "S01C01", "RES-FILE")
    review = task_id_of(case)
    hr = browser_as("hr_s01")
    upload = hr.post(f"/instances/{case['id']}/attachments",
                     {"file": (BytesIO("交接清单：已核对".encode()), "交接清单.txt", "text/plain"),
                      "next": f"/tasks/{review}"}, page=f"/tasks/{review}")
    assert upload.location == f"/tasks/{review}"
    page = follow(hr, upload)
    assert "已上传附件：交接清单.txt。" in page
    file_id = re.search(r'href="/attachments/(\d+)">交接清单.txt', page).group(1)
    assert f'name="cite" value="{file_id}"' in page

    bad = hr.post(f"/instances/{case['id']}/attachments",
                  {"file": (BytesIO(b"MZ\x90\x00"), "tool.exe", "application/octet-stream")}, page=f"/tasks/{review}")
    assert any(f.startswith("不支持的文件类型") for f in flashes(follow(hr, bad)))
    empty = hr.post(f"/instances/{case['id']}/attachments", {}, page=f"/tasks/{review}")
    assert "请选择要上传的文件。" in flashes(follow(hr, empty))

    submitted = hr.post(f"/tasks/{review}", {"decision": "approve", "comment": "见附件", "cite": file_id},
                        page=f"/tasks/{review}")
    assert submitted.status_code == 302
    trail = hr.html(f"/instances/{case['id']}")
    assert f'href="/attachments/{file_id}">交接清单.txt</a>' in trail and "已引用" in trail
    download = hr.get(f"/attachments/{file_id}")
    assert download.status_code == 200 and download.get_data().decode() == "交接清单：已核对"
    assert "attachment;" in download.headers["Content-Disposition"]
    assert browser_as("hr_s02").get(f"/attachments/{file_id}").status_code == 404
    stranger = browser_as("hr_s02").post(f"/instances/{case['id']}/attachments",
                                         {"file": (BytesIO(b"x"), "a.txt", "text/plain")}, page="/inbox")
    assert stranger.status_code == 404


def test_a_file_over_the_request_limit_is_refused_with_a_message(browser_as, resignation):
    case = resignation(1, "S01C01")
    url = f"/instances/{case['id']}"
    hr = browser_as("hr_s01")
    big = hr.post(f"{url}/attachments", {"file": (BytesIO(b"a" * (4 * 1024 * 1024 + 10)), "big.txt", "text/plain")},
                  page=url, headers={"Referer": f"http://localhost{url}"})
    assert big.status_code == 302
    assert "文件太大，不能上传（每个请求不超过 4 MB）。" in flashes(hr.html(big.location))


def test_the_approval_form_is_printed_for_the_case_in_scope_only(browser_as, at_decision):
    case, _ = at_decision("RES-PRINT")
    hr = browser_as("hr_s01")
    assert f'href="/instances/{case["id"]}/form.pdf"' in hr.html(f"/instances/{case['id']}")
    response = hr.get(f"/instances/{case['id']}/form.pdf")
    if response.status_code == 503:  # a host without Pango says so on a page
        assert "PDF" in response.get_data(as_text=True)
    else:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.get_data()[:5] == b"%PDF-" and "inline;" in response.headers["Content-Disposition"]
    assert browser_as("hr_s02").get(f"/instances/{case['id']}/form.pdf").status_code == 404


def test_the_case_page_shows_the_steps_ahead_and_who_would_act(browser_as, resignation):
    case = resignation(1, "S01C01", "RES-PATH")
    page = browser_as("hr_s01").html(f"/instances/{case['id']}")
    panel = re.search(r'<section class="card path".*?</section>', page, re.S).group(0)
    assert "预计流程" in panel and "受理审查" in panel and "街道审批" in panel
    assert "街道领导 · 示范区第一街道：第一街道分管领导" in panel and "当前：<span class=\"step current\">受理审查" in panel
