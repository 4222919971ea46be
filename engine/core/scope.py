"""The org tree and who sees what: every scoped query goes through these filters."""

from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from config.roles import ROLES_BY_KEY
from engine.core.errors import NotFound
from engine.models import OrgUnit, User

ROLE_LEVEL_DEPTH = {"city": 1, "district": 2, "street": 3, "community": 4}
# Roles held by people acting for themselves: a community worker is placed in a community but
# sees only their own record and cases, never their colleagues'.
PERSONAL_ROLES = frozenset({"worker", "applicant"})


def path_range(path: str) -> tuple[str, str]:
    """The [low, high) range of every path at or below `path` ('/' sorts just below '0')."""
    return path, path[:-1] + "0"


def in_subtree(column: ColumnElement, path: str) -> ColumnElement[bool]:
    """`column` lies at or below `path`, as an index-friendly range."""
    low, high = path_range(path)
    return and_(column >= low, column < high)


def get_org(session: Session, code: str) -> OrgUnit:
    org = session.get(OrgUnit, code)
    if org is None:
        raise NotFound(f"组织单位 {code} 不存在", code="org_not_found")
    return org


class UnitRef(NamedTuple):
    """A unit's code and path: all a task row or a notice needs of the unit it goes to."""

    code: str
    path: str


def lifted_unit(org: OrgUnit, role_key: str) -> UnitRef:
    """The unit a task for `role_key` goes to: the case's unit raised to the role's level.

    Read off the case's path (a unit's path is its parent's path plus its code, and never changes),
    so it needs no query. A district role on a community case gets the district; a community role
    on a street case stays at the street (there is no community to go down to).
    """
    role = ROLES_BY_KEY.get(role_key)
    if role is None or role.level not in ROLE_LEVEL_DEPTH:
        return UnitRef(org.code, org.path)
    codes = org.path.strip("/").split("/")
    depth = ROLE_LEVEL_DEPTH.get(org.level, len(codes))
    wanted = ROLE_LEVEL_DEPTH[role.level]
    if wanted >= depth:
        return UnitRef(org.code, org.path)
    root_depth = depth - len(codes) + 1  # the tree may start at the city or at a district
    kept = codes[:max(wanted - root_depth, 0) + 1]
    return UnitRef(kept[-1], "/".join(kept) + "/")


def lift_to_role_level(session: Session, org: OrgUnit, role_key: str) -> OrgUnit:
    """The unit of `lifted_unit` as a row, for callers that need more than its code and path."""
    code = lifted_unit(org, role_key).code
    return org if code == org.code else get_org(session, code)


class Actor:
    """The acting user with the roles they hold: what every engine function is given."""

    def __init__(self, username: str, assignments: Iterable[tuple[str, str, str]],
                 user_id: int | None = None, worker_id: int | None = None):
        self.username = username
        self.user_id = user_id
        self.worker_id = worker_id
        # (role, org_code, org_path)
        self.assignments = list(assignments)
        # the engine acting on its own behalf (a step that opens a follow-up case), not a person
        self.is_system = False

    @classmethod
    def of(cls, user: User) -> "Actor":
        return cls(user.username, [(a.role, a.org_code, a.org_path) for a in user.roles],
                   user_id=user.id, worker_id=user.worker_id)

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        actor = cls(name, [("admin", "*", "")])
        actor.is_system = True
        return actor

    @property
    def is_admin(self) -> bool:
        return any(role == "admin" for role, _, _ in self.assignments)

    def roles(self) -> set[str]:
        return {role for role, _, _ in self.assignments}

    def holds(self, role: str, org_path: str) -> bool:
        """Holds `role` at the unit with `org_path` or at one of its ancestors."""
        return any(r == role and org_path.startswith(p) for r, _, p in self.assignments)

    def sees_org(self, org_path: str) -> bool:
        """Any of the user's staff units is the unit or an ancestor of it (admins see everything)."""
        return self.is_admin or any(org_path.startswith(p) for p in self.scope_paths())

    def staff_sees(self, org_path: str) -> bool:
        """Sees the unit through a business role: the administrator's role gives no business
        authority (separation of duties), so it does not count here."""
        return any(org_path.startswith(p) for role, _, p in self.assignments
                   if role != "admin" and role not in PERSONAL_ROLES)

    def scope_paths(self) -> list[str]:
        return sorted({p for role, _, p in self.assignments if role not in PERSONAL_ROLES})

    def placed_at(self, org_path: str) -> bool:
        """Holds any role (personal ones included) at the unit or above: where one may act for oneself."""
        return self.is_admin or any(org_path.startswith(p) for _, _, p in self.assignments)

    def sees_instance(self, instance: Any) -> bool:
        """A case in the user's staff scope, or one about them or started by them."""
        return (self.sees_org(instance.org_path) or instance.initiator == self.username
                or (self.worker_id is not None and instance.worker_id == self.worker_id))

    def instance_filter(self, instance_model: Any) -> ColumnElement[bool]:
        """SQL filter with the same meaning as `sees_instance`."""
        clauses = [self.org_filter(instance_model.org_path), instance_model.initiator == self.username]
        if self.worker_id is not None:
            clauses.append(instance_model.worker_id == self.worker_id)
        return or_(*clauses)

    def org_filter(self, column: ColumnElement) -> ColumnElement[bool]:
        """SQL filter: rows whose org path lies in any of the user's units."""
        if self.is_admin:
            return column.is_not(None)
        paths = _outermost(self.scope_paths())
        return or_(*(in_subtree(column, p) for p in paths)) if paths else false()

    def task_branches(self, role_column: ColumnElement, path_column: ColumnElement) -> list[ColumnElement[bool]]:
        """One index range per role held: (role, unit subtree)."""
        return [and_(role_column == role, in_subtree(path_column, path))
                for role, _, path in self.assignments if role != "admin"]


def _outermost(paths: list[str]) -> list[str]:
    kept: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def load_actor(session: Session, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户 {username} 不存在", code="user_not_found")
    return Actor.of(user)
