"""A dismissal (辞退) worked through the pages by each role in turn, in a real Chromium, from the
street's proposal to the contract's end: a worker with no statutory protection (no work injury,
medical period, pregnancy or nursing, nearness to retirement), dismissed for a serious breach of
the rules, asks for a review that is not upheld, hands over and is audited. The case page and the
worker's record then read in words: 已辞退, who decided each step and when."""

import re

import pytest

pytestmark = pytest.mark.browser

KEY = "CT-2026-007"
WHEN = re.compile(r"2026-\d\d-\d\d \d\d:\d\d")
USERNAMES = re.compile(r"hr_s01|sec_s01c01|leader_s01|civil_d01")


def _decide(label: str, comment: str | None = None):  # noqa: ANN202
    def fill(page) -> None:  # noqa: ANN001
        page.get_by_label(label, exact=True).check()
        if comment:
            page.fill("#f-comment", comment)
    return fill


def _hr_check(page) -> None:  # noqa: ANN001
    page.get_by_label("依据充分，提请决定", exact=True).check()
    page.get_by_label("无", exact=True).check()
    page.locator("#f-evidence-0-ground").select_option(label="严重违反规章制度")
    page.fill("#f-evidence-0-description", "2026年10月擅自将居民低保材料带出办公场所并遗失，经调查属实")
    page.fill("#f-evidence-0-document", "阳纪〔2026〕3号")
    page.fill("#f-comment", "经核查档案，无不得辞退情形")


def _street_decision(page) -> None:  # noqa: ANN001
    page.get_by_label("决定辞退", exact=True).check()
    page.fill("#f-meeting_date", "2026-11-25")
    page.fill("#f-comment", "党工委会议研究决定辞退")


def _notice(page) -> None:  # noqa: ANN001
    page.fill("#f-delivered_on", "2026-11-25")
    page.fill("#f-document_number", "一街人〔2026〕12号")
    page.fill("#f-union_notified_on", "2026-11-24")
    page.get_by_label("即时解除", exact=True).check()


def _appeal(page) -> None:  # noqa: ANN001
    page.get_by_label("申请复核", exact=True).check()
    page.fill("#f-received_on", "2026-11-25")
    page.fill("#f-content", "本人认为材料遗失情节轻微，请求复核")


def _handover(page) -> None:  # noqa: ANN001
    page.check("#f-handover_confirmed")
    page.fill("#f-handed_over_to", "阳光社区 李建国")
    page.check("#f-audit_required")


def _audit(page) -> None:  # noqa: ANN001
    page.check("#f-audit_finished")
    page.fill("#f-report_number", "审〔2026〕21号")
    page.fill("#f-findings", "经手资金账目清楚，无问题")


def _steps(page, css: str) -> list[str]:  # noqa: ANN001
    return [text.strip() for text in page.locator(f".timeline > li.{css}").all_inner_texts()]


