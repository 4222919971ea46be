"""The role table (docs/domain.md, "Organisation, roles and scope"): the roles lanes may name.

A lane in a diagram names a role by its key or by its Chinese name, so administrators can
draw lanes the way they speak ("街道人事") while the engine works with keys (`street_hr`).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    key: str
    name_zh: str
    level: str  # the org level the role acts at: district, street, community, or "any"


ROLES: tuple[Role, ...] = (
    Role("applicant", "报名人员", "any"),
    Role("worker", "社区工作者", "community"),
    Role("community_secretary", "社区党组织书记", "community"),
    Role("street_hr", "街道人事", "street"),
    Role("street_leader", "街道领导", "street"),
    Role("district_civil_affairs", "区民政局", "district"),
    Role("district_org_dept", "区委组织部", "district"),
    Role("district_hrss", "区人社局", "district"),
    Role("social_work_dept", "社会工作部", "district"),
    Role("recruitment_panel", "招聘工作小组", "district"),
    Role("admin", "系统管理员", "any"),
)

ROLES_BY_KEY: dict[str, Role] = {role.key: role for role in ROLES}
_ROLES_BY_LANE_NAME: dict[str, Role] = {
    **{role.key: role for role in ROLES},
    **{role.name_zh: role for role in ROLES},
}


def role_for_lane(lane_name: str | None) -> Role | None:
    """The role a lane names (by key or Chinese name), or None when it names none."""
    if not lane_name:
        return None
    return _ROLES_BY_LANE_NAME.get(lane_name.strip())
