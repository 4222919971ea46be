"""The inbox: my street's work only, split by who holds it, overdue first, claim and unclaim."""

import re

from tests.web.pagetools import task_id_of


def test_pages_need_a_login_and_return_to_the_page_asked_for(browser_as):
    anonymous = browser_as()
    response = anonymous.get("/inbox?box=open")
    assert response.status_code == 302 and "/login?next=/inbox?box%3Dopen" in response.location
    login = anonymous.html(response.location)
    assert "请先登录" in login and 'name="next" value="/inbox?box=open"' in login
    signed_in = anonymous.post("/login", {"username": "hr_s01", "password": "demo-pass-2026", "next": "/inbox?box=open"})
    assert signed_in.status_code == 302 and signed_in.location == "/inbox?box=open"


def test_an_expired_session_sends_back_to_login_with_a_message_then_back(browser_as, resignation):
    task = task_id_of(resignation())
    hr = browser_as("hr_s01")
    hr.client.delete_cookie("session")  # what the browser does when the session's lifetime is over
    response = hr.get(f"/tasks/{task}")
    assert response.status_code == 302 and f"next=/tasks/{task}" in response.location
    assert "登录已过期，请重新登录" in hr.html(response.location)
    again = hr.post("/login", {"username": "hr_s01", "password": "demo-pass-2026", "next": f"/tasks/{task}"})
    assert again.location == f"/tasks/{task}"


def test_a_post_after_the_session_expired_goes_to_login_not_to_an_error(browser_as, resignation):
    task = task_id_of(resignation())
    hr = browser_as("hr_s01")
    token = hr.token(f"/tasks/{task}")
    hr.client.delete_cookie("session")
    response = hr.client.post(f"/tasks/{task}", data={"csrf_token": token, "decision": "approve"},
                              headers={"Referer": f"http://localhost/tasks/{task}"})
    assert response.status_code == 302 and "/login" in response.location and f"/tasks/{task}" in response.location


def test_a_street_user_sees_only_the_work_of_their_street(browser_as, resignation):
    resignation(1, "S01C01", "RES-IN-S01")
    resignation(4, "S02C01", "RES-IN-S02")
    page = browser_as("hr_s01").html("/inbox?box=open")
    assert "RES-IN-S01" in page and "RES-IN-S02" not in page
    assert re.search(r'待认领 <span class="count">1</span>', page)
    other = browser_as("hr_s02").html("/inbox?box=open")
    assert "RES-IN-S02" in other and "RES-IN-S01" not in other


def test_overdue_work_comes_first_and_stands_out(browser_as, resignation):
    resignation(1, "S01C01", "RES-FRESH")
    resignation(2, "S01C01", "RES-LATE", days_ago=45)  # 李建国: due 30 days after receipt
    page = browser_as("hr_s01").html("/inbox?box=open")
    assert page.index("RES-LATE") < page.index("RES-FRESH")
    late_row = page[page.rindex("<tr", 0, page.index("RES-LATE")):page.index("RES-LATE")]
    assert 'class="overdue"' in late_row
    assert "已超期" in page and "已超期 1" in page


def test_work_due_within_three_days_is_marked(browser_as, resignation):
    resignation(1, "S01C01", "RES-SOON", days_ago=28)
    page = browser_as("hr_s01").html("/inbox?box=open")
    row = page[page.rindex("<tr", 0, page.index("RES-SOON")):]
    assert row.startswith('<tr class="soon"') and "即将到期" in row


def test_search_by_worker_name_or_business_key_and_filter_by_stage(browser_as, resignation):
    resignation(1, "S01C01", "RES-WANG")
    resignation(2, "S01C01", "RES-LI")
    hr = browser_as("hr_s01")
    by_name = hr.html("/inbox?box=open&q=李建")
    assert "RES-LI" in by_name and "RES-WANG" not in by_name
    by_key = hr.html("/inbox?box=open&q=res-wang")
    assert "RES-WANG" in by_key and "RES-LI" not in by_key
    assert "RES-WANG" in hr.html("/inbox?box=open&process=resignation&stage=street_review")
    assert "RES-WANG" not in hr.html("/inbox?box=open&stage=street_decision")
    # the stage filter offers the steps of the user's own roles, not the leader's decision
    stages = re.search(r'<select id="filter-stage".*?</select>', hr.html("/inbox"), re.S).group(0)
    assert 'value="street_review"' in stages and 'value="handover"' in stages
    assert 'value="street_decision"' not in stages


def test_claim_moves_a_task_to_mine_and_unclaim_gives_it_back(browser_as, resignation):
    task = task_id_of(resignation(1, "S01C01", "RES-CLAIM"))
    hr = browser_as("hr_s01")
    claimed = hr.post(f"/inbox/tasks/{task}/claim", {"next": "/inbox?box=open"}, page="/inbox")
    assert claimed.status_code == 302 and claimed.location == "/inbox?box=open"
    mine = hr.html("/inbox?box=mine")
    assert "RES-CLAIM" in mine and "已认领：受理审查" in mine and "取消认领" in mine
    assert re.search(r'我已认领 <span class="count">1</span>', mine)
    hr.post(f"/inbox/tasks/{task}/unclaim", page="/inbox")
    assert "RES-CLAIM" in hr.html("/inbox?box=open")


def test_a_claim_without_csrf_token_is_refused_and_changes_nothing(browser_as, resignation):
    task = task_id_of(resignation(1, "S01C01", "RES-CSRF"))
    hr = browser_as("hr_s01")
    refused = hr.post(f"/inbox/tasks/{task}/claim", token=False)
    assert refused.status_code == 400 and "表单已失效" in refused.get_data(as_text=True)
    assert "RES-CSRF" in hr.html("/inbox?box=open")


def test_a_claim_is_not_possible_with_a_get(browser_as, resignation):
    task = task_id_of(resignation(1, "S01C01"))
    assert browser_as("hr_s01").get(f"/inbox/tasks/{task}/claim").status_code == 405


def test_completed_tasks_are_listed_under_done(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-DONE")
    response = as_user("hr_s01").post(f"/api/v1/tasks/{task_id_of(case)}/complete",
                                      json={"data": {"decision": "approve", "unfinished_business": False}})
    assert response.status_code == 200
    hr = browser_as("hr_s01")
    moved = hr.get("/inbox/done")  # the earlier page of completed tasks is the 已处理 box now
    assert moved.status_code == 302 and moved.location == "/inbox?box=done"
    page = hr.html(moved.location)
    assert "RES-DONE" in page and "受理审查" in page
    assert "RES-DONE" not in browser_as("leader_s01").html("/inbox?box=done")


def test_the_inbox_is_paginated_and_keeps_its_filters(browser_as, resignation, monkeypatch):
    import web.views.inbox as inbox_view

    monkeypatch.setattr(inbox_view, "PER_PAGE", 1)
    resignation(1, "S01C01", "RES-PAGE-A", days_ago=2)
    resignation(2, "S01C01", "RES-PAGE-B", days_ago=1)
    hr = browser_as("hr_s01")
    first = hr.html("/inbox?box=open&process=resignation")
    assert "RES-PAGE-A" in first and "RES-PAGE-B" not in first and "第 1 / 2 页，共 2 条" in first
    next_link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "process=resignation" in next_link and "page=2" in next_link
    assert "RES-PAGE-B" in hr.html(next_link)
