"""Copying a case to people (抄送): by a step of the diagram (user-task property `cc`) or by a user.

A case reaches each recipient once (a unique row per case and recipient); recipients must be able to
see the case's unit, so a copy never shows a case outside its reader's scope.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from engine.collab.notifications import Recipient, case_name, deliver, person_name, role_holders, users_named
from engine.core import audit, clock
from engine.core.errors import InvalidData, NotFound
from engine.core.scope import Actor, get_org, lift_to_role_level
from engine.core.transaction import transactional
from engine.models import CaseCopy, Instance, User


def recipients_for_spec(session: Session, instance: Instance, spec: str) -> list[Recipient]:
    """`role:district_civil_affairs; users:li,wang` → the people it names for this case."""
    people: list[Recipient] = []
    for part in (p.strip() for p in spec.split(";")):
        if part.startswith("role:"):
            for role in (r.strip() for r in part[5:].split(",") if r.strip()):
                unit = lift_to_role_level(session, get_org(session, instance.org_code), role)
                people.extend(role_holders(session, role, unit.path))
        elif part.startswith("users:"):
            people.extend(users_named(session, [n.strip() for n in part[6:].split(",") if n.strip()]))
    return people


def copy_case(session: Session, instance: Instance, people: list[Recipient], *, copied_by: str,
              task_id: str | None = None, note: str = "") -> list[str]:
    """Add the copies not made before; returns the user names newly copied (no duplicates)."""
    names = {p.username for p in people if p.username != copied_by}
    if not names:
        return []
    existing = set(session.scalars(select(CaseCopy.recipient).where(CaseCopy.instance_id == instance.id,
                                                                   CaseCopy.recipient.in_(names))))
    fresh = [p for p in people if p.username in names - existing]
    fresh = list({p.username: p for p in fresh}.values())
    now = clock.now()
    for person in fresh:
        session.add(CaseCopy(instance_id=instance.id, recipient=person.username, copied_by=copied_by,
                             task_id=task_id, note=note or "", created_at=now))
    if fresh:
        deliver(session, fresh, kind="cc", instance_id=instance.id, task_id=task_id,
                message=f"{person_name(session, copied_by)} 抄送给您：{case_name(session, instance.id)}"
                        + (f"（{instance.business_key}）" if instance.business_key else "")
                        + (f"：{note}" if note else ""))
        audit.record(session, copied_by, "case_copied", instance_id=instance.id, task_id=task_id,
                     detail={"to": [p.username for p in fresh], "comment": note or None})
    return [p.username for p in fresh]


def may_receive_copy(person: Actor, instance: Instance) -> bool:
    """Whom a user may copy a case to: someone whose staff units (or administrator's role) cover
    the case's unit. The picker on the case page offers exactly these people."""
    return person.sees_org(instance.org_path)


@transactional
def copy_by_user(session: Session, actor: Actor, instance: Instance, usernames: list[str], note: str) -> list[str]:
    """A user copies a case they can see to colleagues who can see it too."""
    people = users_named(session, usernames)
    unknown = sorted(set(usernames) - {p.username for p in people})
    if unknown:
        raise InvalidData("用户不存在", {"users": [f"没有用户 {n}" for n in unknown]}, code="user_not_found")
    outside = []
    for person in people:
        user = session.get(User, person.user_id)
        if not may_receive_copy(Actor.of(user), instance):
            outside.append(person.username)
    if outside:
        raise InvalidData("抄送对象不在本案件的组织范围内", {"users": [f"{n} 无权查看本案件" for n in outside]},
                          code="cc_out_of_scope")
    copied = copy_case(session, instance, people, copied_by=actor.username, note=note)
    return copied


def copies_for(username: str, *, unread_only: bool = False) -> Select:
    """The "copied to me" list (抄送我的), newest first."""
    query = select(CaseCopy, Instance).join(Instance, Instance.id == CaseCopy.instance_id).where(
        CaseCopy.recipient == username)
    if unread_only:
        query = query.where(CaseCopy.read_at.is_(None))
    return query.order_by(CaseCopy.created_at.desc(), CaseCopy.id.desc())


@transactional
def mark_copy_read(session: Session, actor: Actor, copy_id: int) -> CaseCopy:
    row = session.get(CaseCopy, copy_id)
    if row is None or row.recipient != actor.username:
        raise NotFound("抄送不存在", code="copy_not_found")
    if row.read_at is None:
        row.read_at = clock.now()
    return row
