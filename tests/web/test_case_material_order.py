"""The case materials read in the order the steps were first done, whatever was withdrawn and redone."""

from tests.helpers import complete, open_task
from tests.operations.ops_support import REVIEW_OK


def test_case_materials_keep_the_order_the_steps_were_done_after_a_withdrawn_review(browser_as, resignation, as_user):
    case = resignation(1, "S01C01", "RES-ORDER")
    hr = as_user("hr_s01")
    review = open_task(hr, case["id"], "street_review")
    complete(hr, case["id"], "street_review", REVIEW_OK)
    assert hr.post(f"/api/v1/tasks/{review['id']}/withdraw", json={"reason": "重新审查"}).status_code == 200
    complete(hr, case["id"], "street_review", REVIEW_OK)
    complete(as_user("leader_s01"), case["id"], "street_decision",
             {"decision": "approve", "leaving_on": "2026-12-25", "worker_agrees": True, "comment": "同意"})
    page = browser_as("hr_s01").html(f"/instances/{case['id']}")
    materials = page.split("案件材料", 1)[1].split("</section>", 1)[0]
    assert materials.index("受理审查") < materials.index("街道审批"), materials
