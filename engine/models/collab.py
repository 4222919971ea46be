"""Rows of the everyday approval operations: proxies, approval rounds and votes, delegations, copies,
deadlines, urges, personal notifications, the e-mail outbox and attachments.

They sit beside the task index: a BPMN user task stays one task; who else takes part in it
(countersigners, a delegate, a proxy) is kept here, so a round of many approvers costs rows,
not multi-instance branches in the workflow.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonType, UtcDateTime


class Proxy(Base):
    """An out-of-office proxy (代理人): `proxy` acts on `principal`'s tasks between two dates."""

    __tablename__ = "proxies"
    __table_args__ = (Index("ix_proxies_proxy", "proxy_id", "ends_on"), Index("ix_proxies_principal", "principal_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    principal: Mapped[str] = mapped_column(String(64))
    proxy_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    proxy: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    process_key: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ApprovalRound(Base):
    """The approvers of one opening of one user task (会签/或签/比例签, 加签) and its rule."""

    __tablename__ = "approval_rounds"
    __table_args__ = (Index("ix_approval_rounds_task", "task_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    mode: Mapped[str] = mapped_column(String(16))  # single | all | any | ratio
    ratio: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ApprovalVote(Base):
    """One approver's part in a round: waiting for their phase, pending, or decided."""

    __tablename__ = "approval_votes"
    __table_args__ = (
        UniqueConstraint("round_id", "approver", name="uq_approval_votes_round_approver"),
        Index("ix_approval_votes_approver", "approver", "status"),
        Index("ix_approval_votes_task", "task_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("approval_rounds.id"))
    task_id: Mapped[str] = mapped_column(String(36))
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    approver: Mapped[str] = mapped_column(String(64))
    phase: Mapped[str] = mapped_column(String(8))  # before | main | after
    # waiting | pending | approved | rejected | returned | skipped | cancelled
    status: Mapped[str] = mapped_column(String(12))
    data: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    added_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TaskDelegation(Base):
    """A task handed by its assignee to someone who works it and hands it back (委派)."""

    __tablename__ = "task_delegations"
    __table_args__ = (Index("ix_task_delegations_delegate", "delegate", "status"),
                      Index("ix_task_delegations_task", "task_id", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    delegator: Mapped[str] = mapped_column(String(64))
    delegate: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | resolved | cancelled
    comment: Mapped[str] = mapped_column(Text, default="")
    reply: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CaseCopy(Base):
    """A case copied to a user (抄送); one row per case and recipient, however often it is copied."""

    __tablename__ = "case_copies"
    __table_args__ = (UniqueConstraint("instance_id", "recipient", name="uq_case_copies_instance_recipient"),
                      Index("ix_case_copies_recipient", "recipient", "created_at"),
                      # the unread number on 抄送我的 (migration 0016)
                      Index("ix_case_copies_unread", "recipient", "read_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    recipient: Mapped[str] = mapped_column(String(64))
    copied_by: Mapped[str] = mapped_column(String(64))
    task_id: Mapped[str | None] = mapped_column(String(36))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class TaskDeadline(Base):
    """When an open task is to be reminded and escalated; the moment is cleared once done (each once)."""

    __tablename__ = "task_deadlines"
    __table_args__ = (Index("ix_task_deadlines_remind", "remind_at"), Index("ix_task_deadlines_escalate", "escalate_at"))

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    escalate_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class TaskUrge(Base):
    """One urge (催办) of a waiting task by one user: the rate limit's memory and the trail's."""

    __tablename__ = "task_urges"
    __table_args__ = (Index("ix_task_urges_task_user", "task_id", "username", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    username: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class UserNotification(Base):
    """An in-app message delivered to one user (站内通知), with its own read mark.

    Role notifications are delivered to every holder of the role in scope when they are written,
    so the list, the unread count and "mark read" are one indexed query per user.
    """

    __tablename__ = "user_notifications"
    __table_args__ = (Index("ix_user_notifications_user", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OutboxEmail(Base):
    """An e-mail queued in the transaction of its cause and sent after commit by the sender."""

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_status", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Attachment(Base):
    """A file attached to a case (附件), optionally bound to the decision that cites it."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime())
