"""The dismissal HR check page: a dismissal with no protected circumstance passes by ticking 「无」,
and 「无」 beside a protection is refused beside the field."""

import re

from tests.helpers import complete, open_task, start


def _hr_check(as_user) -> str:  # noqa: ANN001
    hr = as_user("hr_s01")
    case = start(hr, "dismissal", "S01C01", {"worker_id": 1, "grounds": ["serious_breach"],
                                             "facts": "多次拒不执行社区工作安排，造成居民投诉"}).get_json()
    complete(as_user("sec_s01c01"), case["id"], "community_opinion", {"decision": "approve", "comment": "同意"})
    return open_task(hr, case["id"], "hr_check")["id"]


def _post(browser, task: str, protections: list[str]):  # noqa: ANN001, ANN202
    form = {"decision": "approve", "protections": protections, "evidence.0.ground": "serious_breach",
            "evidence.0.description": "考勤记录和居民投诉登记"}
    return browser.post(f"/tasks/{task}", form, page=f"/tasks/{task}")


def test_the_check_offers_none_and_passes_with_it(browser_as, as_user):
    task = _hr_check(as_user)
    hr = browser_as("hr_s01")
    page = hr.html(f"/tasks/{task}")
    assert re.search(r'type="checkbox" id="f-protections-0" name="protections" value="none"[^>]*> '
                     r'<label for="f-protections-0">无</label>', page)
    assert "没有的勾选「无」" in page
    response = _post(hr, task, ["none"])
    assert response.status_code == 302 and response.location == "/inbox"
    assert "已提交：依据与保护情形审查。" in hr.html("/inbox")


def test_none_beside_a_protection_is_refused_beside_the_field(browser_as, as_user):
    task = _hr_check(as_user)
    page = _post(browser_as("hr_s01"), task, ["none", "medical_period"]).get_data(as_text=True)
    error = re.search(r'id="f-protections-error">([^<]*)<', page)
    assert error and error.group(1) == "「无」不能与其他情形同时勾选"
    assert 'value="none" checked' in page and 'value="medical_period" checked' in page


def test_ticking_nothing_names_the_field(browser_as, as_user):
    task = _hr_check(as_user)
    page = _post(browser_as("hr_s01"), task, []).get_data(as_text=True)
    error = re.search(r'id="f-protections-error">([^<]*)<', page)
    assert error and error.group(1) == "请至少勾选一项"
    assert "不得辞退情形：请至少勾选一项" in page
