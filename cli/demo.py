"""The demo org tree, users and worker records: never loaded in production (`cwflow demo` and tests)."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.transaction import transactional
from engine.models import OrgUnit, RoleAssignment, User, Worker
from web.auth import hash_password

DEMO_PASSWORD = "demo-pass-2026"
ORGS = (
    ("D01", "示范区", "district", None, None, None),
    ("S01", "示范区第一街道", "street", "D01", None, None),
    ("S02", "示范区第二街道", "street", "D01", None, None),
    ("S01C01", "第一街道阳光社区", "community", "S01", 3200, 9000),
    ("S01C02", "第一街道和平社区", "community", "S01", 2600, 7400),
    ("S02C01", "第二街道幸福社区", "community", "S02", 2900, 8100),
)
USERS = (
    ("admin", "系统管理员", "admin", "D01"),
    ("hr_s01", "第一街道人事", "street_hr", "S01"),
    ("hr_s02", "第二街道人事", "street_hr", "S02"),
    ("leader_s01", "第一街道分管领导", "street_leader", "S01"),
    ("leader_s02", "第二街道分管领导", "street_leader", "S02"),
    ("sec_s01c01", "阳光社区书记", "community_secretary", "S01C01"),
    ("sec_s01c02", "和平社区书记", "community_secretary", "S01C02"),
    ("sec_s02c01", "幸福社区书记", "community_secretary", "S02C01"),
    ("civil_d01", "区民政局", "district_civil_affairs", "D01"),
    ("org_d01", "区委组织部", "district_org_dept", "D01"),
    ("hrss_d01", "区人社局", "district_hrss", "D01"),
    ("swd_d01", "区委社会工作部", "social_work_dept", "D01"),
    ("panel_d01", "招聘工作小组", "recruitment_panel", "D01"),
    ("worker_s01c01", "王晓梅", "worker", "S01C01"),
)
WORKERS = (
    ("王晓梅", "女", date(1990, 5, 12), "本科", "S01C01", "active", {}),
    ("李建国", "男", date(1985, 3, 2), "大专", "S01C01", "active", {"is_elected": True}),
    ("张丽", "女", date(1993, 11, 20), "本科", "S01C02", "active", {"under_audit": True}),
    ("赵强", "男", date(1988, 7, 8), "大专", "S02C01", "active", {}),
)


def ensure_org(session: Session, code: str, name: str, level: str, parent: str | None,
               households: int | None = None, residents: int | None = None) -> OrgUnit:
    org = session.get(OrgUnit, code)
    if org is None:
        path = f"{session.get(OrgUnit, parent).path}{code}/" if parent else f"{code}/"
        org = OrgUnit(code=code, name=name, level=level, parent_code=parent, path=path,
                      households=households, residents=residents)
        session.add(org)
        session.flush()
    return org


def ensure_user(session: Session, username: str, display: str, password: str,
                roles: list[tuple[str, str]], worker_id: int | None = None) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name=display, password_hash=hash_password(password),
                    active=True, worker_id=worker_id, failed_logins=0)
        session.add(user)
        session.flush()
    for role, org_code in roles:
        if not any(a.role == role and a.org_code == org_code for a in user.roles):
            org = session.get(OrgUnit, org_code)
            user.roles.append(RoleAssignment(role=role, org_code=org_code, org_path=org.path))
    return user


@transactional
def load_demo(session: Session) -> None:
    """Create the demo org tree, users and worker records in one transaction; running it twice
    changes nothing."""
    for code, name, level, parent, households, residents in ORGS:
        ensure_org(session, code, name, level, parent, households, residents)
    now = clock.now()
    worker_ids = []
    for name, gender, birth, education, org_code, status, flags in WORKERS:
        worker = session.scalar(select(Worker).where(Worker.name == name, Worker.org_code == org_code))
        if worker is None:
            org = session.get(OrgUnit, org_code)
            worker = Worker(name=name, gender=gender, birth_date=birth, education=education, org_code=org_code,
                            org_path=org.path, status=status, flags=flags, data={},
                            contract={"type": "招聘", "start": "2023-01-01", "end": "2025-12-31"},
                            created_at=now, updated_at=now)
            session.add(worker)
            session.flush()
        worker_ids.append(worker.id)
    for username, display, role, org_code in USERS:
        ensure_user(session, username, display, DEMO_PASSWORD, [(role, org_code)],
                    worker_id=worker_ids[0] if role == "worker" else None)
