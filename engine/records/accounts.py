"""Administration (系统管理): the definitions overview, users, role assignments, org units and tokens.

Why here and not in the views: each change is one guarded, audited transaction like every other
engine command, and the rules that keep the system usable (no duplicate codes, a sane org tree,
never removing the last active administrator) hold whoever calls them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.roles import ROLES_BY_KEY
from engine.core import audit, clock
from engine.core.errors import Conflict, InvalidData, NotFound
from engine.core.scope import get_org
from engine.core.transaction import transactional
from engine.models import ApiToken, Definition, Instance, OrgUnit, RoleAssignment, User

USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
ORG_CODE = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")
MIN_PASSWORD = 8
# The level an org unit's parent must have; None means it may be a root.
PARENT_LEVELS: dict[str, tuple[str | None, ...]] = {
    "district": (None, "city"),
    "street": ("district",),
    "community": ("street",),
}
LEVEL_NAMES = {"city": "市", "district": "区", "street": "街道", "community": "社区"}


@dataclass
class VersionRow:
    id: int
    version: int
    name: str
    deployed_by: str
    deployed_at: datetime
    running: int


@dataclass
class ProcessRow:
    key: str
    name: str
    versions: list[VersionRow] = field(default_factory=list)

    @property
    def running(self) -> int:
        return sum(v.running for v in self.versions)


def definition_overview(session: Session) -> list[ProcessRow]:
    """Every process key with its versions (newest first) and running cases per version.

    One statement: the definitions (without their BPMN and forms) joined to a grouped count.
    """
    running = (
        select(Instance.definition_id, func.count().label("running"))
        .where(Instance.status == "running")
        .group_by(Instance.definition_id)
        .subquery()
    )
    rows = session.execute(
        select(Definition.id, Definition.key, Definition.version, Definition.name, Definition.deployed_by,
               Definition.deployed_at, func.coalesce(running.c.running, 0))
        .outerjoin(running, running.c.definition_id == Definition.id)
        .order_by(Definition.key, Definition.version.desc())
    )
    processes: dict[str, ProcessRow] = {}
    for id_, key, version, name, by, at, count in rows:
        process = processes.setdefault(key, ProcessRow(key, name))
        process.versions.append(VersionRow(id_, version, name, by, at, int(count)))
    return list(processes.values())


def definition_version(session: Session, key: str, version: int) -> Definition:
    definition = session.scalar(select(Definition).where(Definition.key == key, Definition.version == version))
    if definition is None:
        raise NotFound(f"流程 {key} 没有版本 {version}", code="definition_not_found")
    return definition


# --- users and roles -------------------------------------------------------------------------

def users_page(session: Session, *, page: int = 1, per_page: int = 50, query: str = "") -> tuple[list[User], int]:
    """One page of users by username, optionally those whose username or name contains `query`."""
    statement = select(User)
    if query:
        like = f"%{query}%"
        statement = statement.where(User.username.ilike(like) | User.display_name.ilike(like))
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    users = list(session.scalars(statement.order_by(User.username).limit(per_page).offset((page - 1) * per_page)))
    return users, total or 0


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在", code="user_not_found")
    return user


def _role_and_org(session: Session, role: str, org_code: str) -> OrgUnit:
    fields: dict[str, list[str]] = {}
    if role not in ROLES_BY_KEY:
        fields["role"] = ["未知角色"]
    org = session.get(OrgUnit, org_code) if org_code else None
    if org is None:
        fields["org"] = ["未知的组织单位"]
    if fields:
        raise InvalidData("角色或组织单位有误", fields)
    return org


@transactional
def create_user(session: Session, actor: str, *, username: str, display_name: str, password_hash: str,
                password_length: int, role: str = "", org_code: str = "") -> User:
    """A new active user, optionally with a first role at an org unit. Commits once."""
    username, display_name = username.strip(), display_name.strip()
    fields: dict[str, list[str]] = {}
    if not USERNAME.match(username):
        fields["username"] = ["用户名为 2–64 位字母、数字或 _ . -"]
    elif session.scalar(select(User.id).where(User.username == username)) is not None:
        fields["username"] = ["用户名已存在"]
    if not display_name or len(display_name) > 100:
        fields["display_name"] = ["请填写姓名（不超过100字）"]
    if password_length < MIN_PASSWORD:
        fields["password"] = [f"密码至少 {MIN_PASSWORD} 位"]
    org = None
    if role or org_code:
        try:
            org = _role_and_org(session, role, org_code)
        except InvalidData as exc:
            fields.update(exc.fields)
    if fields:
        raise InvalidData("用户信息有误", fields)
    user = User(username=username, display_name=display_name, password_hash=password_hash, active=True,
                failed_logins=0)
    if org is not None:
        user.roles.append(RoleAssignment(role=role, org_code=org.code, org_path=org.path))
    session.add(user)
    session.flush()
    audit.record(session, actor, "user_created", detail={"username": username, "role": role or None,
                                                         "org": org.code if org else None})
    return user


@transactional
def add_role(session: Session, actor: str, user_id: int, role: str, org_code: str) -> RoleAssignment:
    user = get_user(session, user_id)
    org = _role_and_org(session, role, org_code)
    if any(a.role == role and a.org_code == org.code for a in user.roles):
        raise Conflict(f"{user.username} 已有 {role}@{org.code}", code="role_exists")
    assignment = RoleAssignment(role=role, org_code=org.code, org_path=org.path)
    user.roles.append(assignment)
    session.flush()
    audit.record(session, actor, "role_assigned", detail={"username": user.username, "role": role, "org": org.code})
    return assignment


@transactional
def create_user_with_roles(session: Session, actor: str, *, username: str, display_name: str,
                           password_hash: str, password_length: int,
                           roles: Sequence[tuple[str, str]] = ()) -> User:
    """`create_user` with any number of (role, org code) pairs, all or nothing: `cwflow users add`
    gives several at once and gets the same checks as the admin page."""
    first_role, first_org = roles[0] if roles else ("", "")
    user = create_user(session, actor, username=username, display_name=display_name, password_hash=password_hash,
                       password_length=password_length, role=first_role, org_code=first_org)
    for role, org_code in roles[1:]:
        add_role(session, actor, user.id, role, org_code)
    return user


@transactional
def remove_role(session: Session, actor: str, user_id: int, assignment_id: int) -> None:
    user = get_user(session, user_id)
    assignment = next((a for a in user.roles if a.id == assignment_id), None)
    if assignment is None:
        raise NotFound("角色分配不存在", code="assignment_not_found")
    if assignment.role == "admin" and user.active and _active_admins(session) <= 1 and _admin_count(user) == 1:
        raise Conflict("不能移除最后一位在用系统管理员的管理员角色", code="last_admin")
    user.roles.remove(assignment)
    audit.record(session, actor, "role_removed", detail={"username": user.username, "role": assignment.role,
                                                         "org": assignment.org_code})


@transactional
def set_user_active(session: Session, actor: str, user_id: int, active: bool) -> User:
    """Deactivate (停用) or reactivate a user. A deactivated user's sessions and tokens stop working."""
    user = get_user(session, user_id)
    if user.active == active:
        return user
    if not active and user.username == actor:
        raise Conflict("不能停用自己的账号", code="cannot_deactivate_self")
    if not active and _admin_count(user) and _active_admins(session) <= 1:
        raise Conflict("不能停用最后一位在用的系统管理员", code="last_admin")
    user.active = active
    if active:
        user.failed_logins = 0
        user.locked_until = None
    audit.record(session, actor, "user_activated" if active else "user_deactivated",
                 detail={"username": user.username})
    return user


