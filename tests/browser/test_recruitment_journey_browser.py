"""A recruitment campaign (招聘) from plan to hire, every step done in Chromium by the person whose
step it is: the district's civil-affairs officer drafts the plan with its posts, the social-work
department approves it, the organisation department files it, the notice goes out, applicants
register on the public page, the officer reviews them, the panel enters written scores by hand and
from an Excel sheet and the interview scores, reads the ranking with its cut-off and ties, records the
physical exam (a failure calls the substitute) and the vetting; the list is published as a page, a
PDF and an Excel file, an objection is received and decided, each street signs its people's labour
contracts, the hire step closes only when all are signed, and the hired people are workers.

The only steps that are not the browser's are time itself: the whole process (the live server
included) is moved to each day of the campaign, and the due timers are run as the worker would.
"""

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.processes.recruitment_support import id_number

pytestmark = pytest.mark.browser

TITLE = "示范区2026年第二批社区工作者公开招聘"
SUNSHINE, HAPPINESS = "第一街道阳光社区", "第二街道幸福社区"
# name, community, seq, gender; the order they register in (which breaks the tie of 孙三立 and 李四海)
APPLICANTS = (("赵一鸣", SUNSHINE, 1, "男"), ("钱二妹", SUNSHINE, 2, "女"), ("孙三立", SUNSHINE, 3, "男"),
              ("李四海", SUNSHINE, 4, "男"), ("周五洲", SUNSHINE, 5, "男"), ("吴六顺", SUNSHINE, 6, "男"),
              ("郑七星", HAPPINESS, 7, "女"))
WRITTEN = {"钱二妹": 85, "孙三立": 80, "李四海": 80, "周五洲": 70, "郑七星": 75}  # 赵一鸣's 90 is typed in
INTERVIEW = {"赵一鸣": "88", "钱二妹": "85", "孙三立": "78", "李四海": "78", "郑七星": "80"}
# The PDF as the page's own link fetches it (status, type and bytes), with the signed-in cookie.
FETCH = """async url => { const r = await fetch(url);
  return {status: r.status, type: r.headers.get('content-type'), bytes: Array.from(new Uint8Array(await r.arrayBuffer()))}; }"""


@pytest.fixture
def clock_at(live_server) -> Iterator:  # noqa: ANN001
    """`clock_at(moment)`: move the whole process (the live server too) to `moment`, ticking on, and
    run the timers due by then, as the timer worker would."""
    from engine.core import clock
    from engine.process import timers
    from web.extensions import db

    with ExitStack() as stack:
        def move(moment: str) -> None:
            stack.enter_context(time_machine.travel(datetime.fromisoformat(moment), tick=True))
            with live_server.app.app_context():
                timers.tick(db.session, clock.now())
                db.session.remove()

        yield move


def _birth(seq: int) -> date:
    return date(1994, 4, seq)


