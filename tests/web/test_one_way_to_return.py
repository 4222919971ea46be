"""One way to return: the street decision's form no longer offers 退回补正 beside the page's 退回; the
退回 to 受理审查 takes the diagram's own return path, so its count (at most 3) still holds, and a system
completing the task through the API with the old decision value is still understood."""

from tests.helpers import complete, open_task
from tests.operations.ops_support import REVIEW_OK
from tests.web.test_ops_pages import at_decision, flashes, follow  # noqa: F401


def test_the_decision_form_offers_no_return_choice_beside_the_return_action(browser_as, at_decision):  # noqa: F811
    _case, decision = at_decision("RES-ONE-WAY")
    page = browser_as("leader_s01").html(f"/tasks/{decision}")
    assert "确认离职" in page and "暂缓（重要公务未办结）" in page
    assert "退回补正" not in page and 'value="return"' not in page
    assert 'id="op-return"' in page


def test_the_fourth_return_to_the_review_is_refused_by_the_diagrams_count(browser_as, at_decision, as_user):  # noqa: F811
    case, decision = at_decision("RES-RETURN-COUNT")
    leader, hr = browser_as("leader_s01"), as_user("hr_s01")
    for n in range(3):
        done = leader.post(f"/tasks/{decision}/return", {"target": "street_review", "reason": f"第{n + 1}次补正"},
                           page=f"/tasks/{decision}")
        assert "案件现在在「受理审查」" in follow(leader, done)
        complete(hr, case["id"], "street_review", REVIEW_OK)
        decision = open_task(as_user("leader_s01"), case["id"], "street_decision")["id"]
    refused = leader.post(f"/tasks/{decision}/return", {"target": "street_review", "reason": "第4次"},
                          page=f"/tasks/{decision}")
    said = flashes(follow(leader, refused))
    assert any("已退回 3 次，不能再退回" in f for f in said), said
    assert open_task(as_user("leader_s01"), case["id"], "street_decision")["id"] == decision  # nothing kept


def test_an_api_completion_with_the_old_return_value_still_goes_back_to_the_review(as_user, at_decision):  # noqa: F811
    case, _decision = at_decision("RES-API-RETURN")
    returned = complete(as_user("leader_s01"), case["id"], "street_decision", {"decision": "return", "comment": "补正"})
    assert [t["name"] for t in returned["open_tasks"]] == ["street_review"]


def test_the_plan_review_returns_to_its_author_only_through_the_return_action(browser_as, as_user):
    from tests.processes.recruitment_support import start_campaign

    case = start_campaign(as_user("civil_d01")).get_json()
    review = open_task(as_user("swd_d01"), case["id"], "approve_plan")["id"]
    swd = browser_as("swd_d01")
    page = swd.html(f"/tasks/{review}")
    assert "退回修改" not in page and 'value="return"' not in page and 'id="op-return"' in page
    assert 'value="initiator"' in page

    done = swd.post(f"/tasks/{review}/return", {"target": "initiator", "reason": "请核实岗位数"}, page=f"/tasks/{review}")
    assert "案件现在在「修改招聘方案」" in follow(swd, done)
    revise = open_task(as_user("civil_d01"), case["id"], "revise_plan_district")
    assert revise["role"] == "district_civil_affairs"

    # The author's step says it came back, from where and why.
    page = browser_as("civil_d01").html(f"/tasks/{revise['id']}")
    banner = page.split('id="returned"', 1)[1].split("</div>", 1)[0]
    assert "已退回" in banner and "从「审核招聘方案」退回到此环节" in banner and "请核实岗位数" in banner


def test_a_return_is_printed_once_on_the_approval_form(app, browser_as, at_decision):  # noqa: F811
    from engine.models import Instance
    from engine.reads.printing import form_context
    from web.extensions import db

    case, decision = at_decision("RES-RETURN-PRINT")
    leader = browser_as("leader_s01")
    leader.post(f"/tasks/{decision}/return", {"target": "street_review", "reason": "请补充交接清单"},
                page=f"/tasks/{decision}")
    with app.app_context():
        steps = form_context(db.session, db.session.get(Instance, case["id"]))["steps"]
    decisions = [(s["title"], s["result"], s["comment"]) for s in steps if s["title"] == "街道审批"]
    assert decisions == [("街道审批", "退回至「受理审查」", "请补充交接清单")]
