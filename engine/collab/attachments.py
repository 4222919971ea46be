"""Attachments (附件) of a case: uploaded files kept in a table, with limits on size and type, cited by
id in a decision (task data `<form>_attachments`) and shown in the trail.

Files live in the database: they commit and roll back with the case, and every web host sees them.
The declared type must match the file's extension and its first bytes, so a renamed executable
is not stored as a PDF.
"""

import hashlib
from pathlib import PurePath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from config.operations import ops_setting
from engine.core import audit, clock
from engine.core.errors import Conflict, InvalidData, NotFound
from engine.core.scope import Actor
from engine.core.transaction import transactional
from engine.models import Attachment, Instance, TaskRow

MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}


def _visible_instance(session: Session, actor: Actor, instance_id: int) -> Instance:
    instance = session.get(Instance, instance_id)
    if instance is None or not actor.sees_instance(instance):
        raise NotFound("流程实例不存在", code="instance_not_found")
    return instance


@transactional
def upload(session: Session, actor: Actor, instance_id: int, *, filename: str, content_type: str,
           content: bytes) -> Attachment:
    """Store one file for a running case the actor can see."""
    instance = _visible_instance(session, actor, instance_id)
    if instance.status != "running":
        raise Conflict("流程已结束，不能再上传附件", code="instance_not_running")
    name = PurePath((filename or "").replace("\\", "/")).name.strip()[:200]
    if not name:
        raise InvalidData("请选择文件", {"file": ["缺少文件名"]}, code="attachment_invalid")
    limit = int(ops_setting("attachment_max_bytes"))
    if not content:
        raise InvalidData("文件为空", {"file": ["文件为空"]}, code="attachment_invalid")
    if len(content) > limit:
        raise InvalidData(f"文件超过 {limit // 1024} KB", {"file": [f"不超过 {limit // 1024} KB"]},
                          code="attachment_too_large")
    kind = (content_type or "").split(";")[0].strip().lower()
    allowed = ops_setting("attachment_types")
    suffix = PurePath(name).suffix.lower()
    if kind not in allowed or suffix not in allowed[kind]:
        raise InvalidData("不支持的文件类型", {"file": [f"允许的类型：{', '.join(sorted(allowed))}"]},
                          code="attachment_type_not_allowed")
    magic = MAGIC.get(kind)
    if magic and not content.startswith(magic):
        raise InvalidData("文件内容与类型不符", {"file": ["文件内容与声明的类型不符"]},
                          code="attachment_type_not_allowed")
    if kind == "text/plain":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidData("文本文件须为 UTF-8", {"file": ["须为 UTF-8 文本"]},
                              code="attachment_type_not_allowed") from exc
    row = Attachment(instance_id=instance.id, filename=name, content_type=kind, size=len(content),
                     sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by=actor.username,
                     uploaded_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, actor.username, "attachment_uploaded", instance_id=instance.id,
                 detail={"attachment_id": row.id, "filename": name, "size": row.size, "content_type": kind})
    return row


def get(session: Session, actor: Actor, attachment_id: int) -> Attachment:
    row = session.get(Attachment, attachment_id)
    instance = session.get(Instance, row.instance_id) if row is not None else None
    if instance is None or not actor.sees_instance(instance):
        raise NotFound("附件不存在", code="attachment_not_found")
    return row


def list_query(session: Session, actor: Actor, instance_id: int) -> Select:
    """The case's attachments (scoped like the case), for a paginated list."""
    _visible_instance(session, actor, instance_id)
    return select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.id)


def bind(session: Session, actor_name: str, row: TaskRow, ids: list[int] | None) -> list[dict[str, Any]]:
    """Cite uploaded files in a decision on `row`: the uploader's own, of the same case, not cited before."""
    if not ids:
        return []
    wanted = list(dict.fromkeys(int(i) for i in ids))
    found = {a.id: a for a in session.scalars(select(Attachment).where(Attachment.id.in_(wanted)))}
    problems = [f"附件 {i} 不存在或不属于本案件" for i in wanted
                if i not in found or found[i].instance_id != row.instance_id]
    problems += [f"附件 {i} 已用于其他决定" for i in wanted
                 if i in found and found[i].task_id not in (None, row.id)]
    problems += [f"附件 {i} 不是您上传的" for i in wanted if i in found and found[i].uploaded_by != actor_name]
    if problems:
        raise InvalidData("附件有误", {"attachments": problems}, code="attachment_invalid")
    for attachment_id in wanted:
        found[attachment_id].task_id = row.id
    return [{"id": i, "filename": found[i].filename} for i in wanted]
