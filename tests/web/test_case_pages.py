"""Starting cases, the instance list and page (trail, diagram marks, cancel), worker records."""

import re

from tests.helpers import complete
from tests.web.pagetools import task_id_of


def test_the_start_page_lists_what_the_roles_may_start(browser_as):
    hr = browser_as("hr_s01").html("/start")
    assert "辞职审批" in hr and 'href="/start/resignation"' in hr
    worker = browser_as("worker_s01c01").html("/start")
    assert 'href="/start/resignation"' in worker


def test_a_worker_starts_their_own_resignation_from_the_prefilled_form(browser_as):
    worker = browser_as("worker_s01c01")
    form = worker.html("/start/resignation")
    assert re.search(r'<option value="1" selected>王晓梅（第一街道阳光社区）</option>', form)
    assert "李建国" not in form  # a worker names only themselves
    response = worker.post("/start/resignation", {"worker_id": "1", "reason": "个人原因", "submitted_on": "2026-11-20"},
                           page="/start/resignation")
    assert response.status_code == 302 and re.fullmatch(r"/instances/\d+", response.location)
    page = worker.html(response.location)
    assert "已发起：辞职审批。" in page and "受理审查" in page


def test_street_hr_starts_a_case_and_the_org_defaults_to_the_workers_community(browser_as):
    hr = browser_as("hr_s01")
    form = hr.html("/start/resignation")
    assert '<label for="f-worker_id">人员<span class="req"' in form and "李建国（第一街道阳光社区）" in form
    assert "赵强" not in form  # another street's worker is not offered
    response = hr.post("/start/resignation", {"worker_id": "2", "reason": "家庭原因", "submitted_on": "2026-11-20",
                                              "business_key": "RES-WEB-START"}, page="/start/resignation")
    assert response.status_code == 302
    page = hr.html(response.location)
    assert "RES-WEB-START" in page and "第一街道阳光社区" in page


def test_a_start_refused_by_a_rule_says_why_beside_the_field(browser_as):
    hr = browser_as("hr_s01")
    response = hr.post("/start/resignation", {"worker_id": "3", "reason": "个人原因", "submitted_on": "2026-11-20"},
                       page="/start/resignation")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "正在接受审计，依规定不得辞职" in page
    assert 'id="f-worker_id-error">正在接受审计<' in page
    assert ">个人原因</textarea>" in page and 'value="2026-11-20"' in page


def test_an_empty_start_form_names_every_missing_field(browser_as):
    page = browser_as("hr_s01").post("/start/resignation", {}, page="/start/resignation").get_data(as_text=True)
    for field in ("worker_id", "reason", "submitted_on"):
        assert f'id="f-{field}-error">必填<' in page
    assert 'id="f-org-error">请选择组织单位<' in page


def test_a_process_the_user_may_not_start_is_not_found(browser_as):
    assert browser_as("worker_s01c01").get("/start/dismissal").status_code == 404


def test_the_instance_list_searches_in_scope(browser_as, resignation):
    resignation(1, "S01C01", "RES-LIST-1")
    resignation(4, "S02C01", "RES-LIST-2")
    hr = browser_as("hr_s01")
    page = hr.html("/instances")
    assert "RES-LIST-1" in page and "RES-LIST-2" not in page and "受理审查" in page
    assert "RES-LIST-1" in hr.html("/instances?key=resignation&status=running&q=list-1&org=S01C01")
    assert "RES-LIST-1" not in hr.html("/instances?status=completed")
    assert "RES-LIST-1" not in hr.html("/instances?from=2000-01-01&to=2000-01-02")
    assert "RES-LIST-2" in browser_as("civil_d01").html("/instances")  # a district role sees both streets


