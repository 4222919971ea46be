"""退回 goes back only: a step may be sent to a step that lies before it on the way the case came to it
(and to the initiator), never to itself and never to a step after it, even when the case has already
been round the loop once; and whoever did a step that was later sent back keeps it in their 已处理."""

import re

from tests.helpers import complete, open_task
from tests.operations.ops_support import REVIEW_OK, deploy_round, start_round_case
from tests.web.test_inbox_boxes import row_of, tab_count, table_of
from tests.web.test_ops_pages import at_decision, follow  # noqa: F401


def return_options(page: str) -> list[str]:
    select = re.search(r'<select id="return-target".*?</select>', page, re.S)
    return re.findall(r'<option value="([^"]+)"', select.group(0)) if select else []


def returned_to_review(browser_as, at_decision, as_user, key: str) -> tuple[dict, str]:  # noqa: ANN001, F811
    """The leader sent the decision back to the review: (case, the review's open task id)."""
    case, decision = at_decision(key)
    leader = browser_as("leader_s01")
    done = leader.post(f"/tasks/{decision}/return", {"target": "street_review", "reason": "请补充交接清单"},
                       page=f"/tasks/{decision}")
    assert "案件现在在「受理审查」" in follow(leader, done)
    return case, open_task(as_user("hr_s01"), case["id"], "street_review")["id"]


def test_a_returned_review_offers_neither_itself_nor_the_later_decision(browser_as, at_decision, as_user):  # noqa: F811
    case, review = returned_to_review(browser_as, at_decision, as_user, "RES-BACK-ONLY")
    page = browser_as("hr_s01").html(f"/tasks/{review}")
    offered = return_options(page)
    assert "street_decision" not in offered and "street_review" not in offered
    assert offered == ["initiator"]

    listed = as_user("hr_s01").get(f"/api/v1/tasks/{review}/return-targets")
    if listed.status_code == 200:
        assert [t["id"] for t in listed.get_json()["items"]] == ["initiator"]


def test_the_api_refuses_to_return_a_review_forward_or_to_itself(browser_as, at_decision, as_user):  # noqa: F811
    case, review = returned_to_review(browser_as, at_decision, as_user, "RES-NOT-FORWARD")
    hr = as_user("hr_s01")
    for target in ("street_decision", "street_review"):
        answer = hr.post(f"/api/v1/tasks/{review}/return", json={"target": target, "reason": "跳过补正"})
        assert answer.status_code == 422, answer.get_json()
        error = answer.get_json()["error"]
        assert error["code"] == "return_target_not_allowed" and "target" in error["details"]["fields"], error
    # nothing moved: the review is still open for the HR
    assert open_task(hr, case["id"], "street_review")["id"] == review


def test_a_decision_reached_again_still_returns_to_the_review(browser_as, at_decision, as_user):  # noqa: F811
    case, _review = returned_to_review(browser_as, at_decision, as_user, "RES-SECOND-PASS")
    complete(as_user("hr_s01"), case["id"], "street_review", REVIEW_OK)
    decision = open_task(as_user("leader_s01"), case["id"], "street_decision")["id"]
    offered = return_options(browser_as("leader_s01").html(f"/tasks/{decision}"))
    assert sorted(offered) == ["initiator", "street_review"]


def test_a_step_sent_back_stays_in_the_done_box_of_whoever_did_it(app, browser_as, as_user):
    deploy_round(app, "retdone")
    case = start_round_case(as_user("hr_s01"), "retdone")
    hr = browser_as("hr_s01")
    assert tab_count(hr.html("/inbox?box=done"), "done") == 1
    countersign = open_task(as_user("leader_s01"), case["id"], "countersign")
    leader = browser_as("leader_s01")
    done = leader.post(f"/tasks/{countersign['id']}/return", {"target": "prepare", "reason": "材料不全"},
                       page=f"/tasks/{countersign['id']}")
    assert "案件现在在「准备材料」" in follow(leader, done)

    page = hr.html("/inbox?box=done")
    assert "您还没有办理过任务。" not in page and tab_count(page, "done") == 1
    row = row_of(table_of(page), "准备材料")
    assert "已退回重办" in row
    assert tab_count(page, "todo") == 1  # and the step is back in the HR's hands to redo
    complete(as_user("hr_s01"), case["id"], "prepare", {"comment": "已补齐"})
    assert tab_count(hr.html("/inbox?box=done"), "done") == 2
