"""The secondment start form's quota warning (同一社区同一时期被借调不超过2人, 000 art. 12): before the
request is sent, the page says when the chosen worker's community has no place left over the chosen
period, naming the secondments that hold the places, and names the requests still being decided that
compete for them.

Only approved or running secondments hold a place (engine.rules.secondment_quota); a request being
decided holds none until it is approved, so it is named as a caution and never makes the page say the
request will be refused. The server judges the quota at filing and again at every approval.
"""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from config.policy import policy_value
from engine.models import OrgUnit, Worker
from engine.rules.casework import today
from engine.rules.secondment_quota import OPEN_ENDED, QuotaCase, peak, quota_cases


def quota_data(session: Session, workers: list[Worker]) -> dict[str, Any]:
    """What start.js needs to judge the quota as the dates are typed: each offered worker's
    community, and each community's secondments and open requests with the words that name them."""
    limit = int(policy_value("secondment_max_concurrent_per_community"))
    names = {w.id: w.name for w in workers}
    communities: dict[str, list[dict[str, Any]]] = {}
    for code in sorted({w.org_code for w in workers}):
        org = session.get(OrgUnit, code)
        if org is None:
            continue
        cases = quota_cases(session, org, today())
        missing = {c.worker_id for c in cases} - set(names)
        for worker_id in missing:
            worker = session.get(Worker, worker_id)
            names[worker_id] = worker.name if worker else str(worker_id)
        communities[code] = [{"start": c.start.isoformat(), "end": c.end.isoformat(), "holds": c.holds,
                              "worker_id": c.worker_id, "text": _case_words(c, names[c.worker_id])} for c in cases]
    return {
        "limit": limit,
        "workers": {str(w.id): w.org_code for w in workers},
        "communities": communities,
        "full": _("该社区在此期间的借调名额已满（同一社区同一时期被借调不得超过%(limit)s人），占用名额的是：{cases}。"
                  "按此期间提交将被拒绝，请调整借调期间或改选人员。", limit=limit),
        "pending": _("该社区在此期间已借调{held}人，另有借调申请正在审批：{cases}。名额按批准先后计算，"
                     "这些申请都批准后将超过%(limit)s人，后批准的将被拒绝。", limit=limit),
    }


def quota_warning(data: dict[str, Any], values: dict[str, Any]) -> str:
    """The warning for the values already on the form (a page shown again after a refusal), in the
    same words start.js writes as the dates change."""
    community = data["workers"].get(str(values.get("worker_id", "")))
    try:
        start, end = date.fromisoformat(str(values.get("start_date"))), date.fromisoformat(str(values.get("end_date")))
    except ValueError:
        return ""
    if community is None or end < start:
        return ""
    worker_id = int(values["worker_id"])
    entries = [e for e in data["communities"].get(community, []) if e["worker_id"] != worker_id]
    overlapping = [e for e in entries if date.fromisoformat(e["start"]) <= end and date.fromisoformat(e["end"]) >= start]
    held = [e for e in overlapping if e["holds"]]
    periods = [(date.fromisoformat(e["start"]), date.fromisoformat(e["end"])) for e in held]
    busiest = peak(periods, start, end) if periods else 0
    if busiest >= data["limit"]:
        return data["full"].replace("{cases}", "、".join(e["text"] for e in held))
    waiting = [e for e in overlapping if not e["holds"]]
    every = periods + [(date.fromisoformat(e["start"]), date.fromisoformat(e["end"])) for e in waiting]
    if waiting and peak(every, start, end) >= data["limit"]:
        return data["pending"].replace("{held}", str(busiest)).replace("{cases}", "、".join(e["text"] for e in waiting))
    return ""


def _case_words(case: QuotaCase, name: str) -> str:
    until = _("返回为止") if case.end == OPEN_ENDED else case.end.isoformat()
    if case.instance_id is None:
        return _("%(name)s（档案显示借调中）", name=name)
    if case.holds:
        return _("%(name)s（#%(id)s，%(start)s 至 %(end)s）", name=name, id=case.instance_id,
                 start=case.start.isoformat(), end=until)
    return _("%(name)s（#%(id)s 审批中，%(start)s 至 %(end)s）", name=name, id=case.instance_id,
             start=case.start.isoformat(), end=until)