def test_a_dismissal_goes_through_every_step_and_the_record_reads_dismissed(journey, live_server, shot):
    page = journey.as_user("hr_s01")
    page.goto(f"{live_server.url}/start/dismissal")
    page.locator("#f-worker_id").select_option(label="王晓梅（第一街道阳光社区）")
    page.fill("#f-business_key", KEY)
    page.get_by_label("严重违反规章制度", exact=True).check()
    page.fill("#f-facts", "2026年10月擅自将居民低保材料带出办公场所并遗失，造成不良影响")
    shot(page, "dismissal-start")
    page.get_by_role("button", name="发起").click()
    page.wait_for_url(re.compile(r".*/instances/\d+$"))
    case = int(page.url.rsplit("/", 1)[1])
    assert page.locator("h1").inner_text() == f"对王晓梅的辞退 · {KEY}"
    page.context.close()

    journey.work("sec_s01c01", KEY, "社区党组织意见", _decide("同意辞退", "同意街道意见"))
    journey.work("hr_s01", KEY, "依据与保护情形审查", _hr_check)
    journey.work("leader_s01", KEY, "街道党工委决定", _street_decision)

    # Before the district decides, the case page says who has it and what comes after.
    page = journey.as_user("civil_d01")
    page.goto(f"{live_server.url}/instances/{case}")
    page.locator("#diagram[data-ready=true]").wait_for()
    assert _steps(page, "current")[0].startswith("区级审核批准 · 待办理 · 区民政局 · 示范区")
    assert _steps(page, "next")[0].startswith("送达辞退通知 · 下一步 · 街道人事")
    assert "cw-current" in page.locator('[data-element-id="district_review"]').first.get_attribute("class")
    shot(page, "dismissal-district-review")
    page.context.close()

    journey.work("civil_d01", KEY, "区级审核批准", _decide("批准", "同意辞退"))
    journey.work("hr_s01", KEY, "送达辞退通知", _notice)
    journey.work("hr_s01", KEY, "登记复核申诉", _appeal)
    journey.work("leader_s01", KEY, "复核", _decide("不成立，维持辞退决定", "事实清楚，依据充分，维持原决定"))
    journey.work("hr_s01", KEY, "工作交接", _handover)
    journey.work("hr_s01", KEY, "离任审计", _audit)

    # The dismissal is immediate: the contract ends on the day of the notice, so the last step done
    # ends the contract at once and the case is closed.
    for width, name in ((1280, "dismissal-completed"), (390, "dismissal-completed-phone")):
        page = journey.as_user("hr_s01", width, 900 if width > 600 else 844)
        page.goto(f"{live_server.url}/instances/{case}")
        page.locator("#diagram[data-ready=true]").wait_for()
        assert page.locator("h1").inner_text() == f"对王晓梅的辞退 · {KEY}"
        assert page.locator(".meta .outcome").inner_text() == "已辞退"
        assert "已办结" in page.locator(".meta").inner_text()
        record = page.locator("aside.context").inner_text()
        assert re.search(r"状态\s+已辞退", record), record  # the worker card beside the case
        done = _steps(page, "done")
        expected = [("发起", "第一街道人事", None), ("社区党组织意见", "阳光社区书记", "同意辞退"),
                    ("依据与保护情形审查", "第一街道人事", "依据充分，提请决定"),
                    ("街道党工委决定", "第一街道分管领导", "决定辞退"), ("区级审核批准", "区民政局", "批准"),
                    ("送达辞退通知", "第一街道人事", None), ("登记复核申诉", "第一街道人事", None),
                    ("复核", "第一街道分管领导", "不成立，维持辞退决定"), ("工作交接", "第一街道人事", None),
                    ("离任审计", "第一街道人事", None)]
        assert [tuple(step.split(" · ")[:2]) for step in done[:-1]] == [(title, who) for title, who, _ in expected]
        for step, (_, _, decision) in zip(done, expected, strict=False):
            if decision:
                assert step.split(" · ")[2] == decision
        assert done[-1].startswith("已办结 · 已辞退 · ")
        assert all(WHEN.search(step) for step in done)
        assert "事实清楚，依据充分，维持原决定" in done[7]
        assert _steps(page, "current") == [] and _steps(page, "next") == []
        assert not USERNAMES.search(page.locator(".timeline").inner_text())
        shot(page, name)

        # The worker's record: status 已辞退, and the change says who, when and on what basis.
        page.get_by_role("link", name="王晓梅").first.click()
        page.wait_for_url("**/workers/*")
        assert page.locator("h1 .badge").inner_text() == "已辞退"
        change = page.locator("table.history tbody tr", has_text="已辞退")
        assert change.count() == 1
        cells = [c.strip() for c in change.locator("td").all_inner_texts()]
        assert WHEN.search(cells[0]) and cells[1:4] == ["状态", "在岗", "已辞退"]
        assert cells[4] == "第一街道人事" and "对王晓梅的辞退" in cells[5], cells
        assert not USERNAMES.search(page.locator("main").inner_text())
        shot(page, f"{name.replace('completed', 'worker')}")
        if width == 390:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        page.context.close()
    assert journey.errors == [], journey.errors

