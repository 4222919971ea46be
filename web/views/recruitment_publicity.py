"""The publicity list (公示拟聘用人员名单) as the public sees it: a page to read and print, an A4 PDF
for the notice board and the archive, and an Excel file for the website's editors.

All three read engine.recruitment.workspace.publicity_list, so a street's HR gets its own communities'
part and the district the whole list, exactly as in the workspace.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import render_template
from flask_babel import gettext as _

from config.policy import policy_value
from engine.core import clock
from engine.reads import exports, printing
from engine.recruitment import workspace
from web.api.recruitment_schemas import STATUS_TEXT
from web.extensions import db
from web.views.ops_pages import download
from web.views.pages import current_actor, login_required, page_blueprint

bp = page_blueprint("recruitment_publicity", __name__, url_prefix="/recruitments")
COLUMNS = ("序号", "姓名", "性别", "出生年月", "学历", "拟聘岗位（社区）", "笔试成绩", "面试成绩", "总成绩", "公示期", "状态")


@dataclass
class PublicityList:
    title: str
    campaign: workspace.Overview
    period_from: date | None
    period_until: date | None
    provisional: bool
    rows: list[tuple[Any, ...]]


def _score(value: Any) -> str:
    return "—" if value is None else str(value)


def _list(instance_id: int) -> PublicityList:
    actor = current_actor()
    campaign = workspace.overview(db.session, actor, instance_id)
    names = {p.code: p.name for p in campaign.posts}
    people = workspace.publicity_list(db.session, actor, instance_id)
    rows = [(number, a.name, a.gender, a.birth_date.strftime("%Y.%m"), a.education,
             names.get(a.post_community, a.post_community), _score(a.written_score), _score(a.interview_score),
             _score(a.total_score), f"{a.publicity_from} 至 {a.publicity_until}" if a.publicity_from else "—",
             STATUS_TEXT.get(a.status, a.status)) for number, a in enumerate(people, start=1)]
    starts = [a.publicity_from for a in people if a.publicity_from]
    ends = [a.publicity_until for a in people if a.publicity_until]
    return PublicityList(_("%(title)s拟聘用人员名单公示", title=campaign.title), campaign,
                         min(starts) if starts else None, max(ends) if ends else None,
                         any(a.publicity_provisional for a in people), rows)


@bp.get("/<int:instance_id>/publicity")
@login_required
def show(instance_id: int):
    listing = _list(instance_id)
    return render_template("recruitments/publicity.html", campaign=listing.campaign, listing=listing,
                           columns=COLUMNS, days=policy_value("publicity_working_days"))


@bp.get("/<int:instance_id>/publicity.pdf")
@login_required
def pdf(instance_id: int):
    listing = _list(instance_id)
    html = render_template("recruitments/publicity_print.html", listing=listing, columns=COLUMNS,
                           days=policy_value("publicity_working_days"),
                           printed_at=clock.now().astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M"))
    return download(printing.pdf_from_html(html, _("公示名单")), "application/pdf",
                    f"拟聘用人员公示名单-{instance_id}.pdf", inline=True)


@bp.get("/<int:instance_id>/publicity.xlsx")
@login_required
def xlsx(instance_id: int):
    listing = _list(instance_id)
    content = exports.xlsx_bytes(COLUMNS, listing.rows, title="公示名单",
                                 widths=[6, 12, 6, 10, 8, 24, 10, 10, 10, 26, 16])
    return download(content, exports.XLSX_MIME, f"拟聘用人员公示名单-{instance_id}.xlsx")