def _admin_count(user: User) -> int:
    return sum(1 for a in user.roles if a.role == "admin")


def _active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count(func.distinct(User.id))).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == "admin", User.active.is_(True))
    ) or 0


# --- org units ---------------------------------------------------------------------------------

def org_units(session: Session) -> list[OrgUnit]:
    """The whole tree in path order (a parent just before its children)."""
    return list(session.scalars(select(OrgUnit).order_by(OrgUnit.path)))


@transactional
def create_org_unit(session: Session, actor: str, *, code: str, name: str, level: str,
                    parent_code: str | None, households: int | None = None,
                    residents: int | None = None) -> OrgUnit:
    """A district (区), street (街道) or community (社区) under a parent of the level above."""
    code, name = code.strip(), name.strip()
    parent_code = (parent_code or "").strip() or None
    fields: dict[str, list[str]] = {}
    if not ORG_CODE.match(code):
        fields["code"] = ["代码为 1–32 位字母、数字或 _ -"]
    elif session.get(OrgUnit, code) is not None:
        fields["code"] = ["代码已存在"]
    if not name or len(name) > 100:
        fields["name"] = ["请填写名称（不超过100字）"]
    parent = None
    if level not in PARENT_LEVELS:
        fields["level"] = ["层级应为区、街道或社区"]
    else:
        parent = session.get(OrgUnit, parent_code) if parent_code else None
        if parent_code and parent is None:
            fields["parent"] = ["上级单位不存在"]
        elif (parent.level if parent else None) not in PARENT_LEVELS[level]:
            wanted = "、".join(LEVEL_NAMES[p] if p else "无上级" for p in PARENT_LEVELS[level])
            fields["parent"] = [f"{LEVEL_NAMES[level]}的上级应为：{wanted}"]
    for label, value in (("households", households), ("residents", residents)):
        if value is not None and value < 0:
            fields[label] = ["不能为负数"]
    if fields:
        raise InvalidData("组织单位信息有误", fields)
    path = f"{parent.path}{code}/" if parent else f"{code}/"
    org = OrgUnit(code=code, name=name, level=level, parent_code=parent.code if parent else None, path=path,
                  households=households, residents=residents)
    session.add(org)
    session.flush()
    audit.record(session, actor, "org_unit_created", detail={"code": code, "level": level,
                                                             "parent": parent.code if parent else None})
    return get_org(session, code)


# --- integration tokens ----------------------------------------------------------------------

def tokens_page(session: Session, *, page: int = 1, per_page: int = 50) -> tuple[list[tuple[ApiToken, str]], int]:
    """Tokens newest first with their user's name; only hashes are stored, never the tokens."""
    total = session.scalar(select(func.count(ApiToken.id))) or 0
    rows = session.execute(
        select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.id.desc()).limit(per_page).offset((page - 1) * per_page)
    )
    return [(token, username) for token, username in rows], total


@transactional
def revoke_token(session: Session, actor: str, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("令牌不存在", code="token_not_found")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        audit.record(session, actor, "token_revoked", detail={"token_id": token.id, "label": token.label})
    return token