def test_a_campaign_from_plan_to_hire_in_the_browser(new_page, live_server, login, shot, clock_at, tmp_path):
    base = live_server.url
    consoles = []

    def person(username: str | None, width: int = 1280, height: int = 900):  # noqa: ANN202
        page, console = new_page(width, height)
        consoles.append((username, console))
        if username:
            login(page, username)
        return page

    def open_task(page, title: str) -> None:  # noqa: ANN001
        page.goto(f"{base}/inbox")
        page.locator("main").get_by_role("link", name=title, exact=True).click()
        page.wait_for_url("**/tasks/**")
        assert page.get_by_role("heading", level=1).inner_text() == title

    def submit_task(page) -> None:  # noqa: ANN001
        page.get_by_role("button", name="提交", exact=True).click()
        page.wait_for_url("**/inbox**")
        assert "已提交" in page.locator(".flashes").inner_text()

    def flashes(page) -> str:  # noqa: ANN001
        return page.locator(".flashes").inner_text()

    # 1. The district's civil-affairs officer drafts the plan, adding the second post's row in place.
    clock_at("2026-11-25T09:00:00+08:00")
    civil = person("civil_d01")
    civil.goto(f"{base}/start/recruitment")
    civil.locator("#f-org").select_option("D01")
    civil.fill("#f-title", TITLE)
    civil.fill("#f-year", "2026")
    civil.locator("#f-posts-0-community").select_option(label=SUNSHINE)
    civil.fill("#f-posts-0-count", "1")
    civil.get_by_role("button", name="添加一行").click()
    assert "已添加第 2 行" in civil.locator(".repeat-status").inner_text()
    civil.locator("#f-posts-1-community").select_option(label=HAPPINESS)
    civil.fill("#f-posts-1-count", "1")
    civil.fill("#f-registration_opens", "2026-11-25")
    civil.fill("#f-registration_closes", "2026-11-26")
    shot(civil, "recruitment-journey-plan-1280")
    civil.get_by_role("button", name="发起").click()
    civil.wait_for_url("**/instances/*")
    assert "已发起：招聘" in flashes(civil)
    case_id = int(civil.url.rstrip("/").rsplit("/", 1)[-1])

    # 2. 社会工作部 approves; 3. 组织部 files it; 4. civil affairs publishes the notice.
    swd = person("swd_d01")
    open_task(swd, "审核招聘方案")
    assert TITLE in swd.locator("main").inner_text()
    swd.get_by_label("批准", exact=True).check()
    swd.fill("#f-comment", "同意按方案组织招聘")
    submit_task(swd)
    org = person("org_d01")
    open_task(org, "方案备案")
    org.fill("#f-filing_number", "组备〔2026〕21号")
    org.fill("#f-filed_on", "2026-11-25")
    submit_task(org)
    open_task(civil, "发布招聘公告")
    civil.fill("#f-notice_number", "示民〔2026〕21号")
    civil.fill("#f-published_on", "2026-11-25")
    civil.fill("#f-channel", "区政府网站")
    submit_task(civil)

    # 5. Applicants register on the public page, after reading the notice and consenting; one on a phone.
    numbers = {}
    for name, community, seq, gender in APPLICANTS:
        applicant = person(None, *((390, 844) if seq == 7 else (1280, 900)))
        applicant.goto(f"{base}/recruitment/{case_id}")
        assert TITLE in applicant.get_by_role("heading", level=1).inner_text()
        assert applicant.get_by_role("heading", name="个人信息处理告知").is_visible()
        applicant.fill("#f-name", name)
        applicant.get_by_label(gender, exact=True).check()
        applicant.fill("#f-birth_date", _birth(seq).isoformat())
        applicant.fill("#f-id_number", id_number(_birth(seq), seq, gender))
        applicant.fill("#f-phone", f"1390000000{seq}")
        applicant.locator("#f-education").select_option("本科")
        applicant.get_by_label(f"{community}（1 人）").check()
        applicant.get_by_label("本地户籍或在本地居住").check()
        applicant.get_by_label("我已阅读上述告知").check()
        if seq == 7:
            shot(applicant, "recruitment-journey-apply-390")
        applicant.get_by_role("button", name="提交报名").click()
        assert applicant.get_by_role("heading", level=1).inner_text() == "报名成功"
        numbers[name] = applicant.locator("#application-no").inner_text().strip()
        if seq == 1:
            shot(applicant, "recruitment-journey-applied-1280")
    assert all(no.startswith(f"ZP{case_id}-") for no in numbers.values())

    # 6. Registration closes; the officer reviews in the workspace, rejecting one with a reason.
    clock_at("2026-11-27T09:00:00+08:00")
    civil = person("civil_d01")
    open_task(civil, "资格审查")
    civil.get_by_label("确认全部报名已审查").check()
    civil.get_by_role("button", name="提交", exact=True).click()
    assert "还有 7 份报名未审查，请先在招聘工作台完成审查" in civil.locator("#notice").inner_text()
    civil.locator("#workspace-link").click()
    civil.wait_for_url(f"**/recruitments/{case_id}")
    assert "已报名，等待资格审查 7" in civil.locator("#status-counts").inner_text()
    for name, *_ in APPLICANTS:
        if name != "吴六顺":
            civil.get_by_label(f"选择 {name}").check()
    civil.get_by_label("通过", exact=True).check()
    civil.get_by_role("button", name="提交审查").click()
    assert "已审查 6 份报名（通过）" in flashes(civil)
    civil.get_by_label("选择 吴六顺").check()
    civil.get_by_label("不通过", exact=True).check()
    civil.fill("#review-reason", "未能提供学历证书原件")
    civil.get_by_role("button", name="提交审查").click()
    assert "已审查 1 份报名（不通过）" in flashes(civil)
    counts = civil.locator("#status-counts").inner_text()
    assert "资格审查通过 6" in counts and "资格审查未通过 1" in counts
    assert "未能提供学历证书原件" in civil.locator("#applications").inner_text()
    shot(civil, "recruitment-journey-review-1280")
    rejected = person(None, 390, 844)  # the applicant reads the outcome and its reason on the public page
    rejected.goto(f"{base}/recruitment/status")
    rejected.fill("#f-application_no", numbers["吴六顺"])
    rejected.fill("#f-id_number", id_number(_birth(6), 6, "男"))
    rejected.get_by_role("button", name="查询").click()
    assert rejected.locator("#application-status").inner_text() == "资格审查未通过"
    assert "未能提供学历证书原件" in rejected.locator("main").inner_text()
    open_task(civil, "资格审查")
    civil.get_by_label("确认全部报名已审查").check()
    submit_task(civil)

    # 7. Written scores: one typed in, the rest from the downloaded sheet (a bad row first, reported).
    panel = person("panel_d01")
    open_task(panel, "笔试")
    panel.locator("#workspace-link").click()
    panel.wait_for_url(f"**/recruitments/{case_id}/scores")
    assert "吴六顺" not in panel.locator("#score-table").inner_text()
    panel.get_by_label("赵一鸣", exact=True).fill("90")
    panel.get_by_role("button", name="保存成绩").click()
    assert "已录入 1 人的笔试成绩" in flashes(panel)
    with panel.expect_download() as download:
        panel.locator("#template-link").click()
    sheet_path = tmp_path / "written.xlsx"
    download.value.save_as(sheet_path)
    workbook = load_workbook(sheet_path)
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    assert header == ["报名号", "姓名", "岗位（社区）", "成绩", "缺考"]
    listed = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(listed) == {"赵一鸣", "钱二妹", "孙三立", "李四海", "周五洲", "郑七星"}
    for name, score in WRITTEN.items():
        listed[name][3].value = score
    listed["周五洲"][3].value = "七十"
    workbook.save(sheet_path)
    panel.locator("#score-file").set_input_files(str(sheet_path))
    panel.get_by_role("button", name="导入").click()
    report = panel.locator("#import-report").inner_text()
    assert numbers["周五洲"] in report and "本批成绩均未录入" in report
    shot(panel, "recruitment-journey-import-report-1280")
    listed["周五洲"][3].value = 70
    workbook.save(sheet_path)
    panel.locator("#score-file").set_input_files(str(sheet_path))
    panel.get_by_role("button", name="导入").click()
    assert "已录入 6 人的笔试成绩" in flashes(panel)
    assert panel.get_by_label("钱二妹", exact=True).input_value() == "85.00"
    open_task(panel, "笔试")
    panel.fill("#f-pass_line", "60")
    submit_task(panel)

    # 8. Interview scores, typed in; the step closes.
    open_task(panel, "面试")
    panel.locator("#workspace-link").click()
    assert "周五洲" not in panel.locator("#score-table").inner_text()  # below the cut-off
    for name, score in INTERVIEW.items():
        panel.get_by_label(name, exact=True).fill(score)
    panel.get_by_role("button", name="保存成绩").click()
    assert "已录入 5 人的面试成绩" in flashes(panel)
    open_task(panel, "面试")
    panel.get_by_label("确认面试成绩已全部录入").check()
    submit_task(panel)

    # 9. The ranked list per post: the interview cut-off with its tie, tied totals, who goes to the physical.
    panel.goto(f"{base}/recruitments/{case_id}/selection")
    sunshine = panel.locator("table.ranking").first
    assert "第一街道阳光社区 · 招聘 1 人" in panel.locator("#post-S01C01").inner_text()
    assert "进入面试的最低笔试成绩：80.00（2 人同分，一并进入面试）" in panel.locator("main").inner_text()
    rows = [row.inner_text() for row in sunshine.locator("tbody tr").all()]
    assert [r.split()[0] for r in rows] == ["1", "2", "3", "4"]
    assert "赵一鸣" in rows[0] and "89.00" in rows[0] and "待体检" in rows[0]
    assert "孙三立" in rows[2] and "李四海" in rows[3] and sunshine.inner_text().count("并列总分") == 2
    assert "已排名（候补）" in rows[1]
    shot(panel, "recruitment-journey-ranking-1280")

    # 10. Physical: 赵一鸣 fails and 钱二妹 moves up; the step refuses to close while one is pending.
    row = panel.locator("tr", has_text="赵一鸣")
    row.get_by_label("不合格", exact=True).check()
    row.get_by_label("赵一鸣 体检结论说明").fill("血压不达标")
    row.get_by_role("button", name="记录").click()
    assert "已记录 赵一鸣 的体检结论：不合格" in flashes(panel)
    assert "钱二妹 递补进入体检（原排名第 2 名）" in flashes(panel)
    panel.locator("tr", has_text="郑七星").get_by_label("合格", exact=True).check()
    panel.locator("tr", has_text="郑七星").get_by_role("button", name="记录").click()
    assert "已记录 郑七星 的体检结论：合格" in flashes(panel)
    open_task(panel, "体检")
    panel.get_by_label("确认体检结果已全部登记").check()
    panel.get_by_role("button", name="提交", exact=True).click()
    assert "还有 1 人未完成体检，请先在招聘工作台录入结论" in panel.locator("#notice").inner_text()
    panel.locator("#workspace-link").click()
    panel.wait_for_url(f"**/recruitments/{case_id}/selection")
    qian = panel.locator("tr", has_text="钱二妹")
    assert "递补" in qian.inner_text()
    qian.get_by_label("合格", exact=True).check()
    qian.get_by_role("button", name="记录").click()
    assert "已记录 钱二妹 的体检结论：合格" in flashes(panel)
    open_task(panel, "体检")
    panel.get_by_label("确认体检结果已全部登记").check()
    submit_task(panel)

    # 11. Vetting by the panel.
    panel.goto(f"{base}/recruitments/{case_id}/selection")
    for name in ("钱二妹", "郑七星"):
        panel.locator("tr", has_text=name).get_by_label("合格", exact=True).check()
        panel.locator("tr", has_text=name).get_by_role("button", name="记录").click()
        assert f"已记录 {name} 的考察结论：合格" in flashes(panel)
    open_task(panel, "考察")
    panel.get_by_label("确认考察结果已全部登记").check()
    submit_task(panel)

    # 12. The list is published: a page, a PDF and an Excel file with the same people.
    open_task(civil, "公示拟聘用人员名单")
    civil.fill("#f-channel", "区政府网站、社区公示栏")
    submit_task(civil)
    civil.goto(f"{base}/recruitments/{case_id}/publicity")
    assert civil.locator("#campaign-stage").inner_text() == "公示中"
    listing = civil.locator("#publicity-list").inner_text()
    assert f"{TITLE}拟聘用人员名单公示" in civil.locator("#publicity-title").inner_text()
    assert "钱二妹" in listing and "郑七星" in listing and "赵一鸣" not in listing
    assert "公示期为 2026-11-27 至 2026-12-08（7 个工作日）" in civil.locator("main").inner_text()
    assert "共 2 人" in civil.locator("#publicity-count").inner_text()
    shot(civil, "recruitment-journey-publicity-1280")
    pdf = civil.evaluate(FETCH, civil.locator("#publicity-pdf").get_attribute("href"))
    assert pdf["status"] == 200 and pdf["type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(bytes(pdf["bytes"]))).pages)
    assert "拟聘用人员名单公示" in text and "钱二妹" in text and "郑七星" in text
    with civil.expect_download() as download:
        civil.locator("#publicity-xlsx").click()
    download.value.save_as(tmp_path / "publicity.xlsx")
    rows = list(load_workbook(tmp_path / "publicity.xlsx").active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["钱二妹", "郑七星"] and rows[1][10] == "公示中"

    # 13. An objection is received during the period and the panel finds it unfounded.
    clock_at("2026-12-01T10:00:00+08:00")
    civil = person("civil_d01")
    civil.goto(f"{base}/recruitments/{case_id}/selection")
    civil.locator("#objection-person").select_option(label=f"钱二妹（{SUNSHINE}）")
    civil.fill("#objection-summary", "群众来信反映其报名时工作经历填写不实")
    civil.get_by_role("button", name="登记异议").click()
    assert "已登记异议" in flashes(civil)
    panel = person("panel_d01")
    panel.goto(f"{base}/recruitments/{case_id}/selection#objections")
    objection = panel.locator("#objections li", has_text="钱二妹")
    assert "群众来信反映其报名时工作经历填写不实" in objection.inner_text()
    objection.get_by_label("异议不成立", exact=True).check()
    objection.get_by_label("调查结论").fill("经核实，工作经历与单位证明一致，反映问题不属实")
    objection.get_by_role("button", name="记录结论").click()
    assert "已记录异议调查结论" in flashes(panel)
    assert "异议不成立" in panel.locator("#objections").inner_text()

    # 14. The period ends; the officer closes the publicity and goes on to hire.
    clock_at("2026-12-09T09:00:00+08:00")
    civil = person("civil_d01")
    open_task(civil, "异议处理与公示结果")
    civil.get_by_label("办理聘用", exact=True).check()
    submit_task(civil)

    # 15. Each street signs its own people's contracts; the district may not, and the hire step
    #     refuses to close while one is unsigned.
    open_task(civil, "办理聘用手续")
    civil.locator("#workspace-link").click()
    civil.wait_for_url(f"**/recruitments/{case_id}/hire")
    assert civil.locator("#campaign-stage").inner_text() == "聘用"
    assert "待签订 2 人，已签订 0 人" in civil.locator("#hire-counts").inner_text()
    assert civil.locator("form.contract-form").count() == 0
    assert civil.locator("#hire-list").inner_text().count("待岗位所在街道人事签订") == 2
    shot(civil, "recruitment-journey-hire-1280")
    hr1 = person("hr_s01")
    hr1.goto(f"{base}/recruitments/{case_id}/hire")
    assert "郑七星" not in hr1.locator("#hire-list").inner_text()  # another street's hire
    assert hr1.get_by_role("group", name="与 钱二妹 签订劳动合同").is_visible()
    assert hr1.get_by_label("试用期（月）").input_value() == "3"  # the policy's probation, offered
    assert hr1.get_by_label("合同期限（年）").input_value() == "3"
    hr1.get_by_role("button", name="签订劳动合同").click()
    assert ("已与 钱二妹 签订劳动合同（2026-12-09 至 2029-12-08，试用期至 2027-03-08），人员档案已建立，状态：试用期"
            in flashes(hr1))
    shot(hr1, "recruitment-journey-contract-1280")
    hr1.get_by_role("link", name="人员档案（试用期）").click()
    hr1.wait_for_url("**/workers/*")
    assert "钱二妹" in hr1.get_by_role("heading", level=1).inner_text()
    assert "试用期" in hr1.get_by_role("heading", level=1).inner_text()
    open_task(civil, "办理聘用手续")
    civil.fill("#f-filing_number", "民备〔2026〕31号")
    civil.get_by_role("button", name="提交", exact=True).click()
    assert "还有 1 人未签订劳动合同" in civil.locator("#notice").inner_text()
    hr2 = person("hr_s02", 390, 844)
    hr2.goto(f"{base}/recruitments/{case_id}/hire")
    hr2.get_by_role("button", name="签订劳动合同").click()
    assert "已与 郑七星 签订劳动合同" in flashes(hr2)
    shot(hr2, "recruitment-journey-contract-390")
    open_task(civil, "办理聘用手续")
    civil.fill("#f-filing_number", "民备〔2026〕31号")
    submit_task(civil)

    # 16. The hired people are workers in probation, each in the community of the post.
    civil.goto(f"{base}/workers?q=钱二妹")
    assert "钱二妹" in civil.locator("main").inner_text() and "试用期" in civil.locator("main").inner_text()
    hr2.goto(f"{base}/workers?q=郑七星")
    assert "郑七星" in hr2.locator("main").inner_text() and "试用期" in hr2.locator("main").inner_text()
    shot(hr2, "recruitment-journey-workers-390")
    civil.goto(f"{base}/recruitments/{case_id}")
    assert "已聘用 2" in civil.locator("#status-counts").inner_text()
    shot(civil, "recruitment-journey-workspace-1280")

    # The same pages on a phone.
    phone = person("civil_d01", 390, 844)
    for tab, name in (("selection", "ranking"), ("publicity", "publicity"), ("hire", "hire")):
        phone.goto(f"{base}/recruitments/{case_id}/{tab}")
        shot(phone, f"recruitment-journey-{name}-390")
    assert [(user, console.errors) for user, console in consoles if console.errors] == []
