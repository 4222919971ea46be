"""Demo cases at several stages, so every page has something real at the first login (`cwflow demo`).

Every case is started and moved on through the engine's commands as the demo users, so the rules
apply as they would to anyone; dates are counted from today, whatever today is. Each case has a
business key: running the demo again finds it and leaves it as it is.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.scope import load_actor
from engine.models import Instance, TaskRow, Worker
from engine.process import commands, timers
from engine.records import workers
from engine.recruitment import applications

DEMO_APPLICANTS = (  # name, gender, birth date, education, post, local, declarations
    ("陈静", "女", date(1996, 3, 8), "本科", "S01C01", True, []),
    ("高志远", "男", date(1994, 7, 21), "大专", "S01C01", True, []),
    ("孙悦", "女", date(1980, 1, 15), "高中", "S02C01", True, []),  # the pre-check finds age and education
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def load_demo_cases(session: Session) -> list[str]:
    """Start the demo cases not there yet; the business keys of those started."""
    today = clock.today()
    started = []
    for key, build in (("DEMO-RES-AWAITING-LEADER", _resignation_awaiting_leader),
                       ("DEMO-RES-RETURNED", _resignation_returned),
                       ("DEMO-SEC-UNDER-WAY", _secondment_under_way),
                       ("DEMO-RECRUITMENT", _campaign_with_applicants)):
        if session.scalar(select(Instance.id).where(Instance.business_key == key)) is None:
            build(session, key, today)
            started.append(key)
    return started


def _worker(session: Session, name: str, org: str, hr: str, **extra: Any) -> int:
    """The demo worker of that name, created through the records command when missing."""
    found = session.scalar(select(Worker.id).where(Worker.name == name, Worker.org_code == org))
    if found is not None:
        return found
    return workers.create_worker(session, load_actor(session, hr), {"name": name, "org": org, **extra}).id


def _complete(session: Session, instance: Instance, user: str, task: str, data: dict[str, Any]) -> None:
    task_id = session.scalar(select(TaskRow.id).where(TaskRow.instance_id == instance.id, TaskRow.name == task,
                                                      TaskRow.status == "open"))
    commands.complete_task(session, load_actor(session, user), task_id, data)


def _start(session: Session, user: str, key: str, org: str, business_key: str, data: dict[str, Any]) -> Instance:
    instance, _ = commands.start_instance(session, load_actor(session, user), key, org_code=org, data=data,
                                          business_key=business_key)
    return instance


def _resignation_awaiting_leader(session: Session, business_key: str, today: date) -> None:
    worker = _worker(session, "赵强", "S02C01", "hr_s02")
    case = _start(session, "hr_s02", "resignation", "S02C01", business_key,
                  {"worker_id": worker, "reason": "考取公务员，需按时报到", "submitted_on": today.isoformat()})
    _complete(session, case, "hr_s02", "street_review",
              {"decision": "approve", "unfinished_business": False, "comment": "材料齐全，拟同意"})


def _resignation_returned(session: Session, business_key: str, today: date) -> None:
    worker = _worker(session, "刘洋", "S01C02", "hr_s01", gender="男", birth_date=date(1992, 4, 3),
                     education="本科")
    case = _start(session, "hr_s01", "resignation", "S01C02", business_key,
                  {"worker_id": worker, "reason": "家庭原因，需回原籍照顾老人", "submitted_on": today.isoformat()})
    _complete(session, case, "hr_s01", "street_review",
              {"decision": "approve", "unfinished_business": False, "comment": "材料齐全"})
    _complete(session, case, "leader_s01", "street_decision", {"decision": "return", "comment": "请补充工作交接清单"})


def _secondment_under_way(session: Session, business_key: str, today: date) -> None:
    worker = _worker(session, "王晓梅", "S01C01", "hr_s01")
    case = _start(session, "hr_s01", "secondment", "S01C01", business_key,
                  {"worker_id": worker, "borrowing_unit": "第一街道综治中心", "borrowing_unit_level": "street",
                   "reason": "矛盾纠纷排查材料整理", "start_date": today.isoformat(),
                   "end_date": (today + timedelta(days=60)).isoformat()})
    approve = {"decision": "approve", "comment": "同意"}
    _complete(session, case, "sec_s01c01", "community_opinion", approve)
    _complete(session, case, "leader_s01", "street_review", approve)
    _complete(session, case, "swd_d01", "swd_approval", approve)
    timers.tick(session)  # the start date has come: the worker is seconded (from 08:00 on the day)


def _campaign_with_applicants(session: Session, business_key: str, today: date) -> None:
    plan = {"title": f"示范区{today.year}年社区工作者公开招聘（演示）", "year": today.year,
            "posts": [{"community": "S01C01", "count": 2}, {"community": "S02C01", "count": 1}],
            "registration_opens": (today - timedelta(days=1)).isoformat(),
            "registration_closes": (today + timedelta(days=10)).isoformat()}
    case = _start(session, "civil_d01", "recruitment", "D01", business_key, plan)
    _complete(session, case, "swd_d01", "approve_plan", {"decision": "approve", "comment": "同意"})
    _complete(session, case, "org_d01", "file_plan", {"filing_number": f"组备〔{today.year}〕1号",
                                                      "filed_on": today.isoformat()})
    _complete(session, case, "civil_d01", "publish_notice", {"notice_number": f"示民〔{today.year}〕1号",
                                                             "published_on": today.isoformat(),
                                                             "channel": "区政府网站"})
    for seq, (name, gender, birth, education, post, local, declarations) in enumerate(DEMO_APPLICANTS, 1):
        applications.submit(session, case.id, {
            "name": name, "gender": gender, "birth_date": birth, "id_number": _id_number(birth, seq, gender),
            "education": education, "phone": f"1390000000{seq}", "post": post, "local_residence": local,
            "declarations": declarations}, consented_at=clock.now())


def _id_number(birth: date, seq: int, gender: str) -> str:
    """A made-up resident ID number with a valid GB 11643 check digit (demo applicants only)."""
    body = f"110101{birth:%Y%m%d}{seq * 2 + (1 if gender == '男' else 0):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
