"""Deployed definitions, running instances and the human-task index."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonType, UtcDateTime


class Definition(Base):
    """An immutable deployed version of a process: diagram, decision tables and forms."""

    __tablename__ = "definitions"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    bpmn: Mapped[bytes] = mapped_column(LargeBinary)
    dmn: Mapped[list[str]] = mapped_column(JsonType, default=list)
    forms: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    checksum: Mapped[str] = mapped_column(String(64))
    deployed_by: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Instance(Base):
    """A running or finished case. `state` is the serialised workflow without its spec.

    `lock_version` is SQLAlchemy's optimistic lock: a save whose version moved meanwhile fails,
    which is how the second of two concurrent completions gets its 409.
    """

    __tablename__ = "instances"
    __table_args__ = (
        UniqueConstraint("key", "business_key"),
        Index("ix_instances_next_timer", "next_timer_at"),
        Index("ix_instances_scope", "org_path", "key", "status"),
        # 我发起的: the cases one user started, newest first (migration 0016)
        Index("ix_instances_initiator", "initiator", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id"))
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    business_key: Mapped[str | None] = mapped_column(String(128))
    # what people call the case ("王晓梅的辞职申请"), set at its start (migration 0014)
    title: Mapped[str | None] = mapped_column(String(200))
    org_code: Mapped[str] = mapped_column(ForeignKey("org_units.code"))
    org_path: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="running")
    outcome: Mapped[str | None] = mapped_column(String(32))
    initiator: Mapped[str] = mapped_column(String(64))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    state_format: Mapped[str] = mapped_column(String(32))
    next_timer_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __mapper_args__ = {"version_id_col": lock_version}


class TaskRow(Base):
    """One human task, kept in step with its instance so inboxes are plain indexed queries."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_inbox", "status", "role", "org_path", "due_at"),
        # a role's open tasks in due order: the first page of a large inbox reads ~20 entries
        Index("ix_tasks_queue", "status", "role", "due_at", "created_at", "org_path", "assignee"),
        Index("ix_tasks_instance", "instance_id", "status"),
        Index("ix_tasks_assignee", "assignee", "status"),
        # 已处理: what one user completed, newest first (migration 0016)
        Index("ix_tasks_completed_by", "completed_by", "completed_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    process_key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    org_code: Mapped[str] = mapped_column(String(32))
    org_path: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="open")
    form_key: Mapped[str | None] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # counted in working days through a year without its official holiday arrangement (暂定)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the count `due_at` was made from (dueInWorkingDays), so loading that year can recount it
    due_working_days: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(64))
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))  # a proxy's principal (migration 0004)