def test_the_instance_page_marks_the_path_and_shows_the_trail(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-TRAIL")
    as_user("hr_s01").post(f"/api/v1/tasks/{task_id_of(case)}/complete",
                           json={"data": {"decision": "approve", "unfinished_business": False, "comment": "核实无误"}})
    page = browser_as("leader_s01").html(f"/instances/{case['id']}")
    assert "办理中" in page and "发起流程" in page and "核实无误" in page
    current = re.search(r'data-current="([^"]*)"', page).group(1)
    done = re.search(r'data-done="([^"]*)"', page).group(1)
    assert "street_decision" in current
    assert "street_review" in done and "application_received" in done and "compute_deadlines" in done


def test_cancel_needs_a_reason_and_is_then_in_the_trail(browser_as, resignation):
    case = resignation(1, "S01C01", "RES-CANCEL")
    leader = browser_as("leader_s01")
    url = f"/instances/{case['id']}"
    refused = leader.post(f"{url}/cancel", {"reason": "  "}, page=url)
    assert refused.status_code == 200 and 'id="cancel-reason-error">必填<' in refused.get_data(as_text=True)
    done = leader.post(f"{url}/cancel", {"reason": "申请人撤回申请"}, page=url)
    assert done.status_code == 302
    page = leader.html(url)
    assert "流程已撤销。" in page and "已撤销" in page and "申请人撤回申请" in page and "撤销此流程" not in page


def test_cancel_is_offered_only_to_those_allowed(browser_as, resignation):
    case = resignation(1, "S01C01", user="hr_s01")
    assert "撤销此流程" in browser_as("leader_s01").html(f"/instances/{case['id']}")
    secretary = browser_as("sec_s01c01")
    assert "撤销此流程" not in secretary.html(f"/instances/{case['id']}")
    refused = secretary.post(f"/instances/{case['id']}/cancel", {"reason": "重复申请"}, page="/inbox")
    assert refused.status_code == 302
    page = secretary.html(refused.location)
    assert "您不能撤销此流程" in page and "办理中" in page


def test_the_worker_page_shows_the_record_its_history_and_its_cases(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-WORKER")
    as_user("hr_s01").patch("/api/v1/workers/1", json={"flags": {"is_elected": True}, "reason": "当选居委会委员"})
    page = browser_as("hr_s01").html("/workers/1")
    assert "王晓梅" in page and "在岗" in page and "本科" in page
    assert "两委成员（选任）" in page and "当选居委会委员" in page  # history with its reason
    assert f'href="/instances/{case["id"]}"' in page and "受理审查" in page


def test_the_worker_page_names_the_key_of_the_contract_a_change_touched(browser_as, as_user):
    as_user("hr_s01").patch("/api/v1/workers/1", json={"contract": {"end": "2027-12-31"}, "reason": "续签"})
    page = browser_as("hr_s01").html("/workers/1")
    assert "合同·终止日" in page and "2027-12-31" in page


def test_the_worker_list_filters_and_another_streets_worker_is_not_found(browser_as):
    hr = browser_as("hr_s01")
    page = hr.html("/workers")
    assert "王晓梅" in page and "赵强" not in page
    assert "张丽" in hr.html("/workers?q=张") and "王晓梅" not in hr.html("/workers?q=张")
    resigned = hr.html("/workers?status=resigned&q=王")
    assert "王晓梅" not in resigned
    # the filters keep what was asked for
    assert '<option value="resigned" selected>' in resigned and 'id="filter-q" name="q" type="search" value="王"' in resigned
    assert hr.get("/workers/4").status_code == 404


def test_the_case_page_links_a_current_step_only_for_those_who_may_work_it(browser_as, resignation):
    case = resignation()
    hr_page = browser_as("hr_s01").html(f"/instances/{case['id']}")
    leader_page = browser_as("leader_s01").html(f"/instances/{case['id']}")
    links = re.findall(r'href="(/tasks/[0-9a-f-]+)"', hr_page)
    assert links and "受理审查" in leader_page
    assert not any(f'href="{link}"' in leader_page for link in links)  # the step, not a link to a 404
    assert browser_as("leader_s01").get(links[0]).status_code == 404


def test_the_case_header_names_the_initiator_by_name(browser_as, resignation):
    case = resignation()
    page = browser_as("leader_s01").html(f"/instances/{case['id']}")
    assert "发起人：第一街道人事" in page and "发起人：hr_s01" not in page


def test_a_deferred_resignation_says_so_on_its_page(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-DEFER")
    complete(as_user("hr_s01"), case["id"], "street_review",
             {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"})
    complete(as_user("leader_s01"), case["id"], "street_decision", {"decision": "defer", "comment": "低保年审须本人办结"})
    page = browser_as("hr_s01").html(f"/instances/{case['id']}")
    assert "暂缓" in page and "重要公务尚未处理完毕" in page
    as_user("hr_s01").patch("/api/v1/workers/1", json={"flags": {"unfinished_business": False}})
    assert "重要公务尚未处理完毕" not in browser_as("hr_s01").html(f"/instances/{case['id']}")


def test_a_resignation_handed_over_before_its_leaving_date_shows_the_date_on_its_page(browser_as, resignation,
                                                                                     as_user):
    case = resignation(1, "S01C01", "RES-LEAVING")
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    complete(hr, case["id"], "street_review", {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"})
    complete(leader, case["id"], "street_decision", {"decision": "approve", "leaving_on": "2026-12-25"})
    complete(hr, case["id"], "handover", {"handover_confirmed": True, "handed_over_to": "赵敏", "audit_required": False})
    page = browser_as("hr_s01").html(f"/instances/{case['id']}")
    assert "待离职日生效" in page and "将于 2026-12-25 离职" in page
